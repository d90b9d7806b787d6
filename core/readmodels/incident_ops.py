"""A compromised login's operations and whether each can be reverted [002 §4.3–4.4].

Every operation made under the login since ``known_since`` is invalid [002 §4.4].  An
operation on the register (a mark, an absence, a period mark, a topic, homework, a work
type added) can be reverted to the value before it — unless someone else changed the
same cell since: then it is left for people to sort out, naming who changed it and when.
Logins and the like change nothing in the register; other operations (settings, users)
are undone by hand.  ``core.services.incidents.revert_incident`` acts on this analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound
from zhurnal.core.live import reading
from zhurnal.core.models import Absence, AuditEvent, Incident, User
from zhurnal.core.readmodels.audit_text import (
    SESSIONS,
    Context,
    as_int,
    describe,
    loads,
    short_name,
)
from zhurnal.core.uow import require

REVERT = "incident.revert"
REVERTIBLE = (
    "mark.set",
    "mark.clear",
    "attendance.set",
    "attendance.reason",
    "attendance.all_present",
    "lesson.topic",
    "lesson.homework",
    "period_mark.set",
    "period_mark.clear",
    "assignment.add",
)
CHANGES = (*REVERTIBLE, "assignment.remove", REVERT)
NOT_OPERATIONS = ("login.failed", "denied")  # attempts refused: nothing was done
NO_REGISTER_CHANGE = "не изменяет журнал"

Cell = tuple[Any, ...]


@dataclass(frozen=True)
class IncidentOperation:
    event_id: int
    ts: datetime
    action: str
    kind: str  # as in the audit journal («Отметки», …)
    what: str  # «Отметка: Иванов Иван, 5А Математика, 12.11 Контрольная работа»
    class_title: str
    subject: str
    student: str
    old: str  # the value before the operation ("" if none)
    new: str  # the value it wrote
    revertible: bool
    why_not: str  # «изменено позже: Петрова А. А., 02.12 10:15», «не изменяет журнал», …


@dataclass(frozen=True)
class IncidentView:
    id: int
    user_id: int
    login: str
    user: str  # full name
    known_since: datetime
    reported_at: datetime
    reported_by: str
    note: str
    reverted_at: datetime | None  # when its operations were reverted (once only)
    operations: tuple[IncidentOperation, ...]  # oldest first

    @property
    def revertible(self) -> int:
        return sum(1 for op in self.operations if op.revertible)


@dataclass
class Analysed:
    """One operation with the cells it changed (for ``revert_incident``)."""

    event: AuditEvent
    op: IncidentOperation
    before: dict[str, Any]
    after: dict[str, Any]


def cells_of(e: AuditEvent, absences: dict[int, tuple[int, int]]) -> tuple[set[Cell], set[Cell]]:
    """(the cells an event changed, the cells whose later change makes it unrevertible)."""
    after, before = loads(e.after), loads(e.before)

    def get(key: str) -> int | None:
        return as_int(after.get(key, before.get(key)))

    entity, eid = e.entity, e.entity_id
    if entity == "mark":
        cell: Cell = ("mark", get("assignment_id"), get("student_id"))
        return {cell, ("assignment", get("assignment_id"))}, {cell}
    if entity == "period_mark":
        cell = ("period_mark", get("course_id"), get("student_id"), get("period_id"))
        return {cell}, {cell}
    if entity == "absence":
        lesson, student = get("lesson_id"), get("student_id")
        if (lesson is None or student is None) and eid in absences:
            lesson, student = absences[eid]
        return {("absence", lesson, student)}, {("absence", lesson, student)}
    if e.action == "attendance.all_present":
        cells = {("absence", eid, as_int(s)) for s in (before.get("absences") or {})}
        return cells, set(cells)
    if e.action == "lesson.topic" or (
        e.action == REVERT and entity == "lesson" and "topic" in after
    ):
        return {("topic", eid)}, {("topic", eid)}
    if e.action == "lesson.homework" or (
        e.action == REVERT and entity == "lesson" and "homework" in after
    ):
        return {("homework", eid)}, {("homework", eid)}
    if entity == "assignment":
        return {("assignment", eid)}, {("assignment", eid)}
    return set(), set()


def _absence_places(session: Session, events: list[AuditEvent]) -> dict[int, tuple[int, int]]:
    """Absence id -> (lesson, student), for events that name only the absence."""
    ids = {e.entity_id for e in events if e.entity == "absence" and e.entity_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(Absence).where(col(Absence.id).in_(sorted(ids))))
    out = {a.id or 0: (a.lesson_id, a.student_id) for a in rows}
    for e in session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "attendance.set", col(AuditEvent.entity_id).in_(sorted(ids))
        )
    ):
        after = loads(e.after)
        lesson, student = as_int(after.get("lesson_id")), as_int(after.get("student_id"))
        if e.entity_id is not None and lesson is not None and student is not None:
            out.setdefault(e.entity_id, (lesson, student))
    return out


def analyse(session: Session, incident: Incident) -> tuple[list[Analysed], AuditEvent | None]:
    """The incident's operations, oldest first, and its revert event if it was reverted."""
    events = list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.actor_id == incident.user_id,
                AuditEvent.ts >= incident.known_since,
                col(AuditEvent.action).not_in(NOT_OPERATIONS),
            )
            .order_by(col(AuditEvent.id))
        )
    )
    done = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == REVERT,
            AuditEvent.entity == "incident",
            AuditEvent.entity_id == incident.id,
        )
    ).first()
    later: list[AuditEvent] = []
    if events:
        later = [
            e
            for e in session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > events[0].id, col(AuditEvent.action).in_(CHANGES))
                .order_by(col(AuditEvent.id))
            )
            if e.actor_id != incident.user_id
            and not (e.action == REVERT and loads(e.after).get("incident_id") == incident.id)
        ]
    reverted = {
        loads(e.after).get("revert_of")
        for e in session.exec(select(AuditEvent).where(AuditEvent.action == REVERT))
        if loads(e.after).get("incident_id") == incident.id
    }
    absences = _absence_places(session, events + later)
    ctx = Context.load(session, events)
    changed_by: dict[Cell, AuditEvent] = {}  # cell -> the latest later change by others
    for x in later:
        for cell in cells_of(x, absences)[0]:
            changed_by[cell] = x
    users = {u.id: u for u in session.exec(select(User))}
    out = []
    for e in events:
        d = describe(e, ctx)
        revertible, why_not = True, ""
        if e.action in SESSIONS:
            revertible, why_not = False, NO_REGISTER_CHANGE
        elif e.id in reverted:
            revertible, why_not = False, f"отменено {done.ts:%d.%m %H:%M}" if done else "отменено"
        elif e.action == "assignment.remove":
            revertible, why_not = False, "удалённый вид работы восстанавливают вручную"
        elif e.action not in REVERTIBLE:
            revertible, why_not = False, "отменяется вручную"
        else:
            changed = [
                by
                for cell in cells_of(e, absences)[1]
                if (by := changed_by.get(cell)) is not None and (by.id or 0) > (e.id or 0)
            ]
            if changed:
                last = max(changed, key=lambda c: c.id or 0)
                user = users.get(last.actor_id)
                who = short_name(user.full_name) if user else last.actor_login
                revertible, why_not = False, f"изменено позже: {who}, {last.ts:%d.%m %H:%M}"
        op = IncidentOperation(
            e.id or 0,
            e.ts,
            e.action,
            d.kind,
            d.what,
            d.class_title,
            d.subject,
            d.student,
            d.old,
            d.new,
            revertible,
            why_not,
        )
        out.append(Analysed(e, op, loads(e.before), loads(e.after)))
    return out, done


