"""Who may read and write which part of the register (DESIGN.md "Who may write what").

Layer: above ``context``, below ``readmodels`` (see ``core/__init__``).

Reading: director and deputy read everything; a teacher reads the courses
they teach or substitute in; a class teacher reads every subject of their
class.  Writing a lesson's cells: the course's teacher or the lesson's
substitute, until the edit lock; after it, only the deputy under an approved
correction [004 §7.4].  Students and parents never write [000 §7.1].

Every write is decided once, by a method of ``Judge`` over plain facts
(``LessonFacts``, ``StudentAtLesson``, a period): it returns None or the
``DomainError`` the write must raise.  The commands raise it (``authorize_*``,
``enforce``); the read models show it as ``editable`` / ``why_not``; so a screen
shows the very message the command would give.  A lesson's decision looks at,
in order: permission (``PermissionDenied``), grade 1 (for marks), the edit lock
(``LockedError``), «вперёд» (for marks and attendance), then the student (in the
class that day, absent from an answer in class).  An approved correction
(``opened``) stands for the permission and the lock.

Late corrections [004 §7]: who may request one (``correction_request_refusal``), decide
it (``correction_decide_refusal``) and enter it (``correction_apply_refusal``); a request
that lists its cells (scope ``CELLS``) is entered whole, inside ``applying``, and opens
only the cells it lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlmodel import Session, col, select

from zhurnal.core.actor import Actor
from zhurnal.core.calendar import Calendar
from zhurnal.core.context import (
    LessonCtx,
    LessonFacts,
    StudentAtLesson,
    closed_year_name,
    lesson_facts,
)
from zhurnal.core.errors import DomainError, LockedError, PermissionDenied, ValidationError
from zhurnal.core.models import Correction, CorrectionItem, Course, Lesson, SchoolClass
from zhurnal.core.policy import Policy
from zhurnal.core.rules import (
    LOCK_WHAT,
    absence_over_oral_refusal,
    edit_lock_at,
    fmt_date,
    grade1_marks_refusal,
    lock_refusal,
    not_enrolled,
    not_started_refusal,
    oral_mark_refusal,
    period_lock_refusal,
    period_mark_lock_at,
    period_mark_open_from,
    period_not_started_refusal,
    period_window_refusal,
)
from zhurnal.core.uow import UnitOfWork, require
from zhurnal.core.yearlock import CLAUSE, closed_message

READ_ALL_ROLES = ("director", "deputy")
SETUP_ROLES = ("admin", "deputy")
"""Set up the year, classes, subjects, courses and the timetable [004 §5]."""
CONTINGENT_ROLES = ("admin", "secretary")
"""Keep the class lists and the students' movement [004 §5 «Секретарь»]."""
SUBGROUP_ROLES = ("admin", "deputy", "secretary")

# What each kind of write closes, in the lock message («… закрыты для изменений с …»).
TEXT = "тема и домашнее задание"
ATTENDANCE = "отметки посещаемости"
WORK_TYPES = "виды работ"
MARKS = "отметки"


def is_class_teacher(actor: Actor, klass: SchoolClass) -> bool:
    return actor.user_id is not None and klass.class_teacher_id == actor.user_id


def teaches_course(session: Session, actor: Actor, course: Course) -> bool:
    """The course's own teacher. A colleague who substituted for one lesson reads and
    fills that lesson only (``can_read_lesson``), not the course's register [004 §5]."""
    return actor.has("teacher") and actor.user_id is not None and course.teacher_id == actor.user_id


def can_read_course(session: Session, actor: Actor, course: Course, klass: SchoolClass) -> bool:
    if actor.has(*READ_ALL_ROLES):
        return True
    if actor.has("teacher") and is_class_teacher(actor, klass):
        return True
    return teaches_course(session, actor, course)


def require_read_course(session: Session, actor: Actor, course: Course, klass: SchoolClass) -> None:
    if not can_read_course(session, actor, course, klass):
        raise PermissionDenied(
            f"Нет доступа к журналу {klass.title}: он открыт учителю предмета, "
            "классному руководителю и администрации."
        )


