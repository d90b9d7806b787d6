"""The register's rules as pure functions of a policy, dates and values.

Nothing here touches the database; services gather the facts and call these
before they write.  Every refusal is a ``DomainError`` with a Russian message
that names the regulation clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from zhurnal.core.calendar import Calendar
from zhurnal.core.errors import DomainError, LockedError, ValidationError
from zhurnal.core.policy import Duty, Policy

ABSENCE_CODES = {
    "Н": "не был(а) без указания причины",
    "Б": "по болезни",
    "УП": "по уважительной причине",
    "ОП": "опоздание",
}
END_OF_DAY = time(23, 59, 59)


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def parse_date(text: str, what: str = "Дата") -> date:
    """A date as people type it: 25.11.2026, 25.11.26 or 2026-11-25."""
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        f"{what}: «{text.strip()}» не дата; введите ДД.ММ.ГГГГ, например 25.11.2026."
    )


def fmt_dt(d: datetime) -> str:
    return d.strftime("%d.%m.%Y %H:%M")


# --- deadlines and locks -------------------------------------------------------


def entry_deadline(policy: Policy, cal: Calendar, lesson_date: date) -> datetime:
    """Topic, marks and absences are due by the end of this day [004 §3.8: 2 days]."""
    last = cal.add_days(lesson_date, policy.entry_days, policy.deadline_day_count)
    return datetime.combine(last, END_OF_DAY)


def homework_deadline(
    policy: Policy, cal: Calendar, lesson_date: date, lesson_end: time
) -> datetime:
    """Homework is due hours after the lesson ends [002 §2.6], else with the rest."""
    if policy.homework_hours is None:
        return entry_deadline(policy, cal, lesson_date)
    return datetime.combine(lesson_date, lesson_end) + timedelta(hours=policy.homework_hours)


def mark_deadline(
    policy: Policy, cal: Calendar, lesson_date: date, work_type: str, checked_on: date | None
) -> datetime:
    """When a mark of this work type is due.

    A work type due with the lesson: ``entry_days`` after it [004 §3.8] (the work type's
    own ``entry_days`` when it has one).  A work marked after checking (``due = "checked"``):
    on the day its checking ends [002 §2.5] (plus the work type's ``entry_days``, 0 by
    default) — the day the teacher enters its first mark, ``checked_on``; None: the
    first mark is being entered now, so today is that day and nothing is late yet.
    """
    spec = policy.work_type(work_type)
    if spec is None or spec.due == "lesson":
        days = policy.entry_days if spec is None or spec.entry_days is None else spec.entry_days
        last = cal.add_days(lesson_date, days, policy.deadline_day_count)
        return datetime.combine(last, END_OF_DAY)
    if checked_on is None:
        return datetime.max
    last = cal.add_days(checked_on, spec.entry_days or 0, policy.deadline_day_count)
    return datetime.combine(last, END_OF_DAY)


def period_mark_due_at(policy: Policy, cal: Calendar, period_end: date) -> datetime:
    """Period marks are due ``deadlines.period_marks_due_days`` after the period's last day
    (0: on that day [004 §3.9], before the holidays [002 §2.7]); without that key, by the
    period-mark lock."""
    n = policy.period_marks_due_days
    if n is None:
        return period_mark_lock_at(policy, cal, period_end) - timedelta(seconds=1)
    return datetime.combine(cal.add_days(period_end, n, policy.deadline_day_count), END_OF_DAY)


def edit_lock_at(policy: Policy, cal: Calendar, lesson_date: date, lock_class: str) -> datetime:
    """The first moment a lesson's cells of this class are locked [004 §3.8].

    Editing is allowed through the last day of the lock period; from the next
    midnight only an approved correction opens the cells [004 §7].
    """
    last = cal.add_days(lesson_date, policy.lock_days(lock_class), policy.lock_day_count)
    return datetime.combine(last + timedelta(days=1), time.min)


def period_mark_lock_at(policy: Policy, cal: Calendar, period_end: date) -> datetime:
    """Period marks lock at the period's end [004 §3.8] or N days after [004 §6.3]."""
    last = period_end
    if policy.period_mark_lock == "days_after":
        last = cal.add_days(period_end, policy.period_mark_lock_days, policy.lock_day_count)
    return datetime.combine(last + timedelta(days=1), time.min)


