"""A result to read: a heading and its lines (refused rows by line number, lessons kept
as they were, lessons not created because of a clash), scrolled when long.

| Key | Action |
| :- | :- |
| ↑ ↓ | scroll |
| enter | close |
| escape | close |
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class LinesModal(ModalScreen[None]):
    """Shows ``heading`` and ``lines`` (user data: never markup) until closed."""

    HELP_TITLE = "Результат"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Закрыть"),
        Binding("enter", "close", "Закрыть", show=False),
    ]
    DEFAULT_CSS = """
    LinesModal { align: center middle; }
    LinesModal > Vertical {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
        VerticalScroll { height: auto; max-height: 14; }
    }
    """

    def __init__(self, title: str, heading: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text, self.heading, self.lines = title, heading, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="form-title")
            yield Static(Content(self.heading), id="lines-heading")
            with VerticalScroll(id="lines"):
                for line in self.lines:
                    yield Static(Content(line))
            yield Static("Enter или Esc — закрыть", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#lines").focus()

    def action_close(self) -> None:
        self.dismiss(None)
