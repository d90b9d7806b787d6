"""A short form of the year setup (a subject, a class, a course, a teacher from a date):
fields typed or picked from a list, sent to the core from the form itself.

| Key | Action |
| :- | :- |
| tab | next field |
| shift+tab | previous field |
| ↑ ↓ | pick in a list |
| ctrl+s | done |
| escape | cancel |

``send(values)`` runs in a worker with the typed and picked values (by field key; a
list gives its option's id) and returns the text to tell the user; a refusal of the
core (or of the parsing in ``send``) is shown in the form, which stays open with what
was typed — nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

    from zhurnal.core.db import Database


@dataclass(frozen=True)
class FormField:
    """A field: typed (``choices`` empty) or picked from ``choices`` ((id, label) pairs);
    ``value`` is the text typed at first or the id picked at first."""

    key: str
    label: str
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""


class SetupFormModal(ModalScreen[str | None]):
    """Returns the text ``send`` returned (None: cancelled)."""

    HELP_TITLE = "Форма"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("ctrl+s", "done", "Готово", priority=True),
    ]
    DEFAULT_CSS = """
    SetupFormModal { align: center middle; }
    SetupFormModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    SetupFormModal OptionList { height: auto; max-height: 6; }
    SetupFormModal #form-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        send: Callable[[dict[str, str]], str],
        *,
        hint: str = "",
    ) -> None:
        super().__init__()
        self.title_text, self.fields, self.send, self.hint = title, fields, send, hint

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content(self.title_text), classes="form-title")
            if self.hint:
                yield Static(Content(self.hint), classes="form-hint")
            for f in self.fields:
                yield Static(Content(f.label), classes="form-hint")
                if f.choices:
                    yield OptionList(
                        *[Option(Content(label), id=key) for key, label in f.choices],
                        id=f"field-{f.key}",
                        compact=True,
                    )
                else:
                    yield Input(
                        f.value, id=f"field-{f.key}", placeholder=f.placeholder, compact=True
                    )
            yield Static("Ctrl+S — готово, Tab — следующее поле, Esc — отмена", classes="form-hint")
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        for f in self.fields:
            if f.choices:
                keys = [key for key, _ in f.choices]
                at = keys.index(f.value) if f.value in keys else 0
                self.query_one(f"#field-{f.key}", OptionList).highlighted = at
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}").focus()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _next(self) -> None:
        self.focus_next()

    def values(self) -> dict[str, str]:
        """What is typed and picked now, by field key."""
        result: dict[str, str] = {}
        for f in self.fields:
            if f.choices:
                at = self.query_one(f"#field-{f.key}", OptionList).highlighted
                result[f.key] = f.choices[at][0] if at is not None else ""
            else:
                result[f.key] = self.query_one(f"#field-{f.key}", Input).value.strip()
        return result

    def action_done(self) -> None:
        from zhurnal.tui.widgets.fields_form import after_keys

        fields = [self.query_one(f"#field-{f.key}") for f in self.fields]
        after_keys(fields, lambda: self._send(self.values()))  # keys typed ahead first

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _send(self, values: dict[str, str]) -> None:
        try:
            shown = self.send(values)
        except Exception as error:  # noqa: BLE001 - the refusal is shown in the form
            self.app.call_from_thread(self._error, describe(error))
            return
        self.app.call_from_thread(self.dismiss, shown)

    def _error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(Content(text))

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_setup(
    screen: Screen[Any],
    database: Callable[[], Database],
    title: str,
    fields: list[FormField],
    call: Callable[[Database, dict[str, str]], str],
    after: Callable[[], None],
    *,
    hint: str = "",
) -> None:
    """Open the form over ``screen``; ``call(db, values)`` runs in the form's worker and
    returns what to tell the user, who is told it once the form closes; then ``after``
    (a reload)."""

    def send(values: dict[str, str]) -> str:
        return call(database(), values)

    def done(shown: str | None) -> None:
        if shown:
            screen.notify(shown, markup=False)
            after()

    screen.app.push_screen(SetupFormModal(title, fields, send, hint=hint), done)
