"""A class's week as the timetable screen shows it: bells × Monday–Saturday.

- ``setup_classes``: the classes of the current year for the timetable and the
  contingent (the administrator, the deputy, the director and the secretary);
- ``timetable_week``: the slots of one class valid on a day, with the bells, the
  class's courses (to add a slot) and the current year's dates (to create lessons);
- ``substitute_teachers``: who may take a lesson instead of its teacher (active users
  with the teacher role), for the deputy's substitutions.

Who may change any of it is decided by the services (``timetable``,
``timetable_changes``, ``slot_end``, ``contingent``); these only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlmodel import Session, col, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Bell,
    Course,
    Lesson,
    SchoolClass,
    SchoolYear,
    Subject,
    TimetableSlot,
    User,
)
from zhurnal.core.readmodels.classes import ClassRef, _class_refs

LIST_ROLES = ("admin", "deputy", "director", "secretary")
WEEK_ROLES = ("admin", "deputy", "director")
NO_LISTS = "Списки классов открыты администратору, администрации школы и секретарю."
NO_WEEK = "Расписание классов ведут администратор и заместитель директора [004 §5]."


@dataclass(frozen=True)
class BellRow:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class GridCourse:
    id: int
    subject: str
    short: str  # the subject's short name, else its name
    subgroup: str
    teacher: str  # full name

    @property
    def title(self) -> str:
        return f"{self.subject} ({self.subgroup})" if self.subgroup else self.subject


@dataclass(frozen=True)
class GridSlot:
    """One weekly lesson of the class (a timetable slot), as a cell shows it."""

    id: int
    version: int
    course: GridCourse
    weekday: int  # 0 = Monday
    number: int
    room: str
    valid_from: date
    valid_to: date | None

    @property
    def initials(self) -> str:
        """«Иванова Анна Петровна» → «ИАП»."""
        return "".join(p[0] for p in self.course.teacher.split()[:3] if p)


@dataclass(frozen=True)
class TimetableWeek:
    class_id: int
    class_title: str
    day: date  # the slots are those valid on this day
    bells: tuple[BellRow, ...]
    slots: tuple[GridSlot, ...]
    courses: tuple[GridCourse, ...]
    year_start: date
    year_end: date

    def at(self, weekday: int, number: int) -> tuple[GridSlot, ...]:
        return tuple(s for s in self.slots if (s.weekday, s.number) == (weekday, number))


def _current_year(session: Session) -> SchoolYear | None:
    return session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712


def get_class(session: Session, class_id: int) -> SchoolClass:
    klass = session.get(SchoolClass, class_id)
    if klass is None:
        raise NotFound(f"Класс № {class_id} не найден.")
    return klass


def setup_classes(db: Database, actor: Actor) -> tuple[ClassRef, ...]:
    """The current year's classes by grade and letter, with their pupils today."""
    with reading(db, actor) as session:
        if not actor.has(*LIST_ROLES):
            raise PermissionDenied(NO_LISTS)
        year = _current_year(session)
        if year is None:
            return ()
        classes = list(
            session.exec(
                select(SchoolClass)
                .where(SchoolClass.year_id == year.id)
                .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
            )
        )
        return _class_refs(session, classes, actor.now().date())


def _courses(session: Session, class_id: int) -> dict[int, GridCourse]:
    rows = session.exec(
        select(Course, Subject, User)
        .join(Subject, col(Subject.id) == Course.subject_id)
        .join(User, col(User.id) == Course.teacher_id)
        .where(Course.class_id == class_id)
        .order_by(col(Subject.name), col(Course.subgroup), col(Course.id))
    )
    return {
        course.id or 0: GridCourse(
            course.id or 0,
            subject.name,
            subject.short or subject.name,
            course.subgroup,
            user.full_name,
        )
        for course, subject, user in rows
    }


def timetable_week(
    db: Database, actor: Actor, class_id: int, day: date | None = None
) -> TimetableWeek:
    """The class's slots valid on ``day`` (administrator, deputy, director); by default
    today, or the first or last day of the class's year when today is outside it."""
    with reading(db, actor) as session:
        if not actor.has(*WEEK_ROLES):
            raise PermissionDenied(NO_WEEK)
        klass = get_class(session, class_id)
        year = session.get(SchoolYear, klass.year_id)
        if day is None:
            day = actor.now().date()
            if year is not None:
                day = min(max(day, year.start), year.end)
        courses = _courses(session, class_id)
        slots = session.exec(
            select(TimetableSlot)
            .where(
                col(TimetableSlot.course_id).in_(list(courses)),
                col(TimetableSlot.valid_from) <= day,
                or_(col(TimetableSlot.valid_to).is_(None), col(TimetableSlot.valid_to) >= day),
            )
            .order_by(col(TimetableSlot.weekday), col(TimetableSlot.number), col(TimetableSlot.id))
        )
        bells = session.exec(select(Bell).order_by(col(Bell.number)))
        return TimetableWeek(
            class_id,
            klass.title,
            day,
            tuple(BellRow(b.number, b.start, b.end) for b in bells),
            tuple(
                GridSlot(
                    s.id or 0,
                    s.version,
                    courses[s.course_id],
                    s.weekday,
                    s.number,
                    s.room,
                    s.valid_from,
                    s.valid_to,
                )
                for s in slots
            ),
            tuple(courses.values()),
            year.start if year else day,
            year.end if year else day,
        )


def substitute_teachers(db: Database, actor: Actor, lesson_id: int) -> tuple[tuple[int, str], ...]:
    """(id, full name) of every active teacher who may substitute for the lesson, by
    name (for the deputy, the director): not the course's own teacher, nor the one who
    holds it now."""
    with reading(db, actor) as session:
        if not actor.has("deputy", "director"):
            raise PermissionDenied("Замены назначает заместитель директора.")
        lesson = session.get(Lesson, lesson_id)
        course = session.get(Course, lesson.course_id) if lesson else None
        if lesson is None or course is None:
            raise NotFound(f"Урок № {lesson_id} не найден.")
        busy = {course.teacher_id, lesson.held_by_id}
        users = session.exec(
            select(User).where(User.active == True).order_by(col(User.full_name))  # noqa: E712
        )
        return tuple(
            (u.id or 0, u.full_name)
            for u in users
            if "teacher" in u.role_set() and u.id not in busy
        )
