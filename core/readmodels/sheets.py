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
the server's own account (``Actor.user_id is None`` with the admin role: the OS owner of
the database file, who runs ``zhurnal report``). Anyone else gets ``PermissionDenied``.

The progress sheet shows period marks only, never averages: it is the document signed at
the period's end [002 §2.7–2.8]; a subject without a period mark is left empty and the
student counts as «не все отметки» (neither отличник nor хорошист) until it is set.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, or_, select

from zhurnal.core.access import is_class_teacher
from zhurnal.core.actor import Actor
from zhurnal.core.audit import head_hash
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied, ValidationError
from zhurnal.core.models import (
    Absence,
    AuditHead,
    Course,
    Enrolment,
    Lesson,
    Period,
    PeriodMark,
    SchoolClass,
    Student,
    Subject,
    User,
)
from zhurnal.core.readmodels.gradebook import PeriodInfo
from zhurnal.core.rules import fmt_date, marks_given
from zhurnal.core.uow import policy_of

SHEET_READERS = ("director", "deputy")
FAILING = ("2", "1")


@dataclass(frozen=True)
class Stamp:
    """The audit chain's head when the sheet was read, and who read it when."""

    chain_head: str
    last_event_id: int
    taken_at: datetime
    taken_by: str


def is_server_account(actor: Actor) -> bool:
    """The OS owner of the database running the CLI (no register account of its own)."""
    return actor.user_id is None and actor.has("admin")


def may_read_sheets(actor: Actor, klass: SchoolClass | None) -> bool:
    if actor.has(*SHEET_READERS) or is_server_account(actor):
        return True
    return klass is not None and actor.has("teacher") and is_class_teacher(actor, klass)


def require_sheets(actor: Actor, klass: SchoolClass | None) -> None:
    if not may_read_sheets(actor, klass):
        whose = f" {klass.title}" if klass is not None else " школы"
        raise PermissionDenied(
            f"Сводные ведомости{whose} формируют классный руководитель, "
            "заместитель директора и директор [004 §5]."
        )


def stamp(session: Session, actor: Actor) -> Stamp:
    head = session.get(AuditHead, 1)
    return Stamp(
        head_hash(session),
        head.last_event_id if head else 0,
        actor.now(),
        actor.full_name or actor.login,
    )


def get_class(session: Session, actor: Actor, class_id: int) -> SchoolClass:
    klass = session.get(SchoolClass, class_id)
    if klass is None:
        raise NotFound(f"Класс № {class_id} не найден.")
    require_sheets(actor, klass)
    return klass


def teacher_name(session: Session, klass: SchoolClass) -> str:
    user = session.get(User, klass.class_teacher_id) if klass.class_teacher_id else None
    return user.full_name if user else ""


@dataclass(frozen=True)
class Stay:
    student_id: int
    name: str
    start: date
    end: date | None


def stays(session: Session, class_id: int, start: date, end: date) -> list[Stay]:
    """The class's enrolments overlapping [start, end], by name (one per enrolment)."""
    rows = session.exec(
        select(Enrolment, Student)
        .join(Student, col(Student.id) == Enrolment.student_id)
        .where(
            Enrolment.class_id == class_id,
            Enrolment.start <= end,
            or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= start),
        )
    ).all()
    out = [Stay(s.id or 0, s.full_name, e.start, e.end) for e, s in rows]
    return sorted(out, key=lambda st: (st.name, st.student_id, st.start))


def present(stay: Stay, day: date) -> bool:
    return stay.start <= day and (stay.end is None or stay.end >= day)


def stay_note(stay: Stay, start: date, end: date) -> str:
    parts = []
    if stay.start > start:
        parts.append(f"прибыл(а) {fmt_date(stay.start)}")
    if stay.end is not None and stay.end < end:
        parts.append(f"выбыл(а) {fmt_date(stay.end)}")
    return ", ".join(parts)


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
    marks: tuple[str, ...]  # per subject of ``ProgressSheet.subjects``; "" none yet
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


def _status(values: list[str], no_marks: bool) -> str:
    if no_marks:
        return ""
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


