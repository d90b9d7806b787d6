"""Memory: PSS of one session process after logging in and opening a quarter's grid.

Budget (issue 3): at most 80 MiB of PSS (proportional set size: shared pages
such as libpython count by the share of the processes using them; here one) for
one session with a full-quarter mark grid of the demo school open.

How it is measured:

- the demo school (``zhurnal demo --no-ui``) is created once in the temp dir
  unless ``--db`` names one;
- a child process runs the real ``ZhurnalApp`` (``App.run(headless=True)``,
  120x40) on that file; it reports "start" once the login screen is up and its
  worker has opened the database; its auto-pilot then types the login and
  password as a user does (the real argon2 parameters), waits for the
  timetable, and reports "login";
- then it opens ``GridScreen`` for the teacher's course with the most
  students x lessons in the last finished quarter, waits until the grid is
  loaded and painted, and reports "grid";
- at each report the parent reads ``/proc/<child>/smaps_rollup`` (Pss, Rss).

If ``tui.screens.grid`` cannot be imported (not written yet), the "grid" row is
skipped and only the logged-in figure is printed.

    python bench/bench_memory.py [--db DEMO.db] [--login uchitel --password ...]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MIB = 80.0
SIZE = (120, 40)
DEFAULT_DB = Path(tempfile.gettempdir()) / "zhurnal-bench-demo.db"


# --- the child: one session ----------------------------------------------------------


def biggest_quarter_course(db: Any, actor: Any) -> tuple[int, int, str] | None:
    """(course id, period id, title) of the actor's largest grid in the last ended quarter."""
    from sqlalchemy import func
    from sqlmodel import select

    from zhurnal.core.models import Course, Enrolment, Lesson, Period, SchoolClass

    today = actor.now().date()
    with db.read() as s:
        courses = s.exec(select(Course).where(Course.teacher_id == actor.user_id)).all()
        best: tuple[int, int, int, str] | None = None
        for course in courses:
            klass = s.get(SchoolClass, course.class_id)
            if klass is None:
                continue
            period = s.exec(
                select(Period)
                .where(
                    Period.year_id == klass.year_id, Period.kind == "quarter", Period.end < today
                )
                .order_by(Period.end.desc())  # type: ignore[attr-defined]
            ).first()
            if period is None:
                continue
            lessons = s.exec(
                select(func.count())
                .select_from(Lesson)
                .where(
                    Lesson.course_id == course.id,
                    Lesson.date >= period.start,
                    Lesson.date <= period.end,
                )
            ).one()
            students = s.exec(
                select(func.count())
                .select_from(Enrolment)
                .where(Enrolment.class_id == course.class_id)
            ).one()
            size = lessons * students
            if best is None or size > best[0]:
                title = f"{klass.grade}{klass.letter}, course {course.id}, {period.name}"
                best = (size, course.id, period.id, title)
    return None if best is None else best[1:]


def report(stage: str, detail: str = "") -> str:
    """Tell the parent a stage is reached; wait until it has measured."""
    print(f"READY {stage} {detail}".rstrip(), flush=True)
    return sys.stdin.readline()


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def drive(pilot: Any, login: str, password: str) -> None:
    from zhurnal.tui.screens import TimetableScreen

    app = pilot.app
    await asyncio.to_thread(app.database)  # the worker has opened (and checked) the database
    await settle(pilot)
    await asyncio.to_thread(report, "start")
    await pilot.press(*login, "enter", *password, "enter")
    for _ in range(300):
        await settle(pilot)
        if isinstance(app.screen, TimetableScreen):
            break
        await pilot.pause(0.1)
    else:
        raise SystemExit(f"login failed: still on {type(app.screen).__name__}")
    await pilot.pause(0.3)
    await asyncio.to_thread(report, "login")

    try:
        from zhurnal.tui.screens.grid import GridScreen
    except ImportError:
        app.exit()
        return
    found = await asyncio.to_thread(biggest_quarter_course, app.database(), app.actor)
    if found is None:
        raise SystemExit(f"{login} teaches no course with a finished quarter")
    course_id, period_id, title = found
    screen = GridScreen(app.actor, course_id, period_id)
    await app.push_screen(screen)
    for _ in range(300):
        await settle(pilot)
        if screen.gradebook is not None:
            break
        await pilot.pause(0.1)
    else:
        raise SystemExit("the grid did not load")
    await pilot.pause(0.3)
    gb = screen.gradebook
    await asyncio.to_thread(
        report, "grid", f"{title}: {len(gb.students)} students x {len(gb.columns)} columns"
    )
    app.exit()


def child(db: str, login: str, password: str) -> int:
    sys.path.insert(0, str(ROOT))
    from zhurnal.tui.app import make_app

    app = make_app(db, login=None)

    async def auto_pilot(pilot: Any) -> None:
        try:
            await drive(pilot, login, password)
        except BaseException:
            app.exit(return_code=1)
            raise

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
    app.close_session()
    return app.return_code or 0


# --- the parent: measure -----------------------------------------------------------


def smaps(pid: int) -> dict[str, int]:
    """kB figures of /proc/PID/smaps_rollup."""
    result = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[-1] == "kB":
            result[name] = int(parts[0])
    return result


def ensure_demo(path: Path) -> None:
    if path.exists():
        return
    print(f"Creating the demo school in {path} (once)…", flush=True)
    subprocess.run(
        [sys.executable, "-m", "zhurnal.cli", "demo", "--db", str(path), "--no-ui"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the demo school database")
    parser.add_argument("--login", default="uchitel")
    parser.add_argument("--password", default="demo-uchitel-2026")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(str(args.db), args.login, args.password)

    ensure_demo(args.db)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--db",
        str(args.db),
        "--login",
        args.login,
        "--password",
        args.password,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    rows: list[tuple[str, dict[str, int], str]] = []
    for line in proc.stdout:
        if not line.startswith("READY "):
            continue
        stage, _, detail = line[len("READY ") :].strip().partition(" ")
        rows.append((stage, smaps(proc.pid), detail))
        proc.stdin.write("\n")
        proc.stdin.flush()
    code = proc.wait(timeout=60)
    if code != 0 or not rows:
        print(f"the session process failed (exit {code})", file=sys.stderr)
        return 1

    labels = {
        "start": "login screen, database open",
        "login": "logged in, timetable",
        "grid": "+ quarter grid open",
    }
    print(
        f"Memory of one session process (PSS, /proc/<pid>/smaps_rollup), "
        f"{args.login} on {args.db.name}"
    )
    header = f"{'measure':<28} {'PSS':>9} {'RSS':>9} {'budget':>9}  result"
    print(header)
    print("-" * len(header))
    ok = True
    for stage, mem, _ in rows:
        pss, rss = mem["Pss"] / 1024, mem["Rss"] / 1024
        judged = stage == "grid"
        verdict = ("OK" if pss <= BUDGET_MIB else "OVER") if judged else "-"
        ok = ok and verdict != "OVER"
        budget = f"≤{BUDGET_MIB:.0f} MiB" if judged else ""
        print(
            f"{labels.get(stage, stage):<28} {pss:>5.1f} MiB {rss:>5.1f} MiB {budget:>9}  {verdict}"
        )
    for stage, _, detail in rows:
        if detail:
            print(f"{stage}: {detail}")
    if not any(stage == "grid" for stage, _, _ in rows):
        print("grid: tui.screens.grid is not importable yet; measured after login only")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
