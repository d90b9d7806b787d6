"""Credential compromise [002 §4.3–4.4].

The director (or the administrator) records since when a user's login is known to be
compromised.  The login is locked at once: its password stops working (a new one comes
from the administrator, ``users.reset_password``) and a session opened before the report
cannot write any more (``uow._check_active``).  Every operation made under the login
since then is invalid [002 §4.4]: ``revert_incident`` restores, in one transaction, the
value before each one that nobody else has changed since, with a compensating audited
change (``incident.revert``) that names the incident; the others are listed and left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.ledger import ledger_of, state_of
from zhurnal.core.models import (
    Absence,
    Assignment,
    Incident,
    Lesson,
    Mark,
    PeriodMark,
    User,
)
from zhurnal.core.readmodels.audit_text import as_int
from zhurnal.core.readmodels.incident_ops import (
    REVERT,
    Analysed,
    IncidentOperation,
    IncidentView,
    analyse,
    incident_operations,
    list_incidents,
    view_of,
)
from zhurnal.core.uow import UnitOfWork, require, unit_of_work

__all__ = [
    "UNUSABLE_PASSWORD",
    "IncidentOperation",
    "IncidentView",
    "RevertResult",
    "incident_operations",
    "list_incidents",
    "report_incident",
    "revert_incident",
]

UNUSABLE_PASSWORD = "!"


def report_incident(
    db: Database, actor: Actor, user_id: int, known_since: datetime, note: str = ""
) -> IncidentView:
    with unit_of_work(db, actor, "incident.report") as uow:
        require(
            actor.has("director", "admin"),
            "Нарушение конфиденциальности регистрирует директор или администратор [002 §4.3].",
        )
        user: User = uow.get(User, user_id, "Пользователь")
        if known_since > uow.now:
            raise ValidationError("Время, с которого известно о нарушении, ещё не наступило.")
        incident = Incident(
            user_id=user_id,
            known_since=known_since,
            reported_by_id=actor.user_id or 0,
            reported_at=uow.now,
            note=note.strip(),
        )
        uow.session.add(incident)
        user.password_hash = UNUSABLE_PASSWORD
        user.must_change_password = True
        uow.touch(user)
        uow.session.flush()
        uow.audit(
            "incident.report",
            "incident",
            incident.id,
            None,
            {
                "user_id": user_id,
                "known_since": known_since,
                "note": incident.note,
                **ledger_of(uow.session, {"user": [user]}),  # its password made unusable
            },
        )
        return view_of(uow.session, incident)


@dataclass(frozen=True)
class RevertResult:
    reverted: tuple[IncidentOperation, ...]  # newest first, as reverted
    left: tuple[IncidentOperation, ...]  # not reverted, with ``why_not``, oldest first


def revert_incident(
    db: Database, actor: Actor, incident_id: int, expected_operations: int | None = None
) -> RevertResult:
    """Revert the incident's revertible operations, newest first, in one transaction
    [002 §4.4]; a second revert of the same incident is refused.

    ``expected_operations`` is how many revertible operations the director was shown;
    if that changed meanwhile nothing is reverted.  Edit locks do not apply: the
    operations were never valid.
    """
    with unit_of_work(db, actor, REVERT) as uow:
        require(
            actor.has("director", "admin"),
            "Операции по нарушению конфиденциальности отменяет директор или администратор "
            "[002 §4.4].",
        )
        incident: Incident = uow.get(Incident, incident_id, "Инцидент")
        ops, done = analyse(uow.session, incident)
        if done is not None:
            raise DomainError(
                f"Операции по инциденту № {incident_id} уже отменены {done.ts:%d.%m.%Y %H:%M}."
            )
        todo = [a for a in ops if a.op.revertible]
        if expected_operations is not None and expected_operations != len(todo):
            raise DomainError(
                f"Список операций изменился: к отмене {len(todo)}, а не {expected_operations}. "
                "Обновите список и повторите."
            )
        reverted, left = [], [a.op for a in ops if not a.op.revertible]
        for a in reversed(todo):
            why_not = _revert(uow, incident_id, a)
            if why_not:
                left.append(_left(a.op, why_not))
            else:
                reverted.append(a.op)
        uow.audit(
            REVERT,
            "incident",
            incident_id,
            None,
            {"incident_id": incident_id, "reverted": len(reverted), "left": len(left)},
        )
        left.sort(key=lambda op: op.event_id)
        return RevertResult(tuple(reverted), tuple(left))


def _left(op: IncidentOperation, why_not: str) -> IncidentOperation:
    from dataclasses import replace

    return replace(op, revertible=False, why_not=why_not)


def _revert(uow: UnitOfWork, incident_id: int, a: Analysed) -> str:
    """Restore the value before one operation; "" when done, else why it was left."""
    tag = {"incident_id": incident_id, "revert_of": a.event.id}
    action, before, after = a.event.action, a.before, a.after
    if action in ("mark.set", "mark.clear"):
        return _revert_mark(uow, tag, before, after)
    if action in ("period_mark.set", "period_mark.clear"):
        return _revert_period_mark(uow, tag, before, after)
    if action in ("attendance.set", "attendance.reason"):
        row = uow.session.get(Absence, a.event.entity_id) if a.event.entity_id else None
        lesson_id = as_int(after.get("lesson_id")) or (row.lesson_id if row else None)
        student_id = as_int(after.get("student_id")) or (row.student_id if row else None)
        if lesson_id is None or student_id is None:
            return "пропуск не найден"
        code = before.get("code")
        _restore_absence(uow, tag, lesson_id, student_id, code, before.get("reason_document"))
        return ""
    if action == "attendance.all_present":
        for student, code in sorted((before.get("absences") or {}).items()):
            _restore_absence(uow, tag, a.event.entity_id or 0, int(student), code, None)
        return ""
    if action in ("lesson.topic", "lesson.homework"):
        lesson: Lesson = uow.get(Lesson, a.event.entity_id, "Урок")
        field = "topic" if action == "lesson.topic" else "homework"
        old = {field: getattr(lesson, field)}
        setattr(lesson, field, before.get(field) or "")
        if field == "topic":
            lesson.plan_item_id = as_int(before.get("plan_item_id")) if lesson.topic else None
        if not getattr(lesson, field):
            setattr(lesson, f"{field}_entered_at", None)
            setattr(lesson, f"{field}_late", False)
        uow.touch(lesson)
        new: dict[str, Any] = {field: getattr(lesson, field)}
        if field == "topic":
            new["plan_item_id"] = lesson.plan_item_id
        uow.audit(REVERT, "lesson", lesson.id, old, {**new, **tag})
        return ""
    if action == "assignment.add":
        assignment = uow.session.get(Assignment, a.event.entity_id)
        if assignment is None:
            return "вид работы уже удалён"
        if uow.session.exec(select(Mark.id).where(Mark.assignment_id == assignment.id)).first():
            return "по этому виду работы стоят отметки"
        uow.session.delete(assignment)
        uow.audit(
            REVERT,
            "assignment",
            assignment.id,
            {"lesson_id": assignment.lesson_id, "work_type": after.get("work_type")},
            {"lesson_id": assignment.lesson_id, **tag},
        )
        return ""
    return "отменяется вручную"


def _revert_mark(
    uow: UnitOfWork, tag: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> str:
    assignment_id, student_id = as_int(after.get("assignment_id")), as_int(after.get("student_id"))
    assignment = uow.session.get(Assignment, assignment_id) if assignment_id else None
    if assignment is None or student_id is None:
        return "вид работы уже удалён"
    value = before.get("value")
    row = uow.session.exec(
        select(Mark).where(Mark.assignment_id == assignment_id, Mark.student_id == student_id)
    ).first()
    old = {"value": row.value if row else None}
    if value is None:
        if row is None:
            return ""
        uow.session.delete(row)
    else:
        if row is None:
            row = Mark(
                assignment_id=assignment_id or 0,
                student_id=student_id,
                value=str(value),
                entered_at=uow.now,
                entered_by_id=uow.actor.user_id or 0,
                version=0,
            )
        row.value = str(value)
        row.correction_id = None
        uow.touch(row)
        uow.session.flush()
    new = {
        "assignment_id": assignment_id,
        "student_id": student_id,
        "value": value,
        "lesson_id": assignment.lesson_id,
    }
    state = state_of(uow.session, "mark", row) if value is not None else {}
    uow.audit(REVERT, "mark", row.id, old, {**new, **tag, **state})
    return ""


def _revert_period_mark(
    uow: UnitOfWork, tag: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> str:
    keys = {k: as_int(after.get(k)) for k in ("course_id", "student_id", "period_id")}
    if None in keys.values():
        return "итоговая отметка не найдена"
    row = uow.session.exec(
        select(PeriodMark).where(
            PeriodMark.course_id == keys["course_id"],
            PeriodMark.student_id == keys["student_id"],
            PeriodMark.period_id == keys["period_id"],
        )
    ).first()
    value = before.get("value")
    old = {"value": row.value if row else None}
    if value is None:
        if row is None:
            return ""
        uow.session.delete(row)
    else:
        if row is None:
            row = PeriodMark(
                course_id=keys["course_id"] or 0,
                student_id=keys["student_id"] or 0,
                period_id=keys["period_id"] or 0,
                value=str(value),
                entered_at=uow.now,
                entered_by_id=uow.actor.user_id or 0,
                version=0,
            )
        row.value = str(value)
        row.correction_id = None
        uow.touch(row)
        uow.session.flush()
    state = state_of(uow.session, "period_mark", row) if value is not None else {}
    uow.audit(REVERT, "period_mark", row.id, old, {**keys, "value": value, **tag, **state})
    return ""


def _restore_absence(
    uow: UnitOfWork,
    tag: dict[str, Any],
    lesson_id: int,
    student_id: int,
    code: str | None,
    reason_document: str | None,
) -> None:
    row = uow.session.exec(
        select(Absence).where(Absence.lesson_id == lesson_id, Absence.student_id == student_id)
    ).first()
    old = {"code": row.code if row else None}
    if code is None:
        if row is None:
            return
        uow.session.delete(row)
    else:
        if row is None:
            row = Absence(
                lesson_id=lesson_id,
                student_id=student_id,
                code=code,
                entered_at=uow.now,
                version=0,
            )
        row.code = code
        if reason_document is not None:
            row.reason_document = reason_document
        row.correction_id = None
        uow.touch(row)
        uow.session.flush()
    new = {"lesson_id": lesson_id, "student_id": student_id, "code": code}
    uow.audit(REVERT, "absence", row.id, old, {**new, **tag})
