"""Отчёт о посещаемости класса по месяцам / сводная ведомость учёта посещаемости [004 §5]:
lessons missed per student and month, of which by illness (Б), for another valid reason
(УП) and without one (Н), and the lates (ОП) apart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Absence, Course, Lesson
from zhurnal.core.readmodels.sheetbase import (
    Stamp,
    get_class,
    stamp,
    stay_note,
    stays,
    teacher_name,
)
from zhurnal.core.rules import fmt_date


@dataclass(frozen=True)
class AttendanceCount:
    """Lessons missed (``missed`` = ill + excused + unexcused) and lates apart."""

    missed: int = 0
    ill: int = 0  # Б
    excused: int = 0  # УП
    unexcused: int = 0  # Н
    late: int = 0  # ОП

    def __add__(self, other: AttendanceCount) -> AttendanceCount:
        return AttendanceCount(
            self.missed + other.missed,
            self.ill + other.ill,
            self.excused + other.excused,
            self.unexcused + other.unexcused,
            self.late + other.late,
        )


CODE_FIELD = {"Б": "ill", "УП": "excused", "Н": "unexcused", "ОП": "late"}


def count_of(code: str) -> AttendanceCount:
    field = CODE_FIELD.get(code)
    if field is None:
        return AttendanceCount()
    if field == "late":
        return AttendanceCount(late=1)
    return AttendanceCount(missed=1, **{field: 1})


@dataclass(frozen=True)
class AttendanceSheetRow:
    student_id: int
    name: str
    months: tuple[AttendanceCount, ...]  # per ``AttendanceSheet.months``
    total: AttendanceCount
    note: str


@dataclass(frozen=True)
class AttendanceSheet:
    class_id: int
    class_title: str
    class_teacher: str
    start: date
    end: date
    months: tuple[date, ...]  # the first day of each month in [start, end]
    lessons: tuple[int, ...]  # lessons held in the class per month, up to today
    rows: tuple[AttendanceSheetRow, ...]
    month_totals: tuple[AttendanceCount, ...]
    total: AttendanceCount
    stamp: Stamp


def months_between(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def attendance_sheet(
    db: Database, actor: Actor, class_id: int, start: date, end: date
) -> AttendanceSheet:
    """Отчёт о посещаемости класса по месяцам / сводная ведомость посещаемости [004 §5]."""
    with reading(db, actor) as session:
        return read_attendance(session, actor, class_id, start, end)


def read_attendance(
    session: Session, actor: Actor, class_id: int, start: date, end: date
) -> AttendanceSheet:
    """``attendance_sheet`` in the caller's read transaction."""
    if end < start:
        raise ValidationError(f"Начало {fmt_date(start)} позже конца {fmt_date(end)}.")
    taken = stamp(session, actor)
    klass = get_class(session, actor, class_id)
    months = months_between(start, end)
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    held = (
        select(col(Lesson.id), col(Lesson.date))
        .join(Course, col(Course.id) == Lesson.course_id)
        .where(
            Course.class_id == class_id,
            Lesson.date >= start,
            Lesson.date <= end,
            Lesson.cancelled == False,  # noqa: E712 - SQL
        )
    )
    lessons = [0] * len(months)
    for _, day in session.exec(held):
        if day <= taken.taken_at.date():  # held, not only planned
            lessons[index[(day.year, day.month)]] += 1
    counts: dict[int, list[AttendanceCount]] = defaultdict(
        lambda: [AttendanceCount()] * len(months)
    )
    subquery = held.subquery()
    for student_id, code, day in session.exec(
        select(Absence.student_id, Absence.code, subquery.c.date).join(
            subquery, subquery.c.id == Absence.lesson_id
        )
    ):
        i = index[(day.year, day.month)]
        counts[student_id][i] = counts[student_id][i] + count_of(code)
    rows: list[AttendanceSheetRow] = []
    seen: set[int] = set()
    for stay in stays(session, class_id, start, end):
        if stay.student_id in seen:
            continue
        seen.add(stay.student_id)
        per_month = tuple(counts.get(stay.student_id, [AttendanceCount()] * len(months)))
        rows.append(
            AttendanceSheetRow(
                stay.student_id,
                stay.name,
                per_month,
                sum(per_month, AttendanceCount()),
                stay_note(stay, start, end),
            )
        )
    month_totals = tuple(
        sum((r.months[i] for r in rows), AttendanceCount()) for i in range(len(months))
    )
    return AttendanceSheet(
        class_id=class_id,
        class_title=klass.title,
        class_teacher=teacher_name(session, klass),
        start=start,
        end=end,
        months=tuple(months),
        lessons=tuple(lessons),
        rows=tuple(rows),
        month_totals=month_totals,
        total=sum(month_totals, AttendanceCount()),
        stamp=taken,
    )
