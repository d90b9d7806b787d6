"""The cells of one course's day, as a correction request names them [004 §7.2].

A request lists cells by their ids (``mark:ЗАДАНИЕ:УЧЕНИК``, ``absence:УРОК:УЧЕНИК``,
``topic:УРОК``, ``homework:УРОК``); this read model gives those references with what each
cell holds now, for whoever may ask the director for a correction of that course.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from zhurnal.core.access import correction_request_refusal, enforce
from zhurnal.core.actor import Actor
from zhurnal.core.context import roster_ids
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Absence,
    Assignment,
    Course,
    Lesson,
    Mark,
    SchoolClass,
    Student,
    WorkType,
)
from zhurnal.core.readmodels.corrections import cell_label, value_text


@dataclass(frozen=True)
class DayCell:
    """One cell: the reference a request types, its label, the student, the value now."""

    ref: str  # «mark:7:11», «absence:5:11», «topic:5», «homework:5»
    kind: str
    label: str
    student: str
    value: str  # as people read it («—», «был(а) на уроке»)


def day_cells(db: Database, actor: Actor, course_id: int, day: date) -> tuple[DayCell, ...]:
    """Every cell of the course's lessons on ``day``: per lesson its topic, homework, the
    attendance of each student and each assignment's mark of each student."""
    with reading(db, actor) as s:
        course = s.get(Course, course_id)
        klass = s.get(SchoolClass, course.class_id) if course else None
        if course is None or klass is None:
            raise NotFound(f"Предмет класса не найден (№ {course_id}).")
        enforce(correction_request_refusal(actor, course.teacher_id, klass.class_teacher_id))
        lessons = s.exec(
            select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.date == day)
            .order_by(col(Lesson.number))
        ).all()
        ids = roster_ids(s, course, day)
        students = sorted(
            s.exec(select(Student).where(col(Student.id).in_(ids))).all(),
            key=lambda st: (st.last_name, st.first_name, st.middle_name, st.id or 0),
        )
        cells: list[DayCell] = []
        for lesson in lessons:
            lid = lesson.id or 0
            for kind in ("topic", "homework"):
                current = lesson.topic if kind == "topic" else lesson.homework
                label = cell_label(kind, lesson)
                cells.append(DayCell(f"{kind}:{lid}", kind, label, "", value_text(kind, current)))
            absences = {
                a.student_id: a.code
                for a in s.exec(select(Absence).where(Absence.lesson_id == lid))
            }
            label = cell_label("absence", lesson)
            for st in students:
                code = absences.get(st.id or 0, "")
                ref = f"absence:{lid}:{st.id}"
                cells.append(
                    DayCell(ref, "absence", label, st.full_name, value_text("absence", code))
                )
            assignments = s.exec(
                select(Assignment).where(Assignment.lesson_id == lid).order_by(col(Assignment.id))
            ).all()
            for a in assignments:
                wt = s.get(WorkType, a.work_type_id)
                label = cell_label("mark", lesson, a.title or (wt.name if wt else ""))
                marks = {
                    m.student_id: m.value
                    for m in s.exec(select(Mark).where(Mark.assignment_id == a.id))
                }
                for st in students:
                    value = value_text("mark", marks.get(st.id or 0, ""))
                    cells.append(
                        DayCell(f"mark:{a.id}:{st.id}", "mark", label, st.full_name, value)
                    )
        return tuple(cells)
