"""The КТП's yardstick and its XLSX file.

The hours of a calendar-thematic plan must match the curriculum [004 §5 «Учитель-
предметник»: «количество часов в календарно-тематическом плане должно соответствовать
учебному плану»].  A course's yearly hours are ``hours_per_week × weeks of study``, where
the weeks of study of a class are its study days from Monday to Friday in the school year
— inside the quarters or half-years of its scheme, outside the vacations of its grade;
public holidays are counted, as the curriculum counts whole weeks — divided by 5 and
rounded (34 weeks in a usual year, 33 in grade 1 with its extra February week).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from zhurnal.core.calendar import FIVE_DAY_WEEK, day_off_of, days, is_study_day, term_of
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Course, Holiday, Period, SchoolClass, SchoolYear
from zhurnal.core.roster_file import xlsx_rows


@dataclass(frozen=True)
class YearlyHours:
    weeks: int
    per_week: float
    hours: int


def yearly_hours(session: Session, course: Course) -> YearlyHours:
    """The course's hours in the year by the curriculum (see the module)."""
    klass = session.get(SchoolClass, course.class_id)
    year = session.get(SchoolYear, klass.year_id) if klass else None
    if klass is None or year is None:
        return YearlyHours(0, course.hours_per_week, 0)
    periods = session.exec(select(Period).where(Period.year_id == year.id))
    terms = [t for t in (term_of(p) for p in periods) if t is not None]
    vacations = [
        day_off_of(h)
        for h in session.exec(
            select(Holiday).where(Holiday.year_id == year.id, Holiday.kind != "public")
        )
    ]
    count = sum(
        is_study_day(d, klass.grade, klass.period_scheme, terms, vacations, FIVE_DAY_WEEK)
        for d in days(year.start, year.end)
    )
    weeks = round(count / 5)
    return YearlyHours(weeks, course.hours_per_week, round(course.hours_per_week * weeks))


def hours_mismatch(total: int, expected: YearlyHours) -> str:
    """«» when the plan's total matches; else by how much it differs, with the figures."""
    if total == expected.hours:
        return ""
    diff = total - expected.hours
    how = f"на {diff} ч больше" if diff > 0 else f"на {-diff} ч меньше"
    per_week = f"{expected.per_week:g}"
    return (
        f"В плане {total} ч — {how}, чем по учебному плану: {per_week} ч в неделю × "
        f"{expected.weeks} учебных недель = {expected.hours} ч [004 §5]."
    )


def read_plan_xlsx(data: bytes) -> list[tuple[str, int]]:
    """A КТП from the first sheet of an XLSX workbook: columns «тема», «часы», a header
    row optional; empty rows skipped; errors name the row."""
    rows = xlsx_rows(
        data,
        "Файл плана не читается как книга Excel: он повреждён или это не XLSX "
        "(старый формат XLS сохраните как XLSX).",
    )
    result: list[tuple[str, int]] = []
    seen_first = False
    for line, row in rows:
        cells = [*row, None, None]
        topic_cell, hours_cell = cells[0], cells[1]
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        if not seen_first:
            seen_first = True
            header = [str(c or "").strip().lower() for c in (topic_cell, hours_cell)]
            if header[0] == "тема" or header[1] == "часы":
                if header != ["тема", "часы"]:
                    raise ValidationError(f"Строка {line}: ожидается заголовок «тема», «часы».")
                continue
        topic = str(topic_cell or "").strip()
        if not topic:
            raise ValidationError(f"Строка {line}: не указана тема.")
        result.append((topic, topic_hours(hours_cell, line)))
    if not result:
        raise ValidationError("В файле плана нет ни одной темы.")
    return result


MAX_TOPIC_HOURS = 400  # more than any subject has in a year (34 weeks × 10 hours)
MAX_TOPIC = 500  # characters of a topic


def topic_hours(cell: object, line: int) -> int:
    """The hours of a КТП line (a CSV text or an XLSX cell): a whole number from 1 to
    ``MAX_TOPIC_HOURS``, else a ``ValidationError`` naming the line."""
    if isinstance(cell, bool):
        cell = None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, str) and re.fullmatch(r"[0-9]{1,9}", cell.strip()):
        cell = int(cell.strip())
    if not isinstance(cell, int) or not 1 <= cell <= MAX_TOPIC_HOURS:
        shown = "" if cell is None else str(cell)[:40]
        raise ValidationError(
            f"Строка {line}: число часов «{shown}» (столбец 2) — нужно целое число от 1 до "
            f"{MAX_TOPIC_HOURS}."
        )
    return cell
