"""School year setup, timetable, КТП and the contingent (движение учащихся).

Year setup (periods, holidays, bells, classes, subjects, courses, timetable
slots, lesson generation) belongs to the administrator or the deputy. Class
lists and enrolment are the secretary's [004 §5] (and the administrator's).
A lesson is generated only on a study day: the slot's weekday, inside a
quarter or half-year of the class's scheme, outside the vacations of its grade
and outside public holidays.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlmodel import or_, select

from core.actor import Actor
from core.db import Database
from core.errors import ValidationError
from core.models import (
    Bell,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Period,
    PlanItem,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    SubgroupMember,
    TimetableSlot,
    User,
)
from core.readmodels import StudentView
from core.rules import check_text, fmt_date
from core.services.base import UnitOfWork, require, snapshot, unit_of_work

SETUP_ROLES = ("admin", "deputy")
CONTINGENT_ROLES = ("admin", "secretary")
SUBGROUP_ROLES = ("admin", "deputy", "secretary")
SETUP_ONLY = (
    "Учебный год, классы, предметы и расписание настраивают администратор "
    "или заместитель директора."
)
CONTINGENT_ONLY = (
    "Списки классов и движение учащихся ведут секретарь или администратор [004 §5]."
)
SUBGROUP_ONLY = "Состав подгрупп ведут администратор, заместитель директора или секретарь."
PLAN_ONLY = "КТП загружает учитель этого предмета, заместитель директора или администратор."

SCHEMES = {"quarters": "четверти", "halves": "полугодия"}
PERIOD_KINDS = ("quarter", "half", "year", "exam", "final")
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
    return ClassView(c.id or 0, c.year_id, c.grade, c.letter, c.title, c.class_teacher_id,
                     c.period_scheme, c.version)


def _course_view(c: Course) -> CourseView:
    return CourseView(c.id or 0, c.class_id, c.subject_id, c.subgroup, c.teacher_id,
                      c.hours_per_week, c.version)


def _slot_view(s: TimetableSlot) -> SlotView:
    return SlotView(s.id or 0, s.course_id, s.weekday, s.number, s.room, s.valid_from,
                    s.valid_to, s.version)


def _enrolment_view(e: Enrolment) -> EnrolmentView:
    return EnrolmentView(e.id or 0, e.student_id, e.class_id, e.start, e.end, e.order_in,
                         e.order_out, e.out_reason, e.version)


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


def _teacher(uow: UnitOfWork, user_id: int) -> User:
    user: User = uow.get(User, user_id, "Пользователь")
    if "teacher" not in user.role_set() or not user.active:
        raise ValidationError(
            f"{user.full_name}: назначить можно только действующего пользователя с ролью "
            "«Учитель»."
        )
    return user


def _grades(text: str) -> str:
    """"" (all grades) or a normalised comma-separated list of grades 1–11."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    grades: list[int] = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 11:
            raise ValidationError(f"Классы (параллели): «{p}» — нужно число от 1 до 11.")
        grades.append(int(p))
    return ",".join(str(g) for g in sorted(set(grades)))


def _applies_to(holiday: Holiday, grade: int) -> bool:
    return holiday.kind == "public" or not holiday.grades or str(grade) in holiday.grades.split(",")


