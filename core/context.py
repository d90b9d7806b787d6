"""The facts a lesson's rules need: course, class, bell times, roster, the student.

Layer: above ``uow``, below ``access`` (see ``core/__init__``).  ``LessonFacts`` and
``StudentAtLesson`` are plain values: ``core.access`` decides on them, whether they
were loaded for one write (here) or in bulk for a whole grid (``readmodels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, bindparam, exists
from sqlalchemy import select as sa_select
from sqlmodel import Session, and_, col, func, or_, select

from zhurnal.core.errors import NotFound
from zhurnal.core.models import (
    Absence,
    Assignment,
    Bell,
    Course,
    Enrolment,
    Lesson,
    Mark,
    SchoolClass,
    SchoolYear,
    Student,
    SubgroupMember,
    Subject,
    User,
    WorkType,
)
from zhurnal.core.rules import entry_deadline, homework_deadline, mark_deadline
from zhurnal.core.uow import UnitOfWork, plain

DEFAULT_BELL = (time(8, 0), time(8, 45))
SOMEONE = "другой учитель"
"""Who keeps a lesson's register when the user row is missing."""


@dataclass
class LessonCtx:
    lesson: Lesson
    course: Course
    klass: SchoolClass
    subject: Subject
    start: datetime
    end: datetime
    year: SchoolYear | None = None  # the class's school year, when read with the lesson

    @property
    def grade(self) -> int:
        return self.klass.grade

    @property
    def group(self) -> str:
        """«5А» or «5А (2 гр.)»: the class, with the subgroup of the course."""
        return group_title(self.klass.title, self.course.subgroup)


def group_title(class_title: str, subgroup: str) -> str:
    return f"{class_title} ({subgroup})" if subgroup else class_title


@dataclass(frozen=True)
class LessonFacts:
    """What a decision about one lesson's cells depends on (``core.access.Judge``)."""

    lesson_id: int
    date: date
    starts_at: datetime
    course_teacher_id: int
    held_by_id: int | None
    keeper: str  # who keeps the lesson's register: the one holding it, else the course's
    grade: int
    group: str  # «5А (2 гр.)»
    closed_year: str = ""  # the name of the lesson's school year once it is closed


@dataclass(frozen=True)
class StudentAtLesson:
    """One student at one lesson: in the class that day, and absent with which code."""

    id: int
    name: str
    enrolled: bool
    absence: str | None = None


