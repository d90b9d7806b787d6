"""Late corrections as read models [004 §7]: a request with its cells, and the change table.

- ``CorrectionView``: one request with its items (old -> new), who asked, decided and
  entered it, its status in words, and what the loading user may do with it
  (``can_decide`` / ``decide_why_not``, ``can_apply`` / ``apply_why_not``; the decisions
  are ``core.access``'s);
- ``list_corrections`` / ``get_correction``: the director and the deputy see every
  request, anyone else their own;
- ``lesson_correction_why_not``: whether the user may ask to change a locked lesson's
  topic, homework or attendance (the grid's cells: ``Gradebook.correction_why_not``).

The change table [004 §7.5] is ``core.readmodels.changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from zhurnal.core.access import (
    correction_apply_refusal,
    correction_decide_refusal,
    correction_request_refusal,
    may_write_lesson,
    require_read_lesson,
    why_not,
)
from zhurnal.core.actor import Actor
from zhurnal.core.context import lesson_ctx
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Assignment,
    Correction,
    CorrectionItem,
    Course,
    Lesson,
    Period,
    SchoolClass,
    Student,
    Subject,
    User,
    WorkType,
)
from zhurnal.core.rules import edit_lock_at, fmt_date
from zhurnal.core.uow import UnitOfWork

GROUNDS = {
    "illness": "пропуск уроков обучающимся по болезни или иной уважительной причине",
    "retake": "пересдача по уважительной причине",
    "rework": "отработка оценочных процедур",
    "teacher_absence": "пропуск уроков педагогом по болезни или иной уважительной причине",
    "other": "другая уважительная причина",
}
"""The grounds of a late change [004 §7.1]."""

ITEM_KINDS = {
    "mark": "отметка",
    "absence": "посещаемость",
    "period_mark": "итоговая отметка",
    "topic": "тема урока",
    "homework": "домашнее задание",
}
PRESENT = "был(а) на уроке"
EMPTY = "—"


@dataclass(frozen=True)
class CorrectionItemView:
    id: int
    kind: str  # mark | absence | period_mark | topic | homework
    label: str  # «12.11 Контрольная работа», «12.11, урок 2: посещаемость», «1 четверть»
    student_id: int | None
    student: str  # "" for a lesson's topic or homework
    old: str  # as stored ("" = empty, for an absence: present)
    new: str
    old_text: str  # for people: «—» for an empty cell, «был(а) на уроке» for no absence
    new_text: str


@dataclass(frozen=True)
class CorrectionView:
    id: int
    course_id: int
    lesson_id: int | None
    period_id: int | None
    student_id: int | None
    scope: str
    ground: str
    reason: str
    document_number: str
    document_date: date
    status: str  # requested | approved | rejected | applied
    requested_by_id: int
    decided_by_id: int | None
    valid_until: date | None
    version: int
    items: tuple[CorrectionItemView, ...] = ()
    class_title: str = ""
    subject: str = ""
    ground_text: str = ""
    requested_by: str = ""
    requested_at: datetime | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    applied_by: str = ""
    applied_at: datetime | None = None
    status_text: str = ""  # «ожидает решения», «утверждена до 10.12.2026», «отклонена», …
    can_decide: bool = False
    decide_why_not: str = ""
    can_apply: bool = False
    apply_why_not: str = ""

    @property
    def document(self) -> str:
        return f"№ {self.document_number} от {fmt_date(self.document_date)}"


def cell_label(
    kind: str,
    lesson: Lesson | None = None,
    work_type: str = "",
    period: str = "",
) -> str:
    """How people name a cell: «12.11 Контрольная работа», «12.11, урок 2: тема урока»."""
    if kind == "period_mark":
        return f"{period}: итоговая отметка" if period else "итоговая отметка"
    if lesson is None:
        return ITEM_KINDS.get(kind, kind)
    day = lesson.date.strftime("%d.%m")
    if kind == "mark":
        return f"{day} {work_type or 'отметка'}"
    return f"{day}, урок {lesson.number}: {ITEM_KINDS.get(kind, kind)}"


def value_text(kind: str, value: str) -> str:
    if value:
        return value
    return PRESENT if kind == "absence" else EMPTY


def status_text(c: Correction) -> str:
    if c.status == "requested":
        return "ожидает решения"
    if c.status == "approved":
        return f"утверждена до {fmt_date(c.valid_until)}" if c.valid_until else "утверждена"
    if c.status == "rejected":
        return "отклонена"
    if c.status == "applied":
        return "внесена"
    return c.status


def item_label(session: Session, item: CorrectionItem) -> str:
    lesson = session.get(Lesson, item.lesson_id) if item.lesson_id else None
    work_type = ""
    if item.assignment_id is not None:
        a = session.get(Assignment, item.assignment_id)
        wt = session.get(WorkType, a.work_type_id) if a else None
        work_type = (a.title if a and a.title else "") or (wt.name if wt else "")
    period = session.get(Period, item.period_id) if item.period_id else None
    return cell_label(item.kind, lesson, work_type, period.name if period else "")


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.full_name if user else ""


def correction_view(session: Session, actor: Actor, c: Correction) -> CorrectionView:
    """The request as the ``actor`` sees it (with what they may do with it now)."""
    course = session.get(Course, c.course_id)
    klass = session.get(SchoolClass, course.class_id) if course else None
    subject = session.get(Subject, course.subject_id) if course else None
    items = []
    for item in session.exec(
        select(CorrectionItem)
        .where(CorrectionItem.correction_id == c.id)
        .order_by(col(CorrectionItem.position), col(CorrectionItem.id))
    ):
        student = session.get(Student, item.student_id) if item.student_id else None
        items.append(
            CorrectionItemView(
                item.id or 0,
                item.kind,
                item_label(session, item),
                item.student_id,
                student.full_name if student else "",
                item.old_value,
                item.new_value,
                value_text(item.kind, item.old_value),
                value_text(item.kind, item.new_value),
            )
        )
    cid = c.id or 0
    decide = correction_decide_refusal(actor, c)
    apply = correction_apply_refusal(actor, c, actor.now().date())
    return CorrectionView(
        cid,
        c.course_id,
        c.lesson_id,
        c.period_id,
        c.student_id,
        c.scope,
        c.ground,
        c.reason,
        c.document_number,
        c.document_date,
        c.status,
        c.requested_by_id,
        c.decided_by_id,
        c.valid_until,
        c.version,
        items=tuple(items),
        class_title=klass.title if klass else "",
        subject=subject.name if subject else "",
        ground_text=GROUNDS.get(c.ground, c.ground),
        requested_by=_name(session, c.requested_by_id),
        requested_at=c.requested_at,
        decided_by=_name(session, c.decided_by_id),
        decided_at=c.decided_at,
        decision_note=c.decision_note,
        applied_by=_name(session, c.applied_by_id),
        applied_at=c.applied_at,
        status_text=status_text(c),
        can_decide=decide is None,
        decide_why_not=why_not(decide),
        can_apply=apply is None,
        apply_why_not=why_not(apply),
    )


OPEN_MINE = "Запись ещё открыта: исправьте её сами."
OPEN_THEIRS = "Запись ещё открыта: её исправляет учитель предмета."


def lesson_correction_why_not(db: Database, actor: Actor, lesson_id: int) -> str:
    """Why this user cannot request a correction of the lesson's topic, homework or
    attendance now, "" when they can: after the lock [004 §3.8], for the course's
    teacher, the class teacher, the deputy [004 §7.2] («Запросить корректировку» beside
    the lesson card's lock refusal; a mark cell: ``Gradebook.correction_why_not``)."""
    with reading(db, actor) as session:
        uow = UnitOfWork(session, actor, actor.now())
        ctx = lesson_ctx(uow, lesson_id)
        require_read_lesson(session, actor, ctx.lesson, ctx.course, ctx.klass)
        if uow.now < edit_lock_at(uow.policy, uow.calendar, ctx.lesson.date, "current"):
            mine = may_write_lesson(actor, ctx.course.teacher_id, ctx.lesson.held_by_id)
            return OPEN_MINE if mine else OPEN_THEIRS
        refusal = correction_request_refusal(
            actor, ctx.course.teacher_id, ctx.klass.class_teacher_id
        )
        return why_not(refusal)


def _sees(actor: Actor, c: Correction) -> bool:
    return actor.has("director", "deputy") or c.requested_by_id == actor.user_id


def list_corrections(
    db: Database, actor: Actor, status: str | None = None, *, course_id: int | None = None
) -> tuple[CorrectionView, ...]:
    """Requests, oldest first (of one course if given): the director and the deputy see
    all, others their own."""
    with reading(db, actor) as session:
        query = select(Correction).order_by(col(Correction.id))
        if status:
            query = query.where(Correction.status == status)
        if course_id is not None:
            query = query.where(Correction.course_id == course_id)
        if not actor.has("director", "deputy"):
            query = query.where(Correction.requested_by_id == actor.user_id)
        return tuple(correction_view(session, actor, c) for c in session.exec(query))


def get_correction(db: Database, actor: Actor, correction_id: int) -> CorrectionView:
    with reading(db, actor) as session:
        c = session.get(Correction, correction_id)
        if c is None:
            raise NotFound(f"Заявка на исправление не найдена (№ {correction_id}).")
        if not _sees(actor, c):
            raise PermissionDenied(
                "Заявку видят её автор, директор и заместитель директора [004 §7]."
            )
        return correction_view(session, actor, c)
