"""Bad input on the command line ends in a Russian «Ошибка: …» and a non-zero exit, never
a traceback, and creates or writes nothing: ``--db`` naming a folder, an unreadable policy
file, import files in another encoding or not text at all, the operating system's English
error texts.  And the CLI twins of the «Пользователи» screen's «Роли» and
«Разблокировать»."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests.conftest import cli_identity, signed
from tests.test_import_marks import HEADER, datetime_now
from tests.test_school_services import db_state
from tests.test_timetable_admin import TS, xlsx
from tests.test_timetable_admin import ts as timetable_school
from zhurnal.cli.main import main
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.files import os_reason, read_bytes
from zhurnal.core.models import Mark, PlanItem, User

ENGLISH = ("Is a directory", "No such file", "Permission denied", "Errno", "Traceback")


def english_free(text: str) -> bool:
    return not any(e in text for e in ENGLISH)


# --- --db naming a folder ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["init"],
        ["verify"],
        ["demo", "--no-ui"],
        ["policy", "show"],
        ["recover", "admin"],
        ["user", "list", "--as", "admin", "--password-file", "x"],
        ["student", "arrive", "Иванов Иван", "--birth", "01.01.2015", "--class", "5А",
         "--order", "1", "--as", "admin", "--password-file", "x"],
        ["rollover", "next", "--as", "admin", "--password-file", "x"],
    ],
)  # fmt: skip
def test_db_that_is_a_folder_is_refused_and_nothing_is_made(tmp_path, capsys, argv) -> None:
    folder = tmp_path / "школа"
    folder.mkdir()
    for db_first in (True, False):
        full = ["--db", str(folder), *argv] if db_first else [*argv, "--db", str(folder)]
        assert main(full) == 2
        err = capsys.readouterr().err
        assert err.startswith("Ошибка: ") and "это папка, а нужен файл базы" in err
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["школа"]


# --- init --policy-file --------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.write_bytes(bytes(range(256)) * 4), "не текст в UTF-8"),
        (lambda p: p.mkdir(), "это папка, а нужен файл"),
        (lambda p: None, "такого файла нет"),
        (lambda p: p.write_text("work_types = 5\n", encoding="utf-8"), "work_types"),
    ],
)
def test_init_checks_the_policy_file_before_creating_the_database(
    tmp_path, capsys, make, fragment
) -> None:
    policy = tmp_path / "rules.toml"
    make(policy)
    target = tmp_path / "school.db"
    assert main(["init", "--db", str(target), "--policy-file", str(policy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and fragment in err and english_free(err)
    assert not target.exists()


def test_init_with_an_unknown_preset_creates_nothing(tmp_path, capsys) -> None:
    target = tmp_path / "school.db"
    assert main(["init", "--db", str(target), "--policy", "нет-такого"]) == 2
    assert "Нет такого набора" in capsys.readouterr().err
    assert not target.exists()


# --- import marks --------------------------------------------------------------------


@pytest.fixture
def w(db, monkeypatch, fast_argon2):
    from tests.school import build

    world = build(db)
    import zhurnal.core.actor

    monkeypatch.setattr(zhurnal.core.actor.Actor, "now", lambda self: datetime_now())
    return world


MARKS = HEADER + "23.11.2026;1;5А;Математика;Антонов Антон;Контрольная работа;5\n"


def _marks(db) -> int:
    with db.read() as s:
        return s.exec(select(func.count(Mark.id))).one()


def _import_marks(db, path) -> int:
    return main(signed(db, ["import", "marks", str(path), "--as", "uchitel", "--db", str(db.path)]))


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_import_marks_reads_the_encodings_excel_writes(w, tmp_path, capsys, encoding) -> None:
    """[001 §2.1] A results file saved by Excel in cp1251 or UTF-16 loads as UTF-8 does."""
    path = tmp_path / "marks.csv"
    path.write_bytes(MARKS.encode(encoding))
    assert _import_marks(w.db, path) == 0
    assert "Загружено отметок: 1" in capsys.readouterr().out
    assert _marks(w.db) == 1


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.write_bytes(b"\x89PNG\x00\x01\x02\xff\xfe" * 50), "не читается"),
        (lambda p: p.mkdir(), "это папка, а нужен файл"),
        (lambda p: None, "такого файла нет"),
    ],
)  # fmt: skip
def test_import_marks_refuses_what_is_not_a_text_file(w, tmp_path, capsys, make, fragment) -> None:
    path = tmp_path / "marks.csv"
    make(path)
    signed(w.db, ["--as", "uchitel"])  # the password set before the state is taken
    before = db_state(w.db)
    assert _import_marks(w.db, path) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and fragment in err and english_free(err)
    assert db_state(w.db) == before


# --- import plan ---------------------------------------------------------------------


ts = timetable_school  # the fixture: 5Б Математика, Иванова


def _import_plan(ts: TS, path) -> int:
    args = ["import", "plan", str(path), "--class", "5Б", "--subject", "Математика",
            "--allow-mismatch", "--as", "ivanova", "--db", str(ts.db.path)]  # fmt: skip
    return main(signed(ts.db, args))


def _topics(ts: TS) -> list[str]:
    with ts.db.read() as s:
        return list(s.exec(select(PlanItem.topic).where(PlanItem.course_id == ts.m5)))


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])
def test_import_plan_reads_cp1251_and_utf16_as_the_screen_does(
    ts: TS, tmp_path, capsys, encoding
) -> None:
    path = tmp_path / "ktp.csv"
    path.write_bytes("тема;часы\nДроби;100\nПроценты;70\n".encode(encoding))
    assert _import_plan(ts, path) == 0
    assert "тем: 2" in capsys.readouterr().out
    assert sorted(_topics(ts)) == ["Дроби", "Проценты"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("ktp.xlsx", b"not a zip at all", "не читается как книга Excel"),
        ("ktp.csv", bytes(range(256)) * 4, "Файл плана не читается"),
        ("ktp.xlsx", xlsx([("тема", "часы"), ("Дроби", "много")]), "Строка 2"),
    ],
    ids=["not-a-zip", "binary-csv", "bad-hours"],
)
def test_import_plan_refuses_a_broken_file_in_russian(
    ts: TS, tmp_path, capsys, name, data, fragment
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    signed(ts.db, ["--as", "ivanova"])
    before = db_state(ts.db)
    assert _import_plan(ts, path) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and fragment in err and english_free(err)
    assert "zip" not in err and db_state(ts.db) == before


# --- the operating system's reasons in Russian -----------------------------------------


def test_os_reasons_are_russian(tmp_path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    cases = {
        "nope": "такого файла нет",
        "folder": "это папка, а нужен файл",
        "file/inner": "в пути вместо папки стоит файл",
    }
    for name, fragment in cases.items():
        with pytest.raises(ValidationError) as caught:
            read_bytes(tmp_path / name)
        assert fragment in caught.value.message and english_free(caught.value.message)
    assert os_reason(PermissionError(13, "Permission denied")) == "нет прав доступа"
    assert os_reason(OSError(5, "Input/output error")) == "файл не читается"


def test_the_tui_file_reader_speaks_russian(tmp_path) -> None:
    from zhurnal.tui.screens.setup_base import read_file

    with pytest.raises(ValidationError) as caught:
        read_file(str(tmp_path))
    assert "это папка, а нужен файл" in caught.value.message


# --- zhurnal user roles | unlock -----------------------------------------------------


@pytest.fixture
def school(tmp_path, capsys, fast_argon2):
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    db = Database.open(path)
    admin = cli_identity(db, "admin", tmp_path)
    add = ["user", "add", "ivanova", "Иванова Анна Петровна", "--roles", "teacher"]
    assert main([*add, "--db", str(path), *admin]) == 0
    capsys.readouterr()
    yield db, admin, cli_identity(db, "ivanova", tmp_path)
    db.dispose()


def _user(db, login: str) -> User:
    with db.read() as s:
        return s.exec(select(User).where(User.login == login)).one()


def test_user_roles_replaces_the_roles_004_5(school, capsys) -> None:
    """[004 §5] The administrator gives a teacher the deputy's role from the terminal."""
    db, admin, _ = school
    argv = ["user", "roles", "ivanova", "--roles", "teacher,deputy", "--db", db.url, *admin]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Учитель" in out and "Заместитель директора" in out
    assert _user(db, "ivanova").role_set() == {"teacher", "deputy"}


