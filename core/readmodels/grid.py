"""Loading the «Журнал» page of a course for a period, in a few bulk queries.

``load_gradebook`` returns the frozen ``Gradebook`` (``core.readmodels.gradebook``):
students (the roster over the period, with who arrived or left), columns (one per
assignment of each lesson, or a default «answer» column for a lesson without
one), the marks, absences, weighted averages and the suggested and existing
period marks, and the decisions of ``core.access`` for the user who loaded it.
No ORM rows leave this module.

It runs a fixed handful of bulk queries whatever the size of the grid (a
35 × 80 quarter loads in a few milliseconds; bench/bench_grid.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time

from sqlmodel import Session, and_, col, or_, select, true
from sqlmodel.sql.expression import Select

from zhurnal.core.access import (
    Judge,
    can_read_course,
    correction_request_refusal,
    require_read_course,
    require_read_lesson,
    why_not,
)
from zhurnal.core.actor import Actor
from zhurnal.core.audit import change_counter
from zhurnal.core.context import (
    DEFAULT_BELL,
    SOMEONE,
    LessonFacts,
    closed_year_name,
    group_title,
    keeper_id,
)
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Absence,
    Assignment,
    Course,
    Enrolment,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    SchoolClass,
    Student,
    SubgroupMember,
    Subject,
    User,
    WorkType,
)
from zhurnal.core.readmodels.gradebook import (
    Cell,
    Column,
    Gradebook,
    PeriodInfo,
    PeriodMarkCell,
    StudentRow,
    summarize,
)
from zhurnal.core.readmodels.lessons import next_moment
from zhurnal.core.rules import (
    grade1_marks_refusal,
    marks_given,
    period_choices,
    period_mark_lock_at,
    period_mark_open_from,
)
from zhurnal.core.uow import bell_times, calendar_of, policy_of

DEFAULT_WORK_TYPE = "answer"
PERIOD_KINDS = ("quarter", "half")


# --- periods --------------------------------------------------------------------------


def _course_and_class(
    session: Session, actor: Actor, course_id: int
) -> tuple[Course, SchoolClass, bool]:
    """The course and its class, if the user may read them, and whether the user reads
    them only as a substitute: then the register shows the lessons they took, not the
    course's other lessons [004 §5 «Учитель»]."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"Предмет класса № {course_id} не найден.")
    klass = session.get(SchoolClass, course.class_id)
    if klass is None:
        raise NotFound(f"Класс № {course.class_id} не найден.")
    if can_read_course(session, actor, course, klass):
        return course, klass, False
    if actor.has("teacher") and actor.user_id is not None:
        took = session.exec(
            select(Lesson.id).where(
                Lesson.course_id == course_id, Lesson.held_by_id == actor.user_id
            )
        ).first()
        if took is not None:
            return course, klass, True
    require_read_course(session, actor, course, klass)  # raises: the refusal in words
    return course, klass, False


def _periods(session: Session, klass: SchoolClass) -> list[PeriodInfo]:
    rows = session.exec(
        select(Period)
        .where(
            Period.year_id == klass.year_id,
            Period.scheme == klass.period_scheme,
            col(Period.kind).in_(PERIOD_KINDS),
        )
        .order_by(col(Period.start))
    )
    return [PeriodInfo(p.id or 0, p.name, p.start, p.end) for p in rows]


def course_periods(db: Database, actor: Actor, course_id: int) -> list[PeriodInfo]:
    """The quarters (or half-years) of the course's class, in order."""
    with reading(db, actor) as session:
        _, klass, _ = _course_and_class(session, actor, course_id)
        return _periods(session, klass)


def current_period_id(
    db: Database, actor: Actor, course_id: int, today: date | None = None
) -> int | None:
    """The period containing today; in holidays the last one begun; else the first."""
    day = today or actor.now().date()
    periods = course_periods(db, actor, course_id)
    begun = [p for p in periods if p.start <= day]
    current = next((p for p in begun if day <= p.end), None)
    chosen = current or (begun[-1] if begun else (periods[0] if periods else None))
    return chosen.id if chosen else None


def lesson_work_types(db: Database, actor: Actor, lesson_id: int) -> list[str]:
    """Work type codes of the lesson's assignments, in order (a fresh look before adding)."""
    with reading(db, actor) as session:
        lesson = session.get(Lesson, lesson_id)
        if lesson is None:
            raise NotFound(f"Урок № {lesson_id} не найден.")
        course, klass, _ = _course_and_class(session, actor, lesson.course_id)
        require_read_lesson(session, actor, lesson, course, klass)
        return list(
            session.exec(
                select(WorkType.code)
                .join(Assignment, col(Assignment.work_type_id) == WorkType.id)
                .where(Assignment.lesson_id == lesson_id)
                .order_by(col(Assignment.id))
            )
        )


# --- the grid -------------------------------------------------------------------------


Spans = dict[int, list[tuple[date, date]]]


