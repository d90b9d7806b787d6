"""``zhurnal verify`` on the demo school against its budget.

Runs ``core.verify.verify`` (integrity, the chain, every tracked row against the log) on the
demo school — created in the temp dir unless ``--db`` names one — ``--runs`` times in one
process and prints the median wall time and the CPU time of one run, against the budget.

    python bench/verify_demo.py [--db DEMO.db] [--runs 3]

Budget: ≤ 15 s of wall time for the demo (7 633 lessons, 53 855 marks, 80 712 events): a
nightly cron job and a check before restoring a copy, not something a user waits on often.
A benchmark, not a test: it prints a table and exits 1 if the budget is OVER.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_S = 15.0


def main(argv: list[str] | None = None) -> int:
    from zhurnal.core.db import Database
    from zhurnal.core.verify import verify

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="the demo school's database (made in a temp dir if absent)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if path is None:
            from zhurnal.core.demo import create_demo

            path = str(Path(tmp) / "demo.db")
            db = Database.open(path)
            create_demo(db)
            db.dispose()
        db = Database.open(path, upgrade=False)
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            report = verify(db)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            if not report.ok:
                print(report.text())
                return 1
        db.dispose()
    median = statistics.median(walls)
    verdict = "OK" if median <= BUDGET_S else "OVER"
    print(
        f"| verify, demo school ({report.chain.events} events) | wall {median:.2f} s |"
        f" CPU {statistics.median(cpus):.2f} s | budget ≤ {BUDGET_S:.0f} s | {verdict} |"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
