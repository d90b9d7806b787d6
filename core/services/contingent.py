"""The contingent: students, dated enrolments (движение учащихся), subgroups.

Class lists and enrolment are the secretary's [004 §5] (and the administrator's).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import ledger_of, state_of
from zhurnal.core.models import (
    Absence,
    Assignment,
    Course,
    Enrolment,
    Lesson,
    Mark,
    SchoolClass,
    Student,
    SubgroupMember,
)
from zhurnal.core.readmodels import StudentView
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.school import (
    CONTINGENT_ONLY,
    CONTINGENT_ROLES,
    SUBGROUP_ONLY,
    SUBGROUP_ROLES,
    EnrolmentView,
    SubgroupMemberView,
    _enrolment_view,
    _is_enrolled,
    _open_year,
    _overlaps,
    _required_text,
)
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work

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
        student = Student(
            last_name=last, first_name=first, middle_name=middle, birth_date=birth_date, version=0
        )
        uow.touch(student)
        uow.session.flush()
        uow.audit(
            "student.add",
            "student",
            student.id,
            None,
            snapshot(student, "last_name", "first_name", "middle_name", "birth_date"),
        )
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
        e = Enrolment(
            student_id=student_id, class_id=class_id, start=start, order_in=order, version=0
        )
        uow.touch(e)
        uow.session.flush()
        uow.audit(
            "student.enrol",
            "enrolment",
            e.id,
            None,
            {**snapshot(e, "order_in"), **state_of(uow.session, "enrolment", e)},
        )
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
            select(Enrolment).where(Enrolment.student_id == student_id, Enrolment.end == None)  # noqa: E711
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
        _close(uow, e, end, order, why)
        uow.audit(
            "student.unenrol",
            "enrolment",
            e.id,
            before,
            {**snapshot(e, "order_out", "out_reason"), **state_of(uow.session, "enrolment", e)},
        )
        return _enrolment_view(e)


def _current_stay(uow: UnitOfWork, student: Student) -> Enrolment:
    e = uow.session.exec(
        select(Enrolment).where(Enrolment.student_id == student.id, Enrolment.end == None)  # noqa: E711
    ).first()
    if e is None:
        raise ValidationError(f"{student.full_name} сейчас не числится ни в одном классе.")
    return e


def _check_leaving_day(uow: UnitOfWork, student: Student, e: Enrolment, day: date) -> None:
    klass: SchoolClass = uow.get(SchoolClass, e.class_id, "Класс")
    year = _open_year(uow, klass.year_id)
    if day <= e.start:
        raise ValidationError(
            f"Дата выбытия {fmt_date(day)} не позже даты зачисления {fmt_date(e.start)}: "
            f"{student.full_name} числится в {klass.title} с {fmt_date(e.start)}."
        )
    if day > year.end:
        raise ValidationError(
            f"Дата {fmt_date(day)} вне учебного года {year.name} "
            f"({fmt_date(year.start)}–{fmt_date(year.end)})."
        )
    kept = _entries_from(uow, student, e.class_id, day)
    if kept:
        raise ValidationError(
            f"У {student.full_name} в {klass.title} есть отметки или пропуски с "
            f"{fmt_date(day)}: {', '.join(fmt_date(d) for d in kept[:3])}"
            f"{' и другие' if len(kept) > 3 else ''}. Выбытие датируется днём после "
            "последнего урока ученика в классе; проверьте дату приказа."
        )


def _entries_from(uow: UnitOfWork, student: Student, class_id: int, day: date) -> list[date]:
    """The days from ``day`` on with a mark or an absence of the student in the class."""
    lessons = (
        select(col(Lesson.id), col(Lesson.date))
        .join(Course, col(Course.id) == Lesson.course_id)
        .where(Course.class_id == class_id, Lesson.date >= day)
        .subquery()
    )
    marked = (
        select(lessons.c.date)
        .join(Assignment, col(Assignment.lesson_id) == lessons.c.id)
        .join(Mark, col(Mark.assignment_id) == Assignment.id)
        .where(Mark.student_id == student.id)
    )
    absent = (
        select(lessons.c.date)
        .join(Absence, col(Absence.lesson_id) == lessons.c.id)
        .where(Absence.student_id == student.id)
    )
    days = set(uow.session.exec(marked)) | set(uow.session.exec(absent))
    return sorted(days)


def leave(
    db: Database, actor: Actor, student_id: int, day: date, order_out: str, reason: str
) -> EnrolmentView:
    """Departure by an order from ``day`` on: the student is in the class up to the day
    before, keeps their history and leaves the grids from ``day`` [004 §5]."""
    with unit_of_work(db, actor, "student.leave") as uow:
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        student: Student = uow.get(Student, student_id, "Ученик")
        e = _current_stay(uow, student)
        order = check_text(order_out, "Приказ о выбытии", 100)
        if not order:
            raise ValidationError("Укажите номер и дату приказа о выбытии.")
        why = _required_text(reason, "Причина выбытия", 200)
        _check_leaving_day(uow, student, e, day)
        before = snapshot(e, "end", "order_out", "out_reason")
        _close(uow, e, day - timedelta(days=1), order, why)
        uow.audit(
            "student.unenrol",
            "enrolment",
            e.id,
            before,
            {**snapshot(e, "order_out", "out_reason"), **state_of(uow.session, "enrolment", e)},
        )
        return _enrolment_view(e)


def transfer(
    db: Database, actor: Actor, student_id: int, to_class_id: int, day: date, order: str
) -> EnrolmentView:
    """Transfer to another class of the same year by an order, from ``day``: the old stay
    ends the day before, the new one starts on ``day``; nothing is deleted [004 §5]."""
    with unit_of_work(db, actor, "student.transfer") as uow:
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        student: Student = uow.get(Student, student_id, "Ученик")
        target: SchoolClass = uow.get(SchoolClass, to_class_id, "Класс")
        e = _current_stay(uow, student)
        if e.class_id == to_class_id:
            raise ValidationError(f"{student.full_name} уже числится в {target.title}.")
        source: SchoolClass = uow.get(SchoolClass, e.class_id, "Класс")
        if source.year_id != target.year_id:
            raise ValidationError(
                f"{target.title} — класс другого учебного года: перевод в него — "
                "это перевод года, а не движение учащихся."
            )
        text = check_text(order, "Приказ о переводе", 100)
        if not text:
            raise ValidationError("Укажите номер и дату приказа о переводе.")
        _check_leaving_day(uow, student, e, day)
        before = snapshot(e, "class_id", "end", "order_out", "out_reason")
        _close(uow, e, day - timedelta(days=1), text, f"перевод в {target.title}")
        new = Enrolment(
            student_id=student_id, class_id=to_class_id, start=day, order_in=text, version=0
        )
        uow.touch(new)
        uow.session.flush()
        uow.audit(
            "student.transfer",
            "enrolment",
            new.id,
            before,
            {
                **snapshot(new, "order_in"),
                **state_of(uow.session, "enrolment", new),
                **ledger_of(uow.session, {"enrolment": [e]}),  # the stay it ends
            },
        )
        return _enrolment_view(new)


def _close(uow: UnitOfWork, e: Enrolment, end: date, order: str, reason: str) -> None:
    """End a stay in a class on ``end`` (the last day), and the subgroups of that class."""
    e.end, e.order_out, e.out_reason = end, order, reason
    uow.touch(e)
    members = uow.session.exec(
        select(SubgroupMember).where(
            SubgroupMember.student_id == e.student_id,
            SubgroupMember.end == None,  # noqa: E711
            SubgroupMember.start <= end,
            col(SubgroupMember.course_id).in_(
                select(Course.id).where(Course.class_id == e.class_id)
            ),
        )
    )
    for m in members:
        m.end = end
        uow.session.add(m)


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
                    f"{student.full_name} уже в подгруппе «{other.subgroup}» с {fmt_date(m.start)}."
                )
        m = SubgroupMember(course_id=course_id, student_id=student_id, start=start)
        uow.session.add(m)
        uow.session.flush()
        uow.audit(
            "subgroup.add_member",
            "subgroup_member",
            m.id,
            None,
            snapshot(m, "course_id", "student_id", "start"),
        )
        return SubgroupMemberView(m.id or 0, m.course_id, m.student_id, m.start, m.end)
