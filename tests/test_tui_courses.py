"""The year's subjects, classes and courses in the terminal (issue 9): the administrator
adds a subject and a class with its class teacher, a duplicate class is refused in the
form with nothing written, a course is added to a class and its subgroups split
[004 §5 «Заместитель директора»]."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input, OptionList

from tests.conftest import make_db, set_password
from tests.school import build
from tests.test_school_services import db_state
from tests.ui import PASSWORD, open_menu_task, screen_text, settle, sign_in
from zhurnal.core.models import Course, SchoolClass, SubgroupMember, Subject
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.classes import ClassesScreen
from zhurnal.tui.screens.courses import CoursesScreen
from zhurnal.tui.screens.report_view import ReportScreen
from zhurnal.tui.screens.subgroups import SubgroupsScreen
from zhurnal.tui.widgets.form import FormModal

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    yield world
    db.dispose()


def pick(app, field: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """Highlight the option of a form's list whose label starts with ``label``."""
    options = app.screen.query_one(f"#field-{field}", OptionList)
    for i in range(options.option_count):
        if str(options.get_option_at_index(i).prompt).startswith(label):
            options.highlighted = i
            return
    raise AssertionError(f"no option {label!r}")


def type_in(app, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    app.screen.query_one(f"#field-{field}", Input).value = text


async def open_task(app, pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    await sign_in(app, pilot, "admin")
    await settle(app, pilot, 3)
    await open_menu_task(app, pilot, key)


async def test_a_subject_and_a_class_with_its_class_teacher_004_5(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, "classes")
        screen = app.screen
        assert isinstance(screen, ClassesScreen)
        assert "Классова О. Н." in screen_text(app)

        await pilot.press("shift+tab", "n")  # the subjects' list
        await settle(app, pilot)
        assert isinstance(app.screen, FormModal)
        type_in(app, "name", "Информатика")
        type_in(app, "short", "Инф")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 3)
        assert app.screen is screen
        with w.db.read() as s:
            assert s.exec(select(Subject.short).where(Subject.name == "Информатика")).one() == "Инф"

        await pilot.press("tab", "n")  # the classes' list
        await settle(app, pilot)
        type_in(app, "title", "7б")
        pick(app, "teacher", "Другов Пётр")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 3)
        assert app.screen is screen
        with w.db.read() as s:
            klass = s.exec(select(SchoolClass).where(SchoolClass.grade == 7)).one()
        assert (klass.letter, klass.class_teacher_id) == ("Б", w.other_teacher.user_id)
        assert "7Б" in screen_text(app)

        # A duplicate class: refused in the form, which stays open; nothing written.
        before = db_state(w.db)
        await pilot.press("n")
        await settle(app, pilot)
        type_in(app, "title", "5 а")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, FormModal)
        assert "Класс 5А в этом учебном году уже есть" in screen_text(app)
        assert db_state(w.db) == before
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


async def test_a_course_is_added_and_the_class_split_into_subgroups(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, "courses")
        screen = app.screen
        assert isinstance(screen, CoursesScreen)
        assert "Класс 1А" in screen_text(app)  # the first class of the year
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # 5А
        await settle(app, pilot, 3)
        assert "Класс 5А" in screen_text(app)
        assert "У ученика 5А 6 ч в неделю" in screen_text(app)

        await pilot.press("n")
        await settle(app, pilot)
        pick(app, "subject", "Математика")
        type_in(app, "subgroup", "1 гр.")
        pick(app, "teacher", "Учителева")
        type_in(app, "hours", "1,5")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 3)
        assert app.screen is screen
        with w.db.read() as s:
            added = s.exec(select(Course).where(Course.subgroup == "1 гр.")).one()
        assert (added.class_id, added.hours_per_week) == (w.class5, 1.5)
        assert "Математика (1 гр.)" in screen_text(app)

        row = next(i for i, r in enumerate(screen.page.courses.rows) if r.id == added.id)
        screen.query_one("CoursesTable").move_cursor(row=row)
        await pilot.press("g")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SubgroupsScreen)
        await pilot.press("1", "2")  # Антонов → «1 гр.», Борисова → «2 гр.»
        await settle(app, pilot, 3)
        with w.db.read() as s:
            members = {(m.student_id, m.course_id, m.start) for m in s.exec(select(SubgroupMember))}
        assert members == {
            (w.students5[0], added.id, TODAY),
            (w.students5[1], w.course5_other, TODAY),
        }
        assert "1 гр.: 1, 2 гр.: 1, без группы: 1" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert app.screen is screen

        await pilot.press("l")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ReportScreen)
        assert "Учителева Мария Ивановна" in screen_text(app)
