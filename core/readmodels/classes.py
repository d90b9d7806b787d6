"""Pickers for the class teacher's and the deputy's screens: which classes, which of a
class's courses, which spans of dates a report can cover.

- ``visible_classes``: a class teacher sees the classes they lead; the deputy and the
  director every class of the current year, by grade then letter;
- ``class_courses``: every course (register page) of one class, in subject order, for
  its class teacher, the deputy and the director (a class teacher reads every subject
  of their class [004 §3.9]; the administration reads everything);
- ``report_spans``: this week and the last, this month and the last, each period of the
  current year (the class's scheme, else quarters) and the year itself;
- ``span_choices`` and ``step_span``: a span of each kind (week, month, quarter or
  half-year, the year) to start from, and the span before or after one of the same kind
  (the previous week Monday to Sunday, the previous month, the previous term of the
  year; the year has none), for screens that walk the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import Select

from zhurnal.core.access import READ_ALL_ROLES, is_class_teacher
from zhurnal.core.actor import Actor
from zhurnal.core.context import group_title
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.live import reading
from zhurnal.core.models import Course, Enrolment, Period, SchoolClass, SchoolYear, Subject, User

MONTHS = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
PERIOD_KINDS = ("quarter", "half")
DEFAULT_SCHEME = "quarters"


@dataclass(frozen=True)
class ClassRef:
    id: int
    title: str  # "5А"
    grade: int
    class_teacher: str  # full name, "" when the class has none
    students: int  # enrolled on the day asked about (the actor's today)


@dataclass(frozen=True)
class CourseRef:
    id: int
    class_id: int
    class_title: str
    subject: str
    subgroup: str
    teacher_id: int
    teacher: str
    title: str  # "Математика" / "Иностранный язык (английский язык) (1 гр.)"


KIND_TITLES = {
    "week": "Неделя",
    "month": "Месяц",
    "quarter": "Четверть",
    "half": "Полугодие",
    "year": "Учебный год",
    "custom": "Период",
}
"""What a span is, as a picker names it."""


@dataclass(frozen=True)
class Span:
    label: str  # «Неделя 30.11–06.12», «Декабрь 2026», «2 четверть», «Учебный год 2026/2027»
    start: date
    end: date
    period_id: int | None  # the Period row the span is, if it is one
    kind: str = "custom"  # a key of KIND_TITLES: what a step before or after moves by

    @property
    def choice(self) -> str:
        """The span as a picker of kinds shows it: «Месяц: Ноябрь 2026»."""
        title = KIND_TITLES.get(self.kind, KIND_TITLES["custom"])
        return self.label if self.label.startswith(title) else f"{title}: {self.label}"


def _current_year(session: Session) -> SchoolYear | None:
    return session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712


def _class_refs(session: Session, classes: list[SchoolClass], day: date) -> tuple[ClassRef, ...]:
    ids = [k.id for k in classes]
    teachers = {k.class_teacher_id for k in classes if k.class_teacher_id is not None}
    names = (
        dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(teachers))).all())
        if teachers
        else {}
    )
    counts = (
        dict(
            session.exec(
                select(Enrolment.class_id, func.count(col(Enrolment.id)))
                .where(
                    col(Enrolment.class_id).in_(ids),
                    Enrolment.start <= day,
                    or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= day),
                )
                .group_by(col(Enrolment.class_id))
            ).all()
        )
        if ids
        else {}
    )
    return tuple(
        ClassRef(
            k.id or 0,
            k.title,
            k.grade,
            names.get(k.class_teacher_id, "") if k.class_teacher_id else "",
            counts.get(k.id or 0, 0),
        )
        for k in classes
    )


def visible_classes(db: Database, actor: Actor) -> tuple[ClassRef, ...]:
    """The classes of the current year the actor may pick: the deputy and the director
    all of them, a class teacher those they lead; by grade, then letter."""
    with reading(db, actor) as session:
        query = (
            select(SchoolClass)
            .join(SchoolYear, col(SchoolYear.id) == SchoolClass.year_id)
            .where(SchoolYear.is_current == True)  # noqa: E712
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        )
        if not actor.has(*READ_ALL_ROLES):
            if not actor.has("teacher") or actor.user_id is None:
                return ()
            query = query.where(SchoolClass.class_teacher_id == actor.user_id)
        classes = list(session.exec(query))
        return _class_refs(session, classes, actor.now().date())


def _readable_class(session: Session, actor: Actor, class_id: int) -> SchoolClass:
    klass = session.get(SchoolClass, class_id)
    if klass is None:
        raise NotFound(f"Класс № {class_id} не найден.")
    if actor.has(*READ_ALL_ROLES) or (actor.has("teacher") and is_class_teacher(actor, klass)):
        return klass
    raise PermissionDenied(
        f"Нет доступа к классу {klass.title}: все предметы класса открыты его классному "
        "руководителю и администрации."
    )


def class_courses(db: Database, actor: Actor, class_id: int) -> tuple[CourseRef, ...]:
    """Every course of the class: by subject name, then subgroup (the class teacher, the
    deputy and the director; anyone else gets ``PermissionDenied``)."""
    with reading(db, actor) as session:
        klass = _readable_class(session, actor, class_id)
        # sqlmodel's select() is typed for at most 4 columns (fastapi/sqlmodel#271)
        query: Select[int, str, str, int, str] = (
            select(
                Course.id,
                Subject.name,
                Course.subgroup,
                Course.teacher_id,  # type: ignore[call-overload]
                User.full_name,
            )
            .join(Subject, col(Subject.id) == Course.subject_id)
            .join(User, col(User.id) == Course.teacher_id)
            .where(Course.class_id == class_id)
            .order_by(col(Subject.name), col(Course.subgroup), col(Course.id))
        )
        rows = session.exec(query).all()
        return tuple(
            CourseRef(
                course_id or 0,
                klass.id or 0,
                klass.title,
                subject,
                subgroup,
                teacher_id,
                teacher,
                group_title(subject, subgroup),
            )
            for course_id, subject, subgroup, teacher_id, teacher in rows
        )


def _month(day: date) -> Span:
    first = day.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    last = following - timedelta(days=1)
    return Span(f"{MONTHS[first.month - 1]} {first.year}", first, last, None, "month")


def _week(day: date) -> Span:
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return Span(f"Неделя {monday:%d.%m}–{sunday:%d.%m}", monday, sunday, None, "week")


def shift_span(span: Span, step: int) -> Span | None:
    """The week or month ``step`` weeks or months after ``span`` (before, if negative):
    Monday to Sunday, the 1st to the last day.  None for another kind (terms and years
    come from the school's periods: ``step_span``)."""
    if span.kind == "week":
        return _week(span.start + timedelta(days=7 * step))
    if span.kind == "month":
        months = span.start.year * 12 + span.start.month - 1 + step
        return _month(date(months // 12, months % 12 + 1, 1))
    return None


def _period_span(p: Period) -> Span:
    return Span(p.name, p.start, p.end, p.id, p.kind)


def _year_periods(
    session: Session, actor: Actor, class_id: int | None
) -> tuple[list[Period], Span | None]:
    """The year of the class (else the current one), its terms in order (the class's
    scheme, else quarters) and the year as a span."""
    if class_id is not None:
        klass = _readable_class(session, actor, class_id)
        year = session.get(SchoolYear, klass.year_id)
        scheme = klass.period_scheme
    else:
        year, scheme = _current_year(session), DEFAULT_SCHEME
    if year is None:
        return [], None
    periods = list(
        session.exec(
            select(Period)
            .where(
                Period.year_id == year.id,
                Period.scheme == scheme,
                col(Period.kind).in_((*PERIOD_KINDS, "year")),
            )
            .order_by(col(Period.start), col(Period.number))
        )
    )
    terms = [p for p in periods if p.kind in PERIOD_KINDS]
    whole = next((p for p in periods if p.kind == "year"), None)
    label = f"Учебный год {year.name}"
    if whole is not None:
        return terms, Span(label, whole.start, whole.end, whole.id, "year")
    return terms, Span(label, year.start, year.end, None, "year")


def report_spans(
    db: Database, actor: Actor, today: date, class_id: int | None = None
) -> tuple[Span, ...]:
    """This week (Monday to Sunday), last week, this month, last month, each quarter or
    half-year of the current year (the class's scheme when ``class_id`` is given, else
    quarters) and the year."""
    spans = [
        _week(today),
        _week(today - timedelta(days=7)),
        _month(today),
        _month(today.replace(day=1) - timedelta(days=1)),
    ]
    with reading(db, actor) as session:
        terms, year = _year_periods(session, actor, class_id)
    spans += [_period_span(p) for p in terms]
    return tuple(spans) + ((year,) if year is not None else ())


def span_choices(
    db: Database, actor: Actor, today: date, class_id: int | None = None, around: Span | None = None
) -> tuple[Span, ...]:
    """One span of each kind, to start from: the week, the month and the term of the day
    (``around``'s first day when today is not in it; between terms the last begun, before
    the first the first), and the year; the class's terms when ``class_id`` is given."""
    day = today if around is None or around.start <= today <= around.end else around.start
    spans = [_week(day), _month(day)]
    with reading(db, actor) as session:
        terms, year = _year_periods(session, actor, class_id)
    if terms:
        begun = [p for p in terms if p.start <= day]
        spans.append(_period_span(begun[-1] if begun else terms[0]))
    return tuple(spans) + ((year,) if year is not None else ())


def step_span(
    db: Database, actor: Actor, span: Span, step: int, class_id: int | None = None
) -> Span | None:
    """The span ``step`` spans of its own kind after ``span`` (before, if negative): the
    week or the month (``shift_span``), or the term of the same year and scheme; None
    past the year's first or last term, for the year itself and for a custom span."""
    if span.kind in ("week", "month"):
        return shift_span(span, step)
    if span.kind not in PERIOD_KINDS or span.period_id is None:
        return None
    with reading(db, actor) as session:
        if class_id is not None:
            _readable_class(session, actor, class_id)
        period = session.get(Period, span.period_id)
        if period is None:
            return None
        terms = list(
            session.exec(
                select(Period)
                .where(
                    Period.year_id == period.year_id,
                    Period.scheme == period.scheme,
                    Period.kind == period.kind,
                )
                .order_by(col(Period.start), col(Period.number))
            )
        )
    index = next(i for i, p in enumerate(terms) if p.id == period.id) + step
    return _period_span(terms[index]) if 0 <= index < len(terms) else None


def why_no_step(span: Span, step: int) -> str:
    """Why ``step_span`` found nothing, for the user."""
    if span.kind == "year":
        return "Учебный год не листается: p — выбрать неделю, месяц или четверть."
    if span.kind in PERIOD_KINDS:
        return f"{'Раньше' if step < 0 else 'Позже'} периода «{span.label}» в учебном году нет."
    return "Этот период не листается: p — выбрать неделю, месяц, четверть или год."


__all__ = [
    "KIND_TITLES",
    "ClassRef",
    "CourseRef",
    "Span",
    "class_courses",
    "report_spans",
    "shift_span",
    "span_choices",
    "step_span",
    "visible_classes",
    "why_no_step",
]
