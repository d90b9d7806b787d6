"""A closed school year is read-only [000 §5.2.1, 003 §6.5]: the floor under every write.

Layer: with ``models`` and ``db`` (see ``core/__init__``).  ``Database.write``'s sessions
(``WatchedSession``) watch their flushes: a new, changed or deleted row of the register
(lessons, assignments, marks, absences, period marks, enrolments, subgroups, courses,
classes, periods, holidays, timetable, КТП, corrections) that belongs to a closed year stops
the flush with a ``LockedError`` — whatever service, correction or revert asked for it, so
nothing of an archived year changes behind the archive copy.  The decisions a screen
shows (``core.access.Judge``) give the same message first, from ``closed_message``.

A mark's save (``services.marks``, the school's commonest write) goes in with plain
statements, which no flush sees: its floor is ``Judge``'s closed-year refusal, decided
on the year read in the same statement as the mark (``context.mark_target``).

The one exception is the year's own rollover: ``promoting()`` lets the promotion order
end the closed year's enrolments (and their subgroups) on its last day
(``core.services.rollover.apply_promotion``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from zhurnal.core.errors import LockedError
from zhurnal.core.models import (
    Absence,
    Assignment,
    Correction,
    CorrectionItem,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    PlanItem,
    SchoolClass,
    SchoolYear,
    SubgroupMember,
    TimetableSlot,
)

CLAUSE = "[000 §5.2.1]"
PROTECTED = (
    Absence,
    Assignment,
    Correction,
    CorrectionItem,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    PlanItem,
    SchoolClass,
    SubgroupMember,
    TimetableSlot,
)
PROMOTION_MAY_CHANGE = (Enrolment, SubgroupMember)

_promoting: ContextVar[bool] = ContextVar("zhurnal_promoting", default=False)


def closed_message(year_name: str) -> str:
    return (
        f"Учебный год {year_name} закрыт {CLAUSE}: его журнал только для чтения — "
        "записи и исправления в нём не принимаются (архивная копия уже сделана)."
    )


@contextmanager
def promoting() -> Iterator[None]:
    """The promotion order may end the closed year's enrolments on its last day."""
    token = _promoting.set(True)
    try:
        yield
    finally:
        _promoting.reset(token)


def year_of(session: Session, row: Any) -> int | None:
    """The school year a register row belongs to (None if it cannot be told)."""
    with session.no_autoflush:
        if isinstance(row, (SchoolClass, Period, Holiday)):
            return row.year_id
        if isinstance(row, Mark):
            row = session.get(Assignment, row.assignment_id)
        if isinstance(row, CorrectionItem):
            row = session.get(Correction, row.correction_id)
        if isinstance(row, (Assignment, Absence)):
            row = session.get(Lesson, row.lesson_id)
        if isinstance(row, (Lesson, PlanItem, TimetableSlot, PeriodMark, Correction)):
            row = session.get(Course, row.course_id)
        if isinstance(row, SubgroupMember):
            row = session.get(Course, row.course_id)
        class_id = getattr(row, "class_id", None) if row is not None else None
        klass = session.get(SchoolClass, class_id) if class_id is not None else None
        return klass.year_id if klass is not None else None


def closed_years(session: Session) -> dict[int, str]:
    with session.no_autoflush:
        rows = session.exec(
            select(SchoolYear.id, SchoolYear.name).where(SchoolYear.closed == True)  # noqa: E712
        ).all()
    return {year_id: name for year_id, name in rows if year_id is not None}


def _guard(session: Session, _context: object, _instances: object) -> None:
    rows = [
        row
        for row in (*session.new, *session.dirty, *session.deleted)
        if isinstance(row, PROTECTED)
    ]
    if not rows:
        return
    closed = closed_years(session)
    if not closed:
        return
    allowed = PROMOTION_MAY_CHANGE if _promoting.get() else ()
    for row in rows:
        if isinstance(row, allowed) and row not in session.deleted:
            continue
        year_id = year_of(session, row)
        if year_id in closed:
            raise LockedError(closed_message(closed[year_id]), clause=CLAUSE)


class WatchedSession(Session):
    """The sessions of ``Database.write``: their flushes refuse any write into a closed
    year (see the module docstring)."""


event.listen(WatchedSession, "before_flush", _guard)
