"""The summary sheets against their budgets: reading a sheet, writing its files.

(a) Write a synthetic 30 students × 15 subjects progress sheet (landscape) as PDF, XLSX
    and CSV: the median of ``--runs`` writes in one process after one warm-up (imports,
    the font's first parse).  Budgets: PDF ≤ 500 ms, XLSX ≤ 300 ms, CSV ≤ 20 ms.
(b) With ``--db DEMO.db`` (``zhurnal demo``'s data): ``progress_sheet`` and
    ``attendance_sheet`` (the whole first quarter) of the demo's 5А, median of
    ``--runs`` reads.  Budget: ≤ 150 ms each.

    python bench/bench_reports.py [--db DEMO.db] [--runs 7]

A benchmark, not a test: it prints a table and exits 1 if a budget is OVER.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhurnal.core.reports.table import Report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS_MS = {"pdf": 500.0, "xlsx": 300.0, "csv": 20.0, "read": 150.0}


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def synthetic() -> Report:
    from zhurnal.core.reports.table import Report, ReportColumn, Signature

    columns = (
        ReportColumn("№", "int", 4),
        ReportColumn("Ученик", "text", 28),
        *(ReportColumn(f"Предмет {i}", "text", 6) for i in range(15)),
        ReportColumn("Кол-во «2»", "int", 6),
        ReportColumn("Итог", "text", 12),
    )
    rows = tuple(
        (n, f"Ученикова Мария Александровна {n}", *("5", "4", "3") * 5, 0, "одна «3»")
        for n in range(1, 31)
    )
    return Report(
        "Сводная ведомость учёта успеваемости",
        columns,
        rows,
        subtitle=("Класс 5А", "2 четверть"),
        footer=("Качество знаний: 50,0 %",),
        landscape=True,
        signatures=(Signature("Классный руководитель", "Классова О. Н."),),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="the demo school (zhurnal demo --no-ui --db PATH)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from zhurnal.core.reports.writers import write_report

    report = synthetic()
    out = Path(tempfile.mkdtemp(prefix="zhurnal-bench-reports-"))
    results: list[tuple[str, float, float]] = []
    for fmt in ("pdf", "xlsx", "csv"):
        target = out / f"sheet.{fmt}"
        write_report(report, target)
        ms = median_ms(lambda t=target: write_report(report, t), args.runs)
        results.append((f"write 30×15 {fmt.upper()}", ms, BUDGETS_MS[fmt]))
    if args.db:
        from datetime import date

        from sqlmodel import select

        from zhurnal.cli.users import cli_actor
        from zhurnal.core.db import Database
        from zhurnal.core.models import Period, SchoolClass
        from zhurnal.core.readmodels.sheets import attendance_sheet, progress_sheet

        db = Database.open(args.db, upgrade=False)
        with db.read() as s:
            klass = s.exec(select(SchoolClass).where(SchoolClass.grade == 5)).first()
            assert klass is not None, "no 5th grade: is this the demo school?"
            period = s.exec(
                select(Period).where(
                    Period.year_id == klass.year_id, Period.scheme == klass.period_scheme
                )
            ).first()
            assert period is not None
        actor = cli_actor()
        cid, pid = klass.id or 0, period.id or 0
        start, end = period.start, min(period.end, date.today())
        results.append(
            (
                f"read progress sheet {klass.title}",
                median_ms(lambda: progress_sheet(db, actor, cid, pid), args.runs),
                BUDGETS_MS["read"],
            )
        )
        results.append(
            (
                f"read attendance sheet {klass.title}",
                median_ms(lambda: attendance_sheet(db, actor, cid, start, end), args.runs),
                BUDGETS_MS["read"],
            )
        )
    over = False
    print(f"{'Measure':<36} {'median':>10} {'budget':>10}  result")
    for name, ms, budget in results:
        verdict = "OK" if ms <= budget else "OVER"
        over |= verdict == "OVER"
        print(f"{name:<36} {ms:>8.1f}ms {budget:>8.0f}ms  {verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
