"""«Настройка школы»: what the school still lacks before a teacher can enter a mark,
step by step, each leading to its screen [004 §5 «Администратор»].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the step's screen |
| escape | back |

The steps and whether each is done come from core (``setup_status``); the list is read
again whenever the user comes back from a step's screen, and the cursor moves on to the
first step still open when the one it was on is done now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels.setup_status import SetupStatus


def step_line(done: bool, title: str, detail: str) -> Text:
    line = Text("✓ " if done else "• ", style="green" if done else "bold")
    line.append(title, style="" if done else "bold")
    line.append(f" — {detail}", style="dim" if done else "")
    return line


def _just_done(before: SetupStatus | None, now: SetupStatus, at: int | None) -> bool:
    """Whether the cursor should move on to the first step still open: on the first show,
    and when the highlighted step was open and is done now (the user comes back from
    doing it) — a done step the user went back to keeps the cursor."""
    if at is None or before is None or at >= len(now.steps) or at >= len(before.steps):
        return True
    return now.steps[at].done and not before.steps[at].done


class ChecklistScreen(ZhurnalScreen):
    """The setup steps in order; Enter opens the screen that does the highlighted one."""

    HELP_TITLE = "Настройка школы"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Открыть", show=False),
        Binding("escape", "back", "Назад"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, status: SetupStatus) -> None:
            super().__init__()
            self.status = status

    def __init__(
        self,
        actor: Actor,
        open_task: Callable[[str], None],
        status: SetupStatus | None = None,
    ) -> None:
        super().__init__()
        self.actor = actor
        self.open_task = open_task
        self.status = status

    def compose(self) -> ComposeResult:
        yield Static("Настройка школы", classes="screen-title")
        yield Static("", id="setup-summary", markup=False)
        yield OptionList(id="steps")
        yield Static(
            "Enter — открыть шаг; после него список обновится.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.status is not None:
            self._show(self.status)

    def on_screen_resume(self) -> None:
        """On the first show and on every return from a step's screen: read it again."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from zhurnal.core.readmodels.setup_status import setup_status

        self.post_message(self.Loaded(setup_status(self.register.database())))

    @on(Loaded)
    def _loaded(self, event: ChecklistScreen.Loaded) -> None:
        self._show(event.status)

    def _show(self, status: SetupStatus) -> None:
        before, self.status = self.status, status
        left = sum(1 for s in status.steps if not s.done)
        summary = (
            "Школа готова: учитель может открыть урок и поставить отметку."
            if status.ready
            else f"Чтобы учитель мог поставить первую отметку, осталось шагов: {left} "
            f"из {len(status.steps)}."
        )
        self.query_one("#setup-summary", Static).update(Content(summary))
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(step_line(s.done, s.title, s.detail), id=s.key) for s in status.steps]
        )
        first_open = next((i for i, s in enumerate(status.steps) if not s.done), 0)
        options.highlighted = first_open if _just_done(before, status, keep) else keep

    def action_open(self) -> None:
        options = self.query_one(OptionList)
        if self.status is None or options.highlighted is None:
            return
        self.open_task(self.status.steps[options.highlighted].task)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        self.dismiss()
