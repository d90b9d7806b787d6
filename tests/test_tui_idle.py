"""The idle lock (DESIGN.md "Security": idle sessions lock on shared school PCs).

The 004 policy locks after 10 idle minutes.  Time is moved with a fake
``app.clock`` and the check is run by calling ``app.idle_check()`` (the app
runs it every ``IDLE_CHECK_SECONDS``), so no test waits ten minutes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from textual import events
from textual.widgets import DataTable, Input, Static

import zhurnal.tui.app
from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, burst, screen_text, settle, sign_in
from zhurnal.core.auth import LOGIN_REFUSED
from zhurnal.core.models import AuditEvent
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import ChangePasswordScreen, LoginScreen, TimetableScreen
from zhurnal.tui.screens.lock import LockScreen

TODAY = date(2026, 11, 23)
SIZE = (100, 30)
IDLE = 10 * 60  # seconds: session.idle_lock_minutes of the 004 policy


@pytest.fixture
def school(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    set_password(db, "klass5a", PASSWORD, must_change=True)
    yield world
    db.dispose()


class Clock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def app_for(world, clock: Clock):
    app = make_app(database=world.db, today=TODAY)
    app.clock = clock
    return app


async def idle_for(app, pilot, clock: Clock, seconds: float) -> None:
    clock.now += seconds
    app.idle_check()
    await pilot.pause()


def lesson_rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def lock_error(app) -> str:
    return str(app.screen.query_one("#lock-error", Static).visual)


async def test_idle_time_locks_and_hides_the_register(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(app, pilot)
        timetable = app.screen
        assert isinstance(timetable, TimetableScreen)
        assert "Математика" in app.export_screenshot()

        await idle_for(app, pilot, clock, IDLE - 1)
        assert app.screen is timetable  # not yet

        app.notify("Антонов Антон: отметка не сохранена", timeout=3600)  # a name in a toast
        await pilot.pause(0.1)
        assert "Антонов" in app.export_screenshot()
        await idle_for(app, pilot, clock, 1)
        await pilot.pause(0.1)
        lock = app.screen
        assert isinstance(lock, LockScreen)
        message = str(lock.query_one("#lock-message", Static).visual)
        assert message.startswith("Журнал скрыт после 10 мин без действий")
        assert "Продолжить может только Учителева Мария Ивановна: введите пароль" in message
        assert "Сеанс заблокирован" in screen_text(app)
        assert app.focused is lock.query_one("#password", Input)
        # Nothing of the register is painted: the lock is opaque, not a dimmed overlay.
        assert lock.styles.background.a == 1
        painted = app.export_screenshot()
        for data in ("Математика", "5А", "каб. 12", "Расписание", "23 ноября", "Антонов"):
            assert data not in painted
        # The timetable's keys do not reach through: "l" is typed into the password.
        await pilot.press("l", "right")
        await settle(app, pilot)
        assert app.screen is lock and app.actor is not None
        assert lock.query_one("#password", Input).value == "l"
        # Still locked however long it stays so; a second lock is never stacked.
        await idle_for(app, pilot, clock, 3 * IDLE)
        assert sum(isinstance(s, LockScreen) for s in app.screen_stack) == 1


async def test_key_presses_and_typing_restart_the_idle_clock(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await idle_for(app, pilot, clock, IDLE - 60)
        await pilot.press("right")  # a key on the timetable
        await idle_for(app, pilot, clock, IDLE - 60)
        assert isinstance(app.screen, TimetableScreen)
        # The mouse counts too (sent as the driver does: Pilot.hover skips App.on_event).
        app.post_message(events.MouseMove(None, 5, 5, 1, 0, 0, False, False, False))
        await pilot.pause()
        await idle_for(app, pilot, clock, IDLE - 60)
        assert isinstance(app.screen, TimetableScreen)
        await idle_for(app, pilot, clock, 60)
        assert isinstance(app.screen, LockScreen)


async def test_typing_in_a_field_counts_and_any_screen_locks(school, clock) -> None:
    """The forced password change (inputs focused) locks too; typing keeps it open."""
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "klass5a")
        change = app.screen
        assert isinstance(change, ChangePasswordScreen)
        await idle_for(app, pilot, clock, IDLE - 10)
        await burst(app, pilot, *"верн")  # into the focused «Текущий пароль»
        assert change.query_one("#old", Input).value == "верн"
        await idle_for(app, pilot, clock, IDLE - 10)
        assert app.screen is change
        await idle_for(app, pilot, clock, 10)
        assert isinstance(app.screen, LockScreen)
        assert "верн" not in app.export_screenshot()
        await burst(app, pilot, *PASSWORD, "enter")
        await settle(app, pilot)
        assert app.screen is change
        assert change.query_one("#old", Input).value == "верн"  # what was typed is kept


async def test_wrong_password_then_the_right_one_returns_to_the_same_place(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("right")  # the user was looking at tomorrow
        await settle(app, pilot)
        timetable = app.screen
        assert str(timetable.query_one("#day").visual) == "вторник, 24 ноября 2026"
        await idle_for(app, pilot, clock, IDLE)
        assert isinstance(app.screen, LockScreen)

        await pilot.press("enter")
        assert lock_error(app) == "Введите пароль."
        await burst(app, pilot, *"не тот пароль", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_error(app) == LOGIN_REFUSED
        assert app.screen.query_one("#password", Input).value == ""

        await burst(app, pilot, *PASSWORD, "enter")
        await settle(app, pilot)
        assert app.screen is timetable
        assert str(timetable.query_one("#day").visual) == "вторник, 24 ноября 2026"
        assert [r[0] for r in lesson_rows(timetable)] == ["1"]
        assert app.focused is timetable.query_one(DataTable)
        # The idle clock starts again from the unlock.
        await idle_for(app, pilot, clock, IDLE - 1)
        assert app.screen is timetable
        await idle_for(app, pilot, clock, 1)
        assert isinstance(app.screen, LockScreen)


async def test_lockout_rules_apply_on_the_lock(school, clock) -> None:
    """The lock screen's password is a login like any other: after 5 failures (004
    [auth]) the password login pauses, and even the right password waits [issue 11]."""
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await idle_for(app, pilot, clock, IDLE)
        for _ in range(5):  # auth.max_failed_logins of the 004 policy
            await burst(app, pilot, *"неверно", "enter")
            await settle(app, pilot)
        assert lock_error(app) == LOGIN_REFUSED
        await burst(app, pilot, *PASSWORD, "enter")  # even the right password waits now
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_error(app) == LOGIN_REFUSED
        app.fixed_now += timedelta(minutes=1)  # the pause after the fifth failure ends
        await burst(app, pilot, *PASSWORD, "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, LockScreen)


async def test_logout_from_the_lock_returns_to_login(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f1")  # a help window was open too
        await pilot.pause()
        await idle_for(app, pilot, clock, IDLE)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        assert len(app.screen_stack) == 2  # the default screen and the login form only
        assert app.actor is None
        assert app.screen.query_one("#password", Input).value == ""
        await idle_for(app, pilot, clock, 3 * IDLE)  # nobody signed in: nothing to lock
        assert isinstance(app.screen, LoginScreen)
        await sign_in(app, pilot)  # the next user starts afresh
        assert isinstance(app.screen, TimetableScreen)
    with school.db.read() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events][-3:] == ["login", "logout", "login"]
    assert events[-2].after == '{"how": "idle"}'  # logged out from the idle lock


async def test_the_logout_button(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await idle_for(app, pilot, clock, IDLE)
        await pilot.click("#logout")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None


async def test_the_timer_runs_the_check(school, clock, monkeypatch) -> None:
    monkeypatch.setattr(zhurnal.tui.app, "IDLE_CHECK_SECONDS", 0.05)
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        clock.now += IDLE
        await pilot.pause(0.3)
        assert isinstance(app.screen, LockScreen)


async def test_zero_idle_minutes_never_locks(school, clock) -> None:
    app = app_for(school, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        app.idle_lock_minutes = 0  # session.idle_lock_minutes = 0 in the policy
        await idle_for(app, pilot, clock, 100 * IDLE)
        assert isinstance(app.screen, TimetableScreen)


async def test_the_lock_says_what_it_is_and_f1_works_there(school, clock) -> None:
    """Issue 7: the idle lock names itself and why; F1 shows its keys over it (and the
    register stays hidden), Esc goes back to the password."""
    from tests.ui import screen_lines
    from zhurnal.tui.screens.help import HelpModal

    app = app_for(school, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await idle_for(app, pilot, clock, IDLE)
        await pilot.pause(0.1)
        lock = app.screen
        assert isinstance(lock, LockScreen)
        painted = "\n".join(screen_lines(app))
        assert "Сеанс заблокирован" in painted
        assert "10 мин без действий" in painted
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        painted = "\n".join(screen_lines(app))
        assert "Клавиши: Сеанс заблокирован" in painted
        assert "Выйти из учётной записи" in painted
        assert "Математика" not in painted
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lock
        assert app.focused is lock.query_one("#password", Input)
