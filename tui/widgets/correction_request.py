"""«Запросить корректировку»: a locked entry, its new value, the ground and the document
[004 §7.1–7.3].

| Key | Action |
| :- | :- |
| tab | next field |
| ↑ ↓ | the ground (in its list) |
| ctrl+s | send the request to the director |
| escape | cancel |

The dialog only collects what the request says; the service
(:func:`zhurnal.core.services.corrections.request_correction`) decides, and its
refusal is shown here, nothing sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from zhurnal.tui.errors import describe

if TYPE_CHECKING:
    from textual.screen import Screen

    from zhurnal.core.actor import Actor
    from zhurnal.core.services.correction_cells import CellChange
    from zhurnal.tui.context import Register


@dataclass(frozen=True)
class RequestForm:
    """What the user typed: the new value, the ground's code, the document, a reason."""

    new: str
    ground: str
    document_number: str
    document_date: date
    reason: str


class CorrectionRequestModal(ModalScreen[int | None]):
    """Returns the new request's number once the director has it (None: cancelled).

    ``send(form)`` runs in a worker and returns the request's number or raises the
    service's refusal."""

    HELP_TITLE = "Запросить корректировку"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
        # field the user meant.
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("ctrl+s", "send", "Отправить", priority=True),
    ]
    DEFAULT_CSS = """
    CorrectionRequestModal { align: center middle; }
    CorrectionRequestModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    CorrectionRequestModal OptionList { height: auto; max-height: 5; }
    CorrectionRequestModal #request-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self,
        what: str,
        old: str,
        today: date,
        send: Callable[[RequestForm], int],
        *,
        new: str = "",
        value_hint: str = "",
    ) -> None:
        super().__init__()
        self.what, self.old, self.today, self.send = what, old, today, send
        self.new, self.value_hint = new, value_hint

    def compose(self) -> ComposeResult:
        from zhurnal.core.services.corrections import GROUNDS

        with VerticalScroll():
            yield Static(Content(f"Корректировка: {self.what}"), classes="form-title")
            yield Static(
                Content(f"Сейчас: «{self.old or '—'}». Новое значение {self.value_hint}:"),
                classes="form-hint",
            )
            yield Input(self.new, id="request-new", compact=True)
            yield Static("Основание [004 §7.1]:", classes="form-hint")
            yield OptionList(
                *[Option(text, id=code) for code, text in GROUNDS.items()],
                id="request-ground",
                compact=True,
            )
            yield Static("Документ: номер и дата", classes="form-hint")
            yield Input(
                "", id="request-doc", placeholder="№ документа (справка, приказ)", compact=True
            )
            yield Input(f"{self.today:%d.%m.%Y}", id="request-doc-date", compact=True)
            yield Static("Пояснение для директора:", classes="form-hint")
            yield Input("", id="request-reason", compact=True)
            yield Static(
                "Ctrl+S — отправить директору, Tab — следующее поле, Esc — отмена",
                classes="form-hint",
            )
            yield Static("", id="request-error")

    def on_mount(self) -> None:
        self.query_one("#request-ground", OptionList).highlighted = 0
        self.query_one("#request-new", Input).focus()

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    def action_send(self) -> None:
        from zhurnal.tui.widgets.form import after_pending_keys

        after_pending_keys(self.query("Input, OptionList"), self._read)  # keys typed ahead first

    def _read(self) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.rules import parse_date
        from zhurnal.core.services.corrections import GROUNDS

        ground = self.query_one("#request-ground", OptionList).highlighted or 0
        try:
            form = RequestForm(
                self.query_one("#request-new", Input).value.strip(),
                list(GROUNDS)[ground],
                self.query_one("#request-doc", Input).value.strip(),
                parse_date(self.query_one("#request-doc-date", Input).value, "Дата документа"),
                self.query_one("#request-reason", Input).value.strip(),
            )
        except DomainError as error:
            self._error(error.message)
            return
        self._send(form)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _send(self, form: RequestForm) -> None:
        try:
            number = self.send(form)
        except Exception as error:  # noqa: BLE001 - the refusal is shown in the form
            self.app.call_from_thread(self._error, describe(error))
            return
        self.app.call_from_thread(self.dismiss, number)

    def _error(self, text: str) -> None:
        self.query_one("#request-error", Static).update(Content(text))

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_correction(
    screen: Screen[Any],
    register: Register,
    actor: Actor,
    course_id: int,
    what: str,
    old: str,
    change: Callable[[str], CellChange],
    *,
    new: str = "",
    value_hint: str = "",
    sent: Callable[[int], None] | None = None,
) -> None:
    """Open the form for one locked entry of ``course_id``; ``change(new)`` is the cell
    the request lists.  The request goes to the director in the form's worker; the
    screen is told its number (``sent``), else a notice says it."""

    def send(form: RequestForm) -> int:
        from zhurnal.core.services.corrections import request_correction

        return request_correction(
            register.database(),
            actor,
            course_id=course_id,
            ground=form.ground,
            document_number=form.document_number,
            document_date=form.document_date,
            reason=form.reason,
            cells=[change(form.new)],
        ).id

    def answered(number: int | None) -> None:
        if number is None:
            return
        screen.notify(f"Заявка на исправление № {number} отправлена директору.", markup=False)
        if sent is not None:
            sent(number)

    screen.app.push_screen(
        CorrectionRequestModal(what, old, register.today(), send, new=new, value_hint=value_hint),
        answered,
    )
