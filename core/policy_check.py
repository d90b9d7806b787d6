"""``zhurnal policy check``: contradictions and gaps of a valid policy.

A *contradiction* is either two clauses of the regulation that give one key
different values (the preset's ``[[alternatives]]``) or values that cannot hold
together (an entry deadline after the edit lock, a rounding mark outside the
scale, a read-only class teacher who sets period marks, ...). A *gap* is a rule
key the regulation does not give: it has no entry in ``[sources]`` and the
preset's value is the usual practice, not the school's rule. A *warning* is a
value that is legal but probably a slip (an unknown key in ``[sources]``).  A value out
of its range (``core.policy_limits``) is a contradiction too: ``policy set`` and ``init``
refuse a policy with any contradiction of its values (``refusals``).

Only an invalid file is an error (``run_check`` returns 1); contradictions and
gaps are reported and the check still succeeds.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from zhurnal.core.clock import utc_offset
from zhurnal.core.errors import PolicyError
from zhurnal.core.policy import CITATION_KEYS, Policy, WorkTypeSpec, load_policy
from zhurnal.core.policy_limits import out_of_range
from zhurnal.core.throttle import HARD_LOCK_FAILURES

CONTRADICTION = "contradiction"
GAP = "gap"
WARNING = "warning"

# NIST SP 800-63B §5.1.1.2: memorized secrets chosen by the user are at least 8 characters.
NIST_MIN_PASSWORD = 8

# Every rule key a regulation may give, in report order, with its value in a Policy.
_VALUES: dict[str, Callable[[Policy], Any]] = {
    "scale.values": lambda p: p.mark_values,
    "scale.debt_mark": lambda p: p.debt_mark,
    "scale.period_values": lambda p: p.period_values,
    "work_types": lambda p: p.work_types,
    "work_types.due": lambda p: tuple((w.code, w.due, w.entry_days) for w in p.work_types),
    "deadlines.entry_days": lambda p: p.entry_days,
    "deadlines.homework_hours": lambda p: p.homework_hours,
    "deadlines.day_count": lambda p: p.deadline_day_count,
    "deadlines.period_marks_due_days": lambda p: p.period_marks_due_days,
    "locks.current_days": lambda p: p.lock_current_days,
    "locks.practical_days": lambda p: p.lock_practical_days,
    "locks.written_days": lambda p: p.lock_written_days,
    "locks.day_count": lambda p: p.lock_day_count,
    "locks.period_marks": lambda p: p.period_mark_lock,
    "locks.period_marks_days": lambda p: p.period_mark_lock_days,
    "locks.period_marks_open_days": lambda p: p.period_mark_open_days,
    "grade1.no_marks": lambda p: p.grade1_no_marks,
    "grade1.homework": lambda p: p.grade1_homework,
    "grade1.period_result": lambda p: p.grade1_period_result,
    "grade1.year_result": lambda p: p.grade1_year_result,
    "marks.oral_requires_presence": lambda p: p.oral_requires_presence,
    "class_teacher.period_marks_all_subjects": lambda p: p.ct_period_marks_all_subjects,
    "class_teacher.absence_reason": lambda p: p.ct_absence_reason,
    "class_teacher.absence_reason_working_days": lambda p: p.ct_absence_reason_working_days,
    "class_teacher.read_only": lambda p: p.ct_read_only,
    "rounding.thresholds": lambda p: p.rounding,
    "rounding.below": lambda p: p.rounding_below,
    "rounding.min_marks": lambda p: p.min_marks_for_period,
    "session.idle_lock_minutes": lambda p: p.idle_lock_minutes,
    "auth.max_failed_logins": lambda p: p.max_failed_logins,
    "auth.lockout_minutes": lambda p: p.lockout_minutes,
    "auth.min_password_length": lambda p: p.min_password_length,
}
RULE_KEYS: tuple[str, ...] = tuple(_VALUES)

# Keys whose value has no effect under another key's value: not reported as gaps then.
_INERT: dict[str, Callable[[Policy], bool]] = {
    "deadlines.day_count": lambda p: (
        p.entry_days == 0
        and all(w.entry_days in (None, 0) for w in p.work_types)
        and p.period_marks_due_days in (None, 0)
    ),
    "work_types.due": lambda p: all(
        w.due == "lesson" and w.entry_days is None for w in p.work_types
    ),
    "locks.period_marks_days": lambda p: p.period_mark_lock != "days_after",
    "grade1.homework": lambda p: not p.grade1_no_marks,
    "grade1.period_result": lambda p: not p.grade1_no_marks,
    "grade1.year_result": lambda p: not p.grade1_no_marks,
    "marks.oral_requires_presence": lambda p: not any(w.oral for w in p.work_types),
    "class_teacher.absence_reason_working_days": lambda p: not p.ct_absence_reason,
}

_LOCK_KEYS = {
    "current": "locks.current_days",
    "practical": "locks.practical_days",
    "written": "locks.written_days",
}
_LOCK_WHAT = {
    "current": "текущих отметок и посещаемости",
    "practical": "отметок за практические работы",
    "written": "отметок за письменные работы",
}
_DAY_COUNT = {"calendar": "календарных", "working": "рабочих"}


@dataclass(frozen=True)
class Finding:
    kind: str  # "contradiction" | "gap" | "warning"
    key: str
    message: str  # Russian


# --- formatting values ----------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def format_value(value: Any) -> str:
    """A policy value as a Russian reader sees it."""
    if value is None or value == "":
        return "нет"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "пусто"
        parts = []
        for item in value:
            if hasattr(item, "code") and hasattr(item, "weight"):
                oral = ", устный" if getattr(item, "oral", False) else ""
                parts.append(
                    f"{item.name} (вес {_number(item.weight)}, запрет «{item.lock}»{oral})"
                )
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                parts.append(f"{format_value(item[0])} → {format_value(item[1])}")
            else:
                parts.append(format_value(item))
        return ", ".join(parts)
    return str(value)


def _value_text(policy: Policy, key: str) -> str:
    if key == "deadlines.homework_hours" and policy.homework_hours is None:
        return f"в срок записи отметок (deadlines.entry_days = {policy.entry_days})"
    if key == "locks.period_marks_open_days" and policy.period_mark_open_days is None:
        return "с начала периода"
    if key == "deadlines.period_marks_due_days" and policy.period_marks_due_days is None:
        return "до запрета редактирования итоговых отметок"
    if key == "work_types.due":
        return ", ".join(f"{w.name} — {_due_text(policy, w)}" for w in policy.work_types)
    return format_value(_VALUES[key](policy))


def _due_text(policy: Policy, w: WorkTypeSpec) -> str:
    if w.due == "checked":
        extra = f" + {w.entry_days} дн." if w.entry_days else ""
        return f"в день окончания проверки{extra}"
    days = policy.entry_days if w.entry_days is None else w.entry_days
    return f"{days} дн. после урока"


def _clause(policy: Policy, key: str) -> str:
    return policy.sources.get(key) or "по умолчанию"


# --- the checks -------------------------------------------------------------------------


def _alternatives(policy: Policy) -> list[Finding]:
    found = []
    for i, alt in enumerate(policy.alternatives):
        where = f"alternatives[{i}]"
        if not isinstance(alt, dict) or not isinstance(alt.get("key"), str) or "value" not in alt:
            found.append(
                Finding(WARNING, where, "запись без ключа «key» или значения «value» — пропущена.")
            )
            continue
        key = alt["key"]
        if key not in _VALUES:
            found.append(Finding(WARNING, key, f"{where}: неизвестный ключ правил — пропущен."))
            continue
        current = _VALUES[key](policy)
        other = alt["value"]
        if _same(current, other):
            continue
        clause = alt.get("clause") or "без пункта"
        text = alt.get("text")
        message = (
            f"{_value_text(policy, key)} [{_clause(policy, key)}] против "
            f"{format_value(other)} [{clause}]"
        )
        if text:
            message += f" — «{text}»"
        found.append(Finding(CONTRADICTION, key, message))
    return found


def _same(current: Any, other: Any) -> bool:
    if isinstance(current, tuple) and isinstance(other, list):
        return list(current) == other
    if current is None:
        return other in ("", None)
    return current == other


def _worst_calendar_days(days: int, day_count: str) -> int:
    """Calendar days N days may span: working days skip weekends (holidays add more)."""
    if day_count == "working" and days > 0:
        return days + 2 * math.ceil(days / 5)
    return days


def _deadlines_vs_locks(policy: Policy) -> list[Finding]:
    found = []
    used = {"current"} | {w.lock for w in policy.work_types}
    entry = policy.entry_days
    for lock_class in ("current", "practical", "written"):
        if lock_class not in used:
            continue
        lock = policy.lock_days(lock_class)
        key = _LOCK_KEYS[lock_class]
        entry_span = _worst_calendar_days(entry, policy.deadline_day_count)
        mixed = policy.deadline_day_count == "working" and policy.lock_day_count == "calendar"
        if entry > lock or (mixed and entry_span > lock):
            span_note = (
                f" (с выходными — до {entry_span} календарных)"
                if mixed and entry_span != entry
                else ""
            )
            found.append(
                Finding(
                    CONTRADICTION,
                    key,
                    (
                        f"срок записи {entry} {_DAY_COUNT[policy.deadline_day_count]} дн. "
                        f"[{_clause(policy, 'deadlines.entry_days')}]{span_note} длиннее запрета "
                        f"редактирования {_LOCK_WHAT[lock_class]} через {lock} "
                        f"{_DAY_COUNT[policy.lock_day_count]} дн. [{_clause(policy, key)}]: "
                        "учитель не сможет выполнить обязанность после запрета."
                    ),
                )
            )
    found.extend(_work_type_dues(policy))
    found.extend(_period_due(policy))
    hours = policy.homework_hours
    if hours is not None:
        if hours < 0:
            found.append(
                Finding(
                    CONTRADICTION,
                    "deadlines.homework_hours",
                    f"срок записи домашнего задания {_number(hours)} ч "
                    "отрицателен: задание окажется просроченным до конца урока.",
                )
            )
        elif hours >= 24 * (policy.lock_current_days + 1) and policy.lock_day_count == "calendar":
            found.append(
                Finding(
                    CONTRADICTION,
                    "deadlines.homework_hours",
                    (
                        f"домашнее задание можно записать в течение {_number(hours)} ч "
                        f"[{_clause(policy, 'deadlines.homework_hours')}], "
                        "а урок закрывается через "
                        f"{policy.lock_current_days} дн. "
                        f"[{_clause(policy, 'locks.current_days')}]: "
                        "срок наступает после запрета."
                    ),
                )
            )
    return found


def _work_type_dues(policy: Policy) -> list[Finding]:
    """A work type's own entry days after its lock: the marks could not be entered in time."""
    found = []
    for w in policy.work_types:
        if w.entry_days is None or w.due != "lesson":
            continue
        lock = policy.lock_days(w.lock)
        lock_clause = _clause(policy, _LOCK_KEYS[w.lock])
        if _worst_calendar_days(w.entry_days, policy.deadline_day_count) > lock:
            found.append(
                Finding(
                    CONTRADICTION,
                    "work_types.due",
                    (
                        f"«{w.name}»: срок записи отметок {w.entry_days} "
                        f"{_DAY_COUNT[policy.deadline_day_count]} дн. длиннее запрета "
                        f"редактирования {_LOCK_WHAT[w.lock]} через {lock} "
                        f"{_DAY_COUNT[policy.lock_day_count]} дн. [{lock_clause}]."
                    ),
                )
            )
    return found


