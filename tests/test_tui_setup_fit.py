"""The setup screens' forms and dialogs fit 80×24 (issue 9): every field of the
timetable's, the КТП's and the contingent's forms is on screen, none cut, and F1 lists
the form's keys."""

from __future__ import annotations

import pytest

from tests.conftest import make_db, set_password
from tests.school import NOW, TODAY, build
from tests.ui import PASSWORD, open_menu_task, settle, sign_in
from zhurnal.core.services import timetable
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.contingent import ContingentScreen
from zhurnal.tui.screens.help import HelpModal
from zhurnal.tui.screens.timetable_admin import TimetableAdminScreen
from zhurnal.tui.widgets.lines import LinesModal

SIZE = (80, 24)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    for login in ("admin", "zavuch", "sekretar"):
        set_password(db, login, PASSWORD)
    timetable.add_slot(db, world.admin.at(NOW), world.course5, 1, 1, "12", TODAY)
    timetable.add_slot(db, world.admin.at(NOW), world.course5_other, 1, 2, "14", TODAY)
    yield world
    db.dispose()


async def fits(app, pilot, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The top screen is a ``kind`` whose widgets are whole on 80×24; F1 opens its help;
    Esc (twice: the help, then the form) goes back."""
    modal = app.screen
    assert type(modal).__name__ == kind
    scrolled = list(modal.query("#lines > *"))  # a long list scrolls inside its box
    for widget in modal.query("*"):
        region = widget.region
        if region.width and region.height and widget not in scrolled:
            assert region.right <= SIZE[0] and region.bottom <= SIZE[1], f"cut: {widget!r}"
    focused = app.focused
    assert focused is not None and focused.region.bottom <= SIZE[1]
    await pilot.press("f1")
    await settle(app, pilot)
    assert isinstance(app.screen, HelpModal)
    await pilot.press("escape", "escape")
    await settle(app, pilot)


async def open_forms(app, pilot, *steps: tuple[tuple[str, ...], str]) -> None:  # type: ignore[no-untyped-def]
    for keys, kind in steps:
        screen = app.screen
        await pilot.press(*keys)
        await settle(app, pilot, 3)
        await fits(app, pilot, kind)
        assert app.screen is screen


async def test_the_timetable_forms_fit(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "zavuch")
        await settle(app, pilot, 3)
        app.push_screen(TimetableAdminScreen(app.actor))
        await settle(app, pilot, 3)
        await pilot.press("pagedown")
        await settle(app, pilot)
        app.screen.query_one("WeekGrid").move_cursor(row=0, column=1)  # Вт 1: 5А Математика
        await open_forms(
            app,
            pilot,
            (("n",), "ChoiceModal"),
            (("c",), "FormModal"),
            (("x",), "FormModal"),
            (("d",), "FormModal"),
            (("g",), "DatesModal"),
            (("k",), "ChoiceModal"),
        )
        await pilot.press("n", "enter")  # the course chosen: the room and dates
        await settle(app, pilot)
        await fits(app, pilot, "FormModal")
        app.push_screen(LinesModal("Расписание", "Не созданы:", [f"строка {n}" for n in range(40)]))
        await settle(app, pilot)
        await fits(app, pilot, "LinesModal")
        await pilot.press("v")
        await settle(app, pilot, 3)
        await pilot.press("right")  # Tue 24.11: 5А Математика
        await settle(app, pilot, 3)
        await open_forms(
            app,
            pilot,
            (("x",), "TextPrompt"),
            (("s",), "ChoiceModal"),
            (("d",), "FormModal"),
        )


async def test_the_plan_and_contingent_forms_fit(w, tmp_path) -> None:
    plan = tmp_path / "ктп.csv"
    plan.write_text("тема;часы\nДроби;10\n", encoding="utf-8")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "admin")
        await settle(app, pilot, 3)
        await open_menu_task(app, pilot, "plans")
        await open_forms(app, pilot, (("enter",), "FormModal"))
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#field-path").value = str(plan)
        await pilot.press("ctrl+s")
        await settle(app, pilot, 3)
        assert type(app.screen).__name__ == "QuestionModal"  # the hours differ: asked
        for widget in app.screen.query("*"):
            assert widget.region.right <= SIZE[0] and widget.region.bottom <= SIZE[1]
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        await open_menu_task(app, pilot, "contingent")
        assert isinstance(app.screen, ContingentScreen)
        await open_forms(
            app,
            pilot,
            (("i",), "FormModal"),
            (("a",), "FormModal"),
            (("d",), "FormModal"),
            (("t",), "ChoiceModal"),
        )
        await pilot.press("t", "enter")
        await settle(app, pilot)
        await fits(app, pilot, "FormModal")


async def tab_through(app, pilot, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Every field of the open form, reached by Tab, is scrolled whole into view."""
    form = app.screen
    fields = list(form.query("Input, OptionList, TextArea"))
    assert fields
    for field in fields:
        await settle(app, pilot, 1)
        assert app.focused is field
        region = field.region
        assert region.height > 0 and region.y >= 0 and region.bottom <= size[1], (
            f"{field!r} is cut off at {size}: {region}"
        )
        await pilot.press("tab")


@pytest.mark.parametrize("size", [SIZE, (60, 20)])
async def test_the_year_and_course_forms_fit_and_scroll(w, size) -> None:
    """The longest forms — a new period (two lists) and a class's new subject (two lists
    of the school) — fit 80×24 whole and, at 60×20, bring every field into view."""
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await sign_in(app, pilot, "admin")
        await settle(app, pilot, 3)
        for task in ("year", "courses"):
            await open_menu_task(app, pilot, task)
            await pilot.press("n")
            await settle(app, pilot, 3)
            if size == SIZE:
                await fits(app, pilot, "FormModal")
            else:
                await tab_through(app, pilot, size)
                await pilot.press("escape")
            await settle(app, pilot)
            await pilot.press("escape")  # back to the menu
            await settle(app, pilot)
