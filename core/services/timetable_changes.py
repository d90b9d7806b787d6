"""Changes to a running timetable: a slot moved from a date, a lesson cancelled.

A change of a slot applies from a date: the old slot ends the day before, the new one
starts that day, and the course's lessons from that date are regenerated — the empty
future lessons of the old slot are removed and the new slot's lessons created up to the
end of the class's school year.  A lesson already held (any entry: topic, homework,
attendance, a work or a mark, a correction) or already begun is never touched; the
result lists those kept.

Who may: the timetable is year setup (administrator or deputy director, [004 §5
«Заместитель директора»: «заполняет подсистему «Учебный процесс»»]).  Cancelling a
single lesson is part of organising the register day to day, as substitutions are
(``lessons.assign_substitute``): the deputy director or the director [004 §5
«Заместитель директора»: «организует ведение электронного классного журнала»]; the
administrator of the register runs the system, not the lessons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Absence,
    Assignment,
    Bell,
    Correction,
    CorrectionItem,
    Course,
    Draft,
    Lesson,
    SchoolClass,
    SchoolYear,
    TimetableSlot,
)
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.clashes import lesson_clash, placement, slot_clash
from zhurnal.core.services.school import (
    SETUP_ONLY,
    SETUP_ROLES,
    SlotView,
    _slot_view,
    within_class_year,
)
from zhurnal.core.services.timetable import create_slot_lessons
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work

DAY_ROLES = ("deputy", "director")
DAY_ONLY = "Отменяет и возвращает уроки заместитель директора или директор [004 §5]."


@dataclass(frozen=True)
class SlotChange:
    """What a change of a slot did: the slot as it was (ended the day before) and the new
    one, how many lessons were removed and created, and the lessons kept as they were."""

    old: SlotView
    new: SlotView
    removed: int
    created: int
    kept: tuple[str, ...]
    not_created: tuple[str, ...]


def lesson_entries(uow: UnitOfWork, lesson: Lesson) -> str:
    """What the register holds for a lesson («» when it is empty)."""
    found: list[str] = []
    if lesson.topic:
        found.append("тема")
    if lesson.homework:
        found.append("домашнее задание")
    session = uow.session
    if (
        lesson.attendance_taken_at is not None
        or session.exec(select(Absence.id).where(Absence.lesson_id == lesson.id)).first()
    ):
        found.append("посещаемость")
    if session.exec(select(Assignment.id).where(Assignment.lesson_id == lesson.id)).first():
        found.append("работы и отметки")
    if (
        session.exec(select(Correction.id).where(Correction.lesson_id == lesson.id)).first()
        or session.exec(
            select(CorrectionItem.id).where(CorrectionItem.lesson_id == lesson.id)
        ).first()
    ):
        found.append("исправления")
    return ", ".join(found)


def lesson_begun(uow: UnitOfWork, lesson: Lesson) -> bool:
    bell = uow.session.get(Bell, lesson.number)
    starts = (
        datetime.combine(lesson.date, bell.start)
        if bell
        else datetime.combine(lesson.date, datetime.min.time())
    )
    return starts <= uow.now


def _delete_lesson(uow: UnitOfWork, lesson: Lesson) -> None:
    for draft in uow.session.exec(select(Draft).where(Draft.lesson_id == lesson.id)):
        uow.session.delete(draft)  # personal scratch, never part of the register
    uow.session.delete(lesson)


def remove_empty_lessons(
    uow: UnitOfWork, lessons: Iterable[Lesson], weekday: int
) -> tuple[int, list[str]]:
    """Remove those of ``lessons`` on ``weekday`` that are empty and not begun: how many,
    and the kept ones, each with why («есть записи (тема)», «уже начался»)."""
    removed, kept = 0, []
    for lesson in lessons:
        if lesson.date.weekday() != weekday:
            continue
        entries = lesson_entries(uow, lesson)
        if entries or lesson_begun(uow, lesson):
            why = f"есть записи ({entries})" if entries else "уже начался"
            kept.append(f"{fmt_date(lesson.date)}, {lesson.number}-й урок: {why}")
            continue
        _delete_lesson(uow, lesson)
        removed += 1
    return removed, kept


def change_slot(
    db: Database,
    actor: Actor,
    slot_id: int,
    *,
    from_date: date,
    weekday: int | None = None,
    number: int | None = None,
    room: str | None = None,
    expected_version: int | None = None,
) -> SlotChange:
    """Move a slot (weekday, bell number, room) from ``from_date`` on (see the module)."""
    with unit_of_work(db, actor, "slot.change") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        session = uow.session
        old: TimetableSlot = uow.get(TimetableSlot, slot_id, "Урок расписания")
        uow.check_version(old, expected_version, "Урок расписания")
        course: Course = uow.get(Course, old.course_id, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        new_weekday = old.weekday if weekday is None else weekday
        new_number = old.number if number is None else number
        new_room = old.room if room is None else check_text(room, "Кабинет", 50)
        if not 0 <= new_weekday <= 5:
            raise ValidationError("День недели: от 0 (понедельник) до 5 (суббота).")
        if session.get(Bell, new_number) is None:
            raise ValidationError(f"Урока № {new_number} нет в расписании звонков.")
        if from_date < old.valid_from or (old.valid_to is not None and from_date > old.valid_to):
            until = f" по {fmt_date(old.valid_to)}" if old.valid_to else ""
            raise ValidationError(
                f"Изменение с {fmt_date(from_date)}: урок расписания действует "
                f"с {fmt_date(old.valid_from)}{until}."
            )
        within_class_year(uow, klass, from_date, None, "Изменение расписания")
        if (new_weekday, new_number, new_room) == (old.weekday, old.number, old.room):
            raise ValidationError("Изменение не задано: день, урок и кабинет те же.")
        message = slot_clash(
            session,
            placement(session, course, new_room),
            new_weekday,
            new_number,
            from_date,
            old.valid_to,
            ignore={slot_id},
        )
        if message:
            raise ValidationError(message)
        before = snapshot(old, "weekday", "number", "room", "valid_from", "valid_to")
        old_view = _slot_view(old)
        old_weekday, old_number = old.weekday, old.number
        if from_date == old.valid_from:
            slot = old  # not begun yet: changed in place
            slot.weekday, slot.number, slot.room = new_weekday, new_number, new_room
        else:
            slot = TimetableSlot(
                course_id=old.course_id,
                weekday=new_weekday,
                number=new_number,
                room=new_room,
                valid_from=from_date,
                valid_to=old.valid_to,
                version=0,
            )
            old.valid_to = from_date - timedelta(days=1)
            uow.touch(old)
        uow.touch(slot)
        session.flush()
        stale = session.exec(
            select(Lesson)
            .where(
                Lesson.course_id == course.id,
                Lesson.date >= from_date,
                Lesson.date <= (slot.valid_to or date.max),
                Lesson.number == old_number,
            )
            .order_by(col(Lesson.date))
        )
        removed, kept = remove_empty_lessons(uow, stale, old_weekday)
        session.flush()
        year = session.get(SchoolYear, klass.year_id)
        end = min(slot.valid_to or date.max, year.end if year else from_date)
        start = max(from_date, uow.now.date())
        created, clashed = create_slot_lessons(uow, [slot], start, end) if start <= end else (0, [])
        after = snapshot(slot, "weekday", "number", "room", "valid_from", "valid_to")
        after.update(slot_id=slot.id, removed=removed, created=created, kept=kept)
        if clashed:
            after["not_created"] = clashed
        uow.audit("slot.change", "timetable_slot", slot_id, before, after)
        return SlotChange(
            old_view if slot is old else _slot_view(old),
            _slot_view(slot),
            removed,
            created,
            tuple(kept),
            tuple(clashed),
        )


@dataclass(frozen=True)
class SlotLine:
    """A slot of a class's week with what people call it (class, subject, teacher)."""

    slot: SlotView
    name: str
    teacher: str


