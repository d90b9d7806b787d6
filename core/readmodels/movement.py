"""Сводная ведомость учёта движения учащихся: arrivals, departures, transfers [004 §5].

Counting (``Enrolment.end`` is the last day in the class):

- ``at_start``: in the class (school) on ``start`` and on the day before (so a transfer
  on ``start`` within the school is no arrival);
- an arrival: an enrolment beginning in [start, end] (but not on the year's first day);
- a departure: an enrolment whose last day is in [start, end) (one whose last day is
  ``end`` itself is still there at the end and is the next period's departure);
- ``at_end``: in the class (school) on ``end``;

so ``at_end = at_start + arrivals − departures`` always holds.  The class lists of the
school year's first day are its contingent at the start, not arrivals: a sheet from
01.09 starts with them.  A transfer is a departure
from one class followed by the same student's arrival in another (on the same or the next
day).  School-wide a transfer is neither an arrival nor a departure; for one class it is
(from / to the other class), named in ``other_class``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Enrolment, SchoolClass, SchoolYear, Student
from zhurnal.core.readmodels.sheetbase import Stamp, get_class, require_sheets, stamp
from zhurnal.core.rules import fmt_date

ARRIVAL, DEPARTURE, TRANSFER = "arrival", "departure", "transfer"
KIND_NAMES = {ARRIVAL: "прибыл(а)", DEPARTURE: "выбыл(а)", TRANSFER: "переведён(а)"}


@dataclass(frozen=True)
class MovementEvent:
    day: date  # the first day in the class (arrival, transfer) or the last (departure)
    student_id: int
    name: str
    kind: str  # ARRIVAL | DEPARTURE | TRANSFER (school-wide only)
    class_title: str  # the class arrived in / left (a transfer: the new class)
    other_class: str  # the class transferred from / to ("" from or to outside the school)
    order: str  # приказ: of arrival, of departure
    reason: str  # the reason of a departure


@dataclass(frozen=True)
class MovementSheet:
    class_id: int | None
    scope: str  # "5А" or "школа"
    start: date
    end: date
    at_start: int
    arrivals: int
    departures: int
    transfers: int  # school-wide: transfers between classes; one class: in + out
    at_end: int
    events: tuple[MovementEvent, ...]
    stamp: Stamp


def movement_sheet(
    db: Database, actor: Actor, start: date, end: date, class_id: int | None = None
) -> MovementSheet:
    """Arrivals, departures and transfers between ``start`` and ``end`` (see the module)."""
    if end < start:
        raise ValidationError(f"Начало {fmt_date(start)} позже конца {fmt_date(end)}.")
    with reading(db, actor) as session:
        taken = stamp(session, actor)
        if class_id is not None:
            get_class(session, actor, class_id)
        else:
            require_sheets(actor, None)
        titles = {k.id: k.title for k in session.exec(select(SchoolClass))}
        opening: dict[int | None, date] = dict(
            session.exec(
                select(SchoolClass.id, SchoolYear.start).join(  # type: ignore[call-overload]
                    SchoolYear, col(SchoolYear.id) == SchoolClass.year_id
                )
            ).all()
        )
        rows = session.exec(
            select(Enrolment, Student)
            .join(Student, col(Student.id) == Enrolment.student_id)
            .where(
                Enrolment.start <= end,
                or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= start - timedelta(days=1)),
            )
        ).all()
    by_student: dict[int, list[Enrolment]] = {}
    for e, _ in rows:
        by_student.setdefault(e.student_id, []).append(e)
    names = {s.id: s.full_name for _, s in rows}

    def initial(e: Enrolment) -> bool:
        """On the class list from the school year's first day: no arrival."""
        return e.start == opening.get(e.class_id)

    def follower(e: Enrolment) -> Enrolment | None:
        """The same student's next enrolment in another class on the next day (a transfer)."""
        assert e.end is not None
        return next(
            (
                n
                for n in by_student[e.student_id]
                if n.class_id != e.class_id and e.end <= n.start <= e.end + timedelta(days=1)
            ),
            None,
        )

    def predecessor(e: Enrolment) -> Enrolment | None:
        return next(
            (
                p
                for p in by_student[e.student_id]
                if p.end is not None and p.class_id != e.class_id and follower(p) is e
            ),
            None,
        )

    mine = [e for e, _ in rows if class_id is None or e.class_id == class_id]
    events: list[MovementEvent] = []
    for e in mine:
        name = names.get(e.student_id, "")
        if start <= e.start <= end and not initial(e):
            before = predecessor(e)
            if before is None or class_id is not None:
                events.append(
                    MovementEvent(
                        e.start,
                        e.student_id,
                        name,
                        ARRIVAL,
                        titles.get(e.class_id, ""),
                        titles.get(before.class_id, "") if before else "",
                        e.order_in,
                        "",
                    )
                )
            else:
                events.append(
                    MovementEvent(
                        e.start,
                        e.student_id,
                        name,
                        TRANSFER,
                        titles.get(e.class_id, ""),
                        titles.get(before.class_id, ""),
                        e.order_in,
                        before.out_reason,
                    )
                )
        if e.end is not None and start <= e.end < end:
            after = follower(e)
            if after is None or class_id is not None:
                events.append(
                    MovementEvent(
                        e.end,
                        e.student_id,
                        name,
                        DEPARTURE,
                        titles.get(e.class_id, ""),
                        titles.get(after.class_id, "") if after else "",
                        e.order_out,
                        e.out_reason,
                    )
                )

    def there(e: Enrolment, day: date) -> bool:
        return e.start <= day and (e.end is None or e.end >= day)

    def present_on(day: date) -> set[int]:
        return {e.student_id for e in mine if there(e, day)}

    listed = {e.student_id for e in mine if initial(e) and there(e, start)}
    at_start = len(present_on(start) & (present_on(start - timedelta(days=1)) | listed))
    at_end = len(present_on(end))
    events.sort(key=lambda ev: (ev.day, ev.name, ev.kind))
    arrivals = sum(1 for ev in events if ev.kind == ARRIVAL)
    departures = sum(1 for ev in events if ev.kind == DEPARTURE)
    transfers = sum(1 for ev in events if ev.kind == TRANSFER or ev.other_class)
    return MovementSheet(
        class_id=class_id,
        scope=titles.get(class_id, "") if class_id is not None else "школа",
        start=start,
        end=end,
        at_start=at_start,
        arrivals=arrivals,
        departures=departures,
        transfers=transfers,
        at_end=at_end,
        events=tuple(events),
        stamp=taken,
    )
