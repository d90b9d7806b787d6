"""The class's summary sheets (сводные ведомости) as frozen read models [004 §5].

- ``progress_sheet``: students × subjects with the period marks, the «2» per student and
  the class summary (отличники, хорошисты, with one «3», неуспевающие, н/а, % успеваемости,
  % качества) — the sheet printed, signed and kept 25 years [002 §2.8, §3];
- ``attendance_sheet``: lessons missed per student and month, of which Б, УП, Н, and
  the lates (ОП) apart;
- ``movement_sheet`` (``core.readmodels.movement``): arrivals, departures, transfers;
- ``class_results``: the class teacher's report for a period: the summary and the
  attendance totals.

Each is read in one read transaction and carries the audit chain's head (``Stamp``)
taken in it, so a printed copy names the state of the database it came from.

Who reads them: the class teacher of the class, the deputy, the director [004 §5], and
the server's own account (``core.readmodels.sheetbase``); the attendance sheet lives in
``core.readmodels.attendance`` and is exported from here too.

The progress sheet shows period marks only, never averages: it is the document signed at
the period's end [002 §2.7–2.8]; a subject without a period mark is left empty and the
student counts as «не все отметки» (neither отличник nor хорошист) until it is set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Assignment,
    Course,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    SchoolClass,
    SubgroupMember,
    Subject,
    WorkType,
)
from zhurnal.core.policy import Policy
from zhurnal.core.readmodels.attendance import (
    AttendanceCount,
    AttendanceSheet,
    AttendanceSheetRow,
    attendance_sheet,
    read_attendance,
)
from zhurnal.core.readmodels.gradebook import PeriodInfo
from zhurnal.core.readmodels.sheetbase import (
    Stamp,
    get_class,
    may_read_sheets,
    present,
    stamp,
    stay_note,
    stays,
    teacher_name,
)
from zhurnal.core.rules import marks_given, suggest_period_mark, weighted_average
from zhurnal.core.uow import policy_of

FAILING = ("2", "1")
NOT_STUDIED = "—"  # a subgroup subject the student is in no subgroup of

# --- progress -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassSummary:
    """The class's figures for a period, over the students in the class at its end."""

    students: int
    excellent: int  # отличники: only «5»
    good: int  # хорошисты: «4» and «5», at least one «4»
    one_three: int  # one «3», the rest «4» and «5»
    failing: int  # неуспевающие: at least one «2» (or «1»)
    not_attested: int  # at least one «н/а»
    incomplete: int  # a subject without a period mark yet (and no «2», no «н/а»)
    success_pct: float | None  # (students − failing or н/а) / students × 100
    quality_pct: float | None  # (excellent + good) / students × 100; None: grade 1


@dataclass(frozen=True)
class ProgressRow:
    student_id: int
    name: str
    marks: tuple[str, ...]  # per subject of ``ProgressSheet.subjects``; "" none yet, «—»
    # a subject taught in subgroups only, in none of which the student is
    twos: int  # how many «2»
    status: str  # отличник, хорошист, одна «3», неуспевающий, н/а, не все отметки, ""
    note: str  # прибыл(а) / выбыл(а) during the period
    counted: bool  # in the class at the period's end (or today): counts in the summary


@dataclass(frozen=True)
class ProgressSheet:
    class_id: int
    class_title: str
    grade: int
    class_teacher: str
    period: PeriodInfo
    as_of: date
    subjects: tuple[str, ...]
    subject_short: tuple[str, ...]
    rows: tuple[ProgressRow, ...]
    summary: ClassSummary
    no_marks: bool  # grade 1 [004 §3.5]: no quality figures
    stamp: Stamp
    preliminary: bool = False
    """Where no period mark is set yet, the mark the policy suggests from the weighted
    average, in parentheses «(4)» (the preliminary report [004 §5]); the printed sheet
    at the period's end has period marks only."""


def _status(values: list[str], no_marks: bool) -> str:
    if no_marks:
        return ""
    values = [v.strip("()") for v in values if v != NOT_STUDIED]
    if "н/а" in values:
        return "н/а"
    if any(v in FAILING for v in values):
        return "неуспевающий"
    if any(v == "" for v in values):
        return "не все отметки"
    numbers = [int(v) for v in values if v.isdigit()]
    if not numbers:
        return ""
    if all(n == 5 for n in numbers):
        return "отличник"
    if min(numbers) >= 4:
        return "хорошист"
    if numbers.count(3) == 1 and sum(1 for n in numbers if n < 3) == 0:
        return "одна «3»"
    return ""


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def summarize_class(rows: list[ProgressRow], no_marks: bool) -> ClassSummary:
    counted = [r for r in rows if r.counted]
    n = len(counted)

    def count(status: str) -> int:
        return sum(1 for r in counted if r.status == status)

    excellent, good = count("отличник"), count("хорошист")
    failing, not_attested = count("неуспевающий"), count("н/а")
    return ClassSummary(
        students=n,
        excellent=excellent,
        good=good,
        one_three=count("одна «3»"),
        failing=failing,
        not_attested=not_attested,
        incomplete=count("не все отметки"),
        success_pct=None if no_marks else _pct(n - failing - not_attested, n),
        quality_pct=None if no_marks else _pct(excellent + good, n),
    )


