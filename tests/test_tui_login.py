"""The login, password-change and timetable screens through Pilot.

The school is tests/school.py's: Monday 23.11.2026, ``uchitel`` teaches 5А
maths at lessons 1 and 3 today and lesson 1 tomorrow; ``klass5a`` has a
temporary password.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from tests.conftest import make_db
from tests.school import build
from tests.ui import PASSWORD, burst, poll, settle, sign_in
from zhurnal.core import audit
from zhurnal.core.models import Lesson, User
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import ChangePasswordScreen, LoginScreen, TimetableScreen

TODAY = date(2026, 11, 23)
SIZE = (100, 30)


@pytest.fixture
def school(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with db.write() as s:
        for user in s.exec(select(User)):
            user.password_hash = password_hash
            user.must_change_password = user.login == "klass5a"
            s.add(user)
    yield world
    db.dispose()


def app_for(world, login=None):
    return make_app(login=login, database=world.db, today=TODAY)


def error_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


def rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_module_imports_no_database_code() -> None:
    """The login form paints before sqlalchemy/argon2 are imported (in a worker)."""
    code = (
        "import sys, zhurnal.tui.app\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('sqlmodel', 'sqlalchemy', 'argon2', 'alembic'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_wrong_password_stays_on_login(school) -> None:
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await sign_in(app, pilot, "uchitel", "не тот пароль")
        assert isinstance(app.screen, LoginScreen)
        assert "Неверный логин или пароль, либо" in error_of(app.screen, "#login-error")
        assert app.screen.query_one("#password", Input).value == ""


async def test_login_prefilled_focuses_password(school) -> None:
    app = app_for(school, login="uchitel")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#login", Input).value == "uchitel"
        assert app.focused is app.screen.query_one("#password", Input)
        await burst(app, pilot, *PASSWORD, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)


async def test_login_shows_the_day(school) -> None:
    app = app_for(school)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(app, pilot, "uchitel")
        screen = app.screen
        assert isinstance(screen, TimetableScreen)
        assert "Расписание" in str(screen.query_one(".screen-title", Static).visual)
        assert "Учителева Мария Ивановна — Учитель" in str(screen.query_one("#who").visual)
        assert str(screen.query_one("#day").visual) == "понедельник, 23 ноября 2026"
        got = rows(screen)
        assert [r[0] for r in got] == ["1", "3"]
        assert all(r[1] == "5А" and r[2] == "Математика" for r in got)
        assert got[0][3] == "каб. 12"
        assert got[0][4] == "—"  # no topic yet
        await pilot.press("enter")
        await settle(app, pilot)
        from zhurnal.tui.screens.lesson import LessonScreen

        assert isinstance(app.screen, LessonScreen)


async def test_next_and_previous_day(school) -> None:
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "uchitel")
        await pilot.press("right")
        await settle(app, pilot)
        screen = app.screen
        assert str(screen.query_one("#day").visual) == "вторник, 24 ноября 2026"
        assert [r[0] for r in rows(screen)] == ["1"]
        await pilot.press("left", "left")
        await settle(app, pilot)
        assert str(screen.query_one("#day").visual) == "воскресенье, 22 ноября 2026"
        assert not screen.query_one(DataTable).display
        assert screen.query_one("#empty").display
        assert "Уроков нет" in str(screen.query_one("#empty").visual)
        await pilot.press("t")
        await settle(app, pilot)
        assert [r[0] for r in rows(screen)] == ["1", "3"]
        assert app.focused is screen.query_one(DataTable)  # Enter opens a lesson again
        await pilot.press("shift+left")
        await settle(app, pilot)
        assert str(screen.query_one("#day").visual) == "понедельник, 16 ноября 2026"
        await pilot.press("pagedown", "pagedown")
        await settle(app, pilot)
        assert str(screen.query_one("#day").visual) == "понедельник, 30 ноября 2026"


async def test_user_text_is_not_markup(school) -> None:
    with school.db.write() as s:
        lesson = s.get(Lesson, school.lessons["today"])
        lesson.topic = "[b]Дроби[/b]"
        s.add(lesson)
        later = s.get(Lesson, school.lessons["later_today"])
        later.topic = "[@click=app.quit]x[/]"
        s.add(later)
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "uchitel")
        got = rows(app.screen)
        assert got[0][4] == "[b]Дроби[/b]"
        assert got[1][4] == "[@click=app.quit]x[/]"
        cell = app.screen.query_one(DataTable).get_row_at(1)[4]
        assert not cell.spans and "@click" not in str(cell.style)
        assert "[b]Дроби[/b]" in app.export_screenshot()  # as painted, not bold
        await pilot.click(DataTable, offset=(33, 2))  # on the "x" of the second topic
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, TimetableScreen)


async def test_a_change_elsewhere_is_picked_up(school) -> None:
    """Another session commits (an audit event moves the change counter): the change
    watcher notices it and reloads the day."""
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "uchitel")
        screen = app.screen
        assert rows(screen)[0][4] == "—"
        with school.db.write() as s:
            lesson = s.get(Lesson, school.lessons["today"])
            lesson.topic = "Обыкновенные дроби"
            s.add(lesson)
            audit.append(
                s,
                ts=datetime(2026, 11, 23, 10),
                actor_id=None,
                actor_login="test",
                action="lesson.update",
                entity="lesson",
                entity_id=lesson.id,
            )
        await poll(app, pilot)
        assert rows(screen)[0][4] == "Обыкновенные дроби"


async def test_temporary_password_must_be_changed(school) -> None:
    app = app_for(school, login="uchitel")  # --as prefilled, then corrected by the user
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab", "ctrl+u")  # from the password back to the login
        await sign_in(app, pilot, "klass5a")
        screen = app.screen
        assert isinstance(screen, ChangePasswordScreen)
        assert "Смена пароля" in str(screen.query_one(".form-title").visual)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        async def change(old: str, new: str, repeat: str) -> None:
            for selector, value in (("#old", old), ("#new", new), ("#repeat", repeat)):
                screen.query_one(selector, Input).value = value
            screen.set_focus(screen.query_one("#old", Input))
            await pilot.press("enter", "enter", "enter")  # old -> new -> repeat -> submit
            await settle(app, pilot)

        await change(PASSWORD, "длинный-пароль-2", "другой-пароль-3")
        assert "не совпадают" in error_of(screen, "#password-error")
        await change(PASSWORD, "корот", "корот")
        assert app.screen is screen
        assert "Пароль слишком короткий" in error_of(screen, "#password-error")
        await change(PASSWORD, "длинный-пароль-2", "длинный-пароль-2")
        assert isinstance(app.screen, TimetableScreen)
    with school.db.read() as s:
        user = s.exec(select(User).where(User.login == "klass5a")).one()
        assert not user.must_change_password


async def test_logout_returns_to_login(school) -> None:
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "uchitel")
        assert isinstance(app.screen, TimetableScreen)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert app.screen.query_one("#password", Input).value == ""


async def test_help_lists_the_screen_keys(school) -> None:
    app = app_for(school)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "uchitel")
        await pilot.press("f1")
        await pilot.pause()
        text = str(app.screen.query_one("#help-keys").visual)
        for words in (
            "Сегодня",
            "Выйти из учётной записи",
            "Следующий день",
            "Выход из программы",
            "Неделя вперёд",
            "Открыть урок",
            "Ctrl+Q",
            "PgDn / Shift+→",
        ):
            assert words in text
        assert "Focus" not in text and "Copy" not in text  # Textual's own English bindings
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TimetableScreen)


async def test_columns_refit_when_the_terminal_is_resized(school) -> None:
    """80 columns over SSH get short headers; a wider window gets the full ones."""
    app = app_for(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "uchitel")
        table = app.screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][6:8] == ["Пос.", "Отм."]
        await pilot.resize_terminal(130, 40)
        await settle(app, pilot)
        assert [str(c.label) for c in table.columns.values()][6:8] == ["Посещ.", "Отметок"]
        assert [r[0] for r in rows(app.screen)] == ["1", "3"]


async def test_a_validation_message_never_moves_the_focus_to_the_login(school) -> None:
    """Issue 7: Enter on an empty login with the cursor in the password field says what
    is missing and leaves the cursor where it is, so a password typed next never lands in
    the visible login field."""
    app = app_for(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, 1)
        screen = app.screen
        await pilot.press("tab")  # to the password field, the login still empty
        password = screen.query_one("#password", Input)
        assert app.focused is password
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Введите логин" in error_of(screen, "#login-error")
        assert app.focused is password
        await burst(app, pilot, *"секрет")
        assert screen.query_one("#login", Input).value == ""
        assert password.value == "секрет"


async def test_the_password_change_fits_24_rows_with_its_error(school) -> None:
    """«Смена пароля» at 80×24: every field, the button and the error are on screen."""
    from tests.ui import screen_lines

    app = app_for(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        assert isinstance(app.screen, ChangePasswordScreen)
        await burst(app, pilot, *PASSWORD, "enter", "enter", "enter")
        await settle(app, pilot)
        painted = "\n".join(screen_lines(app))
        for words in (
            "Смена пароля",
            "Текущий пароль",
            "Новый пароль",
            "Повторите новый пароль",
            "Сменить пароль",
            "Введите новый пароль.",
        ):
            assert words in painted, words
        assert "Справка" in painted.splitlines()[-1]  # the footer, uncut


async def test_the_timetable_shows_every_role_with_the_class_led(school) -> None:
    """Issue 7: the signed-in user's roles are on the timetable, the class teacher's
    class included («классный руководитель 5А» comes from the class, not the account)."""
    from sqlmodel import select as sql_select

    from zhurnal.core.models import SchoolClass

    with school.db.write() as s:
        klass = s.exec(
            sql_select(SchoolClass).where(SchoolClass.letter == "А", SchoolClass.grade == 5)
        ).one()
        klass.class_teacher_id = school.teacher.user_id
        s.add(klass)
    app = app_for(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "uchitel")
        who = str(app.screen.query_one("#who").visual)
        assert who == "Учителева Мария Ивановна — Учитель, классный руководитель 5А"


async def test_a_long_topic_is_shown_whole_at_80_columns(school) -> None:
    """Issue 7: the topic column is narrow at 80 columns; the highlighted lesson's whole
    topic and homework are shown under the table, wrapped, never cut."""
    from tests.ui import screen_lines

    topic = "Обыкновенные дроби: сравнение, сложение и вычитание с разными знаменателями"
    with school.db.write() as s:
        lesson = s.get(Lesson, school.lessons["today"])
        lesson.topic, lesson.homework = topic, "№ 245–247, повторить правило на с. 58"
        s.add(lesson)
    app = app_for(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "uchitel")
        painted = " ".join(line.strip() for line in screen_lines(app))
        assert f"Тема: {topic}" in painted
        assert "Д/З: № 245–247, повторить правило на с. 58" in painted
        await pilot.press("down")
        painted = " ".join(line.strip() for line in screen_lines(app))
        assert "Тема: не записана" in painted
