"""Small modal dialogs shared by the screens: questions, a choice list, a work-type picker."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option


class QuestionModal(ModalScreen[str]):
    """A question with a few answers as buttons; returns the chosen answer's id.

    Escape answers ``cancel`` (the last answer by default: «Остаться», «Отмена»).

    | Key | Action |
    | :- | :- |
    | tab / ← → | next / previous answer |
    | enter | choose |
    | escape | the cancelling answer |
    """

    HELP_TITLE = "Вопрос"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        Binding("left", "app.focus_previous", "Предыдущий ответ", show=False),
        Binding("right", "app.focus_next", "Следующий ответ", show=False),
    ]

    def __init__(
        self,
        question: str,
        answers: list[tuple[str, str]],
        *,
        focus: str | None = None,
        cancel: str | None = None,
        title: str = "",
    ) -> None:
        super().__init__()
        self._question, self._answers, self._title = question, answers, title
        self._cancel = cancel or answers[-1][0]
        self._focus = focus or self._cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self._title:
                yield Static(Content(self._title), classes="form-title")
            yield Static(Content(self._question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                for key, label in self._answers:
                    yield Button(
                        label,
                        id=f"answer-{key}",
                        variant="primary" if key == self._focus else "default",
                    )

    def on_mount(self) -> None:
        self.query_one(f"#answer-{self._focus}", Button).focus()

    @on(Button.Pressed)
    def _answered(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("answer-"))

    def action_cancel(self) -> None:
        self.dismiss(self._cancel)


class ChoiceModal(ModalScreen[str | None]):
    """Pick one of a few options (its id is returned); Escape cancels (None).

    | Key | Action |
    | :- | :- |
    | ↑ ↓ | move |
    | enter | choose |
    | escape | cancel |
    """

    HELP_TITLE = "Выбор"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Отмена")]
    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ChoiceModal OptionList { height: auto; max-height: 12; }
    """

    def __init__(
        self,
        title: str,
        options: list[tuple[str, str]],
        *,
        hint: str,
        selected: str | None = None,
        list_id: str = "choice",
    ) -> None:
        super().__init__()
        self._title, self._options, self._hint = title, options, hint
        self._selected, self._list_id = selected, list_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self._title), classes="form-title")
            yield OptionList(
                *[Option(Content(label), id=key) for key, label in self._options], id=self._list_id
            )
            yield Static(self._hint, classes="form-hint", markup=False)

    def on_mount(self) -> None:
        keys = [key for key, _ in self._options]
        if self._selected in keys:
            self.query_one(OptionList).highlighted = keys.index(self._selected)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WorkTypeModal(ChoiceModal):
    """Pick one of the school's work types (its code is returned)."""

    def __init__(self, title: str, choices: list[tuple[str, str, float]]) -> None:
        super().__init__(
            title,
            [(code, f"{name} (вес {weight:g})") for code, name, weight in choices],
            hint="Enter — добавить, Esc — отмена",
            list_id="work-type-choice",
        )