def _period_due(policy: Policy) -> list[Finding]:
    """Period marks due after their lock: the teacher could not meet the deadline."""
    due = policy.period_marks_due_days
    if due is None:
        return []
    lock = policy.period_mark_lock_days if policy.period_mark_lock == "days_after" else 0
    due_span = _worst_calendar_days(due, policy.deadline_day_count)
    if due_span <= lock:
        return []
    return [
        Finding(
            CONTRADICTION,
            "deadlines.period_marks_due_days",
            (
                f"итоговые отметки выставляются в течение {due} "
                f"{_DAY_COUNT[policy.deadline_day_count]} дн. после периода "
                f"[{_clause(policy, 'deadlines.period_marks_due_days')}], а закрываются "
                + (
                    f"через {lock} дн. [{_clause(policy, 'locks.period_marks')}]"
                    if lock
                    else f"в конце периода [{_clause(policy, 'locks.period_marks')}]"
                )
                + ": срок наступает после запрета."
            ),
        )
    ]


def _duties(policy: Policy) -> list[Finding]:
    """A duty's clause must name the school's regulation like every source does."""
    return [
        Finding(WARNING, "duties", f"«{d.what}»: не указан пункт положения (clause).")
        for d in policy.duties
        if not d.clause
    ]


def _rounding(policy: Policy) -> list[Finding]:
    found = []
    thresholds = [t for t, _ in policy.rounding]
    if any(a <= b for a, b in pairwise(thresholds)):
        found.append(
            Finding(
                CONTRADICTION,
                "rounding.thresholds",
                (
                    f"пороги {format_value(thresholds)} не убывают строго: проверяются по порядку, "
                    "поэтому следующий порог никогда не сработает так, как задумано."
                ),
            )
        )
    marks = [("rounding.thresholds", m) for _, m in policy.rounding]
    marks.append(("rounding.below", policy.rounding_below))
    for key, mark in marks:
        if mark not in policy.mark_values:
            found.append(
                Finding(
                    CONTRADICTION,
                    key,
                    (
                        f"отметка «{mark}» не входит в шкалу scale.values "
                        f"({format_value(policy.mark_values)})."
                    ),
                )
            )
        elif mark not in policy.period_values:
            found.append(
                Finding(
                    CONTRADICTION,
                    key,
                    (
                        f"предлагаемая итоговая отметка «{mark}» не входит в итоговые отметки "
                        f"scale.period_values ({format_value(policy.period_values)}) — её нельзя "
                        "выставить."
                    ),
                )
            )
    return found


