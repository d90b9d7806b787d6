"""A one-line text asked for in a dialog (a comment, a reason).

| Key | Action |
| :- | :- |
| enter | done |
| escape | cancel |
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TextPrompt(ModalScreen[str | None]):
    """Returns the typed text (stripped; may be empty — the service decides), or None."""

    HELP_TITLE = "Ввод текста"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Отмена")]
    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, title: str, value: str = "", *, hint: str = "") -> None:
        super().__init__()
        self._title, self._value = title, value
        self._hint = hint or "Enter — готово, Esc — отмена"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self._title), classes="form-title")
            yield Input(self._value, id="prompt-text", compact=True)
            yield Static(Content(self._hint), classes="form-hint")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
