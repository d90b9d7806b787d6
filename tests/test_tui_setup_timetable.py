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
from tests.school import NOW, TODAY, build
from tests.ui import (
    PASSWORD,
    form_error,
    open_menu_task,
    screen_text,
    set_field,
    settle,
    sign_in,
    toast_text,
)
from zhurnal.core.models import AuditEvent, Lesson, TimetableSlot
from zhurnal.core.services import timetable
from zhurnal.tui.screens.timetable_admin import TimetableAdminScreen
from zhurnal.tui.screens.timetable_day import TimetableDayScreen
from zhurnal.tui.widgets.dialogs import ChoiceModal
from zhurnal.tui.widgets.form import FormModal
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
        await open_menu_task(app, pilot, "timetable")
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
    assert isinstance(app.screen, FormModal)
    for key, value in values.items():
        set_field(app, key, value)
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

        # The second group at the same bell clashes with the whole class's lesson: refused
        # in the form, which stays open with what was typed; nothing written.
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # Математика (2 гр.), Другов
        await settle(app, pilot)
        await fill(app, pilot, room="14")
        shown = form_error(app)
        assert "У 5А уже стоит Математика во вторник 2-м уроком" in shown
        assert "учитель Учителева М. И." in shown
        assert len(slots(w)) == 1
        assert app.screen.query_one("#field-room", Input).value == "14"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableAdminScreen)


def course_lessons(w, course_id: int) -> dict[tuple[date, int], Lesson]:  # type: ignore[no-untyped-def]
    with w.db.read() as s:
        found = s.exec(select(Lesson).where(Lesson.course_id == course_id))
        return {(x.date, x.number): x for x in found}


def modal_text(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(x.render()) for x in app.screen.query("Static"))


async def test_lessons_created_change_from_a_date_keeps_held_ones_and_end(w) -> None:
    """Creating the lessons lists the one that clashed (naming the other lesson); a change
    from a date moves the empty future lessons and keeps the held one as it was; ending
    the slot from a date removes its empty lessons from then on."""
    admin = w.admin.at(NOW)
    timetable.add_slot(w.db, admin, w.course5, TUE, 1, "12", date(2026, 9, 1))
    with w.db.write() as s:
        held = s.get(Lesson, w.lessons["tomorrow"])  # Tue 24.11, 1st lesson of 5А
        held.topic = "Дроби"
        # Учителева substitutes in 1А on Tue 01.12 at the 1st lesson: 5А's cannot be made.
        sub = Lesson(course_id=w.course1, date=date(2026, 12, 1), number=1)
        sub.held_by_id = w.teacher.user_id
        s.add(sub)
    app = app_for(w)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_grid(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("enter", "enter")  # from today to the year's end
        await settle(app, pilot, 3)
        assert isinstance(app.screen, LinesModal)
        shown = modal_text(app)
        assert "Уроки с 23.11.2026 по 31.05.2027: создано 3." in shown  # 8.12, 15.12, 22.12
        assert "Учитель Учителева М. И. уже ведёт 1А Математика во вторник 01.12.2026" in shown
        await pilot.press("escape")
        await settle(app, pilot)
        tuesdays = [d for d, n in course_lessons(w, w.course5) if n == 1 and d.weekday() == TUE]
        assert len(tuesdays) == 4  # 24.11 (there already), 8.12, 15.12, 22.12

        screen.query_one("WeekGrid").move_cursor(row=0, column=TUE)
        await pilot.press("c")
        await settle(app, pilot)
        await fill(app, pilot, start="24.11.2026", day="ср", number="2")
        assert isinstance(app.screen, LinesModal)
        shown = modal_text(app)
        assert "Уроков убрано: 3, создано: 5." in shown
        assert "Оставлен как был: 24.11.2026, 1-й урок: есть записи (тема)" in shown
        await pilot.press("escape")
        await settle(app, pilot)
        lessons = course_lessons(w, w.course5)
        assert lessons[(date(2026, 11, 24), 1)].topic == "Дроби"
        later = [d for d, n in lessons if n == 1 and d.weekday() == TUE and d > date(2026, 11, 24)]
        assert later == []
        assert sorted(d for d, n in lessons if n == 2 and d.weekday() == WED) == [
            date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16),
            date(2026, 12, 23),
        ]  # fmt: skip
        old, new = slots(w)
        assert (old.weekday, old.valid_to) == (TUE, date(2026, 11, 23))
        assert (new.weekday, new.number, new.valid_from) == (WED, 2, date(2026, 11, 24))
        assert "неделя на 24.11.2026" in screen_text(app)  # the week as changed

        screen.query_one("WeekGrid").move_cursor(row=1, column=WED)
        await pilot.press("x")
        await settle(app, pilot)
        await fill(app, pilot, start="09.12.2026")
        assert "Уроков убрано: 3." in await toast_text(app, pilot)
        assert slots(w)[1].valid_to == date(2026, 12, 8)
        left = sorted(d for d, n in course_lessons(w, w.course5) if n == 2 and d.weekday() == WED)
        assert left == [date(2026, 11, 25), date(2026, 12, 2)]
        with w.db.read() as s:
            actions = set(s.exec(select(AuditEvent.action)))
        assert {"slot.add", "lessons.generate", "slot.change", "slot.end"} <= actions


async def test_the_deputy_cancels_restores_and_substitutes_a_lesson_004_5(w) -> None:
    """[004 §5 «Учитель»] The substitute fills the lesson and sees only the lessons they
    took; a cancelled lesson comes back on the deputy's word."""
    from zhurnal.core.readmodels import my_lessons
    from zhurnal.tui.widgets.text_prompt import TextPrompt

    tomorrow = date(2026, 11, 24)
    app = app_for(w)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_grid(app, pilot, "zavuch")
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableDayScreen)
        await pilot.press("right")  # Tue 24.11
        await settle(app, pilot)
        assert "Математика" in screen_text(app) and "24 ноября" in screen_text(app)

        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "Экскурсия класса"
        await pilot.press("enter")
        await settle(app, pilot, 3)
        lesson = lambda: course_lessons(w, w.course5)[(tomorrow, 1)]  # noqa: E731
        assert lesson().cancelled
        assert "отменён" in screen_text(app)
        await pilot.press("x")  # restored
        await settle(app, pilot, 3)
        assert not lesson().cancelled

        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("enter")  # Другов Пётр Сергеевич (the first by name)
        await settle(app, pilot, 3)
        assert lesson().held_by_id == w.other_teacher.user_id
        assert "замена" in screen_text(app)
        drugoy = w.other_teacher.at(NOW)
        assert [x.id for x in my_lessons(w.db, drugoy, tomorrow)] == [lesson().id]
        assert my_lessons(w.db, w.teacher.at(NOW), tomorrow) == []
        await pilot.press("b")
        await settle(app, pilot, 3)
        assert lesson().held_by_id == w.teacher.user_id
