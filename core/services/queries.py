"""Read-only queries for the screens: plain read models, no writes."""

from __future__ import annotations

from datetime import date

from sqlmodel import func, or_, select

from core.actor import Actor
from core.db import Database
from core.models import Absence, Assignment, Course, Lesson, Mark
from core.readmodels import LessonView
from core.services.base import UnitOfWork
from core.services.context import lesson_ctx
from core.services.lessons import lesson_view


def my_lessons(db: Database, actor: Actor, day: date) -> list[LessonView]:
    """The actor's lessons of a day in bell order: own courses and substitutions."""
    with db.read() as session:
        uow = UnitOfWork(session, actor, actor.now())
        ids = session.exec(
            select(Lesson.id)
            .join(Course, Course.id == Lesson.course_id)
            .where(
                Lesson.date == day,
                or_(Lesson.held_by_id == actor.user_id,
                    (Course.teacher_id == actor.user_id) & (Lesson.held_by_id == None)),  # noqa: E711
            )
            .order_by(Lesson.number)
        ).all()
        return [lesson_view(uow, lesson_ctx(uow, lesson_id)) for lesson_id in ids]


def change_counter(db: Database) -> int:
    """Grows with every committed change; screens poll it to refresh."""
    from core.audit import change_counter as counter

    with db.read() as session:
        return counter(session)


def lesson_counts(db: Database, lesson_id: int) -> tuple[int, int]:
    with db.read() as session:
        marks = session.exec(select(func.count(Mark.id)).join(Assignment)
                             .where(Assignment.lesson_id == lesson_id)).one()
        absences = session.exec(select(func.count(Absence.id))
                                .where(Absence.lesson_id == lesson_id)).one()
        return marks, absences
