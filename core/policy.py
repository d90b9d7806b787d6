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
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from zhurnal.core.clock import DEFAULT_ZONE, ZONE_KEY, check_zone
from zhurnal.core.errors import PolicyError
from zhurnal.core.files import os_reason

LOCK_CLASSES = ("current", "practical", "written")
DAY_COUNTS = ("calendar", "working")
# When a work type's marks are due: with the lesson's record (``deadlines.entry_days``
# after the lesson [004 §3.8]) or on the day the checking of the work ends [002 §2.5].
MARK_DUES = ("lesson", "checked")


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
    # "lesson": marks due ``entry_days`` after the lesson; "checked": on the day the checking
    # of the work ends (the day its first mark is entered) [002 §2.5]
    due: str = "lesson"
    # days after that day the marks are due; None: ``deadlines.entry_days`` for "lesson",
    # 0 (the same day) for "checked"
    entry_days: int | None = None


# A duty's schedule: at least this often (``every``), at a point of the school year
# (``at``), or by a day of it (``by``, «ДД.ММ»). Russian wording for each.
DUTY_EVERY = {
    "day": "ежедневно",
    "week": "не реже раза в неделю",
    "month": "не реже раза в месяц",
    "half_year": "раз в полугодие",
    "period": "каждый учебный период",
    "year": "раз в год",
}
DUTY_AT = {
    "year_start": "до начала учебного года",
    "period_start": "в начале каждого учебного периода",
    "period_end": "в конце каждого учебного периода",
    "year_end": "в конце учебного года",
}
DUTY_WHO = {
    "admin": "администратор",
    "director": "директор",
    "deputy": "заместитель директора",
    "secretary": "секретарь",
    "class_teacher": "классный руководитель",
    "teacher": "учитель",
}


@dataclass(frozen=True)
class Duty:
    """A deadline of the regulation outside a lesson (``[[duties]]``): a check of the
    register, a report, the class lists, printing, archiving. The register shows when
    each falls due (``core.rules.duty_due``); people do them."""

    what: str  # Russian: «Проверка ведения журнала»
    clause: str  # "000 §5.2.2"
    who: tuple[str, ...] = ()  # DUTY_WHO keys; () when the regulation names nobody
    every: str | None = None  # a DUTY_EVERY key
    at: str | None = None  # a DUTY_AT key
    by: tuple[int, int] | None = None  # (day, month)

    @property
    def when(self) -> str:
        """«не реже раза в месяц», «до 05.09», «в конце учебного года»."""
        if self.every is not None:
            return DUTY_EVERY[self.every]
        if self.at is not None:
            return DUTY_AT[self.at]
        day, month = self.by or (0, 0)
        return f"до {day:02d}.{month:02d}"

    @property
    def whom(self) -> str:
        return ", ".join(DUTY_WHO[w] for w in self.who)


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
    # period marks are due N days (``deadlines.day_count``) after the period's last day
    # (0: on that day [004 §3.9]); None: no deadline of their own, the lock is one
    period_marks_due_days: int | None = None
    # the regulation's other deadlines: checks, reports, lists, printing, archiving
    duties: tuple[Duty, ...] = ()
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


MAX_DUE_DAYS = 366
"""The longest deadline a policy may set in days: a school year."""


def _days(value: int, path: str) -> int:
    """A deadline's number of days: 0 (the same day) to ``MAX_DUE_DAYS``."""
    if not 0 <= value <= MAX_DUE_DAYS:
        raise PolicyError(
            f"Ключ «{path}»: срок в днях — целое число от 0 до {MAX_DUE_DAYS}, а не {value}."
        )
    return value


def _day_month(text: str, path: str) -> tuple[int, int]:
    """«05.09» -> (5, 9); a day every year has (29.02 is refused)."""
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", text.strip())
    if m is not None:
        day, month = int(m.group(1)), int(m.group(2))
        try:
            date(2001, month, day)
        except ValueError:
            pass
        else:
            return day, month
    raise PolicyError(f"Ключ «{path}»: «{text}» — не день года; нужно «ДД.ММ», например «05.09».")


def parse_duties(raw: list[Any]) -> tuple[Duty, ...]:
    """``[[duties]]``: each with ``what``, ``clause``, optional ``who`` (a list of roles)
    and exactly one of ``every``, ``at``, ``by``."""
    duties = []
    for i, item in enumerate(raw):
        where = f"duties[{i}]"
        if not isinstance(item, dict):
            raise PolicyError(f"Ключ «{where}» должен быть таблицей.")
        unknown = set(item) - {"what", "clause", "who", "every", "at", "by"}
        if unknown:
            raise PolicyError(
                f"Ключ «{where}»: неизвестные поля {', '.join(sorted(unknown))}; допустимы "
                "what, clause, who, every, at, by."
            )
        what = _get(item, "what", str).strip()
        if not what or len(what) > 200:
            raise PolicyError(f"Ключ «{where}.what»: нужно описание обязанности до 200 знаков.")
        who = _get(item, "who", list, [])
        for role in who:
            if not isinstance(role, str) or role not in DUTY_WHO:
                raise PolicyError(
                    f"Ключ «{where}.who»: «{role}» — допустимо: {', '.join(DUTY_WHO)}."
                )
        given = [k for k in ("every", "at", "by") if k in item]
        if len(given) != 1:
            raise PolicyError(
                f"Ключ «{where}»: укажите ровно одно из every, at, by — когда наступает срок."
            )
        every = _get(item, "every", str, None)
        at = _get(item, "at", str, None)
        by = _get(item, "by", str, None)
        duties.append(
            Duty(
                what=what,
                clause=_get(item, "clause", str).strip(),
                who=tuple(who),
                every=None
                if every is None
                else _choice(every, tuple(DUTY_EVERY), f"{where}.every"),
                at=None if at is None else _choice(at, tuple(DUTY_AT), f"{where}.at"),
                by=None if by is None else _day_month(by, f"{where}.by"),
            )
        )
    return tuple(duties)


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
        days = _get(wt, "entry_days", int, None)
        work_types.append(
            WorkTypeSpec(
                code=_get(wt, "code", str),
                name=_get(wt, "name", str),
                weight=weight,
                lock=_choice(_get(wt, "lock", str), LOCK_CLASSES, f"{where}.lock"),
                oral=oral,
                due=_choice(_get(wt, "due", str, "lesson"), MARK_DUES, f"{where}.due"),
                entry_days=None if days is None else _days(days, f"{where}.entry_days"),
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
    due_days = _get(d, "deadlines.period_marks_due_days", int, None)
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
        period_marks_due_days=(
            None if due_days is None else _days(due_days, "deadlines.period_marks_due_days")
        ),
        duties=parse_duties(_get(d, "duties", list, [])),
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
