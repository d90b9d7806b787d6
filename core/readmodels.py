"""Plain, frozen read models that services return and screens show.

Never ORM rows: a screen holding one of these cannot lazy-load, expire or
write anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class UserView:
    id: int
    login: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    must_change_password: bool
    locked_until: datetime | None
    version: int = 0


@dataclass(frozen=True)
class LessonView:
    id: int
    course_id: int
    date: date
    number: int
    class_title: str
    subject: str
    subgroup: str
    room: str
    topic: str
    homework: str
    held_by_id: int | None
    attendance_taken_at: datetime | None
    topic_late: bool
    homework_late: bool
    version: int
    entry_deadline: datetime
    homework_deadline: datetime
    lock_at: datetime
    grade: int
    substitute: bool = False
    marks_count: int = 0
    absences_count: int = 0


@dataclass(frozen=True)
class AssignmentView:
    id: int
    lesson_id: int
    work_type_code: str
    work_type_name: str
    weight: float
    lock_class: str
    title: str
    version: int


@dataclass(frozen=True)
class MarkView:
    id: int
    assignment_id: int
    student_id: int
    value: str
    late: bool
    version: int
    correction_id: int | None


@dataclass(frozen=True)
class AbsenceView:
    id: int
    lesson_id: int
    student_id: int
    code: str
    late: bool
    version: int


@dataclass(frozen=True)
class PeriodMarkView:
    id: int
    course_id: int
    student_id: int
    period_id: int
    value: str
    version: int
    correction_id: int | None


@dataclass(frozen=True)
class StudentView:
    id: int
    full_name: str
    class_id: int | None = None


@dataclass(frozen=True)
class CorrectionView:
    id: int
    course_id: int
    lesson_id: int | None
    period_id: int | None
    student_id: int | None
    scope: str
    ground: str
    reason: str
    document_number: str
    document_date: date
    status: str
    requested_by_id: int
    decided_by_id: int | None
    valid_until: date | None
    version: int
