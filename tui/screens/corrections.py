"""«Корректировки»: requests to change locked entries, the director's decision and the
deputy's entry [004 §7].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | the request: its cells (old → new), ground, document; decide or apply |
| f | all requests / awaiting a decision |
| escape | back |

Whether this user may decide or apply a request, and why not, comes with the read
model (``CorrectionView.decide_why_not`` / ``apply_why_not``); the services check it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import CorrectionView


def request_lines(c: CorrectionView) -> list[str]:
    """The whole request as the director reads it before deciding."""
    when = f", {c.requested_at:%d.%m.%Y %H:%M}" if c.requested_at else ""
    lines = [
        f"{c.class_title} · {c.subject} · от {c.requested_by}{when}",
        f"Основание: {c.ground_text or c.ground}; документ № {c.document_number} "
        f"от {c.document_date:%d.%m.%Y}",
    ]
    if c.reason:
        lines.append(f"Пояснение: {c.reason}")
    for item in c.items:
        who = f"{item.student}: " if item.student else ""
        lines.append(f"  {who}{item.label}: {item.old_text} → {item.new_text}")
    lines.append(f"Состояние: {c.status_text}")
    if c.decision_note:
        lines.append(f"Решение: {c.decision_note}")
    return lines


class CorrectionsTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Открыть", show=False),
    ]


class CorrectionsScreen(ZhurnalScreen):
    """The requests the user may see (director and deputy: all; others: their own)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "pending", "Все / ожидающие"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Корректировки"

    class Loaded(Message, bubble=False):
        def __init__(self, rows: list[CorrectionView]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.pending_only = False
        self.rows: list[CorrectionView] = []

    def compose(self) -> ComposeResult:
        yield Static("Корректировки", classes="screen-title")
        yield Static("", id="corr-filter")
        yield CorrectionsTable(id="corrections", cursor_type="row", zebra_stripes=True)
        yield Static("", id="corr-detail", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rest = max(12, self.size.width - 57)
        for header, width in (("№", 4), ("Дата", 5), ("Класс", 5), ("Предмет", rest)):
            table.add_column(header, width=width)
        table.add_column("Записей", width=7)
        table.add_column("Состояние", width=24)
        table.focus()
        self._reload()

    def _reload(self, _: object = None) -> None:
        self.query_one(DataTable).loading = True
        self.query_one("#corr-filter", Static).update(
            "Ожидают решения · f — все" if self.pending_only else "Все заявки · f — ожидающие"
        )
        self._load(self.pending_only)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, pending_only: bool) -> None:
        from zhurnal.core.readmodels import list_corrections

        rows = list_corrections(
            self.register.database(), self.actor, "requested" if pending_only else None
        )
        self.post_message(self.Loaded(sorted(rows, key=lambda c: -c.id)))

    @on(Loaded)
    def _loaded(self, event: CorrectionsScreen.Loaded) -> None:
        self.rows = event.rows
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for n, c in enumerate(self.rows):
            table.add_row(
                Text(str(c.id), justify="right"),
                Text(f"{c.requested_at:%d.%m}" if c.requested_at else ""),
                Text(c.class_title),
                Text(c.subject, no_wrap=True, overflow="ellipsis"),
                Text(str(len(c.items)), justify="right"),
                Text(c.status_text, no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        table.loading = False
        if self.rows:
            table.move_cursor(row=max(0, min(row, len(self.rows) - 1)))
        self.query_one("#corr-detail", Static).update(
            "Enter — заявка: записи, основание, решение." if self.rows else "Заявок нет."
        )

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        c = self.rows[int(event.row_key.value)]
        answers = []
        if c.can_decide:
            answers += [("approve", "Утвердить"), ("reject", "Отклонить")]
        if c.can_apply:
            answers.append(("apply", "Внести"))
        answers.append(("close", "Закрыть"))
        from zhurnal.tui.widgets.dialogs import QuestionModal

        text = "\n".join(request_lines(c))
        why = [w for w in (c.decide_why_not, c.apply_why_not) if w]
        if len(answers) == 1 and why:
            text += "\n" + why[0]

        def answered(answer: str | None) -> None:
            if answer == "approve":
                self._ask_until(c)
            elif answer == "reject":
                self._ask_note(c)
            elif answer == "apply":
                self._run("apply", c)

        self.app.push_screen(
            QuestionModal(text, answers, title=f"Заявка № {c.id}", cancel="close"), answered
        )

    def _ask_until(self, c: CorrectionView) -> None:
        from zhurnal.tui.widgets.dates import DatesModal

        def chosen(span: tuple[object, object] | None) -> None:
            if span is not None and span[1] is not None:
                self._ask_comment(c, span[1])
            elif span is not None:
                show_refusal(self, "Укажите дату «по»: до какого дня действует разрешение.")

        self.app.push_screen(
            DatesModal(
                self.register.today(),
                None,
                title=f"Заявка № {c.id}: разрешение на исправление",
                labels=("С (дата решения):", "Действует по (ДД.ММ.ГГГГ):"),
            ),
            chosen,
        )

    def _ask_comment(self, c: CorrectionView, until: object) -> None:
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def typed(note: str | None) -> None:
            if note is not None:
                self._run("approve", c, until=until, note=note)

        self.app.push_screen(
            TextPrompt(
                f"Заявка № {c.id}: комментарий к разрешению (можно оставить пустым)",
                "",
                hint="Enter — утвердить, Esc — отмена",
            ),
            typed,
        )

    def _ask_note(self, c: CorrectionView) -> None:
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def typed(note: str | None) -> None:
            if note is not None:
                self._run("reject", c, note=note)

        self.app.push_screen(TextPrompt(f"Заявка № {c.id}: причина отказа", ""), typed)

    @work(thread=True, exit_on_error=False, group="decide")
    def _run(self, what: str, c: CorrectionView, until: object = None, note: str = "") -> None:
        from zhurnal.core.services.corrections import apply_correction, decide_correction

        db = self.register.database()
        try:
            if what == "apply":
                apply_correction(db, self.actor, c.id, expected_version=c.version)
                done = f"Исправления по заявке № {c.id} внесены."
            else:
                decide_correction(
                    db,
                    self.actor,
                    c.id,
                    approve=what == "approve",
                    valid_until=until,  # type: ignore[arg-type]
                    note=note,
                    expected_version=c.version,
                )
                done = f"Заявка № {c.id} {'утверждена' if what == 'approve' else 'отклонена'}."
        except Exception as error:  # noqa: BLE001 - the refusal is shown
            self.app.call_from_thread(show_refusal, self, describe(error))
        else:
            self.app.call_from_thread(self.notify, done, markup=False)
        self.app.call_from_thread(self._reload)

    def action_pending(self) -> None:
        self.pending_only = not self.pending_only
        self._reload()

    def action_back(self) -> None:
        self.dismiss()