def _scale(policy: Policy) -> list[Finding]:
    found = []
    if policy.grade1_no_marks:
        for key, value, what in (
            ("grade1.period_result", policy.grade1_period_result, "итог 1-го класса за период"),
            ("grade1.year_result", policy.grade1_year_result, "итог 1-го класса за год"),
        ):
            if value not in policy.period_values:
                found.append(
                    Finding(
                        CONTRADICTION,
                        key,
                        (
                            f"{what} «{value}» [{_clause(policy, key)}] не входит в итоговые "
                            f"отметки scale.period_values ({format_value(policy.period_values)})."
                        ),
                    )
                )
    if policy.debt_mark and policy.debt_mark in policy.mark_values:
        found.append(
            Finding(
                CONTRADICTION,
                "scale.debt_mark",
                (
                    f"отметка долга «{policy.debt_mark}» совпадает с отметкой шкалы scale.values: "
                    "долг не отличить от оценки."
                ),
            )
        )
    for key, values in (
        ("scale.values", policy.mark_values),
        ("scale.period_values", policy.period_values),
    ):
        if not values:
            found.append(Finding(CONTRADICTION, key, "список отметок пуст."))
        if len(set(values)) != len(values):
            found.append(Finding(WARNING, key, f"отметки повторяются: {format_value(values)}."))
    return found


