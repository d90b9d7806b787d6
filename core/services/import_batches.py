"""Large imports in short write transactions, all or nothing [issue 10].

A file is validated in full first, in a read transaction that takes no write lock (the
caller's job: ``importer.import_marks``, ``class_lists.import_class_list``). Its rows are
then applied here in chunks, each its own write transaction of at most ``Chunking.rows``
rows, cut short once it has run ``Chunking.seconds``; between two chunks the import
pauses (``Chunking.pause``, longer than a waiting writer's step between two tries) so that
a teacher's save waiting for the lock takes it. A file that fits in one chunk is one
transaction, as before.

The chunks belong to one ``ImportBatch`` row, created by the first chunk's transaction;
each chunk lists the audit events it appended (``ImportChunk``: first and last id, a
contiguous run because the chunk holds the audit head). Every row is written by the same
service as the screen's, with its own audit event, so the chain stays valid chunk by
chunk. The last chunk marks the batch done and writes the import's own event
(``import.marks`` …, with ``"batch"``).

If a row is refused while applying (the school changed since the file was checked: a
lesson locked, a student left) or the import is interrupted, the chunks already
committed are reverted whole (``revert_batch``), again in short transactions, each
undo audited as the screen's own action (``mark.clear``, ``mark.set`` back to the old
value, ``assignment.remove``, ``enrolment.remove``, ``student.remove``, each with
``"import_revert"``) so that ``verify`` reconciles the data with the log afterwards. A
row that someone else changed after the import wrote it is theirs now and is kept.

Meanwhile teachers see the rows of the committed chunks (as they would see a colleague's
marks appear); a reverted batch takes them away again, each removal in the log.
"""

from __future__ import annotations

import bisect
import gc
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from zhurnal.core import audit
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, NotFound, PermissionDenied
from zhurnal.core.models import (
    Absence,
    Assignment,
    AuditEvent,
    Correction,
    CorrectionItem,
    Enrolment,
    ImportBatch,
    ImportChunk,
    Mark,
    PeriodMark,
    Student,
    SubgroupMember,
    WorkType,
)
from zhurnal.core.uow import UnitOfWork, batch, unit_of_work

IMPORT_ROLES = ("admin",)  # who may revert someone else's unfinished import
_pause = time.sleep  # between two chunks: a waiting writer takes the lock


@dataclass(frozen=True)
class Chunking:
    """How a batch is cut: ``rows`` per write transaction at most, fewer once a chunk has
    run ``seconds`` (None: rows only); ``pause`` seconds between chunks (None: 0.03 s on
    SQLite, whose waiting writers try again every 1 ms, after a second every 10 ms
    (``db._begin_immediate``); 0.01 s on PostgreSQL, whose waiters queue for the audit
    head's row lock and get it at the commit)."""

    rows: int = 1000
    seconds: float | None = 0.1
    pause: float | None = None

    def pause_for(self, db: Database) -> float:
        if self.pause is not None:
            return self.pause
        return 0.03 if db.is_sqlite else 0.01


DEFAULT = Chunking()


