"""Table models of the register (DESIGN.md "Domain model").

Only services touch these; screens receive the read models of
``core.readmodels``.  Every editable row carries ``version`` plus who changed
it last and when, so that a stale write is refused with a ``ConflictError``.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import time
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


class Versioned(SQLModel):
    """``version`` is the optimistic check made atomic: the ORM writes every change as
    ``UPDATE … WHERE id = :id AND version = :v`` (and ``DELETE`` likewise) and a row count
    of 0 — another session changed the row since it was read — is a ``StaleDataError``,
    which ``unit_of_work`` turns into a ``ConflictError``, on SQLite and PostgreSQL alike.
    The services set the new value themselves (``UnitOfWork.touch``)."""

    version: int = Field(default=1)
    updated_at: NaiveDatetime | None = None
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        table = cls.__table__  # type: ignore[attr-defined]  # table=True models have one
        return {"version_id_col": table.c.version, "version_id_generator": False}


class Setting(SQLModel, table=True):
    """School-wide settings; the policy TOML is kept here after ``init``."""

    key: str = Field(primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))


class User(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True, unique=True)
    full_name: str
    password_hash: str
    roles: str = ""  # comma separated: admin,director,deputy,teacher,secretary,student,parent
    active: bool = True
    must_change_password: bool = True
    failed_attempts: int = 0
    locked_until: NaiveDatetime | None = None
    password_changed_at: NaiveDatetime | None = None

    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class SchoolYear(Versioned, table=True):
    __tablename__ = "school_year"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # "2026/2027"
    start: Date
    end: Date
    is_current: bool = False
    closed: bool = False


class Period(SQLModel, table=True):
    """A quarter, half-year, year, exam or final period of one scheme."""

    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="school_year.id", index=True)
    scheme: str  # "quarters" | "halves"
    kind: str  # "quarter" | "half" | "year" | "exam" | "final"
    number: int
    name: str
    start: Date
    end: Date


class Holiday(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="school_year.id", index=True)
    name: str
    start: Date
    end: Date
    kind: str = (
        "vacation"  # "vacation" (каникулы, no lessons) | "public" (нерабочий праздничный день)
    )
    grades: str = (
        ""  # "" = all grades, else comma separated (e.g. "1" for the extra February break)
    )


class Bell(SQLModel, table=True):
    """Bell schedule: lesson number -> start and end time."""

    number: int = Field(primary_key=True)
    start: time
    end: time


class SchoolClass(Versioned, table=True):
    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("year_id", "grade", "letter"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="school_year.id", index=True)
    grade: int
    letter: str
    class_teacher_id: int | None = Field(default=None, foreign_key="user.id")
    period_scheme: str = "quarters"

    @property
    def title(self) -> str:
        return f"{self.grade}{self.letter}"


class Student(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: Date | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class Enrolment(Versioned, table=True):
    """A dated stay of a student in a class (движение учащихся)."""

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    start: Date
    end: Date | None = None
    order_in: str = ""  # приказ о зачислении
    order_out: str = ""  # приказ о выбытии
    out_reason: str = ""


class Subject(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    short: str = ""


class Course(Versioned, table=True):
    """Class x subject x optional subgroup x teacher: one register page."""

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="school_class.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
    subgroup: str = ""
    teacher_id: int = Field(foreign_key="user.id", index=True)
    hours_per_week: float = 1.0


class SubgroupMember(SQLModel, table=True):
    __tablename__ = "subgroup_member"
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    start: Date
    end: Date | None = None


class TimetableSlot(Versioned, table=True):
    __tablename__ = "timetable_slot"
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    weekday: int  # 0 = Monday
    number: int
    room: str = ""
    valid_from: Date
    valid_to: Date | None = None


class PlanItem(SQLModel, table=True):
    """One topic of a course's calendar-thematic plan (КТП)."""

    __tablename__ = "plan_item"
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    position: int
    topic: str
    hours: int = 1


