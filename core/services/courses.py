"""Keeping the curriculum of the year: subjects renamed, a course's teacher and hours
changed, a course set up by mistake removed [004 §5 «Заместитель директора»: «заполняет
подсистему «Учебный процесс» в соответствии с учебным планом школы и нагрузкой
учителей»].

A new teacher of a course takes it over from a date: the course's lessons from that
date that the previous teacher was to hold and that are still empty and not begun pass
to the new teacher (``Lesson.held_by_id``); the lessons already held stay the previous
teacher's (they held them: the completeness and the audit say so), as do substitutions
by a third teacher.  From then the course is the new teacher's: they see it among their
lessons and keep its register page.  Refused when the new teacher is busy at the bell of
one of those lessons or of the course's timetable from that date.

The administrator and the deputy director do this (``school.SETUP_ROLES``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import col, func, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.context import group_title
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import ledger_of
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Correction,
    Course,
    Lesson,
    PeriodMark,
    PlanItem,
    SchoolClass,
    SchoolYear,
    SubgroupMember,
    Subject,
    TimetableSlot,
    User,
)
from zhurnal.core.readmodels.catalog import READ_ONLY, READ_ROLES
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.clashes import lesson_clash, placement, slot_clash
from zhurnal.core.services.plan_hours import yearly_hours
from zhurnal.core.services.school import (
    SETUP_ONLY,
    SETUP_ROLES,
    CourseView,
    SubjectView,
    _course_view,
    _open_year,
    _required_text,
    _teacher,
    check_hours,
    subject_taken,
)
from zhurnal.core.services.timetable_changes import lesson_begun, lesson_entries
from zhurnal.core.uow import require, snapshot, unit_of_work


def rename_subject(
    db: Database, actor: Actor, subject_id: int, name: str, short: str | None = None
) -> SubjectView:
    """A subject's new name (and short name); every class's page shows it at once."""
    with unit_of_work(db, actor, "subject.rename") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        subject: Subject = uow.get(Subject, subject_id, "Предмет")
        name = _required_text(name, "Название предмета", 100)
        new_short = subject.short if short is None else check_text(short, "Краткое название", 20)
        names = list(uow.session.exec(select(Subject.id, Subject.name)))
        other = subject_taken([(i or 0, n) for i, n in names], name, subject_id)
        if other:
            raise ValidationError(f"Предмет «{other}» уже есть: выберите другое название.")
        if (name, new_short) == (subject.name, subject.short):
            raise ValidationError("Название не изменилось.")
        before = snapshot(subject, "name", "short")
        subject.name, subject.short = name, new_short
        uow.session.add(subject)
        uow.audit(
            "subject.rename", "subject", subject.id, before, snapshot(subject, "name", "short")
        )
        return SubjectView(subject.id or 0, subject.name, subject.short)


def set_course_hours(
    db: Database, actor: Actor, course_id: int, hours: float, expected_version: int | None = None
) -> CourseView:
    """A course's hours a week (the КТП is checked against them when it is loaded)."""
    with unit_of_work(db, actor, "course.set_hours") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        course: Course = uow.get(Course, course_id, "Предмет класса")
        uow.check_version(course, expected_version, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        _open_year(uow, klass.year_id)
        hours = check_hours(hours)
        if hours == course.hours_per_week:
            raise ValidationError(f"Часов в неделю и так {hours:g}.")
        before = snapshot(course, "hours_per_week")
        course.hours_per_week = hours
        uow.touch(course)
        uow.audit("course.set_hours", "course", course.id, before, {"hours_per_week": hours})
        return _course_view(course)


@dataclass(frozen=True)
class TeacherChange:
    """What a change of a course's teacher did: the course as it is now, how many of its
    lessons passed to the new teacher, and the lessons from that date left as they were."""

    course: CourseView
    moved: int
    kept: tuple[str, ...]


def change_course_teacher(
    db: Database,
    actor: Actor,
    course_id: int,
    teacher_id: int,
    from_date: date,
    expected_version: int | None = None,
) -> TeacherChange:
    """The course passes to another teacher from ``from_date`` (see the module)."""
    with unit_of_work(db, actor, "course.set_teacher") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        session = uow.session
        course: Course = uow.get(Course, course_id, "Предмет класса")
        uow.check_version(course, expected_version, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        year = _open_year(uow, klass.year_id)
        new = _teacher(uow, teacher_id)
        old_id = course.teacher_id
        if teacher_id == old_id:
            raise ValidationError(f"{new.full_name} и так ведёт этот предмет.")
        if not year.start <= from_date <= year.end:
            raise ValidationError(
                f"Дата {fmt_date(from_date)} вне учебного года {year.name} "
                f"({fmt_date(year.start)}–{fmt_date(year.end)})."
            )
        mine = replace(placement(session, course, "", teacher_id), class_id=-1)
        slots = session.exec(
            select(TimetableSlot).where(
                TimetableSlot.course_id == course_id,
                or_(
                    col(TimetableSlot.valid_to).is_(None),
                    col(TimetableSlot.valid_to) >= from_date,
                ),
            )
        )
        for slot in slots:
            busy = slot_clash(
                session,
                mine,
                slot.weekday,
                slot.number,
                max(slot.valid_from, from_date),
                slot.valid_to,
                ignore={slot.id or 0},
            )
            if busy:
                raise ValidationError(busy)
        moved, kept, moved_rows = 0, [], []
        lessons = session.exec(
            select(Lesson)
            .where(Lesson.course_id == course_id, Lesson.date >= from_date)
            .order_by(col(Lesson.date), col(Lesson.number))
        )
        for lesson in lessons:
            if lesson.held_by_id not in (None, old_id):
                continue  # a substitution by a third teacher stays
            entries = lesson_entries(uow, lesson)
            if entries or lesson_begun(uow, lesson):
                why = f"есть записи ({entries})" if entries else "уже начался"
                kept.append(f"{fmt_date(lesson.date)}, {lesson.number}-й урок: {why}")
                continue
            if not lesson.cancelled:
                busy = lesson_clash(
                    session, mine, lesson.date, lesson.number, {lesson.id or 0}, teacher_only=True
                )
                if busy:
                    raise ValidationError(busy)
            lesson.held_by_id = teacher_id
            uow.touch(lesson)
            moved_rows.append(lesson)
            moved += 1
        before = snapshot(course, "teacher_id")
        course.teacher_id = teacher_id
        uow.touch(course)
        after = {
            "teacher_id": teacher_id,
            "from": from_date,
            "moved": moved,
            "kept": kept,
            **ledger_of(session, {"lesson": moved_rows}),
        }
        uow.audit("course.set_teacher", "course", course.id, before, after)
        return TeacherChange(_course_view(course), moved, tuple(kept))


def remove_course(
    db: Database, actor: Actor, course_id: int, expected_version: int | None = None
) -> CourseView:
    """Remove a course set up by mistake: refused once it has lessons, period marks or
    corrections (the register keeps them); its timetable slots, КТП and subgroup lists
    go with it."""
    with unit_of_work(db, actor, "course.remove") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        session = uow.session
        course: Course = uow.get(Course, course_id, "Предмет класса")
        uow.check_version(course, expected_version, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        _open_year(uow, klass.year_id)
        subject: Subject = uow.get(Subject, course.subject_id, "Предмет")
        name = group_title(f"{klass.title} {subject.name}", course.subgroup)
        used: tuple[tuple[Any, str], ...] = (
            (Lesson.course_id, "уроки"),
            (PeriodMark.course_id, "итоговые отметки"),
            (Correction.course_id, "корректировки"),
        )
        for column, what in used:
            count = session.exec(select(func.count()).where(column == course_id)).one()
            if count:
                raise ValidationError(
                    f"{name}: есть {what} ({count}) — такой предмет класса не удаляется. "
                    "Смените учителя или часы."
                )
        removed: dict[str, int] = {}
        parts: tuple[tuple[Any, str], ...] = (
            (TimetableSlot, "slots"),
            (PlanItem, "plan_items"),
            (SubgroupMember, "subgroup_members"),
        )
        for model, key in parts:
            rows = list(session.exec(select(model).where(model.course_id == course_id)))
            for row in rows:
                session.delete(row)
            removed[key] = len(rows)
        view = _course_view(course)
        before = snapshot(
            course, "class_id", "subject_id", "subgroup", "teacher_id", "hours_per_week"
        )
        session.delete(course)
        uow.audit("course.remove", "course", course_id, before, removed)
        return view


# --- the list of a class's courses ----------------------------------------------------


@dataclass(frozen=True)
class CourseRow:
    """One course of a class as the deputy sees it in the curriculum."""

    id: int
    subject_id: int
    subject: str
    subgroup: str
    teacher_id: int
    teacher: str
    teacher_login: str
    hours_per_week: float
    yearly_hours: int
    plan_hours: int  # the КТП's total, 0 when none is loaded
    lessons: int
    version: int

    @property
    def title(self) -> str:
        return f"{self.subject} ({self.subgroup})" if self.subgroup else self.subject


@dataclass(frozen=True)
class ClassCourses:
    class_id: int
    title: str
    grade: int
    weeks: int  # weeks of study in the class's year (``plan_hours.yearly_hours``)
    rows: tuple[CourseRow, ...]


def class_course_rows(db: Database, actor: Actor, class_id: int) -> ClassCourses:
    """The class's courses by subject, then subgroup, with the yearly hours by the
    curriculum and the КТП's hours (setup roles, the director, the secretary)."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        klass = session.get(SchoolClass, class_id)
        if klass is None or session.get(SchoolYear, klass.year_id) is None:
            raise ValidationError(f"Класс № {class_id} не найден.")
        rows = session.exec(
            select(Course, Subject, User)
            .join(Subject, col(Subject.id) == Course.subject_id)
            .join(User, col(User.id) == Course.teacher_id)
            .where(Course.class_id == class_id)
            .order_by(col(Subject.name), col(Course.subgroup))
        ).all()
        ids = [c.id for c, _, _ in rows]
        plans = dict(
            session.exec(
                select(PlanItem.course_id, func.sum(PlanItem.hours))
                .where(col(PlanItem.course_id).in_(ids))
                .group_by(col(PlanItem.course_id))
            ).all()
        )
        lessons = dict(
            session.exec(
                select(Lesson.course_id, func.count())
                .where(col(Lesson.course_id).in_(ids))
                .group_by(col(Lesson.course_id))
            ).all()
        )
        weeks = yearly_hours(session, Course(class_id=class_id, subject_id=0, teacher_id=0)).weeks
        return ClassCourses(
            class_id,
            klass.title,
            klass.grade,
            weeks,
            tuple(
                CourseRow(
                    c.id or 0,
                    s.id or 0,
                    s.name,
                    c.subgroup,
                    c.teacher_id,
                    u.full_name,
                    u.login,
                    c.hours_per_week,
                    round(c.hours_per_week * weeks),
                    int(plans.get(c.id or 0, 0) or 0),
                    int(lessons.get(c.id or 0, 0) or 0),
                    c.version,
                )
                for c, s, u in rows
            ),
        )
