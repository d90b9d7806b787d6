"""One mark saved through core against a raw SQLite commit of the same durability.

In one process on a quiet copy of the school, alternating the two so that the machine's
load falls on both alike:

- core: ``set_mark`` of an existing mark (a new value, the version the grid knows) by
  its teacher, on a page loaded with ``load_gradebook`` — the grid's usual entry;
- raw: ``sqlite3`` on the same file with the register's PRAGMAs (WAL, foreign keys, busy
  timeout, the same ``synchronous``), ``BEGIN IMMEDIATE; UPDATE mark SET value = ?,
  version = version + 1 WHERE id = ?; COMMIT`` on another mark.

Both are measured with ``synchronous=FULL`` (what ``core/db.py`` sets: an acknowledged
mark survives a power cut) and with ``NORMAL`` (what it set before), to show what FULL
costs.  The budget (core ≤ 8 × raw) is for FULL.  ``--profile`` prints cProfile's view of
the core saves.

    python bench/bench_mark_cost.py [--db SCHOOL.db] [--saves 200] [--profile]

Without ``--db`` a copy of the large school (``bench/large_school.py``) is used.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from zhurnal.core.actor import Actor  # noqa: E402
from zhurnal.core.db import BUSY_TIMEOUT_MS, Database  # noqa: E402
from zhurnal.core.models import Course, Lesson, User  # noqa: E402

RATIO_BUDGET = 8.0
MODES = ("FULL", "NORMAL")


@dataclass(frozen=True)
class Cost:
    mode: str
    core_ms: float
    raw_ms: float

    @property
    def ratio(self) -> float:
        return self.core_ms / self.raw_ms if self.raw_ms else float("inf")


def open_with(path: Path, synchronous: str) -> Database:
    """The register's engine, its ``synchronous`` set to ``synchronous`` after core's."""
    db = Database.open(path, upgrade=False)

    @event.listens_for(db.engine, "connect")
    def _sync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA synchronous = {synchronous}")

    return db


def raw_connection(path: Path, synchronous: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in (
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
        "journal_mode = WAL",
        "foreign_keys = ON",
        f"synchronous = {synchronous}",
    ):
        con.execute(f"PRAGMA {pragma}")
    return con


def busiest_teacher(db: Database, day: Any) -> tuple[Actor, list[int]]:
    """The teacher with the most lessons in the week before ``day``, and their courses."""
    with db.read() as s:
        since = day - timedelta(days=7)
        teacher_id = s.exec(
            select(Course.teacher_id)
            .join(Lesson, col(Lesson.course_id) == Course.id)
            .where(Lesson.date >= since, Lesson.date <= day)
            .group_by(col(Course.teacher_id))
            .order_by(func.count().desc(), col(Course.teacher_id))
        ).first()
        user = s.get(User, teacher_id)
        assert user is not None, "no lessons in the week before the school's today"
        courses = list(s.exec(select(Course.id).where(Course.teacher_id == user.id)))
    since = datetime.combine(day, datetime.min.time())  # logged in that morning
    return Actor(user.id, user.login, user.role_set(), user.full_name, since=since), courses


Cell = tuple[int, int, int, str]


def editable_marks(db: Database, actor: Actor, courses: list[int]) -> list[Cell]:
    """(assignment id, student id, version, value) of the marks the teacher may change."""
    from zhurnal.core.readmodels.grid import current_period_id, load_gradebook

    found = []
    for course_id in courses:
        period_id = current_period_id(db, actor, course_id)
        if period_id is None:
            continue
        gb = load_gradebook(db, actor, course_id, period_id)
        for column in gb.columns:
            if not column.editable or column.assignment_id is None:
                continue
            for student in gb.students:
                cell = gb.marks.get((student.id, column.index))
                if cell is not None and not gb.cell_why_not(student.id, column.index):
                    found.append((column.assignment_id, student.id, cell.version, cell.value))
    return found


class Runner:
    """Alternating core saves and raw commits on one database file."""

    def __init__(self, path: Path, now: datetime) -> None:
        self.path = path
        self.now = now
        probe = Database.open(path)
        try:
            self.actor, courses = busiest_teacher(probe, now.date())
            self.cells = editable_marks(probe, self.actor.at(now), courses)
        finally:
            probe.dispose()
        if len(self.cells) < 4:
            raise SystemExit("Too few marks the teacher may change now: a larger school?")
        half = len(self.cells) // 2
        self.core_cells, self.raw_ids = self.cells[:half], self._mark_ids(self.cells[half:])
        self.versions = {(a, s): v for a, s, v, _ in self.core_cells}
        self.values = {(a, s): value for a, s, _, value in self.core_cells}
        self.step = 0

    def _mark_ids(self, cells: list[Cell]) -> list[int]:
        with closing(sqlite3.connect(self.path)) as con:
            return [
                con.execute(
                    "SELECT id FROM mark WHERE assignment_id = ? AND student_id = ?", (a, s)
                ).fetchone()[0]
                for a, s, _, _ in cells
            ]

    def core_save(self, db: Database) -> float:
        from zhurnal.core.services.marks import set_mark

        self.step += 1
        a, s, _, _ = self.core_cells[self.step % len(self.core_cells)]
        version = self.versions[(a, s)]
        value = "4" if self.values.get((a, s)) != "4" else "5"  # a change each time
        actor = self.actor.at(self.now + timedelta(milliseconds=self.step))
        started = time.perf_counter()
        view = set_mark(db, actor, a, s, value, expected_version=version)
        elapsed = time.perf_counter() - started
        self.versions[(a, s)] = view.version if view else 0
        self.values[(a, s)] = value
        return elapsed

    def raw_save(self, con: sqlite3.Connection) -> float:
        self.step += 1
        mark_id = self.raw_ids[self.step % len(self.raw_ids)]
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "UPDATE mark SET value = ?, version = version + 1 WHERE id = ?",
            ("45"[self.step % 2], mark_id),
        )
        con.execute("COMMIT")
        return time.perf_counter() - started

    def measure(self, mode: str, saves: int, profile: bool = False) -> Cost:
        db, con = open_with(self.path, mode), raw_connection(self.path, mode)
        try:
            for _ in range(min(10, saves)):  # warm-up: caches, compiled statements
                self.core_save(db)
                self.raw_save(con)
            core, raw = [], []
            profiler = cProfile.Profile() if profile else None
            for _ in range(saves):
                raw.append(self.raw_save(con))
                if profiler is not None:
                    profiler.enable()
                core.append(self.core_save(db))
                if profiler is not None:
                    profiler.disable()
            if profiler is not None:
                print(f"\ncProfile of {saves} core saves, synchronous={mode}:")
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        finally:
            con.close()
            db.dispose()
        return Cost(mode, statistics.median(core) * 1000, statistics.median(raw) * 1000)


def footprint(path: Path, now: datetime, saves: int = 20) -> tuple[float, float]:
    """(SQL statements, Python function calls) per core save: what the load of the
    machine does not change."""
    runner = Runner(path, now)
    db = open_with(path, "FULL")
    statements = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        statements[0] += 1

    try:
        runner.core_save(db)  # warm-up
        statements[0] = 0
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(saves):
            runner.core_save(db)
        profiler.disable()
    finally:
        db.dispose()
    calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    return statements[0] / saves, calls / saves


def mark_costs(path: Path, now: datetime, saves: int, profile: bool = False) -> list[Cost]:
    statements, calls = footprint(path, now, min(20, saves))
    print(f"\nOne core save: {statements:.1f} SQL statements, {calls:,.0f} Python calls")
    runner = Runner(path, now)
    return [runner.measure(mode, saves, profile and mode == "FULL") for mode in MODES]


def print_costs(costs: list[Cost]) -> bool:
    """The table; True when the budget holds."""
    print("\nOne mark: core (set_mark) vs a raw SQLite commit, medians, alternating")
    print(f"{'synchronous':<12} {'core':>10} {'raw':>10} {'ratio':>8}  budget")
    ok = True
    for c in costs:
        budget = ""
        if c.mode == "FULL":
            good = c.ratio <= RATIO_BUDGET
            ok = ok and good
            budget = f"≤ {RATIO_BUDGET:g}×  {'OK' if good else 'OVER'}"
        print(f"{c.mode:<12} {c.core_ms:>8.2f}ms {c.raw_ms:>8.3f}ms {c.ratio:>7.1f}×  {budget}")
    by = {c.mode: c for c in costs}
    if "FULL" in by and "NORMAL" in by:
        print(
            f"synchronous=FULL costs {by['FULL'].raw_ms - by['NORMAL'].raw_ms:.2f} ms per raw "
            f"commit and {by['FULL'].core_ms - by['NORMAL'].core_ms:.2f} ms per core save"
        )
    return ok


def copy_school(source: Path, folder: Path) -> Path:
    target = folder / "school.db"
    shutil.copy(source, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a school (copied first); default: large")
    parser.add_argument("--now", help="the school's clock, YYYY-MM-DDTHH:MM (with --db)")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from large_school import TODAY, large_school

    source = args.db or large_school(1.0)[0]
    now = (
        datetime.fromisoformat(args.now)
        if args.now
        else datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=14)
    )
    with tempfile.TemporaryDirectory(prefix="zhurnal-cost-") as folder:
        costs = mark_costs(copy_school(source, Path(folder)), now, args.saves, args.profile)
    return 0 if print_costs(costs) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
