"""A weekly lesson taken out of a class's timetable from a date (the slot ends).

The slot's last day becomes the day before ``from_date``; its empty lessons from that date
on are removed, and a lesson already held (any entry) or already begun is kept as it is,
as for a change from a date (``timetable_changes.change_slot``).  A slot ended on or before
its first day never applied: the row goes (the audit keeps what it was).  Who: the
administrator or the deputy director (the timetable is year setup [004 §5]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Lesson, TimetableSlot
from zhurnal.core.rules import fmt_date
from zhurnal.core.services.school import SETUP_ONLY, SETUP_ROLES
from zhurnal.core.services.timetable_changes import remove_empty_lessons
from zhurnal.core.uow import require, snapshot, unit_of_work


@dataclass(frozen=True)
class SlotEnd:
    """What ending a slot did: removed lessons, the kept ones (why), the slot gone."""

    removed: int
    kept: tuple[str, ...]
    slot_deleted: bool


def end_slot(
    db: Database,
    actor: Actor,
    slot_id: int,
    from_date: date,
    expected_version: int | None = None,
) -> SlotEnd:
    """No more lessons of the slot from ``from_date`` (see the module)."""
    with unit_of_work(db, actor, "slot.end") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        slot: TimetableSlot = uow.get(TimetableSlot, slot_id, "Урок расписания")
        uow.check_version(slot, expected_version, "Урок расписания")
        if slot.valid_to is not None and from_date > slot.valid_to:
            raise ValidationError(
                f"Урок расписания и так действует только по {fmt_date(slot.valid_to)}."
            )
        before = snapshot(slot, "course_id", "weekday", "number", "room", "valid_from", "valid_to")
        lessons = uow.session.exec(
            select(Lesson)
            .where(
                Lesson.course_id == slot.course_id,
                Lesson.number == slot.number,
                Lesson.date >= max(from_date, slot.valid_from),
                Lesson.date <= (slot.valid_to or date.max),
            )
            .order_by(col(Lesson.date))
        )
        removed, kept = remove_empty_lessons(uow, lessons, slot.weekday)
        deleted = from_date <= slot.valid_from
        after: dict[str, object] = {"removed": removed, "kept": kept}
        if deleted:
            uow.session.delete(slot)
            after["deleted"] = True
        else:
            slot.valid_to = from_date - timedelta(days=1)
            uow.touch(slot)
            after["valid_to"] = slot.valid_to
        uow.session.flush()
        uow.audit("slot.end", "timetable_slot", slot_id, before, after)
        return SlotEnd(removed, tuple(kept), deleted)
