"""Completeness (заполнение журнала) and the class screen against their budgets.

(a) School-wide completeness for a quarter: ``school_completeness`` as the deputy, on
    the demo school (the quarter under way, or the last begun) and on the large school
    (``bench/large_school.py``: 1,500 pupils, 55 classes; its 3rd quarter, the longest,
    every lesson held); the median of ``--runs`` calls in one process (the first, cold
    call is printed too).  Budget: ≤ 1 s.
(b) Growth: the same on the large school built at twice the scale (110 classes, twice
    the pupils, lessons and marks) over the figure at scale 1.  Budget: ≤ 2.2×.
(c) The class screen opening on the large school, as the class teacher of the class with
    the most courses: ``class_courses``, then ``current_period_id`` and
    ``load_gradebook`` of the course with the most lessons in the current period, then
    ``class_completeness`` of the class for last week (a full week; this week has
    begun on Monday, ``large_school.TODAY``).  Median of ``--runs``.  Budget: ≤ 200 ms.

    python bench/bench_completeness.py [--demo-db DEMO.db] [--runs 7] [--no-growth]

The large schools are built once and cached in the temp dir (about 35 s at scale 1,
70 s at scale 2).  A benchmark, not a test: it prints a table and exits 1 if a budget
is OVER (2 if ``core.readmodels.completeness`` is not there to measure).

The cached schools carry no SQLite statistics (nothing in the register runs ``ANALYZE``
or ``PRAGMA optimize``), so the planner guesses its join order; ``--analyze`` measures
copies with statistics gathered, to show what the guess costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_grid import DEFAULT_DB, demo_database  # noqa: E402
from large_school import NOW as LARGE_NOW  # noqa: E402
from large_school import large_school  # noqa: E402

SCHOOL_BUDGET_S = 1.0
GROWTH_BUDGET = 2.2
CLASS_SCREEN_BUDGET_MS = 200.0
GROWTH_SCALE = 2.0

Row = tuple[str, str, str, str]


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(cold seconds, median seconds of ``runs`` further calls)."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def spaced(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def actor_of(db: Any, user_id: int, now: datetime) -> Any:
    from zhurnal.core.actor import Actor
    from zhurnal.core.models import User

    with db.read() as s:
        user = s.get(User, user_id)
    return Actor(user.id, user.login, user.role_set(), user.full_name, now_override=now)


def deputy(db: Any, now: datetime) -> Any:
    from sqlmodel import select

    from zhurnal.core.models import User

    with db.read() as s:
        uid = s.exec(select(User.id).where(User.login == "zavuch")).one()
    return actor_of(db, uid, now)


def quarter(db: Any, today: date, number: int | None = None) -> tuple[str, date, date]:
    """The quarter ``number`` of the current year, else the last one begun by ``today``."""
    from sqlmodel import col, select

    from zhurnal.core.models import Period, SchoolYear

    with db.read() as s:
        rows = s.exec(
            select(Period.name, Period.start, Period.end, Period.number)
            .join(SchoolYear, col(SchoolYear.id) == Period.year_id)
            .where(SchoolYear.is_current == True, Period.kind == "quarter")  # noqa: E712
            .order_by(col(Period.start))
        ).all()
    chosen = [r for r in rows if r[3] == number] if number else [r for r in rows if r[1] <= today]
    name, start, end, _ = (chosen or rows)[-1]
    return name, start, end


def statements(db: Any, call: Callable[[], Any]) -> tuple[int, float]:
    """How many SQL statements one call runs, and the seconds spent in their execute
    (SQLite steps to the first row there; the rest of a fetch counts as Python)."""
    from sqlalchemy import event

    seen: list[float] = []
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(*_: Any) -> None:
        seen.append(time.perf_counter() - started.pop())

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return len(seen), sum(seen)


def sql_row(db: Any, call: Callable[[], Any]) -> Row:
    count, seconds = statements(db, call)
    return (f"  SQL: {count} statements, in execute", f"{seconds * 1000:.0f} ms", "", "")


def school_call(db: Any, actor: Any, span: tuple[str, date, date]) -> Callable[[], Any]:
    from zhurnal.core.readmodels.completeness import school_completeness

    _, start, end = span
    return lambda: school_completeness(db, actor, start, end)


def analyzed_copy(path: Path) -> Path:
    """A copy of a cached school with SQLite's statistics gathered (``ANALYZE``), as a
    database that runs ``PRAGMA optimize`` now and then would have them."""
    import shutil

    from sqlalchemy import create_engine

    copy = path.with_name(path.stem + "-analyzed.db")
    if not copy.exists() or copy.stat().st_mtime < path.stat().st_mtime:
        partial = copy.with_name(copy.name + ".building")
        shutil.copyfile(path, partial)
        engine = create_engine(f"sqlite:///{partial}")
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        engine.dispose()
        partial.replace(copy)
    return copy


def profile(call: Callable[[], Any], lines: int = 30) -> None:
    """cProfile of one call: where the time goes, by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(lines)


