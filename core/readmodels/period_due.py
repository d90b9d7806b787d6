"""Period marks against their deadline, for «Заполнение журнала».

Period marks are due ``deadlines.period_marks_due_days`` after the period's last day
(0: on that day [004 §3.9], before the holidays [002 §2.7]; without the key, by their
lock: ``core.rules.period_mark_due_at``).  Over the periods of each class's scheme — its
quarters or half-years and its year — that end within a range, this counts per course
the students who still have no period mark once the deadline has passed (*overdue*)
and the period marks entered after it (*late*; one entered under an approved correction
is not).  A course's students are those in its class (and subgroup) on the period's
last day.  A few grouped queries, whatever the size of the school.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from zhurnal.core.models import Course, Period, PeriodMark, SchoolClass
from zhurnal.core.policy import Policy
from zhurnal.core.readmodels.completeness_query import Cond, rosters
from zhurnal.core.rules import period_mark_due_at
from zhurnal.core.uow import calendar_of

KINDS = ("quarter", "half", "year")
"""The periods every class gets a mark for (exam and final periods concern some grades)."""


@dataclass(frozen=True)
class PeriodDue:
    overdue: int = 0
    """Students without the period mark after its deadline (one per course and period)."""
    late: int = 0
    """Period marks entered after their deadline, not under a correction."""


def period_mark_dues(
    session: Session, policy: Policy, scope: Cond, start: date, end: date, now: datetime
) -> dict[int, PeriodDue]:
    """Course id -> its period marks against their deadline, for the periods of the class's
    scheme ending within ``start``..``end`` (see the module)."""
    cal = calendar_of(session)
    statement = (
        sql_select(
            col(Course.id),
            col(Course.class_id),
            col(Course.subgroup),
            col(Period.id),
            col(Period.end),
        )
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .join(
            Period,
            and_(
                col(Period.year_id) == SchoolClass.year_id,
                col(Period.scheme) == SchoolClass.period_scheme,
            ),
        )
        .where(scope, col(Period.kind).in_(KINDS), col(Period.end) >= start, col(Period.end) <= end)
    )
    pairs: list[Any] = list(session.connection().execute(statement).all())
    if not pairs:
        return {}
    due = {pid: period_mark_due_at(policy, cal, p_end) for _, _, _, pid, p_end in pairs}
    marks: dict[tuple[int, int], dict[int, tuple[datetime, int | None]]] = defaultdict(dict)
    for course_id, sid, period_id, at, correction in session.connection().execute(
        sql_select(
            col(PeriodMark.course_id),
            col(PeriodMark.student_id),
            col(PeriodMark.period_id),
            col(PeriodMark.entered_at),
            col(PeriodMark.correction_id),
        ).where(col(PeriodMark.period_id).in_(list(due)))
    ):
        marks[course_id, period_id][sid] = (at, correction)
    on_day = {p_end: rosters(session, scope, p_end, p_end) for *_, p_end in pairs}
    out: dict[int, PeriodDue] = {}
    for cid, class_id, subgroup, pid, p_end in pairs:
        given = marks.get((cid, pid), {})
        late = sum(1 for at, corr in given.values() if corr is None and at > due[pid])
        overdue = 0
        if now > due[pid]:
            roster = on_day[p_end](class_id, cid if subgroup else None)
            overdue = sum(1 for s in roster if s not in given)
        if late or overdue:
            was = out.get(cid, PeriodDue())
            out[cid] = PeriodDue(was.overdue + overdue, was.late + late)
    return out


__all__ = ["PeriodDue", "period_mark_dues"]
