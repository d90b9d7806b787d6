"""A subject teacher's day, driven through the screens as a user would (issue 3).

Monday 23.11.2026 10:00 on tests/school.py's school: ``uchitel`` logs in, opens
the first lesson, takes attendance, writes the topic and homework, enters and
corrects marks in the grid, hits a locked column, logs out; then the grade-1
teacher finds no mark cells.  Every step is checked on the screen and in the
database.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input, Static, TextArea

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, burst, screen_text, settle, sign_in
from zhurnal.core.models import Absence, Assignment, AuditEvent, Lesson, Mark
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.attendance import AttendanceScreen
from zhurnal.tui.screens.grid import GridScreen
from zhurnal.tui.screens.lesson import LessonScreen
from zhurnal.tui.screens.login import LoginScreen
from zhurnal.tui.screens.timetable import TimetableScreen
from zhurnal.tui.widgets import MarkGrid

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    for login in ("uchitel", "nachalka"):
        set_password(db, login, PASSWORD)
    yield world
    db.dispose()


async def test_a_teachers_day(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(app, pilot, "uchitel")
        assert "понедельник, 23 ноября 2026" in screen_text(app)

        # The first lesson of the day: attendance.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, AttendanceScreen)
        await pilot.press("p", "down", "н")
        await settle(app, pilot)
        with w.db.read() as s:
            lesson = s.get(Lesson, w.lessons["today"])
            assert lesson.attendance_taken_at is not None
            absences = s.exec(select(Absence.student_id, Absence.code)).all()
        assert absences == [(w.students5[1], "Н")]
        assert "Посещаемость отмечена" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)

        # Topic and homework.
        assert isinstance(app.screen, LessonScreen)
        app.screen.query_one("#topic", Input).value = "Сложение дробей"
        app.screen.query_one("#homework", TextArea).text = "№ 245, 247"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with w.db.read() as s:
            lesson = s.get(Lesson, w.lessons["today"])
            assert (lesson.topic, lesson.homework) == ("Сложение дробей", "№ 245, 247")
        assert "Сохранено" in screen_text(app) and "Заполнить до" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)

        # The grid: the cursor starts on today's lesson; a digit commits, Enter moves down.
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, GridScreen)
        grid = app.screen.query_one(MarkGrid)
        column = grid.current_column
        assert column is not None and column.lesson_id == w.lessons["today"]
        grid.move_cursor(0, grid.cursor_col)
        await pilot.press("5", "4")
        await settle(app, pilot)
        with w.db.read() as s:
            marks = dict(s.exec(select(Mark.student_id, Mark.value)).all())
        # The second student is marked «Н»: no mark for an answer in class, said at once.
        assert marks == {w.students5[0]: "5"}
        assert "Борисова Белла не был(а) на уроке («Н»)" in str(
            app.screen.query_one("#grid-status", Static).visual
        )
        assert grid.shown_value(w.students5[1], grid.cursor_col) == "Н"
        # Correct the first one.
        grid.move_cursor(0, grid.cursor_col)
        await pilot.press("3")
        await settle(app, pilot)
        with w.db.read() as s:
            assert s.exec(select(Mark.value).where(Mark.student_id == w.students5[0])).one() == "3"
        assert grid.shown_value(w.students5[0], grid.cursor_col) == "3"

        # A locked column (09.11, past the 10 days [004 §3.8]) refuses and changes nothing.
        locked = next(
            c.index for c in app.screen.gradebook.columns if c.lesson_id == w.lessons["locked"]
        )
        grid.move_cursor(2, locked)
        await pilot.press("5")
        await settle(app, pilot)
        status = str(app.screen.query_one("#grid-status", Static).visual)
        assert "закрыты для изменений" in status
        assert grid.shown_value(w.students5[2], locked) == ""
        with w.db.read() as s:
            assert len(s.exec(select(Mark)).all()) == 1

        # Log out: back to the login form, and the audit log says so.
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        with w.db.read() as s:
            actions = s.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-1] == "logout" and "mark.set" in actions

        # The grade-1 teacher: no mark cells, and typing a mark is refused [004 §3.5].
        await burst(app, pilot, *"nachalka", "enter", *PASSWORD, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, GridScreen)
        assert "отметки не ставятся" in screen_text(app)
        await pilot.press("5")
        await settle(app, pilot)
        with w.db.read() as s:
            assert (
                len(
                    s.exec(
                        select(Mark)
                        .join(Assignment)
                        .where(Assignment.lesson_id == w.lessons["g1_today"])
                    ).all()
                )
                == 0
            )
