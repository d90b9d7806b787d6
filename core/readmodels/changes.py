"""«Таблица учёта изменений в электронном журнале» [004 §7.5] as a read model.

Built from what was actually entered — the audited writes that carry a correction's
id — not from what was asked: the old -> new of each write as the audit log has it,
with the correction's ground, document, who approved it and who entered it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from zhurnal.core.access import can_read_course
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Assignment,
    AuditEvent,
    Correction,
    Course,
    Lesson,
    Period,
    SchoolClass,
    Student,
    Subject,
    User,
    WorkType,
)
from zhurnal.core.readmodels.corrections import GROUNDS, cell_label, value_text
from zhurnal.core.rules import fmt_date


@dataclass(frozen=True)
class ChangeRow:
    """One line of «Таблица учёта изменений» [004 §7.5]: one cell as it was entered."""

    entered_at: datetime  # when the deputy entered it
    record_date: date | None  # the lesson's date; a period mark: its period's last day
    class_title: str
    subject: str
    student: str
    what: str
    old: str
    new: str
    ground: str
    document: str
    approved_by: str
    entered_by: str
    correction_id: int


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.full_name if user else ""


CHANGE_ACTIONS = (
    "mark.set",
    "mark.clear",
    "attendance.set",
    "attendance.all_present",
    "period_mark.set",
    "period_mark.clear",
    "lesson.topic",
    "lesson.homework",
)


def _loads(text: str) -> dict[str, Any]:
    data = json.loads(text) if text else None
    return data if isinstance(data, dict) else {}


def _cell_of(session: Session, e: AuditEvent) -> tuple[str, str, str, str, date | None]:
    """(what, student, old, new, the record's date) of one write made under a correction."""
    before, after = _loads(e.before), _loads(e.after)
    lesson: Lesson | None = None
    day: date | None = None
    if e.action.startswith("mark."):
        kind, old, new = "mark", before.get("value") or "", after.get("value") or ""
        lesson = session.get(Lesson, after.get("lesson_id"))
        a = session.get(Assignment, after.get("assignment_id"))
        wt = session.get(WorkType, a.work_type_id) if a else None
        work_type = (a.title if a and a.title else "") or (wt.name if wt else "")
        label = cell_label(kind, lesson, work_type)
    elif e.action.startswith("attendance."):
        kind = "absence"
        lesson = session.get(Lesson, after.get("lesson_id") or e.entity_id)
        if e.action == "attendance.all_present":
            old = ", ".join(sorted(set(before.get("absences", {}).values())))
            new = "все присутствуют"
        else:
            old, new = before.get("code") or "", after.get("code") or ""
        label = cell_label(kind, lesson)
    elif e.action.startswith("period_mark."):
        kind, old, new = "period_mark", before.get("value") or "", after.get("value") or ""
        p = session.get(Period, after.get("period_id"))
        label = cell_label(kind, period=p.name if p else "")
        day = p.end if p else None
    else:
        kind = "topic" if e.action == "lesson.topic" else "homework"
        old, new = before.get(kind) or "", after.get(kind) or ""
        lesson = session.get(Lesson, e.entity_id)
        label = cell_label(kind, lesson)
    sid = after.get("student_id")
    student = session.get(Student, sid) if sid else None
    name = student.full_name if student else ""
    if lesson is not None:
        day = lesson.date
    return label, name, value_text(kind, old), value_text(kind, new), day


def _within(day: date | None, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)


def change_table(
    db: Database,
    actor: Actor,
    *,
    class_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> tuple[ChangeRow, ...]:
    """Every cell entered under a correction, in the order entered [004 §7.5].

    The director and the deputy see the whole school; a teacher the courses they may
    read (their own, their class's).  ``start``/``end`` bound the date of the record
    changed (the lesson's; a period mark's period end), not the day it was entered: a
    change belongs to the summary sheet of the period it concerns [004 §7.3, §7.5]."""
    with reading(db, actor) as session:
        query = (
            select(AuditEvent)
            .where(
                col(AuditEvent.correction_id).is_not(None),
                col(AuditEvent.action).in_(CHANGE_ACTIONS),
            )
            .order_by(col(AuditEvent.id))
        )
        rows: list[ChangeRow] = []
        readable: dict[int, bool] = {}
        for e in session.exec(query):
            corr = session.get(Correction, e.correction_id)
            if corr is None:
                continue
            course = session.get(Course, corr.course_id)
            klass = session.get(SchoolClass, course.class_id) if course else None
            if course is None or klass is None:
                continue
            if class_id is not None and klass.id != class_id:
                continue
            if course.id not in readable:
                readable[course.id or 0] = can_read_course(session, actor, course, klass)
            if not readable[course.id or 0]:
                continue
            what, student, old, new, day = _cell_of(session, e)
            if not _within(day, start, end):
                continue
            subject = session.get(Subject, course.subject_id)
            rows.append(
                ChangeRow(
                    e.ts,
                    day,
                    klass.title,
                    subject.name if subject else "",
                    student,
                    what,
                    old,
                    new,
                    GROUNDS.get(corr.ground, corr.ground),
                    f"№ {corr.document_number} от {fmt_date(corr.document_date)}",
                    _name(session, corr.decided_by_id),
                    _name(session, e.actor_id) or e.actor_login,
                    corr.id or 0,
                )
            )
        return tuple(rows)
