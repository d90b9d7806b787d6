"""core.calendar.is_study_day: one answer for the timetable, the demo and the rules."""

from __future__ import annotations

from datetime import date

import pytest

from zhurnal.core.calendar import FIVE_DAY_WEEK, Calendar, DayOff, Term, is_study_day, parse_grades

TERMS = (
    Term("quarters", date(2027, 1, 11), date(2027, 3, 20)),
    Term("halves", date(2027, 1, 11), date(2027, 5, 26)),
)
DAYS_OFF = (
    DayOff(date(2027, 2, 15), date(2027, 2, 21), grades=frozenset({1})),  # first graders' week
    DayOff(date(2027, 2, 23), date(2027, 2, 23), public=True),
    DayOff(date(2027, 3, 21), date(2027, 3, 29)),  # spring vacation, every grade
)


@pytest.mark.parametrize(
    ("day", "grade", "scheme", "weekdays", "expected"),
    [
        (date(2027, 2, 16), 5, "quarters", None, True),  # a Tuesday in term
        (date(2027, 2, 16), 1, "quarters", None, False),  # the extra break of grade 1
        (date(2027, 2, 23), 5, "quarters", None, False),  # public holiday, all grades
        (date(2027, 2, 20), 5, "quarters", None, True),  # Saturday of a six-day week
        (date(2027, 2, 20), 5, "quarters", FIVE_DAY_WEEK, False),  # ... not of a five-day week
        (date(2027, 2, 21), 5, "quarters", None, False),  # Sunday
        (date(2027, 3, 24), 10, "halves", None, False),  # spring vacation
        (date(2027, 3, 30), 5, "quarters", None, False),  # after the 3rd quarter
        (date(2027, 3, 30), 10, "halves", None, True),  # ... still the 2nd half-year
    ],
)
def test_is_study_day(day, grade, scheme, weekdays, expected) -> None:
    kwargs = {"weekdays": weekdays} if weekdays is not None else {}
    assert is_study_day(day, grade, scheme, TERMS, DAYS_OFF, **kwargs) is expected
    assert (
        Calendar(terms=TERMS, days_off=DAYS_OFF).is_study_day(day, grade, scheme, **kwargs)
        is expected
    )


def test_parse_grades() -> None:
    assert parse_grades("") == frozenset()
    assert parse_grades("1, 2") == frozenset({1, 2})
