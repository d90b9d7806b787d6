"""The mark grid of one course for one period (the «Журнал» page), read in a few queries.

``load_gradebook`` returns a frozen ``Gradebook``: students (the roster over the
period, with who arrived or left), columns (one per assignment of each lesson,
or a default «answer» column for a lesson without one), the marks, absences,
weighted averages and the suggested and existing period marks, plus, per
column, whether the actor may write it and if not why — in Russian, naming the
clause.  No ORM rows leave this module.

It runs a fixed handful of bulk queries whatever the size of the grid (a
35 × 80 quarter loads in a few milliseconds; bench/bench_grid.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import Session, and_, or_, select

from zhurnal.core.access import may_write_lesson, require_read_course
from zhurnal.core.actor import Actor
from zhurnal.core.audit import change_counter
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, ValidationError
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
from zhurnal.core.policy import Policy
from zhurnal.core.rules import edit_lock_at, fmt_date, suggest_period_mark, weighted_average
from zhurnal.core.uow import bell_times, calendar_of, policy_of
from zhurnal.core.context import DEFAULT_BELL

DEFAULT_WORK_TYPE = "answer"
GRADE1_REASON = "1-й класс: отметки не ставятся"
NOT_STARTED_REASON = "Урок ещё не начался: отметки «вперёд» не ставятся [004 §3.8]"
LOCK_SHORT = {
    "current": "текущие отметки",
    "practical": "отметки за практические работы",
    "written": "отметки за письменные работы",
}
PERIOD_KINDS = ("quarter", "half")


class PeriodInfo(NamedTuple):
    id: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class StudentRow:
    id: int
    name: str
    arrived: date | None = None  # joined the course after the period began
    left: date | None = None  # left the course before the period ended
    outside: frozenset[int] = frozenset()  # column indexes outside the student's stay


@dataclass(frozen=True)
class Column:
    index: int
    lesson_id: int
    date: date
    number: int
    topic: str
    assignment_id: int | None  # None: the default column, created with its first mark
    work_type_code: str
    work_type_name: str
    weight: float
    lock_class: str
    started: bool
    lock_at: datetime
    locked: bool
    writable: bool
    reason: str = ""  # why not writable, "" when writable


@dataclass(frozen=True)
class Cell:
    value: str
    mark_id: int
    version: int
    late: bool = False
    correction_id: int | None = None


@dataclass(frozen=True)
class PeriodMarkCell:
    value: str
    version: int


@dataclass(frozen=True)
class Gradebook:
    course_id: int
    class_id: int
    class_title: str
    grade: int
    subject: str
    subgroup: str
    teacher_name: str
    period: PeriodInfo
    students: tuple[StudentRow, ...]
    columns: tuple[Column, ...]
    marks: Mapping[tuple[int, int], Cell]  # (student_id, column index)
    absences: Mapping[tuple[int, int], str]  # (student_id, lesson_id) -> Н/Б/УП/ОП
    averages: Mapping[int, float | None]
    suggested: Mapping[int, str | None]
    period_marks: Mapping[int, PeriodMarkCell]
    no_marks: bool
    no_marks_reason: str  # the grade-1 line, "" when marks are given
    mark_values: tuple[str, ...]
    debt_mark: str | None
    work_types: tuple[tuple[str, str, float], ...]  # (code, name, weight) of the policy
    counter: int
    loaded_at: datetime
    policy: Policy = field(repr=False, compare=False)

    @property
    def title(self) -> str:
        group = f" ({self.subgroup})" if self.subgroup else ""
        return f"{self.class_title}{group} · {self.subject} · {self.period.name}"

    def summary(self, marks: Iterable[tuple[str, float]]) -> tuple[float | None, str | None]:
        """(weighted average, suggested period mark) of one student's (value, weight) pairs."""
        return summarize(self.policy, list(marks), self.no_marks)


def summarize(
    policy: Policy, marks: list[tuple[str, float]], no_marks: bool = False
) -> tuple[float | None, str | None]:
    if no_marks:
        return None, None
    numeric = [(v, w) for v, w in marks if v.isdigit()]
    average = weighted_average(numeric)
    return average, suggest_period_mark(policy, average, len(numeric))


# --- periods --------------------------------------------------------------------------


def _course_and_class(
    session: Session, actor: Actor, course_id: int
) -> tuple[Course, SchoolClass]:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"Предмет класса № {course_id} не найден.")
    klass = session.get(SchoolClass, course.class_id)
    if klass is None:
        raise NotFound(f"Класс № {course.class_id} не найден.")
    require_read_course(session, actor, course, klass)
    return course, klass


