"""«Предметы классов и нагрузка»: a class's courses — subject, subgroup, teacher, hours —
and the teachers' load [004 §5 «Заместитель директора»: «заполняет подсистему «Учебный
процесс» в соответствии с учебным планом школы и нагрузкой учителей»].

| Key | Action |
| :- | :- |
| c | another class |
| n | add a subject to the class (a subgroup: «1 гр.», «2 гр.») |
| t | another teacher from a date (the lessons not yet held pass to them) |
| h | hours a week |
| d | remove a course set up by mistake (no lessons yet) |
| g | the subject's subgroups: which pupil is in which group |
| l | the teachers' load (saved with `e` as XLSX or PDF) |
| escape | back |

Under the table: a pupil's hours a week against the ceiling of the grade (СанПиН; the
register keeps no curriculum of its own, see ``core.readmodels.load``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from zhurnal.core.readmodels.audit_text import short_name
from zhurnal.core.reports.load import hours_text
from zhurnal.tui.screens.classes import Catalog, load_catalog, teacher_choices
from zhurnal.tui.screens.setup_base import Outcome, SetupScreen
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.reports.table import Report
    from zhurnal.core.services.courses import ClassCourses, CourseRow
    from zhurnal.tui.widgets.form import Values


@dataclass(frozen=True)
class Page:
    catalog: Catalog
    courses: ClassCourses | None


def class_load_line(courses: ClassCourses) -> str:
    from zhurnal.core.readmodels.load import SANPIN_WEEKLY_MAX, pupil_week

    week = pupil_week([(r.subject_id, r.subgroup, r.hours_per_week) for r in courses.rows])
    limit = SANPIN_WEEKLY_MAX.get(courses.grade, 0)
    verdict = f"сверх предела на {hours_text(week - limit)} ч!" if week > limit else "в пределе."
    return (
        f"У ученика {courses.title} {hours_text(week)} ч в неделю: предел СанПиН для "
        f"{courses.grade} класса — {limit} ч, {verdict} Учебных недель: {courses.weeks}."
    )


class CoursesTable(DataTable[Text]):
    pass


class CoursesScreen(SetupScreen):
    """The courses of one class of the year, with the keys that change them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "pick_class", "Класс"),
        Binding("n", "new", "Добавить"),
        Binding("t", "teacher", "Учитель", show=False),
        Binding("h", "hours", "Часы", show=False),
        Binding("d", "remove", "Удалить", show=False),
        Binding("g", "subgroups", "Подгруппы"),
        Binding("l", "load", "Нагрузка"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Предметы классов и нагрузка"
    DEFAULT_CSS = """
    CoursesScreen #courses-class { padding: 0 1; }
    CoursesScreen CoursesTable { height: 1fr; }
    """

    def __init__(self, actor: Actor, class_id: int | None = None) -> None:
        super().__init__(actor)
        self.class_id = class_id
        self.page = Page(Catalog(None, (), (), ()), None)

    def compose(self) -> ComposeResult:
        yield Static("Предметы классов и нагрузка", classes="screen-title")
        yield Static("", id="courses-class")
        yield CoursesTable(id="courses", cursor_type="row", zebra_stripes=True)
        yield Static("", id="courses-load", classes="form-hint")
        yield Static(
            "t — другой учитель с даты, h — часы в неделю, d — удалить ошибочно добавленный.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(CoursesTable)
        rest = max(16, self.size.width - 34 - 20)
        for header, width in (
            ("Предмет", rest),
            ("Учитель", 20),
            ("Ч/нед", 5),
            ("Ч/год", 5),
            ("КТП", 4),
        ):
            table.add_column(header, width=width)
        table.focus()
        self.reload()

    def fetch(self, db: Database) -> Page:
        from zhurnal.core.services.courses import class_course_rows

        catalog = load_catalog(db, self.actor)
        ids = [k.id for k in catalog.classes]
        class_id = self.class_id if self.class_id in ids else (ids[0] if ids else None)
        courses = class_course_rows(db, self.actor, class_id) if class_id else None
        return Page(catalog, courses)

    def show(self, data: Page) -> None:
        self.page = page = data
        courses = page.courses
        self.class_id = courses.class_id if courses else None
        table = self.query_one(CoursesTable)
        row = table.cursor_row
        table.clear()
        if courses is None:
            self.query_one("#courses-class", Static).update("Классов в учебном году пока нет.")
            self.query_one("#courses-load", Static).update("")
            return
        klass = next(k for k in page.catalog.classes if k.id == courses.class_id)
        lead = klass.class_teacher or "не назначен"
        self.query_one("#courses-class", Static).update(
            Content(f"Класс {klass.title} ({klass.scheme_name}), кл. руководитель: {lead}")
        )
        for n, r in enumerate(courses.rows):
            table.add_row(
                Text(r.title, no_wrap=True, overflow="ellipsis"),
                Text(short_name(r.teacher), no_wrap=True, overflow="ellipsis"),
                Text(hours_text(r.hours_per_week), justify="right"),
                Text(str(r.yearly_hours), justify="right"),
                Text(str(r.plan_hours or "—"), justify="right"),
                key=str(n),
            )
        if courses.rows:
            table.move_cursor(row=max(0, min(row, len(courses.rows) - 1)))
        self.query_one("#courses-load", Static).update(Content(class_load_line(courses)))

    def _current(self) -> CourseRow | None:
        courses = self.page.courses
        if courses is None or not courses.rows:
            return None
        table = self.query_one(CoursesTable)
        return courses.rows[min(max(table.cursor_row, 0), len(courses.rows) - 1)]

    # --- actions ----------------------------------------------------------------------

    def action_pick_class(self) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        classes = self.page.catalog.classes
        if not classes:
            return

        def chosen(key: str | None) -> None:
            if key:
                self.class_id = int(key)
                self.reload()

        options = [
            (str(k.id), f"{k.title} — {k.class_teacher or 'без кл. руководителя'}") for k in classes
        ]
        self.app.push_screen(
            ChoiceModal(
                "Класс",
                options,
                hint="Enter — выбрать, Esc — отмена",
                selected=str(self.class_id),
            ),
            chosen,
        )

    def action_new(self) -> None:
        courses, catalog, actor = self.page.courses, self.page.catalog, self.actor
        if courses is None:
            return
        if not catalog.subjects or not catalog.teachers:
            self.notify(
                "Сначала нужны предметы («Классы и предметы») и учителя («Пользователи»).",
                severity="error",
                markup=False,
            )
            return

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.services.school import create_course, parse_hours

            create_course(
                db,
                actor,
                courses.class_id,
                int(v["subject"]),
                int(v["teacher"]),
                v["subgroup"],
                parse_hours(v["hours"]),
            )
            return f"{courses.title}: предмет добавлен.", []

        fields = [
            FormField(
                "subject", "Предмет:", choices=tuple((str(s.id), s.name) for s in catalog.subjects)
            ),
            FormField("subgroup", "Подгруппа (пусто — весь класс):", placeholder="1 гр."),
            FormField("teacher", "Учитель:", choices=teacher_choices(catalog.teachers)),
            FormField("hours", "Часов в неделю:", "1"),
        ]
        self.open_form(f"Новый предмет класса {courses.title}", fields, call)

    def action_teacher(self) -> None:
        course, actor = self._current(), self.actor
        if course is None:
            return
        today = self.register.today()

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.rules import parse_date
            from zhurnal.core.services.courses import change_course_teacher

            change = change_course_teacher(
                db,
                actor,
                course.id,
                int(v["teacher"]),
                parse_date(v["from"], "С даты"),
                expected_version=course.version,
            )
            kept = f"; оставлены как были: {len(change.kept)}" if change.kept else ""
            return f"{course.title}: новый учитель; уроков передано: {change.moved}{kept}.", []

        fields = [
            FormField(
                "teacher",
                "Новый учитель:",
                str(course.teacher_id),
                choices=teacher_choices(self.page.catalog.teachers),
            ),
            FormField("from", "С даты (уроки, которые ещё не проведены):", f"{today:%d.%m.%Y}"),
        ]
        self.open_form(f"Учитель: {course.title}", fields, call)

    def action_hours(self) -> None:
        course, actor = self._current(), self.actor
        if course is None:
            return

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.services.courses import set_course_hours
            from zhurnal.core.services.school import parse_hours

            hours = parse_hours(v["hours"])
            set_course_hours(db, actor, course.id, hours, expected_version=course.version)
            return f"{course.title}: {hours_text(hours)} ч в неделю.", []

        fields = [FormField("hours", "Часов в неделю:", hours_text(course.hours_per_week))]
        self.open_form(f"Часы: {course.title}", fields, call)

    def action_remove(self) -> None:
        course, actor = self._current(), self.actor
        if course is None:
            return
        from zhurnal.tui.widgets.dialogs import QuestionModal

        def remove(db: Database) -> None:
            from zhurnal.core.services.courses import remove_course

            remove_course(db, actor, course.id, course.version)

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.run_call(remove)

        question = f"Удалить {course.title} ({course.teacher}) из предметов класса?"
        self.app.push_screen(
            QuestionModal(question, [("yes", "Удалить"), ("no", "Отмена")], title="Удаление"),
            answered,
        )

    def action_subgroups(self) -> None:
        course, courses = self._current(), self.page.courses
        if course is None or courses is None:
            return
        from zhurnal.tui.screens.subgroups import SubgroupsScreen

        screen = SubgroupsScreen(self.actor, courses.class_id, course.subject_id)
        self.app.push_screen(screen, lambda _: self.reload())

    def action_load(self) -> None:
        actor = self.actor
        from zhurnal.tui.screens.report_view import ReportScreen

        def load(db: Database) -> Report:
            from zhurnal.core.readmodels.load import school_load
            from zhurnal.core.reports.load import load_report

            return load_report(school_load(db, actor))

        self.app.push_screen(ReportScreen("Нагрузка учителей", load))
