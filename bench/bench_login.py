"""A refused login takes the same time whatever the reason [issue 11 «Login abuse»].

Before, an unknown login and a wrong password cost one argon2 verification (~0.2–0.3 s)
while a locked account was answered at once (~1.5 ms): the time told which logins were
locked. Now every refusal makes one verification (``core.auth.authenticate``).

How it is measured: a fresh SQLite school in a temp dir with the library's default argon2
parameters (as in production); for each case ``core.auth.authenticate`` is timed as a whole
(both transactions, the verification, the audit events), ``--runs`` times, the median
reported; the cases alternate run by run. Between runs the user's failure counter is reset
(outside the timing), so that a «wrong password» stays one and does not turn into a pause.

Budget: the slowest refusal's median is within 1.25× of the fastest one's.

    python bench/bench_login.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import select

from zhurnal.core import auth
from zhurnal.core.db import Database
from zhurnal.core.errors import AuthError
from zhurnal.core.models import User
from zhurnal.core.policy import preset_text
from zhurnal.core.setup import install_policy
from zhurnal.core.throttle import HARD_LOCK_FAILURES

BUDGET_RATIO = 1.25
NOW = datetime(2026, 9, 1, 8, 0)
PASSWORD = "зелёная лампа над столом"


def _school(folder: Path) -> Database:
    db = Database.open(folder / "login.db")
    with db.write() as s:
        install_policy(s, preset_text("004"))
        for login in ("wrong", "paused", "locked", "disabled", "closed", "owner"):
            s.add(
                User(
                    login=login,
                    full_name=login.title(),
                    password_hash="!" if login == "closed" else auth.hash_password(PASSWORD),
                    roles="teacher",
                    must_change_password=False,
                    active=login != "disabled",
                )
            )
    return db


def _set(db: Database, login: str, failures: int, until: datetime | None) -> None:
    with db.write() as s:
        user = s.exec(select(User).where(User.login == login)).one()
        user.failed_attempts, user.locked_until = failures, until
        s.add(user)


CASES: dict[str, tuple[str, str, int, datetime | None]] = {
    # case: (login, password, failures before, paused until)
    "unknown login": ("nobody", PASSWORD, 0, None),
    "wrong password": ("wrong", "не тот пароль", 0, None),
    "paused (right password)": ("paused", PASSWORD, 5, NOW + timedelta(hours=1)),
    "locked (right password)": ("locked", PASSWORD, HARD_LOCK_FAILURES, None),
    "disabled (right password)": ("disabled", PASSWORD, 0, None),
    "closed by the director": ("closed", PASSWORD, 0, None),
}


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    try:
        call()
    except AuthError:
        pass  # the refusal is what is timed
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-login-") as folder:
        db = _school(Path(folder))
        times: dict[str, list[float]] = {case: [] for case in CASES}
        for _ in range(args.runs):  # the cases alternate, so a load change hits them all
            for case, (login, password, failures, until) in CASES.items():
                if login != "nobody":
                    _set(db, login, failures, until)
                times[case].append(
                    _timed(lambda: auth.authenticate(db, login, password, now=NOW))  # noqa: B023
                )
        medians = {case: statistics.median(t) for case, t in times.items()}
        owner = [_timed(lambda: auth.authenticate(db, "owner", PASSWORD, now=NOW))]
        db.dispose()
    for case, median in medians.items():
        print(f"{case:<28} {median * 1000:8.1f} ms")
    print(f"{'(a successful login)':<28} {owner[0] * 1000:8.1f} ms")
    ratio = max(medians.values()) / min(medians.values())
    verdict = "OK" if ratio <= BUDGET_RATIO else "OVER"
    print(f"slowest / fastest refusal: {ratio:.2f} (budget ≤ {BUDGET_RATIO}) {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
