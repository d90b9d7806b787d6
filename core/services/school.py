"""School year setup: year, periods, holidays, bells, classes, subjects, courses.

Year setup (periods, holidays, bells, classes, subjects, courses, timetable
slots, lesson generation) belongs to the administrator or the deputy. Class
lists and enrolment are the secretary's [004 §5] (and the administrator's).
A lesson is generated only on a study day: the slot's weekday, inside a
quarter or half-year of the class's scheme, outside the vacations of its grade
and outside public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from sqlmodel import col, or_, select

from zhurnal.core.access import CONTINGENT_ROLES as CONTINGENT_ROLES  # re-exported
from zhurnal.core.access import SETUP_ROLES
from zhurnal.core.access import SUBGROUP_ROLES as SUBGROUP_ROLES  # re-exported
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import (
    Bell,
    Course,
    Enrolment,
    Holiday,
    Period,
    SchoolClass,
    SchoolYear,
    Subject,
    TimetableSlot,
    User,
)
from zhurnal.core.readmodels.year_setup import parse_grades_text
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work

SETUP_ONLY = (
    "Учебный год, классы, предметы и расписание настраивают администратор "
    "или заместитель директора."
)
CONTINGENT_ONLY = "Списки классов и движение учащихся ведут секретарь или администратор [004 §5]."
SUBGROUP_ONLY = "Состав подгрупп ведут администратор, заместитель директора или секретарь."
PLAN_ONLY = "КТП загружает учитель этого предмета, заместитель директора или администратор."

SCHEMES = {"quarters": "четверти", "halves": "полугодия"}
PERIOD_KINDS = ("quarter", "half", "year", "exam", "final")
PERIODS_IN_YEAR = {"quarter": 4, "half": 2}
"""How many quarters or half-years a school year has: a period's number is at most this."""
HOLIDAY_KINDS = ("vacation", "public")
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота")
LETTER_RE = re.compile(r"[А-ЯЁ]")
MAX_GENERATE_DAYS = 400


# --- read models ------------------------------------------------------------------


@dataclass(frozen=True)
class YearView:
    id: int
    name: str
    start: date
    end: date
    is_current: bool
    closed: bool
    version: int


@dataclass(frozen=True)
class PeriodView:
    id: int
    year_id: int
    scheme: str
    kind: str
    number: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class HolidayView:
    id: int
    year_id: int
    name: str
    start: date
    end: date
    kind: str
    grades: str


@dataclass(frozen=True)
class BellView:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class ClassView:
    id: int
    year_id: int
    grade: int
    letter: str
    title: str
    class_teacher_id: int | None
    period_scheme: str
    version: int


@dataclass(frozen=True)
class SubjectView:
    id: int
    name: str
    short: str


@dataclass(frozen=True)
class CourseView:
    id: int
    class_id: int
    subject_id: int
    subgroup: str
    teacher_id: int
    hours_per_week: float
    version: int


@dataclass(frozen=True)
class SlotView:
    id: int
    course_id: int
    weekday: int
    number: int
    room: str
    valid_from: date
    valid_to: date | None
    version: int


@dataclass(frozen=True)
class EnrolmentView:
    id: int
    student_id: int
    class_id: int
    start: date
    end: date | None
    order_in: str
    order_out: str
    out_reason: str
    version: int


@dataclass(frozen=True)
class SubgroupMemberView:
    id: int
    course_id: int
    student_id: int
    start: date
    end: date | None


def _year_view(y: SchoolYear) -> YearView:
    return YearView(y.id or 0, y.name, y.start, y.end, y.is_current, y.closed, y.version)


def _period_view(p: Period) -> PeriodView:
    return PeriodView(p.id or 0, p.year_id, p.scheme, p.kind, p.number, p.name, p.start, p.end)


def _class_view(c: SchoolClass) -> ClassView:
    return ClassView(
        c.id or 0,
        c.year_id,
        c.grade,
        c.letter,
        c.title,
        c.class_teacher_id,
        c.period_scheme,
        c.version,
    )


