"""The register of issued logins [004 §5 «Администратор»: учёт выданных логинов].

One row per login the school ever issued — active or disabled, users are never
deleted [004 §4.3] — with who issued it and when, the last password reset, and
when and by whom access ended.  Built from the users table and the audit log;
read by the administrator who keeps it and the director who answers for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from zhurnal.core.actor import ROLE_NAMES, ROLES, Actor
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import AuditEvent, User
from zhurnal.core.uow import require

ISSUE_ACTIONS = (
    "user.create",
    "user.password_reset",
    "user.deactivate",
    "user.activate",
    "user.recover",
)
SYSTEM_ACTORS = {"init": "первый запуск (zhurnal init)", "fixture": "загрузка данных"}


def _system_actor(login: str) -> str:
    """Who acted without a register account: the OS account that owns the database
    (``os:NAME``: ``zhurnal init``, ``zhurnal recover``), ``init`` and ``cli:NAME`` of
    older versions."""
    if login.startswith("os:"):
        return f"владелец базы на сервере ({login[3:]})"
    if login.startswith("cli:"):
        return f"командная строка ({login[4:]})"
    return SYSTEM_ACTORS.get(login, login)


@dataclass(frozen=True)
class IssuedLogin:
    user_id: int
    login: str
    full_name: str
    roles: str  # «Учитель, заместитель директора»
    issued_at: datetime | None
    issued_by: str  # the administrator's full name, or the OS account for the CLI
    password_reset_at: datetime | None  # the last reset to a temporary password
    deactivated_at: datetime | None  # when access ended (None while active)
    deactivated_by: str
    active: bool


def roles_text(roles: frozenset[str]) -> str:
    names = [ROLE_NAMES[r] for r in ROLES if r in roles]
    return ", ".join(n if i == 0 else n[:1].lower() + n[1:] for i, n in enumerate(names))


def issued_logins(db: Database, actor: Actor) -> tuple[IssuedLogin, ...]:
    """Every issued login, in the order they were issued [004 §5 «Администратор»]."""
    require(
        actor.has("admin", "director"),
        "Реестр выданных логинов ведёт администратор; смотрят администратор и директор [004 §5].",
    )
    with reading(db, actor) as session:
        users = list(session.exec(select(User)))
        names = {u.id: u.full_name for u in users}
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "user", col(AuditEvent.action).in_(ISSUE_ACTIONS))
            .order_by(col(AuditEvent.id))
        ).all()
        # the latest event of each kind per user (events come oldest first)
        last: dict[tuple[int, str], tuple[datetime, str]] = {}
        for e in events:
            if e.entity_id is None:
                continue
            who = names.get(e.actor_id) if e.actor_id is not None else None
            action = e.action
            if action == "user.recover":  # by the database's owner: an issue or a reset
                action = "user.password_reset" if e.before else "user.create"
            last[(e.entity_id, action)] = (e.ts, who or _system_actor(e.actor_login))
    rows = []
    for u in users:
        uid = u.id or 0
        issued = last.get((uid, "user.create"))
        reset = last.get((uid, "user.password_reset"))
        ended = last.get((uid, "user.deactivate")) if not u.active else None
        rows.append(
            IssuedLogin(
                user_id=uid,
                login=u.login,
                full_name=u.full_name,
                roles=roles_text(u.role_set()),
                issued_at=issued[0] if issued else None,
                issued_by=issued[1] if issued else "",
                password_reset_at=reset[0] if reset else None,
                deactivated_at=ended[0] if ended else None,
                deactivated_by=ended[1] if ended else "",
                active=u.active,
            )
        )
    rows.sort(key=lambda r: (r.issued_at or datetime.min, r.user_id))
    return tuple(rows)
