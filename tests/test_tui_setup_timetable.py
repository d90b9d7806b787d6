"""«Расписание классов» in the terminal (issue 9): a class's week edited in a grid, a
clash refused naming the other lesson, a change from a date that keeps held lessons,
the lessons created for the year, and the day's cancellations and substitutions
[004 §5 «Заместитель директора», «Учитель»]."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input

from tests.conftest import make_db, set_password
from tests.school import TODAY, build
from tests.ui import PASSWORD, screen_text, settle, sign_in, toast_text
from zhurnal.core.models import AuditEvent, Lesson, TimetableSlot
from zhurnal.core.services import timetable
from zhurnal.tui.screens.timetable_admin import TimetableAdminScreen
from zhurnal.tui.screens.timetable_day import TimetableDayScreen
from zhurnal.tui.widgets.dialogs import ChoiceModal
from zhurnal.tui.widgets.fields_form import FieldsModal
from zhurnal.tui.widgets.lines import LinesModal

TUE, WED = 1, 2


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    set_password(db, "zavuch", PASSWORD)
    yield world
    db.dispose()


def app_for(w):  # type: ignore[no-untyped-def]
    from zhurnal.tui.app import make_app

    return make_app(database=w.db, today=TODAY)


async def open_grid(app, pilot, login: str = "admin") -> TimetableAdminScreen:  # type: ignore[no-untyped-def]
    """The administrator opens «Расписание классов» from the menu; the deputy (whose
    menu is the lead's to extend) gets the same screen pushed."""
    await sign_in(app, pilot, login)
    await settle(app, pilot, 3)
    if login == "admin":
        await pilot.press("down", "down", "enter")
    else:
        app.push_screen(TimetableAdminScreen(app.actor))
    await settle(app, pilot, 3)
    screen = app.screen
    assert isinstance(screen, TimetableAdminScreen)
    await pilot.press("pagedown")  # 1А → 5А
    await settle(app, pilot)
    assert screen.week is not None and screen.week.class_title == "5А"
    return screen


async def fill(app, pilot, **values: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, FieldsModal)
    for key, value in values.items():
        app.screen.query_one(f"#field-{key}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(app, pilot, 3)


def slots(w) -> list[TimetableSlot]:  # type: ignore[no-untyped-def]
    with w.db.read() as s:
        return list(s.exec(select(TimetableSlot).order_by(TimetableSlot.id)))


async def test_a_slot_added_in_the_grid_and_a_clash_refused_naming_the_other(w) -> None:
    app = app_for(w)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_grid(app, pilot)
        screen.query_one("WeekGrid").move_cursor(row=1, column=TUE)  # Вт, 2-й урок
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("enter")  # Математика (the whole class), Учителева
        await settle(app, pilot)
        await fill(app, pilot, room="12")
        [slot] = slots(w)
        assert (slot.course_id, slot.weekday, slot.number, slot.room) == (w.course5, TUE, 2, "12")
        assert slot.valid_from == TODAY
        painted = screen_text(app)
        assert "Мат" in painted and "12 УМИ" in painted
        assert "Вт 2-й: Математика — Учителева Мария Ивановна, каб. 12" in painted

        # The second group at the same bell clashes with the whole class's lesson.
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # Математика (2 гр.), Другов
        await settle(app, pilot)
        await fill(app, pilot, room="14")
        shown = await toast_text(app, pilot)
        assert "У 5А уже стоит Математика во вторник 2-м уроком" in shown
        assert "учитель Учителева М. И." in shown
        assert len(slots(w)) == 1
        assert isinstance(app.screen, TimetableAdminScreen)