def period_mark_open_from(policy: Policy, period_start: date, period_end: date) -> date | None:
    """The first day period marks are accepted: N calendar days before the period's end
    (``locks.period_marks_open_days``), never before the period begins; None when the
    policy sets no window (from the period's start)."""
    n = policy.period_mark_open_days
    if n is None:
        return None
    return max(period_start, period_end - timedelta(days=n))


def duty_due(
    duty: Duty,
    today: date,
    year: tuple[date, date],
    periods: Sequence[tuple[date, date]],
) -> date | None:
    """The day a duty of the regulation next falls due, seen on ``today`` in the school
    ``year`` (start, end) with its ``periods`` (start, end; of every scheme).

    ``every``: the end of today's day, week (Sunday), month, calendar half-year, period
    (the one under way, else the next) or school year.  ``at``: the year's start or end,
    the start or end of the period under way (else the next).  ``by`` «ДД.ММ»: that day
    of the school year — from its start on, so 30.06 is the June after it.  A date passed
    in the year (``at = "year_start"`` seen later) is returned as it is; None when no
    period is left.
    """
    start, end = year
    ahead = sorted((p for p in periods if p[1] >= today), key=lambda p: (p[1], p[0]))
    period = next(iter(ahead), None)
    if duty.by is not None:
        day, month = duty.by
        when = date(start.year, month, day)
        return when if when >= start else date(start.year + 1, month, day)
    if duty.at is not None:
        fixed = {"year_start": start, "year_end": end}
        if duty.at in fixed:
            return fixed[duty.at]
        if period is None:
            return None
        return period[0] if duty.at == "period_start" else period[1]
    if duty.every == "day":
        return today
    if duty.every == "week":
        return today + timedelta(days=6 - today.weekday())
    if duty.every == "month":
        following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return following - timedelta(days=1)
    if duty.every == "half_year":
        return date(today.year, 6, 30) if today.month <= 6 else date(today.year, 12, 31)
    if duty.every == "period":
        return period[1] if period is not None else None
    return end


def is_late(now: datetime, deadline: datetime) -> bool:
    return now > deadline


# --- refusals -------------------------------------------------------------------
#
# Each returns the ``DomainError`` a write must raise, or None; ``core.access`` calls
# them for the services (raise) and the read models (``why_not``), so a screen shows
# the very message the service would give.  ``cite`` names the school's own clause.


def _cited(policy: Policy, key: str) -> tuple[str, str | None]:
    return policy.cite(key), policy.sources.get(key)


LOCK_WHAT = {
    "current": "текущие отметки",
    "practical": "отметки за практические работы",
    "written": "отметки за письменные работы",
}
"""What a lock class closes, for the marks of a column; a lesson's other parts are named
by the caller (тема и домашнее задание, отметки посещаемости, виды работ)."""


def lock_refusal(
    policy: Policy,
    now: datetime,
    lock_at: datetime,
    lesson_date: date,
    what: str,
    lock_class: str,
) -> LockedError | None:
    """After the edit lock only a director-approved correction opens the cells [004 §3.8, §7]."""
    if now < lock_at:
        return None
    cite, clause = _cited(policy, f"locks.{lock_class}_days")
    return LockedError(
        f"Урок {lesson_date:%d.%m}: {what} закрыты для изменений с "
        f"{fmt_date(lock_at.date())}{cite}.",
        clause=clause,
    )


def period_lock_refusal(
    policy: Policy, now: datetime, lock_at: datetime, period_name: str
) -> LockedError | None:
    """Period marks lock at the period's end or N days after [004 §3.8, §6.3]."""
    if now < lock_at:
        return None
    cite, clause = _cited(policy, "locks.period_marks")
    return LockedError(
        f"{period_name}: итоговые отметки закрыты для изменений с "
        f"{fmt_date(lock_at.date())}{cite}.",
        clause=clause,
    )


def not_started_refusal(
    policy: Policy, now: datetime, lesson_start: datetime, what: str
) -> DomainError | None:
    """No marks or attendance for a lesson that has not begun [004 §3.8, §6.3]."""
    if now >= lesson_start:
        return None
    cite, clause = _cited(policy, "rules.no_advance")
    return DomainError(
        f"Нельзя ставить {what} «вперёд»: урок начнётся {fmt_dt(lesson_start)}{cite}.",
        clause=clause,
    )


