"""Start-up: process start -> login screen painted, the register vs a bare Textual app.

Budget (issue 3): the register paints its login form in at most 1.15x the time
of ``bench/bare_app.py``, a bare Textual app with the same widgets and layout.

How it is measured, the same way for both apps:

- each run is a new process (``python -m zhurnal.cli --db PATH`` — what the
  ``zhurnal`` entry point runs — and ``python bench/bare_app.py``), started in a
  pseudo-terminal of 80x24 with TERM=xterm-256color, so the real Linux driver
  starts (not ``run_test``'s headless one) and its output is drained as a
  terminal would;
- ``t0`` is taken just before the process is spawned (interpreter start-up is
  included, as for a teacher's SSH login);
- with ``ZHURNAL_BENCH_PAINTED=FILE`` each app writes ``time.time()`` to FILE
  after the first refresh in which the login form is laid out, then exits
  (``ZhurnalApp._bench_painted``; ``BareApp._painted``);
- the register opens a real database (``zhurnal init`` once, in a temp dir) in
  its worker while the form paints, as in production;
- one warm-up run of each (byte-code caches), then N runs alternating the two
  apps; the median and the minimum are reported.

    python bench/bench_startup.py [-n 7] [--db PATH]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAINTED_ENV = "ZHURNAL_BENCH_PAINTED"
BUDGET_RATIO = 1.15
SIZE = (80, 24)


def _drain(fd: int) -> None:
    """Read the app's terminal output so it never blocks on a full pty buffer."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass  # the child closed the terminal


def run_once(cmd: list[str], workdir: Path) -> float:
    """Seconds from spawning ``cmd`` to its "login form painted" mark."""
    mark = workdir / "painted"
    mark.unlink(missing_ok=True)
    env = {
        **os.environ,
        PAINTED_ENV: str(mark),
        "TERM": "xterm-256color",
        "COLUMNS": str(SIZE[0]),
        "LINES": str(SIZE[1]),
    }
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    reader = threading.Thread(target=_drain, args=(master,), daemon=True)
    reader.start()
    t0 = time.time()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True
    )
    os.close(slave)
    try:
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        os.close(master)
    if code != 0 or not mark.exists():
        raise RuntimeError(f"{' '.join(cmd)} exited with {code} before painting the login form")
    return float(mark.read_text()) - t0


def make_database(workdir: Path) -> Path:
    path = workdir / "school.db"
    subprocess.run(
        [sys.executable, "-m", "zhurnal.cli", "init", "--db", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=7, help="runs of each app (7)")
    parser.add_argument("--db", help="an existing school database (default: a fresh one)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-") as tmp:
        workdir = Path(tmp)
        db = Path(args.db) if args.db else make_database(workdir)
        apps = {
            "zhurnal": [sys.executable, "-m", "zhurnal.cli", "--db", str(db)],
            "bare": [sys.executable, str(ROOT / "bench" / "bare_app.py")],
        }
        times: dict[str, list[float]] = {name: [] for name in apps}
        for cmd in apps.values():
            run_once(cmd, workdir)  # warm-up: byte-code and page caches
        for _ in range(args.runs):
            for name, cmd in apps.items():
                times[name].append(run_once(cmd, workdir))

    ours, bare = times["zhurnal"], times["bare"]
    rows = [
        ("start -> login painted, median", statistics.median(ours), statistics.median(bare)),
        ("start -> login painted, min", min(ours), min(bare)),
    ]
    load = os.getloadavg()[0]
    print(
        f"Start-up, {args.runs} runs each, {SIZE[0]}x{SIZE[1]} pty, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPU, load average {load:.1f}"
    )
    header = f"{'measure':<32} {'zhurnal':>9} {'bare':>9} {'ratio':>6} {'budget':>7}  result"
    print(header)
    print("-" * len(header))
    ok = True
    for label, a, b in rows:
        ratio = a / b
        verdict = "OK" if ratio <= BUDGET_RATIO else "OVER"
        ok = ok and (verdict == "OK" or not label.endswith("median"))
        print(
            f"{label:<32} {a * 1000:>7.0f}ms {b * 1000:>7.0f}ms {ratio:>6.2f} "
            f"{'≤' + format(BUDGET_RATIO, '.2f'):>7}  {verdict}"
        )
    print("runs (ms): zhurnal " + " ".join(f"{t * 1000:.0f}" for t in ours))
    print("           bare    " + " ".join(f"{t * 1000:.0f}" for t in bare))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
