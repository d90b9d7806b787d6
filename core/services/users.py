"""User accounts: registration, roles, temporary passwords, (de)activation.

Only the administrator registers users and gives them rights [004 §5]; access
starts with the registration and a personal login and password [004 §4.2,
002 §4.1] and ends with the employment contract [004 §4.3] — here by
deactivation, so the user's history in the register and the audit stays.
A new or reset password is temporary: it is shown once to the administrator
and must be changed at the first login.  A login is issued once: a disabled
user's login is never given to someone else.  The school always keeps an
active administrator: the last one can be neither disabled nor lose the role.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from zhurnal.core.actor import ROLES, STAFF_ROLES, Actor
from zhurnal.core.auth import check_login, hash_password, login_key
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import state_of
from zhurnal.core.live import reading
from zhurnal.core.models import User
from zhurnal.core.readmodels import UserView
from zhurnal.core.rules import check_text
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work

ADMIN_ONLY = "Пользователей и их права ведёт только администратор [004 §5]."
# No 0/o, 1/l/i: the password is read from a screen or a slip of paper.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
AUDIT_FIELDS = ("login", "full_name", "roles", "active", "must_change_password")


def generate_temp_password() -> str:
    """A readable random temporary password, e.g. ``k7dm-x2qa-9fhe`` (~59 bits)."""
    return "-".join("".join(secrets.choice(TEMP_ALPHABET) for _ in range(4)) for _ in range(3))


def user_view(u: User) -> UserView:
    return UserView(
        id=u.id or 0,
        login=u.login,
        full_name=u.full_name,
        roles=tuple(r for r in ROLES if r in u.role_set()),
        active=u.active,
        must_change_password=u.must_change_password,
        locked_until=u.locked_until,
        version=u.version,
        failed_attempts=u.failed_attempts,
    )


def _check_roles(roles: list[str]) -> str:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError(f"Неизвестная роль «{unknown[0]}». Допустимые: {', '.join(ROLES)}.")
    chosen = [r for r in ROLES if r in roles]
    if not chosen:
        raise ValidationError("Назначьте пользователю хотя бы одну роль.")
    if any(r in STAFF_ROLES for r in chosen) and any(r not in STAFF_ROLES for r in chosen):
        raise ValidationError(
            "Роли ученика или родителя не совмещаются с ролями сотрудников: "
            "у них доступ только для просмотра [000 §7.1]."
        )
    return ",".join(chosen)


def temp_password_for(login: str) -> tuple[str, str]:
    """(temporary password, its hash): computed before the write transaction so the
    argon2 work does not hold the write lock."""
    password = generate_temp_password()
    while login and login in password:
        password = generate_temp_password()
    return password, hash_password(password)


def _check_new_login(session: Session, login: str) -> None:
    """A login is personal [002 §4.1] and issued once: never to someone else, even after
    the first holder's access ended [004 §4.3] — their history stays under it."""
    holder = session.exec(select(User).where(User.login == login)).first()
    if holder is None:
        return
    if holder.active:
        raise ValidationError(f"Логин «{login}» уже занят: {holder.full_name}. Выберите другой.")
    raise ValidationError(
        f"Логин «{login}» уже выдан: {holder.full_name} (учётная запись отключена). "
        "Логин не выдаётся повторно другому человеку [004 §4.3] — выберите другой; "
        "если это тот же человек, включите его учётную запись."
    )


def _is_last_admin(session: Session, user: User) -> bool:
    """``user`` is an active administrator and no other active one is left."""
    if not user.active or "admin" not in user.role_set():
        return False
    others = session.exec(select(User).where(User.active == True, User.id != user.id))  # noqa: E712
    return not any("admin" in u.role_set() for u in others)


LAST_ADMIN = (
    "{what}: {name} — последний действующий администратор. Сначала назначьте "
    "администратором другого пользователя, иначе управлять журналом будет некому."
)


def _user(uow: UnitOfWork, user_id: int, expected_version: int | None) -> User:
    user: User = uow.get(User, user_id, "Пользователь")
    uow.check_version(user, expected_version, f"Пользователь {user.login}")
    return user


