"""Every row that grants a right or records a register fact, as the audit log says it is.

``zhurnal verify`` replays the audit log into the state each tracked row must have and
compares it with the tables (``reconcile``): a row changed, added or deleted with a plain
SQL tool, bypassing the app, disagrees with the log even when the hash chain is intact.

What is tracked (``TRACKED``): users' roles, active flag, must-change-password and password
hash (as a salted-hash fingerprint, never the hash itself); the settings (the policy) as a
digest; corrections with their decision and the cells they open; enrolments; assignments
and their work type; lessons' cancellation and who holds them; marks and period marks with
their late flag, entry time and author.  Failed-login counters and lockouts are not rights
and are not tracked; absences, topics and homework are reconciled by ``core.verify``.

How an event states a row (old events stay readable — a field an event does not carry is
simply not checked against it):

- an event about a tracked entity (``entity``, ``entity_id``) merges the tracked fields of
  its ``after`` into that row's expected state; a deleting action (``Tracked.deletes``,
  an incident's revert to nothing) marks the row deleted;
- any event may carry ``after["ledger"] = {entity: {"fields": [...], "rows": [[key, ...]],
  "deleted": [key, ...]}}`` for many rows at once (bulk loads, side effects such as the old
  stay of a transfer), built with ``rows_of`` / ``ledger_of``.

Services put a row's state into their event with ``state_of(session, entity, row)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from zhurnal.core.models import (
    Assignment,
    AuditEvent,
    Correction,
    CorrectionItem,
    Enrolment,
    Lesson,
    Mark,
    PeriodMark,
    Setting,
    User,
)

REVERT = "incident.revert"  # a compensating change [002 §4.4] (core.services.incidents)
LEDGER = "ledger"


def fingerprint(text: str) -> str:
    """A short digest standing for a secret or a long text in the log."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _items_digest(items: Iterable[CorrectionItem]) -> str:
    cells = sorted(
        (
            i.position,
            i.kind,
            i.lesson_id,
            i.assignment_id,
            i.period_id,
            i.student_id,
            i.old_value,
            i.new_value,
        )
        for i in items
    )
    return fingerprint(json.dumps(cells, ensure_ascii=False))


def _correction_items(session: Session, correction_id: int | None = None) -> dict[int, str]:
    query = select(CorrectionItem)
    if correction_id is not None:
        query = query.where(CorrectionItem.correction_id == correction_id)
    by: dict[int, list[CorrectionItem]] = {}
    for item in session.exec(query):
        by.setdefault(item.correction_id, []).append(item)
    return {cid: _items_digest(items) for cid, items in by.items()}


OneValue = Callable[[Session, Any], Any]
AllValues = Callable[[Session], dict[Any, Any]]


@dataclass(frozen=True)
class Tracked:
    model: Any
    title: str
    fields: dict[str, str]  # field -> its Russian name in a report
    key: str = "id"
    must_exist: bool = True  # a row no event ever stated is reported
    deletes: frozenset[str] = frozenset()
    # derived fields: name -> (the row's value, all rows' values keyed by row key)
    derived: dict[
        str, tuple[Callable[[Session, Any], Any], Callable[[Session], dict[Any, Any]]]
    ] = field(default_factory=dict)
    secret: frozenset[str] = frozenset()  # fields whose values a report does not show


def _password(_session: Session, user: User) -> str:
    return fingerprint(user.password_hash)


def _passwords(session: Session) -> dict[Any, Any]:
    return {i: fingerprint(h) for i, h in session.exec(select(User.id, User.password_hash))}


def _setting(_session: Session, row: Setting) -> str:
    return fingerprint(row.value)


def _settings(session: Session) -> dict[Any, Any]:
    return {k: fingerprint(v) for k, v in session.exec(select(Setting.key, Setting.value))}


def _items(session: Session, c: Correction) -> str:
    return _correction_items(session, c.id).get(c.id or 0, _items_digest(()))


def _all_items(session: Session) -> dict[Any, Any]:
    found = _correction_items(session)
    empty = _items_digest(())
    return {cid: found.get(cid or 0, empty) for cid in session.exec(select(Correction.id))}


_MARK = {
    "value": "значение",
    "student_id": "ученик",
    "late": "признак «внесено с опозданием»",
    "entered_at": "время внесения",
    "entered_by_id": "кто внёс",
    "correction_id": "разрешение на исправление",
}

