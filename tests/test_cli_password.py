"""``zhurnal password``: a user replaces the temporary password an administrator issued —
the other commands refuse a temporary password until then [004 §4.2]."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from tests.conftest import add_user, set_password
from zhurnal.cli.main import main
from zhurnal.core.auth import authenticate
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, User


def _file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_a_temporary_password_is_replaced_and_the_new_one_works(
    db: Database, tmp_path, fast_argon2, capsys
) -> None:
    add_user(db, "ivanova", "teacher")
    set_password(db, "ivanova", "vremennyi-1234", must_change=True)
    now = _file(tmp_path, "now", "vremennyi-1234")
    new = _file(tmp_path, "new", "letnyaya-raduga-77")
    code = main(["password", "--as", "ivanova", "--password-file", now,
                 "--new-password-file", new, "--db", str(db.path)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "Пароль пользователя ivanova изменён." in capsys.readouterr().out
    with db.read() as s:
        assert not s.exec(select(User).where(User.login == "ivanova")).one().must_change_password
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert "password.change" in actions
    assert not authenticate(db, "ivanova", "letnyaya-raduga-77").must_change_password


def test_a_new_password_against_the_rules_is_refused_and_nothing_changes(
    db: Database, tmp_path, fast_argon2, capsys
) -> None:
    add_user(db, "ivanova", "teacher")
    set_password(db, "ivanova", "vremennyi-1234", must_change=True)
    now = _file(tmp_path, "now", "vremennyi-1234")
    new = _file(tmp_path, "new", "ivanova")  # the login itself
    code = main(["password", "--as", "ivanova", "--password-file", now,
                 "--new-password-file", new, "--db", str(db.path)])  # fmt: skip
    assert code != 0
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and "Traceback" not in err
    with db.read() as s:
        assert s.exec(select(User).where(User.login == "ivanova")).one().must_change_password


def test_a_wrong_current_password_changes_nothing(
    db: Database, tmp_path, fast_argon2, capsys
) -> None:
    add_user(db, "ivanova", "teacher")
    set_password(db, "ivanova", "vremennyi-1234", must_change=True)
    wrong = _file(tmp_path, "now", "ne-tot-parol")
    new = _file(tmp_path, "new", "letnyaya-raduga-77")
    code = main(["password", "--as", "ivanova", "--password-file", wrong,
                 "--new-password-file", new, "--db", str(db.path)])  # fmt: skip
    assert code != 0
    assert "Неверный логин или пароль" in capsys.readouterr().err
    assert authenticate(db, "ivanova", "vremennyi-1234").must_change_password