def _periods(session: Session, klass: SchoolClass) -> list[PeriodInfo]:
    rows = session.exec(
        select(Period).where(Period.year_id == klass.year_id,
                             Period.scheme == klass.period_scheme,
                             Period.kind.in_(PERIOD_KINDS))  # type: ignore[attr-defined]
        .order_by(Period.start)
    )
    return [PeriodInfo(p.id or 0, p.name, p.start, p.end) for p in rows]


def course_periods(db: Database, actor: Actor, course_id: int) -> list[PeriodInfo]:
    """The quarters (or half-years) of the course's class, in order."""
    with db.read() as session:
        _, klass = _course_and_class(session, actor, course_id)
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
    with db.read() as session:
        lesson = session.get(Lesson, lesson_id)
        if lesson is None:
            raise NotFound(f"Урок № {lesson_id} не найден.")
        _course_and_class(session, actor, lesson.course_id)
        return list(session.exec(
            select(WorkType.code).join(Assignment, Assignment.work_type_id == WorkType.id)
            .where(Assignment.lesson_id == lesson_id).order_by(Assignment.id)))


# --- the grid -------------------------------------------------------------------------


Spans = dict[int, list[tuple[date, date]]]


def _stays(session: Session, course: Course, start: date, end: date) -> Spans:
    """Per student: the [from, to] spans within the period they belonged to the course."""

    def intervals(rows: Iterable[tuple[int, date, date | None]]) -> Spans:
        out: Spans = defaultdict(list)
        for sid, a, b in rows:
            out[sid].append((max(a, start), min(b or end, end)))
        return out

    enrolled = intervals(session.exec(
        select(Enrolment.student_id, Enrolment.start, Enrolment.end).where(
            Enrolment.class_id == course.class_id, Enrolment.start <= end,
            or_(Enrolment.end == None, Enrolment.end >= start))))
    if not course.subgroup:
        return enrolled
    members = intervals(session.exec(
        select(SubgroupMember.student_id, SubgroupMember.start, SubgroupMember.end).where(
            SubgroupMember.course_id == course.id, SubgroupMember.start <= end,
            or_(SubgroupMember.end == None, SubgroupMember.end >= start))))
    both: Spans = {}
    for sid, spans in enrolled.items():
        cut = [(max(a, c), min(b, d)) for a, b in spans for c, d in members.get(sid, [])
               if max(a, c) <= min(b, d)]
        if cut:
            both[sid] = cut
    return both


def cite(policy: Policy, key: str) -> str:
    """" [NNN §x.y]": the clause of the school's regulation behind a policy key, or ""."""
    source = policy.sources.get(key)
    return f" [{source}]" if source else ""


def _reason(policy: Policy, actor: Actor, course: Course, lesson: Lesson, teacher: str,
            no_marks: bool, locked: bool, lock_at: datetime, lock_class: str,
            started: bool) -> str:
    if no_marks:
        return GRADE1_REASON + cite(policy, "grade1.no_marks")
    if not may_write_lesson(actor, course, lesson):
        return f"Только просмотр: журнал ведёт {teacher}"
    if locked:
        return (f"Урок {lesson.date:%d.%m}: {LOCK_SHORT.get(lock_class, 'отметки')} закрыты "
                f"для изменений с {fmt_date(lock_at.date())}"
                f"{cite(policy, f'locks.{lock_class}_days')}")
    if not started:
        return NOT_STARTED_REASON
    return ""


