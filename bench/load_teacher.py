"""One teacher of the load benchmark (``bench/bench_load.py``), in a process of its own.

The teacher logs in (``authenticate``, real argon2), opens the grid of one of their
courses for the current period (``load_gradebook``, as ``GridScreen`` does), then every
1–3 s types a mark into an editable cell of it: ``set_mark`` for a column that has its
assignment, ``set_lesson_mark`` for the lesson's default column not made yet, with the
version the grid knows (0 for an empty cell), exactly what ``GridScreen._commit`` calls.
About one entry in twenty clears a mark.  Like the grid, it polls ``course_changes``
every 3 s and reloads the page when a change may concern its course (its own course's
rows, or a change bound to no one course); the others' marks move only what it has seen,
and its own saves (shown from their answers, ``applied``) do not reload it either.

The school's clock is ``START`` plus the time since the benchmark began (``Actor.at``).
Every exception a call raises is an error shown to the teacher.  The result goes back to
the parent as a plain dict (``run``'s docstring).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zhurnal.core.actor import Actor
from zhurnal.core.auth import authenticate
from zhurnal.core.db import Database
from zhurnal.core.readmodels import course_changes
from zhurnal.core.readmodels.grid import current_period_id, load_gradebook
from zhurnal.core.services.marks import set_lesson_mark, set_mark

PASSWORD = "bench-teacher-2026"
VALUES = ("5", "4", "3", "2")
POLL_S = 3.0
CLEAR_SHARE = 0.05
MIN_CELLS = 10  # a grid with fewer cells open to the teacher is not the one


@dataclass
class Task:
    """What a teacher process is told: who, where, when."""

    index: int
    login: str
    url: str
    course_ids: list[int]
    t0: float  # time.time() of the benchmark's start
    login_at: float  # seconds after t0
    seconds: float
    start: datetime  # the school's clock at t0


@dataclass
class Teacher:
    task: Task
    db: Database
    rng: random.Random
    actor: Actor | None = None
    gradebook: Any = None
    known: dict[tuple[int, str, int], int] = field(default_factory=dict)  # cell -> version
    acked: dict[tuple[int, str, int], tuple[int, str | None, int]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saves: int = 0
    reloads: int = 0
    seen: int | None = None  # the newest change the open page is known to be current with
    applied: int = 0  # own saves since ``seen``, shown from their answers (as the grid)
    login_s: float = 0.0

    def clock(self) -> datetime:
        return self.task.start + timedelta(seconds=time.time() - self.task.t0)

    def me(self) -> Actor:
        assert self.actor is not None
        return self.actor.at(self.clock())

    def open_grid(self) -> None:
        """The grid of one of the teacher's courses (in a random order) with cells the
        teacher may fill now, as a teacher opens the grid of a lesson just given."""
        for course_id in self.rng.sample(self.task.course_ids, len(self.task.course_ids)):
            period_id = current_period_id(self.db, self.me(), course_id)
            if period_id is None:
                continue
            gb = load_gradebook(self.db, self.me(), course_id, period_id)
            if len(self.cells(gb)) >= MIN_CELLS:
                self.gradebook = gb
                return

    def reload(self) -> None:
        gb = self.gradebook
        self.gradebook = load_gradebook(self.db, self.me(), gb.course_id, gb.period.id)
        self.reloads += 1
        self.known.clear()  # the page's versions are the database's now

    @staticmethod
    def cells(gb: Any) -> list[tuple[Any, int]]:
        return [
            (column, student.id)
            for column in gb.columns
            if column.editable
            for student in gb.students
            if not gb.cell_why_not(student.id, column.index)
        ]

    def type_mark(self) -> None:
        gb = self.gradebook
        cells = self.cells(gb) if gb is not None else []
        if not cells:
            return
        column, student_id = self.rng.choice(cells)
        key = (column.lesson_id, column.work_type_code, student_id)
        cell = gb.marks.get((student_id, column.index))
        shown = self.acked[key][1] if key in self.acked else (cell.value if cell else None)
        version = self.known.get(key, cell.version if cell else 0)
        if shown is not None and self.rng.random() < CLEAR_SHARE:
            value = None
        else:
            value = self.rng.choice([v for v in VALUES if v != shown])
        started = time.perf_counter()
        try:
            if column.assignment_id is not None:
                view = set_mark(
                    self.db, self.me(), column.assignment_id, student_id, value,
                    expected_version=version,
                )  # fmt: skip
            else:
                view = set_lesson_mark(
                    self.db, self.me(), column.lesson_id, student_id, column.work_type_code,
                    value, expected_version=version,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - every failure is one the teacher sees
            self.latencies.append(time.perf_counter() - started)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        self.latencies.append(time.perf_counter() - started)
        self.saves += 1
        self.applied += 1
        assignment_id = view.assignment_id if view else column.assignment_id
        self.known[key] = view.version if view else 0
        self.acked[key] = (assignment_id or 0, view.value if view else None, self.known[key])

    def poll(self) -> None:
        gb = self.gradebook
        if gb is None:
            return
        if self.seen is None or self.seen < gb.counter:
            self.seen, self.applied = gb.counter, 0
        applied = self.applied
        self.seen, relevant = course_changes(
            self.db, self.seen, gb.course_id, actor_id=self.me().user_id, applied=applied
        )
        if relevant:
            self.reload()
        else:
            self.applied -= applied


def run(task: Task, out: Any) -> None:
    """The process's body: puts ``{"index", "login_s", "latencies", "errors", "saves",
    "reloads", "acked": [(assignment_id, student_id, value, version)], "course"}``."""
    rng = random.Random(task.index)
    time.sleep(max(0.0, task.t0 + task.login_at - time.time()))
    db = Database.open(task.url, upgrade=False)
    teacher = Teacher(task, db, rng)
    end = task.t0 + task.seconds
    try:
        started = time.perf_counter()
        teacher.actor = authenticate(db, task.login, PASSWORD, now=teacher.clock()).actor
        teacher.login_s = time.perf_counter() - started
        teacher.open_grid()
        next_poll = time.time() + POLL_S
        while True:
            wake = time.time() + rng.uniform(1.0, 3.0)
            while next_poll < wake and next_poll < end:
                time.sleep(max(0.0, next_poll - time.time()))
                teacher.poll()
                next_poll += POLL_S
            if wake >= end:
                break
            time.sleep(max(0.0, wake - time.time()))
            teacher.type_mark()
    except Exception as exc:  # noqa: BLE001 - a failed login or page load is shown too
        teacher.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()
    gb = teacher.gradebook
    out.put(
        {
            "index": task.index,
            "login_s": teacher.login_s,
            "latencies": teacher.latencies,
            "errors": teacher.errors,
            "saves": teacher.saves,
            "reloads": teacher.reloads,
            "course": gb.title if gb is not None else "",
            "acked": [(a, key[2], value, v) for key, (a, value, v) in teacher.acked.items()],
        }
    )
