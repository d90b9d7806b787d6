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
from zhurnal.core.models import Assignment, AuditEvent, Mark
from zhurnal.core.services import marks


def _run_all(procs, results, timeout: float = 60) -> list:
    """Starts the processes, collects one result from each, and sees them exit cleanly."""
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return outcomes


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
        ctx.Process(target=_writer, args=(db.url, teacher.at(NOW), args, v, barrier, results))
        for v in ("4", "5")
    ]
    outcomes = _run_all(procs, results)
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
                db.url,
                w.teacher.at(datetime(2026, 11, 23, 10)),
                (w.lessons["today"], st, 0),
                "4",
                barrier,
                results,
            ),
        )
        for st in w.students5
    ]
    outcomes = _run_all(procs, results)
    assert [o[0] for o in outcomes] == ["ok"] * 3
    with db.read() as s:
        assert len(s.exec(select(Mark)).all()) == 3


def _saver(url: str, actor: Actor, cell: tuple, rounds: int, barrier, results) -> None:
    """Changes the cell ``rounds`` times, each over the value and version it has just
    read, as a teacher does; reports the saves acknowledged and the conflicts refused."""
    db = Database.open(url)
    lesson_id, student_id = cell
    acknowledged = conflicts = 0
    barrier.wait(timeout=30)
    try:
        for _ in range(rounds):
            with db.read() as s:
                value, version = s.exec(select(Mark.value, Mark.version)).one()
            try:
                marks.set_lesson_mark(
                    db, actor, lesson_id, student_id, "answer", "5" if value == "4" else "4",
                    expected_version=version,
                )  # fmt: skip
                acknowledged += 1
            except ConflictError:
                conflicts += 1
        results.put((acknowledged, conflicts))
    finally:
        db.dispose()


def _three_on_one_cell(db: Database, writer, rounds: int) -> list:
    """Three processes run ``writer`` ``rounds`` times on one cell that holds a mark (the
    small school's teacher, today's lesson, its first pupil); their results."""
    w = build(db)
    teacher = w.at(w.teacher)
    marks.set_lesson_mark(db, teacher, w.lessons["today"], w.students5[0], "answer", "3")
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    cell = (w.lessons["today"], w.students5[0])
    procs = [
        ctx.Process(target=writer, args=(db.url, teacher.at(NOW), cell, rounds, barrier, results))
        for _ in range(3)
    ]
    return _run_all(procs, results, timeout=120)


def test_concurrent_saves_of_one_cell_lose_no_update(db) -> None:
    """[issue 10] Every acknowledged save of one cell is a version of it: the version check
    and the write are one atomic step, so no save overwrites another unseen."""
    outcomes = _three_on_one_cell(db, _saver, rounds=25)
    acknowledged = sum(o[0] for o in outcomes)
    assert acknowledged > 0
    with db.read() as s:
        mark = s.exec(select(Mark)).one()
        sets = s.exec(select(AuditEvent).where(AuditEvent.action == "mark.set")).all()
    assert mark.version == 1 + acknowledged
    assert len(sets) == 1 + acknowledged


def _overwriter(url: str, actor: Actor, cell: tuple, rounds: int, barrier, results) -> None:
    """Writes the cell ``rounds`` times naming no version, as an import's row does."""
    db = Database.open(url)
    lesson_id, student_id = cell
    refused = []
    barrier.wait(timeout=30)
    try:
        for n in range(rounds):
            try:
                marks.set_lesson_mark(db, actor, lesson_id, student_id, "answer", "45"[n % 2])
            except ConflictError as exc:
                refused.append(exc.message)
        results.put(refused)
    finally:
        db.dispose()


def test_saves_naming_no_version_write_over_each_other_none_refused(db) -> None:
    """An import's row or a correction's cell names no version: a save of the same cell
    committed meanwhile is written over, read afresh (on PostgreSQL the write waits for
    it and tries again), never refused — and every save is a version with its event."""
    outcomes = _three_on_one_cell(db, _overwriter, rounds=20)
    assert outcomes == [[], [], []]
    with db.read() as s:
        versions = s.exec(select(Mark.version)).all()
        sets = s.exec(select(AuditEvent).where(AuditEvent.action == "mark.set")).all()
    changes = len(sets) - 1  # a save of the value the cell holds writes nothing
    assert versions == [1 + changes] and changes >= 1


def _first_mark(url: str, actor: Actor, lesson_id: int, student_id: int, barrier, results):
    db = Database.open(url)
    barrier.wait(timeout=30)
    try:
        marks.set_lesson_mark(db, actor, lesson_id, student_id, "test", "5")
        results.put("ok")
    finally:
        db.dispose()


def test_first_marks_at_once_make_one_column(db) -> None:
    """[issue 10] Two teachers' first marks of one work type in one lesson, at the same
    moment, go into one column of the lesson, not two."""
    w = build(db)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_first_mark,
            args=(db.url, w.teacher.at(NOW), w.lessons["today"], st, barrier, results),
        )
        for st in w.students5
    ]
    assert _run_all(procs, results) == ["ok"] * 3
    with db.read() as s:
        columns = s.exec(select(Assignment).where(Assignment.lesson_id == w.lessons["today"]))
        assert len(columns.all()) == 1
        assert len(s.exec(select(Mark)).all()) == 3
