"""A new school set up from ``zhurnal init`` to a teacher's first mark in the terminal only
(issue 9, «Done when»): the administrator signs in with the temporary password of
``init``, changes it, follows «Настройка школы» step by step — each step's screen opened
with Enter on the first step still open, every form typed key by key — until «Школа
готова»; the teacher then signs in with the temporary password the administrator was
shown once, changes it and gives the school's first mark [004 §4.2, §5 «Администратор»].

The school's clock stands at 10:00 on Monday 23.11.2026 (``make_app(today=...)``): the
1st lesson (08:30–09:15) has been held, inside the 2nd quarter, not yet locked.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlmodel import select
from textual.widgets import Static

from tests.ui import burst, screen_text, settle, sign_in
from zhurnal.core.db import Database
from zhurnal.core.models import Assignment, Lesson, Mark, Student, User
from zhurnal.core.policy import preset_text
from zhurnal.core.setup import init_school
from zhurnal.core.verify import verify
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import ChangePasswordScreen, LoginScreen, TimetableScreen
from zhurnal.tui.screens.admin import AdminScreen
from zhurnal.tui.screens.checklist import ChecklistScreen
from zhurnal.tui.screens.classes import ClassesScreen
from zhurnal.tui.screens.contingent import ContingentScreen
from zhurnal.tui.screens.courses import CoursesScreen
from zhurnal.tui.screens.grid import GridScreen
from zhurnal.tui.screens.timetable_admin import TimetableAdminScreen
from zhurnal.tui.screens.users import UsersScreen
from zhurnal.tui.screens.year import YearScreen
from zhurnal.tui.widgets.dialogs import QuestionModal

TODAY = date(2026, 11, 23)  # a Monday of the 2nd quarter
ADMIN_PASSWORD = "директор-школы-не-узнает"
TEACHER_PASSWORD = "дроби-и-проценты-5а"


@pytest.fixture
def fresh(tmp_path, fast_argon2):
    """A school as ``zhurnal init`` leaves it: the 004 policy, the administrator with a
    temporary password, nothing else; returns (db, that password)."""
    db = Database.open(tmp_path / "school.db")
    made = init_school(
        db,
        lambda: preset_text("004"),
        "admin",
        "Администраторова Анна Сергеевна",
        now=datetime(2026, 11, 23, 8, 0),
        by="os:director",
    )
    assert made.created and made.temp_password
    yield db, made.temp_password
    db.dispose()


async def keys(app, pilot, *typed: str, rounds: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Type as the user does — every key at once — then let the screens catch up."""
    await burst(app, pilot, *typed)
    await settle(app, pilot, rounds)


async def change_password(app, pilot, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, ChangePasswordScreen)
    await keys(app, pilot, *old, "enter", *new, "enter", *new, "enter", rounds=4)


async def next_step(app, pilot, screen: type) -> None:  # type: ignore[no-untyped-def]
    """Enter on the checklist, whose cursor stands on the first step still open."""
    assert isinstance(app.screen, ChecklistScreen)
    await keys(app, pilot, "enter")
    assert isinstance(app.screen, screen), screen_text(app)


async def back_to_checklist(app, pilot, *done: str, left: int) -> str:  # type: ignore[no-untyped-def]
    """Escape from a step's screen: the checklist, read again, shows ``done`` done."""
    await keys(app, pilot, "escape")
    assert isinstance(app.screen, ChecklistScreen)
    text = screen_text(app)
    for title in done:
        assert f"✓ {title}" in text, text
    if left:
        assert f"осталось шагов: {left} из 10" in text, text
    return text


