"""The CLI is a client with an identity [issue 9]: a command that reads or changes the
register runs as a register user who proved who they are (``--as LOGIN`` with a password
file or a prompt), refused and audited like a login at the login screen."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import CLI_PASSWORD, add_user, cli_identity, set_password
from tests.test_school_services import db_state
from zhurnal.cli.main import main
from zhurnal.core.auth import LOGIN_REFUSED
from zhurnal.core.clock import DEFAULT_ZONE, school_now
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, User

pytestmark = pytest.mark.usefixtures("fast_argon2")


@pytest.fixture
def school(db: Database) -> Database:
    add_user(db, "admin", "admin", "Админова Анна Сергеевна")
    add_user(db, "uchitel", "teacher", "Учителева Мария Ивановна")
    return db


def add_teacher(db: Database, *identity: str) -> list[str]:
    names = ["petrov", "Петров Пётр", "--roles", "teacher"]
    return ["user", "add", *names, "--db", str(db.path), *identity]


def password_file(folder, text: str, name: str = "pw", mode: int = 0o600):  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def user(db: Database, login: str) -> User:
    with db.read() as s:
        return s.exec(select(User).where(User.login == login)).one()


def users(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.exec(select(User.login)).all())


def test_a_write_is_audited_as_the_user_who_proved_it(school, tmp_path, capsys) -> None:
    """The audit events of a CLI write carry the user's login and id; the CLI session is a
    login and a logout («конец команды») like a session at the screen [000 §6.1]."""
    assert main(add_teacher(school, *cli_identity(school, "admin", tmp_path))) == 0
    assert "Временный пароль:" in capsys.readouterr().out
    (created,) = events(school, "user.create")[-1:]
    admin = user(school, "admin")
    assert (created.actor_login, created.actor_id) == ("admin", admin.id)
    login, logout = events(school, "login")[-1], events(school, "logout")[-1]
    assert login.actor_login == logout.actor_login == "admin"
    assert json.loads(logout.after) == {"how": "command"}
    assert login.id < created.id < logout.id


def test_a_wrong_password_is_a_failed_login(school, tmp_path, capsys) -> None:
    """Refused in Russian, nothing written, the failure audited and counted towards the
    pauses like one at the login screen; the fifth in a row pauses the login [issue 11]."""
    set_password(school, "admin", CLI_PASSWORD)
    wrong = password_file(tmp_path, "not-the-password\n")
    argv = add_teacher(school, "--as", "admin", "--password-file", str(wrong))
    before = users(school)
    assert main(argv) == 1
    assert f"Ошибка: {LOGIN_REFUSED}" in capsys.readouterr().err
    assert users(school) == before
    failed = events(school, "login.failed")
    assert [(e.actor_login, json.loads(e.after)["reason"]) for e in failed] == [
        ("admin", "wrong_password")
    ]
    assert user(school, "admin").failed_attempts == 1
    for _ in range(4):
        assert main(argv) == 1
    assert LOGIN_REFUSED in capsys.readouterr().err
    assert user(school, "admin").failed_attempts == 5
    assert user(school, "admin").locked_until is not None
    assert users(school) == before


def test_a_locked_account_is_refused_even_with_the_right_password(school, tmp_path, capsys) -> None:
    identity = cli_identity(school, "admin", tmp_path)
    with school.write() as s:
        admin = s.exec(select(User).where(User.login == "admin")).one()
        admin.locked_until = school_now(DEFAULT_ZONE) + timedelta(minutes=15)
        s.add(admin)
    assert main(add_teacher(school, *identity)) == 1
    assert LOGIN_REFUSED in capsys.readouterr().err  # the same answer as a wrong password
    assert json.loads(events(school, "login.failed")[-1].after)["reason"] == "paused"
    assert "petrov" not in users(school)


def test_a_disabled_account_is_refused(school, tmp_path, capsys) -> None:
    """Access ends with the contract [004 §4.3]: the CLI as much as the screen."""
    identity = cli_identity(school, "admin", tmp_path)
    with school.write() as s:
        admin = s.exec(select(User).where(User.login == "admin")).one()
        admin.active = False
        s.add(admin)
    assert main(add_teacher(school, *identity)) == 1
    assert LOGIN_REFUSED in capsys.readouterr().err  # the same answer as a wrong password
    assert json.loads(events(school, "login.failed")[-1].after)["reason"] == "inactive"
    assert "petrov" not in users(school)


def test_a_temporary_password_must_be_changed_first(school, tmp_path, capsys) -> None:
    set_password(school, "admin", CLI_PASSWORD, must_change=True)
    pw = password_file(tmp_path, CLI_PASSWORD + "\n")
    assert main(add_teacher(school, "--as", "admin", "--password-file", str(pw))) == 1
    err = capsys.readouterr().err
    assert "Сначала смените временный пароль" in err
    assert "zhurnal password --as admin" in err and "повторите команду" in err
    assert "petrov" not in users(school)
    assert json.loads(events(school, "logout")[-1].after) == {"how": "command"}


def test_a_teacher_cannot_add_users_004_5(school, tmp_path, capsys) -> None:
    """Refused by core as on the «Пользователи» screen, and the refusal is audited."""
    assert main(add_teacher(school, *cli_identity(school, "uchitel", tmp_path))) == 1
    assert "только администратор [004 §5]" in capsys.readouterr().err
    assert "petrov" not in users(school)
    assert events(school, "denied")[-1].actor_login == "uchitel"


def test_without_as_the_command_says_whom_to_name(school, capsys) -> None:
    assert main(add_teacher(school)) == 1
    assert "укажите --as LOGIN" in capsys.readouterr().err
    assert "petrov" not in users(school)


def test_without_a_password_file_or_a_terminal(school, monkeypatch, capsys) -> None:
    """From cron there is no one to ask: the message names --password-file."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(add_teacher(school, "--as", "admin")) == 1
    err = capsys.readouterr().err
    assert "Нужен пароль пользователя admin" in err and "--password-file" in err
    assert not events(school, "login.failed")