def test_user_roles_refusals(school, capsys) -> None:
    """A teacher manages no one; the administrator cannot take the admin role from
    themselves (the last administrator's too); unknown roles are named."""
    db, admin, teacher = school
    before = db_state(db)
    own = ["user", "roles", "ivanova", "--roles", "teacher,admin", "--db", db.url, *teacher]
    assert main(own) == 1
    assert "администратор" in capsys.readouterr().err
    last = ["user", "roles", "admin", "--roles", "teacher", "--db", db.url, *admin]
    assert main(last) == 1
    assert "Нельзя снять роль администратора" in capsys.readouterr().err
    bad = ["user", "roles", "ivanova", "--roles", "king", "--db", db.url, *admin]
    assert main(bad) == 1
    assert "king" in capsys.readouterr().err
    assert db_state(db) == before


def test_user_unlock_lifts_a_lockout(school, capsys) -> None:
    db, admin, teacher = school
    with db.write() as s:
        user = s.exec(select(User).where(User.login == "ivanova")).one()
        user.failed_attempts = 5
        user.locked_until = datetime_now() + timedelta(days=3650)
    argv = ["user", "unlock", "ivanova", "--db", db.url]
    assert main([*argv, *teacher]) == 1  # locked out herself, and no administrator
    capsys.readouterr()
    assert _user(db, "ivanova").failed_attempts == 5
    assert main([*argv, *admin]) == 0
    assert "Блокировка входа снята: ivanova" in capsys.readouterr().out
    user = _user(db, "ivanova")
    assert user.failed_attempts == 0 and user.locked_until is None