def can_read_lesson(
    session: Session, actor: Actor, lesson: Lesson, course: Course, klass: SchoolClass
) -> bool:
    """Whoever reads the course, and the substitute of this lesson [004 §5 «Учитель»]."""
    if actor.has("teacher") and actor.user_id is not None and lesson.held_by_id == actor.user_id:
        return True
    return can_read_course(session, actor, course, klass)


def require_read_lesson(
    session: Session, actor: Actor, lesson: Lesson, course: Course, klass: SchoolClass
) -> None:
    if not can_read_lesson(session, actor, lesson, course, klass):
        raise PermissionDenied(
            f"Нет доступа к журналу {klass.title}: урок открыт учителю предмета, "
            "учителю, который его замещает, классному руководителю и администрации."
        )


def may_write_lesson(actor: Actor, course_teacher_id: int, held_by_id: int | None) -> bool:
    """The course's teacher or the lesson's substitute, with the teacher role."""
    if not actor.has("teacher") or actor.user_id is None:
        return False
    return actor.user_id in (course_teacher_id, held_by_id)


class PeriodLike(Protocol):
    name: str
    start: date
    end: date


def enforce(refusal: DomainError | None) -> None:
    """Raise a decision's refusal (commands); read models show ``refusal.message``."""
    if refusal is not None:
        raise refusal


def why_not(refusal: DomainError | None) -> str:
    return refusal.message if refusal is not None else ""


# --- the decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Judge:
    """The decisions of one actor at one moment under the school's policy and calendar."""

    actor: Actor
    now: datetime
    policy: Policy
    calendar: Calendar

    @classmethod
    def of(cls, uow: UnitOfWork) -> Judge:
        return cls(uow.actor, uow.now, uow.policy, uow.calendar)

    def lock_at(self, day: date, lock_class: str) -> datetime:
        return edit_lock_at(self.policy, self.calendar, day, lock_class)

    def _permission(self, f: LessonFacts) -> PermissionDenied | None:
        if may_write_lesson(self.actor, f.course_teacher_id, f.held_by_id):
            return None
        return PermissionDenied(f"Только просмотр: урок ведёт {f.keeper}.")

    def _lock(self, f: LessonFacts, lock_class: str, what: str) -> LockedError | None:
        return lock_refusal(
            self.policy, self.now, self.lock_at(f.date, lock_class), f.date, what, lock_class
        )

    def _open(
        self, f: LessonFacts, lock_class: str, what: str, opened: bool, marks: bool = False
    ) -> DomainError | None:
        """A closed year, then permission, grade 1 (for marks), the lock: what a correction
        stands for (never for a closed year [000 §5.2.1])."""
        if f.closed_year:
            return LockedError(closed_message(f.closed_year), clause=CLAUSE)
        if not opened and (refusal := self._permission(f)) is not None:
            return refusal
        if marks and (grade1 := grade1_marks_refusal(self.policy, f.grade)) is not None:
            return grade1
        return None if opened else self._lock(f, lock_class, what)

    def lesson_text(self, f: LessonFacts, *, opened: bool = False) -> DomainError | None:
        """Topic and homework: permission, then the lock of current entries [004 §3.8]."""
        return self._open(f, "current", TEXT, opened)

    def attendance(self, f: LessonFacts, *, opened: bool = False) -> DomainError | None:
        """Attendance: permission, the lock, nothing «вперёд» [004 §3.8]."""
        return self._open(f, "current", ATTENDANCE, opened) or not_started_refusal(
            self.policy, self.now, f.starts_at, ATTENDANCE
        )

    def work_types(
        self, f: LessonFacts, lock_class: str = "current", *, opened: bool = False
    ) -> DomainError | None:
        """Adding or removing a lesson's work type (the column marks go into): permission,
        grade 1, the lock; a work type may be planned before the lesson."""
        return self._open(f, lock_class, WORK_TYPES, opened, marks=True)

    def marks(self, f: LessonFacts, lock_class: str, *, opened: bool = False) -> DomainError | None:
        """Marks of a column (a work type's lock class): permission, grade 1, the lock,
        nothing «вперёд»."""
        return self._open(
            f, lock_class, LOCK_WHAT.get(lock_class, MARKS), opened, marks=True
        ) or not_started_refusal(self.policy, self.now, f.starts_at, MARKS)

    def period_mark(
        self,
        course_teacher_id: int,
        class_teacher_id: int | None,
        period: PeriodLike,
        *,
        opened: bool = False,
        closed_year: str = "",
    ) -> DomainError | None:
        """Period marks: the course's teacher, or the class teacher in every subject if the
        policy says so [004 §3.9]; not before the period begins, nor before the period-mark
        window opens (``locks.period_marks_open_days``); until the period-mark lock.  An
        approved correction (``opened``) stands for the permission, the window and the lock,
        never for a closed year (``closed_year``, its name) [000 §5.2.1]."""
        actor, policy = self.actor, self.policy
        if closed_year:
            return LockedError(closed_message(closed_year), clause=CLAUSE)
        if not opened:
            allowed = (
                actor.has("teacher")
                and actor.user_id is not None
                and (
                    actor.user_id == course_teacher_id
                    or (actor.user_id == class_teacher_id and policy.ct_period_marks_all_subjects)
                )
            )
            if not allowed:
                return PermissionDenied(
                    "Итоговые отметки выставляет учитель предмета"
                    + (
                        " или классный руководитель"
                        + policy.cite("class_teacher.period_marks_all_subjects")
                        if policy.ct_period_marks_all_subjects
                        else ""
                    )
                    + "."
                )
        refusal = period_not_started_refusal(policy, self.now, period.start, period.name)
        if refusal is None and not opened:
            open_from = period_mark_open_from(policy, period.start, period.end)
            refusal = period_window_refusal(policy, self.now, open_from, period.name)
        if refusal is None and not opened:
            lock = period_mark_lock_at(policy, self.calendar, period.end)
            refusal = period_lock_refusal(policy, self.now, lock, period.name)
        return refusal


