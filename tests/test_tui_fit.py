"""Every screen fits the terminal (issue 7): 80×24 over SSH, and down to 60×20 it scrolls.

On tests/school.py's school (Monday 23.11.2026): each screen a teacher meets —
login, password change, timetable, lesson, attendance, mark grid, idle lock — and each
screen of the deputy's and the class's control is opened as a user does.  At 80×24
its footer is not cut and its F1 help fits 80 columns listing each key once; at 60×20
every field can still be reached (the focused one is scrolled into view, never cut off).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from textual.widgets import Footer

from tests.conftest import make_db, set_password
from tests.ui import PASSWORD, screen_lines, settle, sign_in
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.help import HelpModal, help_lines

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    from tests.school import build

    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    set_password(db, "klass5a", PASSWORD, must_change=True)
    set_password(db, "zavuch", PASSWORD)
    set_password(db, "direktor", PASSWORD)
    set_password(db, "admin", PASSWORD)
    yield world
    db.dispose()


async def _login(app, pilot) -> None:
    await settle(app, pilot, 1)


async def _password(app, pilot) -> None:
    await sign_in(app, pilot, "klass5a")


async def _timetable(app, pilot) -> None:
    await sign_in(app, pilot)


async def _lesson(app, pilot) -> None:
    await sign_in(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)


async def _attendance(app, pilot) -> None:
    await _lesson(app, pilot)
    await pilot.press("f3")
    await settle(app, pilot)


async def _grid(app, pilot) -> None:
    await sign_in(app, pilot)
    await pilot.press("g")
    await settle(app, pilot)


async def _lock(app, pilot) -> None:
    now = [1000.0]
    app.clock = lambda: now[0]
    await sign_in(app, pilot)
    now[0] += 3600
    app.idle_check()
    await settle(app, pilot)


async def _control(app, pilot) -> None:
    await sign_in(app, pilot, "zavuch")
    await settle(app, pilot, 2)


def _task(*keys: str, login: str = "zavuch") -> Callable[..., Awaitable[None]]:
    """A task of «Контроль журнала»: the keys that open it from there."""

    async def open_task(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(app, pilot, login)
        await settle(app, pilot, 2)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot, 2)

    return open_task


CLASS_5A = ("down", "enter", "down", "enter")  # «Классы», then 5А (after 1А)

OPEN: dict[str, Callable[..., Awaitable[None]]] = {
    "ControlScreen": _control,
    "CompletenessScreen": _task("enter"),
    "CorrectionsScreen": _task("down", "down", "enter"),
    "ReportScreen": _task("down", "down", "down", "enter"),
    "AuditScreen": _task("down", "down", "down", "down", "enter"),
    "IncidentScreen": _task(*["down"] * 6, "enter", login="direktor"),
    "ClassScreen": _task(*CLASS_5A),
    "ChecklistScreen": _task(login="admin"),  # the school has no timetable: lands on it
    "AdminScreen": _task("escape", login="admin"),
    "UsersScreen": _task("escape", "down", "enter", login="admin"),
    "ClassesScreen": _task("escape", *["down"] * 4, "enter", login="admin"),
    "CoursesScreen": _task("escape", *["down"] * 5, "enter", login="admin"),
    "SubgroupsScreen": _task("escape", *["down"] * 5, "enter", "g", login="admin"),
    "YearScreen": _task("escape", *["down"] * 3, "enter", login="admin"),
    "TimetableAdminScreen": _task("escape", *["down"] * 6, "enter", login="admin"),
    "TimetableDayScreen": _task("escape", *["down"] * 6, "enter", "v", login="admin"),
    "PlanImportScreen": _task("escape", *["down"] * 7, "enter", login="admin"),
    "ContingentScreen": _task("escape", *["down"] * 8, "enter", login="admin"),
    "RolloverScreen": _task("escape", *["down"] * 9, "enter", login="admin"),
    "AbsencesScreen": _task(*CLASS_5A, "down", "down", "enter"),
    "PeriodMarksScreen": _task(*CLASS_5A, "down", "down", "down", "enter"),
    "LoginScreen": _login,
    "ChangePasswordScreen": _password,
    "TimetableScreen": _timetable,
    "LessonScreen": _lesson,
    "AttendanceScreen": _attendance,
    "GridScreen": _grid,
    "LockScreen": _lock,
}


@pytest.mark.parametrize("name", list(OPEN))
async def test_at_80x24_the_footer_and_help_fit_and_at_60x20_every_field_scrolls_into_view(
    w, name
) -> None:
    """Opened at 80×24 as a user does; then the terminal shrinks to 60×20 (a small SSH
    window) and every field is reached with Tab, scrolled into view, never cut off."""
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await OPEN[name](app, pilot)
        screen = app.screen
        assert type(screen).__name__ == name
        for key in screen.query("FooterKey"):  # every key of the footer is whole on screen
            assert key.region.width > 0 and key.region.right <= 80, f"cut: {key.render()}"
            assert not key.has_class("-compact"), "80 columns: the footer is not compact"
        assert screen.query(Footer)
        lines = help_lines(screen)
        keys = [k for keys, _ in lines for k in keys.split(" / ")]
        assert len(keys) == len(set(keys)), f"a key listed twice: {keys}"
        assert any("F1" in k for k, _ in lines)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpModal)
        box = app.screen.query_one("#help-box")
        assert box.region.width <= 80 and box.max_scroll_x == 0
        painted = "\n".join(screen_lines(app))
        assert f"Клавиши: {screen.HELP_TITLE}" in painted
        await pilot.press("f1")  # F1 again closes it
        await settle(app, pilot)
        assert app.screen is screen

        await pilot.resize_terminal(60, 20)
        await settle(app, pilot)
        assert app.size == (60, 20)
        keys = list(screen.query("FooterKey"))  # compact below 80 columns, F1 first
        assert keys and all(key.has_class("-compact") for key in keys)
        assert keys[0].key == "f1"
        seen = []
        for _ in range(8):
            focused = app.focused
            if focused is None or focused in seen:
                break
            seen.append(focused)
            region = focused.region
            assert region.height > 0 and 0 <= region.y and region.bottom <= 20, (
                f"{focused!r} is cut off at 60×20: {region}"
            )
            await pilot.press("tab")
            await settle(app, pilot, 1)
        assert seen, "nothing to type into or move in"


async def test_at_60x20_the_questions_and_the_timetable_columns_fit(w) -> None:
    """The «Не сохранено…» question and the timetable keep every word and column on a
    60-column terminal (the room and the topic go to the line under the table)."""
    from textual.widgets import DataTable

    from tests.ui import burst
    from zhurnal.tui.widgets.dialogs import QuestionModal

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(60, 20)) as pilot:
        await sign_in(app, pilot)
        table = app.screen.query_one(DataTable)
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 60
        painted = " ".join(line.strip() for line in screen_lines(app))
        assert "каб. 12 · Тема: не записана" in painted
        await pilot.press("enter")
        await settle(app, pilot)
        await burst(app, pilot, *"Тема")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionModal)
        for widget in app.screen.query("Static, Button"):
            assert widget.region.right <= 60, f"cut: {widget!r} {widget.region}"
        painted = " ".join(line.strip(" │") for line in screen_lines(app))
        assert "1-й урок, 5А Математика." in painted
        for answer in ("Сохранить", "Не сохранять", "Остаться"):
            assert answer in painted