def class_screen(db: Any, runs: int) -> tuple[str, float, float, Row]:
    """(what was opened, cold ms, median ms, its SQL row) of the class screen (see (c))."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from zhurnal.core.models import Course, Lesson, SchoolClass
    from zhurnal.core.readmodels import (
        class_courses,
        course_periods,
        current_period_id,
        load_gradebook,
        report_spans,
    )
    from zhurnal.core.readmodels.completeness import class_completeness

    with db.read() as s:
        class_id, teacher_id, grade, letter = s.exec(
            select(
                SchoolClass.id, SchoolClass.class_teacher_id, SchoolClass.grade, SchoolClass.letter
            )
            .join(Course, col(Course.class_id) == SchoolClass.id)
            .group_by(col(SchoolClass.id))
            .order_by(func.count(col(Course.id)).desc(), col(SchoolClass.id))
        ).first()
    actor = actor_of(db, teacher_id, LARGE_NOW)
    today = LARGE_NOW.date()
    week = report_spans(db, actor, today, class_id)[1]  # last week: a full one
    courses = class_courses(db, actor, class_id)
    period_id = current_period_id(db, actor, courses[0].id, today)
    period = next(p for p in course_periods(db, actor, courses[0].id) if p.id == period_id)
    with db.read() as s:
        course_id = s.exec(
            select(Lesson.course_id)
            .where(
                col(Lesson.course_id).in_([c.id for c in courses]),
                Lesson.date >= period.start,
                Lesson.date <= period.end,
            )
            .group_by(col(Lesson.course_id))
            .order_by(func.count(col(Lesson.id)).desc())
        ).first()
    title = next(c.title for c in courses if c.id == course_id)

    def open_screen() -> None:  # what the class screen runs to show its first page
        refs = class_courses(db, actor, class_id)
        pid = current_period_id(db, actor, course_id, today)
        assert pid is not None and refs
        load_gradebook(db, actor, course_id, pid)
        class_completeness(db, actor, class_id, week.start, week.end)

    cold, median = timed(open_screen, runs)
    sql = sql_row(db, open_screen)
    what = (
        f"{grade}{letter} (страниц журнала: {len(courses)}), {title}, {period.name}; {week.label}"
    )
    return what, cold * 1000, median * 1000, sql


def pickers_row(db: Any, runs: int) -> Row:
    """The deputy's pickers (no budget of their own): every class, the year's spans."""
    from zhurnal.core.readmodels import report_spans, visible_classes

    actor = deputy(db, LARGE_NOW)

    def pick() -> None:
        visible_classes(db, actor)
        report_spans(db, actor, LARGE_NOW.date())

    _, median = timed(pick, runs)
    classes = len(visible_classes(db, actor))
    return (
        f"deputy's pickers: {classes} classes + report spans, median",
        f"{median * 1000:.1f} ms",
        "",
        "",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-growth", action="store_true", help="skip the scale-2 school")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="measure the large schools with SQLite's statistics (ANALYZE, on a copy)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one school-wide call on the large school"
    )
    args = parser.parse_args()
    try:
        import zhurnal.core.readmodels.completeness  # noqa: F401
    except ImportError:
        print("core/readmodels/completeness.py is not there yet: nothing to measure.")
        return 2
    from zhurnal.core.db import Database

    rows: list[Row] = []
    ok = True

    def verdict(good: bool) -> str:
        nonlocal ok
        ok = ok and good
        return "OK" if good else "OVER"

    def school_row(label: str, cold: float, median: float, budgeted: bool = True) -> None:
        rows.append(
            (
                f"school completeness: {label}, median",
                f"{median * 1000:.0f} ms",
                f"≤ {SCHOOL_BUDGET_S:g} s" if budgeted else "",
                verdict(median <= SCHOOL_BUDGET_S) if budgeted else "",
            )
        )
        rows.append(("  first call in the process (cold)", f"{cold * 1000:.0f} ms", "", ""))

    demo = demo_database(args.demo_db)
    now = datetime.now()
    span = quarter(demo, now.date())
    call = school_call(demo, deputy(demo, now), span)
    cold, median = timed(call, args.runs)
    school_row(f"demo school, {span[0]}", cold, median)
    rows.append(sql_row(demo, call))
    demo.dispose()

    figures: dict[float, float] = {}
    for scale in (1.0, GROWTH_SCALE) if not args.no_growth else (1.0,):
        print(f"Большая школа ×{scale:g} …", flush=True)
        path, counts = large_school(scale)
        db = Database.open(analyzed_copy(path) if args.analyze else path)
        span = quarter(db, LARGE_NOW.date(), number=3)
        call = school_call(db, deputy(db, LARGE_NOW), span)
        cold, figures[scale] = timed(call, args.runs)
        size = (
            f"{counts['school_class']} классов, {spaced(counts['lesson'])} уроков, "
            f"{spaced(counts['mark'])} отметок"
        )
        stats = ", ANALYZE" if args.analyze else ""
        label = f"large ×{scale:g} ({size}{stats}), {span[0]}"
        school_row(label, cold, figures[scale], budgeted=scale == 1.0)  # ×2: for the growth
        rows.append(sql_row(db, call))
        if args.profile and scale == 1.0:
            profile(call)
        if scale == 1.0:
            what, cold_ms, median_ms, class_sql = class_screen(db, args.runs)
            class_row = (
                f"class screen: {what}, median",
                f"{median_ms:.0f} ms",
                f"≤ {CLASS_SCREEN_BUDGET_MS:.0f} ms",
                verdict(median_ms <= CLASS_SCREEN_BUDGET_MS),
            )
            class_cold = ("  first call in the process (cold)", f"{cold_ms:.0f} ms", "", "")
            pickers = pickers_row(db, args.runs)
        db.dispose()
    if GROWTH_SCALE in figures:
        growth = figures[GROWTH_SCALE] / figures[1.0]
        rows.append(
            (
                f"growth: ×{GROWTH_SCALE:g} the data, school completeness",
                f"{growth:.2f}×",
                f"≤ {GROWTH_BUDGET:g}×",
                verdict(growth <= GROWTH_BUDGET),
            )
        )
    rows += [class_row, class_cold, class_sql, pickers]

    width = max(len(r[0]) for r in rows)
    print(f"{'Measure':<{width}}  {'Value':>9}  {'Budget':>9}  Result")
    print("-" * (width + 31))
    for measure, value, budget, result in rows:
        print(f"{measure:<{width}}  {value:>9}  {budget:>9}  {result}")
    print(f"(Python {sys.version.split()[0]}, median of {args.runs} calls after a cold one)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
