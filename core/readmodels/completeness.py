"""«Заполнение журнала»: what the register lacks over a range of dates.

The class teacher checks their class weekly [000 §5.2.5, 004 §5]; the deputy checks the
whole school monthly and at the end of each period [000 §5.2.2, §6.2, 004 §5, §8.2]:
lessons without a topic, without homework, without attendance, the share of students
without marks and with one mark [004 §5], entries made after the entry deadline
[004 §3.8] (period marks after theirs [004 §3.9]), the students still without a period
mark after its deadline, and the lessons whose gaps lock within three days.

A *lesson held* is one in the range, not cancelled, that has begun by ``now``.  Its
*gaps*: no topic; no homework (grade 1: the homework must read the policy's forced text,
«нет» [004 §3.5]); attendance not taken (``attendance_taken_at``).  *Students* of a
course: those in its class (and its subgroup, for a subgroup course) at any time in the
range; a *mark* is a value of the school's scale (the debt mark «точка» is not one).

*Substitutions*: the colleague who substitutes fills the lesson [004 §5
«Учитель-предметник»].  A course's row counts every lesson of the course and names the
course teacher; the totals *per teacher* credit a substituted lesson (its gaps, late
entries, lock) to its substitute (``Lesson.held_by_id``), while the students without
marks stay with the course teacher.  The totals *per class* name the class teacher.

Everything is counted by a few SQL aggregates grouped by course, whatever the size of
the school (no ORM row per lesson or mark is loaded).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, and_, col, or_, select

from zhurnal.core.access import is_class_teacher
from zhurnal.core.actor import Actor
from zhurnal.core.context import group_title
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Period, SchoolClass, SchoolYear, User
from zhurnal.core.readmodels import completeness_query as q
from zhurnal.core.readmodels.completeness_query import LOCKING_SOON, Cond, LessonCounts
from zhurnal.core.readmodels.period_due import PeriodDue, period_mark_dues
from zhurnal.core.rules import fmt_date
from zhurnal.core.uow import policy_of


@dataclass(frozen=True)
class CompletenessRow:
    """One course, or the totals of a teacher, a class or the whole range.

    A course's row: all its lessons, whoever kept them; ``teacher`` is the course
    teacher.  A teacher's totals: the lessons they kept (a substitute's included, not
    the course teacher's) and the students of their own courses.  A class's totals:
    ``teacher`` is its class teacher."""

    course_id: int | None  # None on totals rows (per teacher / per class / whole)
    class_id: int | None
    class_title: str  # "5А" ("" on a teacher's totals row)
    subject: str  # "Математика" or "Английский язык (гр. 1)"; "" on totals rows
    teacher_id: int | None
    teacher: str  # "Иванова А. П."; the class teacher on a class's totals ("" if none)
    lessons: int
    no_topic: int
    no_homework: int
    no_attendance: int
    no_marks_pct: float | None
    """% of the students with no mark in the range (0..100, one decimal); None where no
    marks are given (grade 1 [004 §3.5]) or the course has no students."""
    one_mark_pct: float | None
    late: int
    """Entries made after the entry deadline: late topics, homework, attendance, marks."""
    locking_soon: int
    """Lessons with a gap whose edit lock comes within 3 days (``LOCKING_SOON``), not yet
    locked: the ones to chase first."""
    first_gap_lesson_id: int | None
    first_gap_date: date | None
    students: int = 0
    """Students counted for the percentages (on totals: student-course pairs); 0 where no
    marks are given."""
    students_no_marks: int = 0
    students_one_mark: int = 0
    marks: int = 0
    """Marks of the scale given in the range (where marks are given)."""
    period_marks_overdue: int = 0
    """Students still without a period mark after its deadline, for the periods ending in
    the range [004 §3.9, 002 §2.7] (``core.readmodels.period_due``); period marks entered
    after it count in ``late``."""

    @property
    def gaps(self) -> int:
        return self.no_topic + self.no_homework + self.no_attendance

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """Worst first: more gaps, then more lessons about to lock, then a larger share of
        students without marks, then with one mark, then more late entries; ties by class
        (5А before 10А), subject and teacher."""
        return (
            -self.gaps,
            -self.locking_soon,
            -(self.no_marks_pct or 0.0),
            -(self.one_mark_pct or 0.0),
            -self.late,
            _class_order(self.class_title),
            self.subject,
            self.teacher,
            self.course_id or 0,
        )


@dataclass(frozen=True)
class Completeness:
    title: str  # "5А · 30.11.2026–06.12.2026" / "Школа · 2 четверть"
    start: date
    end: date
    now: datetime
    rows: tuple[CompletenessRow, ...]  # per course, worst first
    by_teacher: tuple[CompletenessRow, ...]  # totals per teacher, worst first
    by_class: tuple[CompletenessRow, ...]  # totals per class, worst first
    total: CompletenessRow


def _class_order(title: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", title)
    return (int(m.group(1)), m.group(2)) if m else (0, title)


def short_name(full_name: str) -> str:
    """ "Иванова Анна Петровна" -> "Иванова А. П."."""
    last, *rest = full_name.split() or [""]
    return " ".join([last, *(p[0] + "." for p in rest[:2] if p)])


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --- access ---------------------------------------------------------------------------


def class_completeness(
    db: Database, actor: Actor, class_id: int, start: date, end: date
) -> Completeness:
    """One class: its class teacher, the deputy and the director [000 §5.2.5, 004 §5]."""
    with reading(db, actor) as session:
        klass = session.get(SchoolClass, class_id)
        if klass is None:
            raise NotFound(f"Класс № {class_id} не найден.")
        if not (
            actor.has("deputy", "director")
            or (actor.has("teacher") and is_class_teacher(actor, klass))
        ):
            raise PermissionDenied(
                f"Заполнение журнала {klass.title} проверяют классный руководитель, "
                "заместитель директора и директор."
            )
        where = col(SchoolClass.id) == class_id
        return _build(session, actor, start, end, where, klass.title, klass.period_scheme)


def school_completeness(db: Database, actor: Actor, start: date, end: date) -> Completeness:
    """The whole school: the deputy and the director [000 §5.2.2, §6.2, 004 §5]."""
    if not actor.has("deputy", "director"):
        raise PermissionDenied(
            "Заполнение журнала по школе проверяют заместитель директора и директор."
        )
    with reading(db, actor) as session:
        years = select(SchoolYear.id).where(SchoolYear.start <= end, SchoolYear.end >= start)
        where = col(SchoolClass.year_id).in_(years.scalar_subquery())
        return _build(session, actor, start, end, where, "Школа", None)


# --- the queries ----------------------------------------------------------------------


def _title(session: Session, head: str, scheme: str | None, start: date, end: date) -> str:
    query = select(Period.name).where(Period.start == start, Period.end == end)
    if scheme is not None:
        query = query.where(or_(Period.scheme == scheme, Period.kind == "year"))
    name = session.exec(query.order_by(col(Period.id))).first()  # the same on both engines
    return f"{head} · {name or f'{fmt_date(start)}–{fmt_date(end)}'}"


def _build(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    scope: Cond,
    head: str,
    scheme: str | None,
) -> Completeness:
    if start > end:
        raise ValidationError("Начало периода позже его окончания.")
    now = actor.now()
    policy = policy_of(session)
    courses = q.courses(session, scope)
    lessons = q.in_range(scope, start, end)
    counts = q.lesson_counts(
        session,
        policy,
        and_(lessons, q.started(session, now)),
        q.locking_days(session, policy, start, end, now),
    )
    marked, late_marks = q.marks_by_student(session, policy, lessons)
    period_dues = period_mark_dues(session, policy, scope, start, end, now)
    rosters = q.rosters(session, scope, start, end)
    people = {c.teacher_id for c in courses} | {k for _, k in counts} | {k for _, k in late_marks}
    people |= {c.class_teacher_id for c in courses if c.class_teacher_id is not None}
    names: dict[int | None, str] = {
        uid: short_name(name)
        for uid, name in session.exec(
            select(User.id, User.full_name).where(col(User.id).in_(people))
        ).all()
    }
    keepers: dict[int, set[int]] = defaultdict(set)  # course -> who kept its lessons
    for cid, keeper in (*counts, *late_marks):
        keepers[cid].add(keeper)
    rows, parts = [], []
    for c in courses:
        gives_marks = not (c.grade == 1 and policy.grade1_no_marks)
        roster = rosters(c.class_id, c.id if c.subgroup else None) if gives_marks else set()
        per = marked.get(c.id, {})
        without = sum(1 for s in roster if s not in per)
        one = sum(1 for s in roster if per.get(s) == 1)
        # the course teacher's part carries the students; a substitute's only their lessons
        mine = _part(c, c.teacher_id, names, counts, late_marks)
        due = period_dues.get(c.id, PeriodDue())
        mine = replace(
            mine,
            late=mine.late + due.late,
            period_marks_overdue=due.overdue,
            no_marks_pct=_pct(without, len(roster)) if gives_marks else None,
            one_mark_pct=_pct(one, len(roster)) if gives_marks else None,
            students=len(roster),
            students_no_marks=without,
            students_one_mark=one,
            marks=sum(per[s] for s in roster if s in per),
        )
        others = [
            _part(c, k, names, counts, late_marks) for k in sorted(keepers[c.id] - {c.teacher_id})
        ]
        parts += [mine, *others]
        # the course's row: every lesson of the course, whoever kept it
        fields = {f: getattr(mine, f) for f in COURSE_FIELDS}
        rows.append(_sum([mine, *others], **fields))
    by_teacher = _totals(parts, lambda r: r.teacher_id, keep=("teacher_id", "teacher"))
    leaders = {c.class_id: c.class_teacher_id for c in courses}  # class teachers
    by_class = [
        replace(r, teacher_id=leader, teacher=names.get(leader, "") if leader else "")
        for r in _totals(rows, lambda r: r.class_id, keep=("class_id", "class_title"))
        for leader in [leaders.get(r.class_id or 0)]
    ]
    return Completeness(
        title=_title(session, head, scheme, start, end),
        start=start,
        end=end,
        now=now,
        rows=_worst_first(rows),
        by_teacher=by_teacher,
        by_class=_worst_first(by_class),
        total=_sum(rows),
    )


COURSE_FIELDS = (
    "course_id",
    "class_id",
    "class_title",
    "subject",
    "teacher_id",
    "teacher",
    "no_marks_pct",
    "one_mark_pct",
)
"""What a course's row keeps of its teacher's part (the rest is summed over keepers)."""


def _part(
    c: q.CourseFacts,
    keeper: int,
    names: dict[int | None, str],
    counts: dict[q.Part, LessonCounts],
    late_marks: dict[q.Part, int],
) -> CompletenessRow:
    """The lessons of course ``c`` kept by ``keeper``: their gaps and late entries."""
    n = counts.get((c.id, keeper), LessonCounts())
    return CompletenessRow(
        course_id=c.id,
        class_id=c.class_id,
        class_title=f"{c.grade}{c.letter}",
        subject=group_title(c.subject, c.subgroup),
        teacher_id=keeper,
        teacher=names.get(keeper, ""),
        lessons=n.lessons,
        no_topic=n.no_topic,
        no_homework=n.no_homework,
        no_attendance=n.no_attendance,
        no_marks_pct=None,
        one_mark_pct=None,
        late=n.late + late_marks.get((c.id, keeper), 0),
        locking_soon=n.locking_soon,
        first_gap_lesson_id=n.first_gap_lesson_id,
        first_gap_date=n.first_gap_date,
    )


def _sum(rows: Iterable[CompletenessRow], **fields: Any) -> CompletenessRow:
    rows = list(rows)
    students = sum(r.students for r in rows)
    without = sum(r.students_no_marks for r in rows)
    one = sum(r.students_one_mark for r in rows)
    gaps = [(r.first_gap_date, r.first_gap_lesson_id) for r in rows if r.first_gap_date]
    first_day, first_id = min(gaps, default=(None, None))
    total = CompletenessRow(
        course_id=None,
        class_id=None,
        class_title="",
        subject="",
        teacher_id=None,
        teacher="",
        lessons=sum(r.lessons for r in rows),
        no_topic=sum(r.no_topic for r in rows),
        no_homework=sum(r.no_homework for r in rows),
        no_attendance=sum(r.no_attendance for r in rows),
        no_marks_pct=_pct(without, students),
        one_mark_pct=_pct(one, students),
        late=sum(r.late for r in rows),
        locking_soon=sum(r.locking_soon for r in rows),
        first_gap_lesson_id=first_id,
        first_gap_date=first_day,
        students=students,
        students_no_marks=without,
        students_one_mark=one,
        marks=sum(r.marks for r in rows),
        period_marks_overdue=sum(r.period_marks_overdue for r in rows),
    )
    return replace(total, **fields)


def _totals(
    rows: list[CompletenessRow], key: Any, keep: tuple[str, str]
) -> tuple[CompletenessRow, ...]:
    groups: dict[Any, list[CompletenessRow]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return _worst_first(
        _sum(group, **{name: getattr(group[0], name) for name in keep}) for group in groups.values()
    )


def _worst_first(rows: Iterable[CompletenessRow]) -> tuple[CompletenessRow, ...]:
    return tuple(sorted(rows, key=lambda r: r.sort_key))


__all__ = [
    "LOCKING_SOON",
    "Completeness",
    "CompletenessRow",
    "class_completeness",
    "school_completeness",
    "short_name",
]
