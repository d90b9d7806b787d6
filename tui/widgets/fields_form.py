"""A small form of labelled one-line fields (a room and a date, an order number…).

| Key | Action |
| :- | :- |
| tab | next field |
| shift+tab | previous field |
| ctrl+s | done |
| escape | cancel |

Each field may carry a reader (``Field.read``: the typed text → a value, raising a
``DomainError`` with a Russian message); a field it refuses is named under the form
and the form stays open.  The values go back by key; the decisions are the service's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from zhurnal.core.errors import DomainError

if TYPE_CHECKING:
    from textual.widget import Widget

FORM_KEYS: tuple[BindingType, ...] = (
    Binding("escape", "cancel", "Отмена"),
    # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
    # field the user meant.
    Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
    Binding("ctrl+s", "done", "Готово", priority=True),
)
"""The keys of a modal form (Esc, Tab, Shift+Tab, Ctrl+S), for every form to share."""


def after_keys(widgets: Iterable[Widget], then: Callable[[], object]) -> None:
    """Run ``then`` once each of ``widgets`` has handled the keys already queued for it.

    A priority binding (Ctrl+S, Enter on a form) runs before the focused field has
    handled the keys typed just before it: reading the fields at once would miss them
    when SSH delivers the keys in a burst.  A character is handled by the field itself;
    a key bound to an action (↓ in a list) bubbles up to the app, which runs the binding:
    so each widget's queue is waited for, then its parents' in turn, up to the app's."""
    pending = [node for widget in widgets for node in widget.ancestors_with_self]

    def step() -> None:
        if pending:
            pending.pop(0).call_later(step)
        else:
            then()

    step()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str = ""
    placeholder: str = ""
    read: Callable[[str], Any] | None = None
    """The typed text (stripped) → the value returned; None: the text itself."""


class FieldsModal(ModalScreen[dict[str, Any] | None]):
    """Returns {key: value} of every field, or None when cancelled."""

    HELP_TITLE = "Форма"
    BINDINGS: ClassVar[list[BindingType]] = list(FORM_KEYS)
    DEFAULT_CSS = """
    FieldsModal { align: center middle; }
    FieldsModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
        #fields-error { color: $error; text-style: bold; height: auto; }
    }
    """

    def __init__(self, title: str, fields: list[Field], *, note: str = "") -> None:
        super().__init__()
        self.title_text, self.fields, self.note = title, fields, note

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content(self.title_text), classes="form-title")
            if self.note:
                yield Static(Content(self.note), classes="form-hint")
            for field in self.fields:
                yield Static(Content(field.label), classes="form-hint")
                yield Input(
                    field.value,
                    id=f"field-{field.key}",
                    placeholder=field.placeholder,
                    compact=True,
                )
            yield Static("Ctrl+S — готово, Tab — следующее поле, Esc — отмена", classes="form-hint")
            yield Static("", id="fields-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the next field, and done on the last one."""
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_done()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    def action_done(self) -> None:
        self.after_typed(self._read)

    def after_typed(self, then: Callable[[], None]) -> None:
        """Read the fields once the keys typed ahead have reached them (Ctrl+S is a
        priority binding and may overtake a burst of typing over SSH)."""
        after_keys(self.query(Input), then)

    def _read(self) -> None:
        values: dict[str, Any] = {}
        for field in self.fields:
            box = self.query_one(f"#field-{field.key}", Input)
            text = box.value.strip()
            try:
                values[field.key] = field.read(text) if field.read else text
            except DomainError as error:
                self.query_one("#fields-error", Static).update(Content(error.message))
                box.focus()
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