def _course_view(c: Course) -> CourseView:
    return CourseView(
        c.id or 0, c.class_id, c.subject_id, c.subgroup, c.teacher_id, c.hours_per_week, c.version
    )


def _slot_view(s: TimetableSlot) -> SlotView:
    return SlotView(
        s.id or 0, s.course_id, s.weekday, s.number, s.room, s.valid_from, s.valid_to, s.version
    )


def _enrolment_view(e: Enrolment) -> EnrolmentView:
    return EnrolmentView(
        e.id or 0,
        e.student_id,
        e.class_id,
        e.start,
        e.end,
        e.order_in,
        e.order_out,
        e.out_reason,
        e.version,
    )


# --- helpers ----------------------------------------------------------------------


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Do two date ranges meet? ``None`` as an end means "open"."""
    return a_start <= (b_end or date.max) and b_start <= (a_end or date.max)


def _required_text(value: str, what: str, limit: int) -> str:
    text = check_text(value, what, limit)
    if not text:
        raise ValidationError(f"{what}: поле не заполнено.")
    return text


def _check_range(start: date, end: date | None, what: str) -> None:
    if end is not None and end < start:
        raise ValidationError(
            f"{what}: дата окончания {fmt_date(end)} раньше даты начала {fmt_date(start)}."
        )


def _open_year(uow: UnitOfWork, year_id: int) -> SchoolYear:
    year: SchoolYear = uow.get(SchoolYear, year_id, "Учебный год")
    if year.closed:
        raise ValidationError(f"Учебный год {year.name} закрыт: изменения не принимаются.")
    return year


def _inside_year(year: SchoolYear, start: date, end: date, what: str) -> None:
    if start < year.start or end > year.end:
        raise ValidationError(
            f"{what}: даты должны лежать внутри учебного года {year.name} "
            f"({fmt_date(year.start)}–{fmt_date(year.end)})."
        )


def within_class_year(
    uow: UnitOfWork, klass: SchoolClass, start: date, end: date | None, what: str
) -> None:
    """A timetable date (a slot from, a change from) inside the school year of the class."""
    year: SchoolYear = uow.get(SchoolYear, klass.year_id, "Учебный год")
    for day in (start, end):
        if day is not None and not year.start <= day <= year.end:
            raise ValidationError(
                f"{what}: {fmt_date(day)} вне учебного года {year.name} "
                f"({fmt_date(year.start)}–{fmt_date(year.end)}) класса {klass.title}."
            )


def _teacher(uow: UnitOfWork, user_id: int) -> User:
    user: User = uow.get(User, user_id, "Пользователь")
    if "teacher" not in user.role_set() or not user.active:
        raise ValidationError(
            f"{user.full_name}: назначить можно только действующего пользователя с ролью «Учитель»."
        )
    return user


def _holiday_fields(
    year: SchoolYear, name: str, start: date, end: date, kind: str, grades: str
) -> tuple[str, str]:
    """A holiday's name and grades ("" — all, else "1,2"; typed "1", "2-9", "1, 5")
    as stored, once its kind, dates (inside the year) and grades are checked."""
    if kind not in HOLIDAY_KINDS:
        raise ValidationError(f"Вид «{kind}»: допустимо vacation (каникулы) или public.")
    name = _required_text(name, "Название", 100)
    _check_range(start, end, name)
    _inside_year(year, start, end, name)
    grade_text = parse_grades_text(grades)
    if kind == "public" and grade_text:
        raise ValidationError("Праздничный день — выходной для всех классов.")
    return name, grade_text


def _is_enrolled(uow: UnitOfWork, student_id: int, class_id: int, day: date) -> bool:
    row = uow.session.exec(
        select(Enrolment.id).where(
            Enrolment.student_id == student_id,
            Enrolment.class_id == class_id,
            Enrolment.start <= day,
            or_(Enrolment.end == None, col(Enrolment.end) >= day),  # noqa: E711
        )
    ).first()
    return row is not None


# --- year, periods, holidays, bells -------------------------------------------------


def create_year(
    db: Database, actor: Actor, name: str, start: date, end: date, make_current: bool = True
) -> YearView:
    with unit_of_work(db, actor, "year.create") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        name = _required_text(name, "Название учебного года", 20)
        if end <= start:
            raise ValidationError("Учебный год должен заканчиваться позже, чем начинается.")
        years = list(uow.session.exec(select(SchoolYear)))
        for y in years:
            if y.name == name:
                raise ValidationError(f"Учебный год «{name}» уже есть.")
            if _overlaps(start, end, y.start, y.end):
                raise ValidationError(f"Даты пересекаются с учебным годом {y.name}.")
        if make_current:
            for y in years:
                if y.is_current:
                    y.is_current = False
                    uow.touch(y)
        year = SchoolYear(name=name, start=start, end=end, is_current=make_current, version=0)
        uow.touch(year)
        uow.session.flush()
        uow.audit(
            "year.create",
            "school_year",
            year.id,
            None,
            snapshot(year, "name", "start", "end", "is_current"),
        )
        return _year_view(year)


def add_period(
    db: Database,
    actor: Actor,
    year_id: int,
    scheme: str,
    kind: str,
    number: int,
    name: str,
    start: date,
    end: date,
) -> PeriodView:
    with unit_of_work(db, actor, "period.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        year = _open_year(uow, year_id)
        if scheme not in SCHEMES:
            raise ValidationError(f"Схема периодов «{scheme}»: допустимо quarters или halves.")
        if kind not in PERIOD_KINDS:
            raise ValidationError(f"Вид периода «{kind}»: допустимо {', '.join(PERIOD_KINDS)}.")
        if (kind, scheme) in (("quarter", "halves"), ("half", "quarters")):
            raise ValidationError(f"Вид периода «{kind}» не подходит к схеме «{scheme}».")
        if number < 1:
            raise ValidationError("Номер периода должен быть не меньше 1.")
        name = _required_text(name, "Название периода", 50)
        _check_range(start, end, name)
        _inside_year(year, start, end, name)
        same = uow.session.exec(
            select(Period).where(
                Period.year_id == year_id, Period.scheme == scheme, Period.kind == kind
            )
        )
        for p in same:
            if p.number == number:
                raise ValidationError(f"Период «{p.name}» с номером {number} уже есть.")
            if _overlaps(start, end, p.start, p.end):
                raise ValidationError(
                    f"{name}: даты пересекаются с периодом «{p.name}» "
                    f"({fmt_date(p.start)}–{fmt_date(p.end)})."
                )
        most = PERIODS_IN_YEAR.get(kind)
        if most is not None and number > most:
            raise ValidationError(
                f"Номер периода {number}: в учебном году {most} "
                f"{'четверти' if kind == 'quarter' else 'полугодия'} — номер от 1 до {most}."
            )
        period = Period(
            year_id=year_id,
            scheme=scheme,
            kind=kind,
            number=number,
            name=name,
            start=start,
            end=end,
        )
        uow.session.add(period)
        uow.session.flush()
        uow.audit(
            "period.add",
            "period",
            period.id,
            None,
            snapshot(period, "year_id", "scheme", "kind", "number", "name", "start", "end"),
        )
        return _period_view(period)


def add_holiday(
    db: Database,
    actor: Actor,
    year_id: int,
    name: str,
    start: date,
    end: date,
    kind: str = "vacation",
    grades: str = "",
) -> HolidayView:
    """Каникулы (``vacation``; ``grades`` e.g. "1" for the extra February break) or a
    public holiday (``public``, all grades)."""
    with unit_of_work(db, actor, "holiday.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        year = _open_year(uow, year_id)
        name, grade_text = _holiday_fields(year, name, start, end, kind, grades)
        h = Holiday(year_id=year_id, name=name, start=start, end=end, kind=kind, grades=grade_text)
        uow.session.add(h)
        uow.session.flush()
        uow.audit(
            "holiday.add",
            "holiday",
            h.id,
            None,
            snapshot(h, "year_id", "name", "start", "end", "kind", "grades"),
        )
        return HolidayView(h.id or 0, h.year_id, h.name, h.start, h.end, h.kind, h.grades)


def set_bells(db: Database, actor: Actor, rows: list[tuple[int, time, time]]) -> list[BellView]:
    """Replace the bell schedule: (lesson number, start, end) per lesson."""
    with unit_of_work(db, actor, "bells.set") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        if not rows:
            raise ValidationError("Расписание звонков пусто.")
        ordered = sorted(rows, key=lambda r: r[0])
        previous: tuple[int, time, time] | None = None
        for number, start, end in ordered:
            if not 0 <= number <= 15:
                raise ValidationError(f"Номер урока {number}: допустимо от 0 до 15.")
            if start >= end:
                raise ValidationError(f"Урок {number}: конец должен быть позже начала.")
            if previous is not None:
                if previous[0] == number:
                    raise ValidationError(f"Урок {number} указан дважды.")
                if start < previous[2]:
                    raise ValidationError(
                        f"Урок {number} начинается раньше, чем кончается урок {previous[0]}."
                    )
            previous = (number, start, end)
        numbers = {r[0] for r in ordered}
        used = set(uow.session.exec(select(TimetableSlot.number)))
        missing = sorted(used - numbers)
        if missing:
            raise ValidationError(
                f"Урок № {missing[0]} есть в расписании уроков: его звонок нельзя удалить."
            )
        old = list(uow.session.exec(select(Bell).order_by(col(Bell.number))))
        before = {"bells": [[b.number, f"{b.start:%H:%M}", f"{b.end:%H:%M}"] for b in old]}
        for b in old:
            uow.session.delete(b)
        uow.session.flush()
        for number, start, end in ordered:
            uow.session.add(Bell(number=number, start=start, end=end))
        uow.audit(
            "bells.set",
            "bell",
            None,
            before,
            {"bells": [[n, f"{a:%H:%M}", f"{b:%H:%M}"] for n, a, b in ordered]},
        )
        return [BellView(n, a, b) for n, a, b in ordered]


# --- classes, subjects, courses, timetable --------------------------------------------

MAX_HOURS = 40.0


def check_hours(hours: float) -> float:
    """Hours a week of one course: more than 0, at most ``MAX_HOURS``, whole or a half."""
    if not 0 < hours <= MAX_HOURS or hours * 2 != int(hours * 2):
        raise ValidationError(
            f"Часов в неделю: {hours:g} — нужно число больше 0 и не больше {MAX_HOURS:g} "
            "(можно с половиной: 0,5; 1,5)."
        )
    return hours


def parse_hours(text: str) -> float:
    """Hours a week as people type them: «5», «1,5», «0.5»."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise ValidationError(
            f"Часов в неделю: «{text.strip()}» — нужно число, например 5 или 1,5."
        ) from None


