"""The one modal form of the setup screens (the year, a subject, a class, a course, a
lesson of the timetable, a student's arrival …): a few fields — typed, picked from a list
or a few lines of text — sent to one core call in the form's worker.

| Key | Action |
| :- | :- |
| tab | next field |
| shift+tab | previous field |
| ↑ ↓ | pick in a list |
| enter | next field (done on the last one) |
| ctrl+s | done |
| escape | cancel |

A field may carry a reader (:attr:`FormField.read`: the typed text → a value, raising a
``DomainError`` with a Russian message); ``send(db, values)`` gets the values by field
key (a list gives its choice's value) and makes the core call.  Whatever is refused —
by a reader, by ``send``'s parsing or by the core — is shown in the form, under the
fields; the form stays open with what was typed, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from zhurnal.tui.errors import describe

if TYPE_CHECKING:
    from zhurnal.core.db import Database
    from zhurnal.tui.context import Register


class FormBody(VerticalScroll, can_focus=False):
    """A form's scrolling body: Tab goes from field to field, never to the body itself
    (a field reached by Tab has its text selected, so a key typed into the body's turn
    would have replaced a field's text)."""


FORM_KEYS: tuple[BindingType, ...] = (
    Binding("escape", "cancel", "Отмена"),
    # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
    # field the user meant.
    Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
    Binding("ctrl+s", "done", "Готово", priority=True),
)
"""The keys of a modal form (Esc, Tab, Shift+Tab, Ctrl+S), for every form to share."""


def after_pending_keys(widgets: Iterable[Widget], callback: Callable[[], None]) -> None:
    """Run ``callback`` once each widget has handled the keys already queued for it.

    A priority binding (Ctrl+S, Enter on a form) runs before the focused field has
    processed the characters typed just before it; reading its value at once would miss
    them when SSH delivers keys in a burst.  A character is handled by the field itself;
    a key bound to an action (↓ in a list) bubbles up to the app, which runs the binding:
    so each widget's queue is waited for, then its parents' in turn, up to the app's.
    """
    pending = [node for widget in widgets for node in widget.ancestors_with_self]

    def step() -> None:
        if pending:
            pending.pop(0).call_later(step)
        else:
            callback()

    step()


FORM_HINT = "Ctrl+S — готово, Tab — следующее поле, Esc — отмена"


@dataclass(frozen=True)
class FormField:
    """A field: typed; picked from ``choices`` ((value, label) pairs; ``value`` is the one
    picked at first); or, with ``lines``, a few lines of text."""

    key: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    lines: bool = False
    read: Callable[[str], Any] | None = None
    """The typed text (stripped) → the value sent; None: the text itself."""


Values = dict[str, Any]
Send = Callable[["Database", Values], object]
"""Makes the one core call with the values read (in a worker thread) and returns what the
form returns; raises the refusal as it is."""


class FormModal(ModalScreen[Any]):
    """Returns what ``send`` returned (True for None) once the core accepted it; without
    ``send``, the values read.  None: cancelled."""

    HELP_TITLE = "Форма"
    BINDINGS: ClassVar[list[BindingType]] = list(FORM_KEYS)
    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    FormModal OptionList { height: auto; max-height: 6; }
    FormModal TextArea { height: 9; }
    FormModal #form-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self, title: str, fields: list[FormField], send: Send | None = None, *, note: str = ""
    ) -> None:
        super().__init__()
        self.title_text, self.fields, self.send, self.note = title, fields, send, note

    def compose(self) -> ComposeResult:
        with FormBody():
            yield Static(Content(self.title_text), classes="form-title")
            if self.note:
                yield Static(Content(self.note), classes="form-hint")
            for f in self.fields:
                yield Static(Content(f.label), classes="form-hint")
                wid = f"field-{f.key}"
                if f.choices:
                    options = [Option(Content(label), id=value) for value, label in f.choices]
                    yield OptionList(*options, id=wid, compact=True)
                elif f.lines:
                    yield TextArea(f.value, id=wid, compact=True, placeholder=f.placeholder)
                else:
                    yield Input(f.value, id=wid, placeholder=f.placeholder, compact=True)
            yield Static(FORM_HINT, classes="form-hint")
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        for f in self.fields:
            if f.choices:
                values = [value for value, _ in f.choices]
                at = values.index(f.value) if f.value in values else 0
                self.query_one(f"#field-{f.key}", OptionList).highlighted = at
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}").focus()

    def widgets(self) -> list[Widget]:
        """The fields' widgets, in order."""
        return [self.query_one(f"#field-{f.key}") for f in self.fields]

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _next(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        """Enter: the next field, and done on the last one."""
        widget = event.input if isinstance(event, Input.Submitted) else event.option_list
        if widget is self.widgets()[-1]:
            self.action_done()
        else:
            self.focus_next()

    def action_done(self) -> None:
        after_pending_keys(self.widgets(), self._read)

    def _text(self, f: FormField) -> str:
        widget = self.query_one(f"#field-{f.key}")
        if isinstance(widget, OptionList):
            at = widget.highlighted
            return f.choices[at][0] if at is not None else ""
        if isinstance(widget, TextArea):
            return widget.text
        return cast(Input, widget).value.strip()

    def _read(self) -> None:
        from zhurnal.core.errors import DomainError

        self._error("")
        values: Values = {}
        for f in self.fields:
            text = self._text(f)
            try:
                values[f.key] = f.read(text) if f.read else text
            except DomainError as error:
                self._error(error.message)
                self.query_one(f"#field-{f.key}").focus()
                return
        if self.send is None:
            self.dismiss(values)
        else:
            self._send(self.send, values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="send")
    def _send(self, send: Send, values: Values) -> None:
        try:
            result = send(cast("Register", self.app).database(), values)
        except Exception as error:  # noqa: BLE001 - the refusal is shown in the form
            self.app.call_from_thread(self._error, describe(error))
        else:
            self.app.call_from_thread(self.dismiss, True if result is None else result)

    def _error(self, text: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Content(text))
        if text:  # under the fields: a long form scrolls to it
            error.scroll_visible(animate=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