def _class_teacher(policy: Policy) -> list[Finding]:
    if not policy.ct_read_only:
        return []
    found = []
    clause = _clause(policy, "class_teacher.read_only")
    ro = f"классный руководитель только просматривает [{clause}]"
    if policy.ct_period_marks_all_subjects:
        key = "class_teacher.period_marks_all_subjects"
        found.append(
            Finding(
                CONTRADICTION,
                key,
                (
                    f"{ro}, но выставляет итоговые отметки по всем предметам "
                    f"[{_clause(policy, key)}]."
                ),
            )
        )
    if policy.ct_absence_reason:
        key = "class_teacher.absence_reason"
        found.append(
            Finding(
                CONTRADICTION,
                key,
                (f"{ro}, но исправляет причины пропусков [{_clause(policy, key)}]."),
            )
        )
    return found


def _period_marks(policy: Policy) -> list[Finding]:
    found = []
    if policy.period_mark_lock == "days_after" and policy.period_mark_lock_days == 0:
        found.append(
            Finding(
                CONTRADICTION,
                "locks.period_marks_days",
                (
                    f"запрет итоговых отметок «через N дней после периода» "
                    f"[{_clause(policy, 'locks.period_marks')}] при N = 0 — это запрет в день "
                    "окончания периода; укажите число дней или period_end."
                ),
            )
        )
    elif policy.period_mark_lock == "period_end" and policy.period_mark_lock_days > 0:
        found.append(
            Finding(
                WARNING,
                "locks.period_marks_days",
                (
                    f"{policy.period_mark_lock_days} дн. не действуют: "
                    "итоговые отметки закрываются "
                    "по окончании периода (locks.period_marks = period_end)."
                ),
            )
        )
    if policy.period_mark_open_days == 0 and policy.period_mark_lock == "period_end":
        found.append(
            Finding(
                WARNING,
                "locks.period_marks_open_days",
                (
                    "0 — итоговые отметки принимаются только в последний день периода: "
                    "пропустивший этот день учитель выставит их лишь по заявке на исправление."
                ),
            )
        )
    return found


def _security(policy: Policy) -> list[Finding]:
    found = []
    if policy.min_password_length < NIST_MIN_PASSWORD:
        found.append(
            Finding(
                CONTRADICTION,
                "auth.min_password_length",
                (
                    f"пароль от {policy.min_password_length} знаков короче минимума "
                    f"NIST SP 800-63B ({NIST_MIN_PASSWORD} знаков)."
                ),
            )
        )
    if policy.max_failed_logins <= 0 or policy.lockout_minutes <= 0:
        key = "auth.max_failed_logins" if policy.max_failed_logins <= 0 else "auth.lockout_minutes"
        value = (
            policy.max_failed_logins if policy.max_failed_logins <= 0 else policy.lockout_minutes
        )
        found.append(
            Finding(
                WARNING,
                key,
                f"{value} — паузы после неудачных попыток входа не вводятся: подбор пароля "
                f"остановит только блокировка после {HARD_LOCK_FAILURES} неудачных попыток "
                "подряд.",
            )
        )
    if policy.idle_lock_minutes == 0:
        found.append(
            Finding(
                WARNING,
                "session.idle_lock_minutes",
                "0 — простаивающий сеанс на общем компьютере не блокируется.",
            )
        )
    return found


