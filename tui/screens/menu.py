"""Home screens that are a list of tasks: «Контроль журнала» (deputy, director) and
«Классный руководитель» (one class).

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the task |
| t | the timetable (a user who also teaches) |
| l | log out (the screen the user landed on) |

What each task shows comes from core; a task the user may not do is refused there
and the refusal is shown here, never decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from zhurnal.tui.screens.base import SignOut, ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import ClassRef, ProfileView


class MenuScreen(SignOut, ZhurnalScreen):
    """A titled list of tasks; subclasses give ``tasks()`` and ``open_task(id)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Открыть", show=False),
        Binding("t", "timetable", "Расписание"),
        Binding("l,ctrl+l", "logout", "Выйти", tooltip="Выйти из учётной записи"),
    ]
    TITLE_TEXT = ""

    def __init__(self, actor: Actor, *, landing: bool = False) -> None:
        super().__init__()
        self.actor = actor
        self.landing = landing
        """The user landed here after login: Esc does not leave it, `l` logs out."""
        self.profile: ProfileView | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(self.TITLE_TEXT), classes="screen-title", id="menu-title")
        yield Static(Content(self.actor.full_name or self.actor.login), id="who")
        yield OptionList(
            *[Option(Content(label), id=key) for key, label in self.tasks()], id="tasks"
        )
        yield Static("", id="task-hint", classes="form-hint")
        yield RegisterFooter()

    def tasks(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def task_hints(self) -> dict[str, str]:
        return {}

    def open_task(self, key: str) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load_profile()

    @work(thread=True, exit_on_error=False, group="profile")
    def _load_profile(self) -> None:
        from zhurnal.core.readmodels import my_profile

        profile = my_profile(self.register.database(), self.actor)
        self.call_later(self._profile_loaded, profile)

    def _profile_loaded(self, profile: ProfileView) -> None:
        self.profile = profile
        who = f"{profile.full_name} — {profile.roles}" if profile.roles else profile.full_name
        self.query_one("#who", Static).update(Content(who))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "timetable":
            return self.profile is not None and self.profile.teaches
        if action == "logout":
            return self.landing
        return True

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        hint = self.task_hints().get(event.option.id or "", "")
        self.query_one("#task-hint", Static).update(Content(hint))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_task(event.option.id)

    def action_open(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if option.id:
                self.open_task(option.id)

    def action_timetable(self) -> None:
        from zhurnal.tui.screens.timetable import TimetableScreen

        self.app.push_screen(TimetableScreen(self.actor, self.register.today(), nested=True))

    def action_logout(self) -> None:
        self.sign_out("logout")

    # --- shared by the tasks ---------------------------------------------------------

    def pick_class(self, then: Callable[[ClassRef], None]) -> None:
        """Choose one of the classes core lets this user see, then ``then(class)``."""
        self._load_classes(then)

    @work(thread=True, exit_on_error=False, group="classes")
    def _load_classes(self, then: Callable[[ClassRef], None]) -> None:
        from zhurnal.core.readmodels import visible_classes

        classes = visible_classes(self.register.database(), self.actor)
        self.call_later(self._offer_classes, classes, then)

    def _offer_classes(
        self, classes: tuple[ClassRef, ...], then: Callable[[ClassRef], None]
    ) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        if not classes:
            self.notify("Классов нет.", markup=False)
            return
        by_id = {str(k.id): k for k in classes}
        options = [
            (
                str(k.id),
                f"{k.title} — {k.class_teacher or 'кл. рук. не назначен'}, {k.students} уч.",
            )
            for k in classes
        ]

        def chosen(key: str | None) -> None:
            if key in by_id:
                then(by_id[key])

        self.app.push_screen(
            ChoiceModal("Класс", options, hint="Enter — открыть, Esc — отмена", list_id="classes"),
            chosen,
        )
