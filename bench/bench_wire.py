"""Bytes on the wire: what the register sends to a terminal at 80x24, as over SSH (issue 7).

The real app (``python -m zhurnal.cli --db COPY``, a fresh copy of the demo
database per run) runs in a pseudo-terminal of 80x24 with ``TERM=xterm-256color``
(and again with ``TERM=linux``), ``COLORTERM`` unset and ``LANG=C.UTF-8``.  The
script types as the demo teacher does and counts the bytes the app writes:

- idle: bytes per second with no key pressed, over ``--idle`` seconds (9: three
  ticks of the screens' 3-second change polling) after the screen has settled —
  the timetable, the lesson card (Enter on the first lesson), its attendance (F3)
  and the mark grid (``g`` on the first lesson).  Budget ≤ 100 B/s.
- a cursor move: timetable ↓; grid → ← inside the view (``--moves`` of each) and
  ↓ down the class (the median of 24).  Budget ≤ 1 KB.  A move that scrolls the
  grid (the first → from the start column; the largest of the 24 ↓) repaints
  its body: reported on its own line against the budget of a screen.
- a mark: a digit typed on an editable grid cell (the cursor starts on the last
  lesson begun; a refused cell is skipped), counted over 3.5 s so that the
  screen's next change poll — which sees the register's own write — is
  included.  Budget ≤ 1 KB.
- a screen opened: from the key to the screen's loaded title, plus 1.5 s
  (timetable → grid, timetable → lesson, lesson → attendance).  Budget ≤ 30 KB.

Every event figure is net of the screen's idle stream (its median idle second
times the window), so that a cursor blinking in the background is not counted
twice; events are repeated and the median is reported (the largest too), so a
poll's repaint that falls into one window does not count as the event's.  A
screen is waited for by reading the output into an emulated 80x24 screen
(characters only) until an expected text shows on it — the app sends only the
cells that change, so a title may arrive a few letters at a time — and then
until the output is quiet; a timeout names the text that did not appear and
prints what the screen showed.

    python bench/bench_wire.py [--db DEMO.db] [--term xterm-256color --term linux]
                               [--idle 9] [--moves 3] [--marks 3] [-v]

A benchmark, not a test: it prints a table per terminal and exits 1 if a budget
is OVER.  Without ``--db`` the demo school is created once in the temp dir.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path(tempfile.gettempdir()) / "zhurnal-bench-demo.db"
SIZE = (80, 24)
LOGIN, PASSWORD = "uchitel", "demo-uchitel-2026"

IDLE_BUDGET = 100.0  # bytes per second
EVENT_BUDGET = 1024  # bytes per cursor move or mark
OPEN_BUDGET = 30 * 1024  # bytes per screen opened

MOVE_WINDOW = 1.0
DOWNS = 24  # more than a class fits in the grid's view at 80x24 (its last rows scroll)
MARK_WINDOW = 3.5
OPEN_TAIL = 1.5
SETTLE_QUIET, SETTLE_CAP = 1.0, 4.0

KEYS = {
    "enter": "\r",
    "escape": "\x1b",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "ctrl+q": "\x11",
}
F3 = {"linux": "\x1b[[C"}  # the Linux console's F3; xterm and the others: SS3 R
TOKENS = re.compile(
    r"(\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1bP[^\x1b]*\x1b\\|\x1b[()][0-9A-Za-z]|\x1b.)"
)


class ScreenText:
    """The characters on the terminal's screen (no colours): enough to wait for a text.

    The app sends only the cells that change, so a text is looked for on the
    screen, not in the stream.
    """

    def __init__(self) -> None:
        self.rows = [[" "] * SIZE[0] for _ in range(SIZE[1])]
        self.y = self.x = 0
        self._pending = b""

    def feed(self, data: bytes) -> None:
        data, self._pending = self._pending + data, b""
        text = data.decode("utf-8", "ignore")
        if len(text.encode()) < len(data):  # a character cut between two reads
            self._pending = data[len(text.encode()) :]
        for i, token in enumerate(TOKENS.split(text)):
            if i % 2:
                if token.endswith("H") and token.startswith("\x1b[") and "?" not in token:
                    y, _, x = token[2:-1].partition(";")
                    self.y, self.x = int(y or 1) - 1, int(x or 1) - 1
                elif token in ("\x1b[2J", "\x1bc"):
                    self.rows = [[" "] * SIZE[0] for _ in range(SIZE[1])]
                continue
            for char in token:
                if char == "\n":
                    self.y = min(self.y + 1, SIZE[1] - 1)
                elif char == "\r":
                    self.x = 0
                elif char >= " " and 0 <= self.y < SIZE[1]:
                    if self.x < SIZE[0]:
                        self.rows[self.y][self.x] = char
                    self.x += cell_len(char)

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.rows)


class Timeout(RuntimeError):
    pass


class Terminal:
    """The app in an 80x24 pseudo-terminal; every byte it writes is kept and timed."""

    def __init__(self, cmd: list[str], term: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("COLORTERM", "LC_ALL", "LC_CTYPE", "NO_COLOR")
            and not k.startswith("TEXTUAL")
        }
        env.update(TERM=term, LANG="C.UTF-8", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
        self.term = term
        self.data = bytearray()
        self.screen = ScreenText()
        self.last_write = time.monotonic()
        self._lock = threading.Lock()
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.proc = subprocess.Popen(
            cmd, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while chunk := os.read(self.master, 65536):
                with self._lock:
                    self.data += chunk
                    self.screen.feed(chunk)
                    self.last_write = time.monotonic()
        except OSError:
            pass  # the app closed the terminal

    @property
    def sent(self) -> int:
        with self._lock:
            return len(self.data)

    def key(self, *names: str) -> None:
        for name in names:
            if name == "f3":
                text = F3.get(self.term, "\x1bOR")
            else:
                text = KEYS.get(name, name)
            os.write(self.master, text.encode())

    def type(self, text: str) -> None:
        for char in text:  # one key at a time, as typed
            os.write(self.master, char.encode())
            time.sleep(0.02)

    def shows(self, text: str) -> bool:
        with self._lock:
            return text in self.screen.text()

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        """Until ``text`` is on the screen; a timeout says what the screen showed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.shows(text):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        with self._lock:
            screen = "\n".join(line.rstrip() for line in self.screen.text().splitlines())
        state = (
            f"the app exited with {self.proc.returncode}"
            if self.proc.poll() is not None
            else f"{timeout:.0f} s"
        )
        raise Timeout(f"«{text}» did not appear on the screen ({state}); it showed:\n{screen}")

    def settle(self, quiet: float = SETTLE_QUIET, cap: float = SETTLE_CAP) -> None:
        """Until nothing was written for ``quiet`` seconds since the call, or ``cap`` seconds."""
        start = time.monotonic()
        while time.monotonic() < start + cap:
            with self._lock:
                silent = time.monotonic() - max(self.last_write, start)
            if silent >= quiet:
                return
            time.sleep(0.05)

    def count(self, seconds: float) -> int:
        start = self.sent
        time.sleep(seconds)
        return self.sent - start

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.key("ctrl+q")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        os.close(self.master)


