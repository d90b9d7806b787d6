"""Who may read and write which part of the register (DESIGN.md "Who may write what").

Reading: director and deputy read everything; a teacher reads the courses
they teach or substitute in; a class teacher reads every subject of their
class.  Writing a lesson's cells: the course's teacher or the lesson's
substitute, until the edit lock; after it, only the deputy under an approved
correction [004 §7.4].  Students and parents never write [000 §7.1].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from zhurnal.core.actor import Actor
from zhurnal.core.errors import DomainError, LockedError, PermissionDenied
from zhurnal.core.models import Correction, Course, Lesson, Period, SchoolClass
from zhurnal.core.rules import (
    LOCK_WHAT,
    check_not_locked,
    check_period_not_locked,
    edit_lock_at,
    fmt_date,
    period_mark_lock_at,
)
from zhurnal.core.uow import UnitOfWork, require

READ_ALL_ROLES = ("director", "deputy")


def is_class_teacher(actor: Actor, klass: SchoolClass) -> bool:
    return actor.user_id is not None and klass.class_teacher_id == actor.user_id


def teaches_course(session: Session, actor: Actor, course: Course) -> bool:
    if not actor.has("teacher") or actor.user_id is None:
        return False
    if course.teacher_id == actor.user_id:
        return True
    substitute = session.exec(
        select(Lesson.id).where(Lesson.course_id == course.id, Lesson.held_by_id == actor.user_id)
    ).first()
    return substitute is not None


def can_read_course(session: Session, actor: Actor, course: Course, klass: SchoolClass) -> bool:
    if actor.has(*READ_ALL_ROLES):
        return True
    if actor.has("teacher") and is_class_teacher(actor, klass):
        return True
    return teaches_course(session, actor, course)


def require_read_course(
    session: Session, actor: Actor, course: Course, klass: SchoolClass
) -> None:
    if not can_read_course(session, actor, course, klass):
        raise PermissionDenied(
            f"Нет доступа к журналу {klass.title}: он открыт учителю предмета, "
            "классному руководителю и администрации."
        )


def may_write_lesson(actor: Actor, course: Course, lesson: Lesson) -> bool:
    if not actor.has("teacher") or actor.user_id is None:
        return False
    return actor.user_id in (course.teacher_id, lesson.held_by_id)


@dataclass(frozen=True)
class WriteGrant:
    """How a write was allowed: directly, or under an approved correction."""

    correction_id: int | None = None


def _correction(
    uow: UnitOfWork, correction_id: int, course: Course, scope: str, student_id: int | None
) -> Correction:
    require(
        uow.actor.has("deputy"),
        "Исправления по разрешению директора вносит заместитель директора [004 §7.4].",
    )
    corr: Correction = uow.get(Correction, correction_id, "Заявка на исправление")
    if corr.status != "approved":
        raise DomainError(f"Заявка на исправление № {corr.id} не утверждена директором [004 §7.2].")
    if corr.course_id != course.id or corr.scope != scope:
        raise DomainError(f"Заявка № {corr.id} не открывает эти записи.")
    if corr.student_id is not None and student_id != corr.student_id:
        # A correction for one student opens that student's cells only, never an action
        # over the whole lesson (everyone present, a new work type).
        raise DomainError(f"Заявка № {corr.id} открывает записи только одного ученика.")
    if corr.valid_until is not None and uow.now.date() > corr.valid_until:
        raise LockedError(
            f"Срок заявки № {corr.id} истёк {fmt_date(corr.valid_until)}: нужна новая заявка."
        )
    return corr


def authorize_lesson_write(
    uow: UnitOfWork,
    course: Course,
    lesson: Lesson,
    *,
    lock_class: str,
    scope: str,
    student_id: int | None = None,
    correction_id: int | None = None,
) -> WriteGrant:
    """Permission, then the edit lock — or the correction that opens it."""
    if correction_id is not None:
        corr = _correction(uow, correction_id, course, scope, student_id)
        if corr.lesson_id is not None and corr.lesson_id != lesson.id:
            raise DomainError(f"Заявка № {corr.id} открывает другой урок.")
        return WriteGrant(corr.id)
    require(
        may_write_lesson(uow.actor, course, lesson),
        "Записи урока вносит учитель, ведущий этот предмет в классе, или учитель, "
        "заменяющий урок.",
    )
    lock = edit_lock_at(uow.policy, uow.calendar, lesson.date, lock_class)
    check_not_locked(uow.now, lock, LOCK_WHAT[lock_class], lesson.date,
                     uow.policy.cite(f"locks.{lock_class}_days"))
    return WriteGrant()


def authorize_period_mark_write(
    uow: UnitOfWork,
    course: Course,
    klass: SchoolClass,
    period: Period,
    *,
    student_id: int,
    correction_id: int | None = None,
) -> WriteGrant:
    """Period marks: the course's teacher; the class teacher for every subject if the
    policy says so [004 §3.9]; after the lock the deputy under a correction."""
    if correction_id is not None:
        corr = _correction(uow, correction_id, course, "period_marks", student_id)
        if corr.period_id is not None and corr.period_id != period.id:
            raise DomainError(f"Заявка № {corr.id} открывает другой период.")
        return WriteGrant(corr.id)
    actor = uow.actor
    allowed = actor.has("teacher") and (
        course.teacher_id == actor.user_id
        or (is_class_teacher(actor, klass) and uow.policy.ct_period_marks_all_subjects)
    )
    require(
        allowed,
        "Итоговые отметки выставляет учитель предмета"
        + (" или классный руководитель [004 §3.9]." if uow.policy.ct_period_marks_all_subjects
           else "."),
    )
    lock = period_mark_lock_at(uow.policy, uow.calendar, period.end)
    check_period_not_locked(uow.now, lock, period.name, uow.policy.cite("locks.period_marks"))
    return WriteGrant()


def lock_moment(uow: UnitOfWork, lesson: Lesson, lock_class: str) -> datetime:
    return edit_lock_at(uow.policy, uow.calendar, lesson.date, lock_class)
