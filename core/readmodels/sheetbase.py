"""What every summary sheet shares: who may read it, the audit stamp, the class's stays.

Who reads the sheets: the class teacher of the class, the deputy, the director [004 §5]
— on the screen or with ``zhurnal report --as LOGIN`` alike (the CLI has no account of its
own that could read them). Anyone else gets ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from zhurnal.core.access import is_class_teacher
from zhurnal.core.actor import Actor
from zhurnal.core.audit import GENESIS, head_of
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.models import AuditEvent, Enrolment, SchoolClass, Student, User
from zhurnal.core.rules import fmt_date

SHEET_READERS = ("director", "deputy")


@dataclass(frozen=True)
class Stamp:
    """The audit chain's head when the sheet was read, and who read it when."""

    chain_head: str
    last_event_id: int
    taken_at: datetime
    taken_by: str


def may_read_sheets(actor: Actor, klass: SchoolClass | None) -> bool:
    if actor.has(*SHEET_READERS):
        return True
    return klass is not None and actor.has("teacher") and is_class_teacher(actor, klass)


def require_sheets(actor: Actor, klass: SchoolClass | None) -> None:
    if not may_read_sheets(actor, klass):
        whose = f" {klass.title}" if klass is not None else " школы"
        raise PermissionDenied(
            f"Сводные ведомости{whose} формируют классный руководитель, "
            "заместитель директора и директор [004 §5]."
        )


def stamp(session: Session, actor: Actor) -> Stamp:
    last_id, last_hash = head_of(session, lock=False)
    return Stamp(
        last_hash,
        last_id,
        actor.now(),
        f"{actor.full_name} ({actor.login})" if actor.user_id is None else actor.full_name,
    )


def stamp_holds(db: Database, last_event_id: int, chain_head: str) -> bool:
    """A printed sheet's stamp against a database: its event is there with that hash (later
    events extend the chain and leave it be); ``zhurnal verify`` checks the chain itself."""
    with db.read() as session:
        if last_event_id == 0:
            return chain_head == GENESIS
        event = session.get(AuditEvent, last_event_id)
        return event is not None and event.hash == chain_head


def get_class(session: Session, actor: Actor, class_id: int) -> SchoolClass:
    klass = session.get(SchoolClass, class_id)
    if klass is None:
        raise NotFound(f"Класс № {class_id} не найден.")
    require_sheets(actor, klass)
    return klass


def teacher_name(session: Session, klass: SchoolClass) -> str:
    user = session.get(User, klass.class_teacher_id) if klass.class_teacher_id else None
    return user.full_name if user else ""


@dataclass(frozen=True)
class Stay:
    student_id: int
    name: str
    start: date
    end: date | None


def stays(session: Session, class_id: int, start: date, end: date) -> list[Stay]:
    """The class's enrolments overlapping [start, end], by name (one per enrolment)."""
    rows = session.exec(
        select(Enrolment, Student)
        .join(Student, col(Student.id) == Enrolment.student_id)
        .where(
            Enrolment.class_id == class_id,
            Enrolment.start <= end,
            or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= start),
        )
    ).all()
    out = [Stay(s.id or 0, s.full_name, e.start, e.end) for e, s in rows]
    return sorted(out, key=lambda st: (st.name, st.student_id, st.start))


def present(stay: Stay, day: date) -> bool:
    return stay.start <= day and (stay.end is None or stay.end >= day)


def stay_note(stay: Stay, start: date, end: date) -> str:
    parts = []
    if stay.start > start:
        parts.append(f"прибыл(а) {fmt_date(stay.start)}")
    if stay.end is not None and stay.end < end:
        parts.append(f"выбыл(а) {fmt_date(stay.end)}")
    return ", ".join(parts)