async def set_up_the_school(app, pilot) -> str:  # type: ignore[no-untyped-def]
    """The administrator's part, from the checklist; returns the teacher's temporary
    password as the dialog showed it."""
    # The year (2026/2027 offered for a day in November), its four quarters, the bells.
    await next_step(app, pilot, YearScreen)
    await keys(app, pilot, "y")
    await keys(app, pilot, "ctrl+s")
    assert "2026/2027 (текущий): 01.09.2026 – 31.05.2027" in screen_text(app)
    for start, end in (
        ("01.09.2026", "24.10.2026"),
        ("05.11.2026", "28.12.2026"),
        ("11.01.2027", "21.03.2027"),
        ("01.04.2027", "31.05.2027"),
    ):
        await keys(app, pilot, "n")  # scheme, kind, number (offered), name, from, to
        await keys(app, pilot, "tab", "tab", "tab", "tab", *start, "tab", *end, "ctrl+s")
        assert isinstance(app.screen, YearScreen), screen_text(app)
    assert "4 четверть" in screen_text(app)
    await keys(app, pilot, "b")  # the usual bells are offered
    await keys(app, pilot, "ctrl+s")
    assert isinstance(app.screen, YearScreen)
    await back_to_checklist(
        app, pilot, "Учебный год", "Четверти и полугодия", "Расписание звонков", left=7
    )

    # A teacher: the temporary password is shown once.
    await next_step(app, pilot, UsersScreen)
    await keys(app, pilot, "n")
    await keys(app, pilot, *"ivanova.mi", "tab", *"Иванова Мария Ивановна", "ctrl+s", rounds=4)
    assert isinstance(app.screen, QuestionModal)
    shown = str(app.screen.query_one(".dialog-text", Static).content)
    found = re.search(r"логин ivanova\.mi: временный пароль (\S+)", shown)
    assert found, shown
    await keys(app, pilot, "enter")  # «Записал(а)»
    assert "временный пароль" in screen_text(app)  # the user's state in the list
    await back_to_checklist(app, pilot, "Учителя", left=6)

    # A subject, then the class with its class teacher (the same screen, two steps).
    await next_step(app, pilot, ClassesScreen)
    await pilot.press("shift+tab", "n")  # to the subjects' list (a key at a time), add
    await settle(app, pilot)
    await keys(app, pilot, *"Математика", "tab", *"Мат", "ctrl+s")
    await back_to_checklist(app, pilot, "Предметы", left=5)
    await next_step(app, pilot, ClassesScreen)
    await keys(app, pilot, "n")  # title, scheme (четверти), class teacher
    await keys(app, pilot, *"5а", "tab", "tab", "down", "ctrl+s")
    assert "Иванова М. И." in screen_text(app)
    await back_to_checklist(app, pilot, "Классы", left=4)

    # The class list: two pupils arrive by an order, from today.
    await next_step(app, pilot, ContingentScreen)
    for name, birth in (
        ("Антонов Антон Андреевич", "12.03.2015"),
        ("Борисова Белла Борисовна", "05.07.2015"),
    ):
        await keys(app, pilot, "a")  # name, birth, from (today offered), order
        await keys(app, pilot, *name, "tab", *birth, "tab", "tab", *"Приказ № 1-у", "ctrl+s")
        assert isinstance(app.screen, ContingentScreen), screen_text(app)
    assert "5А: 2 уч. на 23.11.2026" in screen_text(app)
    await back_to_checklist(app, pilot, "Списки классов", left=3)

    # Who teaches what: 5А maths, the teacher, 5 hours a week.
    await next_step(app, pilot, CoursesScreen)
    await keys(app, pilot, "n")  # subject, subgroup, teacher, hours
    await keys(app, pilot, "tab", "tab", "tab", "5", "ctrl+s")
    assert "Математика" in screen_text(app)
    await back_to_checklist(app, pilot, "Предметы классов и учителя", left=2)

    # The timetable: Monday's 1st lesson (the cell the grid opens on), room 12.
    await next_step(app, pilot, TimetableAdminScreen)
    await keys(app, pilot, "n")  # the class's only subject
    await keys(app, pilot, "enter")
    await keys(app, pilot, *"12", "ctrl+s")
    assert "Пн 1-й: Математика — Иванова Мария Ивановна, каб. 12" in screen_text(app)
    await back_to_checklist(app, pilot, "Расписание уроков", left=1)

    # The lessons by the timetable, from today to the year's end.
    await next_step(app, pilot, TimetableAdminScreen)
    await keys(app, pilot, "g")
    await keys(app, pilot, "enter", "enter", rounds=4)
    text = await back_to_checklist(app, pilot, "Уроки в журнале", left=0)
    assert "Школа готова: учитель может открыть урок и поставить отметку." in text
    return found.group(1)


async def test_a_new_school_from_init_to_a_teachers_first_mark_in_the_tui(fresh) -> None:
    db, admin_temp = fresh
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "admin", admin_temp)
        await change_password(app, pilot, admin_temp, ADMIN_PASSWORD)
        await settle(app, pilot, 4)
        assert isinstance(app.screen, ChecklistScreen)
        assert "осталось шагов: 10 из 10" in screen_text(app)

        teacher_temp = await set_up_the_school(app, pilot)

        await keys(app, pilot, "escape")
        assert isinstance(app.screen, AdminScreen)
        await keys(app, pilot, "l")
        assert isinstance(app.screen, LoginScreen)

        await sign_in(app, pilot, "ivanova.mi", teacher_temp)
        await change_password(app, pilot, teacher_temp, TEACHER_PASSWORD)
        assert isinstance(app.screen, TimetableScreen)
        text = screen_text(app)
        assert "понедельник, 23 ноября 2026" in text and "5А" in text
        assert "Математика" in text
        await keys(app, pilot, "g")  # the register page of the lesson's class and subject
        assert isinstance(app.screen, GridScreen)
        await keys(app, pilot, "5")  # the first pupil, today's lesson (the cursor's column)

    with db.read() as s:
        teacher = s.exec(select(User).where(User.login == "ivanova.mi")).one()
        assert not teacher.must_change_password
        rows = s.exec(
            select(Mark.value, Mark.entered_by_id, Student.last_name, Lesson.date, Lesson.number)
            .join(Student)
            .join(Assignment)
            .join(Lesson)
        ).all()
        assert [tuple(r) for r in rows] == [("5", teacher.id, "Антонов", TODAY, 1)]
    report = verify(db)
    assert report.ok, report.text()
