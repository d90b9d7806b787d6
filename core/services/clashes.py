"""Timetable clashes: a teacher, a room or a class twice at one time (issue 9).

A weekly slot clashes with another slot on the same weekday and bell number whose
validity overlaps; a lesson on a date clashes with another lesson (not cancelled) on
that date and bell number.  Three kinds, checked in this order:

- the class: a whole-class course against any course of the same class; two
  subgroups of one class (different subgroup names) in parallel are fine;
- the teacher: the same teacher (for a lesson: whoever holds it, the substitute
  or the course teacher);
- the room: the same non-empty room.

The refusal names the other lesson: «Учитель Иванова А. П. уже ведёт 5Б Математика
во вторник 2-м уроком (каб. 12).»
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from zhurnal.core.context import keeper_id
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Course, Lesson, SchoolClass, Subject, TimetableSlot, User
from zhurnal.core.rules import fmt_date

WEEKDAYS_AT = ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу")


@dataclass(frozen=True)
class Placement:
    """What occupies (or would occupy) one bell: a course's class, teacher and room."""

    class_id: int
    class_title: str
    subject: str
    subgroup: str
    teacher_id: int
    teacher: str
    room: str

    @property
    def name(self) -> str:
        group = f" ({self.subgroup})" if self.subgroup else ""
        return f"{self.class_title} {self.subject}{group}"


def short_name(full_name: str) -> str:
    """ "Иванова Анна Петровна" -> "Иванова А. П."."""
    last, *rest = full_name.split() or [""]
    return " ".join([last, *(p[0] + "." for p in rest[:2] if p)])


def placement(
    session: Session, course: Course, room: str, teacher_id: int | None = None
) -> Placement:
    klass = session.get(SchoolClass, course.class_id)
    subject = session.get(Subject, course.subject_id)
    who = course.teacher_id if teacher_id is None else teacher_id
    user = session.get(User, who)
    return Placement(
        course.class_id,
        klass.title if klass else str(course.class_id),
        subject.name if subject else str(course.subject_id),
        course.subgroup,
        who,
        user.full_name if user else str(who),
        room.strip(),
    )


def clash_message(mine: Placement, other: Placement, when: str) -> str | None:
    """Why ``mine`` cannot take the bell ``other`` holds (None: they may share it)."""
    room = f"каб. {other.room}" if other.room else ""
    if mine.class_id == other.class_id and not (
        mine.subgroup and other.subgroup and mine.subgroup != other.subgroup
    ):
        extra = ", ".join(p for p in (room, f"учитель {short_name(other.teacher)}") if p)
        group = f" ({other.subgroup})" if other.subgroup else ""
        return f"У {other.class_title} уже стоит {other.subject}{group} {when} ({extra})."
    if mine.teacher_id == other.teacher_id:
        where = f" ({room})" if room else ""
        return f"Учитель {short_name(other.teacher)} уже ведёт {other.name} {when}{where}."
    if mine.room and mine.room.casefold() == other.room.casefold():
        return (
            f"Кабинет {other.room} уже занят: {other.name} {when} "
            f"(учитель {short_name(other.teacher)})."
        )
    return None


DAY_KEYS = ("пн", "вт", "ср", "чт", "пт", "сб")


def parse_weekday(text: str) -> int:
    """A weekday as typed: «пн»…«сб» (or a longer name, any case) or 1–6; 0 = Monday."""
    key = text.strip().lower()[:2]
    if key in DAY_KEYS:
        return DAY_KEYS.index(key)
    if key in ("1", "2", "3", "4", "5", "6"):
        return int(key) - 1
    raise ValidationError(f"День «{text}»: пн, вт, ср, чт, пт, сб (или 1–6).")


def slot_when(weekday: int, number: int) -> str:
    return f"{WEEKDAYS_AT[weekday]} {number}-м уроком"


def lesson_when(day: date, number: int) -> str:
    return f"{WEEKDAYS_AT[day.weekday()]} {fmt_date(day)} {number}-м уроком"


def slot_clash(
    session: Session,
    mine: Placement,
    weekday: int,
    number: int,
    valid_from: date,
    valid_to: date | None,
    ignore: Collection[int] = (),
) -> str | None:
    """The first clash of a slot with the other slots at its weekday and bell."""
    rows = session.exec(
        select(TimetableSlot, Course)
        .where(
            TimetableSlot.course_id == Course.id,
            TimetableSlot.weekday == weekday,
            TimetableSlot.number == number,
            col(TimetableSlot.valid_from) <= (valid_to or date.max),
        )
        .order_by(col(TimetableSlot.id))
    )
    for slot, course in rows:
        if slot.id in ignore or (slot.valid_to is not None and slot.valid_to < valid_from):
            continue
        other = placement(session, course, slot.room)
        message = clash_message(mine, other, slot_when(weekday, number))
        if message:
            return message
    return None


def lesson_clash(
    session: Session,
    mine: Placement,
    day: date,
    number: int,
    ignore: Collection[int] = (),
    *,
    teacher_only: bool = False,
) -> str | None:
    """The first clash of a lesson with the other lessons (not cancelled) at its date
    and bell.  ``teacher_only`` (a substitution): only the teacher may clash, and a
    teacher already with the same class at that bell (another subgroup) may take this
    lesson too (the groups are merged)."""
    rows = session.exec(
        select(Lesson, Course)
        .where(
            Lesson.course_id == Course.id,
            Lesson.date == day,
            Lesson.number == number,
            Lesson.cancelled == False,  # noqa: E712 - SQL
        )
        .order_by(col(Lesson.id))
    )
    for lesson, course in rows:
        if lesson.id in ignore:
            continue
        if teacher_only and course.class_id == mine.class_id:
            continue  # with this class already: the groups are merged for the lesson
        other = placement(
            session, course, lesson.room, keeper_id(course.teacher_id, lesson.held_by_id)
        )
        if teacher_only and mine.teacher_id != other.teacher_id:
            continue
        if teacher_only:
            mine = replace(mine, class_id=-1, room="")  # only the teacher is compared
        message = clash_message(mine, other, lesson_when(day, number))
        if message:
            return message
    return None