def view_of(session: Session, incident: Incident) -> IncidentView:
    ops, done = analyse(session, incident)
    user = session.get(User, incident.user_id)
    reporter = session.get(User, incident.reported_by_id)
    return IncidentView(
        incident.id or 0,
        incident.user_id,
        user.login if user else "",
        user.full_name if user else "",
        incident.known_since,
        incident.reported_at,
        reporter.full_name if reporter else "",
        incident.note,
        done.ts if done else None,
        tuple(a.op for a in ops),
    )


def incident_operations(db: Database, actor: Actor, incident_id: int) -> IncidentView:
    """Operations of the compromised login since ``known_since``: invalid [002 §4.4]."""
    require(actor.has("director", "deputy", "admin"), "Нет прав на просмотр инцидентов.")
    with reading(db, actor) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"Инцидент № {incident_id} не найден.")
        return view_of(session, incident)


def list_incidents(db: Database, actor: Actor) -> tuple[IncidentView, ...]:
    """All recorded incidents, newest first, with their operations [002 §4.3]."""
    require(actor.has("director", "deputy", "admin"), "Нет прав на просмотр инцидентов.")
    with reading(db, actor) as session:
        incidents = session.exec(select(Incident).order_by(col(Incident.id).desc())).all()
        return tuple(view_of(session, i) for i in incidents)
