"""``examples/new-school.sh``: a school set up from ``zhurnal init`` on an empty folder to
a teacher's first mark with the CLI only, then ``zhurnal verify`` (issue 9, «Done when»).

The script runs as an administrator would run it (every command a new process, every one
as a register user proved by a password file); the year is laid around the day the suite
runs (YEAR_FROM/YEAR_TO), so that a lesson of today exists on any day of the calendar."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, Mark, User

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "new-school.sh"


def test_a_new_school_from_init_to_a_first_mark_with_the_cli_only(tmp_path) -> None:
    today = date.today()
    env = {
        **os.environ,
        "ZHURNAL": str(Path(sys.executable).parent / "zhurnal"),
        "YEAR_FROM": f"{today - timedelta(days=60):%d.%m.%Y}",
        "YEAR_TO": f"{today + timedelta(days=200):%d.%m.%Y}",
    }
    folder = tmp_path / "school"
    done = subprocess.run(
        ["bash", str(SCRIPT), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "Журнал аудита: в порядке" in done.stdout
    for name in ("admin.pw", "teacher.pw"):
        assert (folder / name).stat().st_mode & 0o077 == 0  # passwords for their owner only

    db = Database.open(folder / "school.db")
    try:
        with db.read() as s:
            teacher = s.exec(select(User).where(User.login == "ivanova.mi")).one()
            marks = s.exec(select(Mark)).all()
            assert [(m.value, m.entered_by_id) for m in marks] == [("5", teacher.id)]
            # the mark was written by the teacher who proved who she is, not by the OS user
            event = s.exec(select(AuditEvent).where(AuditEvent.entity == "mark")).one()
            assert event.actor_login == "ivanova.mi"
            assert not teacher.must_change_password
    finally:
        db.dispose()


def test_the_script_refuses_a_folder_that_already_has_a_school(tmp_path) -> None:
    (tmp_path / "school.db").write_bytes(b"")
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path)],
        env={**os.environ, "ZHURNAL": str(Path(sys.executable).parent / "zhurnal")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "уже существует" in done.stderr