@dataclass(frozen=True)
class Row:
    """One checked row of a file: its line and the service call that writes it (run
    inside the chunk's transaction)."""

    line: int
    write: Callable[[], object]


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    chunks: int
    refused: tuple[int, str] | None = None  # the row refused while applying: all reverted
    longest_chunk: float = 0.0  # seconds, the longest write transaction

    @property
    def ok(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class RevertResult:
    batch_id: int
    undone: int
    kept: int  # rows changed by someone else after the import: theirs, kept


class _Stopped(Exception):
    """The batch is being reverted by someone else: stop applying."""


def apply_batch(
    db: Database,
    actor: Actor,
    kind: str,
    rows: Sequence[Row],
    done: tuple[str, str, dict[str, Any]],
    chunking: Chunking | None = None,
) -> BatchResult:
    """Apply ``rows`` in chunks under one ``ImportBatch``; ``done`` is the import's own
    audit event (action, entity, after), written by the last chunk. A refused row
    reverts the whole batch and is returned; any other exception reverts it and is
    raised again."""
    with _frozen_heap():
        return _apply_batch(db, actor, kind, rows, done, chunking or DEFAULT)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """The objects alive now (the checked file: a million of them for 100 000 rows) are
    left out of Python's garbage collection while the chunks run: a full collection over
    them takes a few hundred milliseconds, and one that fell inside a chunk held the write
    lock that long (``gc.freeze``; the chunks' own objects are collected as usual)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _apply_batch(
    db: Database,
    actor: Actor,
    kind: str,
    rows: Sequence[Row],
    done: tuple[str, str, dict[str, Any]],
    chunking: Chunking,
) -> BatchResult:
    batch_id = 0
    position = 0
    longest = 0.0
    index = 0
    try:
        while index < len(rows) or position == 0:
            if position:
                _pause(chunking.pause_for(db))
            started = time.perf_counter()
            with batch(db) as session:
                pin(session)
                first = _head(session) + 1
                if position == 0:
                    batch_id = _open_batch(session, actor, kind, len(rows))
                elif _status(session, batch_id) != "applying":
                    raise _Stopped
                count = _chunk(rows, index, chunking, started)
                index += count
                last = _head(session)
                session.add(
                    ImportChunk(
                        batch_id=batch_id,
                        position=position,
                        rows=count,
                        first_event_id=first,
                        last_event_id=last,
                    )
                )
                b = session.get(ImportBatch, batch_id)
                assert b is not None
                b.applied = index
                if index >= len(rows):
                    _finish(session, actor, b, done, position + 1)
                session.add(b)
            position += 1
            longest = max(longest, time.perf_counter() - started)
    except _Refused as exc:
        if batch_id and position:
            revert_batch(db, actor, batch_id, chunking, reason=exc.message)
        return BatchResult(batch_id, position, (exc.line, exc.message), longest)
    except BaseException:
        if batch_id and position:
            revert_batch(db, actor, batch_id, chunking, reason="загрузка прервана")
        raise
    return BatchResult(batch_id, position, None, longest)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _chunk(rows: Sequence[Row], index: int, chunking: Chunking, started: float) -> int:
    """Write rows from ``index`` until the chunk is full; the number written."""
    count = 0
    while index + count < len(rows) and count < chunking.rows:
        if count and chunking.seconds is not None:
            if time.perf_counter() - started >= chunking.seconds:
                break
        row = rows[index + count]
        try:
            row.write()
        except DomainError as exc:
            raise _Refused(row.line, exc.message) from exc
        count += 1
    return count


def pin(session: Session) -> list[object]:
    """Keep every row ``session`` loads until it ends: the identity map holds rows weakly,
    so without this each row's service call would read the lesson, course, class, user
    and policy again once the previous call let go of them."""
    loaded: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _s, row: loaded.append(row))
    session.info["pinned"] = loaded
    return loaded


def _head(session: Session) -> int:
    """The last audit event's id, the head held until commit (PostgreSQL; SQLite's
    BEGIN IMMEDIATE holds everything)."""
    return audit.head_of(session)[0]


def _open_batch(session: Session, actor: Actor, kind: str, rows: int) -> int:
    b = ImportBatch(kind=kind, actor_id=actor.user_id, started_at=actor.now(), rows=rows)
    session.add(b)
    session.flush()
    return b.id or 0


def _status(session: Session, batch_id: int) -> str:
    b = session.get(ImportBatch, batch_id)
    return b.status if b is not None else ""


def _finish(
    session: Session,
    actor: Actor,
    b: ImportBatch,
    done: tuple[str, str, dict[str, Any]],
    chunks: int,
) -> None:
    b.status = "done"
    b.finished_at = actor.now()
    action, entity, after = done
    audit.append(
        session,
        ts=actor.now(),
        actor_id=actor.user_id,
        actor_login=actor.login,
        action=action,
        entity=entity,
        after={**after, "batch": b.id, "chunks": chunks},
    )


def record_refusal(db: Database, actor: Actor, entity: str, rows: int, refused: int) -> None:
    """The log's trace of a refused import (nothing of it written): ``import.refused``."""
    with db.write() as session:
        audit.append(
            session,
            ts=actor.now(),
            actor_id=actor.user_id,
            actor_login=actor.login,
            action="import.refused",
            entity=entity,
            after={"rows": rows, "refused": refused},
        )