def student_mark_refusal(
    policy: Policy,
    group: str,
    day: date,
    work_type_code: str,
    student: StudentAtLesson,
    setting: bool = True,
) -> DomainError | None:
    """The student's part of a mark decision, after ``Judge.marks`` of the column (the
    commands check both, ``Gradebook.cell_why_not`` shows both): in the class (``group``)
    on the lesson's ``day``; present for an answer in class (only when a value is set:
    clearing a mark is always possible)."""
    if not student.enrolled:
        return not_enrolled(student.name, group, day)
    if setting:
        return oral_mark_refusal(policy, work_type_code, student.name, student.absence)
    return None


def student_absence_refusal(
    policy: Policy,
    group: str,
    day: date,
    student: StudentAtLesson,
    code: str | None,
    marks: Iterable[tuple[str, str]],
) -> DomainError | None:
    """The student's part of an attendance decision, after ``Judge.attendance``: in the
    class that day; not absent from the whole lesson over their mark for an answer in class
    (``AttendanceRow.absent_why_not`` shows it)."""
    if not student.enrolled:
        return not_enrolled(student.name, group, day)
    return absence_over_oral_refusal(policy, code, student.name, marks)


def absence_reason_refusal(
    policy: Policy,
    actor: Actor,
    klass: SchoolClass,
    code: str,
    *,
    calendar: Calendar | None = None,
    day: date | None = None,
    due_from: date | None = None,
    today: date | None = None,
) -> DomainError | None:
    """May ``actor`` correct the reason of an absence ``code`` of ``day`` in ``klass``
    [004 §3.7]: the class's class teacher (a teacher), where the policy gives them the
    right; a late arrival (ОП) is not an absence; and only within the policy's working
    days after the document was due (``due_from``: the earlier of the student's return
    and the document's date) — later, only a correction changes it [004 §7]."""
    cite = policy.cite("class_teacher.absence_reason")
    if not (actor.has("teacher") and is_class_teacher(actor, klass) and policy.ct_absence_reason):
        return PermissionDenied(f"Причину пропуска исправляет классный руководитель класса{cite}.")
    if code == "ОП":
        return ValidationError(
            f"Опоздание — не пропуск: ученик был на уроке, причину менять нельзя{cite}."
        )
    if calendar is not None and due_from is not None and today is not None and day is not None:
        n = policy.ct_absence_reason_working_days
        last = calendar.add_days(due_from, n, "working")
        if today > last:
            return LockedError(
                f"Причину пропуска {fmt_date(day)} исправляют не позднее {n} рабочих дней "
                f"после возвращения ученика или документа ({fmt_date(due_from)}): срок истёк "
                f"{fmt_date(last)}{policy.cite('class_teacher.absence_reason_working_days')}. "
                f"Теперь — только по заявке на корректировку{policy.cite('rules.corrections')}."
            )
    return None


