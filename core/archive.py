"""Closing a school year with its archive copy [000 §5.2.1; 003 §6.5; 002 §2.9].

«В конце каждого учебного года электронные классные журналы проходят процедуру
архивации» [003 §6.5]; the archive «предусматривает контроль за … целостностью»
[002 §2.9].  ``close_year``:

1. closes the year (``core.services.rollover.close_year``: the administrator, after the
   year's last day) — from then the year is read-only (``core.yearlock``);
2. on SQLite, copies the database with SQLite's online backup API (sessions keep working)
   into ``archive/2026-2027.db`` next to the database, or into the folder given (the file
   0600, a new folder 0700; an existing copy is never overwritten), and checks the copy
   with the checks of ``zhurnal verify`` (integrity, the audit chain, marks and lessons
   against the log) and that the year is closed in it;
3. records the copy's path, size, SHA-256 and chain head in the audit log, and writes
   ``2026-2027.sha256`` beside it (``sha256sum -c`` reads it).

If the copy cannot be made or fails the check, the year is opened again (audited) and the
error says why: a year is never left closed without a verified copy.  On PostgreSQL the
copy is made with ``pg_dump`` outside the program; the year is closed and the result says
so (the audit log records it too).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.files import os_reason
from zhurnal.core.models import SchoolYear
from zhurnal.core.services import rollover
from zhurnal.core.verify import verify

PG_NOTE = (
    "База PostgreSQL: архивную копию делает pg_dump — например, "
    "pg_dump -Fc -f {name}.dump <адрес базы>; сохраните её вместе с контрольной суммой "
    "(sha256sum {name}.dump > {name}.sha256)."
)


@dataclass(frozen=True)
class ArchiveCopy:
    path: Path
    size: int
    sha256: str
    chain_head: str
    events: int


@dataclass(frozen=True)
class YearClosed:
    year: str
    archive: ArchiveCopy | None
    note: str = ""  # how to make the copy when the program cannot (PostgreSQL)


def archive_name(year_name: str) -> str:
    return year_name.replace("/", "-").replace(" ", "_")


def archive_path(db: Database, year_name: str, folder: str | Path | None = None) -> Path:
    base = Path(folder) if folder else (db.path or Path(".")).resolve().parent / "archive"
    return base / f"{archive_name(year_name)}.db"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_target(target: Path) -> None:
    if target.exists():
        raise ValidationError(
            f"Архивная копия {target} уже есть: перенесите её или укажите другую папку."
        )
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"Папка архива {target.parent} не создаётся: {os_reason(exc, 'ошибка системы')}."
        ) from None
    if not os.access(target.parent, os.W_OK):
        raise ValidationError(f"В папку архива {target.parent} нельзя записать: нет прав.")


def write_copy(db: Database, target: Path, year_id: int) -> ArchiveCopy:
    """Copy the SQLite database to ``target`` (online backup) and verify the copy."""
    source_path = db.path
    if source_path is None:
        raise ValidationError("Копию этим способом делают только для базы SQLite.")
    part = target.with_name(target.name + ".part")
    fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(part)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        checked = Database.open(part, upgrade=False)
        try:
            report = verify(checked)
            with checked.read() as session:
                year = session.exec(select(SchoolYear).where(SchoolYear.id == year_id)).first()
        finally:
            checked.dispose()
        if not report.ok:
            raise DomainError("Архивная копия не прошла проверку:\n" + report.text())
        if year is None or not year.closed:
            raise DomainError("В архивной копии учебный год не отмечен закрытым.")
        os.replace(part, target)
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            leftover.unlink(missing_ok=True)
    chain = report.chain
    return ArchiveCopy(
        target, target.stat().st_size, sha256_of(target), chain.head_hash, chain.events
    )


def close_year(
    db: Database, actor: Actor, year_id: int, folder: str | Path | None = None
) -> YearClosed:
    """Close the year and archive it (see the module docstring)."""
    if not db.is_sqlite:
        view = rollover.close_year(db, actor, year_id)
        note = PG_NOTE.format(name=archive_name(view.name))
        rollover.record_archive(db, actor, year_id, {"method": "pg_dump", "note": note})
        return YearClosed(view.name, None, note)
    with db.read() as session:
        year = session.get(SchoolYear, year_id)
        name = year.name if year is not None else str(year_id)
    target = archive_path(db, name, folder)
    _check_target(target)
    view = rollover.close_year(db, actor, year_id)
    try:
        copy = write_copy(db, target, year_id)
    except (DomainError, OSError, sqlite3.Error) as exc:
        why = exc.message if isinstance(exc, DomainError) else str(exc)
        rollover.undo_close(db, actor, year_id, why)
        raise DomainError(
            f"Учебный год {view.name} не закрыт: архивная копия не сделана. {why}"
        ) from None
    (target.with_suffix(".sha256")).write_text(f"{copy.sha256}  {target.name}\n", encoding="utf-8")
    target.with_suffix(".sha256").chmod(0o600)
    rollover.record_archive(
        db,
        actor,
        year_id,
        {
            "path": str(copy.path),
            "size": copy.size,
            "sha256": copy.sha256,
            "chain_head": copy.chain_head,
            "events": copy.events,
            "verified": True,
        },
    )
    return YearClosed(view.name, copy)