def subject_taken(names: list[tuple[int, str]], name: str, except_id: int | None = None) -> str:
    """The name of another subject spelled like ``name`` (case and «ё» ignored), or ""."""
    key = name.casefold().replace("ё", "е")
    for subject_id, other in names:
        if subject_id != except_id and other.casefold().replace("ё", "е") == key:
            return other
    return ""


def create_class(
    db: Database,
    actor: Actor,
    year_id: int,
    grade: int,
    letter: str,
    class_teacher_id: int | None = None,
    period_scheme: str = "quarters",
) -> ClassView:
    with unit_of_work(db, actor, "class.create") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        _open_year(uow, year_id)
        if not 1 <= grade <= 11:
            raise ValidationError("Параллель класса: число от 1 до 11.")
        letter = letter.strip().upper()
        if not LETTER_RE.fullmatch(letter):
            raise ValidationError("Литера класса: одна заглавная русская буква (А, Б, В, …).")
        if period_scheme not in SCHEMES:
            raise ValidationError("Схема периодов: quarters (четверти) или halves (полугодия).")
        if class_teacher_id is not None:
            _teacher(uow, class_teacher_id)
        duplicate = uow.session.exec(
            select(SchoolClass.id).where(
                SchoolClass.year_id == year_id,
                SchoolClass.grade == grade,
                SchoolClass.letter == letter,
            )
        ).first()
        if duplicate is not None:
            raise ValidationError(f"Класс {grade}{letter} в этом учебном году уже есть.")
        klass = SchoolClass(
            year_id=year_id,
            grade=grade,
            letter=letter,
            class_teacher_id=class_teacher_id,
            period_scheme=period_scheme,
            version=0,
        )
        uow.touch(klass)
        uow.session.flush()
        uow.audit(
            "class.create",
            "school_class",
            klass.id,
            None,
            snapshot(klass, "year_id", "grade", "letter", "class_teacher_id", "period_scheme"),
        )
        return _class_view(klass)