def load_gradebook(db: Database, actor: Actor, course_id: int, period_id: int) -> Gradebook:
    """The «Журнал» page of a course for a period (read only; see the module docstring)."""
    with db.read() as session:
        counter = change_counter(session)  # first: a change after it is noticed later
        now = actor.now()
        course, klass = _course_and_class(session, actor, course_id)
        period = session.get(Period, period_id)
        if period is None:
            raise NotFound(f"Учебный период № {period_id} не найден.")
        if period.year_id != klass.year_id:
            raise ValidationError(f"{period.name} не относится к учебному году {klass.title}.")
        policy = policy_of(session)
        calendar = calendar_of(session)
        bells = bell_times(session)
        subject = session.get(Subject, course.subject_id)
        teacher = session.get(User, course.teacher_id)
        teacher_name = teacher.full_name if teacher else "другой учитель"
        no_marks = klass.grade == 1 and policy.grade1_no_marks

        work_types = {wt.id: wt for wt in session.exec(select(WorkType))}
        by_code = {wt.code: wt for wt in work_types.values()}
        default_wt = by_code.get(DEFAULT_WORK_TYPE) or next(iter(by_code.values()), None)
        in_period = and_(Lesson.course_id == course_id, Lesson.date >= period.start,
                         Lesson.date <= period.end, Lesson.cancelled == False)
        lessons = list(session.exec(select(Lesson).where(in_period)
                                    .order_by(Lesson.date, Lesson.number)))
        assignments: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for aid, lid, wtid in session.exec(
                select(Assignment.id, Assignment.lesson_id, Assignment.work_type_id)
                .join(Lesson, Lesson.id == Assignment.lesson_id).where(in_period)
                .order_by(Assignment.id)):
            assignments[lid].append((aid, wtid))

        columns: list[Column] = []
        column_of: dict[int, int] = {}  # assignment id -> column index
        for lesson in lessons:
            start_t = bells.get(lesson.number, DEFAULT_BELL)[0]
            started = datetime.combine(lesson.date, start_t) <= now
            pairs: list[tuple[int | None, WorkType | None]] = [
                (aid, work_types.get(wtid)) for aid, wtid in assignments.get(lesson.id or 0, [])
            ] or [(None, default_wt)]
            for aid, wt in pairs:
                lock_class = wt.lock_class if wt else "current"
                lock_at = edit_lock_at(policy, calendar, lesson.date, lock_class)
                locked = now >= lock_at
                reason = _reason(policy, actor, course, lesson, teacher_name, no_marks, locked,
                                 lock_at, lock_class, started)
                if aid is not None:
                    column_of[aid] = len(columns)
                columns.append(Column(
                    len(columns), lesson.id or 0, lesson.date, lesson.number, lesson.topic, aid,
                    wt.code if wt else "", wt.name if wt else "", wt.weight if wt else 1.0,
                    lock_class, started, lock_at, locked, not reason, reason))

        marks: dict[tuple[int, int], Cell] = {}
        for mid, aid, sid, value, version, late, corr in session.exec(
                select(Mark.id, Mark.assignment_id, Mark.student_id, Mark.value, Mark.version,
                       Mark.late, Mark.correction_id)
                .join(Assignment, Assignment.id == Mark.assignment_id)
                .join(Lesson, Lesson.id == Assignment.lesson_id).where(in_period)):
            if aid in column_of:
                marks[(sid, column_of[aid])] = Cell(value, mid, version, late, corr)
        absences = {
            (sid, lid): code for lid, sid, code in session.exec(
                select(Absence.lesson_id, Absence.student_id, Absence.code)
                .join(Lesson, Lesson.id == Absence.lesson_id).where(in_period))
        }

        stays = _stays(session, course, period.start, period.end)
        ids = set(stays) | {sid for sid, _ in marks}
        people = session.exec(
            select(Student.id, Student.last_name, Student.first_name, Student.middle_name)
            .where(Student.id.in_(ids))  # type: ignore[union-attr]
        ).all() if ids else []
        students = []
        for sid, last, first, middle in sorted(people, key=lambda r: (r[1], r[2], r[3], r[0])):
            spans = stays.get(sid, [])
            outside = frozenset(c.index for c in columns
                                if not any(a <= c.date <= b for a, b in spans))
            first_day = min((a for a, _ in spans), default=None)
            last_day = max((b for _, b in spans), default=None)
            students.append(StudentRow(
                sid, " ".join(p for p in (last, first, middle) if p),
                first_day if first_day and first_day > period.start else None,
                last_day if last_day and last_day < period.end else None, outside))

        averages: dict[int, float | None] = {}
        suggested: dict[int, str | None] = {}
        by_student: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for (sid, col), cell in marks.items():
            by_student[sid].append((cell.value, columns[col].weight))
        for row in students:
            averages[row.id], suggested[row.id] = summarize(policy, by_student.get(row.id, []),
                                                            no_marks)
        period_marks = {
            sid: PeriodMarkCell(value, version) for sid, value, version in session.exec(
                select(PeriodMark.student_id, PeriodMark.value, PeriodMark.version).where(
                    PeriodMark.course_id == course_id, PeriodMark.period_id == period_id))
        }
        return Gradebook(
            course_id=course_id, class_id=klass.id or 0, class_title=klass.title,
            grade=klass.grade, subject=subject.name if subject else "", subgroup=course.subgroup,
            teacher_name=teacher_name,
            period=PeriodInfo(period.id or 0, period.name, period.start, period.end),
            students=tuple(students), columns=tuple(columns), marks=marks, absences=absences,
            averages=averages, suggested=suggested, period_marks=period_marks,
            no_marks=no_marks,
            no_marks_reason=GRADE1_REASON + cite(policy, "grade1.no_marks") if no_marks else "",
            mark_values=policy.mark_values, debt_mark=policy.debt_mark,
            work_types=tuple((w.code, w.name, w.weight) for w in policy.work_types),
            counter=counter, loaded_at=now, policy=policy,
        )


__all__ = [
    "Cell",
    "Column",
    "Gradebook",
    "PeriodInfo",
    "PeriodMarkCell",
    "StudentRow",
    "course_periods",
    "current_period_id",
    "lesson_work_types",
    "load_gradebook",
]