def list_slots(db: Database, actor: Actor, class_id: int, day: date) -> list[SlotLine]:
    """A class's week as valid on ``day``, by weekday and bell (setup roles, director)."""
    with reading(db, actor) as session:
        require(actor.has(*SETUP_ROLES, "director"), SETUP_ONLY)
        rows = session.exec(
            select(TimetableSlot, Course)
            .where(
                TimetableSlot.course_id == Course.id,
                Course.class_id == class_id,
                col(TimetableSlot.valid_from) <= day,
                (col(TimetableSlot.valid_to).is_(None)) | (col(TimetableSlot.valid_to) >= day),
            )
            .order_by(col(TimetableSlot.weekday), col(TimetableSlot.number), col(TimetableSlot.id))
        )
        result = []
        for slot, course in rows:
            p = placement(session, course, slot.room)
            result.append(SlotLine(_slot_view(slot), p.name, p.teacher))
        return result


def cancel_lesson(db: Database, actor: Actor, lesson_id: int, reason: str) -> None:
    """Cancel one lesson (the class did not have it): it leaves the teacher's day, the
    grid and completeness.  Refused once the lesson has entries; the reason is audited."""
    with unit_of_work(db, actor, "lesson.cancel") as uow:
        require(actor.has(*DAY_ROLES), DAY_ONLY)
        lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
        text = check_text(reason, "Причина отмены", 500)
        if not text:
            raise ValidationError("Укажите причину отмены урока.")
        if lesson.cancelled:
            raise ValidationError(f"Урок {fmt_date(lesson.date)} уже отменён.")
        entries = lesson_entries(uow, lesson)
        if entries:
            raise ValidationError(
                f"Урок {fmt_date(lesson.date)} нельзя отменить: в журнале уже есть {entries}."
            )
        lesson.cancelled = True
        uow.touch(lesson)
        uow.audit(
            "lesson.cancel",
            "lesson",
            lesson_id,
            {"cancelled": False},
            {"cancelled": True, "reason": text},
        )


