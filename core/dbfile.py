"""The SQLite file as a whole: read-only opening, ``zhurnal backup`` and ``zhurnal restore``.

- ``open_read_only``: a copy on read-only media (an archive years later) is opened with
  SQLite's ``immutable=1`` URI: nothing is written — no ``-wal``/``-shm`` beside it, no
  journal-mode switch, no migration.  ``zhurnal verify`` uses it when the file or its
  folder has no write permission bit, or with ``--read-only``; any other file it opens
  ``mode=ro``, so that verifying a backup or an archive never changes its bytes.
- ``backup``: SQLite's online backup API copies the database in one read transaction, so
  the copy is one consistent moment while teachers go on writing (WAL: readers do not
  block writers).  The copy is a new file (an existing one is never overwritten), 0600, in
  rollback-journal mode (one self-contained file), and is checked like ``zhurnal verify``
  before it takes its name.
- ``restore``: the source must be a zhurnal database that passes ``zhurnal verify``
  (integrity, the chain, every tracked row); the current database is first copied to
  ``NAME.before-restore-<time>``; then the source is written into the database with the
  same backup API — one write transaction under the database's own lock, so sessions still
  connected see either the old or the restored register, never a mix, and no open
  connection is left writing to an unlinked file (as a rename under them would).  The
  restore is recorded in the restored database's audit log.

PostgreSQL: ``pg_dump`` / ``pg_restore`` (README «Резервные копии»); the commands say so.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlmodel import create_engine

from zhurnal.core import audit
from zhurnal.core.anchors import Head
from zhurnal.core.archive import sha256_of
from zhurnal.core.db import BUSY_TIMEOUT_MS, Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.files import os_reason
from zhurnal.core.verify import VerifyReport, verify

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_BACKUP = (
    "База PostgreSQL: резервную копию делает pg_dump, восстанавливает pg_restore "
    "(README, «Резервные копии»), например: pg_dump -Fc -f school.dump <адрес базы>."
)
RESTORE_ACTION = "db.restore"


def is_read_only(path: Path) -> bool:
    """The file or its folder cannot be written, or has no write bit (root can write
    through permissions, but a copy marked read-only is not to be touched)."""
    folder = path.resolve().parent
    for target in (path, folder):
        if not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222:
            return True
    return False


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"


def open_read_only(path: Path, immutable: bool = True) -> Database:
    """The database at ``path``, opened so that nothing is ever written (see above).
    ``immutable=False`` (``mode=ro``) is for a live database other sessions write: it
    reads a consistent snapshot under SQLite's locks, and still never changes the file
    (a normal opening would switch a copy's journal mode, changing its bytes and so its
    recorded SHA-256)."""
    uri = _uri(path, immutable="1") if immutable else _uri(path, mode="ro")
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
    )
    return Database(url=f"sqlite:///{path}", engine=engine)


def check_is_register(path: Path) -> None:
    """A SQLite file with the register's tables, or a ``ValidationError`` saying what."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ValidationError(f"Файл {path} не открывается: {os_reason(exc)}.") from None
    if magic != SQLITE_MAGIC:
        raise ValidationError(f"{path} — не файл базы SQLite: восстанавливать из него нечего.")
    db = open_read_only(path)
    try:
        tables = set(inspect(db.engine).get_table_names())
    except DBAPIError:  # a damaged file: SQLite's own error is English and technical
        raise ValidationError(f"{path}: файл базы повреждён, SQLite его не читает.") from None
    finally:
        db.dispose()
    if not {"audit_event", "audit_head", "user", "alembic_version"} <= tables:
        raise ValidationError(f"{path} — база SQLite, но не база электронного журнала.")


def verify_file(path: Path) -> VerifyReport:
    db = open_read_only(path)
    try:
        return verify(db)
    finally:
        db.dispose()


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int
    sha256: str
    head: Head
    events: int


def _copy_into(source: Path, target: sqlite3.Connection) -> None:
    """The whole of ``source`` into ``target`` in one step (one read transaction)."""
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(target)
    finally:
        src.close()


def _new_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise ValidationError(
            f"Файл {path} уже есть: копия не записывается поверх — укажите новое имя."
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"Файл {path} не создаётся: {os_reason(exc, 'ошибка системы')}."
        ) from None
    os.close(fd)


def backup(source: Path, dest: Path) -> Copy:
    """A consistent, verified copy of the live database ``source`` at the new ``dest``."""
    if dest.exists():
        raise ValidationError(
            f"Файл {dest} уже есть: копия не записывается поверх — укажите новое имя."
        )
    part = dest.with_name(dest.name + ".part")
    _new_file(part)
    try:
        copy = sqlite3.connect(part)
        try:
            _copy_into(source, copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        with part.open("rb+") as fh:
            os.fsync(fh.fileno())
        report = verify_file(part)
        if not report.ok:
            raise DomainError("Копия не прошла проверку:\n" + report.text())
        try:
            os.link(part, dest)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise ValidationError(
                f"Файл {dest} появился во время копирования: копия не записана."
            ) from None
    except sqlite3.Error as exc:
        raise DomainError(f"Копия не сделана: SQLite: {exc}.") from None
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm"), Path(f"{part}-journal")):
            leftover.unlink(missing_ok=True)
    chain = report.chain
    return Copy(dest, dest.stat().st_size, sha256_of(dest), report.head, chain.events)


@dataclass(frozen=True)
class Restored:
    source: Copy
    kept: Path | None  # the database as it was before, or None if there was none
    replaced_head: Head | None


def restore(source: Path, target: Path, by: str, now: datetime) -> Restored:
    """Put the checked copy ``source`` back as the database ``target`` (see above)."""
    check_is_register(source)
    report = verify_file(source)
    if not report.ok:
        raise DomainError(
            f"Копия {source} не прошла проверку — восстанавливать из неё нельзя:\n" + report.text()
        )
    kept, replaced = None, None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%S}")
        replaced = backup_raw(target, kept)
    else:
        _new_file(target)  # 0600, as ``Database.open`` makes a new one
    try:
        live = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            _copy_into(source, live)
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise DomainError(
            f"База не восстановлена: SQLite: {exc}. Прежняя база не изменена"
            + (f", её копия — {kept}." if kept else ".")
        ) from None
    db = Database.open(target, upgrade=True)  # a copy from an older version is upgraded
    try:
        with db.write() as session:
            audit.append(
                session,
                ts=now,
                actor_id=None,
                actor_login=by,
                action=RESTORE_ACTION,
                after={
                    "from": str(source),
                    "sha256": sha256_of(source),
                    "restored_head": str(report.head),
                    "replaced_head": str(replaced) if replaced else None,
                    "kept": str(kept) if kept else None,
                },
            )
    finally:
        db.dispose()
    copy = Copy(source, source.stat().st_size, sha256_of(source), report.head, report.chain.events)
    return Restored(copy, kept, replaced)


def backup_raw(source: Path, dest: Path) -> Head | None:
    """Copy the database as it is (even if it fails ``verify``: it is kept, not trusted);
    its chain head, if it has one."""
    _new_file(dest)
    try:
        copy = sqlite3.connect(dest)
        try:
            _copy_into(source, copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            row = copy.execute("SELECT last_event_id, last_hash FROM audit_head").fetchone()
        finally:
            copy.close()
    except sqlite3.Error as exc:
        dest.unlink(missing_ok=True)
        raise DomainError(
            f"Текущую базу {source} не скопировать перед восстановлением: SQLite: {exc}. "
            "Ничего не изменено."
        ) from None
    from zhurnal.core.anchors import head_of

    return head_of(row[0], row[1]) if row else None
