"""The embedded database as DESIGN.md "Many sessions, one database" requires."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time

import pytest
from sqlalchemy import text

from zhurnal.core import config
from zhurnal.core import db as db_module
from zhurnal.core.db import Database
from zhurnal.core.dbcheck import DatabaseUnavailable
from zhurnal.core.migrate import current_revision, head_revision


def test_sqlite_file_is_private_wal_with_foreign_keys(tmp_path) -> None:
    db = Database.open(tmp_path / "sub" / "school.db")
    assert stat.S_IMODE((tmp_path / "sub" / "school.db").stat().st_mode) == 0o600
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        # FULL: the WAL is synced at every commit, so an acknowledged save survives a
        # power cut (NORMAL may lose the last ones) [issue 10]
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.write() as s:
            s.execute(
                text(
                    "INSERT INTO lesson (course_id, date, number, room, topic, homework,"
                    " topic_late, homework_late, attendance_late, cancelled, version)"
                    " VALUES (999, '2026-11-23', 1, '', '', '', 0, 0, 0, 0, 1)"
                )
            )


def test_schema_is_at_alembic_head_and_an_older_file_is_upgraded(tmp_path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # an empty database from "an older version"
    db = Database.open(path)
    assert current_revision(db.engine) == head_revision()
    # Opening again is a no-op.
    Database.open(path)
    assert current_revision(db.engine) == head_revision()


def test_write_transactions_begin_immediate(tmp_path) -> None:
    """A second writer waits at BEGIN (it cannot deadlock on a lock upgrade later)."""
    db = Database.open(tmp_path / "s.db")
    started = threading.Event()
    release = threading.Event()

    def hold_write_lock() -> None:
        with db.write() as s:
            s.execute(text("SELECT 1"))  # BEGIN IMMEDIATE already took the write lock
            started.set()
            release.wait(5)

    t = threading.Thread(target=hold_write_lock)
    t.start()
    started.wait(5)
    other = sqlite3.connect(tmp_path / "s.db", timeout=0.2, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    # ... while a reader is not blocked (WAL).
    assert other.execute("SELECT count(*) FROM setting").fetchone() == (0,)
    release.set()
    t.join()
    other.close()


def _hold_the_write_lock(path, seconds: float) -> threading.Thread:
    """Another process's writer (a plain connection) holding the lock for ``seconds``."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("ROLLBACK")
        holder.close()

    t = threading.Thread(target=release)
    t.start()
    return t


def test_a_writer_waits_for_another_and_then_writes(tmp_path) -> None:
    """A save meeting another writer waits for it (ours tries again every millisecond, not
    SQLite's backing-off sleeps) and then goes in: nothing is refused."""
    db = Database.open(tmp_path / "s.db")
    holder = _hold_the_write_lock(tmp_path / "s.db", 0.3)
    t0 = time.monotonic()
    with db.write() as s:
        s.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
    assert time.monotonic() - t0 >= 0.25  # it did wait for the other writer
    holder.join()
    with db.read() as s:
        assert s.execute(text("SELECT value FROM setting WHERE key = 'x'")).scalar() == "y"
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == db_module.BUSY_TIMEOUT_MS


def test_a_writer_blocked_past_the_busy_timeout_is_told_in_russian(tmp_path, monkeypatch):
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    db = Database.open(tmp_path / "s.db")
    holder = _hold_the_write_lock(tmp_path / "s.db", 1.5)
    try:
        with pytest.raises(DatabaseUnavailable, match="база занята другой записью"):
            with db.write() as s:
                s.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
    finally:
        holder.join()
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM setting WHERE key = 'x'")).scalar() == 0


def test_a_reader_does_not_block_a_writer(tmp_path) -> None:
    db = Database.open(tmp_path / "s.db")
    with db.read() as reader:
        reader.execute(text("SELECT count(*) FROM setting")).scalar()
        t0 = time.monotonic()
        with db.write() as writer:
            writer.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
        assert time.monotonic() - t0 < 2


def test_database_location_precedence(tmp_path, monkeypatch) -> None:
    """--db, else ZHURNAL_DATABASE_URL, else the config file, else the user data dir."""
    conf = tmp_path / "zhurnal.conf"
    conf.write_text("# school\ndatabase_url = /srv/zhurnal/school.db\n", encoding="utf-8")
    monkeypatch.setattr(config, "_config_files", lambda: [tmp_path / "missing.conf", conf])
    monkeypatch.delenv(config.ENV_URL, raising=False)
    assert config.resolve_database_url() == "sqlite:////srv/zhurnal/school.db"
    monkeypatch.setenv(config.ENV_URL, "postgresql+psycopg://zh@localhost/school")
    assert config.resolve_database_url() == "postgresql+psycopg://zh@localhost/school"
    assert config.resolve_database_url(tmp_path / "x.db") == f"sqlite:///{tmp_path}/x.db"
    monkeypatch.delenv(config.ENV_URL)
    monkeypatch.setattr(config, "_config_files", lambda: [])
    monkeypatch.setattr(config, "default_db_path", lambda: tmp_path / "data" / "zhurnal.db")
    assert config.resolve_database_url() == f"sqlite:///{tmp_path}/data/zhurnal.db"


def test_head_revision_matches_alembic() -> None:
    """The cheap head lookup agrees with alembic's own script directory."""
    from alembic.script import ScriptDirectory

    from zhurnal.core.migrate import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrations_build_the_models_schema(tmp_path) -> None:
    """Every table model has its migration (e.g. ``draft``, 0002): autogenerate finds
    nothing left to do on a freshly migrated database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import zhurnal.core.models  # noqa: F401 - registers the tables

    db = Database.open(tmp_path / "m.db")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        db.dispose()
    assert diff == []
