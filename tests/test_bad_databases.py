"""A database that cannot be used is a Russian message, exit 2, and nothing made
[issue 11 «No traceback, ever»]: a file that is not a database, one that cannot be read,
read-only, a full disk, an unknown address, an unreachable PostgreSQL, its driver
missing.  And a mistyped ``--db`` (or ``ZHURNAL_DATABASE_URL``, or the config file's
address) is refused for every command but ``init`` and ``demo`` — the TUI's start too,
before it takes the terminal — instead of opening a new, empty school.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.conftest import cli_identity, make_db
from zhurnal.cli.main import main
from zhurnal.core.config import ENV_URL

ENGLISH = ("Traceback", "Error", "error", "sqlite3", "sqlalchemy", "Errno")


def refused(argv: list[str], capsys, fragment: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and fragment in err, err
    assert not any(word in err for word in ENGLISH), err
    return err


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- what is there is not a usable database ----------------------------------------------


@pytest.mark.parametrize(
    "data", [b"school register\n", bytes(range(256)) * 16, b"SQLite format 3"], ids=str
)
def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(
    tmp_path, capsys, data: bytes
) -> None:
    path = tmp_path / "school.db"
    path.write_bytes(data)
    for argv in (["policy", "show"], ["init"], ["verify"], ["recover", "admin"]):
        refused([*argv, "--db", str(path)], capsys, "не база журнала (это не файл SQLite)")
    assert path.read_bytes() == data and listing(tmp_path) == ["school.db"]


def test_an_empty_file_holds_no_school_and_stays_empty(tmp_path, capsys) -> None:
    path = tmp_path / "school.db"
    path.touch()
    err = refused(["policy", "show", "--db", str(path)], capsys, "нет журнала школы")
    assert f"zhurnal init --db {path}" in err
    assert path.stat().st_size == 0 and listing(tmp_path) == ["school.db"]


def test_an_unreadable_file_is_refused(tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "school.db"
    make_db(path).dispose()
    opened = Path.open

    def closed(self, *args, **kwargs):  # chmod 000 means nothing to root: the OS's answer
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", closed)
    refused(["policy", "show", "--db", str(path)], capsys, "не открывается: нет прав доступа")


@pytest.fixture
def school(tmp_path, fast_argon2):
    from zhurnal.core.db import Database

    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    db = Database.open(path)
    identity = cli_identity(db, "admin", tmp_path)
    db.dispose()
    return path, identity


def _subjects(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT * FROM subject").fetchall()


def test_a_read_only_database_refuses_a_write(school, capsys) -> None:
    """Opened read-only (a copy on read-only media, a file without write rights): a
    change is refused with the reason, nothing written."""
    path, identity = school
    capsys.readouterr()
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    before = _subjects(path)
    refused(["subject", "add", "Астрономия", "--db", url, *identity], capsys, "только для чтения")
    assert _subjects(path) == before


def _policy(path: Path) -> str:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT value FROM setting WHERE key = 'policy'").fetchone()[0]


def test_a_full_disk_is_refused_and_nothing_half_written(
    school, tmp_path, capsys, monkeypatch
) -> None:
    """SQLite's own «disk full» (``max_page_count`` held at the file's size): the new
    rules, 200 KB with their comments, do not fit; nothing is written and the user is
    told to free space."""
    from zhurnal.core import db as dbmodule
    from zhurnal.core.policy import preset_text

    path, identity = school
    capsys.readouterr()
    install = dbmodule._install_sqlite_listeners

    def full(engine) -> None:
        install(engine)

        @event.listens_for(engine, "connect")
        def _no_room(dbapi_connection, _record) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(dbmodule, "_install_sqlite_listeners", full)
    rules = tmp_path / "rules.toml"
    rules.write_text(preset_text("002") + "# комментарий\n" * 12_000, encoding="utf-8")
    before = _policy(path)
    refused(["policy", "set", str(rules), "--db", str(path), *identity], capsys, "нет места")
    assert _policy(path) == before


# --- an address that leads nowhere --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("foo://host/school", "тип «foo» журналу неизвестен"),
        ("mysql://u@localhost/school", "тип «mysql» журналу неизвестен"),
        ("://school", "не понят"),
        ("postgresql+psycopg://u@h:port/x", "не понят"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/school", "сервер PostgreSQL не отвечает"),
        ("postgresql+psycopg://u@/school?host=/nonexistent", "сервер PostgreSQL не отвечает"),
    ],
)
def test_an_address_that_leads_nowhere_is_refused(tmp_path, capsys, url, fragment) -> None:
    err = refused(["policy", "show", "--db", url], capsys, fragment)
    assert "secret" not in err  # the password is never shown


def test_without_psycopg_the_postgres_address_says_what_to_install(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # «import psycopg» fails
    err = refused(
        ["policy", "show", "--db", "postgresql+psycopg://u@127.0.0.1:1/school"],
        capsys,
        "драйвер psycopg, а он не установлен",
    )
    assert "zhurnal[postgres]" in err


def test_postgres_without_the_database_or_with_an_empty_one(capsys) -> None:
    """A database name mistyped on a live server, an empty database: refused, and the
    empty one is left empty (no tables made by a command that does not create)."""
    from sqlalchemy import create_engine, inspect

    from tests import pg

    server = pg.server()
    refused(["policy", "show", "--db", server.url("no_such_db")], capsys, "нет такой базы")
    url = server.fresh()
    try:
        refused(["user", "list", "--db", url, "--as", "admin"], capsys, "нет журнала школы")
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                assert inspect(conn).get_table_names() == []
        finally:
            engine.dispose()
    finally:
        server.drop(url)


# --- a mistyped address opens no new school ------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["policy", "show"],
        ["user", "list", "--as", "admin"],
        ["subject", "add", "Химия", "--as", "admin"],
        ["import", "marks", "{file}", "--as", "admin"],
        ["rollover", "next", "--as", "admin"],
        ["recover", "admin"],
        ["ssh-key", "list", "--authorized-keys", "{keys}"],
        [],  # the TUI
    ],
    ids=lambda a: " ".join(a[:2]) or "tui",
)
def test_a_mistyped_db_is_refused_not_created(tmp_path, capsys, monkeypatch, argv) -> None:
    monkeypatch.setattr("zhurnal.tui.app.run", lambda *a, **k: pytest.fail("the TUI started"))
    marks = tmp_path / "marks.csv"
    marks.write_text("дата;урок;класс;предмет;ученик;вид;отметка\n01.12.2026;1;5А;М;И;к;5\n")
    argv = [a.format(file=marks, keys=tmp_path / "keys") for a in argv]
    typo = tmp_path / "shcool.db"
    err = refused(["--db", str(typo), *argv], capsys, f"Базы «{typo}» нет")
    assert f"zhurnal init --db {typo}" in err
    assert not typo.exists() and listing(tmp_path) == ["marks.csv"]


def test_init_creates_where_no_school_was(tmp_path, capsys) -> None:
    path = tmp_path / "new" / "school.db"
    assert main(["init", "--db", str(path)]) == 0
    assert path.exists() and "База школы создана" in capsys.readouterr().out


def test_a_garbage_environment_address_creates_no_file(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_URL, "garbage")
    refused(["policy", "show"], capsys, f"проверьте переменную окружения {ENV_URL}")
    refused([], capsys, "garbage")  # the TUI's start
    assert listing(tmp_path) == []


def test_the_config_files_address_is_checked_too(tmp_path, capsys, monkeypatch) -> None:
    config = tmp_path / "zhurnal.conf"
    config.write_text(f"database_url = {tmp_path / 'typo.db'}\n", encoding="utf-8")
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setattr("zhurnal.core.config._config_files", lambda: [config])
    refused(["policy", "show"], capsys, f"в файле настроек {config}")
    config.write_bytes(b"\xff\xfe\x00binary")
    refused(["policy", "show"], capsys, "не текст в UTF-8")
    assert listing(tmp_path) == ["zhurnal.conf"]


def test_no_school_yet_says_how_to_make_one(tmp_path, capsys, monkeypatch) -> None:
    """``zhurnal`` on a new computer: no database where it looks by default."""
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setattr("zhurnal.core.config._config_files", lambda: [])
    monkeypatch.setattr("zhurnal.core.config.default_db_path", lambda: tmp_path / "z.db")
    monkeypatch.setattr("zhurnal.tui.app.run", lambda *a, **k: pytest.fail("the TUI started"))
    err = refused([], capsys, "Школа ещё не создана")
    assert "zhurnal init" in err and "zhurnal demo" in err
    assert listing(tmp_path) == []
