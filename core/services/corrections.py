"""Corrections after the edit lock [004 §7].

The initiator (teacher of the course, class teacher, deputy) asks the director
in writing, with a ground and a registered document [004 §7.2–7.3]; the
director approves with an end date or rejects; the deputy enters the change
[004 §7.4], and every change made under it points to it — these form the
change table printed with the summary sheet [004 §7.5].
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from zhurnal.core.access import is_class_teacher
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.models import Correction, Course, Lesson, Period, SchoolClass, Student
from zhurnal.core.readmodels import CorrectionView
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.uow import require, snapshot, unit_of_work

GROUNDS = {
    "illness": "пропуск уроков обучающимся по болезни или иной уважительной причине",
    "retake": "пересдача по уважительной причине",
    "rework": "отработка оценочных процедур",
    "teacher_absence": "пропуск уроков педагогом по болезни или иной уважительной причине",
    "other": "другая уважительная причина",
}
SCOPES = {
    "marks": "текущие отметки",
    "attendance": "посещаемость",
    "lesson": "тема и домашнее задание урока",
    "period_marks": "итоговые отметки",
}


def correction_view(c: Correction) -> CorrectionView:
    return CorrectionView(
        c.id or 0,
        c.course_id,
        c.lesson_id,
        c.period_id,
        c.student_id,
        c.scope,
        c.ground,
        c.reason,
        c.document_number,
        c.document_date,
        c.status,
        c.requested_by_id,
        c.decided_by_id,
        c.valid_until,
        c.version,
    )


def request_correction(
    db: Database,
    actor: Actor,
    *,
    course_id: int,
    scope: str,
    ground: str,
    document_number: str,
    document_date: date,
    reason: str = "",
    lesson_id: int | None = None,
    period_id: int | None = None,
    student_id: int | None = None,
) -> CorrectionView:
    with unit_of_work(db, actor, "correction.request") as uow:
        course: Course = uow.get(Course, course_id, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        require(
            actor.has("deputy")
            or (
                actor.has("teacher")
                and (course.teacher_id == actor.user_id or is_class_teacher(actor, klass))
            ),
            "Заявку на исправление подаёт учитель предмета, классный руководитель или "
            "заместитель директора [004 §7.2].",
        )
        if scope not in SCOPES:
            raise ValidationError(f"Неизвестно, что открыть: «{scope}».")
        if ground not in GROUNDS:
            raise ValidationError(f"Неизвестное основание: «{ground}».")
        number = check_text(document_number, "Номер документа", 100)
        if not number:
            raise ValidationError(
                "Укажите номер зарегистрированного документа-основания [004 §7.3]."
            )
        if document_date > uow.now.date():
            raise ValidationError("Дата документа не может быть в будущем.")
        if scope == "period_marks":
            if period_id is None:
                raise ValidationError("Для итоговых отметок укажите учебный период.")
            uow.get(Period, period_id, "Учебный период")
        else:
            if lesson_id is None:
                raise ValidationError("Укажите урок, записи которого нужно исправить.")
            lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
            if lesson.course_id != course_id:
                raise ValidationError("Урок относится к другому предмету или классу.")
        if student_id is not None:
            uow.get(Student, student_id, "Ученик")
        c = Correction(
            requested_by_id=actor.user_id or 0,
            requested_at=uow.now,
            ground=ground,
            reason=check_text(reason, "Обоснование", 1000),
            document_number=number,
            document_date=document_date,
            course_id=course_id,
            lesson_id=lesson_id,
            period_id=period_id,
            student_id=student_id,
            scope=scope,
            version=0,
        )
        uow.touch(c)
        uow.session.flush()
        uow.audit(
            "correction.request",
            "correction",
            c.id,
            None,
            snapshot(
                c,
                "course_id",
                "lesson_id",
                "period_id",
                "student_id",
                "scope",
                "ground",
                "document_number",
                "document_date",
            ),
        )
        return correction_view(c)


def decide_correction(
    db: Database,
    actor: Actor,
    correction_id: int,
    *,
    approve: bool,
    valid_until: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> CorrectionView:
    """The director approves (until a date) or rejects a request [004 §7.2]."""
    with unit_of_work(db, actor, "correction.decide") as uow:
        require(actor.has("director"), "Разрешение на исправление даёт директор [004 §7.2].")
        c: Correction = uow.get(Correction, correction_id, "Заявка на исправление")
        uow.check_version(c, expected_version, "Заявка на исправление")
        if c.status != "requested":
            raise DomainError(f"По заявке № {c.id} решение уже принято.")
        if approve:
            if valid_until is None or valid_until < uow.now.date():
                raise ValidationError(
                    "Укажите срок действия разрешения: не раньше сегодняшнего дня."
                )
        before = snapshot(c, "status")
        c.status = "approved" if approve else "rejected"
        c.decided_by_id = actor.user_id
        c.decided_at = uow.now
        c.decision_note = check_text(note, "Решение", 1000)
        c.valid_until = valid_until if approve else None
        uow.touch(c)
        uow.audit(
            "correction.decide",
            "correction",
            c.id,
            before,
            {"status": c.status, "valid_until": c.valid_until, "note": c.decision_note},
        )
        return correction_view(c)


def list_corrections(db: Database, actor: Actor, status: str | None = None) -> list[CorrectionView]:
    with db.read() as session:
        query = select(Correction).order_by(col(Correction.id))
        if status:
            query = query.where(Correction.status == status)
        rows = list(session.exec(query))
        if not actor.has("director", "deputy"):
            rows = [r for r in rows if r.requested_by_id == actor.user_id]
        return [correction_view(r) for r in rows]


def describe(c: CorrectionView) -> str:
    until = f", до {fmt_date(c.valid_until)}" if c.valid_until else ""
    return (
        f"№ {c.id}: {SCOPES.get(c.scope, c.scope)} — {GROUNDS.get(c.ground, c.ground)}, "
        f"документ № {c.document_number} от {fmt_date(c.document_date)}{until}"
    )
