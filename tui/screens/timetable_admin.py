"""«Расписание классов»: a class's week as a grid — bells × Пн–Сб [004 §5
«Заместитель директора»].

| Key | Action |
| :- | :- |
| ← → ↑ ↓ | move over the week |
| pageup / pagedown | previous / next class |
| k | a class from the list |
| n / enter | a new lesson in the cell: subject, room, from a date |
| c | change the cell's lesson from a date: day, lesson, room |
| x | end the cell's lesson from a date |
| d | the week as it is on another date |
| g | create the lessons by the timetable («Создать уроки по расписанию») |
| v | the class's day: cancel a lesson, substitute a teacher |
| escape | back |

A cell shows each lesson of that bell (parallel subgroups one under the other): the
subject's short name and subgroup, then the room and the teacher's initials; the line
under the grid names the highlighted ones in full.  Every decision — a clash naming the
other lesson, held lessons kept by a change — is the core's, shown as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from zhurnal.core.errors import ValidationError
from zhurnal.core.rules import fmt_date
from zhurnal.core.services.clashes import DAY_KEYS, parse_weekday
from zhurnal.tui.screens.setup_base import ClassStepScreen, Outcome, read_date
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.timetable_grid import GridCourse, GridSlot, TimetableWeek
    from zhurnal.tui.widgets.form import Values

DAYS = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб")


def read_number(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,2}", text):
        raise ValidationError(f"Номер урока «{text}»: нужно целое число (по звонкам).")
    return int(text)


def slot_line(slot: GridSlot) -> str:
    until = f" по {fmt_date(slot.valid_to)}" if slot.valid_to else ""
    room = f", каб. {slot.room}" if slot.room else ""
    return (
        f"{DAYS[slot.weekday]} {slot.number}-й: {slot.course.title} — {slot.course.teacher}"
        f"{room}, с {fmt_date(slot.valid_from)}{until}"
    )


class WeekGrid(DataTable[Text]):
    pass


class TimetableAdminScreen(ClassStepScreen):
    """The week of one class, edited slot by slot through the timetable services."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Урок", tooltip="Новый урок в клетке"),
        Binding("c", "change", "Изменить", tooltip="Изменить урок с даты"),
        Binding("x", "end", "Убрать", tooltip="Убрать урок из расписания с даты"),
        Binding("d", "week_date", "На дату", show=False, tooltip="Расписание на другую дату"),
        Binding(
            "g", "generate", "Создать уроки", show=False, tooltip="Создать уроки по расписанию"
        ),
        Binding("v", "day", "День", tooltip="Уроки дня: отмена, замена"),
    ]
    HELP_TITLE = "Расписание классов"

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.week: TimetableWeek | None = None
        self.day: date | None = None  # None: today (inside the year)

    def compose(self) -> ComposeResult:
        yield Static("Расписание классов", classes="screen-title")
        yield Static("", id="week-title", markup=False)
        yield WeekGrid(id="week", cursor_type="cell", show_row_labels=True)
        yield Static("", id="week-cell", markup=False)
        yield Static(
            "g — создать уроки по расписанию, d — неделя на дату, PgUp/PgDn или k — класс",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.query_one(WeekGrid).focus()
        self.reload()

    def fetch(self, db: Database) -> TimetableWeek | None:
        from zhurnal.core.readmodels.timetable_grid import timetable_week

        self.load_classes(db)
        class_id = self.class_id
        return timetable_week(db, self.actor, class_id, self.day) if class_id else None

    def show(self, data: TimetableWeek | None) -> None:
        self.week = week = data
        grid = self.query_one(WeekGrid)
        at = grid.cursor_coordinate
        grid.clear(columns=True)
        if week is None:
            self.query_one("#week-title", Static).update("Классов в текущем учебном году нет.")
            return
        self.class_id = week.class_id
        self.query_one("#week-title", Static).update(
            f"{week.class_title} — неделя на {fmt_date(week.day)}"
        )
        width = max(8, (self.size.width - 10) // 6 - 2)
        for name in DAYS:
            grid.add_column(name, width=width)
        for bell in week.bells:
            cells = [week.at(day, bell.number) for day in range(6)]
            height = 2 * max(1, *(len(c) for c in cells))
            grid.add_row(
                *(self._cell(c) for c in cells),
                height=height,
                key=str(bell.number),
                label=Text(f"{bell.number} {bell.start:%H:%M}", style="bold"),
            )
        grid.move_cursor(row=at.row, column=at.column)
        self._show_cell()

    @staticmethod
    def _cell(slots: tuple[GridSlot, ...]) -> Text:
        lines: list[str] = []
        for s in slots:
            group = f" {s.course.subgroup}" if s.course.subgroup else ""
            lines += [f"{s.course.short}{group}", f"{s.room or '—'} {s.initials}"]
        return Text("\n".join(lines), no_wrap=True, overflow="ellipsis")

    def _place(self) -> tuple[int, int] | None:
        """(weekday, bell number) of the highlighted cell."""
        week = self.week
        grid = self.query_one(WeekGrid)
        if week is None or not week.bells or grid.row_count == 0:
            return None
        row = min(grid.cursor_row, len(week.bells) - 1)
        return grid.cursor_column, week.bells[row].number

    @on(DataTable.CellHighlighted)
    def _show_cell(self) -> None:
        place, week = self._place(), self.week
        text = ""
        if place and week:
            found = week.at(*place)
            text = "; ".join(slot_line(s) for s in found) or (
                f"{DAYS[place[0]]} {place[1]}-й урок: свободно (n — поставить урок)"
            )
        self.query_one("#week-cell", Static).update(Content(text))

    # --- the week's slots --------------------------------------------------------------

    @on(DataTable.CellSelected)
    def _selected(self) -> None:
        self.action_add()

    def action_add(self) -> None:
        place, week = self._place(), self.week
        if place is None or week is None:
            return
        if not week.courses:
            self.notify(f"У {week.class_title} нет предметов: их задают в «Предметы класса».")
            return
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        weekday, number = place
        by_id = {str(c.id): c for c in week.courses}
        options = [(key, f"{c.title} — {c.teacher}") for key, c in by_id.items()]
        where = f"{week.class_title}, {DAYS[weekday]} {number}-й урок"
        self.ask(
            ChoiceModal(f"Предмет: {where}", options, hint="Enter — выбрать, Esc — отмена"),
            lambda key: self._add_form(by_id[key], weekday, number, where),
        )

    def _add_form(self, course: GridCourse, weekday: int, number: int, where: str) -> None:
        week = self.week
        start = week.day if week else self.register.today()
        fields = [
            FormField("room", "Кабинет:", placeholder="12"),
            FormField("start", "Действует с (ДД.ММ.ГГГГ):", fmt_date(start), read=read_date("С")),
            FormField("end", "По (пусто — до конца года):", read=read_date("По", optional=True)),
        ]
        actor = self.actor

        def add(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.timetable import add_slot

            slot = add_slot(
                db, actor, course.id, weekday, number, values["room"], values["start"],
                values["end"],
            )  # fmt: skip
            return f"Урок № {slot.id}: {where}, {course.title}.", []

        self.open_form(f"Новый урок: {where}, {course.title}", fields, add)

    def _with_slot(self, then: Callable[[GridSlot], None]) -> None:
        """The highlighted cell's lesson (asked when parallel subgroups share it)."""
        place, week = self._place(), self.week
        if place is None or week is None:
            return
        found = week.at(*place)
        if not found:
            self.notify("В этой клетке нет урока.", markup=False)
        elif len(found) == 1:
            then(found[0])
        else:
            from zhurnal.tui.widgets.dialogs import ChoiceModal

            by_id = {str(s.id): s for s in found}
            options = [(key, slot_line(s)) for key, s in by_id.items()]
            self.ask(
                ChoiceModal("Какой урок?", options, hint="Enter — выбрать, Esc — отмена"),
                lambda key: then(by_id[key]),
            )

    def _from(self) -> str:
        today = self.register.today()
        return fmt_date(max(today, self.week.day) if self.week else today)

    def action_change(self) -> None:
        self._with_slot(self._change_form)

    def _change_form(self, slot: GridSlot) -> None:
        fields = [
            FormField("start", "С даты (ДД.ММ.ГГГГ):", self._from(), read=read_date("С даты")),
            FormField("day", "День (пн…сб):", DAY_KEYS[slot.weekday], read=parse_weekday),
            FormField("number", "Урок №:", str(slot.number), read=read_number),
            FormField("room", "Кабинет:", slot.room),
        ]
        actor = self.actor

        def change(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.timetable_changes import change_slot

            done = change_slot(
                db, actor, slot.id, from_date=values["start"], weekday=values["day"],
                number=values["number"], room=values["room"], expected_version=slot.version,
            )  # fmt: skip
            new = done.new
            self.day = values["start"]  # the week shown: as changed
            heading = (
                f"С {fmt_date(values['start'])}: {DAYS[new.weekday]} {new.number}-й урок, "
                f"каб. {new.room or '—'}. Уроков убрано: {done.removed}, создано: "
                f"{done.created}."
            )
            lines = [f"Оставлен как был: {k}" for k in done.kept]
            lines += [f"Не создан: {k}" for k in done.not_created]
            return heading, lines

        note = "Прошедшие и заполненные уроки останутся как были; пустые будущие пересоздаются."
        self.open_form(f"Изменить: {slot_line(slot)}", fields, change, note=note)

    def action_end(self) -> None:
        self._with_slot(self._end_form)

    def _end_form(self, slot: GridSlot) -> None:
        fields = [
            FormField("start", "С даты (ДД.ММ.ГГГГ):", self._from(), read=read_date("С даты"))
        ]
        actor = self.actor

        def end(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.slot_end import end_slot

            done = end_slot(db, actor, slot.id, values["start"], slot.version)
            heading = (
                f"{slot.course.title}: урок убран из расписания с "
                f"{fmt_date(values['start'])}. Уроков убрано: {done.removed}."
            )
            return heading, [f"Оставлен как был: {k}" for k in done.kept]

        note = "С этой даты урока нет; проведённые и заполненные уроки останутся."
        self.open_form(f"Убрать: {slot_line(slot)}", fields, end, note=note)

    # --- the date, the lessons, the day -------------------------------------------------

    def action_week_date(self) -> None:
        self.ask_date("Расписание на дату", self._from(), self._show_day)

    def _show_day(self, day: date) -> None:
        self.day = day
        self.reload()

    def action_generate(self) -> None:
        week = self.week
        if week is None:
            return
        from zhurnal.tui.widgets.dates import DatesModal

        start = max(self.register.today(), week.year_start)

        def generate(span: tuple[date | None, date | None]) -> None:
            first, last = span[0] or start, span[1] or week.year_end
            actor = self.actor

            def call(db: Database) -> Outcome:
                from zhurnal.core.services.timetable import generate

                made = generate(db, actor, first, last)
                heading = f"Уроки с {fmt_date(first)} по {fmt_date(last)}: создано {made.created}."
                if made.not_created:
                    heading += f" Не созданы из-за совпадений ({len(made.not_created)}):"
                return heading, list(made.not_created)

            self.run_call(call)

        self.ask(
            DatesModal(
                start,
                week.year_end,
                title="Создать уроки по расписанию всех классов (учебные дни)",
            ),
            generate,
        )

    def action_day(self) -> None:
        week = self.week
        if week is None:
            return
        from zhurnal.tui.screens.timetable_day import TimetableDayScreen

        day = max(self.register.today(), week.year_start)
        self.app.push_screen(TimetableDayScreen(self.actor, week.class_id, week.class_title, day))
