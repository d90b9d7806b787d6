"""«Сроки положения»: every deadline of the school's policy, with its clause.

The lesson's deadlines (``[deadlines]``, the work types' ``due``), the edit locks, the
period marks' window, deadline and lock, the absence reasons, then the regulation's
other deadlines (``[[duties]]``: checks, reports, lists, printing, archiving) with the
day each next falls due in the current school year (``core.rules.duty_due``).  A row
whose key the regulation does not give says so («обычная практика»): its clause is "".
``zhurnal policy deadlines`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from zhurnal.core.clock import school_today
from zhurnal.core.models import Period, SchoolYear
from zhurnal.core.policy import Policy
from zhurnal.core.rules import duty_due, fmt_date
from zhurnal.core.uow import policy_of

GAP = "обычная практика"
"""Shown instead of a clause where the regulation gives no value."""
_DAYS = {"calendar": "календарных", "working": "рабочих"}
_LOCKED = {
    "current": "текущие отметки, посещаемость, темы и виды работ",
    "practical": "отметки за практические работы",
    "written": "отметки за письменные работы",
}


@dataclass(frozen=True)
class DeadlineRow:
    what: str
    when: str
    who: str
    clause: str  # "004 §3.8"; "" where the regulation gives none (``GAP``)
    next_due: date | None = None
    """For a duty: the day it next falls due in the current year (None: not known)."""


def _days(n: int, count: str) -> str:
    return f"{n} {_DAYS[count]} дн."


def _lesson_rows(p: Policy) -> list[DeadlineRow]:
    src = p.sources.get
    entry = (
        "в день урока"
        if p.entry_days == 0
        else "в течение " + _days(p.entry_days, p.deadline_day_count) + " после урока"
    )
    rows = [
        DeadlineRow(
            "Тема урока, текущие отметки, посещаемость",
            entry,
            "учитель",
            src("deadlines.entry_days", ""),
        ),
        DeadlineRow(
            "Домашнее задание",
            f"во время урока или в течение {p.homework_hours:g} ч после него".replace(".", ",")
            if p.homework_hours is not None
            else "в срок темы урока",
            "учитель",
            src("deadlines.homework_hours", ""),
        ),
    ]
    for w in p.work_types:
        if w.due == "lesson" and w.entry_days is None:
            continue
        if w.due == "checked":
            when = "в день окончания проверки работы (первой отметки за неё)"
            if w.entry_days:
                when += f" + {_days(w.entry_days, p.deadline_day_count)}"
        else:
            when = f"в течение {_days(w.entry_days or 0, p.deadline_day_count)} после урока"
        rows.append(DeadlineRow(f"Отметки: {w.name}", when, "учитель", src("work_types.due", "")))
    used = {"current"} | {w.lock for w in p.work_types}
    for lock in ("current", "practical", "written"):
        if lock in used:
            rows.append(
                DeadlineRow(
                    f"Изменение: {_LOCKED[lock]}",
                    f"до {_days(p.lock_days(lock), p.lock_day_count)} после урока, "
                    "затем только по разрешению директора",
                    "учитель",
                    src(f"locks.{lock}_days", ""),
                )
            )
    return rows


def _period_rows(p: Policy) -> list[DeadlineRow]:
    src = p.sources.get
    rows = []
    if p.period_mark_open_days is not None:
        rows.append(
            DeadlineRow(
                "Итоговые отметки: выставляются",
                f"с {p.period_mark_open_days} календарных дн. до конца периода",
                "учитель",
                src("locks.period_marks_open_days", ""),
            )
        )
    due = p.period_marks_due_days
    rows.append(
        DeadlineRow(
            "Итоговые отметки: срок",
            "до запрета изменения"
            if due is None
            else "в последний день периода"
            if due == 0
            else f"в течение {_days(due, p.deadline_day_count)} после периода",
            "учитель",
            src("deadlines.period_marks_due_days", ""),
        )
    )
    rows.append(
        DeadlineRow(
            "Итоговые отметки: изменение",
            "до конца периода"
            if p.period_mark_lock == "period_end"
            else f"до {_days(p.period_mark_lock_days, p.lock_day_count)} после периода",
            "учитель",
            src("locks.period_marks", ""),
        )
    )
    if p.ct_absence_reason:
        rows.append(
            DeadlineRow(
                "Причины пропусков",
                f"не позднее {p.ct_absence_reason_working_days} рабочих дн. после документа",
                "классный руководитель",
                src("class_teacher.absence_reason_working_days", ""),
            )
        )
    return rows


def policy_deadlines(policy: Policy) -> tuple[DeadlineRow, ...]:
    """Every deadline the policy states, in the order above; no dates."""
    duties = [DeadlineRow(d.what, d.when, d.whom, d.clause) for d in policy.duties]
    return (*_lesson_rows(policy), *_period_rows(policy), *duties)


def school_deadlines(session: Session, today: date | None = None) -> tuple[DeadlineRow, ...]:
    """The school's deadlines with the day each duty next falls due in the current year
    (none without a current year)."""
    policy = policy_of(session)
    rows = policy_deadlines(policy)
    year = session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712
    if year is None:
        return rows
    today = today or school_today(policy.time_zone)
    periods = [
        (a, b)
        for a, b in session.exec(
            select(col(Period.start), col(Period.end)).where(
                Period.year_id == year.id, col(Period.kind).in_(("quarter", "half"))
            )
        )
    ]
    n = len(rows) - len(policy.duties)
    dated = [
        replace(row, next_due=duty_due(duty, today, (year.start, year.end), periods))
        for row, duty in zip(rows[n:], policy.duties, strict=True)
    ]
    return (*rows[:n], *dated)


def format_deadlines(rows: tuple[DeadlineRow, ...]) -> str:
    """The rows as ``zhurnal policy deadlines`` prints them: one deadline a line."""
    lines = []
    for r in rows:
        who = f" ({r.who})" if r.who else ""
        due = f"; ближайший срок {fmt_date(r.next_due)}" if r.next_due else ""
        lines.append(f"{r.what}{who}: {r.when}{due} [{r.clause or GAP}]")
    return "\n".join(lines)


__all__ = ["GAP", "DeadlineRow", "format_deadlines", "policy_deadlines", "school_deadlines"]
