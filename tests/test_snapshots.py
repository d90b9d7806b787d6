"""SVG snapshots of the main screens (pytest-textual-snapshot) at 80×24 and 120×40.

The school is tests/school.py's with a fixed day (Monday 23.11.2026, 10:00), so the
badges and dates never move.  Input cursors stop blinking before the picture
(``Input.cursor_blink = False`` keeps the cursor shown); no step shows a
notification.  After an intended change of a screen, look at the report and run
``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import burst
from zhurnal.tui.app import make_app

TODAY = date(2026, 11, 23)
PASSWORD = "верный-пароль-1"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def school(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    yield world
    db.dispose()


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def steady(pilot: Pilot) -> None:
    """No blinking cursor in the picture."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False


async def on_login(pilot: Pilot) -> None:
    await settle(pilot)
    steady(pilot)


async def signed_in(pilot: Pilot) -> None:
    await burst(pilot.app, pilot, *"uchitel", "enter", *PASSWORD, "enter")
    await settle(pilot)
    steady(pilot)


async def locked(pilot: Pilot) -> None:
    await signed_in(pilot)
    app = pilot.app
    later = app.clock() + 1e6  # long after the last key, whatever the monotonic clock's origin
    app.clock = lambda: later
    app.idle_check()
    await settle(pilot)
    steady(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_login(snap_compare, school, size) -> None:
    app = make_app(database=school.db, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=on_login)


@pytest.mark.parametrize("size", SIZES)
def test_timetable_of_the_day(snap_compare, school, size) -> None:
    """uchitel on Monday 23.11.2026: 5А maths at lessons 1 and 3."""
    app = make_app(database=school.db, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=signed_in)


async def lesson_open(pilot: Pilot) -> None:
    await signed_in(pilot)
    await pilot.press("enter")  # the first lesson of the day
    await settle(pilot)
    steady(pilot)


async def grid_open(pilot: Pilot) -> None:
    await signed_in(pilot)
    await pilot.press("g")
    await settle(pilot)
    steady(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_lesson(snap_compare, school, size) -> None:
    """The card of 5А maths, lesson 1 on 23.11.2026."""
    app = make_app(database=school.db, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=lesson_open)


@pytest.mark.parametrize("size", SIZES)
def test_grid(snap_compare, school, size) -> None:
    """The 2nd quarter page of 5А maths: the 09.11 column locked, 24.11 not started."""
    from tests.school import NOW
    from zhurnal.core.services import marks

    marks.set_lesson_mark(
        school.db,
        school.teacher.at(NOW),
        school.lessons["late"],
        school.students5[0],
        "answer",
        "4",
    )
    app = make_app(database=school.db, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=grid_open)


def test_idle_lock(snap_compare, school) -> None:
    """The lock covers the timetable: no lesson of it is painted."""
    app = make_app(database=school.db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=locked)
