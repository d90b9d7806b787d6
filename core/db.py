"""Engines and sessions.

SQLite (the embedded default) is opened in WAL mode with foreign keys on, a busy
timeout and ``synchronous=FULL``: the WAL is synced at every commit, so a save that was
acknowledged survives a power cut (``NORMAL`` may lose the last ones; the cost is in
``bench/README.md``).  Following SQLAlchemy's documented pysqlite recipe, the driver's
own transaction handling is switched off and we emit BEGIN ourselves: write
transactions (``Database.write()``) start with ``BEGIN IMMEDIATE`` so two
writers never deadlock on a lock upgrade; reads (``Database.read()``) use a
plain deferred BEGIN and, under WAL, never hold the write lock.  Sessions are
short: one per service call, never open while a user thinks.

PostgreSQL is the same code with another URL (``postgresql+psycopg://…``, the
``postgres`` extra): the PRAGMAs, ``BEGIN IMMEDIATE`` and the file's mode are SQLite's
only; there the optimistic checks are atomic statements (``models.Versioned``) and the
few read-then-insert paths lock the row they hang on (``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from zhurnal.core import yearlock
from zhurnal.core.config import resolve_database_url
from zhurnal.core.dbcheck import DatabaseUnavailable, failure_reason, folder_refusal, sqlite_path
from zhurnal.core.errors import ValidationError
from zhurnal.core.files import os_reason

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "zhurnal_write"


def _prepare_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask)."""
    path = sqlite_path(make_url(url))
    if path is None:
        return
    if path.is_dir():
        raise folder_refusal(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    except OSError as exc:
        raise ValidationError(
            f"Файл базы «{path}» не создаётся: {os_reason(exc, 'ошибка системы')}."
        ) from None


def _install_sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = FULL")  # a commit is on disk when acknowledged
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            _begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for another writer in steps of a millisecond.

    SQLite's own busy handler backs off to sleeps of 25, 50 and then 100 ms between its
    tries, so a save that meets another one's transaction may sleep on for up to 100 ms
    after the lock is free — the tail of sixty teachers' save latency (``bench/``).  A try
    costs microseconds: here the wait (``BUSY_TIMEOUT_MS`` in all) tries every millisecond
    for the first second, every 10 ms after; the last try's error is SQLAlchemy's, which
    ``core.dbcheck`` explains in Russian."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    started = time.monotonic()
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while (waited := time.monotonic() - started) < BUSY_TIMEOUT_MS / 1000:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.Error as exc:  # any other error: SQLAlchemy's try below raises it
                if "locked" not in str(exc):
                    break
            time.sleep(0.001 if waited < 1 else 0.01)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        _install_sqlite_listeners(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class Database:
    """One school's database: the engine plus the write/read session factories."""

    url: str
    engine: Engine

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Database:
        url = resolve_database_url(db)
        database = cls(url=url, engine=make_engine(url))
        if upgrade:
            from zhurnal.core.migrate import upgrade_to_head

            upgrade_to_head(database.engine)
        return database

    @cached_property
    def _writer(self) -> Engine:
        """The engine whose transactions begin as writes (``BEGIN IMMEDIATE``)."""
        return self.engine.execution_options(**{WRITE_OPTION: True})

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: BEGIN IMMEDIATE on SQLite; commit on success."""
        # a closed year is read-only [000 §5.2.1]: the session's flushes are watched
        with yearlock.WatchedSession(self._writer, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                session.rollback()
                self.raise_unavailable(exc)
                raise
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session; rolled back at the end, never holds the write lock."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except SQLAlchemyError as exc:
                self.raise_unavailable(exc)
                raise
            finally:
                session.expunge_all()  # rows read here stay readable after the rollback
                session.rollback()

    def raise_unavailable(self, exc: SQLAlchemyError) -> None:
        """A database error that is the environment's (read-only, the disk full, the
        server gone: ``core.dbcheck``) raised as a Russian ``DatabaseUnavailable``."""
        reason = failure_reason(exc, self.url)
        if reason:
            raise DatabaseUnavailable(reason) from exc

    @staticmethod
    def is_unique_violation(exc: Exception) -> bool:
        """An ``IntegrityError`` from a unique key (SQLite's message, PostgreSQL's 23505)."""
        orig = getattr(exc, "orig", None)
        return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)

    def dispose(self) -> None:
        self.engine.dispose()