def progress_sheet(db: Database, actor: Actor, class_id: int, period_id: int) -> ProgressSheet:
    """Сводная ведомость учёта успеваемости of a class for a period [004 §5, 002 §2.8]."""
    with db.read() as session:
        taken = stamp(session, actor)
        klass = get_class(session, actor, class_id)
        period = _period(session, klass, period_id)
        no_marks = not marks_given(policy_of(session), klass.grade)
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
        as_of = min(period.end, max(period.start, taken.taken_at.date()))
        rows: list[ProgressRow] = []
        seen: set[int] = set()
        all_stays = stays(session, class_id, period.start, period.end)
        in_class = {s.student_id for s in all_stays if present(s, as_of)}
        for stay in all_stays:
            if stay.student_id in seen:  # left and came back: one row
                continue
            seen.add(stay.student_id)
            marks = [values.get((stay.student_id, sid), "") for sid in subject_ids]
            counted = stay.student_id in in_class
            rows.append(
                ProgressRow(
                    stay.student_id,
                    stay.name,
                    tuple(marks),
                    marks.count("2"),
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
        )


# --- attendance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceCount:
    """Lessons missed (``missed`` = ill + excused + unexcused) and lates apart."""

    missed: int = 0
    ill: int = 0  # Б
    excused: int = 0  # УП
    unexcused: int = 0  # Н
    late: int = 0  # ОП

    def __add__(self, other: AttendanceCount) -> AttendanceCount:
        return AttendanceCount(
            self.missed + other.missed,
            self.ill + other.ill,
            self.excused + other.excused,
            self.unexcused + other.unexcused,
            self.late + other.late,
        )


CODE_FIELD = {"Б": "ill", "УП": "excused", "Н": "unexcused", "ОП": "late"}


def count_of(code: str) -> AttendanceCount:
    field = CODE_FIELD.get(code)
    if field is None:
        return AttendanceCount()
    if field == "late":
        return AttendanceCount(late=1)
    return AttendanceCount(missed=1, **{field: 1})


@dataclass(frozen=True)
class AttendanceSheetRow:
    student_id: int
    name: str
    months: tuple[AttendanceCount, ...]  # per ``AttendanceSheet.months``
    total: AttendanceCount
    note: str


@dataclass(frozen=True)
class AttendanceSheet:
    class_id: int
    class_title: str
    class_teacher: str
    start: date
    end: date
    months: tuple[date, ...]  # the first day of each month in [start, end]
    lessons: tuple[int, ...]  # lessons held in the class per month, up to today
    rows: tuple[AttendanceSheetRow, ...]
    month_totals: tuple[AttendanceCount, ...]
    total: AttendanceCount
    stamp: Stamp


def months_between(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def attendance_sheet(
    db: Database, actor: Actor, class_id: int, start: date, end: date
) -> AttendanceSheet:
    """Отчёт о посещаемости класса по месяцам / сводная ведомость посещаемости [004 §5]."""
    if end < start:
        raise ValidationError(f"Начало {fmt_date(start)} позже конца {fmt_date(end)}.")
    with db.read() as session:
        taken = stamp(session, actor)
        klass = get_class(session, actor, class_id)
        months = months_between(start, end)
        index = {(m.year, m.month): i for i, m in enumerate(months)}
        held = (
            select(Lesson.id, Lesson.date)
            .join(Course, col(Course.id) == Lesson.course_id)
            .where(
                Course.class_id == class_id,
                Lesson.date >= start,
                Lesson.date <= end,
                Lesson.cancelled == False,  # noqa: E712 - SQL
            )
        )
        lessons = [0] * len(months)
        for _, day in session.exec(held):
            if day <= taken.taken_at.date():  # held, not only planned
                lessons[index[(day.year, day.month)]] += 1
        counts: dict[int, list[AttendanceCount]] = defaultdict(
            lambda: [AttendanceCount()] * len(months)
        )
        subquery = held.subquery()
        for student_id, code, day in session.exec(
            select(Absence.student_id, Absence.code, subquery.c.date).join(
                subquery, subquery.c.id == Absence.lesson_id
            )
        ):
            i = index[(day.year, day.month)]
            counts[student_id][i] = counts[student_id][i] + count_of(code)
        rows: list[AttendanceSheetRow] = []
        seen: set[int] = set()
        for stay in stays(session, class_id, start, end):
            if stay.student_id in seen:
                continue
            seen.add(stay.student_id)
            per_month = tuple(counts.get(stay.student_id, [AttendanceCount()] * len(months)))
            rows.append(
                AttendanceSheetRow(
                    stay.student_id,
                    stay.name,
                    per_month,
                    sum(per_month, AttendanceCount()),
                    stay_note(stay, start, end),
                )
            )
        month_totals = tuple(
            sum((r.months[i] for r in rows), AttendanceCount()) for i in range(len(months))
        )
        return AttendanceSheet(
            class_id=class_id,
            class_title=klass.title,
            class_teacher=teacher_name(session, klass),
            start=start,
            end=end,
            months=tuple(months),
            lessons=tuple(lessons),
            rows=tuple(rows),
            month_totals=month_totals,
            total=sum(month_totals, AttendanceCount()),
            stamp=taken,
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
    progress = progress_sheet(db, actor, class_id, period_id)
    period = progress.period
    return ClassResults(progress, attendance_sheet(db, actor, class_id, period.start, period.end))
