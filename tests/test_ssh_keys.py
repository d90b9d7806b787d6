"""Keys bound to register logins, without a server: who a key lets in (core), the
``zhurnal ssh-key`` commands the administrator runs as the service account, and the
register that opens signed in.  The real sshd is in tests/test_ssh_deploy.py."""

from __future__ import annotations

import json
import stat
import subprocess
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_db, set_password
from tests.school import NOW, TODAY, build
from tests.ui import PASSWORD, settle
from zhurnal.cli.main import main
from zhurnal.cli.ssh import parse_line
from zhurnal.core.auth import authenticate
from zhurnal.core.errors import AuthError
from zhurnal.core.models import AuditEvent, User
from zhurnal.core.readmodels import my_lessons
from zhurnal.core.readmodels.audit_text import BY_KEY
from zhurnal.core.services.incidents import report_incident
from zhurnal.core.services.ssh_keys import authenticate_key
from zhurnal.core.services.users import set_active
from zhurnal.core.throttle import HARD_LOCK_FAILURES


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "school.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD, must_change=True)
    set_password(db, "drugoy", PASSWORD)
    yield world
    db.dispose()


def events(w, action: str) -> list[dict]:
    with w.db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [{"by": e.actor_login, **json.loads(e.after or "{}")} for e in rows]


def test_a_key_signs_its_login_in_without_the_temporary_password(w) -> None:
    """The key is the proof: a temporary password does not stop it (it stays temporary)."""
    result = authenticate_key(w.db, "uchitel", "SHA256:abc", now=NOW)
    assert result.actor.login == "uchitel" and not result.must_change_password
    assert events(w, "login")[-1] == {
        "by": "uchitel",
        "method": "ssh-key",
        "key": "SHA256:abc",
        "must_change_password": True,
    }
    with w.db.read() as s:
        assert s.exec(select(User).where(User.login == "uchitel")).one().must_change_password
    # and core lets the key's session work (core.live) [issue 11]
    assert my_lessons(w.db, result.actor, TODAY)


def test_a_disabled_account_is_refused_by_key_too(w) -> None:
    """Access ends with the contract [004 §4.3], whatever the key."""
    set_active(w.db, w.admin.at(NOW), w.other_teacher.user_id or 0, False)
    with pytest.raises(AuthError, match="отключена"):
        authenticate_key(w.db, "drugoy", "SHA256:k", now=NOW)
    assert events(w, "login.failed")[-1]["reason"] == "inactive"


def test_failed_passwords_do_not_stop_the_key(w) -> None:
    """A stranger typing wrong passwords pauses or locks the password login, never the
    owner's key (core.throttle) [issue 11]."""
    with w.db.write() as s:
        user = s.exec(select(User).where(User.login == "drugoy")).one()
        user.locked_until = NOW + timedelta(minutes=15)
        user.failed_attempts = HARD_LOCK_FAILURES
    with pytest.raises(AuthError):
        authenticate(w.db, "drugoy", PASSWORD, now=NOW)
    assert authenticate_key(w.db, "drugoy", "SHA256:k", now=NOW)


def test_a_login_closed_after_a_breach_is_closed_to_its_key_too(w) -> None:
    """[002 §4.3]: the director closes the login; the key does not reopen it."""
    report_incident(w.db, w.director.at(NOW), w.other_teacher.user_id or 0, NOW)
    with pytest.raises(AuthError, match="закрыт директором"):
        authenticate_key(w.db, "drugoy", "SHA256:k", now=NOW)
    assert events(w, "login.failed")[-1]["reason"] == "closed"


def test_a_key_bound_to_an_unknown_login_is_refused_naming_it(w) -> None:
    with pytest.raises(AuthError, match="«nobody», которого нет в журнале"):
        authenticate_key(w.db, "nobody", "SHA256:k", now=NOW)
    assert events(w, "login.failed")[-1]["login"] == "nobody"


# --- zhurnal ssh-key -------------------------------------------------------------


def keygen(path, comment: str = "teacher@pc") -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    out = subprocess.run(["ssh-keygen", "-l", "-f", f"{path}.pub"], capture_output=True, text=True)
    return out.stdout.split()[1]


@pytest.fixture
def cli(w, tmp_path):
    keys = tmp_path / "ssh" / "authorized_keys"
    base = ["--db", str(tmp_path / "school.db"), "--authorized-keys", str(keys)]

    def run(*args: str) -> int:
        return main(["ssh-key", *args, *base])

    run.keys = keys  # type: ignore[attr-defined]
    return run


def test_add_writes_a_restricted_line_binding_the_key_to_the_login(w, cli, tmp_path, capsys):
    fp = keygen(tmp_path / "k1")
    assert cli("add", "Uchitel", str(tmp_path / "k1.pub")) == 0
    assert "привязан к логину uchitel (Учителева Мария Ивановна)" in capsys.readouterr().out
    text = cli.keys.read_text()
    assert text.startswith('restrict,pty,command="')
    assert f"--db {tmp_path / 'school.db'} ssh-session uchitel --key {fp}" in text
    assert text.rstrip().endswith("teacher@pc")
    assert parse_line(text).login == "uchitel" and parse_line(text).fingerprint == fp
    assert stat.S_IMODE(cli.keys.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.keys.parent.stat().st_mode) == 0o700
    [added] = events(w, "ssh_key.add")
    assert added["by"].startswith("os:") and added["login"] == "uchitel" and added["key"] == fp