# --- the revert -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Undo:
    entity: str
    entity_id: int
    version: int
    before: dict[str, Any] | None  # the row as the import found it; None: it made it


# The order undos run in: marks before their columns, enrolments before their students.
_ORDER = ("mark", "assignment", "enrolment", "student")
_MODELS: dict[str, type[Any]] = {
    "mark": Mark,
    "assignment": Assignment,
    "enrolment": Enrolment,
    "student": Student,
}


def revert_batch(
    db: Database,
    actor: Actor,
    batch_id: int,
    chunking: Chunking | None = None,
    *,
    reason: str = "",
) -> RevertResult:
    """Undo every row a batch wrote, in short transactions; the batch ends "reverted".

    Idempotent: run again (an interrupted revert, or ``zhurnal import revert``), it
    finds its own undos as the rows' last events and leaves them. Refused for a batch
    that is done (a finished import is changed row by row, as any other data) and,
    but for the administrator, for someone else's batch."""
    chunking = chunking or DEFAULT
    with unit_of_work(db, actor, "import.revert") as uow:
        b: ImportBatch = uow.get(ImportBatch, batch_id, "Загрузка")
        if b.status == "done":
            raise DomainError(f"Загрузка № {batch_id} завершена: её строки меняют по одной.")
        if b.actor_id != actor.user_id and not actor.has(*IMPORT_ROLES):
            raise PermissionDenied("Отменить чужую загрузку может только администратор.")
        b.status = "reverting"
        uow.session.add(b)
    with db.read() as session:
        undos = _plan(session, batch_id)
    undone = kept = 0
    for start in range(0, len(undos), max(1, chunking.rows)):
        if start:
            _pause(chunking.pause_for(db))
        with unit_of_work(db, actor, "import.revert") as uow:
            for undo in undos[start : start + chunking.rows]:
                done = _undo(uow, undo, batch_id)
                undone += done
                kept += not done
    with unit_of_work(db, actor, "import.revert") as uow:
        b = uow.get(ImportBatch, batch_id, "Загрузка")
        b.status, b.finished_at = "reverted", uow.now
        uow.session.add(b)
        uow.audit(
            "import.revert",
            "import_batch",
            batch_id,
            None,
            {"kind": b.kind, "undone": undone, "kept": kept, "reason": reason},
        )
    return RevertResult(batch_id, undone, kept)


def _plan(session: Session, batch_id: int) -> list[_Undo]:
    """What to undo: each row whose last change is the batch's, back to the state before
    the batch's first change of it (one read pass over the log from the batch's start)."""
    chunks = list(session.exec(select(ImportChunk).where(ImportChunk.batch_id == batch_id)))
    ranges = sorted((c.first_event_id, c.last_event_id) for c in chunks if c.rows)
    if not ranges:
        return []
    starts = [r[0] for r in ranges]

    def in_batch(event_id: int) -> bool:
        i = bisect.bisect_right(starts, event_id) - 1
        return i >= 0 and event_id <= ranges[i][1]

    before: dict[tuple[str, int], dict[str, Any] | None] = {}
    for e in session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.id) >= ranges[0][0], col(AuditEvent.entity).in_(_ORDER))
        .order_by(col(AuditEvent.id))
    ):
        if e.entity_id is None:
            continue
        key = (e.entity, e.entity_id)
        if not in_batch(e.id or 0):
            before.pop(key, None)  # changed since by someone else: theirs
        elif key not in before:
            before[key] = json.loads(e.before) if e.before else None
    undos = []
    for entity in _ORDER:
        model = _MODELS[entity]
        ids = sorted((k[1] for k in before if k[0] == entity), reverse=True)
        versions: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for row_id, version in session.exec(
                select(model.id, model.version).where(col(model.id).in_(part))
            ):
                versions[row_id] = version
        undos += [_Undo(entity, i, versions[i], before[(entity, i)]) for i in ids if i in versions]
    return undos