# --- commands: a correction, then the decision -----------------------------------------------


@dataclass(frozen=True)
class WriteGrant:
    """How a write was allowed: directly, or under an approved correction."""

    correction_id: int | None = None

    @property
    def opened(self) -> bool:
        return self.correction_id is not None


# The kinds of correction items (``CorrectionItem.kind``) a write of each scope enters.
SCOPE_ITEMS = {
    "marks": ("mark",),
    "attendance": ("absence",),
    "lesson": ("topic", "homework"),
    "period_marks": ("period_mark",),
}
CELLS = "cells"
"""The scope of a correction that lists its cells (items): entered whole by ``apply``."""

_applying: ContextVar[int | None] = ContextVar("zhurnal_applying_correction", default=None)


@contextmanager
def applying(correction_id: int) -> Iterator[None]:
    """While a correction with items is being applied, its writes may name it."""
    token = _applying.set(correction_id)
    try:
        yield
    finally:
        _applying.reset(token)


def _correction(
    uow: UnitOfWork,
    correction_id: int,
    course_id: int,
    scope: str,
    student_id: int | None,
    *,
    lesson_id: int | None = None,
    period_id: int | None = None,
) -> Correction:
    require(
        uow.actor.has("deputy"),
        "Исправления по разрешению директора вносит заместитель директора [004 §7.4].",
    )
    corr: Correction = uow.get(Correction, correction_id, "Заявка на исправление")
    enforce(_not_approved(corr))
    if corr.scope == CELLS:
        if _applying.get() != corr.id:
            raise DomainError(
                f"Заявка № {corr.id} вносится целиком: «Внести исправления» по заявке."
            )
        if corr.course_id != course_id or not _lists_cell(
            uow.session, corr, scope, student_id, lesson_id, period_id
        ):
            raise DomainError(f"Заявка № {corr.id} не открывает эти записи.")
    elif corr.course_id != course_id or corr.scope != scope:
        raise DomainError(f"Заявка № {corr.id} не открывает эти записи.")
    if corr.student_id is not None and student_id != corr.student_id:
        # A correction for one student opens that student's cells only, never an action
        # over the whole lesson (everyone present, a new work type).
        raise DomainError(f"Заявка № {corr.id} открывает записи только одного ученика.")
    enforce(_expired(corr, uow.now.date()))
    return corr


def _lists_cell(
    session: Session,
    corr: Correction,
    scope: str,
    student_id: int | None,
    lesson_id: int | None,
    period_id: int | None,
) -> bool:
    """Whether the correction's items name this cell (a write of ``scope``)."""
    query = select(CorrectionItem.id).where(
        CorrectionItem.correction_id == corr.id,
        col(CorrectionItem.kind).in_(SCOPE_ITEMS.get(scope, ())),
        CorrectionItem.student_id == student_id,
    )
    if lesson_id is not None:
        query = query.where(CorrectionItem.lesson_id == lesson_id)
    if period_id is not None:
        query = query.where(CorrectionItem.period_id == period_id)
    return session.exec(query).first() is not None


def correction_request_refusal(
    actor: Actor, course_teacher_id: int, class_teacher_id: int | None
) -> PermissionDenied | None:
    """Who asks the director for a late correction [004 §7.2]: the course's teacher, the
    class teacher, the deputy."""
    if actor.has("deputy"):
        return None
    teacher = actor.has("teacher") and actor.user_id is not None
    if teacher and actor.user_id in (course_teacher_id, class_teacher_id):
        return None
    return PermissionDenied(
        "Заявку на исправление подаёт учитель предмета, классный руководитель или "
        "заместитель директора [004 §7.2]."
    )


def correction_decide_refusal(actor: Actor, c: Correction) -> DomainError | None:
    """The director approves or rejects a request once [004 §7.2]."""
    if not actor.has("director"):
        return PermissionDenied("Разрешение на исправление даёт директор [004 §7.2].")
    return (
        None if c.status == "requested" else DomainError(f"По заявке № {c.id} решение уже принято.")
    )


