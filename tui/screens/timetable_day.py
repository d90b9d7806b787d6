"""«Уроки дня»: one class's lessons on a date, for one-off changes [004 §5
«Заместитель директора»].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| left / [ | previous day |
| right / ] | next day |
| d | another date |
| x | cancel the lesson with a reason / restore a cancelled one |
| s | substitute: another teacher takes the lesson |
| b | give the lesson back to its teacher |
| escape | back |

The substitute fills the lesson and sees it among their own [004 §5 «Учитель»]; a
cancelled lesson leaves the teacher's day and the grid.  Who may, and a clash at that
bell, are decided by the core and shown as given.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from zhurnal.core.rules import fmt_date
from zhurnal.tui.i18n import long_date
from zhurnal.tui.screens.setup_base import Outcome, SetupScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.services.timetable_changes import DayLesson


class DayTable(DataTable[Text]):
    pass


class TimetableDayScreen(SetupScreen):
    """A class's lessons on ``day``: cancel, restore, substitute, give back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,left_square_bracket", "step(-1)", "Пред. день", show=False, priority=True),
        Binding("right,right_square_bracket", "step(1)", "След. день", show=False, priority=True),
        Binding("d", "pick_date", "Дата"),
        Binding("x", "cancel_lesson", "Отмена урока", tooltip="Отменить урок или вернуть"),
        Binding("s", "substitute", "Замена"),
        Binding("b", "give_back", "Вернуть учителю", show=False),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Уроки дня"

    def __init__(self, actor: Actor, class_id: int, title: str, day: date) -> None:
        super().__init__(actor)
        self.class_id, self.title_text, self.day = class_id, title, day
        self.lessons: list[DayLesson] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Уроки дня: {self.title_text}", classes="screen-title", markup=False)
        yield Static("", id="day-date", markup=False)
        yield DayTable(id="day-lessons", cursor_type="row", zebra_stripes=True)
        yield Static(
            "←/→ — день, x — отменить или вернуть урок, s — замена, b — вернуть учителю",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DayTable)
        rest = max(12, self.size.width - 56)
        for header, width in (("№", 2), ("Предмет", rest), ("Учитель", 24), ("Каб.", 6)):
            table.add_column(header, width=width)
        table.add_column("Отметка", width=10)
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.query_one("#day-date", Static).update(long_date(self.day))
        super().reload()

    def fetch(self, db: Database) -> list[DayLesson]:
        from zhurnal.core.services.timetable_changes import day_lessons

        return day_lessons(db, self.actor, self.class_id, self.day)

    def show(self, data: list[DayLesson]) -> None:
        self.lessons = data
        table = self.query_one(DayTable)
        row = table.cursor_row
        table.clear()
        for x in self.lessons:
            style = "dim strike" if x.cancelled else ""
            note = "отменён" if x.cancelled else ("замена" if x.substitute else "")
            table.add_row(
                Text(str(x.number)),
                Text(x.name, style=style, no_wrap=True, overflow="ellipsis"),
                Text(x.teacher, style=style, no_wrap=True, overflow="ellipsis"),
                Text(x.room or "—"),
                Text(note, style="bold" if x.substitute else ""),
            )
        if not self.lessons:
            table.add_row(Text(""), Text("уроков нет", style="dim"), Text(""), Text(""), Text(""))
        elif row >= 0:
            table.move_cursor(row=min(row, len(self.lessons) - 1))

    def _current(self) -> DayLesson | None:
        table = self.query_one(DayTable)
        if not self.lessons or table.cursor_row < 0:
            return None
        return self.lessons[min(table.cursor_row, len(self.lessons) - 1)]

    def action_step(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.reload()

    def action_pick_date(self) -> None:
        self.ask_date("Уроки на дату", fmt_date(self.day), self._show_day)

    def _show_day(self, day: date) -> None:
        self.day = day
        self.reload()

    def _what(self, x: DayLesson) -> str:
        return f"{fmt_date(self.day)}, {x.number}-й урок, {x.name}"

    def action_cancel_lesson(self) -> None:
        x = self._current()
        if x is None:
            return
        actor, what = self.actor, self._what(x)
        if x.cancelled:

            def restore(db: Database) -> Outcome:
                from zhurnal.core.services.timetable_changes import restore_lesson

                restore_lesson(db, actor, x.id)
                return f"Урок возвращён: {what}.", []

            self.run_call(restore)
            return
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def cancel(reason: str) -> None:
            def call(db: Database) -> Outcome:
                from zhurnal.core.services.timetable_changes import cancel_lesson

                cancel_lesson(db, actor, x.id, reason)
                return f"Урок отменён: {what}.", []

            self.run_call(call)

        self.ask(TextPrompt(f"Отменить урок {what}. Причина:"), cancel)

    def action_substitute(self) -> None:
        x = self._current()
        if x is not None:
            self._load_teachers(x)

    @work(thread=True, exit_on_error=False, group="teachers")
    def _load_teachers(self, x: DayLesson) -> None:
        from zhurnal.core.readmodels.timetable_grid import substitute_teachers

        found = substitute_teachers(self.register.database(), self.actor, x.id)
        self.app.call_from_thread(self._offer_teachers, x, found)

    def _offer_teachers(self, x: DayLesson, teachers: tuple[tuple[int, str], ...]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        names = {str(i): name for i, name in teachers}
        self.ask(
            ChoiceModal(
                f"Кто заменяет: {self._what(x)}",
                list(names.items()),
                hint="Enter — назначить замену, Esc — отмена",
                list_id="teachers",
            ),
            lambda key: self._assign(x, int(key), names[key]),
        )

    def _assign(self, x: DayLesson, teacher_id: int | None, name: str) -> None:
        actor, what = self.actor, self._what(x)

        def call(db: Database) -> Outcome:
            from zhurnal.core.services.lessons import assign_substitute

            assign_substitute(db, actor, x.id, teacher_id)
            return f"{what}: ведёт {name}.", []

        self.run_call(call)

    def action_give_back(self) -> None:
        x = self._current()
        if x is None:
            return
        if not x.substitute:
            self.notify("Этот урок ведёт учитель предмета: замены нет.", markup=False)
            return
        self._assign(x, None, "учитель предмета")
