"""Credential compromise [002 §4.3–4.4].

The director (or the administrator) records since when a user's login is
known to be compromised; the password stops working at once, and every
operation made under that login since then is listed as invalid so it can be
reviewed (and, in a later version, reverted with compensating events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import AuditEvent, Incident, User
from zhurnal.core.uow import require, unit_of_work

UNUSABLE_PASSWORD = "!"


@dataclass(frozen=True)
class IncidentView:
    id: int
    user_id: int
    login: str
    known_since: datetime
    operations: tuple[
        tuple[int, datetime, str, str, int | None], ...
    ]  # id, ts, action, entity, entity_id


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
            {"user_id": user_id, "known_since": known_since, "note": incident.note},
        )
        return _view(uow.session, incident, user)


def _view(session: Session, incident: Incident, user: User) -> IncidentView:
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.actor_id == user.id,
            AuditEvent.ts >= incident.known_since,
            col(AuditEvent.action).not_in(("login.failed", "denied")),
        )
        .order_by(col(AuditEvent.id))
    )
    ops = tuple((e.id or 0, e.ts, e.action, e.entity, e.entity_id) for e in events)
    return IncidentView(incident.id or 0, user.id or 0, user.login, incident.known_since, ops)


def incident_operations(db: Database, actor: Actor, incident_id: int) -> IncidentView:
    """Operations of the compromised login since ``known_since``: invalid [002 §4.4]."""
    require(actor.has("director", "deputy", "admin"), "Нет прав на просмотр инцидентов.")
    with db.read() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise ValidationError(f"Инцидент № {incident_id} не найден.")
        user = session.get(User, incident.user_id)
        assert user is not None  # a foreign key, and users are never deleted
        return _view(session, incident, user)
