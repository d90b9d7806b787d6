"""The SQL of «Заполнение журнала» (``core.readmodels.completeness``): a handful of
aggregates grouped by course over every course in ``scope`` (a condition on
``SchoolClass``), whatever the size of the school — no ORM row per lesson or mark.

A lesson's figures are grouped by course *and keeper*: who fills the lesson, the
substitute when it has one, else the course teacher (``KEEPER``) [004 §5
«Учитель-предметник»: the colleague who substitutes fills the register].

Wide selects go through SQLAlchemy's own ``select`` on the session's connection
(sqlmodel's ``select`` is typed for at most 4 columns, fastapi/sqlmodel#271).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, true
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from zhurnal.core.context import DEFAULT_BELL
from zhurnal.core.models import (
    Assignment,
    Course,
    Enrolment,
    Lesson,
    Mark,
    SchoolClass,
    SubgroupMember,
    Subject,
)
from zhurnal.core.policy import Policy
from zhurnal.core.rules import edit_lock_at
from zhurnal.core.uow import bell_times, calendar_of

LOCKING_SOON = timedelta(days=3)
"""A lesson with a gap whose edit lock comes within this time «скоро закроется»."""

Cond = ColumnElement[bool]
KEEPER: Any = func.coalesce(col(Lesson.held_by_id), col(Course.teacher_id))
"""Who fills a lesson: its substitute (``Lesson.held_by_id``), else the course teacher."""
Part = tuple[int, int]
"""(course id, keeper id)."""
Spans = dict[int, list[tuple[date, date]]]


@dataclass(frozen=True)
class CourseFacts:
    id: int
    class_id: int
    subgroup: str
    teacher_id: int
    subject: str
    grade: int
    letter: str
    class_teacher_id: int | None


@dataclass(frozen=True)
class LessonCounts:
    lessons: int = 0
    no_topic: int = 0
    no_homework: int = 0
    no_attendance: int = 0
    late: int = 0
    locking_soon: int = 0
    first_gap_lesson_id: int | None = None
    first_gap_date: date | None = None


def _rows(session: Session, statement: Any) -> Sequence[Any]:
    return session.connection().execute(statement).all()


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def courses(session: Session, scope: Cond) -> list[CourseFacts]:
    statement = (
        sql_select(
            col(Course.id),
            col(Course.class_id),
            col(Course.subgroup),
            col(Course.teacher_id),
            col(Subject.name),
            col(SchoolClass.grade),
            col(SchoolClass.letter),
            col(SchoolClass.class_teacher_id),
        )
        .join(Subject, col(Subject.id) == Course.subject_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .where(scope)
    )
    return [CourseFacts(*row) for row in _rows(session, statement)]


def started(session: Session, now: datetime) -> Cond:
    """The lesson has begun by ``now`` (its bell; a number without one: ``DEFAULT_BELL``)."""
    bells = bell_times(session)
    begun = [n for n, (start, _) in bells.items() if start <= now.time()]
    today: Cond = col(Lesson.number).in_(begun) if begun else false()
    if DEFAULT_BELL[0] <= now.time():
        today = or_(today, col(Lesson.number).not_in(list(bells)) if bells else true())
    return or_(col(Lesson.date) < now.date(), and_(col(Lesson.date) == now.date(), today))


def locking_days(
    session: Session, policy: Policy, start: date, end: date, now: datetime
) -> list[date]:
    """Lesson dates in the range whose current-entry lock comes within ``LOCKING_SOON``."""
    cal = calendar_of(session)
    out, day = [], start
    while day <= min(end, now.date()):
        if now < edit_lock_at(policy, cal, day, "current") <= now + LOCKING_SOON:
            out.append(day)
        day += timedelta(days=1)
    return out


def _lessons_of(*columns: Any) -> Select[Any]:
    return (
        sql_select(*columns)
        .join(Course, col(Course.id) == Lesson.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
    )


def in_range(scope: Cond, start: date, end: date) -> Cond:
    return and_(
        col(Lesson.date) >= start,
        col(Lesson.date) <= end,
        col(Lesson.cancelled) == False,  # noqa: E712 - SQL, not Python
        scope,
    )


def lesson_counts(
    session: Session, policy: Policy, held: Cond, soon_days: list[date]
) -> dict[Part, LessonCounts]:
    """Per course and keeper: the lessons ``held`` and their gaps, late flags, the gaps
    about to lock and the earliest lesson with a gap."""
    no_topic = col(Lesson.topic) == ""
    no_homework: Any = col(Lesson.homework) == ""
    if policy.grade1_no_marks:  # grade 1: the homework column reads «нет» [004 §3.5]
        no_homework = case(
            (col(SchoolClass.grade) == 1, col(Lesson.homework) != policy.grade1_homework),
            else_=col(Lesson.homework) == "",
        )
    no_attendance = col(Lesson.attendance_taken_at).is_(None)
    gap = or_(no_topic, no_homework, no_attendance)
    soon = and_(gap, col(Lesson.date).in_(soon_days)) if soon_days else false()
    ranked = (
        _lessons_of(
            col(Lesson.course_id),
            KEEPER.label("keeper"),
            col(Lesson.id),
            col(Lesson.date),
            func.row_number()
            .over(
                partition_by=(col(Lesson.course_id), KEEPER),
                order_by=(col(Lesson.date), col(Lesson.number)),
            )
            .label("rank"),
        )
        .where(held, gap)
        .subquery()
    )
    first = {
        (cid, keeper): (lid, day)
        for cid, keeper, lid, day in _rows(
            session,
            sql_select(ranked.c.course_id, ranked.c.keeper, ranked.c.id, ranked.c.date).where(
                ranked.c.rank == 1
            ),
        )
    }
    statement = (
        _lessons_of(
            col(Lesson.course_id),
            KEEPER,
            func.count(col(Lesson.id)),
            _count(no_topic),
            _count(no_homework),
            _count(no_attendance),
            _count(col(Lesson.topic_late))
            + _count(col(Lesson.homework_late))
            + _count(col(Lesson.attendance_late)),
            _count(soon),
        )
        .where(held)
        .group_by(col(Lesson.course_id), KEEPER)
    )
    out = {}
    for cid, keeper, n, no_t, no_h, no_a, late, soon_n in _rows(session, statement):
        gap_id, gap_day = first.get((cid, keeper), (None, None))
        out[cid, keeper] = LessonCounts(n, no_t, no_h, no_a, late, soon_n, gap_id, gap_day)
    return out


def marks_by_student(
    session: Session, policy: Policy, lessons: Cond
) -> tuple[dict[int, dict[int, int]], dict[Part, int]]:
    """(course -> student -> marks of the scale, (course, keeper) -> marks entered late)
    over the ``lessons``; the debt mark is not a mark of the scale, a late one is still
    late."""
    marked: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    late: dict[Part, int] = defaultdict(int)
    statement = (
        _lessons_of(
            col(Lesson.course_id),
            KEEPER,
            col(Mark.student_id),
            _count(col(Mark.value).in_(policy.mark_values)),
            _count(col(Mark.late)),
        )
        .join(Assignment, col(Assignment.lesson_id) == Lesson.id)
        .join(Mark, col(Mark.assignment_id) == Assignment.id)
        .where(lessons)
        .group_by(col(Lesson.course_id), KEEPER, col(Mark.student_id))
    )
    for cid, keeper, sid, n, n_late in _rows(session, statement):
        if n_late:
            late[cid, keeper] += n_late
        if n:
            marked[cid][sid] += n
    return marked, late


def rosters(
    session: Session, scope: Cond, start: date, end: date
) -> Callable[[int, int | None], set[int]]:
    """A function (class id, subgroup course id or None) -> the course's students at any
    time in the range: in the class, and in the subgroup at an overlapping time (as the
    gradebook's roster, ``core.readmodels.grid``)."""

    def spans(statement: Any) -> dict[int, Spans]:
        out: dict[int, Spans] = defaultdict(lambda: defaultdict(list))
        for sid, owner, a, b in _rows(session, statement):
            out[owner][sid].append((max(a, start), min(b or end, end)))
        return out

    enrolled = spans(
        sql_select(
            col(Enrolment.student_id),
            col(Enrolment.class_id),
            col(Enrolment.start),
            col(Enrolment.end),
        )
        .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
        .where(
            scope,
            col(Enrolment.start) <= end,
            or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= start),
        )
    )
    members = spans(
        sql_select(
            col(SubgroupMember.student_id),
            col(SubgroupMember.course_id),
            col(SubgroupMember.start),
            col(SubgroupMember.end),
        )
        .join(Course, col(Course.id) == SubgroupMember.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .where(
            scope,
            col(SubgroupMember.start) <= end,
            or_(col(SubgroupMember.end).is_(None), col(SubgroupMember.end) >= start),
        )
    )

    def roster(class_id: int, subgroup_course: int | None) -> set[int]:
        in_class = enrolled.get(class_id, {})
        if subgroup_course is None:
            return set(in_class)
        group = members.get(subgroup_course, {})
        return {
            sid
            for sid, stays in in_class.items()
            if any(max(a, c) <= min(b, d) for a, b in stays for c, d in group.get(sid, []))
        }

    return roster
