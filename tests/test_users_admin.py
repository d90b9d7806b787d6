"""First start and user administration: `zhurnal init`, one login rule, access that ends,
logins never reissued, an administrator always left, the register of issued logins."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlmodel import SQLModel, select, text

from tests.conftest import add_user
from zhurnal.cli.main import main
from zhurnal.core import auth
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import AuthError, PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, User
from zhurnal.core.readmodels.users import issued_logins
from zhurnal.core.reports.users import logins_report
from zhurnal.core.services import users

NOW = datetime(2026, 9, 1, 8, 0)
GOOD = "зелёная лампа над столом"
CLI = Actor(None, "cli:root", frozenset({"admin"}), "Администратор (CLI)")


@pytest.fixture(autouse=True)
def _fast(fast_argon2) -> None:
    """Cheap argon2id parameters: every test here hashes temporary passwords."""


@pytest.fixture
def admin(db) -> Actor:
    return add_user(db, "admin", "admin", "Админова Алла").at(NOW)


def db_state(db: Database) -> dict[str, list]:
    """Every row of every table, the audit log included."""
    with db.read() as s:
        return {
            t.name: sorted(map(tuple, s.exec(text(f'SELECT * FROM "{t.name}"')).all()), key=repr)
            for t in SQLModel.metadata.sorted_tables
        }


def own_password(db: Database, login: str, temp: str) -> Actor:
    """A new user's session after they replaced the temporary password (core refuses a
    session with a temporary one [issue 11])."""
    actor = auth.authenticate(db, login, temp, now=NOW).actor
    auth.change_password(db, actor, temp, GOOD)
    return actor


def temp_password(out: str) -> str:
    return re.search(r"временный пароль (\S+)", out).group(1)


# --- zhurnal init ---------------------------------------------------------------------


def test_init_admin_with_capitals_can_log_in(tmp_path, capsys) -> None:
    """`init --admin Admin` used to store «Admin», which login (lower case) never found:
    the first administrator passes the same login rule as every user."""
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--admin", "Admin", "--name", "Петрова Анна"]) == 0
    out = capsys.readouterr().out
    assert "логин admin" in out and "строчными" in out
    db = Database.open(path)
    for typed in ("Admin", "admin", " ADMIN "):
        result = auth.authenticate(db, typed, temp_password(out))
        assert result.must_change_password and result.actor.roles == {"admin"}
        assert result.actor.full_name == "Петрова Анна"


@pytest.mark.parametrize("login", ["ад мин", "ab", "admin user", "a" * 33, "  "])
def test_init_refuses_a_bad_login_and_creates_nothing(tmp_path, capsys, login) -> None:
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--admin", login]) == 2
    err = capsys.readouterr().err
    assert "Ошибка: Логин" in err and "от 3 до 32 знаков" in err and "латинские" in err
    assert not path.exists()


def test_init_refuses_an_empty_name(tmp_path, capsys) -> None:
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--name", "  "]) == 2
    assert "ФИО администратора" in capsys.readouterr().err
    assert not path.exists()


def test_init_on_an_existing_school_changes_nothing(tmp_path, capsys) -> None:
    """Run again, `init` only brings the schema up to date: no second administrator, no
    password reset, the policy kept — and it says so."""
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--policy", "002"]) == 0
    password = temp_password(capsys.readouterr().out)
    db = Database.open(path)
    before = db_state(db)
    argv = ["init", "--db", str(path), "--admin", "second", "--policy", "004"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "уже создана" in out and "ничего не изменено" in out
    assert "администратор не добавлен" in out and "пароли не сброшены" in out
    assert "Действующие администраторы: admin." in out
    assert "Не применено к существующей базе: --admin, --policy." in out
    assert "временный пароль" not in out
    assert db_state(db) == before
    assert auth.authenticate(db, "admin", password).must_change_password


def test_init_warns_of_a_login_no_one_can_type(tmp_path, capsys) -> None:
    """A school made by the old `init --admin Admin` keeps its «Admin» (init changes
    nothing), but is told that no one can log in under it and what to do."""
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    db = Database.open(path)
    with db.write() as s:
        s.exec(text("UPDATE user SET login = 'Admin'"))
    capsys.readouterr()
    assert main(["init", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "под логином «Admin» войти нельзя" in out and "zhurnal recover" in out


def test_init_is_audited_with_the_admin_as_created(tmp_path, capsys) -> None:
    """A new school has no register user yet: `init` is audited as the OS account that ran
    it (by its effective uid), the school and its first administrator alike."""
    from zhurnal.cli.identity import os_account

    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--name", "Петрова Анна"]) == 0
    with Database.open(path).read() as s:
        created = s.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        init = s.exec(select(AuditEvent).where(AuditEvent.action == "school.init")).one()
    assert created.actor_login == init.actor_login == os_account()
    assert os_account().startswith("os:") and created.actor_id is None
    assert '"full_name": "Петрова Анна"' in created.after and '"roles": "admin"' in created.after


# --- one login rule ---------------------------------------------------------------------


def test_a_created_login_is_typed_in_any_case_004_4_2(db, admin: Actor) -> None:
    """Access starts with the registration and a personal login [004 §4.2]: the login the
    administrator typed works at the login screen however it is typed."""
    view, temp = users.create_user(db, admin, " Sidorov.P ", "Сидоров Пётр", ["teacher"])
    assert view.login == "sidorov.p"
    assert auth.authenticate(db, "SIDOROV.P", temp, now=NOW).actor.user_id == view.id


def test_several_roles_at_once_004_4_2(db, admin: Actor) -> None:
    view, temp = users.create_user(
        db, admin, "zavuch", "Завучева Ольга", ["teacher", "deputy", "secretary"]
    )
    assert view.roles == ("deputy", "teacher", "secretary")
    assert auth.authenticate(db, "zavuch", temp, now=NOW).actor.roles == {
        "teacher",
        "deputy",
        "secretary",
    }


# --- dismissal [004 §4.3] ----------------------------------------------------------------


def test_dismissal_ends_access_and_keeps_history_004_4_3(db, admin: Actor) -> None:
    """Access ends with the contract: the login is refused, a session still open is
    refused at its next write, and the user and their trail stay in the register."""
    other_admin, admin2_temp = users.create_user(db, admin, "admin2", "Второй Админ", ["admin"])
    view, temp = users.create_user(db, admin, "ivanova", "Иванова Мария", ["teacher"])
    session = auth.authenticate(db, "admin2", admin2_temp, now=NOW).actor  # an open session
    users.set_active(db, admin, other_admin.id, False)
    users.set_active(db, admin, view.id, False)
    with pytest.raises(AuthError, match="Неверный логин или пароль"):  # one answer [issue 11]
        auth.authenticate(db, "ivanova", temp, now=NOW)
    before = db_state(db)
    with pytest.raises(PermissionDenied, match="отключена"):
        users.create_user(db, session, "newbie", "Новиков Нил", ["teacher"])
    with db.read() as s:
        assert s.exec(select(User).where(User.login == "newbie")).first() is None
        last = s.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (last.action, last.actor_id) == ("denied", other_admin.id)
    assert {k: v for k, v in db_state(db).items() if k not in ("audit_event", "audit_head")} == {
        k: v for k, v in before.items() if k not in ("audit_event", "audit_head")
    }
    listed = {u.login: u.active for u in users.list_users(db, admin)}
    assert listed == {"admin": True, "admin2": False, "ivanova": False}
    with db.read() as s:
        trail = s.exec(select(AuditEvent.action).where(AuditEvent.entity_id == view.id)).all()
    assert "user.create" in trail and "user.deactivate" in trail


def test_a_dismissed_users_login_is_never_reissued_004_4_3(db, admin: Actor) -> None:
    view, _ = users.create_user(db, admin, "ivanova", "Иванова Мария", ["teacher"])
    users.set_active(db, admin, view.id, False)
    before = db_state(db)
    with pytest.raises(ValidationError) as exc:
        users.create_user(db, admin, "IVANOVA", "Иванова Светлана", ["teacher"])
    message = exc.value.message
    assert "«ivanova» уже выдан: Иванова Мария" in message and "отключена" in message
    assert "не выдаётся повторно" in message and "[004 §4.3]" in message
    assert {k: v for k, v in db_state(db).items() if k not in ("audit_event", "audit_head")} == {
        k: v for k, v in before.items() if k not in ("audit_event", "audit_head")
    }
    # the same person comes back: their account is enabled, not a new one created
    assert users.set_active(db, admin, view.id, True).active


# --- an administrator is always left ------------------------------------------------------


@pytest.mark.parametrize("who", ["cli", "other admin"])
def test_the_last_active_admin_cannot_be_disabled_nor_lose_the_role(db, admin, who) -> None:
    """Whoever asks (the server's CLI, another administrator about to be disabled), the
    school keeps one active administrator."""
    actor = CLI
    if who == "other admin":
        view, temp = users.create_user(db, admin, "admin2", "Второй Админ", ["admin"])
        actor = own_password(db, "admin2", temp)
        users.set_active(db, actor, admin.user_id, False)  # two active: allowed
        target = view.id
        with pytest.raises(ValidationError, match="собственную"):
            users.set_active(db, actor, target, False)
        actor = CLI
    else:
        target = admin.user_id
    with pytest.raises(ValidationError, match="последний действующий администратор"):
        users.set_active(db, actor, target, False)
    with pytest.raises(ValidationError, match="последний действующий администратор"):
        users.set_roles(db, actor, target, ["teacher"])
    active_admins = [u for u in users.list_users(db, CLI) if u.active and "admin" in u.roles]
    assert [u.id for u in active_admins] == [target]


def test_an_admin_can_hand_over_the_role(db, admin: Actor) -> None:
    """With a second active administrator, the first may leave the role (not by their
    own hand) and be disabled."""
    _, temp = users.create_user(db, admin, "admin2", "Второй Админ", ["admin"])
    with pytest.raises(ValidationError, match="самого себя"):
        users.set_roles(db, admin, admin.user_id, ["teacher"])
    second = own_password(db, "admin2", temp)
    assert users.set_roles(db, second, admin.user_id, ["teacher"]).roles == ("teacher",)
    assert not users.set_active(db, second, admin.user_id, False).active


def test_reset_gives_a_temporary_password_and_unlock_lifts_a_lockout(db, admin) -> None:
    view, temp = users.create_user(db, admin, "ivanova", "Иванова Мария", ["teacher"])
    auth.change_password(db, auth.authenticate(db, "ivanova", temp, now=NOW).actor, temp, GOOD)
    for _ in range(10):
        with pytest.raises(AuthError):
            auth.authenticate(db, "ivanova", "wrong", now=NOW)
    with pytest.raises(AuthError, match="временно ограничен"):  # paused: not even checked
        auth.authenticate(db, "ivanova", GOOD, now=NOW)
    users.unlock(db, admin, view.id)
    assert not auth.authenticate(db, "ivanova", GOOD, now=NOW).must_change_password
    new = users.reset_password(db, admin, view.id)
    assert auth.authenticate(db, "ivanova", new, now=NOW).must_change_password


# --- the register of issued logins [004 §5 «Администратор»] ---------------------------------


def test_register_of_issued_logins_004_5(db, admin: Actor) -> None:
    later = admin.at(datetime(2026, 10, 5, 9, 30))
    teacher, _ = users.create_user(db, admin, "ivanova", "Иванова Мария", ["teacher", "deputy"])
    users.create_user(db, CLI.at(NOW), "petrov", "Петров Пётр", ["secretary"])
    users.reset_password(db, later, teacher.id)
    users.set_active(db, later, teacher.id, False)
    rows = {r.login: r for r in issued_logins(db, admin)}
    assert list(rows) == ["admin", "ivanova", "petrov"]  # in the order of issue
    r = rows["ivanova"]
    assert (r.full_name, r.roles, r.active) == (
        "Иванова Мария",
        "Заместитель директора, учитель",
        False,
    )
    assert (r.issued_at, r.issued_by) == (NOW, "Админова Алла")
    assert r.password_reset_at == datetime(2026, 10, 5, 9, 30)
    assert (r.deactivated_at, r.deactivated_by) == (datetime(2026, 10, 5, 9, 30), "Админова Алла")
    p = rows["petrov"]
    assert (p.issued_by, p.active, p.deactivated_at, p.password_reset_at) == (
        "командная строка (root)",
        True,
        None,
        None,
    )
    # enabled again: no longer shown as disabled
    users.set_active(db, later, teacher.id, True)
    again = {r.login: r for r in issued_logins(db, admin)}["ivanova"]
    assert (again.active, again.deactivated_at, again.deactivated_by) == (True, None, "")

    report = logins_report(issued_logins(db, admin))
    assert report.title == "Реестр выданных логинов"
    assert [row[1] for row in report.rows] == ["admin", "ivanova", "petrov"]
    assert report.footer == ("Всего логинов: 3, действующих: 3.",)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("director", True), ("deputy", False), ("teacher", False), ("secretary", False)],
)
def test_register_is_read_by_admin_and_director(db, admin: Actor, role, allowed) -> None:
    reader = add_user(db, f"x.{role}", role).at(NOW)
    if allowed:
        assert next(r.login for r in issued_logins(db, reader)) == "admin"
    else:
        with pytest.raises(PermissionDenied, match="Реестр выданных логинов"):
            issued_logins(db, reader)


def test_cli_report_logins_and_user_list(tmp_path, capsys, fast_argon2) -> None:
    from tests.conftest import cli_identity

    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    me = cli_identity(Database.open(path), "admin", tmp_path)
    add = ["user", "add", "ivanova", "Иванова Мария", "--roles", "teacher", "--db", str(path), *me]
    assert main(add) == 0
    assert main(["user", "disable", "ivanova", "--db", str(path), *me]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--db", str(path), *me]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert any("ivanova" in line and "отключена" in line for line in listing)
    assert any("admin" in line and "действует" in line for line in listing)
    assert listing[-1] == "Действующих: 1, отключённых: 1."
    # the login of the dismissed teacher is not given to a namesake
    assert main([*add[:3], "Иванова Светлана", *add[4:]]) == 1
    assert "не выдаётся повторно" in capsys.readouterr().err
    out = tmp_path / "logins.csv"
    assert main(["report", "logins", "-o", str(out), "--db", str(path), *me]) == 0
    assert "Реестр выданных логинов (строк: 2)" in capsys.readouterr().out
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("№;Логин;ФИО;Роли;Выдан;Кем выдан;Последний сброс пароля")
    assert "admin;Администратор;Администратор;" in lines[1]
    assert "владелец базы на сервере (" in lines[1] and ";действует;" in lines[1]
    assert lines[2].startswith("2;ivanova;Иванова Мария;Учитель;") and ";отключён;" in lines[2]