def test_the_password_from_standard_input(school, monkeypatch, capsys) -> None:
    set_password(school, "admin", CLI_PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(CLI_PASSWORD + "\n"))
    assert main(add_teacher(school, "--as", "admin", "--password-file", "-")) == 0
    assert "petrov" in users(school)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "это папка"),
        (lambda d: d / "nowhere.txt", "не найден"),
        (lambda d: password_file(d, ""), "пароля нет"),
        (lambda d: password_file(d, "\n" + CLI_PASSWORD), "пароля нет"),
        (lambda d: password_file(d, CLI_PASSWORD, mode=0o644), "chmod 600"),
    ],
    ids=["directory", "missing", "empty", "first-line-empty", "others-may-read"],
)
def test_a_bad_password_file_says_what_is_wrong(school, tmp_path, capsys, make, message) -> None:
    set_password(school, "admin", CLI_PASSWORD)
    argv = add_teacher(school, "--as", "admin", "--password-file", str(make(tmp_path)))
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and message in err
    assert "petrov" not in users(school)
    assert not events(school, "login.failed")


def test_reading_commands_need_a_user_too(school, tmp_path, capsys) -> None:
    """A report or a user list is a read of personal data: no anonymous reader."""
    before = db_state(school)
    assert main(["user", "list", "--db", str(school.path)]) == 1
    out = tmp_path / "logins.csv"
    assert main(["report", "logins", "-o", str(out), "--db", str(school.path)]) == 2
    assert "--as LOGIN" in capsys.readouterr().err
    assert not out.exists() and db_state(school) == before


def test_on_a_terminal_the_password_is_asked_without_echo(school) -> None:
    """What a person at the server's console sees: a prompt, no echo, then the work."""
    import os
    import pty
    import select
    import sys
    import time
    from pathlib import Path

    set_password(school, "admin", CLI_PASSWORD)
    root = Path(__file__).resolve().parent.parent
    argv = [sys.executable, "-m", "zhurnal.cli", "user", "list", "--as", "admin"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        os.chdir(root)
        os.execv(sys.executable, [*argv, "--db", str(school.path)])
    seen = b""

    def read_until(mark: bytes, seconds: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while mark not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    return

    read_until("Пароль пользователя admin: ".encode())
    os.write(fd, (CLI_PASSWORD + "\r").encode())
    read_until("Действующих".encode())
    if "Действующих".encode() not in seen:  # hung: do not wait for it forever
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Админова Анна Сергеевна" in text and "Действующих: 2" in text
    assert CLI_PASSWORD not in text
