"""The school's lists the year setup works with: subjects, the classes of the year with
their class teachers, the teachers one may assign, a class's subgroups of a subject.

Read by the administrator, the deputy and the director, and by the secretary (who keeps
the class lists [004 §5]); anyone else gets ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Course,
    Enrolment,
    SchoolClass,
    SchoolYear,
    Student,
    SubgroupMember,
    Subject,
    User,
)
from zhurnal.core.uow import current_year, require

READ_ROLES = ("admin", "deputy", "director", "secretary")
READ_ONLY = "Учебный план школы видят администратор, директор, заместитель директора и секретарь."
SCHEME_NAMES = {"quarters": "четверти", "halves": "полугодия"}


@dataclass(frozen=True)
class SubjectRow:
    id: int
    name: str
    short: str
    courses: int  # how many courses of the current year teach it


@dataclass(frozen=True)
class ClassRow:
    id: int
    year_id: int
    title: str
    grade: int
    letter: str
    scheme: str  # "quarters" | "halves"
    class_teacher_id: int | None
    class_teacher: str  # "" when the class has none
    students: int  # enrolled on the day asked about
    version: int

    @property
    def scheme_name(self) -> str:
        return SCHEME_NAMES.get(self.scheme, self.scheme)


@dataclass(frozen=True)
class TeacherRef:
    id: int
    login: str
    full_name: str


@dataclass(frozen=True)
class GroupRef:
    course_id: int
    subgroup: str
    teacher: str


@dataclass(frozen=True)
class PupilGroup:
    student_id: int
    name: str
    course_id: int | None  # the pupil's subgroup on the day, None: in none


@dataclass(frozen=True)
class SubgroupSplit:
    class_id: int
    class_title: str
    subject_id: int
    subject: str
    day: date
    groups: tuple[GroupRef, ...]
    pupils: tuple[PupilGroup, ...]


@dataclass(frozen=True)
class YearRef:
    id: int
    name: str
    closed: bool


def setup_year(db: Database, actor: Actor) -> YearRef | None:
    """The current school year, the one the setup screens work on (None: not set)."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        year = session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712
        return YearRef(year.id or 0, year.name, year.closed) if year else None


def _year_id(session: Session, year_id: int | None) -> int:
    return year_id if year_id is not None else current_year(session).id or 0


def subject_rows(db: Database, actor: Actor) -> tuple[SubjectRow, ...]:
    """Every subject by name, with how many courses of the current year teach it."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        year = session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712
        counts = dict(
            session.exec(
                select(Course.subject_id, func.count(col(Course.id)))
                .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
                .where(SchoolClass.year_id == (year.id if year else -1))
                .group_by(col(Course.subject_id))
            ).all()
        )
        subjects = session.exec(select(Subject)).all()
        return tuple(
            SubjectRow(s.id or 0, s.name, s.short, counts.get(s.id or 0, 0))
            for s in sorted(subjects, key=lambda s: s.name.casefold())
        )


def class_rows(
    db: Database, actor: Actor, year_id: int | None = None, day: date | None = None
) -> tuple[ClassRow, ...]:
    """The classes of the year (the current one by default) by grade and letter, with
    the class teacher and the pupils enrolled on ``day`` (the actor's today)."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        year = _year_id(session, year_id)
        on = day or actor.now().date()
        classes = session.exec(
            select(SchoolClass)
            .where(SchoolClass.year_id == year)
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        ).all()
        names = dict(session.exec(select(User.id, User.full_name)).all())
        counts = dict(
            session.exec(
                select(Enrolment.class_id, func.count(col(Enrolment.id)))
                .where(
                    Enrolment.start <= on,
                    or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= on),
                )
                .group_by(col(Enrolment.class_id))
            ).all()
        )
        return tuple(
            ClassRow(
                k.id or 0,
                k.year_id,
                k.title,
                k.grade,
                k.letter,
                k.period_scheme,
                k.class_teacher_id,
                names.get(k.class_teacher_id, "") if k.class_teacher_id else "",
                counts.get(k.id or 0, 0),
                k.version,
            )
            for k in classes
        )


def active_teachers(db: Database, actor: Actor) -> tuple[TeacherRef, ...]:
    """The users one may make a class teacher or a course's teacher: active, with the
    teacher role; by name."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        users = session.exec(select(User).where(User.active == True)).all()  # noqa: E712
        return tuple(
            TeacherRef(u.id or 0, u.login, u.full_name)
            for u in sorted(users, key=lambda u: u.full_name.casefold())
            if "teacher" in u.role_set()
        )


def subgroup_split(
    db: Database, actor: Actor, class_id: int, subject_id: int, day: date
) -> SubgroupSplit:
    """The subject's subgroups in the class and, for each pupil enrolled on ``day``,
    the subgroup they are in that day."""
    with reading(db, actor) as session:
        require(actor.has(*READ_ROLES), READ_ONLY)
        klass = session.get(SchoolClass, class_id)
        subject = session.get(Subject, subject_id)
        if klass is None or subject is None:
            raise NotFound("Класс или предмет не найден.")
        groups = session.exec(
            select(Course, User)
            .join(User, col(User.id) == Course.teacher_id)
            .where(
                Course.class_id == class_id,
                Course.subject_id == subject_id,
                Course.subgroup != "",
            )
            .order_by(col(Course.subgroup))
        ).all()
        ids = [c.id for c, _ in groups]
        members = dict(
            session.exec(
                select(SubgroupMember.student_id, SubgroupMember.course_id).where(
                    col(SubgroupMember.course_id).in_(ids),
                    SubgroupMember.start <= day,
                    or_(col(SubgroupMember.end).is_(None), col(SubgroupMember.end) >= day),
                )
            ).all()
        )
        pupils = session.exec(
            select(Student)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(
                Enrolment.class_id == class_id,
                Enrolment.start <= day,
                or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= day),
            )
        ).all()
        return SubgroupSplit(
            class_id,
            klass.title,
            subject_id,
            subject.name,
            day,
            tuple(GroupRef(c.id or 0, c.subgroup, u.full_name) for c, u in groups),
            tuple(
                PupilGroup(s.id or 0, s.full_name, members.get(s.id or 0))
                for s in sorted(pupils, key=lambda s: (s.last_name, s.first_name, s.id or 0))
            ),
        )