@dataclass
class Row:
    label: str
    value: float
    unit: str  # "B/s" or "B"
    budget: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return ""
        return "OK" if self.value <= self.budget else "OVER"


@dataclass
class Session:
    term: Terminal
    verbose: bool
    idle_rate: dict[str, float] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    _open_window: tuple[Row, str, int, float] | None = None

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  [{self.term.term}] {message}", flush=True)

    def idle(self, screen: str, seconds: float) -> None:
        """Bytes per second with no key pressed, after the screen has settled."""
        self.term.settle()
        samples = [self.term.count(1.0) for _ in range(round(seconds))]
        rate = sum(samples) / len(samples)
        self.idle_rate[screen] = statistics.median(samples)
        self.log(f"idle {screen}: {sum(samples)} B in {len(samples)} s: {samples}")
        self.rows.append(Row(f"idle: {screen}", rate, "B/s", IDLE_BUDGET))

    def net(self, screen: str, sent: int, seconds: float) -> float:
        """``sent`` less what the screen sends in a typical idle second, times ``seconds``.

        The median idle second: a cursor blinking twice a second is taken out, a
        3-second poll's repaint is not (an event's median drops it instead).
        """
        return max(0.0, sent - self.idle_rate.get(screen, 0.0) * seconds)

    def open(
        self,
        label: str,
        keys: list[str],
        expect: str,
        screen: str,
        budget: float | None = OPEN_BUDGET,
    ) -> None:
        start, t0 = self.term.sent, time.monotonic()
        self.term.key(*keys)
        self.term.wait_for(expect)
        time.sleep(OPEN_TAIL)
        sent, seconds = self.term.sent - start, time.monotonic() - t0
        self.log(f"open {label}: {sent} B in {seconds:.1f} s")
        row = Row(f"open: {label}", sent, "B", budget)
        self.rows.append(row)
        self._open_window = (row, screen, sent, seconds)

    def open_net(self) -> None:
        """Once the new screen's idle rate is known: take its stream out of the figure."""
        assert self._open_window is not None
        row, screen, sent, seconds = self._open_window
        row.value = self.net(screen, sent, seconds)

    def each(self, screen: str, key: str, n: int, window: float) -> list[float]:
        """Bytes for each of ``n`` presses of ``key``, net of the screen's idle stream."""
        values = []
        for _ in range(n):
            start = self.term.sent
            self.term.key(key)
            time.sleep(window)
            values.append(self.net(screen, self.term.sent - start, window))
        self.log(f"{key} on {screen}: " + " ".join(f"{v:.0f}" for v in values))
        return values

    def add(self, label: str, values: list[float], budget: float) -> None:
        note = f"max {max(values):.0f}" if len(values) > 1 else ""
        self.rows.append(Row(label, statistics.median(values), "B", budget, note))

    def events(
        self, label: str, screen: str, key: str, n: int, window: float, budget: float = EVENT_BUDGET
    ) -> None:
        self.add(label, self.each(screen, key, n, window), budget)

    def marks(self, n: int) -> None:
        """Digits on editable cells; a refused cell (locked, absent...) is stepped over."""
        values: list[float] = []
        refused = 0
        digits = "5454"
        while len(values) < n:
            if refused > 8:
                raise Timeout("no editable grid cell found: every digit was refused")
            start = self.term.sent
            self.term.key(digits[len(values) % len(digits)])
            time.sleep(MARK_WINDOW)
            if self.term.shows("Отклонено"):
                refused += 1
                self.log("mark refused; next cell")
                self.term.key("left" if refused % 3 == 0 else "down")
                time.sleep(2 * MARK_WINDOW)  # the refusal's toast goes
                continue
            values.append(self.net("grid", self.term.sent - start, MARK_WINDOW))
        self.log("mark: " + " ".join(f"{v:.0f}" for v in values))
        self.rows.append(
            Row(
                "mark typed in the grid",
                statistics.median(values),
                "B",
                EVENT_BUDGET,
                f"max {max(values):.0f}",
            )
        )


