"""``zhurnal verify``: SQLite integrity and the audit chain, on a live database or a backup.

On PostgreSQL the file checks are the server's business (``pg_amcheck``; foreign keys are
always enforced there): the report says they were not made, never that they passed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from zhurnal.core import ledger
from zhurnal.core.anchors import Head, check_head, head_of
from zhurnal.core.audit import ChainReport, verify_chain
from zhurnal.core.db import Database
from zhurnal.core.ledger import REVERT
from zhurnal.core.models import Absence, AuditEvent, Course, Lesson


@dataclass(frozen=True)
class VerifyReport:
    integrity: list[str]
    chain: ChainReport
    mismatches: tuple[str, ...] = ()
    file_checked: bool = True  # False on PostgreSQL: there is no file of ours to check
    heads_checked: int = 0  # recorded heads (--expect, --anchors) looked for
    lost_heads: tuple[str, ...] = ()  # those the database no longer holds, and why

    @property
    def ok(self) -> bool:
        return not self.integrity and self.chain.ok and not self.mismatches and not self.lost_heads

    @property
    def failed(self) -> list[str]:
        """The checks that did not pass, named for a one-line summary (empty when ``ok``)."""
        parts = [
            (bool(self.integrity), "нарушена целостность файла базы"),
            (not self.chain.ok, "нарушена цепочка журнала аудита"),
            (bool(self.lost_heads), "записанных вершин цепочки в базе нет"),
            (bool(self.mismatches), "данные расходятся с журналом аудита"),
        ]
        return [name for bad, name in parts if bad]

    @property
    def head(self) -> Head:
        """The chain's head as printed and recorded outside (``core.anchors``)."""
        return head_of(self.chain.last_event_id, self.chain.head_hash)

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
            lines.append(f"Журнал аудита: в порядке, событий {c.events}")
            lines.append(f"Вершина цепочки: {self.head}")
        else:
            lines.append(f"Журнал аудита: НАРУШЕН — событие № {c.broken_event_id}: {c.problem}")
        if self.lost_heads:
            lines.append(
                f"Записанные вершины цепочки: {len(self.lost_heads)} из {self.heads_checked} "
                "в базе нет — история изменена"
            )
            lines += [f"  {m}" for m in self.lost_heads[:20]]
        elif self.heads_checked:
            lines.append(
                f"Записанные вершины цепочки: все {self.heads_checked} в базе, история та же"
            )
        if self.mismatches:
            lines.append(f"Данные расходятся с журналом аудита: {len(self.mismatches)}")
            lines += [f"  {m}" for m in self.mismatches[:20]]
        elif self.chain.ok:
            lines.append(
                "Права пользователей, правила школы, заявки на исправление, зачисления, уроки, "
                "графы, отметки, пропуски, темы и домашние задания совпадают с журналом аудита"
            )
        return "\n".join(lines)


def reconcile(session: Session) -> list[str]:
    """Every tracked row (``core.ledger``), each absence, topic and homework must be what
    the audit log says: an edit made with a plain SQL tool, bypassing the app, shows up
    here even if the chain is intact."""
    expected = ledger.replay(session)
    return (
        ledger.reconcile(session, expected)
        + _reconcile_held_by(session, expected)
        + _reconcile_absences(session)
        + _reconcile_lessons(session)
    )


def _reconcile_held_by(
    session: Session, expected: dict[str, dict[Any, ledger.Expected]]
) -> list[str]:
    """A lesson no event gave to a substitute is held by a teacher its course has had."""
    stated = {key for key, state in expected["lesson"].items() if "held_by_id" in state.fields}
    teachers: dict[int, set[int | None]] = {}
    for course_id, teacher_id in session.exec(select(Course.id, Course.teacher_id)):
        teachers[course_id or 0] = {None, teacher_id}
    for entity_id, before, after in session.exec(
        select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after).where(
            AuditEvent.entity == "course"
        )
    ):
        for text_ in (before, after):
            value = json.loads(text_ or "{}").get("teacher_id")
            if entity_id is not None and isinstance(value, int):
                teachers.setdefault(entity_id, {None}).add(value)
    problems = []
    for lesson_id, course_id, held_by in session.exec(
        select(Lesson.id, Lesson.course_id, Lesson.held_by_id).where(
            col(Lesson.held_by_id).is_not(None)
        )
    ):
        if lesson_id not in stated and held_by not in teachers.get(course_id, {None}):
            problems.append(
                f"Урок № {lesson_id}: его ведёт пользователь № {held_by}, а замены в журнале "
                "аудита нет"
            )
    return problems


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


def verify(db: Database, expect: Sequence[Head] = ()) -> VerifyReport:
    """The file's integrity, the chain, every tracked row against the log, and each of the
    heads recorded outside (``expect``) still in the chain.  Reads only."""
    problems: list[str] = []
    with db.read() as session:
        if db.is_sqlite:
            rows = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
            problems += [r for r in rows if r != "ok"]
            for row in session.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"нарушена ссылка: таблица {row[0]}, строка {row[1]}")
        chain = verify_chain(session)
        mismatches = tuple(reconcile(session))
        lost = tuple(p for p in (check_head(session, h) for h in expect) if p)
    return VerifyReport(
        problems,
        chain,
        mismatches,
        file_checked=db.is_sqlite,
        heads_checked=len(expect),
        lost_heads=lost,
    )
