"""Signing in by an SSH key, and binding keys to register logins (README «Deployment»).

The school server has one service account that owns the database; each teacher's public
key sits in its ``authorized_keys`` with a forced command that names the register login
the key is bound to (``zhurnal ssh-session LOGIN --key SHA256:…``).  sshd has already
checked the key when that command runs, so the key is the proof of identity: no password
is asked.  :func:`authenticate_key` still decides, like a password login, whether the
account may come in now, and audits the decision:

- an unknown login or a disabled account (access withdrawn [004 §4.3]) is refused;
- failed password attempts do not stop a key: the pauses and the lock after them
  (``core.throttle``) guard the password against guessing, and a stranger typing wrong
  passwords for the login must not keep its owner out;
- an account whose access was closed by the director after a breach of confidentiality
  [002 §4.3] (its password made unusable) is refused too: a key never opens what the
  director closed; the administrator gives access back by a new temporary password;
- a temporary password does not stop a key login (the key, not the password, proves who
  comes in; the session is marked ``Actor.by_key``, so ``core.live`` lets it act); it stays
  temporary for the next password login.

The login is audited as ``login`` with ``method="ssh-key"`` and the key's fingerprint, a
refusal as ``login.failed``.  Binding and unbinding a key (``zhurnal ssh-key add|remove``)
are done by the OS account that owns the database and writes ``authorized_keys``; they are
audited as ``ssh_key.add`` / ``ssh_key.remove`` by ``os:NAME``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from zhurnal.core import audit
from zhurnal.core.auth import (
    LoginResult,
    _event,
    login_key,
    session_of,
)
from zhurnal.core.clock import school_now
from zhurnal.core.db import Database
from zhurnal.core.errors import AuthError, NotFound, ValidationError
from zhurnal.core.models import User
from zhurnal.core.uow import policy_of

KEY_METHOD = "ssh-key"
CLOSED_PASSWORD = "!"
"""The unusable password of an account closed after a breach [002 §4.3]
(``core.services.incidents.UNUSABLE_PASSWORD``)."""


def _unknown(login: str) -> str:
    return f"Ключ привязан к логину «{login}», которого нет в журнале. Обратитесь к администратору."


def authenticate_key(
    db: Database, login: str, key: str = "", now: datetime | None = None
) -> LoginResult:
    """A session for ``login`` proved by the SSH key ``key`` (its fingerprint), or
    ``AuthError`` with the reason; both audited."""
    name = login_key(login)
    result: LoginResult | None = None
    error: AuthError | None = None
    with db.write() as session:
        policy = policy_of(session)
        moment = now or school_now(policy.time_zone)  # the school's clock, as at login
        user = session.exec(select(User).where(User.login == name)).first()

        def event(action: str, **after: object) -> None:
            _event(session, moment, user, action, method=KEY_METHOD, key=key, **after)

        if user is None:
            event("login.failed", reason="unknown_login", login=name)
            error = AuthError(_unknown(name))
        elif not user.active:
            event("login.failed", reason="inactive")
            error = AuthError(
                "Учётная запись отключена (доступ к журналу прекращён). "
                "Обратитесь к администратору."
            )
        elif user.password_hash == CLOSED_PASSWORD:
            event("login.failed", reason="closed")
            error = AuthError(
                "Вход по этому логину закрыт директором (нарушение конфиденциальности). "
                "Доступ возвращает администратор."
            )
        else:
            event("login", must_change_password=user.must_change_password)
            result = session_of(user, policy, now, moment, must_change=False, by_key=True)
    if error is not None or result is None:
        raise error or AuthError(_unknown(name))
    return result


@dataclass(frozen=True)
class KeyOwner:
    """The register user a key is (to be) bound to."""

    login: str
    full_name: str
    active: bool


def key_owners(db: Database, logins: list[str]) -> dict[str, KeyOwner]:
    """The register users of ``logins`` that exist (``ssh-key list`` shows the others as
    unknown)."""
    wanted = {login_key(x) for x in logins}
    with db.read() as session:
        users = session.exec(select(User)).all()
        return {
            u.login: KeyOwner(u.login, u.full_name, u.active) for u in users if u.login in wanted
        }


def record_key_change(
    db: Database,
    by: str,
    action: str,
    login: str,
    fingerprint: str,
    write: Callable[[], None],
    now: datetime | None = None,
) -> KeyOwner:
    """Bind (``"add"``) or unbind (``"remove"``) a key, by the OS account ``by``
    (``os:NAME``): ``write`` changes the
    ``authorized_keys`` file inside the audit transaction, so a failed write records
    nothing.  Binding needs an existing, active register login."""
    if action not in ("add", "remove"):
        raise ValueError(f"unknown key change {action!r}")
    name = login_key(login)
    with db.write() as session:
        user = session.exec(select(User).where(User.login == name)).first()
        if action == "add" and user is None:
            raise NotFound(
                f"В журнале нет пользователя с логином «{name}»: сначала создайте его "
                "(«Пользователи» или zhurnal user add), затем привяжите ключ."
            )
        if action == "add" and user is not None and not user.active:
            raise ValidationError(
                f"Доступ пользователя «{name}» прекращён: ключ не привязан. Если он снова "
                "работает в школе, сначала верните ему доступ."
            )
        write()
        audit.append(
            session,
            ts=now or school_now(policy_of(session).time_zone),
            actor_id=None,
            actor_login=by,
            action=f"ssh_key.{action}",
            entity="user",
            entity_id=user.id if user else None,
            after={"login": name, "key": fingerprint},
        )
        return KeyOwner(name, user.full_name if user else "", user.active if user else False)
