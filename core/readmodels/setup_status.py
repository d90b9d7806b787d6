"""What a school still lacks before a teacher can enter a mark, and who may set it up.

``setup_status`` is the administrator's first-login checklist [004 §5 «Администратор»]:
the steps in the order a school is set up — the year, its periods, the bells, users,
subjects, classes, the class lists, the courses (who teaches what), the timetable, the
lessons made from it — each done or not, with what is missing in words, and the task
(a setup screen) that does it.  The school is ready when every step is done: a teacher
with a course has lessons to open and mark.

``setup_tasks`` says which setup tasks a user may open, from the same role sets the
services check (``core.services.school``): the year, classes, courses and the
timetable are the administrator's and the deputy's, the class lists the secretary's and
the administrator's [004 §5], users the administrator's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from zhurnal.core.access import CONTINGENT_ROLES, SETUP_ROLES
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.models import (
    Bell,
    Course,
    Enrolment,
    Lesson,
    Period,
    SchoolClass,
    SchoolYear,
    Subject,
    TimetableSlot,
    User,
)

TASKS_BY_ROLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("checklist", ("admin",)),
    ("users", ("admin",)),
    ("logins", ("admin",)),
    ("year", SETUP_ROLES),
    ("classes", SETUP_ROLES),
    ("courses", SETUP_ROLES),
    ("timetable", SETUP_ROLES),
    ("plans", SETUP_ROLES),
    ("contingent", CONTINGENT_ROLES),
    ("rollover", ("admin", "director")),
)
"""Every setup task in menu order, with the roles that may open it."""


def setup_tasks(actor: Actor) -> tuple[str, ...]:
    """The setup tasks ``actor`` may open, in menu order (empty: none)."""
    return tuple(key for key, roles in TASKS_BY_ROLE if actor.has(*roles))


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    done: bool
    detail: str
    """What there is, or what is missing and how to add it."""
    task: str
    """The setup task (screen) that does this step."""


@dataclass(frozen=True)
class SetupStatus:
    year: str
    """The current year's name, "" when there is none."""
    steps: tuple[SetupStep, ...]

    @property
    def ready(self) -> bool:
        """Every step done: a teacher can open a lesson and enter a mark."""
        return all(s.done for s in self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((s for s in self.steps if not s.done), None)


def _rows(session: Session, entity: type, *where: object) -> int:
    query = select(func.count()).select_from(entity)
    if where:
        query = query.where(*where)  # type: ignore[arg-type]
    return int(session.exec(query).one() or 0)


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {one}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {few}"
    return f"{n} {many}"


TERMS_IN_YEAR = {"quarters": 4, "halves": 2}
TERM_NAMES = {"quarters": "четверти", "halves": "полугодия"}


def _terms_step(terms: dict[str, int], schemes_used: set[str]) -> SetupStep:
    """The year is cut into all its quarters (or half-years) for every scheme its classes
    use (before there are classes: for one scheme at least)."""
    complete = {k for k, n in terms.items() if n >= TERMS_IN_YEAR[k]}
    done = schemes_used <= complete if schemes_used else bool(complete)
    shown = [k for k in TERMS_IN_YEAR if terms[k] or k in schemes_used]
    detail = "; ".join(f"{TERM_NAMES[k]}: {terms[k]} из {TERMS_IN_YEAR[k]}" for k in shown)
    if not shown:
        detail = "Нет ни одной четверти или полугодия: уроки не на что ставить."
    elif not done:
        detail = f"Не весь год разбит на периоды — {detail}."
    else:
        detail = detail[:1].upper() + detail[1:] + "."
    return SetupStep("periods", "Четверти и полугодия", done, detail, "year")


def setup_status(db: Database) -> SetupStatus:
    """The checklist of the current year's setup (see the module's docstring)."""
    with db.read() as s:
        year = s.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712
        y = year.id if year is not None else -1
        terms = {
            scheme: _rows(s, Period, Period.year_id == y, Period.scheme == scheme,
                          Period.kind == kind)
            for scheme, kind in (("quarters", "quarter"), ("halves", "half"))
        }  # fmt: skip
        schemes_used = set(
            s.exec(select(SchoolClass.period_scheme).where(SchoolClass.year_id == y)).all()
        )
        bells = _rows(s, Bell)
        active = s.exec(select(User.roles).where(User.active == True)).all()  # noqa: E712
        teachers = sum(1 for roles in active if "teacher" in roles.split(","))
        subjects = _rows(s, Subject)
        class_ids = select(SchoolClass.id).where(SchoolClass.year_id == y)
        classes = _rows(s, SchoolClass, SchoolClass.year_id == y)
        pupils = s.exec(
            select(func.count(func.distinct(Enrolment.student_id))).where(
                col(Enrolment.class_id).in_(class_ids)
            )
        ).one()
        course_ids = select(Course.id).where(col(Course.class_id).in_(class_ids))
        courses = _rows(s, Course, col(Course.class_id).in_(class_ids))
        slots = _rows(s, TimetableSlot, col(TimetableSlot.course_id).in_(course_ids))
        lessons = _rows(s, Lesson, col(Lesson.course_id).in_(course_ids))
    name = year.name if year is not None else ""
    steps = (
        SetupStep(
            "year",
            "Учебный год",
            year is not None,
            f"Текущий учебный год: {name}." if year else "Не задан: создайте учебный год.",
            "year",
        ),
        _terms_step(terms, schemes_used),
        SetupStep(
            "bells",
            "Расписание звонков",
            bells > 0,
            f"Уроков в день: {bells}." if bells else "Звонки не заданы.",
            "year",
        ),
        SetupStep(
            "users",
            "Учителя",
            teachers > 0,
            f"Учителей с доступом: {teachers}."
            if teachers
            else "Нет ни одного учителя: создайте пользователей с ролью «Учитель».",
            "users",
        ),
        SetupStep(
            "subjects",
            "Предметы",
            subjects > 0,
            f"Предметов: {subjects}." if subjects else "Предметы не заведены.",
            "classes",
        ),
        SetupStep(
            "classes",
            "Классы",
            classes > 0,
            f"Классов: {classes}." if classes else "Классы этого года не заведены.",
            "classes",
        ),
        SetupStep(
            "students",
            "Списки классов",
            pupils > 0,
            f"В списках {_plural(pupils, 'ученик', 'ученика', 'учеников')}."
            if pupils
            else "Списки классов пусты: загрузите их из файла или внесите учеников.",
            "contingent",
        ),
        SetupStep(
            "courses",
            "Предметы классов и учителя",
            courses > 0,
            f"Предметов в классах: {courses}."
            if courses
            else "Не указано, кто какой предмет ведёт в каком классе.",
            "courses",
        ),
        SetupStep(
            "timetable",
            "Расписание уроков",
            slots > 0,
            f"Уроков в неделю: {slots}." if slots else "Недельное расписание пусто.",
            "timetable",
        ),
        SetupStep(
            "lessons",
            "Уроки в журнале",
            lessons > 0,
            f"Уроков в журнале: {lessons}."
            if lessons
            else "Уроки по расписанию ещё не созданы: учителю нечего открыть.",
            "timetable",
        ),
    )
    return SetupStatus(name, steps)
