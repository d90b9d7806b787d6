"""`zhurnal init`: a new school database with an admin who must change the password."""

from __future__ import annotations

import re
import stat

from tests.conftest import cli_identity
from zhurnal.cli.main import main
from zhurnal.core.auth import authenticate
from zhurnal.core.db import Database


def test_init_creates_school_and_admin_with_temporary_password(tmp_path, capsys) -> None:
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--policy", "002"]) == 0
    out = capsys.readouterr().out
    assert "Дневник" in out or "002" in out or "Средняя школа № 2" in out
    password = re.search(r"временный пароль (\S+)", out).group(1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = authenticate(Database.open(path), "admin", password)
    assert result.must_change_password and "admin" in result.actor.roles
    # Running init again only upgrades; it never resets the admin.
    assert main(["init", "--db", str(path)]) == 0
    assert "уже создана" in capsys.readouterr().out


def test_init_with_an_invalid_policy_file_changes_nothing(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 1\n", encoding="utf-8")
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--policy-file", str(bad)]) == 2
    assert "Ошибка:" in capsys.readouterr().err
    assert not path.exists()  # the rules are checked before the database file is made


def test_db_before_the_subcommand_is_kept(tmp_path, capsys) -> None:
    path = tmp_path / "x.db"
    assert main(["--db", str(path), "init"]) == 0
    assert path.exists()


def test_policy_show_and_set(tmp_path, capsys, fast_argon2) -> None:
    """The school picks a preset at init and can edit it: show, edit, set (audited as the
    administrator who set it)."""
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    admin = cli_identity(Database.open(path), "admin", tmp_path)
    assert main(["policy", "show", "--db", str(path)]) == 0
    text = capsys.readouterr().out
    assert "current_days = 10" in text
    edited = tmp_path / "ours.toml"
    edited.write_text(text.replace("current_days = 10", "current_days = 12"), encoding="utf-8")
    assert main(["policy", "set", str(edited), "--db", str(path), *admin]) == 0
    assert "заменены" in capsys.readouterr().out
    from sqlmodel import select

    from zhurnal.core.models import AuditEvent
    from zhurnal.core.uow import policy_of

    with Database.open(path).read() as s:
        assert policy_of(s).lock_current_days == 12
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "policy.set")).one()
    assert event.actor_login == "admin" and event.actor_id is not None


def test_policy_set_is_for_an_administrator(db, tmp_path, capsys, fast_argon2) -> None:
    from tests.conftest import add_user
    from zhurnal.core.uow import policy_of

    add_user(db, "uchitel", "teacher")
    edited = tmp_path / "ours.toml"
    with db.read() as s:
        edited.write_text(policy_of(s).toml_text.replace("current_days = 10", "current_days = 12"))
    argv = ["policy", "set", str(edited), "--db", str(db.path)]
    assert main([*argv, *cli_identity(db, "uchitel", tmp_path)]) == 1
    assert "только администратор" in capsys.readouterr().err
    with db.read() as s:
        assert policy_of(s).lock_current_days == 10


def test_policy_set_refuses_an_invalid_file(tmp_path, capsys) -> None:
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("[locks]\ncurrent_days = -1\n", encoding="utf-8")
    assert main(["policy", "set", str(bad), "--db", str(path)]) == 2
    assert "Ошибка:" in capsys.readouterr().err
    from zhurnal.core.uow import policy_of

    with Database.open(path).read() as s:
        assert policy_of(s).lock_current_days == 10


def test_user_administration_from_the_command_line(tmp_path, capsys, fast_argon2) -> None:
    """After `init` the administrator registers teachers from the terminal; a user whose
    contract ended is disabled [004 §4.3] and can no longer log in."""
    from zhurnal.core.errors import AuthError

    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    admin = cli_identity(Database.open(path), "admin", tmp_path)
    assert (
        main(
            [
                "user",
                "add",
                "ivanova.mi",
                "Иванова Мария Ивановна",
                "--roles",
                "teacher",
                "--db",
                str(path),
                *admin,
            ]
        )
        == 0
    )
    password = re.search(r"Временный пароль: (\S+)", capsys.readouterr().out).group(1)
    db = Database.open(path)
    result = authenticate(db, "ivanova.mi", password)
    assert result.must_change_password and result.actor.roles == {"teacher"}
    assert main(["user", "list", "--db", str(path), *admin]) == 0
    listing = capsys.readouterr().out
    assert "ivanova.mi" in listing and "Учитель" in listing and "временный пароль" in listing
    assert main(["user", "disable", "ivanova.mi", "--db", str(path), *admin]) == 0
    import pytest

    with pytest.raises(AuthError):
        authenticate(db, "ivanova.mi", password)
    short = ["user", "add", "x", "Короткий Логин", "--roles", "teacher", "--db", str(path)]
    assert main([*short, *admin]) == 1
    assert "Логин" in capsys.readouterr().err
    assert main(["user", "reset", "nobody", "--db", str(path), *admin]) == 1
    with db.read() as s:
        from sqlmodel import select

        from zhurnal.core.models import AuditEvent

        logins = set(
            s.exec(
                select(AuditEvent.actor_login).where(
                    AuditEvent.action.in_(["user.create", "user.deactivate", "user.set_active"])
                )
            ).all()
        )
    # init by the OS account; the rest by the CLI's user, who proved who they are [issue 9]
    assert {x for x in logins if not x.startswith("os:")} == {"admin"}


def test_import_plan_from_csv(db, tmp_path, capsys, fast_argon2) -> None:
    """The teacher's КТП (topics with hours) is loaded for one class and subject [002 §2.3]."""
    from tests.school import build

    build(db)
    plan = tmp_path / "ktp.csv"
    plan.write_text("тема;часы\nНатуральные числа;2\nДроби;3\n", encoding="utf-8")
    args = [
        "import",
        "plan",
        str(plan),
        "--class",
        "5А",
        "--subject",
        "математика",
        "--db",
        str(db.path),
        *cli_identity(db, "zavuch", tmp_path),
    ]
    assert main(args) == 1  # 5 hours against the curriculum's: refused, with the figures
    assert "План не загружен" in capsys.readouterr().err
    assert main([*args, "--allow-mismatch"]) == 0
    out, err = capsys.readouterr()
    assert "тем: 2" in out
    assert "Внимание: В плане 5 ч — на" in err
    from sqlmodel import select

    from zhurnal.core.models import PlanItem

    with db.read() as s:
        assert [
            (p.topic, p.hours) for p in s.exec(select(PlanItem).order_by(PlanItem.position))
        ] == [("Натуральные числа", 2), ("Дроби", 3)]
    bad = [
        "import",
        "plan",
        str(plan),
        "--class",
        "9Я",
        "--subject",
        "Математика",
        "--db",
        str(db.path),
        *args[-4:],
    ]
    assert main(bad) == 1
    assert "Класса «9Я» нет" in capsys.readouterr().err
