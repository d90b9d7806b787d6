"""«Причины пропусков»: the class teacher sets the reason of an absence by a document
[004 §3.7].

| Key | Action |
| :- | :- |
| ← → | previous / next span |
| enter | set the reason of the highlighted absence |
| escape | back |

Who may change a reason is decided in core (``AbsenceRow.why_not``); the document's
deadline is checked by the service with the date typed, and its refusal is shown in
the form.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels.absences import AbsenceRow, ClassAbsences
    from zhurnal.tui.context import Register

SPAN_DAYS = 14
CODE_NAMES = {
    "Б": "Б — по болезни",
    "УП": "УП — по уважительной причине",
    "Н": "Н — без уважительной причины",
}


SPAN_KEYS = Binding.Group("Две недели", compact=True)
"""← and → share one footer label."""


class ReasonModal(ModalScreen[bool]):
    """The reason, the document and its date for one absence; True once saved."""

    HELP_TITLE = "Причина пропуска"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
        # field the user meant.
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("ctrl+s", "save", "Сохранить", priority=True),
    ]
    DEFAULT_CSS = """
    ReasonModal { align: center middle; }
    ReasonModal > Vertical {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ReasonModal OptionList { height: auto; max-height: 4; }
    ReasonModal #reason-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(self, actor: Actor, row: AbsenceRow, codes: tuple[str, ...], today: date) -> None:
        super().__init__()
        self.actor, self.row, self.codes, self.today = actor, row, codes, today

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical():
            yield Static(
                Content(
                    f"{r.student}: {r.date:%d.%m.%Y}, {r.number}-й урок, {r.subject} — {r.code}"
                ),
                classes="form-title",
            )
            yield OptionList(
                *[Option(CODE_NAMES[c], id=c) for c in self.codes], id="codes", compact=True
            )
            yield Static("Документ (справка, заявление):", classes="form-hint")
            yield Input(
                r.document,
                id="document",
                placeholder="справка № 15 поликлиники № 3",
                compact=True,
            )
            yield Static("Дата документа:", classes="form-hint")
            yield Input(
                f"{r.document_date:%d.%m.%Y}" if r.document_date else "",
                id="document-date",
                placeholder="ДД.ММ.ГГГГ — когда документ выдан",
                compact=True,
            )
            yield Static(
                "Ctrl+S — сохранить, Tab — следующее поле, Esc — отмена", classes="form-hint"
            )
            yield Static("", id="reason-error")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _code_chosen(self) -> None:
        self.query_one("#document", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "document":
            self.query_one("#document-date", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        code = self.codes[options.highlighted]
        document = self.query_one("#document", Input).value
        when = self.query_one("#document-date", Input).value
        self._save(code, document, when)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _save(self, code: str, document: str, when: str) -> None:
        from zhurnal.core.rules import parse_date
        from zhurnal.core.services.lessons import correct_absence_reason

        register = cast("Register", self.app)
        try:
            day = parse_date(when, "Дата документа")
            correct_absence_reason(
                register.database(),
                self.actor,
                self.row.absence_id,
                code,
                document=document,
                document_date=day,
                expected_version=self.row.version,
            )
        except Exception as error:  # noqa: BLE001 - shown in the form
            self.app.call_from_thread(self._refused, describe(error))
            return
        self.app.call_from_thread(self.dismiss, True)

    def _refused(self, text: str) -> None:
        self.query_one("#reason-error", Static).update(Content(text))

    def action_cancel(self) -> None:
        self.dismiss(False)


class AbsencesTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Причина", show=False),
    ]


class AbsencesScreen(ZhurnalScreen):
    """A class's absences, two weeks at a time, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,left_square_bracket", "span(-1)", "Раньше", priority=True, group=SPAN_KEYS),
        Binding("right,right_square_bracket", "span(1)", "Позже", priority=True, group=SPAN_KEYS),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Причины пропусков"

    class Loaded(Message, bubble=False):
        def __init__(self, result: ClassAbsences) -> None:
            super().__init__()
            self.result = result

    def __init__(self, actor: Actor, class_id: int, title: str) -> None:
        super().__init__()
        self.actor, self.class_id, self.class_title = actor, class_id, title
        self.end: date | None = None
        self.result: ClassAbsences | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Причины пропусков: {self.class_title}"), classes="screen-title")
        yield Static("", id="a-span")
        yield AbsencesTable(id="absences", cursor_type="row", zebra_stripes=True)
        yield Static("", id="a-detail", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.end = self.register.today()
        table = self.query_one(DataTable)
        for header, width in (("Дата", 5), ("Ур.", 3), ("Предмет", 16), ("Ученик", 26), ("Код", 3)):
            table.add_column(header, width=width)
        table.add_column("Документ", width=max(8, self.size.width - 76))
        table.focus()
        self._reload()

    def _reload(self) -> None:
        assert self.end is not None
        self.query_one(DataTable).loading = True
        self._load(self.end - timedelta(days=SPAN_DAYS - 1), self.end)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, start: date, end: date) -> None:
        from zhurnal.core.readmodels.absences import class_absences

        db = self.register.database()
        self.post_message(self.Loaded(class_absences(db, self.actor, self.class_id, start, end)))

    @on(Loaded)
    def _loaded(self, event: AbsencesScreen.Loaded) -> None:
        self.result = r = event.result
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for n, a in enumerate(r.rows):
            table.add_row(
                Text(f"{a.date:%d.%m}"),
                Text(str(a.number), justify="right"),
                Text(a.subject, no_wrap=True, overflow="ellipsis"),
                Text(a.student, no_wrap=True, overflow="ellipsis"),
                Text(a.code, style="bold red" if a.code == "Н" else ""),
                Text(a.reason_document or "—", no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        table.loading = False
        if r.rows:
            table.move_cursor(row=max(0, min(row, len(r.rows) - 1)))
        unexcused = sum(1 for a in r.rows if a.code == "Н")
        self.query_one("#a-span", Static).update(
            Content(
                f"{r.start:%d.%m}–{r.end:%d.%m.%Y}: пропусков {len(r.rows)}, "
                f"без уважительной причины {unexcused} · ← → другие две недели"
            )
        )
        self.query_one("#a-detail", Static).update(
            Content(
                "Enter — указать причину по документу; причину исправляют не позднее "
                f"{r.working_days} рабочих дней после возвращения ученика или даты документа "
                "[004 §3.7], позже — по заявке на корректировку."
                if r.rows
                else "Пропусков нет."
            )
        )

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if self.result is None or event.row_key.value is None:
            return
        row = self.result.rows[int(event.row_key.value)]
        if row.why_not:
            show_refusal(self, row.why_not)
            return
        self.app.push_screen(
            ReasonModal(self.actor, row, self.result.codes, self.register.today()),
            self._saved,
        )

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Причина пропуска сохранена.", markup=False)
            self._reload()

    def action_span(self, step: int) -> None:
        if self.end is None:
            return
        self.end = min(self.register.today(), self.end + timedelta(days=step * SPAN_DAYS))
        self._reload()

    def action_back(self) -> None:
        self.dismiss()
