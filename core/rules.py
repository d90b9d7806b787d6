"""The register's rules as pure functions of a policy, dates and values.

Nothing here touches the database; services gather the facts and call these
before they write.  Every refusal is a ``DomainError`` with a Russian message
that names the regulation clause.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from zhurnal.core.calendar import Calendar
from zhurnal.core.errors import DomainError, LockedError, ValidationError
from zhurnal.core.policy import Policy

ABSENCE_CODES = {
    "Н": "не был(а) без указания причины",
    "Б": "по болезни",
    "УП": "по уважительной причине",
    "ОП": "опоздание",
}
END_OF_DAY = time(23, 59, 59)


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


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


def is_late(now: datetime, deadline: datetime) -> bool:
    return now > deadline


LOCK_WHAT = {
    "current": "текущие отметки, посещаемость, темы и виды работ",
    "practical": "отметки за практические работы",
    "written": "отметки за письменные работы",
}


def check_not_locked(
    now: datetime, lock_at: datetime, what: str, lesson_date: date, cite: str = ""
) -> None:
    """``cite`` is the policy's clause for this lock, e.g. " [004 §3.8]"."""
    if now >= lock_at:
        raise LockedError(
            f"Урок {fmt_date(lesson_date)}: {what} закрыты для изменений "
            f"с {fmt_date(lock_at.date())}{cite}. Исправить можно только по разрешению "
            "директора (заявка на исправление) [004 §7].",
            clause=cite.strip(" []") or None,
        )


def check_period_not_locked(
    now: datetime, lock_at: datetime, period_name: str, cite: str = ""
) -> None:
    if now >= lock_at:
        raise LockedError(
            f"{period_name}: итоговые отметки закрыты для изменений с "
            f"{fmt_date(lock_at.date())}{cite}. Исправить можно только по разрешению "
            "директора [004 §7].",
            clause=cite.strip(" []") or None,
        )


# --- nothing "вперёд" ----------------------------------------------------------


def check_lesson_started(now: datetime, lesson_start: datetime, what: str) -> None:
    """No marks or attendance for a lesson that has not begun [004 §3.8, §6.3]."""
    if now < lesson_start:
        raise DomainError(
            f"Нельзя ставить {what} «вперёд»: урок начнётся {fmt_dt(lesson_start)} "
            "[004 §3.8].",
            clause="004 §3.8",
        )


def check_period_started(now: datetime, period_start: date, period_name: str) -> None:
    if now.date() < period_start:
        raise DomainError(
            f"Нельзя выставлять итоговую отметку «вперёд»: {period_name} начнётся "
            f"{fmt_date(period_start)} [004 §6.3].",
            clause="004 §6.3",
        )


# --- grade 1 -------------------------------------------------------------------


def check_mark_allowed_for_grade(policy: Policy, grade: int) -> None:
    """In grade 1 no marks of any kind are given [004 §3.5]."""
    if grade == 1 and policy.grade1_no_marks:
        raise DomainError(
            "В 1-м классе отметки не ставятся: ведутся только посещаемость и темы уроков"
            f"{policy.cite('grade1.no_marks')}.",
            clause=policy.sources.get("grade1.no_marks"),
        )


def grade1_homework(policy: Policy, grade: int, text: str) -> str:
    """In grade 1 the homework column reads «нет» [004 §3.5]."""
    if grade != 1 or not policy.grade1_no_marks:
        return text
    if text.strip() and text.strip().lower() != policy.grade1_homework.lower():
        raise DomainError(
            f"В 1-м классе домашнее задание не задаётся: в графе пишется "
            f"«{policy.grade1_homework}»{policy.cite('grade1.homework')}.",
            clause=policy.sources.get("grade1.homework"),
        )
    return policy.grade1_homework


def check_period_value(policy: Policy, grade: int, period_kind: str, value: str) -> str:
    value = normalize_period_value(value)
    if grade == 1 and policy.grade1_no_marks:
        expected = policy.grade1_year_result if period_kind in ("year", "final") else (
            policy.grade1_period_result
        )
        if value != expected:
            raise DomainError(
                f"В 1-м классе итог за период — «{policy.grade1_period_result}», за год — "
                f"«{policy.grade1_year_result}»{policy.cite('grade1.period_result')}.",
                clause=policy.sources.get("grade1.period_result"),
            )
        return value
    if value not in policy.period_values:
        raise ValidationError(
            f"Итоговая отметка «{value}» не из шкалы школы: "
            f"{', '.join(policy.period_values)}."
        )
    return value


# --- values --------------------------------------------------------------------


def normalize_mark(policy: Policy, raw: str) -> str:
    value = raw.strip().lower()
    if policy.debt_mark and value in (policy.debt_mark.lower(), "."):
        return policy.debt_mark
    if value not in policy.mark_values:
        allowed = ", ".join(policy.all_mark_values)
        raise ValidationError(f"Отметка «{raw.strip()}» не из шкалы школы: {allowed}.")
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
