"""The cells a late correction changes [004 §7]: what each holds now, whether it is locked,
the new value checked by the register's rules, and the write that enters it.

A cell is one of: a mark (assignment + student), an absence (lesson + student; "" is
present), a period mark (the course, a period, a student), a lesson's topic or homework.
``CellChange`` is what a request lists; ``resolve`` reads the cell in the request's (or
the application's) transaction; ``enter`` writes it through the normal service with the
correction's id, so the write is checked, stored and audited as any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select

from zhurnal.core.actor import Actor
from zhurnal.core.context import group_title, roster_ids
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import (
    Absence,
    Assignment,
    Correction,
    CorrectionItem,
    Course,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    SchoolClass,
    Student,
    WorkType,
)
from zhurnal.core.readmodels.corrections import ITEM_KINDS, cell_label
from zhurnal.core.rules import (
    check_period_value,
    check_text,
    edit_lock_at,
    grade1_homework,
    grade1_marks_refusal,
    lock_refusal,
    normalize_absence,
    normalize_mark,
    not_enrolled,
    period_lock_refusal,
    period_mark_lock_at,
)
from zhurnal.core.services import lessons, marks
from zhurnal.core.uow import UnitOfWork


@dataclass(frozen=True)
class CellChange:
    """One cell of a request and its new value ("" clears it; for an absence, present).

    ``old`` is what the caller saw (None: not checked); the stored value is the one kept."""

    kind: str  # mark | absence | period_mark | topic | homework
    new: str
    student_id: int | None = None
    assignment_id: int | None = None
    lesson_id: int | None = None
    period_id: int | None = None
    old: str | None = None

    @classmethod
    def mark(
        cls, assignment_id: int, student_id: int, new: str, old: str | None = None
    ) -> CellChange:
        return cls("mark", new, student_id, assignment_id=assignment_id, old=old)

    @classmethod
    def absence(
        cls, lesson_id: int, student_id: int, new: str, old: str | None = None
    ) -> CellChange:
        return cls("absence", new, student_id, lesson_id=lesson_id, old=old)

    @classmethod
    def period_mark(
        cls, period_id: int, student_id: int, new: str, old: str | None = None
    ) -> CellChange:
        return cls("period_mark", new, student_id, period_id=period_id, old=old)

    @classmethod
    def topic(cls, lesson_id: int, new: str, old: str | None = None) -> CellChange:
        return cls("topic", new, lesson_id=lesson_id, old=old)

    @classmethod
    def homework(cls, lesson_id: int, new: str, old: str | None = None) -> CellChange:
        return cls("homework", new, lesson_id=lesson_id, old=old)


@dataclass
class Cell:
    """A cell as it is now: its place, value, lock and the row that holds it (if any)."""

    kind: str
    label: str
    current: str
    locked: bool
    lesson_id: int | None
    assignment_id: int | None
    period_id: int | None
    student_id: int | None
    row: Any  # the stored row (for who changed it last), None for an empty cell
    new: str = ""

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.kind, self.assignment_id or self.lesson_id, self.period_id, self.student_id)


def _lesson(uow: UnitOfWork, course: Course, lesson_id: int | None) -> Lesson:
    lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
    if lesson.course_id != course.id:
        raise ValidationError("Урок относится к другому предмету или классу.")
    return lesson


def _student(
    uow: UnitOfWork, course: Course, klass: SchoolClass, student_id: int | None, day: date
) -> int:
    """The student, in the class (and subgroup) on the cell's day."""
    student: Student = uow.get(Student, student_id, "Ученик")
    if student.id not in roster_ids(uow.session, course, day):
        raise not_enrolled(student.full_name, group_title(klass.title, course.subgroup), day)
    return student.id or 0


def _locked(uow: UnitOfWork, lesson: Lesson, lock_class: str) -> bool:
    lock_at = edit_lock_at(uow.policy, uow.calendar, lesson.date, lock_class)
    return lock_refusal(uow.policy, uow.now, lock_at, lesson.date, "", lock_class) is not None


