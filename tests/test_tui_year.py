"""«Учебный год» in the terminal [004 §5 «Администратор», «Заместитель директора»]: a school
made by ``zhurnal init`` gets its year, quarters, a holiday and the bells from the screen;
an overlapping period and a holiday outside the year are refused with the reason, in the
form, with what was typed kept and nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, TextArea

from tests.conftest import add_user, make_db, set_password
from tests.test_cli_school_year import year_state
from tests.ui import (
    PASSWORD,
    burst,
    form_error,
    open_menu_task,
    screen_text,
    set_field,
    settle,
    sign_in,
)
from zhurnal.core.readmodels import year_setup
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.year import YearScreen
from zhurnal.tui.widgets.form import FormModal

TODAY = date(2026, 8, 25)
QUARTERS = [
    ("01.09.2026", "24.10.2026"),
    ("05.11.2026", "28.12.2026"),
    ("11.01.2027", "21.03.2027"),
    ("31.03.2027", "26.05.2027"),
]


@pytest.fixture
def db(tmp_path, fast_argon2):
    database = make_db(tmp_path / "s.db")
    add_user(database, "admin", "admin", "Админова Анна")
    add_user(database, "zavuch", "deputy", "Завучева Вера")
    set_password(database, "admin", PASSWORD)
    set_password(database, "zavuch", PASSWORD)
    yield database
    database.dispose()


async def open_year(app, pilot, login: str = "admin") -> YearScreen:  # type: ignore[no-untyped-def]
    """The administrator opens «Учебный год» from «Администрирование»; the deputy's menu
    does not list it yet, so the screen is opened for them as the menu will."""
    await sign_in(app, pilot, login)
    await settle(app, pilot, 3)
    if login == "admin":
        await open_menu_task(app, pilot, "year")
    else:
        app.push_screen(YearScreen(app.actor))
    await settle(app, pilot, 3)
    assert isinstance(app.screen, YearScreen)
    return app.screen


async def fill(app, pilot, **values: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the open form's fields; the first field is typed key by key."""
    form = app.screen
    assert isinstance(form, FormModal)
    for key, value in values.items():
        widget = form.query_one(f"#field-{key}")
        if isinstance(widget, Input) and widget.has_focus:
            widget.value = ""
            await burst(app, pilot, *value)
        else:
            set_field(app, key, value)
    await settle(app, pilot, 1)


async def save(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+s")
    await settle(app, pilot, 3)


async def test_a_year_is_set_up_from_nothing_with_quarters_a_holiday_and_bells(db) -> None:
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_year(app, pilot)
        assert "Учебного года ещё нет" in screen_text(app)
        await pilot.press("y")  # 2026/2027, 01.09.2026–31.05.2027, current: offered
        await settle(app, pilot)
        await fill(app, pilot, end="26.05.2027")
        await save(app, pilot)
        assert app.screen is screen
        assert "2026/2027 (текущий): 01.09.2026 – 26.05.2027" in screen_text(app)

        for n, (start, end) in enumerate(QUARTERS, start=1):
            await pilot.press("n")
            await settle(app, pilot)
            assert app.screen.query_one("#field-number", Input).value == str(n)
            await fill(app, pilot, start=start, end=end)
            await save(app, pilot)
            assert app.screen is screen, screen_text(app)
        painted = screen_text(app)
        assert "4 четверть" in painted and "31.03.2027" in painted and "1–9" in painted

        await pilot.press("2", "n")
        await settle(app, pilot)
        await fill(
            app,
            pilot,
            name="Дополнительные каникулы",
            start="15.02.2027",
            end="21.02.2027",
            grades="1",
        )
        await save(app, pilot)
        assert "Дополнительные каникулы" in screen_text(app)

        await pilot.press("b")  # the usual bells are offered; the 7th lesson is dropped
        await settle(app, pilot)
        bells = app.screen.query_one(TextArea).text.splitlines()
        await fill(app, pilot, bells="\n".join(bells[:6]))
        await save(app, pilot)
        assert app.screen is screen

    setup = year_setup(db, add_user(db, "x", "director"))
    assert setup.year.end == date(2027, 5, 26)
    assert [p.name for p in setup.schemes[0].periods] == [f"{n} четверть" for n in range(1, 5)]
    assert [(h.name, h.grades) for h in setup.holidays] == [("Дополнительные каникулы", "1")]
    assert [b.number for b in setup.bells] == [1, 2, 3, 4, 5, 6]


async def _year_with_quarters(db) -> None:  # type: ignore[no-untyped-def]
    from tests.test_year_setup import quarters_year

    quarters_year(db, add_user(db, "y", "admin"))


async def test_an_overlapping_period_is_refused_in_the_form_and_nothing_written(db) -> None:
    await _year_with_quarters(db)
    before = year_state(db)
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_year(app, pilot, "zavuch")
        await pilot.press("n")
        await settle(app, pilot)
        await fill(
            app, pilot, number="5", name="Лишняя четверть", start="01.05.2027", end="20.05.2027"
        )
        await save(app, pilot)
        form = app.screen
        assert isinstance(form, FormModal)  # still open, with what was typed
        assert form.query_one("#field-name", Input).value == "Лишняя четверть"
        assert "пересекаются с периодом «4 четверть» (31.03.2027–26.05.2027)" in form_error(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, YearScreen)
    assert year_state(db) == before


async def test_a_holiday_outside_the_year_is_refused_in_the_form(db) -> None:
    await _year_with_quarters(db)
    before = year_state(db)
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_year(app, pilot)
        await pilot.press("2", "n")
        await settle(app, pilot)
        await fill(app, pilot, name="Летние каникулы", start="01.06.2027", end="31.08.2027")
        await save(app, pilot)
        assert isinstance(app.screen, FormModal)
        assert "внутри учебного года 2026/2027 (01.09.2026–31.05.2027)" in form_error(app)
        await fill(app, pilot, start="31.02.2027")  # an impossible date: named, not written
        await save(app, pilot)
        assert "«31.02.2027» не дата" in form_error(app)
    assert year_state(db) == before


async def test_a_period_is_corrected_and_a_free_one_removed(db) -> None:
    await _year_with_quarters(db)
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_year(app, pilot)
        await pilot.press("down", "down", "down", "enter")  # the 4th quarter
        await settle(app, pilot)
        assert isinstance(app.screen, FormModal)
        await fill(app, pilot, start="30.03.2027")
        await save(app, pilot)
        assert app.screen is screen, form_error(app)
        assert "30.03.2027" in screen_text(app)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.click("#answer-yes")
        await settle(app, pilot, 3)
    quarters = year_setup(db, add_user(db, "x", "director")).schemes[0].periods
    assert [p.name for p in quarters] == ["1 четверть", "2 четверть", "3 четверть"]
