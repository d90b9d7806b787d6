"""«Журнал действий»: who changed what, old → new, when and from which session
[000 §6.1; 002 §2.7–2.9].

| Key | Action |
| :- | :- |
| u | filter: user |
| c | filter: class |
| s | filter: subject |
| k | filter: kind of action |
| d | filter: dates (from – to) |
| x | clear the filters |
| n | older entries (next page) |
| enter | the whole entry |
| e | save as CSV, XLSX or PDF |
| escape | back |
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels.audit_log import AuditPage, AuditRow

ANY = "*"
FILTER_KEYS = Binding.Group("Отбор", compact=True)
"""u c s k d share one footer label: «u c s k d Отбор»."""


@dataclass(frozen=True)
class Filters:
    user_id: int | None = None
    user: str = ""
    class_id: int | None = None
    class_title: str = ""
    subject_id: int | None = None
    subject: str = ""
    kind: str | None = None
    start: date | None = None
    end: date | None = None

    def describe(self) -> str:
        parts = [
            f"пользователь: {self.user}" if self.user_id else "",
            f"класс: {self.class_title}" if self.class_id else "",
            f"предмет: {self.subject}" if self.subject_id else "",
            f"вид: {self.kind}" if self.kind else "",
            f"с {self.start:%d.%m.%Y}" if self.start else "",
            f"по {self.end:%d.%m.%Y}" if self.end else "",
        ]
        shown = ", ".join(p for p in parts if p)
        return f"Отбор: {shown}" if shown else "Все записи"


class AuditTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Подробно", show=False),
    ]


class AuditScreen(ZhurnalScreen):
    """The audit journal, newest first, a page at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "pick('user')", "Пользователь", group=FILTER_KEYS),
        Binding("c", "pick('class')", "Класс", group=FILTER_KEYS),
        Binding("s", "pick('subject')", "Предмет", group=FILTER_KEYS),
        Binding("k", "pick('kind')", "Вид", group=FILTER_KEYS),
        Binding("d", "dates", "Даты", group=FILTER_KEYS),
        Binding("x", "clear", "Сбросить отбор", show=False),
        Binding("n", "older", "Раньше"),
        Binding("e", "export", "В файл"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Журнал действий"

    class Loaded(Message, bubble=False):
        def __init__(self, page: AuditPage, append: bool) -> None:
            super().__init__()
            self.page, self.append = page, append

    def __init__(self, actor: Actor, filters: Filters | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.filters = filters or Filters()
        self.rows: list[AuditRow] = []
        self.more = False

    def compose(self) -> ComposeResult:
        yield Static("Журнал действий", classes="screen-title")
        yield Static("", id="audit-filters")
        yield AuditTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-detail", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rest = max(20, self.size.width - 42)
        for header, width in (("Когда", 11), ("Кто", 12), ("Что", rest), ("Было→стало", 11)):
            table.add_column(header, width=width)
        table.focus()
        self._reload()

    def _reload(self, append: bool = False) -> None:
        self.query_one("#audit-filters", Static).update(Content(self.filters.describe()))
        self.query_one(DataTable).loading = True
        before = self.rows[-1].id if append and self.rows else None
        self._load(self.filters, before, append)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, f: Filters, before_id: int | None, append: bool) -> None:
        from zhurnal.core.readmodels.audit_log import audit_log

        page = audit_log(
            self.register.database(),
            self.actor,
            user_id=f.user_id,
            class_id=f.class_id,
            subject_id=f.subject_id,
            start=f.start,
            end=f.end,
            kind=f.kind,
            limit=200,
            before_id=before_id,
        )
        self.post_message(self.Loaded(page, append))

    @on(Loaded)
    def _loaded(self, event: AuditScreen.Loaded) -> None:
        table = self.query_one(DataTable)
        if not event.append:
            self.rows = []
            table.clear()
        start = len(self.rows)
        self.rows.extend(event.page.rows)
        self.more = event.page.more
        for n, r in enumerate(event.page.rows, start):
            change = f"{r.old or '∅'}→{r.new or '∅'}" if (r.old or r.new) else ""
            table.add_row(
                Text(f"{r.ts:%d.%m %H:%M}"),
                Text(r.login, no_wrap=True, overflow="ellipsis"),
                Text(r.what, no_wrap=True, overflow="ellipsis"),
                Text(change, no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        table.loading = False
        more = " · n — более ранние" if self.more else ""
        self.query_one("#audit-detail", Static).update(
            Content(f"Показано записей: {len(self.rows)}{more}" if self.rows else "Записей нет.")
        )

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is None or int(key) >= len(self.rows):
            return
        r = self.rows[int(key)]
        session = f" · сеанс: {r.session}" if r.session else ""
        corr = f" · заявка № {r.correction_id}" if r.correction_id else ""
        who = r.user or r.login
        self.query_one("#audit-detail", Static).update(
            Content(f"{r.ts:%d.%m.%Y %H:%M:%S} {who} — {r.kind}: {r.what}{session}{corr}")
        )

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None or int(key) >= len(self.rows):
            return
        r = self.rows[int(key)]
        from zhurnal.tui.widgets.dialogs import QuestionModal

        lines = [
            f"{r.ts:%d.%m.%Y %H:%M:%S} — {r.user or r.login} ({r.login})",
            f"{r.kind}: {r.what}",
            f"Было: {r.old or '—'}; стало: {r.new or '—'}",
        ]
        if r.session:
            lines.append(f"Сеанс: {r.session}")
        if r.correction_id:
            lines.append(f"По заявке на исправление № {r.correction_id}")
        self.app.push_screen(
            QuestionModal("\n".join(lines), [("ok", "Закрыть")], title=f"Запись № {r.id}")
        )

    # --- filters ---------------------------------------------------------------------

    def action_pick(self, what: str) -> None:
        self._choices(what)

    @work(thread=True, exclusive=True, exit_on_error=False, group="choices")
    def _choices(self, what: str) -> None:
        from zhurnal.core.readmodels.audit_log import KINDS, filter_choices

        if what == "kind":
            options = [(k, k) for k in KINDS]
        else:
            choices = filter_choices(self.register.database(), self.actor)
            source = {"user": choices.users, "class": choices.classes, "subject": choices.subjects}
            options = [(str(i), name) for i, name in source[what]]
        self.app.call_from_thread(self._offer, what, options)

    def _offer(self, what: str, options: list[tuple[str, str]]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        titles = {"user": "Пользователь", "class": "Класс", "subject": "Предмет", "kind": "Вид"}
        names = dict(options)

        def chosen(key: str | None) -> None:
            if key is None:
                return
            f = self.filters
            value = None if key == ANY else key
            name = names.get(key, "")
            if what == "user":
                f = replace(f, user_id=int(value) if value else None, user=name)
            elif what == "class":
                f = replace(f, class_id=int(value) if value else None, class_title=name)
            elif what == "subject":
                f = replace(f, subject_id=int(value) if value else None, subject=name)
            else:
                f = replace(f, kind=value)
            self.filters = f
            self._reload()

        self.app.push_screen(
            ChoiceModal(
                titles[what],
                [(ANY, "— все —"), *options],
                hint="Enter — выбрать, Esc — отмена",
                list_id=f"filter-{what}",
            ),
            chosen,
        )

    def action_dates(self) -> None:
        from zhurnal.tui.widgets.dates import DatesModal

        def chosen(span: tuple[date | None, date | None] | None) -> None:
            if span is not None:
                self.filters = replace(self.filters, start=span[0], end=span[1])
                self._reload()

        self.app.push_screen(DatesModal(self.filters.start, self.filters.end), chosen)

    def action_clear(self) -> None:
        self.filters = Filters()
        self._reload()

    def action_older(self) -> None:
        if self.more:
            self._reload(append=True)
        else:
            self.notify("Более ранних записей нет.", markup=False)

    def action_export(self) -> None:
        from zhurnal.core.readmodels.audit_log import AuditPage
        from zhurnal.core.reports.audit import audit_report
        from zhurnal.tui.widgets.export import ExportModal

        page = AuditPage(tuple(self.rows), self.more)
        report = audit_report(page, self.filters.describe())
        self.app.push_screen(ExportModal(report, self.register.today()))

    def action_back(self) -> None:
        self.dismiss()
