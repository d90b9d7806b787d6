"""The КТП screen's reads: which courses a user may load a plan for, what a file holds
and how its hours compare with the curriculum, before anything is written.

The import itself is ``timetable.import_plan`` (it decides again, in its transaction);
a mismatch of the yearly hours is loaded only when the user confirms it
(``allow_mismatch``), as the CLI's ``--allow-mismatch`` [004 §5 «Учитель-предметник»].
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Course, PlanItem, SchoolClass, Subject, User
from zhurnal.core.roster_file import decode
from zhurnal.core.services.plan_hours import hours_mismatch, read_plan_xlsx, yearly_hours
from zhurnal.core.services.school import PLAN_ONLY, SETUP_ROLES
from zhurnal.core.services.timetable import read_plan_csv
from zhurnal.core.uow import current_year


@dataclass(frozen=True)
class PlanCourse:
    """A course with its КТП so far and the hours the curriculum gives it."""

    id: int
    class_title: str
    subject: str
    subgroup: str
    teacher: str
    topics: int
    hours: int
    expected: int  # hours per week × weeks of study

    @property
    def title(self) -> str:
        group = f" ({self.subgroup})" if self.subgroup else ""
        return f"{self.class_title} {self.subject}{group}"


@dataclass(frozen=True)
class PlanPreview:
    course: PlanCourse
    topics: int
    hours: int
    mismatch: str  # «» when the hours match the curriculum


def plan_courses(db: Database, actor: Actor) -> tuple[PlanCourse, ...]:
    """The current year's courses whose КТП the user may load: all of them for the
    administrator and the deputy, a teacher's own."""
    with reading(db, actor) as session:
        if not actor.has(*SETUP_ROLES, "teacher"):
            raise PermissionDenied(PLAN_ONLY)
        year = current_year(session)
        query = (
            select(Course, SchoolClass, Subject, User)
            .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
            .join(Subject, col(Subject.id) == Course.subject_id)
            .join(User, col(User.id) == Course.teacher_id)
            .where(SchoolClass.year_id == year.id)
            .order_by(
                col(SchoolClass.grade),
                col(SchoolClass.letter),
                col(Subject.name),
                col(Course.subgroup),
            )
        )
        if not actor.has(*SETUP_ROLES):
            query = query.where(Course.teacher_id == actor.user_id)
        result = []
        weeks: dict[int, int] = {}  # by class: the weeks of study
        for course, klass, subject, user in session.exec(query):
            if klass.id not in weeks:
                weeks[klass.id or 0] = yearly_hours(session, course).weeks
            items = session.exec(select(PlanItem.hours).where(PlanItem.course_id == course.id))
            hours = list(items)
            result.append(
                PlanCourse(
                    course.id or 0,
                    klass.title,
                    subject.name,
                    course.subgroup,
                    user.full_name,
                    len(hours),
                    sum(hours),
                    round(course.hours_per_week * weeks[klass.id or 0]),
                )
            )
        return tuple(result)


def read_plan_file(data: bytes, filename: str = "") -> list[tuple[str, int]]:
    """A КТП file: XLSX (by its signature or name), else CSV «тема;часы» in UTF-8,
    UTF-16 or cp1251 (detected)."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_plan_xlsx(data)
    if not data.strip():
        raise ValidationError("Файл плана пуст.")
    try:
        text = decode(data)
    except ValidationError:
        raise ValidationError(
            "Файл плана не читается: нужен CSV («тема;часы») или книга Excel (XLSX)."
        ) from None
    return read_plan_csv(text)


def plan_preview(
    db: Database, actor: Actor, course_id: int, rows: list[tuple[str, int]]
) -> PlanPreview:
    """What loading ``rows`` into the course's КТП would give, and the hours' mismatch."""
    course = next((c for c in plan_courses(db, actor) if c.id == course_id), None)
    if course is None:
        raise PermissionDenied(PLAN_ONLY)
    with reading(db, actor) as session:
        row = session.get(Course, course_id)
        expected = yearly_hours(session, row) if row else None
    total = sum(h for _, h in rows)
    mismatch = hours_mismatch(total, expected) if expected else ""
    return PlanPreview(course, len(rows), total, mismatch)