def _not_approved(c: Correction) -> DomainError | None:
    if c.status == "applied":
        return DomainError(f"Заявка № {c.id} уже внесена.")
    if c.status == "rejected":
        return DomainError(f"Заявка № {c.id} отклонена директором.")
    if c.status != "approved":
        return DomainError(f"Заявка № {c.id} ещё не утверждена директором [004 §7.2].")
    return None


def _expired(c: Correction, today: date) -> LockedError | None:
    if c.valid_until is None or today <= c.valid_until:
        return None
    return LockedError(f"Срок заявки № {c.id} истёк {fmt_date(c.valid_until)}: нужна новая заявка.")


def correction_apply_refusal(actor: Actor, c: Correction, today: date) -> DomainError | None:
    """The deputy enters an approved request's cells within its validity [004 §7.4]."""
    if not actor.has("deputy"):
        return PermissionDenied(
            "Исправления по разрешению директора вносит заместитель директора [004 §7.4]."
        )
    if (refusal := _not_approved(c)) is not None:
        return refusal
    if c.scope != CELLS:
        return DomainError(
            f"Заявка № {c.id} открывает записи: их исправляют в журнале, указав заявку."
        )
    return _expired(c, today)


LESSON_WRITES = ("text", "attendance", "work_types", "marks")


def authorize_lesson_write(
    uow: UnitOfWork,
    ctx: LessonCtx,
    kind: str,
    *,
    lock_class: str = "current",
    scope: str,
    student_id: int | None = None,
    correction_id: int | None = None,
) -> WriteGrant:
    """The correction named (if any), then the ``Judge`` decision of this ``kind`` of write
    ("text", "attendance", "work_types", "marks"); raises the refusal."""
    return authorize_facts(
        uow,
        lesson_facts(uow.session, ctx),
        ctx.course.id or 0,
        kind,
        lock_class=lock_class,
        scope=scope,
        student_id=student_id,
        correction_id=correction_id,
    )


def authorize_facts(
    uow: UnitOfWork,
    facts: LessonFacts,
    course_id: int,
    kind: str,
    *,
    lock_class: str = "current",
    scope: str,
    student_id: int | None = None,
    correction_id: int | None = None,
) -> WriteGrant:
    """``authorize_lesson_write`` on facts already read (``context.mark_target``)."""
    opened_by = None
    if correction_id is not None:
        corr = _correction(
            uow, correction_id, course_id, scope, student_id, lesson_id=facts.lesson_id
        )
        if corr.lesson_id is not None and corr.lesson_id != facts.lesson_id:
            raise DomainError(f"Заявка № {corr.id} открывает другой урок.")
        opened_by = corr.id
    judge = Judge.of(uow)
    opened = opened_by is not None
    decide = {
        "text": lambda: judge.lesson_text(facts, opened=opened),
        "attendance": lambda: judge.attendance(facts, opened=opened),
        "work_types": lambda: judge.work_types(facts, lock_class, opened=opened),
        "marks": lambda: judge.marks(facts, lock_class, opened=opened),
    }[kind]
    enforce(decide())
    return WriteGrant(opened_by)


def authorize_period_mark_write(
    uow: UnitOfWork,
    course: Course,
    klass: SchoolClass,
    period: PeriodLike,
    *,
    student_id: int,
    correction_id: int | None = None,
) -> WriteGrant:
    """Period marks (``Judge.period_mark``); after the lock the deputy under a correction."""
    opened_by = None
    if correction_id is not None:
        corr = _correction(
            uow,
            correction_id,
            course.id or 0,
            "period_marks",
            student_id,
            period_id=getattr(period, "id", None),
        )
        if corr.period_id is not None and corr.period_id != getattr(period, "id", None):
            raise DomainError(f"Заявка № {corr.id} открывает другой период.")
        opened_by = corr.id
    enforce(
        Judge.of(uow).period_mark(
            course.teacher_id,
            klass.class_teacher_id,
            period,
            opened=opened_by is not None,
            closed_year=closed_year_name(uow.session, klass.year_id),
        )
    )
    return WriteGrant(opened_by)
