"""How a lesson is described on the lesson and attendance screens (texts only, no widgets).

All of it is data from the core's read models, formatted; user text (class,
subject, room) is ``Content`` — never markup.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content

from zhurnal.tui.i18n import WEEKDAYS

if TYPE_CHECKING:
    from zhurnal.core.readmodels import AttendanceRow, LessonCard, LessonView

ABSENCE_ORDER = ("Н", "Б", "УП", "ОП")


def fmt_dt(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M")


def lesson_heading(card: LessonCard) -> str:
    """``понедельник, 23.11.2026, 1-й урок 08:30–09:15`` (not the server's locale)."""
    lesson = card.lesson
    return (
        f"{WEEKDAYS[lesson.date.weekday()]}, {lesson.date:%d.%m.%Y}, {lesson.number}-й урок "
        f"{card.starts_at:%H:%M}–{card.ends_at:%H:%M}"
    )


def lesson_short(card: LessonCard) -> str:
    """``23.11, 1-й урок, 5А Математика`` — for questions and lists."""
    lesson = card.lesson
    return f"{lesson.date:%d.%m}, {lesson.number}-й урок, {lesson.class_title} {lesson.subject}"


def lesson_place(card: LessonCard) -> Content:
    """``5А · Математика · 2 гр. · каб. 12`` with a «замена» badge; names are data."""
    lesson = card.lesson
    parts = [lesson.class_title, lesson.subject, lesson.subgroup, lesson.room]
    place = " · ".join(p for p in parts if p)
    if lesson.substitute:
        return Content.from_markup("$place  [reverse $accent] замена [/]", place=place)
    return Content(place)


def attendance_state(lesson: LessonView, rows: list[AttendanceRow] | None = None) -> str:
    """«Посещаемость отмечена в 10:02: Н 1, ОП 1» / «… все присутствуют» / «… не отмечена».

    Without the list (the lesson screen) the marks are only counted.
    """
    taken = lesson.attendance_taken_at
    if taken is None:
        return "Посещаемость не отмечена"
    when = f"{taken:%H:%M}" if taken.date() == lesson.date else f"{taken:%d.%m.%Y %H:%M}"
    late = " (с опозданием)" if lesson.attendance_late else ""
    text = f"Посещаемость отмечена в {when}{late}"
    if not lesson.absences_count:
        return f"{text}: все присутствуют"
    if rows is None:
        return f"{text}, пропуски и опоздания: {lesson.absences_count}"
    codes = [row.absence_code for row in rows if row.absence_code]
    return f"{text}: " + ", ".join(f"{c} {codes.count(c)}" for c in ABSENCE_ORDER if c in codes)


def deadline_text(card: LessonCard) -> str:
    """«Заполнить до 25.11 23:59; изменения закрываются 04.12.2026»."""
    lesson = card.lesson
    text = f"Заполнить до {lesson.entry_deadline:%d.%m %H:%M}"
    if lesson.homework_deadline is not None:
        text += f", Д/З до {lesson.homework_deadline:%d.%m %H:%M}"
    if lesson.checked_due:
        text += f" ({lesson.checked_due})"
    verb = "закрыты с" if lesson.locked else "закрываются"
    return f"{text}; изменения {verb} {lesson.lock_at:%d.%m.%Y}"


def late_text(card: LessonCard) -> str:
    late = [
        what
        for what, flag in (("тема", card.lesson.topic_late), ("Д/З", card.lesson.homework_late))
        if flag
    ]
    return f" ({', '.join(late)} — внесено с опозданием)" if late else ""


__all__ = [
    "attendance_state",
    "deadline_text",
    "fmt_dt",
    "late_text",
    "lesson_heading",
    "lesson_place",
    "lesson_short",
]
