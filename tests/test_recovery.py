"""``zhurnal recover``: when no administrator can log in, the OS account that owns the
database (and no one else) makes an administrator again, audited with its name [issue 9]."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select, text

from tests.conftest import add_user, cli_identity, db_arg
from tests.test_school_services import db_state
from zhurnal.cli.identity import os_account
from zhurnal.cli.main import main
from zhurnal.core import auth
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, User
from zhurnal.core.readmodels.users import issued_logins

pytestmark = pytest.mark.usefixtures("fast_argon2")
NEW = "Новикова Ольга Петровна"


@pytest.fixture
def school(db: Database) -> Database:
    """The only administrator locked out after guessing at a forgotten password."""
    add_user(db, "admin", "admin", "Админова Анна Сергеевна")
    add_user(db, "uchitel", "teacher", "Учителева Мария Ивановна")
    add_user(db, "uchenik", "student", "Учеников Иван")
    with db.write() as s:
        admin = s.exec(select(User).where(User.login == "admin")).one()
        admin.failed_attempts, admin.locked_until = 3, datetime.now() + timedelta(minutes=15)
        s.add(admin)
    return db


def recover(db: Database, *args: str) -> int:
    return main(["recover", *args, "--db", db_arg(db)])


def the_password(out: str) -> str:
    found = re.findall(r"Временный пароль: (\S+)", out)
    assert len(found) == 1
    return found[0]


def audit_events(db: Database) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_the_owner_gives_the_admin_back_a_way_in(school, capsys) -> None:
    """A new temporary password (printed once, never stored in the audit), the lockout
    lifted, and at the first login the password must be changed."""
    assert recover(school, "admin") == 0
    out = capsys.readouterr().out
    password = the_password(out)
    assert "Доступ администратора восстановлен: admin" in out and os_account() in out
    result = auth.authenticate(school, "admin", password)
    assert result.must_change_password and "admin" in result.actor.roles
    (event,) = [e for e in audit_events(school) if e.action == "user.recover"]
    assert (event.actor_login, event.actor_id) == (os_account(), None)
    before, after = json.loads(event.before), json.loads(event.after)
    assert before["locked_until"] and after["locked_until"] is None
    assert after["must_change_password"] and after["failed_attempts"] == 0
    assert all(password not in e.before + e.after for e in audit_events(school))


def test_the_recovered_admin_changes_the_password_and_works_again(school, capsys, tmp_path):
    assert recover(school, "admin") == 0
    temp = the_password(capsys.readouterr().out)
    actor = auth.authenticate(school, "admin", temp).actor
    auth.change_password(school, actor, temp, "fresh-secret-2026")
    secret = tmp_path / "pw"
    secret.write_text("fresh-secret-2026\n", encoding="utf-8")
    secret.chmod(0o600)
    argv = ["user", "reset", "uchitel", "--as", "admin", "--password-file", str(secret)]
    assert main([*argv, "--db", db_arg(school)]) == 0


def test_a_new_administrator_with_a_name(school, capsys) -> None:
    """Listed in the register of issued logins as issued by the database's owner."""
    assert recover(school, "novikova", "--name", NEW) == 0
    out = capsys.readouterr().out
    assert f"Создан администратор novikova ({NEW})" in out
    assert "Другие действующие администраторы: admin." in out
    assert auth.authenticate(school, "novikova", the_password(out)).must_change_password
    reader = auth.authenticate(school, "novikova", the_password(out)).actor
    auth.change_password(school, reader, the_password(out), "новый пароль администратора")
    row = next(r for r in issued_logins(school, reader) if r.login == "novikova")
    assert row.issued_by == f"владелец базы на сервере ({os_account()[3:]})"
    assert row.issued_at is not None and row.password_reset_at is None


def test_a_teacher_keeps_the_teaching_and_becomes_an_admin(school, capsys) -> None:
    assert recover(school, "Uchitel") == 0
    with school.read() as s:
        teacher = s.exec(select(User).where(User.login == "uchitel")).one()
    assert teacher.role_set() == {"admin", "teacher"} and teacher.must_change_password


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("novikova",), "укажите его ФИО: --name"),
        (("x", "--name", NEW), "Логин «x» не подходит"),
        (("uchenik",), "ученика или родителя"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(school, capsys, args, message) -> None:
    before, chain = db_state(school), len(audit_events(school))
    assert recover(school, *args) == 2
    assert message in capsys.readouterr().err
    assert db_state(school) == before and len(audit_events(school)) == chain


def test_a_disabled_account_is_not_brought_back_004_4_3(school, capsys) -> None:
    with school.write() as s:
        teacher = s.exec(select(User).where(User.login == "uchitel")).one()
        teacher.active = False
        s.add(teacher)
    assert recover(school, "uchitel") == 2
    assert "под новым логином" in capsys.readouterr().err


def test_anyone_but_the_owner_is_refused_and_nothing_is_written(
    school, capsys, monkeypatch
) -> None:
    """Another OS account that can run zhurnal cannot make itself an administrator; on
    PostgreSQL, another database role, even one allowed to write every table."""
    before, chain = db_state(school), len(audit_events(school))
    if school.path is not None:
        monkeypatch.setattr(os, "geteuid", lambda: os.stat(school.path).st_uid + 4242)
        assert recover(school, "intruder", "--name", "Чужой Человек") == 1
        err = capsys.readouterr().err
        assert "только владелец файла базы" in err and "sudo -u" in err
        monkeypatch.undo()
    else:
        role = f"intruder_{make_url(school.url).database}"  # roles are the server's
        with school.write() as s:
            s.exec(text(f"CREATE ROLE {role} LOGIN"))
            s.exec(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
            s.exec(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        url = school.url.replace("//zhurnal@", f"//{role}@")
        assert main(["recover", "intruder", "--name", "Чужой Человек", "--db", url]) == 1
        assert f"«{role}» не владеет таблицами журнала" in capsys.readouterr().err
    assert db_state(school) == before and len(audit_events(school)) == chain


def test_the_os_account_is_named_by_the_effective_uid_not_by_user(monkeypatch) -> None:
    """$USER and $LOGNAME are whatever the caller sets; the audit names the real account."""
    import pwd

    real = f"os:{pwd.getpwuid(os.geteuid()).pw_name}"
    monkeypatch.setenv("USER", "direktor")
    monkeypatch.setenv("LOGNAME", "direktor")
    assert os_account() == real


def test_no_database_no_recovery(tmp_path, capsys) -> None:
    """Nothing to recover, and no empty database file left behind either."""
    path = tmp_path / "nope.db"
    assert main(["recover", "admin", "--db", str(path)]) == 2
    assert "zhurnal init" in capsys.readouterr().err
    assert not path.exists()


def test_a_register_user_is_not_needed_but_a_school_is(tmp_path, capsys) -> None:
    """An empty file of the owner's is no school: the message says to run init."""
    path = tmp_path / "empty.db"
    Database.open(path).dispose()
    assert main(["recover", "admin", "--name", NEW, "--db", str(path)]) == 2
    assert "zhurnal init" in capsys.readouterr().err


def test_init_then_recover_as_the_cli_user_flow(tmp_path, capsys) -> None:
    """After init, the owner's OS account is the one in the audit log, never a register
    user; a register user's CLI writes are audited as them."""
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    db = Database.open(path)
    assert recover(db, "admin") == 0
    identity = cli_identity(db, "admin", tmp_path)
    assert main(["user", "list", "--db", str(path), *identity]) == 0
    actors = {e.action: e.actor_login for e in audit_events(db)}
    assert actors["school.init"] == actors["user.recover"] == os_account()
    assert actors["login"] == "admin"
