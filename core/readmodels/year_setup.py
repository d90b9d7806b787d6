"""«Учебный год» as the administrator and the deputy set it up [004 §5]: the years, the
current one, its periods by scheme (with the grades whose classes study by it), its
vacations and public holidays, and the bell schedule.

Also the words of that setup, as people type them (``parse_grades_text`` «2-9»,
``parse_bell`` «1 08:30-09:15», the Russian names of schemes and kinds), and what
depends on a period or a holiday already (``period_in_use``, ``holiday_in_use``), which
the services refuse on and the screen shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from zhurnal.core.access import READ_ALL_ROLES
from zhurnal.core.actor import Actor
from zhurnal.core.calendar import TERM_KINDS
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Bell,
    Correction,
    CorrectionItem,
    Course,
    Holiday,
    Lesson,
    Period,
    PeriodMark,
    SchoolClass,
    SchoolYear,
)
from zhurnal.core.rules import fmt_date

SETUP_ROLES = ("admin", "deputy")
SCHEME_NAMES = {"quarters": "четверти", "halves": "полугодия"}
PERIOD_KIND_NAMES = {
    "quarter": "четверть",
    "half": "полугодие",
    "year": "год",
    "exam": "экзамены",
    "final": "итоговые",
}
HOLIDAY_KIND_NAMES = {"vacation": "каникулы", "public": "праздник"}
TYPICAL_GRADES = {"quarters": (1, 2, 3, 4, 5, 6, 7, 8, 9), "halves": (10, 11)}
"""Grades of a scheme while the year has no classes yet (a typical Russian school)."""
BELL_RE = re.compile(
    r"^\s*(\d{1,2})[\s.:;)-]+(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})\s*$"
)


@dataclass(frozen=True)
class YearRow:
    id: int
    name: str
    start: date
    end: date
    is_current: bool
    closed: bool
    version: int


@dataclass(frozen=True)
class PeriodRow:
    id: int
    scheme: str
    kind: str
    number: int
    name: str
    start: date
    end: date
    in_use: str  # why it cannot be removed ("" — nothing depends on it yet)


@dataclass(frozen=True)
class SchemeRow:
    scheme: str
    name: str  # «четверти»
    grades: tuple[int, ...]  # of the year's classes on this scheme (typical, if none yet)
    typical: bool  # the year has no classes: ``grades`` are the usual ones
    periods: tuple[PeriodRow, ...]

    @property
    def grades_text(self) -> str:
        """«1–9», «10, 11»; «нет классов» when no class of the year studies by it."""
        return grades_label(self.grades) if self.grades else "нет классов"


@dataclass(frozen=True)
class HolidayRow:
    id: int
    name: str
    start: date
    end: date
    kind: str
    grades: str  # "" — every grade, else "1" or "1,2"


@dataclass(frozen=True)
class BellRow:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class YearSetup:
    years: tuple[YearRow, ...]  # newest first
    year: YearRow | None  # the one shown: asked for, else the current, else the newest
    schemes: tuple[SchemeRow, ...]
    holidays: tuple[HolidayRow, ...]
    bells: tuple[BellRow, ...]
    editable: bool
    why_not: str  # why this user may not change it ("" when editable)


# --- the words of the setup -------------------------------------------------------


def grades_label(grades: str | tuple[int, ...]) -> str:
    """ "" -> «все»; (1, 2, 3, 5) -> «1–3, 5»."""
    values = (
        sorted(int(g) for g in grades.split(",") if g.strip())
        if isinstance(grades, str)
        else sorted(grades)
    )
    if not values:
        return "все"
    runs: list[list[int]] = []
    for g in values:
        if runs and g == runs[-1][-1] + 1:
            runs[-1].append(g)
        else:
            runs.append([g])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def parse_grades_text(text: str) -> str:
    """«2-9», «1», «1, 2, 5-7», «» (every grade) -> "2,3,…,9" as stored."""
    grades: set[int] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        low, sep, high = part.replace("–", "-").replace("—", "-").partition("-")
        bounds = (low, high) if sep else (low, low)
        if not all(re.fullmatch(r"[0-9]{1,2}", b) and 1 <= int(b) <= 11 for b in bounds):
            raise ValidationError(
                f"Классы (параллели): «{part}» — нужно число от 1 до 11 или диапазон, например 2-9."
            )
        first, last = int(bounds[0]), int(bounds[1])
        if last < first:
            raise ValidationError(f"Классы (параллели): «{part}» — диапазон задом наперёд.")
        grades.update(range(first, last + 1))
    return ",".join(str(g) for g in sorted(grades))


MAX_NUMBER_DIGITS = 9  # a row's number fits every engine's integer (PostgreSQL's is 2^31)


def parse_number(text: str, what: str) -> int:
    """«2» or «№ 2» -> 2: digits 0–9 only (not «²», not 10^20)."""
    digits = text.strip().removeprefix("№").strip()
    if not re.fullmatch(rf"[0-9]{{1,{MAX_NUMBER_DIGITS}}}", digits):
        shown = text if len(text) <= 40 else f"{text[:40]}…"
        raise ValidationError(f"{what}: «{shown}» — не номер (нужно число, например 2).")
    return int(digits)


def _code_of(text: str, names: dict[str, str]) -> str | None:
    """The code whose Russian name (or the code itself) is typed, at least 3 letters of
    the name; None if none is."""
    key = text.strip().lower()
    for code, name in names.items():
        if key in (code, name) or (len(key) >= 3 and name.startswith(key)):
            return code
    return None


def parse_scheme(text: str) -> str:
    """«четверти» / «полугодия» (or quarters / halves) -> the stored code."""
    code = _code_of(text, SCHEME_NAMES)
    if code is None:
        raise ValidationError(f"Схема «{text}»: четверти или полугодия.")
    return code


def parse_holiday_kind(text: str) -> str:
    """«каникулы» / «праздник» (or vacation / public) -> the stored code."""
    code = _code_of(text, HOLIDAY_KIND_NAMES)
    if code is None:
        raise ValidationError(f"Вид «{text}»: каникулы или праздник.")
    return code


def parse_bell(line: str) -> tuple[int, time, time]:
    """«1 08:30-09:15» -> (1, 08:30, 09:15)."""
    m = BELL_RE.match(line)
    if m is None:
        raise ValidationError(
            f"Звонок «{line.strip()}»: нужно «номер начало-конец», например «1 08:30-09:15»."
        )
    n, h1, m1, h2, m2 = (int(g) for g in m.groups())
    try:
        return n, time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValidationError(f"Звонок «{line.strip()}»: такого времени нет.") from None


def parse_bells_text(text: str) -> list[tuple[int, time, time]]:
    """One bell a line; empty lines and «#» comments are skipped."""
    return [
        parse_bell(line)
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def parse_period_kind(text: str, scheme: str) -> str:
    """«четверть» / «полугодие» (the scheme's term), «год», «экзамены», «итоговые»; empty:
    the scheme's term."""
    term = "quarter" if scheme == "quarters" else "half"
    if not text.strip():
        return term
    code = _code_of(text, PERIOD_KIND_NAMES)
    if code is None:
        raise ValidationError(
            f"Вид периода «{text}»: {PERIOD_KIND_NAMES[term]}, год, экзамены или итоговые."
        )
    if code in ("quarter", "half") and code != term:
        raise ValidationError(
            f"Вид «{text}» не подходит к схеме «{SCHEME_NAMES.get(scheme, scheme)}»."
        )
    return code


def default_period_name(kind: str, number: int) -> str:
    if kind in ("quarter", "half"):
        return f"{number} {PERIOD_KIND_NAMES[kind]}"
    return {"year": "Год", "exam": "Экзамены", "final": "Итоговая"}.get(kind, kind)


# --- what depends on a period or a holiday ------------------------------------------


def lessons_between(
    session: Session, year_id: int, start: date, end: date, scheme: str | None = None
) -> tuple[int, date | None]:
    """How many lessons of the year's classes (of ``scheme``, if given) lie in the dates,
    and the first one's date."""
    query = (
        select(func.count(col(Lesson.id)), func.min(Lesson.date))
        .join(Course, col(Course.id) == Lesson.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .where(SchoolClass.year_id == year_id, Lesson.date >= start, Lesson.date <= end)
    )
    if scheme is not None:
        query = query.where(SchoolClass.period_scheme == scheme)
    count, first = session.exec(query).one()
    return int(count or 0), first


def period_marked(session: Session, p: Period) -> str:
    """Why ``p`` keeps its dates: period marks or corrections given for it."""
    marks = session.exec(
        select(func.count(col(PeriodMark.id))).where(PeriodMark.period_id == p.id)
    ).one()
    if marks:
        return f"«{p.name}»: за него уже выставлены отметки ({marks})."
    asked = session.exec(select(Correction.id).where(Correction.period_id == p.id)).first()
    item = session.exec(select(CorrectionItem.id).where(CorrectionItem.period_id == p.id)).first()
    if asked is not None or item is not None:
        return f"«{p.name}»: на него ссылаются исправления журнала [004 §7]."
    return ""


def period_in_use(session: Session, p: Period) -> str:
    """Why ``p`` cannot be removed: its period marks, corrections or lessons."""
    marked = period_marked(session, p)
    if marked:
        return marked
    if p.kind in TERM_KINDS:
        count, first = lessons_between(session, p.year_id, p.start, p.end, p.scheme)
        if count and first is not None:
            return f"«{p.name}»: в его дни уже созданы уроки ({count}, первый — {fmt_date(first)})."
    return ""


def dropped_lessons(session: Session, p: Period, start: date, end: date) -> str:
    """Why ``p`` cannot shrink to ``start``–``end``: lessons on the days it would lose
    (they would be left outside every term of their classes)."""
    if p.kind not in TERM_KINDS:
        return ""
    query = (
        select(func.count(col(Lesson.id)), func.min(Lesson.date))
        .join(Course, col(Course.id) == Lesson.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .where(
            SchoolClass.year_id == p.year_id,
            SchoolClass.period_scheme == p.scheme,
            Lesson.date >= p.start,
            Lesson.date <= p.end,
            or_(Lesson.date < start, Lesson.date > end),
        )
    )
    count, first = session.exec(query).one()
    if not count or first is None:
        return ""
    return (
        f"«{p.name}»: на дни, которые выпадут из периода, уже созданы уроки ({count}, первый — "
        f"{fmt_date(first)}); они остались бы вне учебных периодов. Сократить период нельзя."
    )


def holiday_in_use(session: Session, h: Holiday, today: date, new_start: date | None) -> str:
    """Why ``h`` cannot be removed or moved: its days (or the new ones) have begun and the
    register of those days is kept already (lessons and their deadlines counted with it)."""
    first = min(h.start, new_start) if new_start is not None else h.start
    if first > today:
        return ""
    count, _ = lessons_between(session, h.year_id, first, today)
    if not count:
        return ""
    return (
        f"«{h.name}»: дни с {fmt_date(first)} уже прошли, а журнал за них ведётся "
        f"(уроков: {count}); уроки и сроки заполнения посчитаны с этими днями. "
        "Изменить или удалить нельзя."
    )


# --- the read model -------------------------------------------------------------------


def _year_row(y: SchoolYear) -> YearRow:
    return YearRow(y.id or 0, y.name, y.start, y.end, y.is_current, y.closed, y.version)


def year_setup(db: Database, actor: Actor, year_id: int | None = None) -> YearSetup:
    """The year ``year_id`` (else the current one, else the newest) as it is set up."""
    if not actor.has(*SETUP_ROLES, *READ_ALL_ROLES):
        raise PermissionDenied(
            "Настройки учебного года видят администратор, директор и заместитель директора."
        )
    with reading(db, actor) as s:
        years = list(s.exec(select(SchoolYear).order_by(col(SchoolYear.start).desc())))
        bells = tuple(
            BellRow(b.number, b.start, b.end)
            for b in s.exec(select(Bell).order_by(col(Bell.number)))
        )
        if year_id is not None:
            year = next((y for y in years if y.id == year_id), None)
            if year is None:
                raise NotFound(f"Учебный год не найден (№ {year_id}).")
        else:
            year = next((y for y in years if y.is_current), years[0] if years else None)
        schemes: tuple[SchemeRow, ...] = ()
        holidays: tuple[HolidayRow, ...] = ()
        if year is not None:
            schemes = _schemes(s, year)
            holidays = tuple(
                HolidayRow(h.id or 0, h.name, h.start, h.end, h.kind, h.grades)
                for h in s.exec(
                    select(Holiday)
                    .where(Holiday.year_id == year.id)
                    .order_by(col(Holiday.start), col(Holiday.id))
                )
            )
    why_not = ""
    if not actor.has(*SETUP_ROLES):
        why_not = "Учебный год настраивают администратор или заместитель директора [004 §5]."
    elif year is not None and year.closed:
        why_not = f"Учебный год {year.name} закрыт: изменения не принимаются."
    return YearSetup(
        tuple(_year_row(y) for y in years),
        _year_row(year) if year is not None else None,
        schemes,
        holidays,
        bells,
        editable=not why_not,
        why_not=why_not,
    )


def _schemes(s: Session, year: SchoolYear) -> tuple[SchemeRow, ...]:
    classes = list(s.exec(select(SchoolClass).where(SchoolClass.year_id == year.id)))
    periods = list(
        s.exec(
            select(Period)
            .where(Period.year_id == year.id)
            .order_by(col(Period.start), col(Period.number))
        )
    )
    rows = []
    for scheme, name in SCHEME_NAMES.items():
        grades = tuple(sorted({k.grade for k in classes if k.period_scheme == scheme}))
        rows.append(
            SchemeRow(
                scheme,
                name,
                grades if classes else TYPICAL_GRADES[scheme],
                not classes,
                tuple(
                    PeriodRow(
                        p.id or 0,
                        p.scheme,
                        p.kind,
                        p.number,
                        p.name,
                        p.start,
                        p.end,
                        period_in_use(s, p),
                    )
                    for p in periods
                    if p.scheme == scheme
                ),
            )
        )
    return tuple(rows)
