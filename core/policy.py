"""A school's policy: every number and switch of the rules, from a TOML preset.

``data/policies/`` ships one preset per regulation in ``shared/regulations``.
``load_policy`` validates a file and raises ``PolicyError`` with a Russian
message naming the key; ``core.policy_check.check`` lists contradictions and
gaps of a valid policy.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from zhurnal.core.clock import DEFAULT_ZONE, ZONE_KEY, check_zone
from zhurnal.core.errors import PolicyError
from zhurnal.core.files import os_reason

LOCK_CLASSES = ("current", "practical", "written")
DAY_COUNTS = ("calendar", "working")


# [sources] keys that name the clause of a fixed rule (no value to set), so that every
# refusal cites the school's own regulation: nothing «вперёд» for lessons and for
# period marks, and the director-approved correction that opens a lock.
CITATION_KEYS = ("rules.no_advance", "rules.no_advance_period", "rules.corrections")


@dataclass(frozen=True)
class WorkTypeSpec:
    code: str
    name: str
    weight: float
    lock: str  # one of LOCK_CLASSES
    oral: bool = False  # given for an answer in class: needs the student there


@dataclass(frozen=True)
class Policy:
    name: str
    regulation: str
    # scale
    mark_values: tuple[str, ...]
    debt_mark: str | None  # e.g. "точка", None when the policy has none
    period_values: tuple[str, ...]
    work_types: tuple[WorkTypeSpec, ...]
    # entry deadlines (obligations; late entries are accepted and flagged)
    entry_days: int
    homework_hours: float | None  # hours after the lesson ends; None = same as entry_days
    deadline_day_count: str
    # edit locks (hard)
    lock_current_days: int
    lock_practical_days: int
    lock_written_days: int
    lock_day_count: str
    period_mark_lock: str  # "period_end" | "days_after"
    period_mark_lock_days: int
    # grade 1 [004 §3.5]
    grade1_no_marks: bool
    grade1_homework: str
    grade1_period_result: str
    grade1_year_result: str
    # a mark for an oral work type (``WorkTypeSpec.oral``) needs the student at the lesson
    oral_requires_presence: bool
    # class teacher
    ct_period_marks_all_subjects: bool
    ct_absence_reason: bool
    ct_absence_reason_working_days: int
    ct_read_only: bool
    # suggested period mark: average >= threshold -> mark, first match wins
    rounding: tuple[tuple[float, str], ...]
    rounding_below: str
    min_marks_for_period: int
    # sessions and auth
    idle_lock_minutes: int
    # failed password logins in a row that cost nothing; then pauses of 1, 2, 4 … minutes up
    # to ``lockout_minutes``, and a lock only an administrator lifts (``core.throttle``)
    max_failed_logins: int
    lockout_minutes: int
    min_password_length: int
    # period marks are accepted from N calendar days before the period's end; None: from the
    # period's start (a policy stored before the key existed)
    period_mark_open_days: int | None = None
    # the school's time zone (IANA): deadlines, locks and «today» are its wall clock
    time_zone: str = DEFAULT_ZONE
    sources: dict[str, str] = field(default_factory=dict)
    alternatives: tuple[dict[str, Any], ...] = ()
    toml_text: str = ""

    def cite(self, key: str) -> str:
        """ " [NNN §x.y]" — the clause of the school's regulation behind a key, or ""."""
        source = self.sources.get(key)
        return f" [{source}]" if source else ""

    def work_type(self, code: str) -> WorkTypeSpec | None:
        return next((w for w in self.work_types if w.code == code), None)

    @property
    def oral_codes(self) -> frozenset[str]:
        """Work types an absent student cannot get a mark for (empty when the switch is off)."""
        if not self.oral_requires_presence:
            return frozenset()
        return frozenset(w.code for w in self.work_types if w.oral)

    def lock_days(self, lock_class: str) -> int:
        return {
            "current": self.lock_current_days,
            "practical": self.lock_practical_days,
            "written": self.lock_written_days,
        }[lock_class]

    @property
    def all_mark_values(self) -> tuple[str, ...]:
        return self.mark_values + ((self.debt_mark,) if self.debt_mark else ())