@pytest.mark.parametrize(
    ("login", "content", "message"),
    [
        ("nobody", None, "нет пользователя с логином «nobody»"),
        ("uchitel", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "закрытый ключ"),
        ("uchitel", "ssh-ed25519 AAAAnotakey teacher\n", "ssh-keygen его не принял"),
        ("uchitel", "просто текст\n", "должен быть один открытый ключ"),
    ],
    ids=["unknown-login", "private-key", "broken-key", "not-a-key"],
)
def test_add_refuses_and_writes_nothing(w, cli, tmp_path, capsys, login, content, message):
    path = tmp_path / "key.pub"
    if content is None:
        keygen(tmp_path / "key")
    else:
        path.write_text(content)
    assert cli("add", login, str(path)) == 2
    assert message in capsys.readouterr().err
    assert not cli.keys.exists() and events(w, "ssh_key.add") == []


def test_one_key_one_user(w, cli, tmp_path, capsys):
    fp = keygen(tmp_path / "k1")
    assert cli("add", "uchitel", str(tmp_path / "k1.pub")) == 0
    before = cli.keys.read_text()
    assert cli("add", "uchitel", str(tmp_path / "k1.pub")) == 2
    assert "уже привязан к логину uchitel" in capsys.readouterr().err
    assert cli("add", "drugoy", str(tmp_path / "k1.pub")) == 2
    err = capsys.readouterr().err
    assert "привязан к логину uchitel" in err and f"ssh-key remove uchitel --key {fp}" in err
    assert cli.keys.read_text() == before


def test_a_disabled_login_gets_no_key(w, cli, tmp_path, capsys):
    set_active(w.db, w.admin.at(NOW), w.other_teacher.user_id or 0, False)
    keygen(tmp_path / "k1")
    assert cli("add", "drugoy", str(tmp_path / "k1.pub")) == 2
    assert "прекращён" in capsys.readouterr().err


def test_add_reads_the_key_from_standard_input(w, cli, tmp_path, monkeypatch):
    import io

    fp = keygen(tmp_path / "k1")
    monkeypatch.setattr("sys.stdin", io.StringIO((tmp_path / "k1.pub").read_text()))
    assert cli("add", "drugoy", "-") == 0
    assert f"ssh-session drugoy --key {fp}" in cli.keys.read_text()


def test_list_names_each_key_and_warns_of_a_shell_line(w, cli, tmp_path, capsys):
    fp = keygen(tmp_path / "k1")
    keygen(tmp_path / "k2", "admin@laptop")
    cli("add", "uchitel", str(tmp_path / "k1.pub"))
    with cli.keys.open("a") as out:
        out.write((tmp_path / "k2.pub").read_text())
    capsys.readouterr()
    assert cli("list") == 0
    out = capsys.readouterr().out
    assert "uchitel" in out and "Учителева Мария Ивановна" in out and fp in out
    assert "строка 2 (admin@laptop) не привязана к журналу" in out


def test_remove_unbinds_the_key_and_audits_it(w, cli, tmp_path, capsys):
    keygen(tmp_path / "k1")
    fp2 = keygen(tmp_path / "k2")
    cli("add", "uchitel", str(tmp_path / "k1.pub"))
    cli("add", "drugoy", str(tmp_path / "k2.pub"))
    assert cli("remove", "uchitel") == 0
    assert [parse_line(x).login for x in cli.keys.read_text().splitlines()] == ["drugoy"]
    assert cli("remove", "uchitel") == 2
    assert "нет привязанных ключей" in capsys.readouterr().err
    assert cli("remove", "drugoy", "--key", "SHA256:other") == 2
    assert cli("remove", "drugoy", "--key", fp2) == 0
    assert cli.keys.read_text() == ""
    assert [e["login"] for e in events(w, "ssh_key.remove")] == ["uchitel", "drugoy"]


def test_the_session_needs_a_terminal_and_opens_nothing_without(w, tmp_path, capsys):
    """``ssh host id`` with no terminal: nothing runs, nobody signs in."""
    code = main(["--db", str(tmp_path / "school.db"), "ssh-session", "uchitel"])
    assert code == 2
    assert "только в терминале" in capsys.readouterr().err
    assert events(w, "login") == []


def test_the_audit_log_says_a_login_was_by_key(w) -> None:
    from zhurnal.core.readmodels.audit_text import Context, describe

    authenticate_key(w.db, "uchitel", "SHA256:abc", now=NOW)
    with w.db.read() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "login")).all()[-1]
        described = describe(event, Context.load(s, [event]))
    assert described.what == f"Вход в журнал: {BY_KEY}" and described.new == "SHA256:abc"


# --- the register signed in ------------------------------------------------------


async def test_the_register_opens_signed_in_and_logging_out_ends_it(w) -> None:
    from zhurnal.tui.key_session import KeySessionApp
    from zhurnal.tui.screens import LoginScreen, TimetableScreen

    result = authenticate_key(w.db, "uchitel", "SHA256:abc", now=NOW)
    app = KeySessionApp(w.db, result, today=date(2026, 11, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert not any(isinstance(s, LoginScreen) for s in app.screen_stack)
        await pilot.press("l")
        await settle(app, pilot)
    assert app.ended_how == "logout"
    app.close_session()
    assert events(w, "logout")[-1]["how"] == "logout"