def run(db: Path, term_name: str, args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="zhurnal-wire-") as tmp:
        copy = Path(tmp) / "school.db"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        term = Terminal([sys.executable, "-m", "zhurnal.cli", "--db", str(copy)], term_name)
        s = Session(term, args.verbose)
        try:
            term.wait_for("Вход в электронный журнал", timeout=30)
            term.settle()
            start = term.sent
            term.type(LOGIN)
            term.key("enter")
            term.type(PASSWORD)
            term.key("enter")
            term.wait_for("Расписание", timeout=30)
            term.settle(cap=8)
            s.rows.append(
                Row("open: login -> timetable", term.sent - start, "B", None, "typing included")
            )
            s.idle("timetable", args.idle)
            s.events("move: timetable down", "timetable", "down", args.moves, MOVE_WINDOW)
            term.key(*["up"] * args.moves)
            term.settle()

            s.open("timetable -> lesson", ["enter"], "Урок:", "lesson")
            s.idle("lesson", args.idle)
            s.open_net()
            s.open("lesson -> attendance", ["f3"], "Посещаемость:", "attendance")
            s.idle("attendance", args.idle)
            s.open_net()
            term.key("escape")
            time.sleep(0.5)
            term.key("escape")
            term.wait_for("Расписание")
            term.settle(cap=8)

            s.open("timetable -> grid", ["g"], "Журнал · ", "grid")
            s.idle("grid", args.idle)
            s.open_net()
            # The cursor starts on the last lesson begun, at the right edge of the view:
            # the first → scrolls the grid by a column.
            s.events(
                "scroll: grid a column right", "grid", "right", 1, MOVE_WINDOW, budget=OPEN_BUDGET
            )
            lefts: list[float] = []
            rights: list[float] = []
            for _ in range(args.moves):  # moves inside the view
                lefts += s.each("grid", "left", 1, MOVE_WINDOW)
                rights += s.each("grid", "right", 1, MOVE_WINDOW)
            s.add("move: grid right", rights, EVENT_BUDGET)
            s.add("move: grid left", lefts, EVENT_BUDGET)
            term.key("left")  # back on the lesson begun last: its cells take marks
            term.settle()
            downs = s.each("grid", "down", DOWNS, MOVE_WINDOW)  # down the class, past the view
            s.add("move: grid down", downs, EVENT_BUDGET)
            s.add("scroll: grid a row down", [max(downs)], OPEN_BUDGET)
            term.key(*["up"] * DOWNS)
            term.settle()
            s.marks(args.marks)
        finally:
            term.close()
    return s.rows