TRACKED: dict[str, Tracked] = {
    "user": Tracked(
        User,
        "Пользователь",
        {
            "roles": "набор ролей",
            "active": "признак «действует»",
            "must_change_password": "признак «сменить пароль при входе»",
            "password": "хеш пароля",
        },
        derived={"password": (_password, _passwords)},
        secret=frozenset({"password"}),
    ),
    "setting": Tracked(
        Setting,
        "Настройка",
        {"value": "значение (правила школы)"},
        key="key",
        derived={"value": (_setting, _settings)},
    ),
    "correction": Tracked(
        Correction,
        "Заявка на исправление",
        {
            "status": "статус",
            "decided_by_id": "кто решил",
            "valid_until": "срок действия",
            "course_id": "курс",
            "lesson_id": "урок",
            "period_id": "период",
            "student_id": "ученик",
            "scope": "вид исправления",
            "items_digest": "список исправляемых клеток",
        },
        derived={"items_digest": (_items, _all_items)},
    ),
    "enrolment": Tracked(
        Enrolment,
        "Зачисление",
        {"student_id": "ученик", "class_id": "класс", "start": "начало", "end": "окончание"},
        deletes=frozenset({"enrolment.remove"}),  # a reverted import's (import_batches)
    ),
    "assignment": Tracked(
        Assignment,
        "Графа (задание)",
        {"lesson_id": "урок", "work_type_id": "вид работы"},
        deletes=frozenset({"assignment.remove", REVERT}),
    ),
    "lesson": Tracked(
        Lesson,
        "Урок",
        {"cancelled": "отметка об отмене", "held_by_id": "кто ведёт урок"},
        must_exist=False,
    ),
    "mark": Tracked(
        Mark, "mark", {**_MARK, "assignment_id": "графа"}, deletes=frozenset({"mark.clear"})
    ),
    "period_mark": Tracked(
        PeriodMark,
        "period_mark",
        {
            **{k: v for k, v in _MARK.items() if k != "late"},
            "course_id": "курс",
            "period_id": "период",
        },
        deletes=frozenset({"period_mark.clear"}),
    ),
}

# Without an event stating them: a lesson is not cancelled and is held by a teacher the
# course has had (``core.verify`` checks the second).
DEFAULTS: dict[str, dict[str, Any]] = {"lesson": {"cancelled": False}}


def plain(value: Any) -> Any:
    """A value as the log stores it (JSON): dates and times in ISO form."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def state_of(session: Session, entity: str, row: Any) -> dict[str, Any]:
    """The tracked fields of ``row`` as an event's ``after`` carries them."""
    spec = TRACKED[entity]
    out = {}
    for name in spec.fields:
        if name in spec.derived:
            out[name] = spec.derived[name][0](session, row)
        else:
            out[name] = plain(getattr(row, name))
    return out


def rows_of(
    session: Session, entity: str, rows: Iterable[Any] = (), deleted: Iterable[Any] = ()
) -> dict[str, Any]:
    """One entity's part of ``after["ledger"]``."""
    spec = TRACKED[entity]
    names = list(spec.fields)
    part: dict[str, Any] = {"fields": names, "rows": []}
    for row in rows:
        values = state_of(session, entity, row)
        part["rows"].append([getattr(row, spec.key), *(values[n] for n in names)])
    gone = list(deleted)
    if gone:
        part["deleted"] = gone
    return part


