"""The school calendar as pure functions: study days and working days.

``is_study_day`` is the one answer to "are there lessons on this day for this
grade?", used by the timetable's lesson generation, the demo generator and the
rules' ``Calendar``: a day of the school week, inside a quarter or half-year of
the class's period scheme, outside the vacations of its grade and outside
public holidays.  ``Calendar.is_working_day`` (weekends and public holidays)
counts the working days of deadlines [004 §3.7].
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

TERM_KINDS = ("quarter", "half")
"""Period kinds in which lessons are held (a year, exam or final period is not a term)."""
SIX_DAY_WEEK = frozenset(range(6))
"""Monday to Saturday: a timetable slot may use any of them."""
FIVE_DAY_WEEK = frozenset(range(5))


@dataclass(frozen=True)
class Term:
    """A quarter or half-year of one period scheme ("quarters" | "halves")."""

    scheme: str
    start: date
    end: date


@dataclass(frozen=True)
class DayOff:
    """Vacation (каникулы, for some grades or all) or a public holiday (for everyone)."""

    start: date
    end: date
    public: bool = False
    grades: frozenset[int] = frozenset()  # empty: every grade

    def applies_to(self, grade: int) -> bool:
        return self.public or not self.grades or grade in self.grades

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class _PeriodLike(Protocol):
    scheme: str
    kind: str
    start: date
    end: date


class _HolidayLike(Protocol):
    start: date
    end: date
    kind: str
    grades: str


def parse_grades(text: str) -> frozenset[int]:
    """ "1" or "1,2" -> {1, 2}; "" -> {} (every grade)."""
    return frozenset(int(g) for g in text.split(",") if g.strip())


def term_of(period: _PeriodLike) -> Term | None:
    """The ``Term`` of a period row, None for a year, exam or final period."""
    if period.kind not in TERM_KINDS:
        return None
    return Term(period.scheme, period.start, period.end)


def day_off_of(holiday: _HolidayLike) -> DayOff:
    """The ``DayOff`` of a holiday row (kind "public" | "vacation", grades "" | "1,2")."""
    return DayOff(
        holiday.start, holiday.end, holiday.kind == "public", parse_grades(holiday.grades)
    )


def is_study_day(
    day: date,
    grade: int,
    scheme: str,
    terms: Iterable[Term],
    days_off: Iterable[DayOff],
    weekdays: Collection[int] = SIX_DAY_WEEK,
) -> bool:
    """Lessons are held on ``day`` for a class of ``grade`` on the ``scheme`` periods."""
    if day.weekday() not in weekdays:
        return False
    if not any(t.scheme == scheme and t.start <= day <= t.end for t in terms):
        return False
    return not any(off.covers(day) and off.applies_to(grade) for off in days_off)


def days(first: date, last: date) -> Iterable[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """The school's calendar: days off for counting working days (weekends and public
    holidays) and, when loaded, its terms and days off for ``is_study_day``."""

    public_holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})
    terms: tuple[Term, ...] = ()
    days_off: tuple[DayOff, ...] = ()

    def is_working_day(self, d: date) -> bool:
        return d.weekday() not in self.weekend and d not in self.public_holidays

    def is_study_day(
        self, d: date, grade: int, scheme: str, weekdays: Collection[int] = SIX_DAY_WEEK
    ) -> bool:
        return is_study_day(d, grade, scheme, self.terms, self.days_off, weekdays)

    def add_days(self, start: date, n: int, count: str) -> date:
        if count == "calendar":
            return start + timedelta(days=n)
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d
