"""A class's list as the secretary keeps it: every stay in the class, current and past.

Nothing is ever deleted: a student who left (or moved to another class) is still listed
with the date and the order, after the current pupils [004 §5 «Секретарь»].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.live import reading
from zhurnal.core.models import Enrolment, Student
from zhurnal.core.readmodels.timetable_grid import LIST_ROLES, NO_LISTS, get_class


@dataclass(frozen=True)
class RosterLine:
    student_id: int
    full_name: str
    birth_date: date | None
    start: date
    order_in: str
    end: date | None  # the last day in the class
    order_out: str
    out_reason: str

    @property
    def left_on(self) -> date | None:
        """The first day the student is no longer in the class (None: still in it)."""
        return self.end + timedelta(days=1) if self.end else None

    def current(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class ClassRoster:
    class_id: int
    title: str
    day: date
    lines: tuple[RosterLine, ...]  # the pupils on ``day`` by name, then those who left

    @property
    def current(self) -> int:
        return sum(1 for line in self.lines if line.current(self.day))


def class_roster(db: Database, actor: Actor, class_id: int) -> ClassRoster:
    """Everyone who is or was in the class (administrator, administration, secretary)."""
    day = actor.now().date()
    with reading(db, actor) as session:
        if not actor.has(*LIST_ROLES):
            raise PermissionDenied(NO_LISTS)
        klass = get_class(session, class_id)
        rows = session.exec(
            select(Enrolment, Student)
            .where(Enrolment.student_id == Student.id, Enrolment.class_id == class_id)
            .order_by(col(Enrolment.start))
        )
        lines = [
            RosterLine(
                st.id or 0,
                st.full_name,
                st.birth_date,
                e.start,
                e.order_in,
                e.end,
                e.order_out,
                e.out_reason,
            )
            for e, st in rows
        ]
        lines.sort(key=lambda x: (not x.current(day), x.full_name.replace("Ё", "Е").lower()))
        return ClassRoster(class_id, klass.title, day, tuple(lines))