def _stays(session: Session, course: Course, start: date, end: date) -> Spans:
    """Per student: the [from, to] spans within the period they belonged to the course."""

    def intervals(rows: Iterable[tuple[int, date, date | None]]) -> Spans:
        out: Spans = defaultdict(list)
        for sid, a, b in rows:
            out[sid].append((max(a, start), min(b or end, end)))
        return out

    enrolled = intervals(
        session.exec(
            select(Enrolment.student_id, col(Enrolment.start), col(Enrolment.end)).where(
                Enrolment.class_id == course.class_id,
                Enrolment.start <= end,
                or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= start),
            )
        )
    )
    if not course.subgroup:
        return enrolled
    members = intervals(
        session.exec(
            select(
                SubgroupMember.student_id, col(SubgroupMember.start), col(SubgroupMember.end)
            ).where(
                SubgroupMember.course_id == course.id,
                SubgroupMember.start <= end,
                or_(col(SubgroupMember.end).is_(None), col(SubgroupMember.end) >= start),
            )
        )
    )
    both: Spans = {}
    for sid, spans in enrolled.items():
        cut = [
            (max(a, c), min(b, d))
            for a, b in spans
            for c, d in members.get(sid, [])
            if max(a, c) <= min(b, d)
        ]
        if cut:
            both[sid] = cut
    return both


