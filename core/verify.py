"""``zhurnal verify``: SQLite integrity and the audit chain, on a live database or a backup.

On PostgreSQL the file checks are the server's business (``pg_amcheck``; foreign keys are
always enforced there): the report says they were not made, never that they passed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from zhurnal.core.audit import ChainReport, verify_chain
from zhurnal.core.db import Database
from zhurnal.core.models import Absence, AuditEvent, Lesson, Mark, PeriodMark

REVERT = "incident.revert"  # a compensating change [002 §4.4] (core.services.incidents)

# entity -> (model, the fields an event's "after" must agree with, the "set" action)
RECONCILED: dict[str, tuple[type[Mark] | type[PeriodMark], tuple[str, ...], str]] = {
    "mark": (Mark, ("value", "student_id", "assignment_id"), "mark.set"),
    "period_mark": (
        PeriodMark,
        ("value", "student_id", "course_id", "period_id"),
        "period_mark.set",
    ),
}


@dataclass(frozen=True)
class VerifyReport:
    integrity: list[str]
    chain: ChainReport
    mismatches: tuple[str, ...] = ()
    file_checked: bool = True  # False on PostgreSQL: there is no file of ours to check

    @property
    def ok(self) -> bool:
        return not self.integrity and self.chain.ok and not self.mismatches

    def text(self) -> str:
        lines = []
        if not self.file_checked:
            lines.append(
                "Целостность файлов базы: не проверялась — на PostgreSQL её проверяет "
                "сервер (pg_amcheck); ниже проверки журнала аудита"
            )
        elif self.integrity:
            lines.append("Целостность файла базы: НАРУШЕНА")
            lines += [f"  {problem}" for problem in self.integrity[:20]]
        else:
            lines.append("Целостность файла базы: в порядке")
        c = self.chain
        if c.ok:
            lines.append(
                f"Журнал аудита: в порядке, событий {c.events}, вершина цепочки {c.head_hash[:16]}…"
            )
        else:
            lines.append(f"Журнал аудита: НАРУШЕН — событие № {c.broken_event_id}: {c.problem}")
        if self.mismatches:
            lines.append(f"Данные расходятся с журналом аудита: {len(self.mismatches)}")
            lines += [f"  {m}" for m in self.mismatches[:20]]
        elif self.chain.ok:
            lines.append("Отметки, пропуски, темы и домашние задания совпадают с журналом аудита")
        return "\n".join(lines)


def reconcile(session: Session) -> list[str]:
    """Each mark must be what its last audit event says: an edit made with a plain
    SQLite tool, bypassing the app, shows up here even if the chain is intact."""
    problems: list[str] = []
    for entity, (model, fields, set_action) in RECONCILED.items():
        last: dict[int, AuditEvent] = {}
        for logged in session.exec(
            select(AuditEvent).where(AuditEvent.entity == entity).order_by(col(AuditEvent.id))
        ):
            if logged.entity_id is not None:
                last[logged.entity_id] = logged
        query: SelectOfScalar[Mark | PeriodMark] = select(model)
        rows = {row.id or 0: row for row in session.exec(query)}
        for row_id, row in rows.items():
            event = last.get(row_id)
            if event is None:
                problems.append(f"{entity} № {row_id}: записи нет в журнале аудита")
                continue
            after = json.loads(event.after or "{}")
            if not _sets(event, set_action) or any(
                str(after.get(f)) != str(getattr(row, f)) for f in fields
            ):
                problems.append(
                    f"{entity} № {row_id}: значение не совпадает с событием № {event.id}"
                )
        for row_id, event in last.items():
            if _sets(event, set_action) and row_id not in rows:
                problems.append(
                    f"{entity} № {row_id}: удалена в обход журнала (событие № {event.id})"
                )
    return problems + _reconcile_absences(session) + _reconcile_lessons(session)


def _sets(event: AuditEvent, set_action: str) -> bool:
    """The event leaves a value: the "set" action, or an incident's revert to a value."""
    if event.action == REVERT:
        return json.loads(event.after or "{}").get("value") is not None
    return event.action == set_action


