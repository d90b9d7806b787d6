"""Read-only queries for the screens: plain read models, no writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, func, or_, select

from zhurnal.core.access import require_read_course
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.models import Absence, Assignment, Course, Lesson, Mark, PlanItem, WorkType
from zhurnal.core.readmodels import AssignmentView, LessonView
from zhurnal.core.uow import UnitOfWork
from zhurnal.core.context import LessonCtx, lesson_ctx, roster
from zhurnal.core.services.lessons import lesson_view, suggested_plan_item
from zhurnal.core.services.marks import assignment_view


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
    from zhurnal.core.audit import change_counter as counter

    with db.read() as session:
        return counter(session)


def lesson_counts(db: Database, lesson_id: int) -> tuple[int, int]:
    with db.read() as session:
        marks = session.exec(select(func.count(Mark.id)).join(Assignment)
                             .where(Assignment.lesson_id == lesson_id)).one()
        absences = session.exec(select(func.count(Absence.id))
                                .where(Absence.lesson_id == lesson_id)).one()
        return marks, absences


# --- the lesson card and the attendance list (read only) -------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """One student of the lesson's roster; ``absence_version`` is 0 when present."""

    student_id: int
    full_name: str
    absence_code: str | None
    absence_version: int


@dataclass(frozen=True)
class PlanOffer:
    """A КТП topic: the one the lesson is linked to, or the next one offered."""

    plan_item_id: int
    position: int
    topic: str


@dataclass(frozen=True)
class LessonCard:
    """What the «Урок» screen shows: the lesson and what its editing depends on."""

    lesson: LessonView
    starts_at: datetime
    ends_at: datetime
    plan: PlanOffer | None
    plan_linked: bool
    """True: the lesson's topic is linked to ``plan``; False: ``plan`` is only offered."""
    assignments: tuple[AssignmentView, ...]
    forced_homework: str | None
    """The homework text the rules force (grade 1: «нет» [004 §3.5]), else None."""
    read_only_reason: str | None
    """Why the actor cannot change the lesson now (lock, another teacher's lesson)."""
    marks_allowed: bool


def _readable_ctx(session: Session, actor: Actor, lesson_id: int) -> tuple[UnitOfWork, LessonCtx]:
    uow = UnitOfWork(session, actor, actor.now())
    ctx = lesson_ctx(uow, lesson_id)
    require_read_course(session, actor, ctx.course, ctx.klass)
    return uow, ctx


def _assignments(session: Session, lesson_id: int) -> list[AssignmentView]:
    rows = session.exec(
        select(Assignment, WorkType)
        .join(WorkType, WorkType.id == Assignment.work_type_id)
        .where(Assignment.lesson_id == lesson_id)
        .order_by(Assignment.id)
    )
    return [assignment_view(a, wt) for a, wt in rows]


def lesson_attendance(db: Database, actor: Actor, lesson_id: int) -> list[AttendanceRow]:
    """The lesson's roster on its date (class, subgroup), sorted by name, with absences."""
    with db.read() as session:
        _, ctx = _readable_ctx(session, actor, lesson_id)
        absences = {
            a.student_id: a
            for a in session.exec(select(Absence).where(Absence.lesson_id == lesson_id))
        }
        result = []
        for student in roster(session, ctx.course, ctx.lesson.date):
            absence = absences.get(student.id or 0)
            result.append(AttendanceRow(
                student.id or 0,
                student.full_name,
                absence.code if absence else None,
                absence.version if absence else 0,
            ))
        return result


def lesson_assignments(db: Database, actor: Actor, lesson_id: int) -> list[AssignmentView]:
    """The lesson's assignments (its work types) in the order they were added."""
    with db.read() as session:
        _readable_ctx(session, actor, lesson_id)
        return _assignments(session, lesson_id)


def work_types(db: Database) -> list[tuple[str, str, float]]:
    """The school's work types as (code, name, weight), in the policy's order."""
    with db.read() as session:
        return [(wt.code, wt.name, wt.weight)
                for wt in session.exec(select(WorkType).order_by(WorkType.id))]


def lesson_card(db: Database, actor: Actor, lesson_id: int) -> LessonCard:
    """The lesson, its КТП topic, its assignments and whether the actor may edit it."""
    from zhurnal.core.access import authorize_lesson_write
    from zhurnal.core.errors import DomainError
    from zhurnal.core.rules import check_mark_allowed_for_grade, grade1_homework

    with db.read() as session:
        uow, ctx = _readable_ctx(session, actor, lesson_id)
        lesson = ctx.lesson
        linked = lesson.plan_item_id is not None
        item = session.get(PlanItem, lesson.plan_item_id) if linked else None
        if item is None:
            linked = False
            item = suggested_plan_item(uow, ctx)
        try:
            authorize_lesson_write(uow, ctx.course, lesson, lock_class="current", scope="lesson")
            reason = None
        except DomainError as exc:
            reason = exc.message
        forced = grade1_homework(uow.policy, ctx.grade, "") or None
        try:
            check_mark_allowed_for_grade(uow.policy, ctx.grade)
            marks_allowed = True
        except DomainError:
            marks_allowed = False
        return LessonCard(
            lesson=lesson_view(uow, ctx),
            starts_at=ctx.start,
            ends_at=ctx.end,
            plan=PlanOffer(item.id or 0, item.position, item.topic) if item else None,
            plan_linked=linked,
            assignments=tuple(_assignments(session, lesson_id)),
            forced_homework=forced,
            read_only_reason=reason,
            marks_allowed=marks_allowed,
        )
