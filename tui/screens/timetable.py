"""«Расписание»: the user's lessons of one day, in bell order.

| Key | Action |
| :- | :- |
| left / [ | previous day |
| right / ] | next day |
| t | today |
| enter | the lesson («Урок»); the day reloads on return |
| k | my class (a class teacher) |
| ctrl+l / l | log out |
| escape | back (opened from the deputy's «Контроль журнала») |

Every cell is a ``rich.text.Text``: topics, rooms and class names are data,
never markup.  A :class:`~zhurnal.tui.sync.ChangeWatcher` reloads the day when
another session changed something.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.i18n import long_date
from zhurnal.tui.screens.base import SignOut
from zhurnal.tui.screens.lesson import LessonScreen
from zhurnal.tui.screens.timetable_drafts import OfferDrafts
from zhurnal.tui.sync import ChangeWatcher
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import LessonView, ProfileView

COMPACT_BELOW = 110
"""Narrower terminals (80×24 over SSH) get short headers, badges and subject names."""
NARROW_BELOW = 80
"""Narrower still (down to 60): no room and topic columns — the line under the table
gives both for the highlighted lesson — so every column is on screen."""
NARROW_DROPS = frozenset({"room", "topic"})
DASH = "—"
TICK = "✓"
# (header, key, width on a wide terminal, width on a narrow one); None = fit the content
COLUMNS = (
    ("№", "number", 2, 2),
    ("Класс", "class", 8, 7),
    ("Предмет", "subject", 20, 12),
    ("Каб.", "room", 8, 7),
    ("Тема", "topic", None, None),
    ("Д/З", "homework", 3, 3),
    ("Посещ.", "attendance", 6, 4),
    ("Отметок", "marks", 7, 4),
    ("Статус", "badges", 20, 11),
)
SHORT_HEADERS = {"attendance": "Пос.", "marks": "Отм."}
SHORT_BADGES = {"замена": "зам.", "просрочено": "срок", "закрыт": "закр."}
TOPIC_MIN = 10
DAY_KEYS = Binding.Group("День", compact=True)
"""← and → share one footer label: «←→ День»."""


def badges(lesson: LessonView) -> list[str]:
    """«замена», «просрочено» (entry deadline passed, something missing), «закрыт»."""
    result = []
    if lesson.substitute:
        result.append("замена")
    if lesson.overdue:
        result.append("просрочено")
    if lesson.locked:
        result.append("закрыт")
    return result


BADGE_STYLES = {"замена": "bold cyan", "просрочено": "bold red", "закрыт": "dim"}


def lesson_cells(lesson: LessonView, compact: bool = False) -> list[Text]:
    klass = lesson.class_title + (f" ({lesson.subgroup})" if lesson.subgroup else "")
    if lesson.forced_homework:
        homework = lesson.forced_homework
    else:
        homework = TICK if lesson.homework else DASH
    marks = Text(str(lesson.marks_count), justify="right")
    status = Text(" " if compact else ", ").join(
        Text(SHORT_BADGES[b] if compact else b, style=BADGE_STYLES[b]) for b in badges(lesson)
    )
    return [
        Text(str(lesson.number), justify="right"),
        Text(klass),
        Text(lesson.subject, no_wrap=True, overflow="ellipsis"),
        Text(lesson.room or DASH),
        Text(lesson.topic or DASH, no_wrap=True, overflow="ellipsis"),
        Text(homework, justify="center"),
        Text(TICK if lesson.attendance_taken_at else DASH, justify="center"),
        marks,
        status,
    ]


class LessonTable(DataTable[Text]):
    """The day's lessons: a row per lesson."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Предыдущий урок", show=False),
        Binding("down", "cursor_down", "Следующий урок", show=False),
        Binding("enter", "select_cursor", "Открыть урок", show=False),
    ]