class Lesson(Versioned, table=True):
    __table_args__ = (UniqueConstraint("course_id", "date", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    date: Date = Field(index=True)
    number: int
    room: str = ""
    topic: str = ""
    homework: str = ""
    plan_item_id: int | None = Field(default=None, foreign_key="plan_item.id")
    held_by_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    attendance_taken_at: NaiveDatetime | None = None
    topic_entered_at: NaiveDatetime | None = None
    topic_late: bool = False
    homework_entered_at: NaiveDatetime | None = None
    homework_late: bool = False
    attendance_late: bool = False
    cancelled: bool = False


class WorkType(SQLModel, table=True):
    __tablename__ = "work_type"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    weight: float = 1.0
    lock_class: str = "current"  # "current" | "practical" | "written"


class Assignment(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    work_type_id: int = Field(foreign_key="work_type.id")
    title: str = ""


class Mark(Versioned, table=True):
    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    value: str
    entered_at: NaiveDatetime
    entered_by_id: int = Field(foreign_key="user.id")
    late: bool = False
    correction_id: int | None = Field(default=None, foreign_key="correction.id")


class Absence(Versioned, table=True):
    __table_args__ = (UniqueConstraint("lesson_id", "student_id"),)
    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    code: str  # "Н" | "Б" | "УП" | "ОП"
    entered_at: NaiveDatetime
    late: bool = False
    reason_document: str = ""
    correction_id: int | None = Field(default=None, foreign_key="correction.id")


class PeriodMark(Versioned, table=True):
    __tablename__ = "period_mark"
    __table_args__ = (UniqueConstraint("course_id", "student_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    value: str
    entered_at: NaiveDatetime
    entered_by_id: int = Field(foreign_key="user.id")
    correction_id: int | None = Field(default=None, foreign_key="correction.id")


class Correction(Versioned, table=True):
    """A director-approved exception to an edit lock [004 §7]."""

    id: int | None = Field(default=None, primary_key=True)
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: NaiveDatetime
    ground: str  # illness | retake | rework | teacher_absence | other
    reason: str = ""
    document_number: str
    document_date: Date
    course_id: int = Field(foreign_key="course.id", index=True)
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")
    period_id: int | None = Field(default=None, foreign_key="period.id")
    student_id: int | None = Field(default=None, foreign_key="student.id")
    scope: str = "marks"  # marks | attendance | lesson | period_marks | cells (items)
    status: str = "requested"  # requested | approved | rejected | applied
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: NaiveDatetime | None = None
    decision_note: str = ""
    valid_until: Date | None = None
    applied_by_id: int | None = Field(default=None, foreign_key="user.id")
    applied_at: NaiveDatetime | None = None


class CorrectionItem(SQLModel, table=True):
    """One cell a correction changes, old -> new as seen when it was requested [004 §7]."""

    __tablename__ = "correction_item"
    id: int | None = Field(default=None, primary_key=True)
    correction_id: int = Field(foreign_key="correction.id", index=True)
    position: int = 0
    kind: str  # mark | absence | period_mark | topic | homework
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    period_id: int | None = Field(default=None, foreign_key="period.id")
    student_id: int | None = Field(default=None, foreign_key="student.id")
    old_value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    new_value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained log of every change, login and refusal."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    ts: NaiveDatetime = Field(index=True)
    actor_id: int | None = None
    actor_login: str = ""
    action: str = Field(index=True)
    entity: str = ""
    entity_id: int | None = None
    before: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    after: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    correction_id: int | None = Field(default=None, index=True)  # the change table [004 §7.5]
    # The one course whose register rows the event changed (None: it may concern anything).
    # A hint for the screens' refresh only: not hashed, not a fact ``verify`` relies on.
    course_id: int | None = None
    prev_hash: str
    hash: str


class AuditHead(SQLModel, table=True):
    """One row: the chain's head. Updating it serialises appenders on any backend."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    last_event_id: int = 0
    last_hash: str = ""


class Incident(SQLModel, table=True):
    """A credential compromise [002 §4.3–4.4]."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    known_since: NaiveDatetime
    reported_by_id: int = Field(foreign_key="user.id")
    reported_at: NaiveDatetime
    note: str = ""


class Draft(SQLModel, table=True):
    """Topic and homework a user typed for a lesson and has not saved (personal scratch,
    never part of the register; ``core.services.drafts``)."""

    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    topic: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    homework: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    lesson_version: int = 0  # the lesson's version the text was typed over
    # The lesson's texts the typing started from: a field equal to its base was not
    # touched and follows the register; one that differs may clash with another session.
    base_topic: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    base_homework: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    saved_at: NaiveDatetime


class ImportBatch(SQLModel, table=True):
    """One file's import applied in short transactions (``services.import_batches``):
    all of it or, once any chunk fails, none (its chunks reverted, audited)."""

    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "marks" | "students"
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    started_at: NaiveDatetime
    finished_at: NaiveDatetime | None = None
    status: str = "applying"  # applying | done | reverting | reverted
    rows: int = 0  # rows of the file
    applied: int = 0  # rows written so far (all of them once done)


class ImportChunk(SQLModel, table=True):
    """One write transaction of a batch: the audit events it appended, first to last
    (contiguous: the chunk held the audit head), list the rows it wrote."""

    __tablename__ = "import_chunk"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    position: int
    rows: int
    first_event_id: int
    last_event_id: int