def resolve(uow: UnitOfWork, course: Course, change: CellChange | CorrectionItem) -> Cell:
    """The cell a change names, read now, with its label and lock; the new value checked."""
    klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
    kind = change.kind
    if kind not in ITEM_KINDS:
        raise ValidationError(f"Неизвестно, что исправить: «{kind}».")
    new = change.new if isinstance(change, CellChange) else change.new_value
    if kind == "mark":
        a: Assignment = uow.get(Assignment, change.assignment_id, "Задание")
        lesson = _lesson(uow, course, a.lesson_id)
        wt: WorkType = uow.get(WorkType, a.work_type_id, "Вид работы")
        if (grade1 := grade1_marks_refusal(uow.policy, klass.grade)) is not None:
            raise grade1
        sid = _student(uow, course, klass, change.student_id, lesson.date)
        row = uow.session.exec(
            select(Mark).where(Mark.assignment_id == a.id, Mark.student_id == sid)
        ).first()
        return Cell(
            kind,
            cell_label(kind, lesson, a.title or wt.name),
            row.value if row else "",
            _locked(uow, lesson, wt.lock_class),
            lesson.id,
            a.id,
            None,
            sid,
            row,
            normalize_mark(uow.policy, new) if new.strip() else "",
        )
    if kind == "period_mark":
        period: Period = uow.get(Period, change.period_id, "Учебный период")
        if period.year_id != klass.year_id or (
            period.kind in ("quarter", "half") and period.scheme != klass.period_scheme
        ):
            raise ValidationError(f"{period.name} не относится к учебным периодам {klass.title}.")
        day = min(max(uow.now.date(), period.start), period.end)  # as ``set_period_mark``
        sid = _student(uow, course, klass, change.student_id, day)
        pm = uow.session.exec(
            select(PeriodMark).where(
                PeriodMark.course_id == course.id,
                PeriodMark.student_id == sid,
                PeriodMark.period_id == period.id,
            )
        ).first()
        lock_at = period_mark_lock_at(uow.policy, uow.calendar, period.end)
        return Cell(
            kind,
            cell_label(kind, period=period.name),
            pm.value if pm else "",
            period_lock_refusal(uow.policy, uow.now, lock_at, period.name) is not None,
            None,
            None,
            period.id,
            sid,
            pm,
            check_period_value(uow.policy, klass.grade, period.kind, new) if new.strip() else "",
        )
    lesson = _lesson(uow, course, change.lesson_id)
    locked = _locked(uow, lesson, "current")
    label = cell_label(kind, lesson)
    if kind == "absence":
        sid = _student(uow, course, klass, change.student_id, lesson.date)
        ab = uow.session.exec(
            select(Absence).where(Absence.lesson_id == lesson.id, Absence.student_id == sid)
        ).first()
        value = normalize_absence(new) if new.strip() else ""
        return Cell(
            kind, label, ab.code if ab else "", locked, lesson.id, None, None, sid, ab, value
        )
    if change.student_id is not None:
        raise ValidationError("Тема и домашнее задание — записи урока, не ученика.")
    if kind == "topic":
        text = check_text(new, "Тема урока", 500)
    else:
        text = grade1_homework(uow.policy, klass.grade, check_text(new, "Домашнее задание"))
    current = lesson.topic if kind == "topic" else lesson.homework
    return Cell(kind, label, current, locked, lesson.id, None, None, None, lesson, text)


def enter(db: Database, actor: Actor, c: Correction, cell: Cell) -> None:
    """Write the cell's new value through the register's own service, under ``c``."""
    cid, value = c.id, cell.new or None
    if cell.kind == "mark":
        marks.set_mark(
            db, actor, cell.assignment_id or 0, cell.student_id or 0, value, correction_id=cid
        )
    elif cell.kind == "absence":
        lessons.set_absence(
            db, actor, cell.lesson_id or 0, cell.student_id or 0, value, correction_id=cid
        )
    elif cell.kind == "period_mark":
        marks.set_period_mark(
            db,
            actor,
            c.course_id,
            cell.student_id or 0,
            cell.period_id or 0,
            value,
            correction_id=cid,
        )
    elif cell.kind == "topic":
        lesson: Lesson = cell.row
        plan = lesson.plan_item_id if cell.new else None
        lessons.set_topic(
            db, actor, cell.lesson_id or 0, cell.new, plan_item_id=plan, correction_id=cid
        )
    else:
        lessons.set_homework(db, actor, cell.lesson_id or 0, cell.new, correction_id=cid)