def lesson_ctx(uow: UnitOfWork, lesson_id: int) -> LessonCtx:
    """The lesson with its course, class, subject and bell, in one statement (a service's
    hot path); ``NotFound`` naming what is missing."""
    row = uow.session.execute(
        sa_select(Lesson, Course, SchoolClass, Subject, SchoolYear, col(Bell.start), col(Bell.end))
        .join(Course, col(Course.id) == Lesson.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .join(Subject, col(Subject.id) == Course.subject_id)
        .join(SchoolYear, col(SchoolYear.id) == SchoolClass.year_id)
        .outerjoin(Bell, col(Bell.number) == Lesson.number)
        .where(col(Lesson.id) == lesson_id)
    ).first()
    if row is None:
        _missing(uow, lesson_id)
    lesson, course, klass, subject, year, start_t, end_t = row
    uow.touches(course.id)
    if start_t is None or end_t is None:
        start_t, end_t = DEFAULT_BELL
    return LessonCtx(
        lesson,
        course,
        klass,
        subject,
        datetime.combine(lesson.date, start_t),
        datetime.combine(lesson.date, end_t),
        year,
    )


def _missing(uow: UnitOfWork, lesson_id: int) -> NoReturn:
    """Raise the ``NotFound`` of what ``lesson_ctx`` did not find, in the user's words."""
    lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
    course: Course = uow.get(Course, lesson.course_id, "Предмет класса")
    klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
    uow.get(Subject, course.subject_id, "Предмет")
    uow.get(SchoolYear, klass.year_id, "Учебный год")
    raise NotFound(f"Урок не найден (№ {lesson_id}).")


def keeper_id(course_teacher_id: int, held_by_id: int | None) -> int:
    return held_by_id if held_by_id is not None else course_teacher_id


def lesson_facts(session: Session, ctx: LessonCtx) -> LessonFacts:
    lesson = ctx.lesson
    keeper = session.get(User, keeper_id(ctx.course.teacher_id, lesson.held_by_id))
    return LessonFacts(
        lesson.id or 0,
        lesson.date,
        ctx.start,
        ctx.course.teacher_id,
        lesson.held_by_id,
        keeper.full_name if keeper else SOMEONE,
        ctx.grade,
        ctx.group,
        _closed_name(ctx.year)
        if ctx.year is not None
        else closed_year_name(session, ctx.klass.year_id),
    )


def closed_year_name(session: Session, year_id: int) -> str:
    """The year's name if it is closed (read-only [000 §5.2.1]), else ""."""
    return _closed_name(session.get(SchoolYear, year_id))


def _closed_name(year: SchoolYear | None) -> str:
    return year.name if year is not None and year.closed else ""


def _in_class(course: Course, day: date) -> tuple[Any, ...]:
    """The conditions of an enrolment in the course's class on that day."""
    return (
        Enrolment.class_id == course.class_id,
        Enrolment.start <= day,
        or_(Enrolment.end == None, col(Enrolment.end) >= day),  # noqa: E711
    )


def _in_subgroup(course: Course, day: date) -> tuple[Any, ...]:
    """The conditions of a membership of the course's subgroup on that day."""
    return (
        SubgroupMember.course_id == course.id,
        SubgroupMember.start <= day,
        or_(SubgroupMember.end == None, col(SubgroupMember.end) >= day),  # noqa: E711
    )


def roster_ids(session: Session, course: Course, day: date) -> set[int]:
    """Students who belong to the course on that day (class enrolment, subgroup)."""
    enrolled = set(session.exec(select(Enrolment.student_id).where(*_in_class(course, day))))
    if not course.subgroup:
        return enrolled
    members = set(session.exec(select(SubgroupMember.student_id).where(*_in_subgroup(course, day))))
    return enrolled & members


def roster(session: Session, course: Course, day: date) -> list[Student]:
    ids = roster_ids(session, course, day)
    if not ids:
        return []
    rows = session.exec(select(Student).where(col(Student.id).in_(ids)))
    return sorted(rows, key=lambda s: (s.last_name, s.first_name, s.middle_name, s.id))


def student_at_lesson(
    session: Session, course: Course, lesson: Lesson, student_id: int, day: date | None = None
) -> StudentAtLesson:
    """The student, whether they belong to the course on ``day`` (the lesson's date by
    default: ``roster_ids``'s conditions) and their absence code at the lesson, in one
    statement; ``NotFound`` if no such student."""
    day = day or lesson.date
    absence = (
        select(Absence.code)
        .where(Absence.lesson_id == lesson.id, Absence.student_id == student_id)
        .limit(1)
        .scalar_subquery()
    )
    enrolled: ColumnElement[bool] = exists().where(
        col(Enrolment.student_id) == student_id, *_in_class(course, day)
    )
    if course.subgroup:
        member = col(SubgroupMember.student_id) == student_id
        enrolled = and_(enrolled, exists().where(member, *_in_subgroup(course, day)))
    row = session.exec(select(Student, absence, enrolled).where(Student.id == student_id)).first()
    if row is None:
        raise student_missing(student_id)
    student, code, belongs = row
    return StudentAtLesson(student_id, student.full_name, bool(belongs), code)


def student_missing(student_id: int) -> NotFound:
    return NotFound(f"Ученик № {student_id} не найден.")


def marks_at_lesson(session: Session, lesson_id: int, student_id: int) -> list[tuple[str, str]]:
    """The student's marks at the lesson as (work type code, value)."""
    return [
        (code, value)
        for code, value in session.exec(
            select(WorkType.code, Mark.value)
            .join(Assignment, col(Assignment.id) == Mark.assignment_id)
            .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
            .where(Assignment.lesson_id == lesson_id, Mark.student_id == student_id)
            .order_by(col(Assignment.id))
        )
    ]


def deadlines(uow: UnitOfWork, ctx: LessonCtx) -> tuple[datetime, datetime]:
    """(entry deadline, homework deadline) of the lesson."""
    return (
        entry_deadline(uow.policy, uow.calendar, ctx.lesson.date),
        homework_deadline(uow.policy, uow.calendar, ctx.lesson.date, ctx.end.time()),
    )


_FIRST_MARK = sa_select(func.min(Mark.entered_at)).where(
    col(Mark.assignment_id) == bindparam("assignment_id")
)


def mark_due(uow: UnitOfWork, day: date, assignment_id: int, work_type: str) -> datetime:
    """When a new mark of the assignment (of a lesson on ``day``) is due: with the lesson
    [004 §3.8], or, for a work marked after checking, on the day its checking ends — the
    day of its first mark [002 §2.5] (``core.rules.mark_deadline``)."""
    spec = uow.policy.work_type(work_type)
    checked_on = None
    if spec is not None and spec.due == "checked":
        first = plain(uow.session).execute(_FIRST_MARK, {"assignment_id": assignment_id}).scalar()
        checked_on = first.date() if first is not None else None
    return mark_deadline(uow.policy, uow.calendar, day, work_type, checked_on)


WHOLE_LESSON_CODES = ("Н", "Б", "УП")


def return_day(session: Session, class_id: int, student_id: int, after: date) -> date | None:
    """The first day after ``after`` the student was at a lesson of the whole class
    (attendance taken, no Н/Б/УП for them): the day a document for an absence is due
    [004 §3.7]; None while they have not come back."""
    absent = select(Absence.id).where(
        Absence.lesson_id == Lesson.id,
        Absence.student_id == student_id,
        col(Absence.code).in_(WHOLE_LESSON_CODES),
    )
    return session.exec(
        select(func.min(Lesson.date))
        .join(Course, col(Course.id) == Lesson.course_id)
        .where(
            Course.class_id == class_id,
            Course.subgroup == "",
            Lesson.date > after,
            col(Lesson.attendance_taken_at).is_not(None),
            Lesson.cancelled == False,  # noqa: E712 - SQL
            ~absent.exists(),
        )
    ).one()


LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXabcehkmoptx", "АВСЕНКМОРТХавсенкмортх")


def parse_class_title(title: str) -> tuple[int, str] | None:
    """«5А», «5 а», «5-A» (Latin look-alikes) → (5, "А"); None when it is not a class."""
    t = title.strip().replace(" ", "").replace("-", "").translate(LATIN_TO_CYRILLIC).upper()
    digits = "".join(ch for ch in t if "0" <= ch <= "9")
    letter = t[len(digits) :]
    if not digits or not letter or len(digits) > 2:
        return None
    return int(digits), letter


def class_by_title(session: Session, year_id: int | None, title: str) -> SchoolClass | None:
    """The class «5А» of the year, if there is one."""
    parsed = parse_class_title(title)
    if parsed is None:
        return None
    grade, letter = parsed
    return session.exec(
        select(SchoolClass).where(
            SchoolClass.year_id == year_id,
            SchoolClass.grade == grade,
            SchoolClass.letter == letter,
        )
    ).first()


@dataclass(frozen=True)
class StoredMark:
    """A mark as stored: what a save compares, writes over and logs."""

    id: int
    assignment_id: int
    student_id: int
    value: str
    version: int
    late: bool
    entered_at: datetime
    entered_by_id: int
    correction_id: int | None
    updated_at: datetime | None
    updated_by_id: int | None


@dataclass(frozen=True)
class MarkTarget:
    """Everything a save of one student's mark in one column decides on and writes over,
    read in one statement (``mark_target``): the grid's and the import's hot path."""

    assignment_id: int
    work_type: str
    lock_class: str
    course_id: int
    facts: LessonFacts
    student: StudentAtLesson | None  # None: no such student
    mark: StoredMark | None


def _target_statement(*, by_assignment: bool) -> Any:
    """The statement of ``mark_target`` (``by_assignment``) or ``lesson_target``: the
    lesson's facts and the student at it, with the column and the stored mark."""
    a, wt, les = Assignment.__table__, WorkType.__table__, Lesson.__table__  # type: ignore[attr-defined]
    c, k, y = Course.__table__, SchoolClass.__table__, SchoolYear.__table__  # type: ignore[attr-defined]
    b, st, m = Bell.__table__, Student.__table__, Mark.__table__  # type: ignore[attr-defined]
    en, sm, ab = Enrolment.__table__, SubgroupMember.__table__, Absence.__table__  # type: ignore[attr-defined]
    keeper = User.__table__.alias("keeper")  # type: ignore[attr-defined]
    sid: Any = bindparam("student_id")
    absence = (
        sa_select(ab.c.code)
        .where(ab.c.lesson_id == les.c.id, ab.c.student_id == sid)
        .limit(1)
        .scalar_subquery()
    )
    # ``roster_ids``'s conditions on the lesson's date, the subgroup's only for a subgroup
    enrolled = exists().where(
        en.c.student_id == sid,
        en.c.class_id == c.c.class_id,
        en.c.start <= les.c.date,
        or_(en.c.end.is_(None), en.c.end >= les.c.date),
    )
    member = or_(
        c.c.subgroup == "",
        exists().where(
            sm.c.student_id == sid,
            sm.c.course_id == c.c.id,
            sm.c.start <= les.c.date,
            or_(sm.c.end.is_(None), sm.c.end >= les.c.date),
        ),
    )
    columns: tuple[Any, ...] = (
        les.c.id, les.c.date, les.c.held_by_id,
        c.c.id, c.c.teacher_id, c.c.subgroup, k.c.grade, k.c.letter, y.c.name, y.c.closed,
        b.c.start, keeper.c.full_name,
        st.c.id, st.c.last_name, st.c.first_name, st.c.middle_name, absence,
        and_(enrolled, member),
    )  # fmt: skip
    if by_assignment:
        columns += (
            a.c.id, wt.c.code, wt.c.lock_class,
            m.c.id, m.c.value, m.c.version, m.c.late, m.c.entered_at, m.c.entered_by_id,
            m.c.correction_id, m.c.updated_at, m.c.updated_by_id,
        )  # fmt: skip
        query = (
            sa_select(*columns)
            .select_from(a)
            .join(wt, wt.c.id == a.c.work_type_id)
            .join(les, les.c.id == a.c.lesson_id)
        )
    else:
        query = sa_select(*columns).select_from(les)
    query = (
        query.join(c, c.c.id == les.c.course_id)
        .join(k, k.c.id == c.c.class_id)
        .join(y, y.c.id == k.c.year_id)
        .outerjoin(b, b.c.number == les.c.number)
        .outerjoin(keeper, keeper.c.id == func.coalesce(les.c.held_by_id, c.c.teacher_id))
        .outerjoin(st, st.c.id == sid)
    )
    if by_assignment:
        return query.outerjoin(m, and_(m.c.assignment_id == a.c.id, m.c.student_id == sid)).where(
            a.c.id == bindparam("assignment_id")
        )
    return query.where(les.c.id == bindparam("lesson_id"))


_MARK_TARGET = _target_statement(by_assignment=True)
_LESSON_TARGET = _target_statement(by_assignment=False)
_FACTS = 18  # the columns of the lesson's facts and the student, first in both statements


def _facts_and_student(
    uow: UnitOfWork, row: Any
) -> tuple[int, LessonFacts, StudentAtLesson | None]:
    """(course id, the lesson's facts, the student at it or None) of a target's row."""
    (
        lesson_id, day, held_by_id,
        course_id, teacher_id, subgroup, grade, letter, year_name, closed,
        bell_start, keeper_name,
        s_id, last, first, middle, absence, belongs,
    ) = row[:_FACTS]  # fmt: skip
    uow.touches(course_id)
    facts = LessonFacts(
        lesson_id,
        day,
        datetime.combine(day, bell_start if bell_start is not None else DEFAULT_BELL[0]),
        teacher_id,
        held_by_id,
        keeper_name if keeper_name is not None else SOMEONE,
        grade,
        group_title(f"{grade}{letter}", subgroup),
        year_name if closed else "",
    )
    student = None
    if s_id is not None:
        name = " ".join(p for p in (last, first, middle) if p)
        student = StudentAtLesson(s_id, name, bool(belongs), absence)
    return course_id, facts, student


def mark_target(uow: UnitOfWork, assignment_id: int, student_id: int) -> MarkTarget:
    """The column, its lesson's facts, the student at the lesson and their stored mark, in
    one plain statement (no ORM objects: a save is the commonest write of the school);
    ``NotFound`` naming what is missing."""
    row = (
        plain(uow.session)
        .execute(_MARK_TARGET, {"assignment_id": assignment_id, "student_id": student_id})
        .first()
    )
    if row is None:
        assignment: Assignment = uow.get(Assignment, assignment_id, "Задание")
        uow.get(WorkType, assignment.work_type_id, "Вид работы")
        _missing(uow, assignment.lesson_id)
    course_id, facts, student = _facts_and_student(uow, row)
    (
        a_id, code, lock_class,
        m_id, value, version, late, entered_at, entered_by_id,
        correction_id, updated_at, updated_by_id,
    ) = row[_FACTS:]  # fmt: skip
    mark = None
    if m_id is not None:
        mark = StoredMark(
            m_id, a_id, student_id, value, version, bool(late), entered_at, entered_by_id,
            correction_id, updated_at, updated_by_id,
        )  # fmt: skip
    return MarkTarget(a_id, code, lock_class, course_id, facts, student, mark)


def lesson_target(
    uow: UnitOfWork, lesson_id: int, student_id: int
) -> tuple[int, LessonFacts, StudentAtLesson | None]:
    """(course id, the lesson's facts, the student at it or None), in one plain statement:
    an import checks each row of its file this way; ``NotFound`` naming what is missing."""
    row = (
        plain(uow.session)
        .execute(_LESSON_TARGET, {"lesson_id": lesson_id, "student_id": student_id})
        .first()
    )
    if row is None:
        _missing(uow, lesson_id)
    return _facts_and_student(uow, row)