def _is_enrolled(uow: UnitOfWork, student_id: int, class_id: int, day: date) -> bool:
    row = uow.session.exec(
        select(Enrolment.id).where(
            Enrolment.student_id == student_id,
            Enrolment.class_id == class_id,
            Enrolment.start <= day,
            or_(Enrolment.end == None, Enrolment.end >= day),  # noqa: E711
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
        uow.audit("year.create", "school_year", year.id, None,
                  snapshot(year, "name", "start", "end", "is_current"))
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
            select(Period).where(Period.year_id == year_id, Period.scheme == scheme,
                                 Period.kind == kind)
        )
        for p in same:
            if p.number == number:
                raise ValidationError(f"Период «{p.name}» с номером {number} уже есть.")
            if _overlaps(start, end, p.start, p.end):
                raise ValidationError(
                    f"{name}: даты пересекаются с периодом «{p.name}» "
                    f"({fmt_date(p.start)}–{fmt_date(p.end)})."
                )
        period = Period(year_id=year_id, scheme=scheme, kind=kind, number=number, name=name,
                        start=start, end=end)
        uow.session.add(period)
        uow.session.flush()
        uow.audit("period.add", "period", period.id, None,
                  snapshot(period, "year_id", "scheme", "kind", "number", "name", "start", "end"))
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
        if kind not in HOLIDAY_KINDS:
            raise ValidationError(f"Вид «{kind}»: допустимо vacation (каникулы) или public.")
        name = _required_text(name, "Название", 100)
        _check_range(start, end, name)
        _inside_year(year, start, end, name)
        grade_text = _grades(grades)
        if kind == "public" and grade_text:
            raise ValidationError("Праздничный день — выходной для всех классов.")
        h = Holiday(year_id=year_id, name=name, start=start, end=end, kind=kind,
                    grades=grade_text)
        uow.session.add(h)
        uow.session.flush()
        uow.audit("holiday.add", "holiday", h.id, None,
                  snapshot(h, "year_id", "name", "start", "end", "kind", "grades"))
        return HolidayView(h.id or 0, h.year_id, h.name, h.start, h.end, h.kind, h.grades)


def set_bells(
    db: Database, actor: Actor, rows: list[tuple[int, time, time]]
) -> list[BellView]:
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
        old = list(uow.session.exec(select(Bell).order_by(Bell.number)))
        before = {"bells": [[b.number, f"{b.start:%H:%M}", f"{b.end:%H:%M}"] for b in old]}
        for b in old:
            uow.session.delete(b)
        uow.session.flush()
        for number, start, end in ordered:
            uow.session.add(Bell(number=number, start=start, end=end))
        uow.audit("bells.set", "bell", None, before,
                  {"bells": [[n, f"{a:%H:%M}", f"{b:%H:%M}"] for n, a, b in ordered]})
        return [BellView(n, a, b) for n, a, b in ordered]


# --- classes, subjects, courses, timetable --------------------------------------------


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
            select(SchoolClass.id).where(SchoolClass.year_id == year_id,
                                         SchoolClass.grade == grade,
                                         SchoolClass.letter == letter)
        ).first()
        if duplicate is not None:
            raise ValidationError(f"Класс {grade}{letter} в этом учебном году уже есть.")
        klass = SchoolClass(year_id=year_id, grade=grade, letter=letter,
                            class_teacher_id=class_teacher_id, period_scheme=period_scheme,
                            version=0)
        uow.touch(klass)
        uow.session.flush()
        uow.audit("class.create", "school_class", klass.id, None,
                  snapshot(klass, "year_id", "grade", "letter", "class_teacher_id",
                           "period_scheme"))
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
        uow.audit("class.set_teacher", "school_class", klass.id, before,
                  snapshot(klass, "class_teacher_id"))
        return _class_view(klass)


