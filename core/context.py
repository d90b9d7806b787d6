"""Loading what a lesson-level rule needs: course, class, bell times, roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session, or_, select

from zhurnal.core.errors import DomainError, NotFound
from zhurnal.core.models import Course, Enrolment, Lesson, SchoolClass, Student, Subject, SubgroupMember
from zhurnal.core.rules import entry_deadline, homework_deadline
from zhurnal.core.uow import UnitOfWork, bell_times

DEFAULT_BELL = (time(8, 0), time(8, 45))


@dataclass
class LessonCtx:
    lesson: Lesson
    course: Course
    klass: SchoolClass
    subject: Subject
    start: datetime
    end: datetime

    @property
    def grade(self) -> int:
        return self.klass.grade


def lesson_ctx(uow: UnitOfWork, lesson_id: int) -> LessonCtx:
    lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
    course: Course = uow.get(Course, lesson.course_id, "Предмет класса")
    klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
    subject: Subject = uow.get(Subject, course.subject_id, "Предмет")
    start_t, end_t = bell_times(uow.session).get(lesson.number, DEFAULT_BELL)
    return LessonCtx(
        lesson,
        course,
        klass,
        subject,
        datetime.combine(lesson.date, start_t),
        datetime.combine(lesson.date, end_t),
    )


def roster_ids(session: Session, course: Course, day: date) -> set[int]:
    """Students who belong to the course on that day (class enrolment, subgroup)."""
    enrolled = set(
        session.exec(
            select(Enrolment.student_id).where(
                Enrolment.class_id == course.class_id,
                Enrolment.start <= day,
                or_(Enrolment.end == None, Enrolment.end >= day),  # noqa: E711
            )
        )
    )
    if not course.subgroup:
        return enrolled
    members = set(
        session.exec(
            select(SubgroupMember.student_id).where(
                SubgroupMember.course_id == course.id,
                SubgroupMember.start <= day,
                or_(SubgroupMember.end == None, SubgroupMember.end >= day),  # noqa: E711
            )
        )
    )
    return enrolled & members


def roster(session: Session, course: Course, day: date) -> list[Student]:
    ids = roster_ids(session, course, day)
    if not ids:
        return []
    rows = session.exec(select(Student).where(Student.id.in_(ids)))  # type: ignore[union-attr]
    return sorted(rows, key=lambda s: (s.last_name, s.first_name, s.middle_name, s.id))


def require_in_roster(uow: UnitOfWork, ctx: LessonCtx, student_id: int) -> Student:
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(f"Ученик № {student_id} не найден.")
    if student_id not in roster_ids(uow.session, ctx.course, ctx.lesson.date):
        raise DomainError(
            f"{student.full_name} не числится в {ctx.klass.title}"
            + (f" ({ctx.course.subgroup})" if ctx.course.subgroup else "")
            + f" на {ctx.lesson.date.strftime('%d.%m.%Y')}."
        )
    return student


def deadlines(uow: UnitOfWork, ctx: LessonCtx) -> tuple[datetime, datetime]:
    """(entry deadline, homework deadline) of the lesson."""
    return (
        entry_deadline(uow.policy, uow.calendar, ctx.lesson.date),
        homework_deadline(uow.policy, uow.calendar, ctx.lesson.date, ctx.end.time()),
    )