def period_not_started_refusal(
    policy: Policy, now: datetime, period_start: date, period_name: str
) -> DomainError | None:
    if now.date() >= period_start:
        return None
    cite, clause = _cited(policy, "rules.no_advance_period")
    return DomainError(
        f"Нельзя выставлять итоговую отметку «вперёд»: {period_name} начнётся "
        f"{fmt_date(period_start)}{cite}.",
        clause=clause,
    )


def period_window_refusal(
    policy: Policy, now: datetime, open_from: date | None, period_name: str
) -> DomainError | None:
    """Period marks are set at the end of the period, not weeks ahead of it
    (``locks.period_marks_open_days``; e.g. the last week [002 §2.7])."""
    if open_from is None or now.date() >= open_from:
        return None
    cite, clause = _cited(policy, "locks.period_marks_open_days")
    name = period_name[:1].lower() + period_name[1:]
    return DomainError(
        f"Итоговые отметки за {name} выставляются с {fmt_date(open_from)}{cite}.",
        clause=clause,
    )


def not_enrolled(name: str, group: str, day: date) -> DomainError:
    """The student is not in the class (or subgroup) on that day: their cells are closed."""
    return DomainError(f"{name} не числится в {group} на {fmt_date(day)}.")


# --- grade 1 -------------------------------------------------------------------


def marks_given(policy: Policy, grade: int) -> bool:
    """False in grade 1 when the policy says so [004 §3.5]."""
    return not (grade == 1 and policy.grade1_no_marks)


def grade1_marks_refusal(policy: Policy, grade: int) -> DomainError | None:
    """In grade 1 no marks of any kind are given [004 §3.5]."""
    if marks_given(policy, grade):
        return None
    cite, clause = _cited(policy, "grade1.no_marks")
    return DomainError(f"В 1-м классе отметки не ставятся{cite}.", clause=clause)


def forced_homework(policy: Policy, grade: int) -> str | None:
    """The text the homework column must read (grade 1: «нет» [004 §3.5]), else None."""
    return None if marks_given(policy, grade) else policy.grade1_homework


def grade1_homework_explanation(policy: Policy) -> str:
    return (
        f"В 1-м классе домашнее задание не задаётся: в графе пишется "
        f"«{policy.grade1_homework}»{policy.cite('grade1.homework')}."
    )


def grade1_homework(policy: Policy, grade: int, text: str) -> str:
    """In grade 1 the homework column reads «нет» [004 §3.5]."""
    forced = forced_homework(policy, grade)
    if forced is None:
        return text
    if text.strip() and text.strip().lower() != forced.lower():
        raise DomainError(
            grade1_homework_explanation(policy), clause=policy.sources.get("grade1.homework")
        )
    return forced


def period_choices(policy: Policy, grade: int, period_kind: str) -> tuple[str, ...]:
    """The values a period mark may take in this class: grade 1 «н/оц» for a period and
    «осв» for the year [004 §3.5], else the school's period scale."""
    if marks_given(policy, grade):
        return policy.period_values
    if period_kind in ("year", "final"):
        return (policy.grade1_year_result,)
    return (policy.grade1_period_result,)


def check_period_value(policy: Policy, grade: int, period_kind: str, value: str) -> str:
    value = normalize_period_value(value)
    choices = period_choices(policy, grade, period_kind)
    if value in choices:
        return value
    if not marks_given(policy, grade):
        raise DomainError(
            f"В 1-м классе итог за период — «{policy.grade1_period_result}», за год — "
            f"«{policy.grade1_year_result}»{policy.cite('grade1.period_result')}.",
            clause=policy.sources.get("grade1.period_result"),
        )
    raise ValidationError(f"Итоговая отметка «{value}» не из шкалы школы: {', '.join(choices)}.")


# --- an absent student and an answer in class --------------------------------------

WHOLE_LESSON_ABSENCES = ("Н", "Б", "УП")
"""Codes of a student absent from the whole lesson; «ОП» (late) was there."""


