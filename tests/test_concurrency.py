"""Two OS processes (two SSH sessions) change the same mark: one wins, the other gets
a conflict naming who changed it — never a silent lost update (DESIGN.md "Many sessions")."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime

from sqlmodel import select

from tests.school import NOW, build
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ConflictError
from zhurnal.core.models import AuditEvent, Mark
from zhurnal.core.services import marks


def _writer(path: str, actor: Actor, args: tuple, value: str, barrier, results) -> None:
    db = Database.open(path)
    lesson_id, student_id, version = args
    barrier.wait(timeout=30)
    try:
        m = marks.set_lesson_mark(
            db, actor, lesson_id, student_id, "answer", value, expected_version=version
        )
        results.put(("ok", value, m.version))
    except ConflictError as exc:
        results.put(("conflict", value, exc.message))
    finally:
        db.dispose()


def test_two_processes_same_mark_conflict_not_lost_update(db) -> None:
    w = build(db)
    teacher = w.at(w.teacher)
    first = marks.set_lesson_mark(db, teacher, w.lessons["today"], w.students5[0], "answer", "3")
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    args = (w.lessons["today"], w.students5[0], first.version)
    procs = [
        ctx.Process(target=_writer, args=(str(db.path), teacher.at(NOW), args, v, barrier, results))
        for v in ("4", "5")
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["conflict", "ok"]
    winner = next(o for o in outcomes if o[0] == "ok")
    loser = next(o for o in outcomes if o[0] == "conflict")
    assert "Учителева Мария Ивановна" in loser[2]
    with db.read() as s:
        mark = s.exec(select(Mark)).one()
        assert (mark.value, mark.version) == (winner[1], 2)
        sets = s.exec(select(AuditEvent).where(AuditEvent.action == "mark.set")).all()
        assert len(sets) == 2  # the first mark and the winner; the loser left no trace


def test_many_processes_writing_different_cells_all_land(db) -> None:
    """Concurrent writers on different cells never deadlock (BEGIN IMMEDIATE + busy timeout)."""
    w = build(db)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_writer,
            args=(
                str(db.path),
                w.teacher.at(datetime(2026, 11, 23, 10)),
                (w.lessons["today"], st, 0),
                "4",
                barrier,
                results,
            ),
        )
        for st in w.students5
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [o[0] for o in outcomes] == ["ok"] * 3
    with db.read() as s:
        assert len(s.exec(select(Mark)).all()) == 3