def _undo(uow: UnitOfWork, undo: _Undo, batch_id: int) -> bool:
    """Put one row back; False when it is someone else's now (changed since the plan)
    or still needed (a column with others' marks, a student with a history)."""
    row = uow.session.get(_MODELS[undo.entity], undo.entity_id)
    if row is None or row.version != undo.version:
        return False
    tag = {"import_revert": batch_id}
    if undo.entity == "mark":
        return _undo_mark(uow, row, undo.before, tag)
    if undo.before is not None:
        return False  # an import only makes columns, enrolments and students
    if undo.entity == "assignment":
        if uow.session.exec(select(Mark.id).where(Mark.assignment_id == row.id)).first():
            return False
        wt = uow.session.get(WorkType, row.work_type_id)
        uow.session.delete(row)
        before = {"lesson_id": row.lesson_id, "work_type": wt.code if wt else ""}
        uow.audit("assignment.remove", "assignment", row.id, before, tag)
        return True
    if undo.entity == "enrolment":
        uow.session.delete(row)
        before = {"student_id": row.student_id, "class_id": row.class_id, "start": row.start}
        uow.audit("enrolment.remove", "enrolment", row.id, before, tag)
        return True
    if _has_history(uow.session, row.id):
        return False
    uow.session.delete(row)
    uow.audit("student.remove", "student", row.id, {"full_name": row.full_name}, tag)
    return True


def _undo_mark(
    uow: UnitOfWork, mark: Mark, before: dict[str, Any] | None, tag: dict[str, Any]
) -> bool:
    a = uow.session.get(Assignment, mark.assignment_id)
    wt = uow.session.get(WorkType, a.work_type_id) if a else None
    old = (before or {}).get("value")
    after = {
        "assignment_id": mark.assignment_id,
        "student_id": mark.student_id,
        "value": old,
        "work_type": wt.code if wt else "",
        "lesson_id": a.lesson_id if a else None,
        **tag,
    }
    previous = {"value": mark.value}
    if old is None:
        uow.session.delete(mark)
        uow.audit("mark.clear", "mark", mark.id, previous, after)
        return True
    mark.value = str(old)
    uow.touch(mark)
    uow.session.flush()
    uow.audit("mark.set", "mark", mark.id, previous, after)
    return True


def _has_history(session: Session, student_id: int | None) -> bool:
    """Anything but the batch's own rows refers to the student."""
    models: tuple[type[Any], ...] = (
        Enrolment,
        Mark,
        Absence,
        PeriodMark,
        SubgroupMember,
        Correction,
        CorrectionItem,
    )
    return any(
        session.exec(select(m.id).where(m.student_id == student_id)).first() is not None
        for m in models
    )


KIND_NAMES = {"marks": "отметки", "students": "списки классов"}


def kind_name(kind: str) -> str:
    """What a batch loaded, in the user's words."""
    return KIND_NAMES.get(kind, kind)


def unfinished(db: Database) -> list[ImportBatch]:
    """Batches neither done nor reverted: an import still running, or one whose process
    died (``zhurnal import revert N`` finishes it)."""
    with db.read() as session:
        return list(
            session.exec(
                select(ImportBatch)
                .where(col(ImportBatch.status).in_(("applying", "reverting")))
                .order_by(col(ImportBatch.id))
            )
        )


def batch_of(db: Database, batch_id: int) -> ImportBatch:
    with db.read() as session:
        b = session.get(ImportBatch, batch_id)
    if b is None:
        raise NotFound(f"Загрузки № {batch_id} нет.")
    return b