def restore_lesson(db: Database, actor: Actor, lesson_id: int) -> None:
    """Undo a cancellation, unless the bell is taken by now (a clash names the lesson)."""
    with unit_of_work(db, actor, "lesson.restore") as uow:
        require(actor.has(*DAY_ROLES), DAY_ONLY)
        lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
        if not lesson.cancelled:
            raise ValidationError(f"Урок {fmt_date(lesson.date)} не отменён.")
        course: Course = uow.get(Course, lesson.course_id, "Предмет класса")
        mine = placement(uow.session, course, lesson.room, lesson.held_by_id)
        message = lesson_clash(uow.session, mine, lesson.date, lesson.number, {lesson_id})
        if message:
            raise ValidationError(message)
        lesson.cancelled = False
        uow.touch(lesson)
        uow.audit("lesson.restore", "lesson", lesson_id, {"cancelled": True}, {"cancelled": False})


@dataclass(frozen=True)
class DayLesson:
    """One lesson of a class's day as the timetable tools list it (with its id)."""

    id: int
    number: int
    course_id: int
    name: str
    teacher: str
    room: str
    substitute: bool
    cancelled: bool


def day_lessons(db: Database, actor: Actor, class_id: int, day: date) -> list[DayLesson]:
    """A class's lessons on a day, cancelled ones included (for substitutions and
    cancellations: setup roles and the director)."""
    with reading(db, actor) as session:
        require(actor.has(*SETUP_ROLES, "director"), SETUP_ONLY)
        rows = session.exec(
            select(Lesson, Course)
            .where(Lesson.course_id == Course.id, Course.class_id == class_id, Lesson.date == day)
            .order_by(col(Lesson.number), col(Lesson.id))
        )
        result = []
        for lesson, course in rows:
            keeper = lesson.held_by_id if lesson.held_by_id is not None else course.teacher_id
            p = placement(session, course, lesson.room, keeper)
            result.append(
                DayLesson(
                    lesson.id or 0,
                    lesson.number,
                    course.id or 0,
                    p.name,
                    p.teacher,
                    p.room,
                    keeper != course.teacher_id,
                    lesson.cancelled,
                )
            )
        return result