def _get(d: dict[str, Any], path: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    node: Any = d
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is not ...:
                return default
            raise PolicyError(f"В настройках нет обязательного ключа «{path}».")
        node = node[part]
    if kind is float and isinstance(node, int) and not isinstance(node, bool):
        node = float(node)
    if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
        raise PolicyError(f"Ключ «{path}»: неверный тип значения {node!r}.")
    return node


def _choice(value: str, allowed: tuple[str, ...], path: str) -> str:
    if value not in allowed:
        raise PolicyError(f"Ключ «{path}»: «{value}» — допустимо: {', '.join(allowed)}.")
    return value


def _non_negative(value: int, path: str) -> int:
    if value < 0:
        raise PolicyError(f"Ключ «{path}»: число дней не может быть отрицательным.")
    return value


def parse_policy(text: str) -> Policy:
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"Файл настроек не читается как TOML: {exc}.") from exc

    work_types = []
    raw_types = _get(d, "work_types", list)
    if not raw_types:
        raise PolicyError("В настройках не задан ни один вид работ («work_types»).")
    for i, wt in enumerate(raw_types):
        where = f"work_types[{i}]"
        if not isinstance(wt, dict):
            raise PolicyError(f"Ключ «{where}» должен быть таблицей.")
        weight = _get(wt, "weight", float)
        oral = wt.get("oral", False)
        if not isinstance(oral, bool):
            raise PolicyError(f"Ключ «{where}.oral»: неверный тип значения {oral!r}.")
        if weight <= 0:
            raise PolicyError(f"Ключ «{where}.weight»: вес должен быть больше нуля.")
        work_types.append(
            WorkTypeSpec(
                code=_get(wt, "code", str),
                name=_get(wt, "name", str),
                weight=weight,
                lock=_choice(_get(wt, "lock", str), LOCK_CLASSES, f"{where}.lock"),
                oral=oral,
            )
        )
    codes = [w.code for w in work_types]
    if len(set(codes)) != len(codes):
        raise PolicyError("Коды видов работ («work_types.code») повторяются.")

    rounding = []
    for i, row in enumerate(_get(d, "rounding.thresholds", list)):
        if not (isinstance(row, list) and len(row) == 2):
            raise PolicyError(
                f"Ключ «rounding.thresholds[{i}]» должен быть парой [порог, отметка]."
            )
        threshold, mark = row
        if not isinstance(threshold, (int, float)) or not isinstance(mark, str):
            raise PolicyError(f'Ключ «rounding.thresholds[{i}]»: ожидается [число, "отметка"].')
        rounding.append((float(threshold), mark))

    homework_hours = _get(d, "deadlines.homework_hours", float, None)
    open_days = _get(d, "locks.period_marks_open_days", int, None)
    if open_days is not None:
        _non_negative(open_days, "locks.period_marks_open_days")
    debt = _get(d, "scale.debt_mark", str, "") or None
    sources = _get(d, "sources", dict, {})
    alternatives = tuple(_get(d, "alternatives", list, []))

    return Policy(
        name=_get(d, "meta.name", str),
        regulation=_get(d, "meta.regulation", str),
        mark_values=tuple(_get(d, "scale.values", list)),
        debt_mark=debt,
        period_values=tuple(_get(d, "scale.period_values", list)),
        work_types=tuple(work_types),
        entry_days=_non_negative(_get(d, "deadlines.entry_days", int), "deadlines.entry_days"),
        homework_hours=homework_hours,
        deadline_day_count=_choice(
            _get(d, "deadlines.day_count", str), DAY_COUNTS, "deadlines.day_count"
        ),
        lock_current_days=_non_negative(_get(d, "locks.current_days", int), "locks.current_days"),
        lock_practical_days=_non_negative(
            _get(d, "locks.practical_days", int), "locks.practical_days"
        ),
        lock_written_days=_non_negative(_get(d, "locks.written_days", int), "locks.written_days"),
        lock_day_count=_choice(_get(d, "locks.day_count", str), DAY_COUNTS, "locks.day_count"),
        period_mark_lock=_choice(
            _get(d, "locks.period_marks", str), ("period_end", "days_after"), "locks.period_marks"
        ),
        period_mark_lock_days=_non_negative(
            _get(d, "locks.period_marks_days", int, 0), "locks.period_marks_days"
        ),
        grade1_no_marks=_get(d, "grade1.no_marks", bool),
        grade1_homework=_get(d, "grade1.homework", str),
        grade1_period_result=_get(d, "grade1.period_result", str),
        grade1_year_result=_get(d, "grade1.year_result", str),
        oral_requires_presence=_get(d, "marks.oral_requires_presence", bool, True),
        ct_period_marks_all_subjects=_get(d, "class_teacher.period_marks_all_subjects", bool),
        ct_absence_reason=_get(d, "class_teacher.absence_reason", bool),
        ct_absence_reason_working_days=_get(d, "class_teacher.absence_reason_working_days", int),
        ct_read_only=_get(d, "class_teacher.read_only", bool),
        rounding=tuple(rounding),
        rounding_below=_get(d, "rounding.below", str),
        min_marks_for_period=_get(d, "rounding.min_marks", int),
        idle_lock_minutes=_get(d, "session.idle_lock_minutes", int),
        max_failed_logins=_get(d, "auth.max_failed_logins", int),
        lockout_minutes=_get(d, "auth.lockout_minutes", int),
        min_password_length=_get(d, "auth.min_password_length", int),
        period_mark_open_days=open_days,
        time_zone=check_zone(_get(d, ZONE_KEY, str, DEFAULT_ZONE)),
        sources={str(k): str(v) for k, v in sources.items()},
        alternatives=alternatives,
        toml_text=text,
    )