def create_user(
    db: Database, actor: Actor, login: str, full_name: str, roles: list[str]
) -> tuple[UserView, str]:
    """Register a user; returns the view and the temporary password (shown once)."""
    password, password_hash = temp_password_for(login_key(login))
    with unit_of_work(db, actor, "user.create") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        login = check_login(login)
        name = check_text(full_name, "ФИО", 200)
        if not name:
            raise ValidationError("Укажите фамилию, имя и отчество пользователя.")
        role_text = _check_roles(roles)
        _check_new_login(uow.session, login)
        user = User(
            login=login,
            full_name=name,
            password_hash=password_hash,
            roles=role_text,
            must_change_password=True,
            version=0,
        )
        uow.touch(user)
        uow.session.flush()
        uow.audit(
            "user.create",
            "user",
            user.id,
            None,
            {**snapshot(user, *AUDIT_FIELDS), **state_of(uow.session, "user", user)},
        )
        return user_view(user), password


def reset_password(
    db: Database, actor: Actor, user_id: int, expected_version: int | None = None
) -> str:
    """A new temporary password (must be changed at login); also lifts a lockout."""
    password, password_hash = temp_password_for("")
    with unit_of_work(db, actor, "user.password_reset") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        user = _user(uow, user_id, expected_version)
        if user.login in password:  # rare (a short login inside the random text): draw again
            password, password_hash = temp_password_for(user.login)
        before = snapshot(user, "must_change_password", "failed_attempts", "locked_until")
        user.password_hash = password_hash
        user.must_change_password = True
        user.failed_attempts = 0
        user.locked_until = None
        uow.touch(user)
        uow.audit(
            "user.password_reset",
            "user",
            user.id,
            before,
            {
                **snapshot(user, "must_change_password", "failed_attempts", "locked_until"),
                **state_of(uow.session, "user", user),
            },
        )
        return password


def set_active(
    db: Database,
    actor: Actor,
    user_id: int,
    active: bool,
    expected_version: int | None = None,
) -> UserView:
    """Open or end a user's access; access ends with the contract [004 §4.3]."""
    with unit_of_work(db, actor, "user.set_active") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        user = _user(uow, user_id, expected_version)
        if not active and user.id == actor.user_id:
            raise ValidationError("Нельзя отключить собственную учётную запись.")
        if not active and _is_last_admin(uow.session, user):
            raise ValidationError(
                LAST_ADMIN.format(what="Нельзя отключить учётную запись", name=user.full_name)
            )
        if user.active != active:
            before = snapshot(user, "active")
            user.active = active
            uow.touch(user)
            uow.audit(
                "user.activate" if active else "user.deactivate",
                "user",
                user.id,
                before,
                state_of(uow.session, "user", user),
            )
        return user_view(user)


def set_roles(
    db: Database,
    actor: Actor,
    user_id: int,
    roles: list[str],
    expected_version: int | None = None,
) -> UserView:
    with unit_of_work(db, actor, "user.set_roles") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        user = _user(uow, user_id, expected_version)
        role_text = _check_roles(roles)
        if user.id == actor.user_id and "admin" not in role_text.split(","):
            raise ValidationError("Нельзя снять роль администратора с самого себя.")
        if "admin" not in role_text.split(",") and _is_last_admin(uow.session, user):
            raise ValidationError(
                LAST_ADMIN.format(what="Нельзя снять роль администратора", name=user.full_name)
            )
        if role_text != user.roles:
            before = snapshot(user, "roles")
            user.roles = role_text
            uow.touch(user)
            uow.audit(
                "user.set_roles", "user", user.id, before, state_of(uow.session, "user", user)
            )
        return user_view(user)


def unlock(
    db: Database, actor: Actor, user_id: int, expected_version: int | None = None
) -> UserView:
    """Reopen the password login after failed logins: ends a pause and lifts the lock
    that only an administrator lifts (``core.throttle``); the count starts again."""
    with unit_of_work(db, actor, "user.unlock") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        user = _user(uow, user_id, expected_version)
        before = snapshot(user, "failed_attempts", "locked_until")
        user.failed_attempts = 0
        user.locked_until = None
        uow.touch(user)
        uow.audit(
            "user.unlock",
            "user",
            user.id,
            before,
            snapshot(user, "failed_attempts", "locked_until"),
        )
        return user_view(user)


def list_users(db: Database, actor: Actor) -> list[UserView]:
    if not actor.has("admin"):
        with unit_of_work(db, actor, "user.list"):  # records the refusal
            require(False, ADMIN_ONLY)
    with reading(db, actor) as session:
        rows = session.exec(select(User).order_by(User.full_name, User.login))
        return [user_view(u) for u in rows]