def ledger_of(session: Session, parts: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """``{"ledger": …}`` stating the given rows of each entity (to merge into ``after``)."""
    return {LEDGER: {entity: rows_of(session, entity, rows) for entity, rows in parts.items()}}


def current_ledger(session: Session, entities: Iterable[str]) -> dict[str, Any]:
    """``{"ledger": …}`` stating every row of the entities as they are now: for bulk loads
    (the demo school) and for taking over rows made before they were tracked."""
    session.flush()
    parts = {}
    for entity in entities:
        names = list(TRACKED[entity].fields)
        rows = actual(session, entity)
        parts[entity] = {
            "fields": names,
            "rows": [[key, *(values.get(n) for n in names)] for key, values in rows.items()],
        }
    return {LEDGER: parts}


# -- the replay ---------------------------------------------------------------------------


@dataclass
class Expected:
    """A row's state by the log: field -> (value, event id); ``deleted_by`` if removed."""

    fields: dict[str, tuple[Any, int]] = field(default_factory=dict)
    deleted_by: int = 0
    last_event: int = 0


def _deletes(spec: Tracked, entity: str, action: str, after: dict[str, Any]) -> bool:
    if action == REVERT and entity in ("mark", "period_mark"):
        return after.get("value") is None
    return action in spec.deletes


def _merge(target: Expected, values: Mapping[str, Any], spec: Tracked, event_id: int) -> None:
    if target.deleted_by:
        target.fields, target.deleted_by = {}, 0
    for name, value in values.items():
        if name in spec.fields:
            target.fields[name] = (value, event_id)
    target.last_event = event_id


def replay(session: Session) -> dict[str, dict[Any, Expected]]:
    """Each tracked row's expected state, from the whole audit log in order."""
    found: dict[str, dict[Any, Expected]] = {entity: {} for entity in TRACKED}
    query = (
        select(  # type: ignore[call-overload]  # five columns: sqlmodel types up to four
            AuditEvent.id, AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id,
            AuditEvent.after,
        )
        .where(col(AuditEvent.entity).in_(list(TRACKED)) | col(AuditEvent.after).contains(
            f'"{LEDGER}"'
        ))
        .order_by(col(AuditEvent.id))
    )  # fmt: skip
    for event_id, action, entity, entity_id, text in session.exec(query):
        after = json.loads(text) if text else {}
        spec = TRACKED.get(entity)
        if spec is not None and entity_id is not None:
            known = {k: v for k, v in after.items() if k in spec.fields}
            row = found[entity].get(entity_id)
            if _deletes(spec, entity, action, after):
                if row is not None:
                    row.deleted_by = row.last_event = event_id or 0
            elif known:
                row = found[entity].setdefault(entity_id, Expected())
                _merge(row, known, spec, event_id or 0)
        for name, part in (after.get(LEDGER) or {}).items():
            if name not in TRACKED:
                continue
            names = part.get("fields", [])
            for values in part.get("rows", []):
                row = found[name].setdefault(values[0], Expected())
                _merge(row, dict(zip(names, values[1:], strict=False)), TRACKED[name], event_id)
            for key in part.get("deleted", []):
                if key in found[name]:
                    found[name][key].deleted_by = found[name][key].last_event = event_id
    return found


def actual(session: Session, entity: str) -> dict[Any, dict[str, Any]]:
    """Each row of the entity's table: key -> tracked field values (as the log stores them)."""
    spec = TRACKED[entity]
    columns = [n for n in spec.fields if n not in spec.derived]
    key = getattr(spec.model, spec.key)
    rows: dict[Any, dict[str, Any]] = {}
    query = select(key, *(getattr(spec.model, n) for n in columns))
    for values in session.execute(query):
        rows[values[0]] = {n: plain(v) for n, v in zip(columns, values[1:], strict=True)}
    for name, (_one, every) in spec.derived.items():
        for row_key, value in every(session).items():
            if row_key in rows:
                rows[row_key][name] = value
    return rows


def _shown(spec: Tracked, name: str, value: Any) -> str:
    if name in spec.secret:
        return "другой"
    if value is None:
        return "пусто"
    if isinstance(value, bool):
        return "да" if value else "нет"
    return f"«{value}»"


def reconcile(
    session: Session, expected: dict[str, dict[Any, Expected]] | None = None
) -> list[str]:
    """Each tracked row against the log; one line per disagreement, naming what broke."""
    expected = replay(session) if expected is None else expected
    problems: list[str] = []
    for entity, spec in TRACKED.items():
        rows = actual(session, entity)
        logged = expected[entity]
        defaults = DEFAULTS.get(entity, {})
        for key, values in rows.items():
            state = logged.get(key)
            name = f"{spec.title} № {key}"
            if state is None or state.deleted_by:
                if state is not None:
                    problems.append(
                        f"{name}: удалена по журналу аудита (событие № {state.deleted_by}), "
                        "а в базе есть — добавлена в обход журнала"
                    )
                elif spec.must_exist:
                    problems.append(f"{name}: записи нет в журнале аудита")
                    continue
                state = Expected()
            for field_name, title in spec.fields.items():
                if field_name in state.fields:
                    want, event_id = state.fields[field_name]
                    where = f"событие № {event_id}"
                elif field_name in defaults:
                    want, where = defaults[field_name], "события об изменении нет"
                else:
                    continue
                if values.get(field_name) != want:
                    problems.append(
                        f"{name}: {title} не совпадает с журналом аудита — в базе "
                        f"{_shown(spec, field_name, values.get(field_name))}, по журналу "
                        f"{_shown(spec, field_name, want)} ({where})"
                    )
        for key, state in logged.items():
            if not state.deleted_by and state.fields and key not in rows and spec.must_exist:
                problems.append(
                    f"{spec.title} № {key}: удалена в обход журнала (событие № {state.last_event})"
                )
    return problems