def oral_mark_refusal(
    policy: Policy, work_type_code: str, name: str, absence: str | None
) -> DomainError | None:
    """No mark for an oral work type (``WorkTypeSpec.oral``, e.g. «Ответ на уроке») to a
    student absent from the whole lesson, when ``marks.oral_requires_presence`` is on.

    Written work handed in after an absence may still be marked: the regulations do not
    forbid it, so only the oral types are refused.
    """
    if absence not in WHOLE_LESSON_ABSENCES or work_type_code not in policy.oral_codes:
        return None
    spec = policy.work_type(work_type_code)
    what = spec.name if spec else work_type_code
    cite, clause = _cited(policy, "marks.oral_requires_presence")
    return DomainError(
        f"{name} не был(а) на уроке («{absence}»): за «{what}» отметку не ставят{cite}.",
        clause=clause,
    )


def absence_over_oral_refusal(
    policy: Policy, code: str | None, name: str, marks: Iterable[tuple[str, str]]
) -> DomainError | None:
    """Marking a student absent from the whole lesson (Н/Б/УП) who already has a mark for
    an oral work type in it is refused, naming the mark: the register would say both
    that they answered and that they were not there.  The teacher clears the mark first
    (or marks «ОП», late, which keeps the answer).  ``marks``: (work type code, value)."""
    if code not in WHOLE_LESSON_ABSENCES:
        return None
    oral = policy.oral_codes
    found = next(((wt, value) for wt, value in marks if wt in oral), None)
    if found is None:
        return None
    spec = policy.work_type(found[0])
    cite, clause = _cited(policy, "marks.oral_requires_presence")
    what = spec.name if spec else found[0]
    return DomainError(
        f"У {name} «{found[1]}» за «{what}»: отсутствие на всём уроке не "
        f"отметить. Сотрите отметку или поставьте «ОП»{cite}.",
        clause=clause,
    )


# --- values --------------------------------------------------------------------


def mark_value_refusal(policy: Policy, raw: str) -> ValidationError | None:
    """A value outside the school's scale, e.g. the debt mark «точка» (key «.») where the
    policy has none."""
    value = raw.strip().lower()
    if value in policy.mark_values:
        return None
    if policy.debt_mark and value in (policy.debt_mark.lower(), "."):
        return None
    allowed = ", ".join(policy.all_mark_values)
    if value in (".", "точка"):
        return ValidationError(f"Отметки «точка» нет в шкале школы: {allowed}.")
    return ValidationError(f"Отметка «{raw.strip()}» не из шкалы школы: {allowed}.")


def normalize_mark(policy: Policy, raw: str) -> str:
    if (refusal := mark_value_refusal(policy, raw)) is not None:
        raise refusal
    value = raw.strip().lower()
    if policy.debt_mark and value in (policy.debt_mark.lower(), "."):
        return policy.debt_mark
    return value


def normalize_period_value(raw: str) -> str:
    return raw.strip().lower()


def normalize_absence(code: str) -> str:
    value = code.strip().upper()
    if value not in ABSENCE_CODES:
        raise ValidationError(
            f"Код отсутствия «{code.strip()}» неизвестен: допустимы {', '.join(ABSENCE_CODES)}."
        )
    return value


def check_text(value: str, what: str, limit: int = 2000) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(f"{what}: слишком длинный текст ({len(text)} > {limit} знаков).")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(f"{what}: текст содержит управляющие символы.")
    return text


# --- averages and the suggested period mark --------------------------------------


def weighted_average(marks: Iterable[tuple[str, float]]) -> float | None:
    """Σ value·weight / Σ weight over numeric marks; debt marks do not count."""
    total = 0.0
    weights = 0.0
    for value, weight in marks:
        if value.isdigit():
            total += int(value) * weight
            weights += weight
    if weights == 0:
        return None
    return total / weights


def suggest_period_mark(policy: Policy, average: float | None, count: int) -> str | None:
    """The mark the policy's thresholds suggest; «н/а» when too few marks."""
    if count < policy.min_marks_for_period or average is None:
        return "н/а" if "н/а" in policy.period_values else None
    for threshold, mark in policy.rounding:
        if average >= threshold - 1e-9:
            return mark
    return policy.rounding_below