def _reconcile_absences(session: Session) -> list[str]:
    """Each absence as its last event left it; «все присутствуют» clears the ids it lists."""
    state: dict[int, tuple[dict[str, object] | None, int]] = {}  # id -> (after, event id)
    query = (
        select(AuditEvent)
        .where(
            col(AuditEvent.action).in_(
                ("attendance.set", "attendance.reason", "attendance.all_present")
            )
            | ((col(AuditEvent.action) == REVERT) & (col(AuditEvent.entity) == "absence"))
        )
        .order_by(col(AuditEvent.id))
    )
    for event in session.exec(query):
        if event.action == "attendance.all_present":
            for absence_id in json.loads(event.before or "{}").get("absence_ids", []):
                state[absence_id] = (None, event.id or 0)
            continue
        if event.entity_id is None:
            continue
        after = json.loads(event.after or "{}")
        if event.action == "attendance.reason":
            previous = state.get(event.entity_id, ({}, 0))[0] or {}
            after = {**previous, "code": after.get("code")}
        state[event.entity_id] = (after if after.get("code") else None, event.id or 0)
    problems = []
    rows = {a.id or 0: a for a in session.exec(select(Absence))}
    for absence_id, row in rows.items():
        expected, event_id = state.get(absence_id, (None, 0))
        if expected is None:
            problems.append(f"absence № {absence_id}: записи нет в журнале аудита")
        elif any(
            str(expected.get(f)) != str(getattr(row, f))
            for f in ("code", "student_id", "lesson_id")
        ):
            problems.append(
                f"absence № {absence_id}: значение не совпадает с событием № {event_id}"
            )
    for absence_id, (expected, event_id) in state.items():
        if expected is not None and absence_id not in rows:
            problems.append(
                f"absence № {absence_id}: удалена в обход журнала (событие № {event_id})"
            )
    return problems


def _reconcile_lessons(session: Session) -> list[str]:
    """Each lesson's topic and homework are what their last events say ("" without one)."""
    last: dict[tuple[str, int], dict[str, object]] = {}
    query = (
        select(AuditEvent)
        .where(
            col(AuditEvent.action).in_(("lesson.topic", "lesson.homework"))
            | ((col(AuditEvent.action) == REVERT) & (col(AuditEvent.entity) == "lesson"))
        )
        .order_by(col(AuditEvent.id))
    )
    for event in session.exec(query):
        if event.entity_id is None:
            continue
        after = json.loads(event.after or "{}")
        if event.action != REVERT:
            last[(event.action, event.entity_id)] = after
        for action, field in (("lesson.topic", "topic"), ("lesson.homework", "homework")):
            if event.action == REVERT and field in after:
                last[(action, event.entity_id)] = after
    problems = []
    for lesson in session.exec(
        select(Lesson).where((col(Lesson.topic) != "") | (col(Lesson.homework) != ""))
    ):
        for action, field in (("lesson.topic", "topic"), ("lesson.homework", "homework")):
            expected = last.get((action, lesson.id or 0), {}).get(field, "")
            if expected != getattr(lesson, field):
                what = "тема" if field == "topic" else "домашнее задание"
                problems.append(f"lesson № {lesson.id}: {what} не совпадает с журналом аудита")
    return problems


def verify(db: Database) -> VerifyReport:
    problems: list[str] = []
    with db.read() as session:
        if db.is_sqlite:
            rows = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
            problems += [r for r in rows if r != "ok"]
            for row in session.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"нарушена ссылка: таблица {row[0]}, строка {row[1]}")
        chain = verify_chain(session)
        mismatches = tuple(reconcile(session))
    return VerifyReport(problems, chain, mismatches, file_checked=db.is_sqlite)
