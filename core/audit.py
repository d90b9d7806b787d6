"""Append-only, hash-chained audit log [002 §2.9].

Each event's hash is SHA-256 over the previous hash and the event's canonical
JSON.  Appending updates the one-row ``audit_head`` inside the writer's
transaction, which serialises appenders on PostgreSQL as BEGIN IMMEDIATE does
on SQLite.  ``verify_chain`` recomputes every hash and names the first event
that does not match.

What the chain proves, and what anchors it (``core.anchors``): recomputing the hashes
catches an event changed or removed in the middle; ``core.ledger`` catches a row changed
beside an intact chain.  But whoever can write the file can also rewrite events and
re-hash the whole chain, cut the tail together with ``audit_head``, or put an old copy
back.  Against that the chain's head is anchored outside the database — printed by
``zhurnal verify`` and on every summary sheet, appended by cron to a file elsewhere — and
``zhurnal verify --expect HEAD`` / ``--anchors FILE`` checks the database still holds it.

A keyed chain (HMAC with a key kept outside the database file) was weighed and not
chosen.  Every session of the register — each teacher's SSH login — appends events, so
every one of them must read the key: it would sit with the service account that owns the
database file, and whoever can rewrite the file (that account, root, a stolen
service-account shell) can read the key as well and re-key the chain.  It would defend
only a copy of the file changed away from the server, which the anchors defend too.  And
the archive must verify for 25 years [002 §3] on another machine: a lost or leaked key
would make every archived year unverifiable or forgeable, while a plain SHA-256 chain and
heads printed on signed paper sheets need no secret at all.  So: a keyless chain plus
heads anchored outside (paper, another machine's file), which any auditor can check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, case, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from zhurnal.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def dumps(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


HASHED = (
    "id", "ts", "actor_id", "actor_login", "action", "entity", "entity_id", "before", "after",
    "correction_id", "prev_hash",
)  # fmt: skip


def event_hash(prev_hash: str, e: Any) -> str:
    """SHA-256 over ``prev_hash`` and an event's fields (an ``AuditEvent`` or a row of
    ``HASHED`` columns)."""
    payload = json.dumps(
        [
            e.id,
            e.ts.isoformat(timespec="microseconds"),
            e.actor_id,
            e.actor_login,
            e.action,
            e.entity,
            e.entity_id,
            e.before,
            e.after,
            e.correction_id,
            prev_hash,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditHead.__table__  # type: ignore[attr-defined]
# Built once: a statement built per call costs more than running it (SQLAlchemy's cache
# key), and the log is written by every save of every teacher.
_HEAD_FOR_UPDATE = (
    sa_select(_HEADS.c.last_event_id, _HEADS.c.last_hash).where(_HEADS.c.id == 1).with_for_update()
)
_HEAD = sa_select(_HEADS.c.last_event_id, _HEADS.c.last_hash).where(_HEADS.c.id == 1)
_NEW_HEAD = insert(_HEADS).values(id=1, last_event_id=0, last_hash=GENESIS)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.id == 1)
    .values(last_event_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)
_INSERT_EVENT = insert(_EVENTS)


def head_of(session: Session, *, lock: bool = True) -> tuple[int, str]:
    """(last event id, last hash) of the chain; ``lock``: held until the transaction ends
    (``FOR UPDATE`` on PostgreSQL; SQLite's writer holds everything).  The head is read
    with plain statements, never as an ORM object: appends change it with plain
    statements, and an object kept by a session's identity map would go stale."""
    row = session.connection().execute(_HEAD_FOR_UPDATE if lock else _HEAD).first()
    return (row[0] or 0, row[1] or GENESIS) if row is not None else (0, GENESIS)


def _move_head(session: Session, last_id: int, last_hash: str) -> None:
    conn = session.connection()
    if conn.execute(_MOVE_HEAD, {"new_id": last_id, "new_hash": last_hash}).rowcount == 0:
        conn.execute(_NEW_HEAD)
        conn.execute(_MOVE_HEAD, {"new_id": last_id, "new_hash": last_hash})


def append(
    session: Session,
    *,
    ts: datetime,
    actor_id: int | None,
    actor_login: str,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    correction_id: int | None = None,
    course_id: int | None = None,
) -> SimpleNamespace:
    """Append one event after the locked head, in three plain statements (read the head,
    insert the event with its hash, move the head): every save of every teacher runs
    this.  Returns the event's columns (``id``, ``hash``, …)."""
    if session.autoflush:  # the service's pending rows first, as a query would flush them
        session.flush()
    last_id, last_hash = head_of(session)
    event = SimpleNamespace(
        # the head is locked and every event is appended here or by ``append_many``, so the
        # next id is the head's plus one: the row goes in once, with its hash
        id=last_id + 1,
        ts=ts,
        actor_id=actor_id,
        actor_login=actor_login,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=dumps(before),
        after=dumps(after),
        correction_id=correction_id,
        course_id=course_id,
        prev_hash=last_hash,
        hash="",
    )
    event.hash = event_hash(event.prev_hash, event)
    session.connection().execute(_INSERT_EVENT, vars(event))
    _move_head(session, event.id, event.hash)
    return event


def append_many(session: Session, events: list[dict[str, Any]]) -> int:
    """Append many events at once (bulk loads such as the demo's history).

    Each dict has the keyword arguments of ``append``. Ids are allocated
    after the head, hashes chained in order, rows inserted in one statement.
    """
    if not events:
        return 0
    if session.autoflush:
        session.flush()
    _, prev = head_of(session)
    last_id = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first() or 0
    rows = []
    for offset, e in enumerate(events, start=1):
        row = {  # plain rows: 80 000 ORM objects cost the demo most of its build time
            "id": last_id + offset,
            "ts": e["ts"],
            "actor_id": e.get("actor_id"),
            "actor_login": e.get("actor_login", ""),
            "action": e["action"],
            "entity": e.get("entity", ""),
            "entity_id": e.get("entity_id"),
            "before": dumps(e.get("before")),
            "after": dumps(e.get("after")),
            "correction_id": e.get("correction_id"),
            "course_id": e.get("course_id"),
            "prev_hash": prev,
        }
        row["hash"] = prev = event_hash(prev, SimpleNamespace(**row))
        rows.append(row)
    session.connection().execute(_INSERT_EVENT, rows)
    move_id_sequences(session, ["audit_event"])  # the next ``append`` takes the next id
    _move_head(session, last_id + len(events), prev)
    return len(events)


def move_id_sequences(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL: move each table's id sequence past the ids given explicitly by a bulk
    insert, so that the next ordinary insert does not collide.  SQLite takes
    max(rowid) + 1 by itself."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        name = quote(table)
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    broken_event_id: int | None = None
    problem: str = ""
    last_event_id: int = 0


def verify_chain(session: Session) -> ChainReport:
    prev = GENESIS
    count = 0
    last_id = 0
    columns = [getattr(AuditEvent, name) for name in (*HASHED, "hash")]
    rows = sa_select(*columns).order_by(col(AuditEvent.id))  # plain rows: ORM objects are slow
    for event in session.execute(rows):
        count += 1
        if event.prev_hash != prev:
            return ChainReport(
                False, count, prev, event.id, "ссылка на предыдущее событие не совпадает"
            )
        if event_hash(prev, event) != event.hash:
            return ChainReport(False, count, prev, event.id, "содержимое события изменено")
        prev = event.hash
        last_id = event.id or 0
    head = session.connection().execute(_HEAD).first()
    if head is not None and (head.last_hash != prev or head.last_event_id != last_id):
        return ChainReport(
            False, count, prev, head.last_event_id, "события в конце цепочки удалены"
        )
    return ChainReport(True, count, prev, last_event_id=last_id)


def head_hash(session: Session) -> str:
    return head_of(session, lock=False)[1]


def change_counter(session: Session) -> int:
    """A cheap number that grows with every change: screens poll it to refresh."""
    return head_of(session, lock=False)[0]


# Events that change nothing a register screen shows (a login moves only the user's own
# failure count and pause).
QUIET_ACTIONS = ("login", "login.failed", "login.locked", "logout", "denied", "import.refused")


SAVES = ("mark.set", "mark.clear")
"""The events of the saves a grid applies to itself from the services' answers."""


def course_changes(
    session: Session,
    seen: int,
    course_id: int,
    *,
    actor_id: int | None = None,
    applied: int = 0,
) -> tuple[int, bool]:
    """For a screen showing one course's register as of event ``seen``: the newest event
    id, and whether any event since may concern that course — one of its own, or one not
    bound to a single course (a roster, the policy, a right). Sixty teachers' marks in other
    courses then do not make every open grid reload; a range of events after ``seen`` is
    read by the primary key, and the caller moves ``seen`` on when nothing concerned it.

    ``applied``: the saves (``SAVES``) the screen made itself since ``seen`` and has
    already shown from their answers, as ``actor_id``. When the events that concern the
    course are exactly that many saves of that user, nothing is new to the screen; any
    other count (another session of the same user, a column made by the save) reloads."""
    concerns = or_(
        col(AuditEvent.course_id).is_(None), col(AuditEvent.course_id) == course_id
    ) & col(AuditEvent.action).not_in(QUIET_ACTIONS)
    own = concerns & (col(AuditEvent.actor_id) == actor_id) & col(AuditEvent.action).in_(SAVES)
    newest, concerning, saves = session.execute(
        sa_select(
            func.max(AuditEvent.id),
            func.count(case((concerns, 1), else_=None)),
            func.count(case((own, 1), else_=None)),
        ).where(col(AuditEvent.id) > seen)
    ).one()
    relevant = concerning > 0 and not (applied > 0 and concerning == saves == applied)
    return (newest or seen), relevant