def _period(session: Session, klass: SchoolClass, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None:
        raise NotFound(f"Учебный период № {period_id} не найден.")
    if period.year_id != klass.year_id:
        raise ValidationError(f"{period.name} не относится к учебному году {klass.title}.")
    return period


def progress_sheet(
    db: Database, actor: Actor, class_id: int, period_id: int, *, preliminary: bool = False
) -> ProgressSheet:
    """Сводная ведомость учёта успеваемости of a class for a period [004 §5, 002 §2.8]
    (``preliminary``: see ``ProgressSheet.preliminary``)."""
    with reading(db, actor) as session:
        return read_progress(session, actor, class_id, period_id, preliminary=preliminary)


def _suggested(
    session: Session, policy: Policy, courses: Sequence[Course], period: Period
) -> dict[tuple[int, int], str]:
    """(student, subject) -> the period mark the weighted average suggests, in «()»."""
    subject_of = {c.id: c.subject_id for c in courses}
    marks: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for student_id, course_id, value, weight in session.exec(
        select(Mark.student_id, Lesson.course_id, Mark.value, WorkType.weight)
        .join(Assignment, col(Assignment.id) == Mark.assignment_id)
        .join(Lesson, col(Lesson.id) == Assignment.lesson_id)
        .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
        .where(
            col(Lesson.course_id).in_(list(subject_of)),
            Lesson.date >= period.start,
            Lesson.date <= period.end,
            Lesson.cancelled == False,  # noqa: E712 - SQL
        )
    ):
        marks[(student_id, subject_of[course_id])].append((value, weight))
    out = {}
    for key, pairs in marks.items():
        numeric = [(v, w) for v, w in pairs if v.isdigit()]
        mark = suggest_period_mark(policy, weighted_average(numeric), len(numeric))
        if mark:
            out[key] = f"({mark})"
    return out


def read_progress(
    session: Session, actor: Actor, class_id: int, period_id: int, *, preliminary: bool = False
) -> ProgressSheet:
    """``progress_sheet`` in the caller's read transaction."""
    taken = stamp(session, actor)
    klass = get_class(session, actor, class_id)
    period = _period(session, klass, period_id)
    policy = policy_of(session)
    no_marks = not marks_given(policy, klass.grade)
    courses = session.exec(select(Course).where(Course.class_id == class_id)).all()
    subject_ids = sorted({c.subject_id for c in courses})
    subjects = {
        s.id: s for s in session.exec(select(Subject).where(col(Subject.id).in_(subject_ids)))
    }
    subject_of = {c.id: c.subject_id for c in courses}
    values: dict[tuple[int, int], str] = {}
    for course_id, student_id, value in session.exec(
        select(PeriodMark.course_id, PeriodMark.student_id, PeriodMark.value)
        .where(
            col(PeriodMark.course_id).in_(list(subject_of)),
            PeriodMark.period_id == period_id,
        )
        .order_by(col(PeriodMark.entered_at))
    ):
        values[(student_id, subject_of[course_id])] = value
    # a subject taught only in subgroups: who is in none of them does not study it
    grouped = {c.subject_id for c in courses} - {c.subject_id for c in courses if not c.subgroup}
    members: dict[int, set[int]] = {sid: set() for sid in grouped}
    for course_id, student_id in session.exec(
        select(SubgroupMember.course_id, SubgroupMember.student_id).where(
            col(SubgroupMember.course_id).in_([c.id for c in courses if c.subgroup]),
            SubgroupMember.start <= period.end,
            or_(col(SubgroupMember.end).is_(None), col(SubgroupMember.end) >= period.start),
        )
    ):
        members[subject_of[course_id]].add(student_id)
    if preliminary and not no_marks:
        values = {**_suggested(session, policy, courses, period), **values}
    as_of = min(period.end, max(period.start, taken.taken_at.date()))
    rows: list[ProgressRow] = []
    seen: set[int] = set()
    all_stays = stays(session, class_id, period.start, period.end)
    in_class = {s.student_id for s in all_stays if present(s, as_of)}
    for stay in all_stays:
        if stay.student_id in seen:  # left and came back: one row
            continue
        seen.add(stay.student_id)
        marks = [
            NOT_STUDIED
            if sid in members and stay.student_id not in members[sid]
            else values.get((stay.student_id, sid), "")
            for sid in subject_ids
        ]
        counted = stay.student_id in in_class
        rows.append(
            ProgressRow(
                stay.student_id,
                stay.name,
                tuple(marks),
                sum(1 for m in marks if m.strip("()") == "2"),
                _status(marks, no_marks) if counted else "",
                stay_note(stay, period.start, period.end),
                counted,
            )
        )
    return ProgressSheet(
        class_id=class_id,
        class_title=klass.title,
        grade=klass.grade,
        class_teacher=teacher_name(session, klass),
        period=PeriodInfo(period.id or 0, period.name, period.start, period.end),
        as_of=as_of,
        subjects=tuple(subjects[i].name for i in subject_ids),
        subject_short=tuple(subjects[i].short or subjects[i].name for i in subject_ids),
        rows=tuple(rows),
        summary=summarize_class(rows, no_marks),
        no_marks=no_marks,
        stamp=taken,
        preliminary=preliminary,
    )


# --- the class teacher's report ------------------------------------------------------------


@dataclass(frozen=True)
class ClassResults:
    """Отчёт классного руководителя за учебный период [004 §5]."""

    progress: ProgressSheet
    attendance: AttendanceSheet

    @property
    def summary(self) -> ClassSummary:
        return self.progress.summary


def class_results(db: Database, actor: Actor, class_id: int, period_id: int) -> ClassResults:
    """Both read in one transaction: the stamp names the state of both."""
    with reading(db, actor) as session:
        progress = read_progress(session, actor, class_id, period_id)
        period = progress.period
        attendance = read_attendance(session, actor, class_id, period.start, period.end)
    return ClassResults(progress, attendance)


__all__ = [
    "AttendanceCount",
    "AttendanceSheet",
    "AttendanceSheetRow",
    "ClassResults",
    "ClassSummary",
    "ProgressRow",
    "ProgressSheet",
    "Stamp",
    "attendance_sheet",
    "class_results",
    "may_read_sheets",
    "progress_sheet",
]
