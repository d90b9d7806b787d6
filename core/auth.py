"""Passwords, login, lockout and logout (DESIGN.md "Security").

Hashes are argon2id with the argon2-cffi defaults; a hash made with weaker
parameters is upgraded at the next successful login.  Password rules follow
NIST SP 800-63B: a minimum length from the policy, at most 128 characters, no
composition rules, and a refusal of the login, of common passwords and of a
single repeated character.  Every personal login is the user's own
responsibility [002 §4.1–4.2]; failed logins are counted per login and answered by
growing pauses, then a lock only an administrator lifts (``core.throttle``).

A refused login says one thing (``LOGIN_REFUSED``) and costs one argon2 verification
whatever the reason — an unknown login, a wrong password, a paused, locked or disabled
account — so that neither the answer nor its time tells which logins exist or are locked
[issue 11]; the audit event records the true reason for the administrator.

Logins, failures, lockouts, password changes and logouts are audit events
[000 §6.1].  Passwords and hashes never reach the audit log, and the text typed
as a login is not logged when no such user exists (people type their password
into the login field).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from zhurnal.core import audit, throttle
from zhurnal.core.actor import Actor
from zhurnal.core.clock import school_now
from zhurnal.core.db import Database
from zhurnal.core.errors import AuthError, ValidationError
from zhurnal.core.ledger import state_of
from zhurnal.core.models import User
from zhurnal.core.policy import Policy
from zhurnal.core.uow import policy_of

MAX_PASSWORD_LENGTH = 128
LOGIN_RULE = "от 3 до 32 знаков — латинские строчные буквы, цифры, точка, дефис и подчёркивание"
_LOGIN_RE = re.compile(r"[a-z0-9._-]{3,32}")
LOGIN_REFUSED = (
    "Неверный логин или пароль, либо вход по этому логину временно ограничен после "
    "неудачных попыток. Проверьте раскладку клавиатуры и Caps Lock и повторите через "
    "несколько минут; если войти не удаётся — обратитесь к администратору."
)

_ph = PasswordHasher()

# NIST SP 800-63B 5.1.1.2: refuse values known to be commonly used.  Compared in
# lower case, and the Cyrillic ones also after undoing a wrong keyboard layout.
COMMON_PASSWORDS = frozenset(
    {
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "12341234",
        "11223344",
        "123123123",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "q1w2e3r4",
        "1qaz2wsx",
        "zaq12wsx",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwerty123",
        "qwertyui",
        "qwertyuiop",
        "qwerty12",
        "asdfghjk",
        "zxcvbnm1",
        "iloveyou",
        "abcd1234",
        "abc12345",
        "admin123",
        "welcome1",
        "sunshine",
        "football",
        "йцукенгш",
        "йцукенгшщз",
        "пароль123",
        "парольпароль",
        "школа123",
        "учитель1",
        "учитель123",
        "qwerty1234",
        "1234qwer",
        "letmein1",
    }
)

_RU = "йцукенгшщзхъфывапролджэячсмитьбю"
_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,."
_LAYOUT = str.maketrans(_RU, _EN)


def _normalize(password: str) -> str:
    """NFKC, as NIST SP 800-63B 5.1.1.2 asks for Unicode passwords."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _ph.hash(_normalize(password))