def add_subject(db: Database, actor: Actor, name: str, short: str = "") -> SubjectView:
    with unit_of_work(db, actor, "subject.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        name = _required_text(name, "Название предмета", 100)
        short = check_text(short, "Краткое название", 20)
        if uow.session.exec(select(Subject.id).where(Subject.name == name)).first():
            raise ValidationError(f"Предмет «{name}» уже есть.")
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
        if not 0 < hours_per_week <= 40:
            raise ValidationError("Часов в неделю: больше 0 и не больше 40.")
        duplicate = uow.session.exec(
            select(Course.id).where(Course.class_id == class_id, Course.subject_id == subject_id,
                                    Course.subgroup == subgroup)
        ).first()
        if duplicate is not None:
            group = f" ({subgroup})" if subgroup else ""
            raise ValidationError(f"{subject.name}{group} в {klass.title} уже есть.")
        course = Course(class_id=class_id, subject_id=subject_id, subgroup=subgroup,
                        teacher_id=teacher_id, hours_per_week=hours_per_week, version=0)
        uow.touch(course)
        uow.session.flush()
        uow.audit("course.create", "course", course.id, None,
                  snapshot(course, "class_id", "subject_id", "subgroup", "teacher_id",
                           "hours_per_week"))
        return _course_view(course)


def add_slot(
    db: Database,
    actor: Actor,
    course_id: int,
    weekday: int,
    number: int,
    room: str,
    valid_from: date,
    valid_to: date | None = None,
) -> SlotView:
    """A weekly timetable slot. A class has one lesson at a time, except for
    subgroups (different subgroup names) of the same class in parallel."""
    with unit_of_work(db, actor, "slot.add") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        course: Course = uow.get(Course, course_id, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        if not 0 <= weekday <= 5:
            raise ValidationError("День недели: от 0 (понедельник) до 5 (суббота).")
        if uow.session.get(Bell, number) is None:
            raise ValidationError(f"Урока № {number} нет в расписании звонков.")
        room = check_text(room, "Кабинет", 50)
        _check_range(valid_from, valid_to, "Расписание")
        others = uow.session.exec(
            select(TimetableSlot, Course).where(
                TimetableSlot.course_id == Course.id,
                Course.class_id == course.class_id,
                TimetableSlot.weekday == weekday,
                TimetableSlot.number == number,
            )
        )
        for slot, other in others:
            if not _overlaps(valid_from, valid_to, slot.valid_from, slot.valid_to):
                continue
            if course.subgroup and other.subgroup and course.subgroup != other.subgroup:
                continue  # two subgroups of the class at the same time
            subject = uow.session.get(Subject, other.subject_id)
            raise ValidationError(
                f"У {klass.title} в {WEEKDAYS[weekday]} на {number}-м уроке уже стоит "
                f"«{subject.name if subject else other.subject_id}» "
                f"(с {fmt_date(slot.valid_from)})."
            )
        slot = TimetableSlot(course_id=course_id, weekday=weekday, number=number, room=room,
                             valid_from=valid_from, valid_to=valid_to, version=0)
        uow.touch(slot)
        uow.session.flush()
        uow.audit("slot.add", "timetable_slot", slot.id, None,
                  snapshot(slot, "course_id", "weekday", "number", "room", "valid_from",
                           "valid_to"))
        return _slot_view(slot)


def generate_lessons(db: Database, actor: Actor, start: date, end: date) -> int:
    """Create the lessons of every timetable slot on the study days in [start, end].

    Skips days outside the quarters/half-years of the class's scheme, vacations
    of the class's grade and public holidays. Idempotent: an existing lesson
    (course, date, number) is kept as is. Returns how many lessons were created.
    """
    with unit_of_work(db, actor, "lessons.generate") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        _check_range(start, end, "Создание уроков")
        if (end - start).days > MAX_GENERATE_DAYS:
            raise ValidationError("Создание уроков: не больше чем на учебный год за раз.")
        session = uow.session
        periods: dict[tuple[int, str], list[tuple[date, date]]] = {}
        terms_query = select(Period).where(Period.kind.in_(("quarter", "half")))  # type: ignore[attr-defined]
        for p in session.exec(terms_query):
            periods.setdefault((p.year_id, p.scheme), []).append((p.start, p.end))
        holidays = list(session.exec(select(Holiday).where(Holiday.start <= end,
                                                           Holiday.end >= start)))
        existing = set(
            session.exec(
                select(Lesson.course_id, Lesson.date, Lesson.number).where(
                    Lesson.date >= start, Lesson.date <= end)
            )
        )
        rows = session.exec(
            select(TimetableSlot, Course, SchoolClass).where(
                TimetableSlot.course_id == Course.id, Course.class_id == SchoolClass.id
            ).order_by(TimetableSlot.id)
        )
        created = 0
        for slot, course, klass in rows:
            terms = periods.get((klass.year_id, klass.period_scheme), [])
            days_off = [h for h in holidays if _applies_to(h, klass.grade)]
            day = max(start, slot.valid_from)
            last = min(end, slot.valid_to or end)
            day += timedelta(days=(slot.weekday - day.weekday()) % 7)
            while day <= last:
                key = (course.id, day, slot.number)
                if (
                    key not in existing
                    and any(a <= day <= b for a, b in terms)
                    and not any(h.start <= day <= h.end for h in days_off)
                ):
                    session.add(Lesson(course_id=course.id or 0, date=day, number=slot.number,
                                       room=slot.room, held_by_id=course.teacher_id))
                    existing.add(key)
                    created += 1
                day += timedelta(days=7)
        session.flush()
        uow.audit("lessons.generate", "lesson", None, None,
                  {"start": start, "end": end, "created": created})
        return created


# --- КТП ------------------------------------------------------------------------------


def import_plan(db: Database, actor: Actor, course_id: int, rows: list[tuple[str, int]]) -> int:
    """Replace a course's calendar-thematic plan (КТП) with (topic, hours) rows.

    Refused once a lesson uses one of its topics. Returns the number of topics.
    """
    with unit_of_work(db, actor, "plan.import") as uow:
        course: Course = uow.get(Course, course_id, "Предмет класса")
        require(
            actor.has(*SETUP_ROLES)
            or (actor.has("teacher") and actor.user_id == course.teacher_id),
            PLAN_ONLY,
        )
        if not rows:
            raise ValidationError("План пуст: нужна хотя бы одна тема.")
        clean: list[tuple[str, int]] = []
        for i, (topic, hours) in enumerate(rows, start=1):
            text = check_text(topic or "", f"Строка {i}: тема", 500)
            if not text:
                raise ValidationError(f"Строка {i}: не указана тема.")
            if isinstance(hours, bool) or not isinstance(hours, int) or hours < 1:
                raise ValidationError(f"Строка {i}: число часов должно быть целым и не меньше 1.")
            clean.append((text, hours))
        old = list(uow.session.exec(select(PlanItem).where(PlanItem.course_id == course_id)))
        old_ids = [p.id for p in old]
        if old_ids:
            used = uow.session.exec(
                select(Lesson.id).where(Lesson.plan_item_id.in_(old_ids))  # type: ignore[union-attr]
            ).all()
            if used:
                raise ValidationError(
                    f"Темы плана уже выбраны в уроках (их {len(used)}): план нельзя "
                    "заменить целиком. Отредактируйте темы по одной."
                )
        for item in old:
            uow.session.delete(item)
        uow.session.flush()
        for position, (topic, hours) in enumerate(clean, start=1):
            uow.session.add(PlanItem(course_id=course_id, position=position, topic=topic,
                                     hours=hours))
        uow.audit("plan.import", "course", course_id,
                  {"items": len(old), "hours": sum(p.hours for p in old)} if old else None,
                  {"items": len(clean), "hours": sum(h for _, h in clean)})
        return len(clean)


def read_plan_csv(text: str) -> list[tuple[str, int]]:
    """Parse a КТП file: header «тема;часы» (or with commas), then one topic per line."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise ValidationError("Файл плана пуст.")
    header_line = lines[header_at]
    delimiter = ";" if ";" in header_line else ","
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    if header != ["тема", "часы"]:
        raise ValidationError(
            f"Строка {header_at + 1}: ожидается заголовок «тема;часы»."
        )
    result: list[tuple[str, int]] = []
    for row in reader:
        line = header_at + reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise ValidationError(
                f"Строка {line}: нужно два поля — тема и часы (разделитель «{delimiter}»)."
            )
        topic, hours_text = row[0].strip(), row[1].strip()
        if not topic:
            raise ValidationError(f"Строка {line}: не указана тема.")
        if not hours_text.isdigit() or int(hours_text) < 1:
            raise ValidationError(
                f"Строка {line}: число часов «{hours_text}» — нужно целое число не меньше 1."
            )
        result.append((topic, int(hours_text)))
    if not result:
        raise ValidationError("В файле плана нет ни одной темы.")
    return result


# --- contingent: students, enrolment, subgroups ------------------------------------------


def add_student(
    db: Database,
    actor: Actor,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    birth_date: date | None = None,
) -> StudentView:
    """The secretary enters class lists [004 §5]."""
    with unit_of_work(db, actor, "student.add") as uow:
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        last = _required_text(last_name, "Фамилия", 100)
        first = _required_text(first_name, "Имя", 100)
        middle = check_text(middle_name, "Отчество", 100)
        if birth_date is not None and birth_date > uow.now.date():
            raise ValidationError("Дата рождения не может быть в будущем.")
        student = Student(last_name=last, first_name=first, middle_name=middle,
                          birth_date=birth_date, version=0)
        uow.touch(student)
        uow.session.flush()
        uow.audit("student.add", "student", student.id, None,
                  snapshot(student, "last_name", "first_name", "middle_name", "birth_date"))
        return StudentView(student.id or 0, student.full_name, None)


def enrol(
    db: Database, actor: Actor, student_id: int, class_id: int, start: date, order_in: str
) -> EnrolmentView:
    """Arrival in a class by an order (движение учащихся) [004 §5]."""
    with unit_of_work(db, actor, "student.enrol") as uow:
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        student: Student = uow.get(Student, student_id, "Ученик")
        klass: SchoolClass = uow.get(SchoolClass, class_id, "Класс")
        year = _open_year(uow, klass.year_id)
        order = check_text(order_in, "Приказ о зачислении", 100)
        if not order:
            raise ValidationError("Укажите номер и дату приказа о зачислении.")
        if start > year.end:
            raise ValidationError(
                f"Дата зачисления {fmt_date(start)} позже конца учебного года {year.name}."
            )
        for e in uow.session.exec(select(Enrolment).where(Enrolment.student_id == student_id)):
            if _overlaps(start, None, e.start, e.end):
                other = uow.session.get(SchoolClass, e.class_id)
                until = f" по {fmt_date(e.end)}" if e.end else ""
                raise ValidationError(
                    f"{student.full_name} уже числится в {other.title if other else e.class_id} "
                    f"с {fmt_date(e.start)}{until}: сначала оформите выбытие."
                )
        e = Enrolment(student_id=student_id, class_id=class_id, start=start, order_in=order,
                      version=0)
        uow.touch(e)
        uow.session.flush()
        uow.audit("student.enrol", "enrolment", e.id, None,
                  snapshot(e, "student_id", "class_id", "start", "order_in"))
        return _enrolment_view(e)


def unenrol(
    db: Database,
    actor: Actor,
    student_id: int,
    end: date,
    order_out: str,
    reason: str,
    expected_version: int | None = None,
) -> EnrolmentView:
    """Departure from the class by an order; the last day in the class is ``end``."""
    with unit_of_work(db, actor, "student.unenrol") as uow:
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        student: Student = uow.get(Student, student_id, "Ученик")
        e = uow.session.exec(
            select(Enrolment).where(Enrolment.student_id == student_id,
                                    Enrolment.end == None)  # noqa: E711
        ).first()
        if e is None:
            raise ValidationError(f"{student.full_name} сейчас не числится ни в одном классе.")
        uow.check_version(e, expected_version, f"Зачисление: {student.full_name}")
        order = check_text(order_out, "Приказ о выбытии", 100)
        if not order:
            raise ValidationError("Укажите номер и дату приказа о выбытии.")
        why = _required_text(reason, "Причина выбытия", 200)
        if end < e.start:
            raise ValidationError(
                f"Дата выбытия {fmt_date(end)} раньше даты зачисления {fmt_date(e.start)}."
            )
        before = snapshot(e, "end", "order_out", "out_reason")
        e.end, e.order_out, e.out_reason = end, order, why
        uow.touch(e)
        members = uow.session.exec(
            select(SubgroupMember).where(
                SubgroupMember.student_id == student_id,
                SubgroupMember.end == None,  # noqa: E711
                SubgroupMember.start <= end,
                SubgroupMember.course_id.in_(  # type: ignore[attr-defined]
                    select(Course.id).where(Course.class_id == e.class_id)),
            )
        )
        for m in members:
            m.end = end
            uow.session.add(m)
        uow.audit("student.unenrol", "enrolment", e.id, before,
                  snapshot(e, "end", "order_out", "out_reason"))
        return _enrolment_view(e)


def add_subgroup_member(
    db: Database, actor: Actor, course_id: int, student_id: int, start: date
) -> SubgroupMemberView:
    with unit_of_work(db, actor, "subgroup.add_member") as uow:
        require(actor.has(*SUBGROUP_ROLES), SUBGROUP_ONLY)
        course: Course = uow.get(Course, course_id, "Предмет класса")
        student: Student = uow.get(Student, student_id, "Ученик")
        if not course.subgroup:
            raise ValidationError("Этот предмет ведётся для всего класса, без подгрупп.")
        if not _is_enrolled(uow, student_id, course.class_id, start):
            raise ValidationError(f"{student.full_name} не числится в классе на {fmt_date(start)}.")
        rows = uow.session.exec(
            select(SubgroupMember, Course).where(
                SubgroupMember.course_id == Course.id,
                SubgroupMember.student_id == student_id,
                Course.class_id == course.class_id,
                Course.subject_id == course.subject_id,
            )
        )
        for m, other in rows:
            if _overlaps(start, None, m.start, m.end):
                raise ValidationError(
                    f"{student.full_name} уже в подгруппе «{other.subgroup}» "
                    f"с {fmt_date(m.start)}."
                )
        m = SubgroupMember(course_id=course_id, student_id=student_id, start=start)
        uow.session.add(m)
        uow.session.flush()
        uow.audit("subgroup.add_member", "subgroup_member", m.id, None,
                  snapshot(m, "course_id", "student_id", "start"))
        return SubgroupMemberView(m.id or 0, m.course_id, m.student_id, m.start, m.end)