def demo_database(path: Path) -> Path:
    if not path.exists():
        print(f"Creating the demo school in {path} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "zhurnal.cli", "demo", "--db", str(path), "--no-ui"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return path


def fmt(value: float, unit: str) -> str:
    if unit == "B/s":
        return f"{value:.0f} B/s"
    return f"{value / 1024:.1f} KB" if value >= 10 * 1024 else f"{value:.0f} B"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help=f"the demo school (default {DEFAULT_DB})")
    parser.add_argument("--term", action="append", help="TERM (xterm-256color and linux)")
    parser.add_argument("--idle", type=float, default=9.0, help="idle seconds per screen (9)")
    parser.add_argument("--moves", type=int, default=3, help="cursor moves of each kind (3)")
    parser.add_argument("--marks", type=int, default=3, help="marks typed (3)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each step")
    args = parser.parse_args(argv)
    db = demo_database(args.db or DEFAULT_DB)
    ok = True
    for term_name in args.term or ["xterm-256color", "linux"]:
        try:
            rows = run(db, term_name, args)
        except Timeout as exc:
            print(f"TERM={term_name}: {exc}", file=sys.stderr)
            return 2
        print(
            f"\nBytes to the terminal, {SIZE[0]}x{SIZE[1]} pty, TERM={term_name}, "
            f"demo school, Python {sys.version.split()[0]}"
        )
        header = f"{'measure':<34} {'value':>10} {'budget':>10}  result"
        print(header)
        print("-" * len(header))
        for row in rows:
            budget = fmt(row.budget, row.unit) if row.budget is not None else ""
            note = f"  ({row.note})" if row.note else ""
            print(
                f"{row.label:<34} {fmt(row.value, row.unit):>10} {budget:>10}  {row.verdict}{note}"
            )
            ok = ok and row.verdict != "OVER"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