def set_class_teacher(
    db: Database,
    actor: Actor,
    class_id: int,
    teacher_id: int | None,
    expected_version: int | None = None,
) -> ClassView:
    with unit_of_work(db, actor, "class.set_teacher") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        klass: SchoolClass = uow.get(SchoolClass, class_id, "Класс")
        uow.check_version(klass, expected_version, f"Класс {klass.title}")
        _open_year(uow, klass.year_id)
        if teacher_id is not None:
            _teacher(uow, teacher_id)
        before = snapshot(klass, "class_teacher_id")
        klass.class_teacher_id = teacher_id
        uow.touch(klass)
        uow.audit(
            "class.set_teacher",
            "school_class",
            klass.id,
            before,
            snapshot(klass, "class_teacher_id"),
        )
        return _class_view(klass)


def add_subject(db: Database, actor: Actor, name: str, short: str = "") -> SubjectView:
    with unit_of_work(db, actor, "subject.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        name = _required_text(name, "Название предмета", 100)
        short = check_text(short, "Краткое название", 20)
        names = [(i or 0, n) for i, n in uow.session.exec(select(Subject.id, Subject.name))]
        other = subject_taken(names, name)
        if other:
            raise ValidationError(f"Предмет «{other}» уже есть.")
        subject = Subject(name=name, short=short)
        uow.session.add(subject)
        uow.session.flush()
        uow.audit("subject.add", "subject", subject.id, None, snapshot(subject, "name", "short"))
        return SubjectView(subject.id or 0, subject.name, subject.short)


def create_course(
    db: Database,
    actor: Actor,
    class_id: int,
    subject_id: int,
    teacher_id: int,
    subgroup: str = "",
    hours_per_week: float = 1,
) -> CourseView:
    with unit_of_work(db, actor, "course.create") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        klass: SchoolClass = uow.get(SchoolClass, class_id, "Класс")
        _open_year(uow, klass.year_id)
        subject: Subject = uow.get(Subject, subject_id, "Предмет")
        _teacher(uow, teacher_id)
        subgroup = check_text(subgroup, "Подгруппа", 30)
        check_hours(hours_per_week)
        duplicate = uow.session.exec(
            select(Course.id).where(
                Course.class_id == class_id,
                Course.subject_id == subject_id,
                Course.subgroup == subgroup,
            )
        ).first()
        if duplicate is not None:
            group = f" ({subgroup})" if subgroup else ""
            raise ValidationError(f"{subject.name}{group} в {klass.title} уже есть.")
        course = Course(
            class_id=class_id,
            subject_id=subject_id,
            subgroup=subgroup,
            teacher_id=teacher_id,
            hours_per_week=hours_per_week,
            version=0,
        )
        uow.touch(course)
        uow.session.flush()
        uow.audit(
            "course.create",
            "course",
            course.id,
            None,
            snapshot(course, "class_id", "subject_id", "subgroup", "teacher_id", "hours_per_week"),
        )
        return _course_view(course)
