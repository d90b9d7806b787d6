"""Lesson services: topic, homework, attendance, substitutes."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from zhurnal.core.access import (
    absence_reason_refusal,
    authorize_lesson_write,
    enforce,
    student_absence_refusal,
)
from zhurnal.core.actor import Actor
from zhurnal.core.context import (
    LessonCtx,
    deadlines,
    lesson_ctx,
    marks_at_lesson,
    return_day,
    student_at_lesson,
)
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.models import Absence, PlanItem, User
from zhurnal.core.readmodels.lessons import lesson_view
from zhurnal.core.readmodels.views import AbsenceView, LessonView
from zhurnal.core.rules import (
    check_text,
    fmt_date,
    grade1_homework,
    is_late,
    normalize_absence,
)
from zhurnal.core.services.clashes import lesson_clash, placement
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work


def set_topic(
    db: Database,
    actor: Actor,
    lesson_id: int,
    topic: str,
    *,
    plan_item_id: int | None = None,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> LessonView:
    """Record the lesson's topic; late entries are accepted and flagged [004 §3.8]."""
    with unit_of_work(db, actor, "lesson.topic") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        grant = authorize_lesson_write(
            uow, ctx, "text", scope="lesson", correction_id=correction_id
        )
        text = check_text(topic, "Тема урока", 500)
        lesson = ctx.lesson
        uow.check_version(lesson, expected_version, "Тема урока")
        if plan_item_id is not None:
            item = uow.get(PlanItem, plan_item_id, "Тема КТП")
            if item.course_id != lesson.course_id:
                raise ValidationError("Тема КТП относится к другому предмету или классу.")
        before = snapshot(lesson, "topic", "plan_item_id")
        if text and not lesson.topic:
            lesson.topic_entered_at = uow.now
            lesson.topic_late = is_late(uow.now, deadlines(uow, ctx)[0])
        lesson.topic = text
        lesson.plan_item_id = plan_item_id if text else None
        uow.touch(lesson)
        uow.audit(
            "lesson.topic",
            "lesson",
            lesson.id,
            before,
            snapshot(lesson, "topic", "plan_item_id"),
            grant.correction_id,
        )
        uow.session.flush()
        return lesson_view(uow, ctx)


