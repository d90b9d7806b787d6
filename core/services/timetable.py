"""Timetable slots, lesson generation on study days, and the КТП (calendar-thematic plan).

A lesson is generated only on a study day: the slot's weekday, inside a
quarter or half-year of the class's scheme, outside the vacations of its grade
and outside public holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import (
    Bell,
    Course,
    Lesson,
    PlanItem,
    SchoolClass,
    TimetableSlot,
)
from zhurnal.core.roster_file import csv_lines
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.clashes import lesson_clash, placement, slot_clash
from zhurnal.core.services.plan_hours import (
    MAX_TOPIC,
    MAX_TOPIC_HOURS,
    hours_mismatch,
    topic_hours,
    yearly_hours,
)
from zhurnal.core.services.school import (
    MAX_GENERATE_DAYS,
    PLAN_ONLY,
    SETUP_ONLY,
    SETUP_ROLES,
    SlotView,
    _check_range,
    _slot_view,
    within_class_year,
)
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work


def add_slot(
    db: Database,
    actor: Actor,
    course_id: int,
    weekday: int,
    number: int,
    room: str,
    valid_from: date,
    valid_to: date | None = None,
) -> SlotView:
    """A weekly timetable slot, refused when it clashes (``clashes``): a class has one
    lesson at a time, except for subgroups (different subgroup names) of the same class in
    parallel; a teacher and a room one lesson at a time."""
    with unit_of_work(db, actor, "slot.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        course: Course = uow.get(Course, course_id, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        if not 0 <= weekday <= 5:
            raise ValidationError("День недели: от 0 (понедельник) до 5 (суббота).")
        if uow.session.get(Bell, number) is None:
            raise ValidationError(f"Урока № {number} нет в расписании звонков.")
        room = check_text(room, "Кабинет", 50)
        _check_range(valid_from, valid_to, "Расписание")
        within_class_year(uow, klass, valid_from, valid_to, "Расписание")
        message = slot_clash(
            uow.session, placement(uow.session, course, room), weekday, number, valid_from, valid_to
        )
        if message:
            raise ValidationError(message)
        slot = TimetableSlot(
            course_id=course_id,
            weekday=weekday,
            number=number,
            room=room,
            valid_from=valid_from,
            valid_to=valid_to,
            version=0,
        )
        uow.touch(slot)
        uow.session.flush()
        uow.audit(
            "slot.add",
            "timetable_slot",
            slot.id,
            None,
            snapshot(slot, "course_id", "weekday", "number", "room", "valid_from", "valid_to"),
        )
        return _slot_view(slot)


@dataclass(frozen=True)
class Generated:
    """What creating lessons did: how many were created, and the clashing ones not
    created (one line each, naming the other lesson)."""

    created: int
    not_created: tuple[str, ...]


def generate_lessons(db: Database, actor: Actor, start: date, end: date) -> int:
    """How many lessons ``generate`` created (see there)."""
    return generate(db, actor, start, end).created


def generate(db: Database, actor: Actor, start: date, end: date) -> Generated:
    """Create the lessons of every timetable slot on the study days in [start, end].

    A study day is ``core.calendar.is_study_day``: inside the quarters/half-years of
    the class's scheme, outside the vacations of its grade and public holidays. Idempotent:
    an existing lesson (course, date, number) is kept as is.  A lesson that would clash
    with another on that date (``clashes.lesson_clash``: e.g. its teacher substitutes
    elsewhere at that bell) is not created; the result and the audit list it.
    """
    with unit_of_work(db, actor, "lessons.generate") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        _check_range(start, end, "Создание уроков")
        if (end - start).days > MAX_GENERATE_DAYS:
            raise ValidationError("Создание уроков: не больше чем на учебный год за раз.")
        slots = list(uow.session.exec(select(TimetableSlot).order_by(col(TimetableSlot.id))))
        created, clashed = create_slot_lessons(uow, slots, start, end)
        after: dict[str, object] = {"start": start, "end": end, "created": created}
        if clashed:
            after["not_created"] = clashed
        uow.audit("lessons.generate", "lesson", None, None, after)
        return Generated(created, tuple(clashed))


def create_slot_lessons(
    uow: UnitOfWork, slots: list[TimetableSlot], start: date, end: date
) -> tuple[int, list[str]]:
    """The missing lessons of ``slots`` on the study days in [start, end]: how many were
    created, and why the clashing ones were not (one line each)."""
    session = uow.session
    calendar = uow.calendar
    existing = set(
        session.exec(
            select(Lesson.course_id, col(Lesson.date), Lesson.number).where(
                Lesson.date >= start, Lesson.date <= end
            )
        )
    )
    created = 0
    clashed: list[str] = []
    for slot in slots:
        course = session.get(Course, slot.course_id)
        klass = session.get(SchoolClass, course.class_id) if course else None
        if course is None or klass is None:
            continue
        mine = placement(session, course, slot.room)
        day = max(start, slot.valid_from)
        last = min(end, slot.valid_to or end)
        day += timedelta(days=(slot.weekday - day.weekday()) % 7)
        while day <= last:
            key = (course.id or 0, day, slot.number)
            if key not in existing and calendar.is_study_day(day, klass.grade, klass.period_scheme):
                message = lesson_clash(session, mine, day, slot.number)
                if message:
                    clashed.append(f"{mine.name}, {fmt_date(day)}: {message}")
                else:
                    session.add(
                        Lesson(
                            course_id=course.id or 0,
                            date=day,
                            number=slot.number,
                            room=slot.room,
                            held_by_id=course.teacher_id,
                        )
                    )
                    session.flush()
                    existing.add(key)
                    created += 1
            day += timedelta(days=7)
    session.flush()
    return created, clashed


# --- КТП ------------------------------------------------------------------------------


# A КТП is written in one transaction: bounded, so that it stays short (a year has no
# more lessons of one course; a file of more topics is not a plan) [issue 10].
PLAN_MAX_TOPICS = 1000


def import_plan(
    db: Database,
    actor: Actor,
    course_id: int,
    rows: list[tuple[str, int]],
    *,
    allow_mismatch: bool = False,
) -> int:
    """Replace a course's calendar-thematic plan (КТП) with (topic, hours) rows.

    Refused once a lesson uses one of its topics. The total hours must match the course's
    yearly hours (``plan_hours.yearly_hours``) [004 §5 «Учитель-предметник»]; otherwise
    refused with the figures, unless ``allow_mismatch`` (the difference is audited).
    Returns the number of topics.
    """
    with unit_of_work(db, actor, "plan.import") as uow:
        course: Course = uow.get(Course, course_id, "Предмет класса")
        require(
            actor.has(*SETUP_ROLES)
            or (actor.has("teacher") and actor.user_id == course.teacher_id),
            PLAN_ONLY,
        )
        if not rows:
            raise ValidationError("План пуст: нужна хотя бы одна тема.")
        if len(rows) > PLAN_MAX_TOPICS:
            raise ValidationError(
                f"В плане {len(rows)} тем, а в учебном году не бывает больше "
                f"{PLAN_MAX_TOPICS} уроков одного предмета: проверьте файл."
            )
        clean: list[tuple[str, int]] = []
        for i, (topic, hours) in enumerate(rows, start=1):
            text = check_text(topic or "", f"Строка {i}: тема", 500)
            if not text:
                raise ValidationError(f"Строка {i}: не указана тема.")
            if (
                isinstance(hours, bool)
                or not isinstance(hours, int)
                or not 1 <= hours <= MAX_TOPIC_HOURS
            ):
                raise ValidationError(
                    f"Строка {i}: число часов должно быть целым, от 1 до {MAX_TOPIC_HOURS}."
                )
            clean.append((text, hours))
        expected = yearly_hours(uow.session, course)
        mismatch = hours_mismatch(sum(h for _, h in clean), expected)
        if mismatch and not allow_mismatch:
            raise ValidationError(
                mismatch + " План не загружен (загрузить всё же: --allow-mismatch)."
            )
        old = list(uow.session.exec(select(PlanItem).where(PlanItem.course_id == course_id)))
        old_ids = [p.id for p in old]
        if old_ids:
            used = uow.session.exec(
                select(Lesson.id).where(col(Lesson.plan_item_id).in_(old_ids))
            ).all()
            if used:
                raise ValidationError(
                    f"Темы плана уже выбраны в уроках (их {len(used)}): план нельзя "
                    "заменить целиком. Отредактируйте темы по одной."
                )
        for item in old:
            uow.session.delete(item)
        uow.session.flush()
        for position, (topic, hours) in enumerate(clean, start=1):
            uow.session.add(
                PlanItem(course_id=course_id, position=position, topic=topic, hours=hours)
            )
        uow.audit(
            "plan.import",
            "course",
            course_id,
            {"items": len(old), "hours": sum(p.hours for p in old)} if old else None,
            {
                "items": len(clean),
                "hours": sum(h for _, h in clean),
                "expected_hours": expected.hours,
            },
        )
        return len(clean)


def read_plan_csv(text: str) -> list[tuple[str, int]]:
    """Parse a КТП file: header «тема;часы» (or with commas), then one topic per line."""
    text = text.lstrip("\ufeff")
    header_line = next((line for line in text.splitlines() if line.strip()), None)
    if header_line is None:
        raise ValidationError("Файл плана пуст.")
    delimiter = ";" if ";" in header_line else ","
    table, errors = csv_lines(text, delimiter)
    rows = [(n, cells) for n, cells in table if any(cell.strip() for cell in cells)]
    if errors and (not rows or errors[0][0] <= rows[0][0]):
        raise ValidationError(f"Строка {errors[0][0]}: {errors[0][1]}.")
    header_at, header = rows[0]
    if [h.strip().lower() for h in header] != ["тема", "часы"]:
        raise ValidationError(f"Строка {header_at}: ожидается заголовок «тема;часы».")
    result: list[tuple[str, int]] = []
    for line, row in rows[1:]:
        if len(row) != 2:
            raise ValidationError(
                f"Строка {line}: нужно два поля — тема и часы (разделитель «{delimiter}»)."
            )
        topic = row[0].strip()
        if not topic:
            raise ValidationError(f"Строка {line}: не указана тема.")
        if len(topic) > MAX_TOPIC:
            raise ValidationError(f"Строка {line}, столбец 1 «тема»: длиннее {MAX_TOPIC} знаков.")
        result.append((topic, topic_hours(row[1], line)))
    if errors:
        raise ValidationError(f"Строка {errors[0][0]}: {errors[0][1]}.")
    if not result:
        raise ValidationError("В файле плана нет ни одной темы.")
    return result
