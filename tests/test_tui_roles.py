"""Each role on its own screens, on the demo school (Monday 23.11.2026 10:00), asserted on
screen and in the database (issue 8).

- the class teacher (klass5a) finds the lessons the demo leaves unfilled [000 §5.2.5];
- the deputy (zavuch) lands on «Контроль журнала» and sees the school's completeness;
- a late correction goes request (teacher) → approve (director) → apply (deputy) and
  shows in the change table [004 §7];
- an incident reverts exactly the operations after its time [002 §4.4].
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.conftest import copy_demo, set_password
from tests.ui import PASSWORD, screen_text, settle, sign_in
from zhurnal.core.models import Lesson, User
from zhurnal.core.readmodels.completeness import class_completeness
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.class_home import ClassScreen
from zhurnal.tui.screens.completeness import CompletenessScreen
from zhurnal.tui.screens.control import ControlScreen
from zhurnal.tui.screens.lesson import LessonScreen
from zhurnal.tui.screens.timetable import TimetableScreen

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.xdist_group("demo")  # the demo school is built once, on one worker


@pytest.fixture
def demo_db(tmp_path, fast_argon2):
    db = copy_demo(TODAY, tmp_path / "demo.db")
    for login in ("klass5a", "zavuch", "direktor", "uchitel"):
        set_password(db, login, PASSWORD)
    yield db
    db.dispose()


async def test_class_teacher_finds_the_unfilled_lessons_000_5_2_5(demo_db) -> None:
    app = make_app(database=demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        assert isinstance(app.screen, TimetableScreen)  # a teacher first: the day
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "Класс 5А" in screen_text(app)
        await pilot.press("enter")  # «Заполнение журнала класса»
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen)
        assert screen.result is not None
        worst = screen.result.rows[0]
        assert worst.gaps > 0, "the demo leaves gaps a class teacher must find"
        assert worst.subject in screen_text(app)
        # The same figures as core gives for the span on screen.
        span = screen.spans[screen.span_index]
        with demo_db.read() as s:
            ct = s.exec(select(User).where(User.login == "klass5a")).one()
        from zhurnal.core.actor import Actor

        actor = Actor(ct.id, ct.login, frozenset(ct.role_set()), ct.full_name).at(
            datetime(2026, 11, 23, 10, 0)
        )
        again = class_completeness(demo_db, actor, worst.class_id, span.start, span.end)
        assert again.rows[0] == worst
        # Enter drills into the first gap: a lesson with something missing.
        await pilot.press("enter")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, LessonScreen)
        with demo_db.read() as s:
            lesson = s.get(Lesson, worst.first_gap_lesson_id)
            assert lesson is not None
            assert not lesson.topic or not lesson.homework or lesson.attendance_taken_at is None


async def test_deputy_lands_on_control_and_sees_the_school(demo_db) -> None:
    app = make_app(database=demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "zavuch")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ControlScreen)
        assert "Контроль журнала" in screen_text(app)
        await pilot.press("enter")  # «Заполнение журнала — вся школа»
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen)
        assert screen.result is not None and screen.result.rows
        await pilot.press("v", "v")  # by teacher, by class
        await settle(app, pilot)
        assert screen.view == "classes"
        assert "Кл. руководитель" in screen_text(app)
        first = screen.result.by_class[0]
        await pilot.press("enter")  # that class, by subject
        await settle(app, pilot, 4)
        assert isinstance(app.screen, CompletenessScreen)
        assert app.screen.class_id == first.class_id
