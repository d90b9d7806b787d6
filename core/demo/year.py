"""The demo school year: periods, holidays, and its study days (``core.calendar``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zhurnal.core.calendar import (
    FIVE_DAY_WEEK,
    TERM_KINDS,
    DayOff,
    Term,
    is_study_day,
    parse_grades,
)


@dataclass
class _Year:
    start: date
    end: date
    name: str
    periods: list[dict[str, Any]]
    holidays: list[dict[str, Any]]
    public: frozenset[date] = frozenset()
    terms: tuple[Term, ...] = ()
    days_off: tuple[DayOff, ...] = ()

    def study_day(self, d: date, grade: int, scheme: str) -> bool:
        """``core.calendar.is_study_day`` on the demo school's five-day week."""
        return is_study_day(d, grade, scheme, self.terms, self.days_off, FIVE_DAY_WEEK)


def _days(a: date, b: date) -> Iterable[date]:
    d = a
    while d <= b:
        yield d
        d += timedelta(days=1)


def school_year(today: date) -> _Year:
    """Periods and holidays of the school year that contains ``today``."""
    y = today.year if today.month >= 7 else today.year - 1

    def d(month: int, day: int) -> date:
        return date(y if month >= 7 else y + 1, month, day)

    periods: list[dict[str, Any]] = []
    for n, (a, b) in enumerate(
        [(d(9, 1), d(10, 24)), (d(11, 5), d(12, 28)), (d(1, 12), d(3, 20)), (d(3, 30), d(5, 26))],
        start=1,
    ):
        periods.append(
            dict(scheme="quarters", kind="quarter", number=n, name=f"{n} четверть", start=a, end=b)
        )
    for n, (a, b) in enumerate([(d(9, 1), d(12, 28)), (d(1, 12), d(5, 26))], start=1):
        periods.append(
            dict(scheme="halves", kind="half", number=n, name=f"{n} полугодие", start=a, end=b)
        )
    for scheme in ("quarters", "halves"):
        periods.append(
            dict(scheme=scheme, kind="year", number=1, name="Год", start=d(9, 1), end=d(5, 26))
        )
    feb = d(2, 15)
    feb_monday = feb - timedelta(days=feb.weekday())
    holidays: list[dict[str, Any]] = [
        dict(name="Осенние каникулы", start=d(10, 25), end=d(11, 4), kind="vacation", grades=""),
        dict(name="Зимние каникулы", start=d(12, 29), end=d(1, 11), kind="vacation", grades=""),
        dict(
            name="Дополнительные каникулы для первоклассников",
            start=feb_monday,
            end=feb_monday + timedelta(days=6),
            kind="vacation",
            grades="1",
        ),
        dict(name="Весенние каникулы", start=d(3, 21), end=d(3, 29), kind="vacation", grades=""),
        dict(name="Летние каникулы", start=d(5, 27), end=d(8, 31), kind="vacation", grades=""),
        dict(name="Новогодние каникулы", start=d(1, 1), end=d(1, 8), kind="public", grades=""),
    ]
    for month, day, name in [
        (11, 4, "День народного единства"),
        (2, 23, "День защитника Отечества"),
        (3, 8, "Международный женский день"),
        (5, 1, "Праздник Весны и Труда"),
        (5, 9, "День Победы"),
    ]:
        day_off = d(month, day)
        holidays.append(dict(name=name, start=day_off, end=day_off, kind="public", grades=""))
        if day_off.weekday() >= 5:
            moved = day_off + timedelta(days=7 - day_off.weekday())
            holidays.append(
                dict(
                    name=f"{name} (перенос выходного дня)",
                    start=moved,
                    end=moved,
                    kind="public",
                    grades="",
                )
            )
    public = frozenset(
        day for h in holidays if h["kind"] == "public" for day in _days(h["start"], h["end"])
    )
    terms = tuple(
        Term(p["scheme"], p["start"], p["end"]) for p in periods if p["kind"] in TERM_KINDS
    )
    days_off = tuple(
        DayOff(h["start"], h["end"], h["kind"] == "public", parse_grades(h["grades"]))
        for h in holidays
    )
    return _Year(
        start=d(9, 1),
        end=d(5, 31),
        name=f"{y}/{y + 1}",
        periods=periods,
        holidays=holidays,
        public=public,
        terms=terms,
        days_off=days_off,
    )