def _limits(policy: Policy) -> list[Finding]:
    """Values out of their range (``core.policy_limits``): the register cannot use them."""
    return [Finding(CONTRADICTION, key, message) for key, message in out_of_range(policy)]


def _sources(policy: Policy) -> list[Finding]:
    return [
        Finding(WARNING, key, f"источник «{clause}» указан для неизвестного ключа правил.")
        for key, clause in policy.sources.items()
        if key not in _VALUES and key not in CITATION_KEYS
    ]


def _oral(policy: Policy) -> list[Finding]:
    """The absent-student rule needs at least one oral work type to mean anything."""
    if policy.oral_requires_presence and not any(w.oral for w in policy.work_types):
        return [
            Finding(
                WARNING,
                "marks.oral_requires_presence",
                (
                    "правило включено, но ни один вид работ не отмечен как устный "
                    "(work_types.oral = true): отметка отсутствующему ученику не проверяется."
                ),
            )
        ]
    return []


def _gaps(policy: Policy) -> list[Finding]:
    found = []
    for key in RULE_KEYS:
        if key in policy.sources:
            continue
        inert = _INERT.get(key)
        if inert is not None and inert(policy):
            continue
        found.append(
            Finding(
                GAP,
                key,
                "не установлено положением — взято значение по "
                f"умолчанию: {_value_text(policy, key)}",
            )
        )
    return found


_VALUE_STEPS = (
    _deadlines_vs_locks,
    _rounding,
    _scale,
    _class_teacher,
    _period_marks,
    _oral,
    _duties,
    _security,
    _sources,
)


def refusals(policy: Policy) -> list[Finding]:
    """The contradictions of the values (not of the regulation's clauses, which the
        preset has chosen between), the values out of range first: a policy with any is not
    put in force."""
    limits = _limits(policy)
    if limits:  # a value of the wrong kind or size: the rest may follow from it
        return limits
    return [f for step in _VALUE_STEPS for f in step(policy) if f.kind == CONTRADICTION]


def require_consistent(policy: Policy) -> Policy:
    """``policy`` unless it has ``refusals``: then a ``PolicyError`` naming every key."""
    found = refusals(policy)
    if not found:
        return policy
    lines = "\n".join(f"  {f.key}: {f.message}" for f in found)
    raise PolicyError(
        f"Правила не приняты, ничего не изменено. Исправьте в файле ({len(found)}):\n{lines}"
    )


def check(policy: Policy) -> list[Finding]:
    """Contradictions first (the regulation's, then the values'), then warnings and gaps."""
    findings = [*_alternatives(policy), *refusals(policy)]
    for step in _VALUE_STEPS:
        findings.extend(f for f in step(policy) if f.kind != CONTRADICTION)
    findings.extend(_gaps(policy))
    order = {CONTRADICTION: 0, WARNING: 1, GAP: 2}
    return sorted(findings, key=lambda f: order[f.kind])  # stable: keeps each kind's order


# --- the report ----------------------------------------------------------------------------

_GROUPS = ((CONTRADICTION, "Противоречия"), (WARNING, "Предупреждения"), (GAP, "Пробелы"))


def format_findings(policy: Policy, findings: list[Finding]) -> str:
    lines = [
        f"Проверка правил: {policy.name} (положение {policy.regulation})",
        f"Часовой пояс школы: {policy.time_zone} ({utc_offset(policy.time_zone)})",
    ]
    for kind, title in _GROUPS:
        group = [f for f in findings if f.kind == kind]
        if kind == WARNING and not group:
            continue
        lines.append("")
        if not group:
            lines.append(f"{title}: нет.")
            continue
        lines.append(f"{title} ({len(group)}):")
        lines.extend(f"  {f.key}: {f.message}" for f in group)
    counts = {kind: sum(f.kind == kind for f in findings) for kind, _ in _GROUPS}
    lines.append("")
    lines.append(
        f"Итого: противоречий — {counts[CONTRADICTION]}, пробелов — {counts[GAP]}, "
        f"предупреждений — {counts[WARNING]}."
    )
    return "\n".join(lines)


def run_check(path: str) -> int:
    """``zhurnal policy check FILE``: 1 only when the file is not a valid policy."""
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return 1
    print(format_findings(policy, check(policy)))
    return 0