def shown_text(policy: Policy) -> str:
    """The stored TOML as ``zhurnal policy show`` prints it. A text stored before the time
    zone key gets the zone in force appended, so the output names it and an edited copy
    set back keeps it."""
    text = policy.toml_text
    table, key = ZONE_KEY.split(".")
    school = tomllib.loads(text).get(table)
    if isinstance(school, dict) and key in school:
        return text
    line = (
        "# Not in the stored rules: the default zone, in force until set otherwise.\n"
        f'{key} = "{policy.time_zone}"\n'
    )
    header = re.search(rf"^\[{table}\][ \t]*(#.*)?$\n?", text, re.MULTILINE)
    if header is not None:  # the table is there without the key
        return f"{text[: header.end()]}{line}{text[header.end() :]}"
    return f"{text.rstrip()}\n\n[{table}]\n{line}"


def load_policy(path: str | Path) -> Policy:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PolicyError(f"Файл настроек «{path}» не открывается: {os_reason(exc)}.") from None
    except UnicodeDecodeError:
        raise PolicyError(
            f"Файл настроек «{path}» — не текст в UTF-8: нужен файл правил TOML."
        ) from None
    return parse_policy(text)


def preset_names() -> list[str]:
    root = resources.files("zhurnal.data") / "policies"
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    root = resources.files("zhurnal.data") / "policies"
    candidate = root / f"{name}.toml"
    if not candidate.is_file():
        matches = [n for n in preset_names() if n.startswith(name)]
        if len(matches) != 1:
            raise PolicyError(
                f"Нет такого набора настроек «{name}». Есть: {', '.join(preset_names())}."
            )
        candidate = root / f"{matches[0]}.toml"
    return candidate.read_text(encoding="utf-8")


def load_preset(name: str) -> Policy:
    return parse_policy(preset_text(name))
