"""Recovery when no administrator can log in (``zhurnal recover``) [issue 9].

Every other change is made by a register user who proved who they are.  When no
administrator can log in any more — the only one forgot the password, locked the account,
left — the register would have no one to manage it; the one who may then step in is the
one who owns the data anyway: the OS account that owns the database file (on PostgreSQL,
the role that owns the register's tables).  The client checks that (it is about the OS or
the database server, not the register); here the recovery is written and audited.

``recover_admin`` makes LOGIN an administrator again: an existing active account gets the
administrator's role (its other roles stay), a new temporary password and its lockout
lifted; a login not issued yet is created as an administrator (a full name is needed).
The password is temporary: it is changed at the first login like any issued one.  The one
audit event, ``user.recover``, names the OS account (``os:NAME``) as the actor.  A disabled
account is not brought back this way — its access ended with the contract [004 §4.3] —
nor is a student's or a parent's given staff rights [000 §7.1].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import select

from zhurnal.core import audit
from zhurnal.core.actor import ROLES, STAFF_ROLES
from zhurnal.core.auth import check_login, login_key
from zhurnal.core.clock import school_now
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import state_of
from zhurnal.core.models import User
from zhurnal.core.rules import check_text
from zhurnal.core.services.users import AUDIT_FIELDS, _check_new_login, temp_password_for
from zhurnal.core.uow import policy_of, snapshot

RECOVER_ACTION = "user.recover"
FIELDS = (*AUDIT_FIELDS, "failed_attempts", "locked_until")


@dataclass(frozen=True)
class Recovered:
    login: str
    full_name: str
    created: bool
    """True: a new account; False: an existing one got the administrator's rights back."""
    temp_password: str
    """Shown once; changed at the first login."""
    other_admins: tuple[str, ...]
    """The other active administrators' logins (someone may still know their password)."""


def _admin_again(user: User) -> None:
    roles = user.role_set()
    if not user.active:
        raise ValidationError(
            f"Учётная запись {user.login} ({user.full_name}) отключена: доступ прекращён "
            "[004 §4.3]. Восстановите доступ под новым логином: zhurnal recover "
            "НОВЫЙ_ЛОГИН --name «Фамилия Имя Отчество»."
        )
    if roles and not roles & set(STAFF_ROLES):
        raise ValidationError(
            f"{user.login} — учётная запись ученика или родителя: она только для просмотра "
            "[000 §7.1] и администратором быть не может. Укажите логин сотрудника или новый."
        )
    user.roles = ",".join(r for r in ROLES if r in roles | {"admin"})


def recover_admin(
    db: Database,
    os_account: str,
    login: str,
    full_name: str = "",
    now: datetime | None = None,
) -> Recovered:
    """Make ``login`` an administrator with a temporary password, audited as ``os_account``
    (``os:NAME``, the database's owner: checked by the caller)."""
    if not os_account.startswith("os:"):
        raise ValueError(f"the OS account is named os:NAME, not {os_account!r}")
    key = login_key(login)
    password, password_hash = temp_password_for(key)  # argon2 outside the write lock
    with db.write() as session:
        # a school that was never set up: «выполните zhurnal init»; the school's clock
        moment = now or school_now(policy_of(session).time_zone)
        user = session.exec(select(User).where(User.login == key)).first() if key else None
        before = snapshot(user, *FIELDS) if user is not None else None
        if user is None:
            key = check_login(login)
            name = check_text(full_name, "ФИО", 200)
            if not name:
                raise ValidationError(
                    f"Логина «{key}» в журнале нет. Чтобы создать нового администратора, "
                    "укажите его ФИО: --name «Фамилия Имя Отчество»."
                )
            _check_new_login(session, key)
            user = User(login=key, full_name=name, roles="admin", password_hash="", version=0)
        else:
            _admin_again(user)
        user.password_hash = password_hash
        user.must_change_password = True
        user.failed_attempts = 0
        user.locked_until = None
        user.version = (user.version or 0) + 1
        user.updated_at = moment
        user.updated_by_id = None
        session.add(user)
        session.flush()
        audit.append(
            session,
            ts=moment,
            actor_id=None,
            actor_login=os_account,
            action=RECOVER_ACTION,
            entity="user",
            entity_id=user.id,
            before=before,
            after={**snapshot(user, *FIELDS), **state_of(session, "user", user)},
        )
        others = session.exec(
            select(User.login, User.roles).where(User.active == True, User.id != user.id)  # noqa: E712
        ).all()
        return Recovered(
            user.login,
            user.full_name,
            before is None,
            password,
            tuple(sorted(lg for lg, roles in others if "admin" in roles.split(","))),
        )


def role_owns_register(db: Database) -> tuple[bool, str]:
    """(whether the role this PostgreSQL URL connects as owns the register's tables, that
    role's name): the one who may recover an administrator on a database server."""
    with db.read() as session:
        row = (
            session.connection()
            .execute(
                text(
                    "SELECT t.tableowner, current_user FROM pg_catalog.pg_tables t "
                    "WHERE t.tablename = 'user' AND t.schemaname = ANY (current_schemas(false))"
                )
            )
            .first()
        )
    if row is None:
        return False, ""
    owner, role = str(row[0]), str(row[1])
    return owner == role, role
