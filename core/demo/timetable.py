"""The demo timetable: a week per class without clashes (min-conflicts search)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from zhurnal.core.demo.inputs import MAX_LESSONS_PER_DAY, WEEKDAYS
from zhurnal.core.demo.people import _Class, _Course


@dataclass
class _Unit:
    """What takes one timetable cell of a class: a course, or both subgroups of a subject."""

    courses: list[_Course]
    teachers: tuple[int, ...]
    subject: int
    hours: int

    @property
    def per_day(self) -> int:
        return -(-self.hours // WEEKDAYS)


def _timetable(
    classes: list[_Class], courses: list[_Course], rng: random.Random, must_daily: set[int]
) -> dict[int, list[tuple[int, int]]]:
    """(weekday, number) cells per course: every class from lesson 1 without gaps, no teacher
    in two places at once (the two subgroups of a subject share a cell), a subject at most
    once a day unless its hours need more.  Min-conflicts search: start from a random week
    of each class, then keep swapping two cells of a class where that removes clashes."""
    units: dict[int, list[_Unit]] = defaultdict(list)
    by_key: dict[tuple[int, int], list[_Course]] = defaultdict(list)
    for c in courses:
        by_key[(c.klass.id, c.subject_id)].append(c)
    for (class_id, subject_id), group in by_key.items():
        teachers = tuple(sorted({c.taught_by.id for c in group}))
        units[class_id].append(_Unit(group, teachers, subject_id, group[0].hours))
    for _attempt in range(60):
        result = _search_timetable(classes, units, rng)
        if result is None:
            continue
        days_of: dict[int, set[int]] = defaultdict(set)
        for c in courses:
            if c.taught_by.id in must_daily:
                days_of[c.taught_by.id].update(d for d, _ in result[c.id])
        if all(len(days_of[t]) == WEEKDAYS for t in must_daily):
            return result
    raise RuntimeError("demo: no timetable found")


def _search_timetable(
    classes: list[_Class],
    units: dict[int, list[_Unit]],
    rng: random.Random,
    max_steps: int = 600,
) -> dict[int, list[tuple[int, int]]] | None:
    grid: list[list[_Unit]] = []
    cells: list[list[tuple[int, int]]] = []
    for k in classes:
        total = sum(u.hours for u in units[k.id])
        base, extra = divmod(total, WEEKDAYS)
        loads = [base] * WEEKDAYS
        for d in rng.sample(range(WEEKDAYS), extra):
            loads[d] += 1
        if max(loads) > MAX_LESSONS_PER_DAY:
            raise RuntimeError(f"demo: {k.title} has too many hours")
        cells.append([(d, n) for d in range(WEEKDAYS) for n in range(1, loads[d] + 1)])
        grid.append(_spread_week(units[k.id], loads, rng))

    occ: dict[tuple[int, int, int], int] = defaultdict(int)  # (teacher, day, number)
    where: dict[tuple[int, int, int], set[tuple[int, int]]] = defaultdict(set)
    per_day: dict[tuple[int, int, int], int] = defaultdict(int)  # (class, subject, day)
    limit: dict[tuple[int, int], int] = {}
    bad_t: set[tuple[int, int, int]] = set()
    bad_s: set[tuple[int, int, int]] = set()

    def place(ki: int, i: int, u: _Unit, sign: int) -> None:
        d, n = cells[ki][i]
        for t in u.teachers:
            key = (t, d, n)
            occ[key] += sign
            if sign > 0:
                where[key].add((ki, i))
            else:
                where[key].discard((ki, i))
            if occ[key] > 1:
                bad_t.add(key)
            else:
                bad_t.discard(key)
        skey = (ki, u.subject, d)
        per_day[skey] += sign
        if per_day[skey] > u.per_day:
            bad_s.add(skey)
        else:
            bad_s.discard(skey)

    for ki, week in enumerate(grid):
        for i, u in enumerate(week):
            limit[(ki, u.subject)] = u.per_day
            place(ki, i, u, 1)

    def cost(tkeys: Iterable[tuple[int, int, int]], skeys: Iterable[tuple[int, int, int]]) -> int:
        return 3 * sum(max(0, occ[k] - 1) for k in tkeys) + sum(
            max(0, per_day[k] - limit[(k[0], k[1])]) for k in skeys
        )

    def swap(ki: int, i: int, j: int) -> None:
        u, v = grid[ki][i], grid[ki][j]
        place(ki, i, u, -1)
        place(ki, j, v, -1)
        grid[ki][i], grid[ki][j] = v, u
        place(ki, i, v, 1)
        place(ki, j, u, 1)

    def delta(ki: int, i: int, j: int) -> int:
        u, v = grid[ki][i], grid[ki][j]
        (di, ni), (dj, nj) = cells[ki][i], cells[ki][j]
        tkeys = {(t, d, n) for t in u.teachers + v.teachers for d, n in ((di, ni), (dj, nj))}
        skeys = {(ki, s, d) for s in (u.subject, v.subject) for d in (di, dj)}
        before = cost(tkeys, skeys)
        swap(ki, i, j)
        after = cost(tkeys, skeys)
        swap(ki, i, j)
        return after - before

    for _step in range(max_steps):
        if not bad_t and not bad_s:
            return _cells_by_course(grid, cells)
        if bad_t and (not bad_s or rng.random() < 0.75):
            ki, i = rng.choice(sorted(where[rng.choice(sorted(bad_t))]))
        else:
            ki, subject, d = rng.choice(sorted(bad_s))
            i = rng.choice(
                [
                    i
                    for i, (dd, _) in enumerate(cells[ki])
                    if dd == d and grid[ki][i].subject == subject
                ]
            )
        options = [j for j in range(len(grid[ki])) if grid[ki][j] is not grid[ki][i]]
        scored = [(delta(ki, i, j), rng.random(), j) for j in options]
        best = min(scored)
        if best[0] <= 0 or rng.random() < 0.1:
            swap(ki, i, best[2])
    return None


def _spread_week(units: list[_Unit], loads: list[int], rng: random.Random) -> list[_Unit]:
    """A first week of a class: each subject on as many different days as it can."""
    free = {d: rng.sample(range(loads[d]), loads[d]) for d in range(WEEKDAYS)}
    placed: dict[tuple[int, int], _Unit] = {}
    for u in sorted(units, key=lambda u: (-u.hours, rng.random())):
        used: dict[int, int] = defaultdict(int)
        for _ in range(u.hours):
            days = [d for d in range(WEEKDAYS) if free[d]]
            fits = [d for d in days if used[d] < u.per_day] or days
            d = max(fits, key=lambda d: (len(free[d]), rng.random()))
            placed[(d, free[d].pop())] = u
            used[d] += 1
    return [placed[(d, i)] for d in range(WEEKDAYS) for i in range(loads[d])]


def _cells_by_course(
    grid: list[list[_Unit]],
    cells: list[list[tuple[int, int]]],
) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ki, week in enumerate(grid):
        for i, u in enumerate(week):
            for c in u.courses:
                out[c.id].append(cells[ki][i])
    return out