def load_gradebook(db: Database, actor: Actor, course_id: int, period_id: int) -> Gradebook:
    """The «Журнал» page of a course for a period (read only; see the module docstring)."""
    with reading(db, actor) as session:
        counter = change_counter(session)  # first: a change after it is noticed later
        now = actor.now()
        course, klass, substitute = _course_and_class(session, actor, course_id)
        period = session.get(Period, period_id)
        if period is None:
            raise NotFound(f"Учебный период № {period_id} не найден.")
        if period.year_id != klass.year_id:
            raise ValidationError(f"{period.name} не относится к учебному году {klass.title}.")
        policy = policy_of(session)
        judge = Judge(actor, now, policy, calendar_of(session))
        closed = closed_year_name(session, klass.year_id)
        bells = bell_times(session)
        subject = session.get(Subject, course.subject_id)
        group = group_title(klass.title, course.subgroup)
        no_marks = not marks_given(policy, klass.grade)

        work_types = {wt.id: wt for wt in session.exec(select(WorkType))}
        by_code = {wt.code: wt for wt in work_types.values()}
        default_wt = by_code.get(DEFAULT_WORK_TYPE) or next(iter(by_code.values()), None)
        in_period = and_(
            Lesson.course_id == course_id,
            Lesson.date >= period.start,
            Lesson.date <= period.end,
            Lesson.cancelled == False,  # noqa: E712 - SQL, not Python
            Lesson.held_by_id == actor.user_id if substitute else true(),
        )
        lessons = list(
            session.exec(
                select(Lesson).where(in_period).order_by(col(Lesson.date), col(Lesson.number))
            )
        )
        keepers = {course.teacher_id} | {ls.held_by_id for ls in lessons if ls.held_by_id}
        names = dict(
            session.exec(select(User.id, User.full_name).where(col(User.id).in_(keepers))).all()
        )
        teacher_name = names.get(course.teacher_id, SOMEONE)
        assignments: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
        for aid, lid, wtid in session.exec(
            select(Assignment.id, Assignment.lesson_id, Assignment.work_type_id)
            .join(Lesson, col(Lesson.id) == Assignment.lesson_id)
            .where(in_period)
            .order_by(col(Assignment.id))
        ):
            assignments[lid].append((aid, wtid))

        columns: list[Column] = []
        column_of: dict[int, int] = {}  # assignment id -> column index
        clock_moments: list[datetime] = []  # when a column's decision changes by itself
        for lesson in lessons:
            starts_at = datetime.combine(lesson.date, bells.get(lesson.number, DEFAULT_BELL)[0])
            facts = LessonFacts(
                lesson.id or 0,
                lesson.date,
                starts_at,
                course.teacher_id,
                lesson.held_by_id,
                names.get(keeper_id(course.teacher_id, lesson.held_by_id), SOMEONE),
                klass.grade,
                group,
                closed,
            )
            pairs: list[tuple[int | None, WorkType | None]] = [
                (aid, work_types.get(wtid)) for aid, wtid in assignments.get(lesson.id or 0, [])
            ] or [(None, default_wt)]
            for aid, wt in pairs:
                lock_class = wt.lock_class if wt else "current"
                lock_at = judge.lock_at(lesson.date, lock_class)
                clock_moments += [starts_at, lock_at]
                reason = why_not(judge.marks(facts, lock_class))
                if aid is not None:
                    column_of[aid] = len(columns)
                columns.append(
                    Column(
                        len(columns),
                        lesson.id or 0,
                        lesson.date,
                        lesson.number,
                        lesson.topic,
                        aid,
                        wt.code if wt else "",
                        wt.name if wt else "",
                        wt.weight if wt else 1.0,
                        lock_class,
                        starts_at <= now,
                        lock_at,
                        now >= lock_at,
                        not reason,
                        reason,
                    )
                )

        marks: dict[tuple[int, int], Cell] = {}
        # sqlmodel's select() is typed for at most 4 columns (fastapi/sqlmodel#271);
        # the ids are read back, never None
        mark_rows: Select[int, int, int, str, int, bool, int | None] = (
            select(
                Mark.id,
                Mark.assignment_id,
                Mark.student_id,  # type: ignore[call-overload]
                Mark.value,
                Mark.version,
                Mark.late,
                Mark.correction_id,
            )
            .join(Assignment, col(Assignment.id) == Mark.assignment_id)
            .join(Lesson, col(Lesson.id) == Assignment.lesson_id)
            .where(in_period)
        )
        for mid, aid, sid, value, version, late, corr in session.exec(mark_rows):
            if aid in column_of:
                marks[(sid, column_of[aid])] = Cell(value, mid, version, late, corr)
        absences = {
            (sid, lid): code
            for lid, sid, code in session.exec(
                select(Absence.lesson_id, Absence.student_id, Absence.code)
                .join(Lesson, col(Lesson.id) == Absence.lesson_id)
                .where(in_period)
            )
        }

        stays = _stays(session, course, period.start, period.end)
        ids = set(stays) | {sid for sid, _ in marks}
        people = (
            session.exec(
                select(
                    Student.id, Student.last_name, Student.first_name, Student.middle_name
                ).where(col(Student.id).in_(ids))
            ).all()
            if ids
            else []
        )
        # the period mark is given for the day it is set, within the period
        mark_day = min(max(now.date(), period.start), period.end)
        students, outside_then = [], set()
        for student_id, last, first, middle in sorted(
            people, key=lambda r: (r[1], r[2], r[3], r[0])
        ):
            assert student_id is not None  # a primary key read back
            spans = stays.get(student_id, [])
            outside = frozenset(
                c.index for c in columns if not any(a <= c.date <= b for a, b in spans)
            )
            if not any(a <= mark_day <= b for a, b in spans):
                outside_then.add(student_id)
            first_day = min((a for a, _ in spans), default=None)
            last_day = max((b for _, b in spans), default=None)
            students.append(
                StudentRow(
                    student_id,
                    " ".join(p for p in (last, first, middle) if p),
                    first_day if first_day and first_day > period.start else None,
                    last_day if last_day and last_day < period.end else None,
                    outside,
                )
            )

        averages: dict[int, float | None] = {}
        suggested: dict[int, str | None] = {}
        by_student: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for (sid, index), cell in marks.items():
            by_student[sid].append((cell.value, columns[index].weight))
        for row in students:
            averages[row.id], suggested[row.id] = summarize(
                policy, by_student.get(row.id, []), no_marks
            )
        period_marks = {
            sid: PeriodMarkCell(value, version)
            for sid, value, version in session.exec(
                select(PeriodMark.student_id, PeriodMark.value, PeriodMark.version).where(
                    PeriodMark.course_id == course_id, PeriodMark.period_id == period_id
                )
            )
        }
        return Gradebook(
            course_id=course_id,
            class_id=klass.id or 0,
            class_title=klass.title,
            grade=klass.grade,
            subject=subject.name if subject else "",
            subgroup=course.subgroup,
            teacher_name=teacher_name,
            period=PeriodInfo(period.id or 0, period.name, period.start, period.end),
            students=tuple(students),
            columns=tuple(columns),
            marks=marks,
            absences=absences,
            averages=averages,
            suggested=suggested,
            period_marks=period_marks,
            no_marks=no_marks,
            no_marks_reason=why_not(grade1_marks_refusal(policy, klass.grade)),
            mark_values=policy.mark_values,
            debt_mark=policy.debt_mark,
            work_types=tuple((w.code, w.name, w.weight) for w in policy.work_types),
            counter=counter,
            loaded_at=now,
            policy=policy,
            period_mark_choices=period_choices(policy, klass.grade, period.kind),
            period_mark_refusal=why_not(
                judge.period_mark(
                    course.teacher_id, klass.class_teacher_id, period, closed_year=closed
                )
            ),
            period_mark_outside=frozenset(outside_then),
            correction_refusal=why_not(
                correction_request_refusal(actor, course.teacher_id, klass.class_teacher_id)
            ),
            period_mark_locked=now >= period_mark_lock_at(policy, judge.calendar, period.end),
            period_mark_day=mark_day,
            valid_until=next_moment(
                now,
                *clock_moments,
                datetime.combine(period.start, time.min),
                datetime.combine(
                    period_mark_open_from(policy, period.start, period.end) or period.start,
                    time.min,
                ),
                period_mark_lock_at(policy, judge.calendar, period.end),
            ),
        )


__all__ = [
    "course_periods",
    "current_period_id",
    "lesson_work_types",
    "load_gradebook",
]
