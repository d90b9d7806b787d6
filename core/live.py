"""A session's rights as they are now, not as they were at login [issue 11 «Login abuse»].

Every service call (``uow.unit_of_work``) and every read model that answers for a user
(``reading``) asks the database first, in one query, whether the session may still act:

- the account is active (access ends with the contract [004 §4.3]);
- no compromise of the login was reported since this session began [002 §4.4];
- no role the session came in with was withdrawn since (who may see the register is
  decided by the roles [000 §7.1, 004 §5]: a withdrawn role stops reads as it stops writes;
  the user signs in again and works with the roles they have now);
- the password is not temporary: a temporary password is changed before anything else
  [002 §4.1]. Only the change of one's own password (``auth.change_password``) and the
  logout run before that, and neither goes through this check. A session proved by an SSH
  key (``Actor.by_key``) is not stopped: the key, not the password, proved who came in.

The refusal is a ``PermissionDenied`` with a Russian message that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, exists
from sqlalchemy import select as sa_select
from sqlmodel import Session

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import Incident, User

DISABLED = "Учётная запись отключена: обратитесь к администратору."
ROLES_CHANGED = "Права учётной записи изменились: выйдите и войдите заново."
COMPROMISED = (
    "Вход под этой учётной записью признан скомпрометированным [002 §4.4]: "
    "получите у администратора новый пароль."
)


def temporary_password(login: str) -> str:
    """What a user with a temporary password is told to do, wherever they try to act."""
    return (
        "Сначала смените временный пароль: в журнале (команда zhurnal) смена пароля "
        f"открывается сразу после входа, в командной строке — «zhurnal password --as {login}»."
    )


def _temporary_in_session(login: str) -> str:
    """The same, to a session that may have begun before an administrator's reset."""
    return (
        f"{temporary_password(login)} Если администратор выдал вам новый пароль во время "
        "работы, выйдите и войдите с ним."
    )


_USER = User.__table__  # type: ignore[attr-defined]
_INCIDENT = Incident.__table__  # type: ignore[attr-defined]
# Built once (every service call and read runs one): (active, roles, temporary password,
# a compromise reported since the session began).
_LIVE = sa_select(_USER.c.active, _USER.c.roles, _USER.c.must_change_password).where(
    _USER.c.id == bindparam("user_id")
)
_LIVE_SINCE = sa_select(
    _USER.c.active,
    _USER.c.roles,
    _USER.c.must_change_password,
    exists().where(
        _INCIDENT.c.user_id == _USER.c.id, _INCIDENT.c.reported_at >= bindparam("since")
    ),
).where(_USER.c.id == bindparam("user_id"))


def live_refusal(session: Session, actor: Actor) -> PermissionDenied | None:
    """Why ``actor``'s session may not act now, or None; one query whatever the answer."""
    if actor.user_id is None:
        return None  # the system itself (``actor.SYSTEM``)
    row: tuple[Any, ...] | None
    if actor.since is not None:
        row = (
            session.connection()
            .execute(_LIVE_SINCE, {"user_id": actor.user_id, "since": actor.since})
            .first()
        )
    else:
        found = session.connection().execute(_LIVE, {"user_id": actor.user_id}).first()
        row = (*found, False) if found is not None else None
    if row is None or not row[0]:
        return PermissionDenied(DISABLED)
    _, roles, must_change, compromised = row
    if compromised:
        return PermissionDenied(COMPROMISED)
    if actor.roles - frozenset(r for r in roles.split(",") if r):
        return PermissionDenied(ROLES_CHANGED)
    if must_change and not actor.by_key:
        return PermissionDenied(_temporary_in_session(actor.login))
    return None


def check_live(session: Session, actor: Actor) -> None:
    """Raise ``live_refusal``'s refusal, if any."""
    refusal = live_refusal(session, actor)
    if refusal is not None:
        raise refusal


@contextmanager
def reading(db: Database, actor: Actor) -> Iterator[Session]:
    """A read transaction for ``actor``, after ``check_live``: what every read model that
    answers for a user opens instead of ``db.read()``."""
    with db.read() as session:
        check_live(session, actor)
        yield session