def set_homework(
    db: Database,
    actor: Actor,
    lesson_id: int,
    homework: str,
    *,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> LessonView:
    """Homework; in grade 1 it reads «нет» [004 §3.5]; due N hours after the lesson [002 §2.6]."""
    with unit_of_work(db, actor, "lesson.homework") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        grant = authorize_lesson_write(
            uow, ctx, "text", scope="lesson", correction_id=correction_id
        )
        text = grade1_homework(uow.policy, ctx.grade, check_text(homework, "Домашнее задание"))
        lesson = ctx.lesson
        uow.check_version(lesson, expected_version, "Домашнее задание")
        before = snapshot(lesson, "homework")
        if text and not lesson.homework:
            lesson.homework_entered_at = uow.now
            lesson.homework_late = is_late(uow.now, deadlines(uow, ctx)[1])
        lesson.homework = text
        uow.touch(lesson)
        uow.audit(
            "lesson.homework",
            "lesson",
            lesson.id,
            before,
            snapshot(lesson, "homework"),
            grant.correction_id,
        )
        uow.session.flush()
        return lesson_view(uow, ctx)


def _absence_view(a: Absence) -> AbsenceView:
    return AbsenceView(a.id or 0, a.lesson_id, a.student_id, a.code, a.late, a.version)


def _mark_attendance_taken(uow: UnitOfWork, ctx: LessonCtx) -> None:
    lesson = ctx.lesson
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = uow.now
        lesson.attendance_late = is_late(uow.now, deadlines(uow, ctx)[0])
        uow.touch(lesson)


def mark_all_present(
    db: Database,
    actor: Actor,
    lesson_id: int,
    *,
    expected_absences: dict[int, str] | None = None,
    correction_id: int | None = None,
) -> LessonView:
    """Everyone present: clears the lesson's absences and records attendance as taken.

    ``expected_absences`` ({student_id: code}) is what the caller saw; if another
    session changed the attendance since, nothing is cleared (``ConflictError``).
    """
    with unit_of_work(db, actor, "attendance.all_present") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        grant = authorize_lesson_write(
            uow, ctx, "attendance", scope="attendance", correction_id=correction_id
        )
        absences = list(uow.session.exec(select(Absence).where(Absence.lesson_id == lesson_id)))
        current = {a.student_id: a.code for a in absences}
        if expected_absences is not None and current != expected_absences:
            latest = max(absences, key=lambda a: a.updated_at or datetime.min, default=None)
            raise uow.conflict("Посещаемость", latest if latest is not None else ctx.lesson)
        before = {"absences": current, "absence_ids": sorted(a.id or 0 for a in absences)}
        for a in absences:
            uow.session.delete(a)
        _mark_attendance_taken(uow, ctx)
        uow.audit(
            "attendance.all_present",
            "lesson",
            lesson_id,
            before,
            {"absences": {}},
            grant.correction_id,
        )
        uow.session.flush()
        return lesson_view(uow, ctx)


def set_absence(
    db: Database,
    actor: Actor,
    lesson_id: int,
    student_id: int,
    code: str | None,
    *,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> AbsenceView | None:
    """Set (Н, Б, УП, ОП) or clear (None) a student's absence at a lesson.

    A student with a mark for an oral work type at this lesson («Ответ на уроке») is not
    marked absent from the whole lesson (Н, Б, УП): that is refused, naming the mark
    (``rules.absence_over_oral_refusal``), so the register never says both; the teacher
    clears the mark first, or marks «ОП» (late), which keeps it.
    """
    with unit_of_work(db, actor, "attendance.set") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        grant = authorize_lesson_write(
            uow,
            ctx,
            "attendance",
            scope="attendance",
            student_id=student_id,
            correction_id=correction_id,
        )
        value = normalize_absence(code) if code else None
        student = student_at_lesson(uow.session, ctx.course, ctx.lesson, student_id)
        enforce(
            student_absence_refusal(
                uow.policy,
                ctx.group,
                ctx.lesson.date,
                student,
                value,
                marks_at_lesson(uow.session, lesson_id, student_id),
            )
        )
        row = uow.session.exec(
            select(Absence).where(Absence.lesson_id == lesson_id, Absence.student_id == student_id)
        ).first()
        if row is not None:
            uow.check_version(row, expected_version, "Отметка посещаемости")
        elif expected_version not in (None, 0):
            raise DomainError("Отметку посещаемости уже удалили: обновите данные.")
        before = {"code": row.code} if row else None
        late = is_late(uow.now, deadlines(uow, ctx)[0])
        result: AbsenceView | None = None
        if value is None:
            if row is not None:
                uow.session.delete(row)
        else:
            if row is None:
                row = Absence(
                    lesson_id=lesson_id,
                    student_id=student_id,
                    code=value,
                    entered_at=uow.now,
                    late=late,
                    version=0,
                )
            row.code = value
            row.correction_id = grant.correction_id
            uow.touch(row)
        _mark_attendance_taken(uow, ctx)
        uow.session.flush()
        if value is not None and row is not None:
            result = _absence_view(row)
        uow.audit(
            "attendance.set",
            "absence",
            row.id if row else None,
            before,
            {"student_id": student_id, "lesson_id": lesson_id, "code": value},
            grant.correction_id,
        )
        return result


def correct_absence_reason(
    db: Database,
    actor: Actor,
    absence_id: int,
    code: str,
    *,
    document: str,
    document_date: date,
    expected_version: int | None = None,
) -> AbsenceView:
    """The class teacher sets an absence's reason by a document, within N working days
    of the earlier of the student's return and the document's date [004 §3.7]; only the
    reason changes, never presence."""
    with unit_of_work(db, actor, "attendance.reason") as uow:
        absence: Absence = uow.get(Absence, absence_id, "Пропуск")
        ctx = lesson_ctx(uow, absence.lesson_id)
        enforce(absence_reason_refusal(uow.policy, actor, ctx.klass, absence.code))
        value = normalize_absence(code)
        if value == "ОП":
            raise ValidationError(
                "Опоздание — не пропуск: ученик был на уроке, причину менять нельзя"
                + uow.policy.cite("class_teacher.absence_reason")
                + "."
            )
        if not document.strip():
            raise ValidationError("Укажите документ, подтверждающий причину пропуска.")
        if document_date > uow.now.date():
            raise ValidationError("Дата документа не может быть в будущем.")
        back = return_day(uow.session, ctx.klass.id or 0, absence.student_id, ctx.lesson.date)
        due_from = min(d for d in (back, document_date) if d is not None)
        enforce(
            absence_reason_refusal(
                uow.policy,
                actor,
                ctx.klass,
                absence.code,
                calendar=uow.calendar,
                day=ctx.lesson.date,
                due_from=due_from,
                today=uow.now.date(),
            )
        )
        uow.check_version(absence, expected_version, "Причина пропуска")
        before = {"code": absence.code, "reason_document": absence.reason_document}
        absence.code = value
        absence.reason_document = f"{document.strip()} от {fmt_date(document_date)}"
        uow.touch(absence)
        uow.audit(
            "attendance.reason",
            "absence",
            absence.id,
            before,
            {"code": value, "reason_document": absence.reason_document},
        )
        return _absence_view(absence)


def assign_substitute(
    db: Database, actor: Actor, lesson_id: int, teacher_id: int | None
) -> LessonView:
    """The deputy assigns who holds a lesson (замена); None returns it to the course teacher.

    The substitute fills the lesson [004 §5 «Учитель»] and sees it among their lessons
    (``readmodels.my_lessons``) and keeps it; the course teacher keeps the right to write
    it too (``access.may_write_lesson``).  Refused for the course's own teacher, for a
    cancelled lesson and when the substitute holds another class's lesson at that bell
    (the same class's other group excepted: the groups are merged)."""
    with unit_of_work(db, actor, "lesson.substitute") as uow:
        require(actor.has("deputy", "director"), "Замены назначает заместитель директора.")
        ctx = lesson_ctx(uow, lesson_id)
        if teacher_id is not None and teacher_id == ctx.course.teacher_id:
            raise ValidationError(
                "Это учитель самого предмета: замена не нужна. Чтобы вернуть урок ему, "
                "отмените замену."
            )
        target = ctx.course.teacher_id if teacher_id is None else teacher_id
        user: User = uow.get(User, target, "Учитель")
        if "teacher" not in user.role_set() or not user.active:
            raise ValidationError(f"{user.full_name} не может вести урок: нет роли «Учитель».")
        if ctx.lesson.cancelled:
            raise ValidationError(f"Урок {fmt_date(ctx.lesson.date)} отменён: замена не нужна.")
        # Only the teacher may clash (the class and the room are the lesson's own); the
        # teacher of another group of the class at that bell may merge the groups.
        mine = placement(uow.session, ctx.course, "", target)
        busy = lesson_clash(
            uow.session, mine, ctx.lesson.date, ctx.lesson.number, {lesson_id}, teacher_only=True
        )
        if busy:
            raise ValidationError(busy)
        before = snapshot(ctx.lesson, "held_by_id")
        ctx.lesson.held_by_id = target
        uow.touch(ctx.lesson)
        uow.audit("lesson.substitute", "lesson", lesson_id, before, {"held_by_id": target})
        uow.session.flush()
        return lesson_view(uow, ctx)