def _verify(password_hash: str, password: str) -> bool:
    if not password_hash.startswith("$argon2"):  # a closed account's «!»: the same work
        _verify(_dummy_hash(), password)
        return False
    try:
        return _ph.verify(password_hash, _normalize(password))
    except (VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash with the current parameters, verified for unknown logins."""
    global _dummy
    if _dummy is None or _dummy[0] is not _ph:
        _dummy = (_ph, _ph.hash("zhurnal-dummy-password-for-unknown-logins"))
    return _dummy[1]


def login_key(text: str) -> str:
    """The one form of a login: as it is stored, looked up and typed at the login
    screen (surrounding spaces and letter case do not matter)."""
    return text.strip().lower()


def check_login(text: str) -> str:
    """A new login in its stored form, or a ``ValidationError`` naming the rule.

    The one check for every login the register issues (``zhurnal init``, the
    administrator's «Пользователи»), so that whatever is created can be typed at login.
    """
    key = login_key(text)
    if not _LOGIN_RE.fullmatch(key):
        raise ValidationError(f"Логин «{text.strip()}» не подходит: нужно {LOGIN_RULE}.")
    return key


def check_password_rules(policy: Policy, login: str, password: str) -> None:
    """Refuse a weak new password with a Russian message (NIST SP 800-63B 5.1.1.2)."""
    pw = _normalize(password)
    if len(pw) < policy.min_password_length:
        raise ValidationError(
            f"Пароль слишком короткий: нужно не меньше {policy.min_password_length} знаков."
        )
    if len(pw) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"Пароль слишком длинный: не больше {MAX_PASSWORD_LENGTH} знаков.")
    low = pw.lower()
    if login and login_key(login) in low:
        raise ValidationError("Пароль не должен совпадать с логином или содержать его.")
    if len(set(pw)) == 1:
        raise ValidationError("Пароль не должен состоять из одного повторяющегося знака.")
    if low in COMMON_PASSWORDS or low.translate(_LAYOUT) in COMMON_PASSWORDS:
        raise ValidationError(
            "Этот пароль слишком распространён и легко подбирается. Придумайте другой — "
            "например, фразу из нескольких слов."
        )


@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    must_change_password: bool
    idle_lock_minutes: int


def _event(
    session: Session, now: datetime, user: User | None, action: str, **after: object
) -> None:
    audit.append(
        session,
        ts=now,
        actor_id=user.id if user else None,
        actor_login=user.login if user else "",
        action=action,
        entity="user",
        entity_id=user.id if user else None,
        after=dict(after) or None,
    )


def session_of(
    user: User,
    policy: Policy,
    now: datetime | None,
    moment: datetime,
    must_change: bool,
    by_key: bool = False,
) -> LoginResult:
    """The session a login starts (``now``: a test's fixed clock; ``moment``: the login;
    ``by_key``: proved by an SSH key, ``core.services.ssh_keys``)."""
    return LoginResult(
        actor=Actor(
            user.id,
            user.login,
            user.role_set(),
            user.full_name,
            now,
            since=moment,
            zone=policy.time_zone,
            by_key=by_key,
        ),
        must_change_password=must_change,
        idle_lock_minutes=policy.idle_lock_minutes,
    )


def authenticate(
    db: Database, login: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check the credentials and start a session, or raise ``AuthError(LOGIN_REFUSED)``.

    ``now`` is for tests; when given, the returned actor keeps it as its clock.
    The argon2 work (~0.3 s) runs outside any transaction, so a morning rush of
    logins does not queue on the write lock; the user row is read again in the
    write transaction, where the counter update and the audit events commit
    together.  The error is raised after the commit so that failures are kept.
    Exactly one argon2 verification is made whatever the outcome: the user's hash when
    the password login is open now, else a dummy one (``core.throttle``).
    """
    name = login_key(login)
    with db.read() as session:
        zone = policy_of(session).time_zone  # the school's clock, whatever the server's
        found = session.exec(select(User).where(User.login == name)).first() if name else None
        moment = now or school_now(zone)
        seen = (found.id, found.password_hash) if found else None
        shut = found is not None and throttle.closed(
            found.failed_attempts, found.locked_until, moment
        )
    verified = False
    new_hash: str | None = None
    if seen is None or shut:
        _verify(_dummy_hash(), password)  # the same work as for an open login: no timing leak
    else:
        verified = _verify(seen[1], password)
        if verified and _ph.check_needs_rehash(seen[1]):
            new_hash = hash_password(password)

    refused = False
    result: LoginResult | None = None
    with db.write() as session:
        policy = policy_of(session)
        # locked on PostgreSQL, so that concurrent guesses each count (SQLite: one writer)
        user = session.get(User, seen[0], with_for_update=True) if seen else None
        if user is None or seen is None:
            _event(session, moment, None, "login.failed", reason="unknown_login")
            refused = True
        elif throttle.hard_locked(user.failed_attempts):
            _event(session, moment, user, "login.failed", reason="locked")
            refused = True
        elif shut or throttle.closed(user.failed_attempts, user.locked_until, moment):
            _event(session, moment, user, "login.failed", reason="paused", until=user.locked_until)
            refused = True
        elif not verified or user.password_hash != seen[1]:
            _count_failure(session, policy, user, moment)
            refused = True
        elif not user.active:
            _event(session, moment, user, "login.failed", reason="inactive")
            refused = True
        else:
            user.failed_attempts = 0
            user.locked_until = None
            if new_hash is not None:  # argon2 parameters moved on: the same password, rehashed
                user.password_hash = new_hash
            session.add(user)
            _event(session, moment, user, "login", **state_of(session, "user", user))
            result = session_of(user, policy, now, moment, user.must_change_password)
    if refused or result is None:
        raise AuthError(LOGIN_REFUSED)
    return result


def _count_failure(session: Session, policy: Policy, user: User, moment: datetime) -> None:
    """A wrong password: one more failure in a row, the pause it earns, or the lock."""
    user.failed_attempts += 1
    pause = throttle.pause_after(policy, user.failed_attempts)
    user.locked_until = moment + pause if pause else None
    after: dict[str, object] = {"reason": "wrong_password", "attempts": user.failed_attempts}
    if user.locked_until is not None:
        after["until"] = user.locked_until
    _event(session, moment, user, "login.failed", **after)
    if throttle.hard_locked(user.failed_attempts):
        _event(session, moment, user, "login.locked", attempts=user.failed_attempts)
    session.add(user)


def change_password(db: Database, actor: Actor, old: str, new: str) -> None:
    """The user changes their own password (also after a temporary one).

    Runs outside ``unit_of_work`` on purpose: students and parents (read-only
    accounts) must be able to change their own password too.  As at login, the
    argon2 work happens before the write transaction.
    """
    now = actor.now()
    with db.read() as session:
        policy = policy_of(session)
        found = session.get(User, actor.user_id) if actor.user_id is not None else None
        seen = (found.login, found.password_hash, found.active) if found else None
    if seen is None or not seen[2]:
        raise AuthError("Учётная запись отключена: обратитесь к администратору.")
    login, old_hash, _ = seen
    if not _verify(old_hash, old):
        with db.write() as session:
            _event(
                session,
                now,
                session.get(User, actor.user_id),
                "password.change.failed",
                reason="wrong_old_password",
            )
        raise AuthError("Текущий пароль введён неверно.")
    if _normalize(new) == _normalize(old):
        raise ValidationError("Новый пароль должен отличаться от текущего.")
    check_password_rules(policy, login, new)
    new_hash = hash_password(new)
    with db.write() as session:
        user = session.get(User, actor.user_id)
        if user is None or user.password_hash != old_hash:
            raise AuthError("Пароль только что изменили в другом сеансе. Войдите заново.")
        before = {"must_change_password": user.must_change_password}
        user.password_hash = new_hash
        user.must_change_password = False
        user.password_changed_at = now
        user.failed_attempts = 0
        user.version = (user.version or 0) + 1
        user.updated_at = now
        user.updated_by_id = user.id
        session.add(user)
        audit.append(
            session,
            ts=now,
            actor_id=user.id,
            actor_login=user.login,
            action="password.change",
            entity="user",
            entity_id=user.id,
            before=before,
            after=state_of(session, "user", user),
        )


LOGOUT_HOW = {
    "logout": "выход по команде пользователя",
    "quit": "закрытие программы",
    "idle": "выход с экрана блокировки после простоя",
    "hangup": "обрыв соединения",
    "command": "конец команды в командной строке",
}
"""How a session ends, as recorded in the ``logout`` audit event (``after["how"]``)."""


def logout(db: Database, actor: Actor, how: str = "logout") -> None:
    """Record the end of a session like a login [000 §6.1]: ``how`` it ended — the user's
    logout key ("logout"), quitting the program ("quit"), logging out from the idle lock
    ("idle"), the connection dropping ("hangup"), or a CLI command ending ("command") — so
    that the weekly activity report can tell them apart."""
    if how not in LOGOUT_HOW:
        raise ValueError(f"unknown logout kind {how!r}: one of {', '.join(LOGOUT_HOW)}")
    with db.write() as session:
        audit.append(
            session,
            ts=actor.now(),
            actor_id=actor.user_id,
            actor_login=actor.login,
            action="logout",
            entity="user",
            entity_id=actor.user_id,
            after={"how": how},
        )
