"""Opening a school's register and installing its policy (``zhurnal init``, the demo, the TUI)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from zhurnal.core import audit
from zhurnal.core.auth import check_login, login_key
from zhurnal.core.clock import school_now
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import ledger_of, state_of
from zhurnal.core.models import Setting, User, WorkType
from zhurnal.core.policy import Policy, parse_policy
from zhurnal.core.policy_check import require_consistent
from zhurnal.core.rules import check_text
from zhurnal.core.services.users import AUDIT_FIELDS, temp_password_for
from zhurnal.core.uow import POLICY_KEY, policy_of, snapshot

DEFAULT_ADMIN_LOGIN = "admin"
DEFAULT_ADMIN_NAME = "Администратор"
INIT_ACTOR = "init"


def open_register(
    db: str | os.PathLike[str] | None = None, *, create: bool = False, upgrade: bool = True
) -> Database:
    """The school's database as ``--db``, the environment or the config name it, its
    schema brought up to date: what a client (the TUI, a command) opens.

    Only ``create`` (``init``, ``demo``) makes a new one: otherwise a missing file or a
    database without the register's tables is refused, not silently made.  Why it cannot
    be opened is a ``DatabaseUnavailable`` in Russian (``core.dbcheck``)."""
    from sqlalchemy.exc import SQLAlchemyError

    from zhurnal.core.config import database_source
    from zhurnal.core.dbcheck import (
        DatabaseUnavailable,
        check_database,
        failure_reason,
        not_a_register,
        shown,
    )
    from zhurnal.core.migrate import current_revision, upgrade_to_head

    url = check_database(db, create=create)
    database = Database.open(url, upgrade=False)
    try:
        if not create and current_revision(database.engine) is None:
            raise not_a_register(url, database_source(db)[1])
        if upgrade:
            upgrade_to_head(database.engine)
    except SQLAlchemyError as exc:
        database.dispose()
        reason = failure_reason(exc, url) or (
            f"База «{shown(url)}» не открылась ({type(exc).__name__}): проверьте её адрес "
            "и права на неё."
        )
        raise DatabaseUnavailable(reason) from exc
    except BaseException:
        database.dispose()
        raise
    return database


def policy_ledger(session: Session) -> dict[str, object]:
    """The stored policy as an event states it (``core.ledger``): its text's digest."""
    session.flush()
    return ledger_of(session, {"setting": [session.get(Setting, POLICY_KEY)]})


def install_policy(session: Session, text: str) -> Policy:
    """Store the policy TOML and sync the work types it defines (in the caller's transaction)."""
    policy = parse_policy(text)
    row = session.get(Setting, POLICY_KEY)
    if row is None:
        session.add(Setting(key=POLICY_KEY, value=text))
    else:
        row.value = text
        session.add(row)
    existing = {w.code: w for w in session.exec(select(WorkType))}
    for spec in policy.work_types:
        wt = existing.get(spec.code) or WorkType(code=spec.code, name=spec.name)
        wt.name, wt.weight, wt.lock_class = spec.name, spec.weight, spec.lock
        session.add(wt)
    session.flush()
    return policy


def is_initialized(session: Session) -> bool:
    return session.get(Setting, POLICY_KEY) is not None


def check_first_admin(login: str, full_name: str) -> tuple[str, str]:
    """The first administrator's login and name in stored form, checked by the same rule
    as every login (``auth.check_login``): what ``init`` creates can log in."""
    key = check_login(login)
    name = check_text(full_name, "ФИО администратора", 200)
    if not name:
        raise ValidationError("Укажите ФИО администратора: --name «Фамилия Имя Отчество».")
    return key, name


@dataclass(frozen=True)
class InitResult:
    created: bool
    """False: the school existed; only its schema was brought up to date."""
    policy: str
    admin_login: str = ""
    temp_password: str = ""
    """The first administrator's temporary password ("" when none was created)."""
    admins: tuple[str, ...] = ()
    """The active administrators' logins (of an existing school)."""
    unusable: tuple[str, ...] = ()
    """Active logins no one can type at login (stored before the one login rule, e.g.
    «Admin» by an old ``init --admin Admin``): reported, not changed."""


def _existing(session: Session) -> InitResult:
    users = list(session.exec(select(User).where(User.active == True).order_by(User.login)))  # noqa: E712
    return InitResult(
        False,
        policy_of(session).name,
        admins=tuple(u.login for u in users if "admin" in u.role_set()),
        unusable=tuple(u.login for u in users if login_key(u.login) != u.login),
    )


def init_school(
    db: Database,
    policy_text: Callable[[], str],
    login: str = DEFAULT_ADMIN_LOGIN,
    full_name: str = DEFAULT_ADMIN_NAME,
    now: datetime | None = None,
    by: str = INIT_ACTOR,
) -> InitResult:
    """A new school: the policy and the first administrator with a temporary password
    (changed at the first login), audited as ``by``: ``zhurnal init`` names the OS account
    that ran it (``os:NAME``) — a new school has no register user to act as.  An existing
    school is left as it is — no second administrator, no password reset, the policy kept:
    opening ``db`` has already brought its schema up to date."""
    login, name = check_first_admin(login, full_name)
    with db.read() as session:
        if is_initialized(session):
            return _existing(session)
    text = policy_text()
    require_consistent(parse_policy(text))  # a bad policy creates no school
    password, password_hash = temp_password_for(login)  # argon2 outside the write lock
    with db.write() as session:
        if is_initialized(session):  # another init won the race
            return _existing(session)
        policy = install_policy(session, text)
        moment = now or school_now(policy.time_zone)
        admin = None
        if session.exec(select(User.id)).first() is None:
            admin = User(
                login=login,
                full_name=name,
                roles="admin",
                password_hash=password_hash,
                must_change_password=True,
                version=1,
                updated_at=moment,
            )
            session.add(admin)
            session.flush()
            audit.append(
                session,
                ts=moment,
                actor_id=None,
                actor_login=by,
                action="user.create",
                entity="user",
                entity_id=admin.id,
                after={**snapshot(admin, *AUDIT_FIELDS), **state_of(session, "user", admin)},
            )
        audit.append(
            session,
            ts=moment,
            actor_id=None,
            actor_login=by,
            action="school.init",
            after={"policy": policy.name, **policy_ledger(session)},
        )
    if admin is None:
        return InitResult(True, policy.name)
    return InitResult(True, policy.name, login, password)