class TimetableScreen(SignOut, OfferDrafts):
    """The day of the signed-in user: own lessons and substitutions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left,left_square_bracket",
            "previous_day",
            "Пред. день",
            priority=True,
            tooltip="Предыдущий день",
            group=DAY_KEYS,
        ),
        Binding(
            "right,right_square_bracket",
            "next_day",
            "След. день",
            priority=True,
            tooltip="Следующий день",
            group=DAY_KEYS,
        ),
        Binding("shift+left,pageup", "previous_week", "Неделя назад", show=False, priority=True),
        Binding("shift+right,pagedown", "next_week", "Неделя вперёд", show=False, priority=True),
        Binding("t", "today", "Сегодня"),
        Binding("g", "grid", "Журнал"),
        Binding("k", "my_class", "Мой класс", tooltip="Классный руководитель: мой класс"),
        Binding("escape", "back", "Назад"),
        Binding(
            "l,ctrl+l",
            "logout",
            "Выйти",
            tooltip="Выйти из учётной записи (войти под другим логином)",
        ),
    ]
    HELP_TITLE = "Расписание"

    class DayLoaded(Message, bubble=False):
        def __init__(self, day: date, lessons: list[LessonView], counter: int) -> None:
            super().__init__()
            self.day = day
            self.lessons = lessons
            self.counter = counter

    def __init__(self, actor: Actor, day: date, *, nested: bool = False) -> None:
        super().__init__()
        self.actor = actor
        self.day = day
        self.nested = nested
        """Opened from another home screen (the deputy's): Esc goes back, no logout here."""
        self.profile: ProfileView | None = None
        self.lessons: list[LessonView] = []
        self._shown_day: date | None = None
        self._drafts_offered = False
        self.watcher = ChangeWatcher(self, self._reload_day, paused=self._loading)

    def compose(self) -> ComposeResult:
        yield Static("Расписание", classes="screen-title")
        yield Static(Content(self.actor.full_name or self.actor.login), id="who")
        yield Static(Content(long_date(self.day)), id="day")
        yield LessonTable(id="lessons", cursor_type="row", zebra_stripes=True)
        yield Static("Уроков нет", id="empty")
        yield Static("", id="lesson-detail")
        yield RegisterFooter()

    @work(thread=True, exit_on_error=False, group="profile")
    def _load_profile(self) -> None:
        """«Фамилия Имя Отчество — Учитель, классный руководитель 5А» (roles from core)."""
        from zhurnal.core.readmodels import my_profile

        profile = my_profile(self.register.database(), self.actor)
        self.call_later(self._profile_loaded, profile)

    def _profile_loaded(self, profile: ProfileView) -> None:
        self.profile = profile
        who = f"{profile.full_name} — {profile.roles}" if profile.roles else profile.full_name
        self.query_one("#who", Static).update(Content(who))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "my_class":
            return self.profile is not None and bool(self.profile.led_class_ids)
        if action == "back":
            return self.nested
        if action == "logout":
            return not self.nested
        return True

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._add_columns(table)
        self.query_one("#empty").display = False
        table.focus()
        self._show_day(self.day)
        self._load_profile()

    @property
    def compact(self) -> bool:
        return self.size.width < COMPACT_BELOW

    @property
    def _columns(self) -> list[tuple[str, str, int | None, int | None]]:
        narrow = self.size.width < NARROW_BELOW
        return [c for c in COLUMNS if not (narrow and c[1] in NARROW_DROPS)]

    def _add_columns(self, table: DataTable[Text]) -> None:
        compact, columns = self.compact, self._columns
        widths = {key: (narrow if compact else wide) for _, key, wide, narrow in columns}
        others = sum(w for k, w in widths.items() if k != "topic" and w) + 2 * len(columns) + 2
        widths["topic"] = max(TOPIC_MIN, self.size.width - others)
        for label, key, _, _ in columns:
            header = SHORT_HEADERS.get(key, label) if compact else label
            table.add_column(header, key=key, width=widths[key])

    # --- loading -----------------------------------------------------------

    def _show_day(self, day: date) -> None:
        self.day = day
        self.query_one("#day", Static).update(Content(long_date(day)))
        self.query_one(DataTable).loading = True
        self._load(day)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, day: date) -> None:
        from zhurnal.core.readmodels import change_counter, my_lessons

        db = self.register.database()
        counter = change_counter(db)  # read first: a change after it is noticed later
        lessons = my_lessons(db, self.actor, day)
        self.post_message(self.DayLoaded(day, lessons, counter))

    @on(DayLoaded)
    def _day_loaded(self, event: TimetableScreen.DayLoaded) -> None:
        if event.day != self.day:
            return  # the user has moved on; a newer load is running
        if not self._drafts_offered:
            self._drafts_offered = True
            self._find_drafts()
        moments = [x.valid_until for x in event.lessons if x.valid_until is not None]
        self.watcher.start(event.counter, min(moments, default=None))
        self.lessons = event.lessons
        table = self.query_one(DataTable)
        row = table.cursor_row if event.day == self._shown_day else 0
        self._shown_day = event.day
        self._fill_table()
        table.loading = False
        table.display = bool(event.lessons)
        self.query_one("#empty").display = not event.lessons
        self.query_one("#lesson-detail").display = bool(event.lessons)
        if event.lessons:
            table.move_cursor(row=min(row, len(event.lessons) - 1))
            if self.focused is None:  # hiding the table on an empty day dropped the focus
                self.set_focus(table)

    def _fill_table(self) -> None:
        """Columns fitted to the terminal's width, then the day's rows."""
        table = self.query_one(DataTable)
        table.clear(columns=True)  # columns re-fit the day (auto widths never shrink)
        self._add_columns(table)
        shown = [i for i, column in enumerate(COLUMNS) if column in self._columns]
        for lesson in self.lessons:
            cells = lesson_cells(lesson, self.compact)
            table.add_row(*(cells[i] for i in shown), key=str(lesson.id))

    def on_resize(self) -> None:
        if self.lessons:
            row = self.query_one(DataTable).cursor_row
            self._fill_table()
            self.query_one(DataTable).move_cursor(row=row)

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    def _reload_day(self, _: object = None) -> None:
        self._load(self.day)

    def _loading(self) -> bool:
        return any(w.node is self and w.group == "load" and w.is_running for w in self.workers)

    # --- actions -------------------------------------------------------------

    def action_previous_day(self) -> None:
        self._show_day(self.day - timedelta(days=1))

    def action_next_day(self) -> None:
        self._show_day(self.day + timedelta(days=1))

    def action_previous_week(self) -> None:
        self._show_day(self.day - timedelta(days=7))

    def action_next_week(self) -> None:
        self._show_day(self.day + timedelta(days=7))

    def action_today(self) -> None:
        self._show_day(self.register.today())

    @on(DataTable.RowHighlighted)
    def _lesson_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole topic and homework of the highlighted lesson: the table's columns cut
        them at 80 columns; here they wrap."""
        lesson = next((x for x in self.lessons if str(x.id) == event.row_key.value), None)
        detail = self.query_one("#lesson-detail", Static)
        if lesson is None:
            detail.update("")
            return
        homework = lesson.forced_homework or lesson.homework or "не задано"
        room = f"{lesson.room} · " if lesson.room and self.size.width < NARROW_BELOW else ""
        text = Content(f"{room}Тема: {lesson.topic or 'не записана'}\nД/З: {homework}")
        if detail.content != text:
            detail.update(text)

    @on(DataTable.RowSelected)
    def _lesson_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        lesson = LessonScreen(self.actor, int(event.row_key.value))
        self.app.push_screen(lesson, self._reload_day)

    def action_grid(self) -> None:
        """The register page (mark grid) of the highlighted lesson's course."""
        table = self.query_one(DataTable)
        if not self.lessons or table.cursor_row < 0:
            self.notify("Выберите урок.", markup=False)
            return
        from zhurnal.tui.screens.grid import GridScreen

        lesson = self.lessons[min(table.cursor_row, len(self.lessons) - 1)]
        self.app.push_screen(GridScreen(self.actor, lesson.course_id, None), self._reload_day)

    def action_logout(self) -> None:
        self.sign_out("logout")

    def action_back(self) -> None:
        self.dismiss()

    def action_my_class(self) -> None:
        """«Мой класс»: the class this teacher leads (a choice when they lead several)."""
        profile = self.profile
        if profile is None or not profile.led_class_ids:
            return
        from zhurnal.tui.screens.class_home import ClassScreen

        classes = list(zip(profile.led_class_ids, profile.classes_led, strict=True))
        if len(classes) == 1:
            self.app.push_screen(ClassScreen(self.actor, *classes[0]), self._reload_day)
            return
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        def chosen(key: str | None) -> None:
            titles = dict(classes)
            if key and key.isdigit() and int(key) in titles:
                self.app.push_screen(ClassScreen(self.actor, int(key), titles[int(key)]))

        self.app.push_screen(
            ChoiceModal(
                "Мой класс",
                [(str(i), t) for i, t in classes],
                hint="Enter — открыть, Esc — отмена",
                list_id="my-classes",
            ),
            chosen,
        )
