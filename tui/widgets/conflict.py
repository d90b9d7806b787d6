"""«Изменено в другом сеансе»: both versions of a text side by side, the teacher decides.

| Key | Action |
| :- | :- |
| tab / ← → | next / previous answer |
| enter | choose |
| escape | decide later (the typed text stays, nothing is written) |

Answers: ``theirs`` (take the other session's text), ``mine`` (write mine over
it — an explicit choice), ``merge`` (both texts in the field, to edit and save),
``later``.  Texts are data, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

ANSWERS = (
    ("theirs", "Взять их версию"),
    ("mine", "Записать мою"),
    ("merge", "Объединить"),
    ("later", "Позже"),
)


class TextConflictModal(ModalScreen[str]):
    """Both versions of each conflicting field; returns the chosen answer."""

    HELP_TITLE = "Изменено в другом сеансе"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", "Решить позже"),
        Binding("left", "app.focus_previous", "Предыдущий ответ", show=False),
        Binding("right", "app.focus_next", "Следующий ответ", show=False),
    ]
    DEFAULT_CSS = """
    TextConflictModal {
        align: center middle;
        & > VerticalScroll {
            width: 100%; max-width: 78; height: auto; max-height: 100%;
            border: round $warning; background: $panel; padding: 0 1;
        }
        & .conflict-field { text-style: bold; margin-top: 1; }
        & .conflict-theirs, & .conflict-mine {
            height: auto; max-height: 6; border: tall $panel-lighten-2; padding: 0 1;
        }
        & .conflict-mine { border: tall $accent; }
        & Horizontal { height: auto; margin-top: 1; }
        & Button { min-width: 10; margin-right: 1; }
    }
    """

    def __init__(self, headline: str, fields: list[tuple[str, str, str]]) -> None:
        """``fields``: (field name, their text, my text) for each conflicting field."""
        super().__init__()
        self._headline = headline
        self._fields = fields

    def compose(self) -> ComposeResult:
        with VerticalScroll(), Vertical():
            yield Static("Изменено в другом сеансе", classes="form-title")
            yield Static(Content(self._headline), id="conflict-headline")
            for name, theirs, mine in self._fields:
                yield Static(Content(name), classes="conflict-field")
                yield _boxed(theirs, "их версия", "conflict-theirs")
                yield _boxed(mine, "ваша версия", "conflict-mine")
            with Horizontal():
                for key, label in ANSWERS:
                    yield Button(
                        label,
                        id=f"conflict-{key}",
                        variant="primary" if key == "merge" else "default",
                    )

    def on_mount(self) -> None:
        self.query_one("#conflict-merge", Button).focus()

    @on(Button.Pressed)
    def _answered(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("conflict-"))

    def action_later(self) -> None:
        self.dismiss("later")


def _boxed(text: str, title: str, classes: str) -> Static:
    box = Static(Content(text or "(пусто)"), classes=classes)
    box.border_title = title
    return box


def merged(theirs: str, mine: str, separator: str) -> str:
    """Both texts, theirs first; one of them when the other is empty or contains it."""
    if not theirs or mine.find(theirs) >= 0:
        return mine
    if not mine or theirs.find(mine) >= 0:
        return theirs
    return f"{theirs}{separator}{mine}"


__all__ = ["TextConflictModal", "merged"]
