"""Login, lockout, passwords and user administration, on a real SQLite file."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlmodel import SQLModel, select, text

from tests.conftest import add_user
from zhurnal.core import auth
from zhurnal.core.actor import Actor
from zhurnal.core.errors import AuthError, ConflictError, PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, User
from zhurnal.core.policy import load_preset
from zhurnal.core.services import users

NOW = datetime(2026, 9, 1, 8, 0)
GOOD = "зелёная лампа над столом"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch) -> None:
    """Cheap argon2id parameters: the library defaults cost ~0.3 s per hash here."""
    monkeypatch.setattr(auth, "_ph", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def real_argon2(monkeypatch) -> None:
    monkeypatch.setattr(auth, "_ph", PasswordHasher())


@pytest.fixture
def admin(db) -> Actor:
    return add_user(db, "admin", "admin", "Админова Алла").at(NOW)


def new_user(db, admin: Actor, login: str = "ivanova", roles=("teacher",)) -> tuple[int, str]:
    view, temp = users.create_user(db, admin, login, "Иванова Мария Ивановна", list(roles))
    return view.id, temp


def user_row(db, user_id: int) -> User:
    with db.read() as s:
        row = s.get(User, user_id)
        s.expunge_all()  # keep the loaded values after the read's rollback
        return row


def events(db, action: str | None = None) -> list[AuditEvent]:
    with db.read() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = list(s.exec(query))
        s.expunge_all()
        return rows


def db_state(db) -> dict[str, list]:
    """Every row of every table except the audit log."""
    with db.read() as s:
        return {
            t.name: sorted(map(tuple, s.exec(text(f'SELECT * FROM "{t.name}"')).all()), key=repr)
            for t in SQLModel.metadata.sorted_tables
            if t.name not in ("audit_event", "audit_head")
        }


def set_password(db, admin: Actor, user_id: int, temp: str, new: str = GOOD) -> Actor:
    result = auth.authenticate(db, user_row(db, user_id).login, temp, now=NOW)
    auth.change_password(db, result.actor, temp, new)
    return result.actor


# --- hashing and rules ------------------------------------------------------------


def test_hash_is_argon2id_and_verifies(real_argon2) -> None:
    h = auth.hash_password("длинный пароль")
    assert h.startswith("$argon2id$")
    assert PasswordHasher().verify(h, "длинный пароль")
    assert auth.hash_password("длинный пароль") != h  # salted


POLICY = load_preset("004")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab3$xyz", "короткий"),
        ("x" * 129, "длинный"),
        ("12345678", "распространён"),
        ("Password", "распространён"),
        ("qwerty123", "распространён"),
        ("йцукенгш", "распространён"),
        ("ЙЦУКЕН123", "распространён"),  # "qwerty123" typed in the Russian layout
        ("1q2w3e4r", "распространён"),
        ("00000000", "одного"),  # also on the common list
        ("ivanova2026", "логин"),
        ("xIVANOVAx", "логин"),
        ("zzzzzzzzzz", "одного"),
    ],
)
def test_password_rules_refuse(password: str, fragment: str) -> None:
    """NIST SP 800-63B 5.1.1.2: length, blocklist, no login, no repeated character."""
    with pytest.raises(ValidationError) as exc:
        auth.check_password_rules(POLICY, "ivanova", password)
    assert fragment in exc.value.message


@pytest.mark.parametrize("password", ["abcdefgh", GOOD, "длинная фраза", "xy" * 64])
def test_password_rules_have_no_composition_rules(password: str) -> None:
    """No demands for digits, capitals or symbols (NIST SP 800-63B 5.1.1.2)."""
    auth.check_password_rules(POLICY, "ivanova", password)


# --- login ------------------------------------------------------------------------


def test_login_with_temporary_password_must_change(db, admin: Actor) -> None:
    """A personal login and a temporary password, changed at first login [002 §4.1]."""
    uid, temp = new_user(db, admin)
    result = auth.authenticate(db, "ivanova", temp, now=NOW)
    assert result.must_change_password
    assert result.actor.user_id == uid and result.actor.roles == frozenset({"teacher"})
    assert result.idle_lock_minutes == POLICY.idle_lock_minutes
    auth.change_password(db, result.actor, temp, GOOD)
    row = user_row(db, uid)
    assert not row.must_change_password and row.password_changed_at == NOW
    again = auth.authenticate(db, " Ivanova ", GOOD, now=NOW)  # login is case-insensitive
    assert not again.must_change_password
    with pytest.raises(AuthError):
        auth.authenticate(db, "ivanova", temp, now=NOW)
    assert [e.action for e in events(db) if e.actor_id == uid] == [
        "login",
        "password.change",
        "login",
        "login.failed",
    ]


def test_wrong_password_and_unknown_login_look_the_same(db, admin: Actor) -> None:
    uid, temp = new_user(db, admin)
    with pytest.raises(AuthError) as wrong:
        auth.authenticate(db, "ivanova", temp + "x", now=NOW)
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(db, "nobody", temp, now=NOW)
    assert wrong.value.message == unknown.value.message == auth.LOGIN_REFUSED
    failed = events(db, "login.failed")
    assert [(e.actor_id, e.after) for e in failed] == [
        (uid, '{"attempts": 1, "reason": "wrong_password"}'),
        (None, '{"reason": "unknown_login"}'),
    ]
    assert failed[1].actor_login == ""  # what was typed is not logged
    assert user_row(db, uid).failed_attempts == 1


def test_success_resets_the_failure_counter(db, admin: Actor) -> None:
    uid, temp = new_user(db, admin)
    for _ in range(POLICY.max_failed_logins - 1):
        with pytest.raises(AuthError):
            auth.authenticate(db, "ivanova", "nope-nope", now=NOW)
    auth.authenticate(db, "ivanova", temp, now=NOW)
    assert user_row(db, uid).failed_attempts == 0
    for _ in range(POLICY.max_failed_logins - 1):
        with pytest.raises(AuthError):
            auth.authenticate(db, "ivanova", "nope-nope", now=NOW)
    assert user_row(db, uid).locked_until is None
    auth.authenticate(db, "ivanova", temp, now=NOW)


def test_admin_unlocks_and_reset_password_unlocks(db, admin: Actor) -> None:
    uid, temp = new_user(db, admin)
    for _ in range(POLICY.max_failed_logins):
        with pytest.raises(AuthError):
            auth.authenticate(db, "ivanova", "nope-nope", now=NOW)
    view = users.unlock(db, admin, uid)
    assert view.locked_until is None
    auth.authenticate(db, "ivanova", temp, now=NOW)
    for _ in range(POLICY.max_failed_logins):
        with pytest.raises(AuthError):
            auth.authenticate(db, "ivanova", "nope-nope", now=NOW)
    new_temp = users.reset_password(db, admin, uid)
    assert new_temp != temp
    result = auth.authenticate(db, "ivanova", new_temp, now=NOW)
    assert result.must_change_password


def test_deactivated_user_cannot_log_in(db, admin: Actor) -> None:
    """Access ends when the employment contract ends [004 §4.3]: deactivation."""
    uid, temp = new_user(db, admin)
    actor = set_password(db, admin, uid, temp)
    users.set_active(db, admin, uid, False)
    with pytest.raises(AuthError) as right:  # the same answer as a wrong password [issue 11]
        auth.authenticate(db, "ivanova", GOOD, now=NOW)
    assert right.value.message == auth.LOGIN_REFUSED
    assert json.loads(events(db, "login.failed")[-1].after) == {"reason": "inactive"}
    with pytest.raises(AuthError, match="Неверный логин"):
        auth.authenticate(db, "ivanova", "wrong-password", now=NOW)
    with pytest.raises(AuthError, match="отключена"):  # an open session cannot act either
        auth.change_password(db, actor, GOOD, "новый длинный пароль")
    users.set_active(db, admin, uid, True)
    auth.authenticate(db, "ivanova", GOOD, now=NOW)


def test_weak_hash_is_upgraded_at_login(db, admin: Actor, real_argon2) -> None:
    uid, temp = new_user(db, admin)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(temp)
    with db.write() as s:
        row = s.get(User, uid)
        row.password_hash = weak
        s.add(row)
    auth.authenticate(db, "ivanova", temp, now=NOW)
    upgraded = user_row(db, uid).password_hash
    assert upgraded != weak and upgraded.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(upgraded)
    auth.authenticate(db, "ivanova", temp, now=NOW)


@pytest.mark.parametrize(
    ("old", "new", "error", "fragment"),
    [
        ("TEMP", "short", ValidationError, "короткий"),
        ("TEMP", "password", ValidationError, "распространён"),
        ("TEMP", "qwerty123", ValidationError, "распространён"),
        ("TEMP", "my-ivanova-pass", ValidationError, "логин"),
        ("TEMP", "TEMP", ValidationError, "отличаться"),
        ("TEMP", "ыыыыыыыыыы", ValidationError, "одного"),
        ("wrong old password", GOOD, AuthError, "Текущий пароль"),
    ],
)
def test_change_password_rules(db, admin: Actor, old, new, error, fragment) -> None:
    uid, temp = new_user(db, admin)
    actor = auth.authenticate(db, "ivanova", temp, now=NOW).actor
    before = user_row(db, uid)
    with pytest.raises(error) as exc:
        auth.change_password(db, actor, old.replace("TEMP", temp), new.replace("TEMP", temp))
    assert fragment in exc.value.message
    after = user_row(db, uid)
    assert (after.password_hash, after.must_change_password, after.version) == (
        before.password_hash,
        True,
        before.version,
    )
    assert not events(db, "password.change")


def test_logout_is_audited(db, admin: Actor) -> None:
    uid, temp = new_user(db, admin)
    actor = auth.authenticate(db, "ivanova", temp, now=NOW).actor
    auth.logout(db, actor)
    last = events(db)[-1]
    assert (last.action, last.actor_id, last.after) == ("logout", uid, '{"how": "logout"}')


@pytest.mark.parametrize("how", ["logout", "quit", "idle", "hangup"])
def test_logout_records_how_the_session_ended_000_6_1(db, admin: Actor, how: str) -> None:
    """[000 §6.1] the weekly activity report tells a logout from a quit, the idle lock
    and a dropped connection."""
    uid, temp = new_user(db, admin)
    actor = auth.authenticate(db, "ivanova", temp, now=NOW).actor
    auth.logout(db, actor, how)
    last = events(db)[-1]
    assert (last.action, last.actor_id, last.entity_id) == ("logout", uid, uid)
    assert json.loads(last.after) == {"how": how}


def test_logout_refuses_an_unknown_kind(db, admin: Actor) -> None:
    _uid, temp = new_user(db, admin)
    actor = auth.authenticate(db, "ivanova", temp, now=NOW).actor
    before = len(events(db))
    with pytest.raises(ValueError, match="unknown logout kind"):
        auth.logout(db, actor, "crash")
    assert len(events(db)) == before


def test_students_change_their_own_password(db, admin: Actor) -> None:
    """Read-only accounts [000 §7.1] still own their credentials [002 §4.1]."""
    uid, temp = new_user(db, admin, "petrov.ivan", ("student",))
    actor = set_password(db, admin, uid, temp)
    assert actor.read_only
    assert not user_row(db, uid).must_change_password


def test_no_password_or_hash_in_the_audit_log(db, admin: Actor) -> None:
    """Passwords are never logged [002 §4.2], not even typed into the login field."""
    uid, temp = new_user(db, admin)
    secrets = {temp, GOOD, "неверный пароль 1"}
    with pytest.raises(AuthError):
        auth.authenticate(db, "ivanova", "неверный пароль 1", now=NOW)
    with pytest.raises(AuthError):
        auth.authenticate(db, GOOD, GOOD, now=NOW)  # password typed as the login
    set_password(db, admin, uid, temp)
    secrets.add(reset := users.reset_password(db, admin, uid))
    actor = auth.authenticate(db, "ivanova", reset, now=NOW).actor
    auth.change_password(db, actor, reset, "другая длинная фраза")
    secrets.add("другая длинная фраза")
    auth.logout(db, actor)
    with db.read() as s:
        hashes = {h for (h,) in s.exec(text('SELECT password_hash FROM "user"')).all()}
    assert all(h.startswith("$argon2id$") for h in hashes if h != "!")
    for e in events(db):
        blob = " ".join([e.before, e.after, e.actor_login, e.entity])
        assert "argon2" not in blob and "password_hash" not in blob
        for secret in secrets | hashes - {"!"}:
            assert secret.lower() not in blob.lower(), (e.action, secret)


# --- user administration ------------------------------------------------------------


def test_create_user_gives_a_temporary_password(db, admin: Actor) -> None:
    """The administrator registers users and assigns rights [004 §5, 004 §4.2]."""
    view, temp = users.create_user(db, admin, "Sidorov.P", "Сидоров Пётр", ["teacher", "deputy"])
    assert (view.login, view.roles, view.must_change_password, view.active) == (
        "sidorov.p",
        ("deputy", "teacher"),
        True,
        True,
    )
    assert len(temp) >= 10
    assert [u.login for u in users.list_users(db, admin)] == ["admin", "sidorov.p"]
    ev = events(db, "user.create")[-1]
    assert ev.entity_id == view.id and temp not in ev.after


def test_temp_passwords_are_readable_and_random() -> None:
    seen = {users.generate_temp_password() for _ in range(200)}
    assert len(seen) == 200
    for pw in seen:
        assert len(pw) >= 10
        assert not set(pw) & set("0O1lIio")
        auth.check_password_rules(POLICY, "", pw)


@pytest.mark.parametrize(
    ("login", "roles", "fragment"),
    [
        ("ab", ["teacher"], "от 3 до 32"),
        ("a" * 33, ["teacher"], "от 3 до 32"),
        ("иванова", ["teacher"], "латинские"),
        ("ivan ivanov", ["teacher"], "латинские"),
        ("admin", ["teacher"], "занят"),
        ("ADMIN", ["teacher"], "занят"),
        ("petrov", ["boss"], "Неизвестная роль"),
        ("petrov", [], "хотя бы одну"),
        ("petrov", ["teacher", "parent"], "не совмещаются"),
    ],
)
def test_create_user_validation(db, admin: Actor, login, roles, fragment) -> None:
    before = db_state(db)
    with pytest.raises(ValidationError) as exc:
        users.create_user(db, admin, login, "Петров Пётр", roles)
    assert fragment in exc.value.message
    assert db_state(db) == before


def test_admin_cannot_lock_themself_out(db, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="собственную"):
        users.set_active(db, admin, admin.user_id, False)
    with pytest.raises(ValidationError, match="самого себя"):
        users.set_roles(db, admin, admin.user_id, ["teacher"])
    assert user_row(db, admin.user_id).active


def test_stale_version_is_refused(db, admin: Actor) -> None:
    uid, _ = new_user(db, admin)
    version = user_row(db, uid).version
    users.set_roles(db, admin, uid, ["teacher", "secretary"], expected_version=version)
    with pytest.raises(ConflictError, match="Админова Алла"):
        users.set_roles(db, admin, uid, ["teacher"], expected_version=version)
    assert users.list_users(db, admin)[0].roles == ("admin",)


ADMIN_CALLS = {
    "user.create": lambda db, a, uid: users.create_user(db, a, "hacker", "Хакер", ["admin"]),
    "user.password_reset": lambda db, a, uid: users.reset_password(db, a, uid),
    "user.set_active": lambda db, a, uid: users.set_active(db, a, uid, False),
    "user.set_roles": lambda db, a, uid: users.set_roles(db, a, uid, ["admin"]),
    "user.unlock": lambda db, a, uid: users.unlock(db, a, uid),
    "user.list": lambda db, a, uid: users.list_users(db, a),
}


@pytest.mark.parametrize(
    "role", ["director", "deputy", "teacher", "secretary", "student", "parent"]
)
def test_user_administration_is_admin_only(db, admin: Actor, role: str) -> None:
    """Only the administrator manages users and rights [004 §5]; a refusal changes
    nothing and leaves a "denied" trace."""
    uid = add_user(db, "target", "teacher").user_id
    other = add_user(db, f"someone.{role}", role).at(NOW)
    before = db_state(db)
    for action, call in ADMIN_CALLS.items():
        with pytest.raises(PermissionDenied):
            call(db, other, uid)
        assert db_state(db) == before, action
        last = events(db)[-1]
        assert (last.action, last.entity, last.actor_id) == ("denied", action, other.user_id)
