"""The sane range of every value of a policy: what ``policy set`` and ``init`` accept.

``parse_policy`` checks a file's structure and types (it also reads policies stored long
ago, so it stays lenient); this module bounds every field the way the register can use
it: a day count within a school year, a lockout that neither overflows a date nor is
switched off, at least one failed login before the lock and at most the 100 consecutive
failures NIST SP 800-63B §5.2.2 allows, marks that are short strings a grid cell shows,
names without control characters (they would drive the terminal).  Each finding names
its key, in Russian (``core.policy_check`` reports them as contradictions; the services
refuse a policy that has any).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any

from zhurnal.core.policy import Policy

MAX_DAYS = 366  # a school year
MAX_LOCKOUT_MINUTES = 7 * 24 * 60
MAX_IDLE_MINUTES = 24 * 60
MAX_FAILED_LOGINS = 100  # NIST SP 800-63B §5.2.2: no more than 100 consecutive failures
MAX_PASSWORD = 128
MAX_MARK = 10  # characters: a mark is shown in a grid cell
MAX_NAME = 200
MAX_VALUES = 30
MAX_WORK_TYPES = 50
MAX_WEIGHT = 100.0
MAX_THRESHOLD = 1000.0

# key, value, lowest (None: bounded below by a check of core.policy_check, with its own
# message), highest, unit (for the message)
_Bound = tuple[str, Callable[[Policy], Any], float | None, float, str]
_BOUNDS: tuple[_Bound, ...] = (
    ("deadlines.entry_days", lambda p: p.entry_days, 0, MAX_DAYS, "дней"),
    ("deadlines.homework_hours", lambda p: p.homework_hours, None, MAX_DAYS * 24, "часов"),
    ("locks.current_days", lambda p: p.lock_current_days, 0, MAX_DAYS, "дней"),
    ("locks.practical_days", lambda p: p.lock_practical_days, 0, MAX_DAYS, "дней"),
    ("locks.written_days", lambda p: p.lock_written_days, 0, MAX_DAYS, "дней"),
    ("locks.period_marks_days", lambda p: p.period_mark_lock_days, 0, MAX_DAYS, "дней"),
    ("locks.period_marks_open_days", lambda p: p.period_mark_open_days, 0, MAX_DAYS, "дней"),
    (
        "class_teacher.absence_reason_working_days",
        lambda p: p.ct_absence_reason_working_days,
        0,
        MAX_DAYS,
        "дней",
    ),
    ("rounding.min_marks", lambda p: p.min_marks_for_period, 0, 100, "отметок"),
    ("session.idle_lock_minutes", lambda p: p.idle_lock_minutes, 0, MAX_IDLE_MINUTES, "минут"),
    ("auth.max_failed_logins", lambda p: p.max_failed_logins, 1, MAX_FAILED_LOGINS, "попыток"),
    ("auth.lockout_minutes", lambda p: p.lockout_minutes, 1, MAX_LOCKOUT_MINUTES, "минут"),
    ("auth.min_password_length", lambda p: p.min_password_length, None, MAX_PASSWORD, "знаков"),
)


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)


def _bounded(key: str, value: Any, low: float | None, high: float, unit: str) -> str | None:
    if value is None:
        return None
    span = f"от {_number(low)} до {_number(high)}" if low is not None else f"до {_number(high)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{key}: нужно число {span} ({unit}), а не {value}."
    if value > high or (low is not None and value < low):
        shown = str(value) if len(str(value)) <= 20 else f"{str(value)[:20]}…"
        return f"{key}: {shown} — вне допустимого: {span} ({unit})."
    return None


def _text_problem(key: str, value: Any, longest: int, *, empty: bool = False) -> str | None:
    if not isinstance(value, str):
        return f"{key}: нужна строка в кавычках, а не {value!r}."
    if not value.strip() and not empty:
        return f"{key}: пустая строка — укажите значение."
    if len(value) > longest:
        return f"{key}: длиннее {longest} знаков."
    if any(unicodedata.category(c) == "Cc" for c in value):
        shown = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in value)
        return f"{key}: управляющие символы в «{shown[:60]}» — уберите их."
    return None


def _marks(key: str, values: tuple[Any, ...]) -> list[str]:
    if len(values) > MAX_VALUES:
        return [f"{key}: больше {MAX_VALUES} отметок."]
    found = [_text_problem(f"{key}[{i}]", v, MAX_MARK) for i, v in enumerate(values)]
    found += [
        f"{key}[{i}]: «{v}» — цифры отметки пишутся как 0–9."
        for i, v in enumerate(values)
        if isinstance(v, str) and v.isdigit() and not v.isascii()
    ]
    return [f for f in found if f]


def out_of_range(policy: Policy) -> list[tuple[str, str]]:
    """``(key, message)`` for every value out of its range or of the wrong kind."""
    found: list[str | None] = [_bounded(k, get(policy), lo, hi, u) for k, get, lo, hi, u in _BOUNDS]
    found += [
        _text_problem("meta.name", policy.name, MAX_NAME),
        _text_problem("meta.regulation", policy.regulation, MAX_NAME),
        _text_problem("scale.debt_mark", policy.debt_mark or "", MAX_MARK, empty=True),
        _text_problem("rounding.below", policy.rounding_below, MAX_MARK),
        _text_problem("grade1.homework", policy.grade1_homework, MAX_NAME, empty=True),
        _text_problem("grade1.period_result", policy.grade1_period_result, MAX_MARK),
        _text_problem("grade1.year_result", policy.grade1_year_result, MAX_MARK),
    ]
    found += _marks("scale.values", policy.mark_values)
    found += _marks("scale.period_values", policy.period_values)
    if len(policy.work_types) > MAX_WORK_TYPES:
        found.append(f"work_types: больше {MAX_WORK_TYPES} видов работ.")
    for i, w in enumerate(policy.work_types[:MAX_WORK_TYPES]):
        where = f"work_types[{i}]"
        found.append(_text_problem(f"{where}.code", w.code, 40))
        found.append(_text_problem(f"{where}.name", w.name, MAX_NAME))
        found.append(_bounded(f"{where}.weight", w.weight, 0, MAX_WEIGHT, "вес"))
    for i, (threshold, mark) in enumerate(policy.rounding):
        where = f"rounding.thresholds[{i}]"
        found.append(_bounded(where, threshold, 0, MAX_THRESHOLD, "средний балл"))
        found.append(_text_problem(where, mark, MAX_MARK))
    return [(m.split(":", 1)[0], m.split(": ", 1)[1]) for m in found if m]
