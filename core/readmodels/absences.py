"""«Причины пропусков»: a class's absences over a span, for its class teacher [004 §3.7].

Each row carries the decision of ``core.access.absence_reason_refusal`` for the
user who loaded it; the document's own deadline (N working days after the
document) is checked when the reason is saved, with the date the user gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from datetime import date as Date  # a field below is called «date»

from sqlmodel import col, select

from zhurnal.core.access import READ_ALL_ROLES, absence_reason_refusal, is_class_teacher, why_not
from zhurnal.core.actor import Actor
from zhurnal.core.context import group_title, return_day
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.live import reading
from zhurnal.core.models import Absence, Course, Lesson, SchoolClass, Student, Subject
from zhurnal.core.uow import calendar_of, policy_of

ABSENCE_NAMES = {
    "Н": "без уважительной причины",
    "Б": "по болезни",
    "УП": "по уважительной причине",
    "ОП": "опоздание",
}


@dataclass(frozen=True)
class AbsenceRow:
    absence_id: int
    version: int
    date: date
    number: int
    subject: str
    student_id: int
    student: str
    code: str
    reason_document: str
    why_not: str
    """Why this user cannot change the reason now ("" when they can): not the class
    teacher, a late arrival, or past the working days after the student came back
    (the document's own date, typed in the form, is checked when saving)."""
    document: str = ""
    """The document of the reason without its date (to edit it again)."""
    document_date: Date | None = None


@dataclass(frozen=True)
class ClassAbsences:
    class_id: int
    class_title: str
    start: date
    end: date
    rows: tuple[AbsenceRow, ...]
    """Newest first; within a day by lesson number, then student."""
    working_days: int
    """The policy's days after the document to set the reason [004 §3.7]."""
    codes: tuple[str, ...] = ("Б", "УП", "Н")
    """Reasons a class teacher may set."""


def class_absences(
    db: Database, actor: Actor, class_id: int, start: date, end: date
) -> ClassAbsences:
    """The absences of the class's students in its lessons between ``start`` and ``end``."""
    with reading(db, actor) as session:
        klass = session.get(SchoolClass, class_id)
        if klass is None:
            raise NotFound(f"Класс № {class_id} не найден.")
        if not (actor.has(*READ_ALL_ROLES) or is_class_teacher(actor, klass)):
            raise PermissionDenied(
                f"Пропуски класса {klass.title} видят его классный руководитель и администрация."
            )
        policy = policy_of(session)
        query = (
            select(Absence, Lesson, Course, Subject, Student)  # type: ignore[call-overload]
            .join(Lesson, col(Lesson.id) == Absence.lesson_id)
            .join(Course, col(Course.id) == Lesson.course_id)
            .join(Subject, col(Subject.id) == Course.subject_id)
            .join(Student, col(Student.id) == Absence.student_id)
            .where(Course.class_id == class_id, Lesson.date >= start, Lesson.date <= end)
            .order_by(
                col(Lesson.date).desc(),
                col(Lesson.number),
                col(Student.last_name),
                col(Student.first_name),
            )
        )
        found = list(session.exec(query))
        calendar, today = calendar_of(session), actor.now().date()
        backs = {
            (a.student_id, lesson.date): return_day(session, class_id, a.student_id, lesson.date)
            for a, lesson, *_ in found
        }
        rows = tuple(
            AbsenceRow(
                absence.id or 0,
                absence.version,
                lesson.date,
                lesson.number,
                group_title(subject.name, course.subgroup),
                student.id or 0,
                student.full_name,
                absence.code,
                absence.reason_document,
                why_not(
                    absence_reason_refusal(
                        policy,
                        actor,
                        klass,
                        absence.code,
                        calendar=calendar,
                        day=lesson.date,
                        due_from=backs.get((absence.student_id, lesson.date)),
                        today=today,
                    )
                ),
                *split_document(absence.reason_document),
            )
            for absence, lesson, course, subject, student in found
        )
        return ClassAbsences(
            class_id, klass.title, start, end, rows, policy.ct_absence_reason_working_days
        )


def split_document(text: str) -> tuple[str, date | None]:
    """«Справка № 5 от 20.11.2026» → («Справка № 5», 20.11.2026); as stored by
    ``services.lessons.correct_absence_reason``."""
    head, sep, tail = text.rpartition(" от ")
    if sep:
        try:
            return head, datetime.strptime(tail.strip(), "%d.%m.%Y").date()
        except ValueError:
            pass
    return text, None
