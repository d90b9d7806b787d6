"""F1: the keys of the screen underneath, in Russian.

| Key | Action |
| :- | :- |
| escape / f1 / enter / q | close |
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpModal(ModalScreen[None]):
    """A small list of (keys, what they do) pairs."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,enter,q", "close", "Закрыть")]

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._keys = keys

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self._keys), default=0)
        lines = "\n".join(f"{k.ljust(width)}   {what}" for k, what in self._keys)
        with Vertical(id="help-box"):
            yield Static(Content(f"Клавиши: {self._title}"), classes="form-title")
            yield Static(Content(lines or "Нет клавиш"), id="help-keys")
            yield Static("Esc — закрыть", classes="form-hint")

    def action_close(self) -> None:
        self.dismiss()
