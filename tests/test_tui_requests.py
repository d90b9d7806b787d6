"""«Запросить корректировку» beside the lock's refusal [004 §7.2]: a locked lesson's
attendance (F6 on «Посещаемость») and a locked period mark (k on «Итоговые отметки»)
are asked of the director with the request form; the request and its cell are stored.

On tests/school.py's school (now: Monday 23.11.2026 10:00): the lesson of 09.11 is past
its lock (Антонов was absent, Н); the 1 четверть ended 24.10 and its marks are locked
(Антонов has 4, set by his teacher on 23.10).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select
from textual.widgets import Input

from tests.conftest import make_db, set_password
from tests.school import World, build
from tests.ui import PASSWORD, screen_text, settle, sign_in
from zhurnal.core.models import Correction, CorrectionItem
from zhurnal.core.services import lessons, marks
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.attendance import AttendanceScreen
from zhurnal.tui.screens.help import help_lines
from zhurnal.tui.screens.period_marks import PeriodMarksScreen
from zhurnal.tui.widgets.correction_request import CorrectionRequestModal

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    then = world.teacher.at(datetime(2026, 11, 9, 12, 0))
    lessons.set_absence(db, then, world.lessons["locked"], world.students5[0], "Н")
    q1_last_days = world.teacher.at(datetime(2026, 10, 23, 12, 0))
    marks.set_period_mark(db, q1_last_days, world.course5, world.students5[0], world.q1, "4")
    set_password(db, "uchitel", PASSWORD)
    set_password(db, "klass5a", PASSWORD)
    yield world
    db.dispose()


def _requests(w: World) -> list[tuple[Correction, list[CorrectionItem]]]:
    with w.db.read() as s:
        return [
            (c, list(s.exec(select(CorrectionItem).where(CorrectionItem.correction_id == c.id))))
            for c in s.exec(select(Correction))
        ]


async def _send(app, pilot, new: str, document: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, CorrectionRequestModal), screen_text(app)
    app.screen.query_one("#request-new", Input).value = new
    app.screen.query_one("#request-doc", Input).value = document
    await pilot.press("ctrl+s")
    await settle(app, pilot, 4)


async def test_teacher_requests_a_correction_of_locked_attendance_004_7_2(w: World) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("shift+left", "shift+left")  # Monday 09.11
        await settle(app, pilot, 3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, AttendanceScreen)
        assert "F6 — запросить корректировку" in screen_text(app)
        keys = [k for keys, _ in help_lines(screen) for k in keys.split(" / ")]
        assert keys.count("F6") == 1
        await pilot.press("y")  # a key of the list is refused: the lesson is locked
        await settle(app, pilot)
        assert _requests(w) == []
        await pilot.press("f6")  # Антонов (Н): he was ill
        await settle(app, pilot, 3)
        assert "Сейчас: «Н»" in screen_text(app)
        await _send(app, pilot, "Б", "Справка № 12")
        assert app.screen is screen, screen_text(app)
    ((request, items),) = _requests(w)
    assert request.status == "requested" and request.document_number == "Справка № 12"
    assert request.requested_by_id == w.teacher.user_id
    ((item),) = items
    assert (item.kind, item.lesson_id, item.student_id) == (
        "absence",
        w.lessons["locked"],
        w.students5[0],
    )
    assert (item.old_value, item.new_value) == ("Н", "Б")


async def test_an_unknown_absence_code_is_refused_in_the_form_004_7(w: World) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("shift+left", "shift+left")
        await settle(app, pilot, 3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot, 3)
        await pilot.press("f6")
        await settle(app, pilot, 3)
        await _send(app, pilot, "Х", "Справка № 12")
        assert isinstance(app.screen, CorrectionRequestModal)
        assert "Код отсутствия «Х» неизвестен" in screen_text(app)
    assert _requests(w) == []


async def test_class_teacher_requests_a_correction_of_a_locked_period_mark_004_7_2(
    w: World,
) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        await pilot.press("k")  # «Мой класс»
        await settle(app, pilot)
        await pilot.press("down", "down", "down", "enter")  # «Итоговые отметки»
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, PeriodMarksScreen)
        await pilot.press("left_square_bracket")  # 1 четверть
        await settle(app, pilot, 3)
        assert "1 четверть" in screen_text(app)
        assert "k — запросить корректировку" in screen_text(app)
        keys = [k for keys, _ in help_lines(screen) for k in keys.split(" / ")]
        assert keys.count("k") == 1
        await pilot.press("enter")  # refused: the period's marks are locked
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("k")  # Антонов: 4
        await settle(app, pilot, 3)
        assert "Сейчас: «4»" in screen_text(app)
        await _send(app, pilot, "5", "Приказ № 40")
        assert app.screen is screen, screen_text(app)
    ((request, items),) = _requests(w)
    assert request.status == "requested" and request.requested_by_id == w.ct.user_id
    assert request.course_id == w.course5
    ((item),) = items
    assert (item.kind, item.period_id, item.student_id) == ("period_mark", w.q1, w.students5[0])
    assert (item.old_value, item.new_value) == ("4", "5")


async def test_teacher_requests_a_locked_period_mark_from_the_grid_004_7_2(w: World) -> None:
    from zhurnal.tui.screens.grid import GridScreen

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("g")
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        await pilot.press("p")  # 1 четверть
        await settle(app, pilot, 4)
        assert screen.gradebook is not None and screen.gradebook.period.id == w.q1
        assert screen.grid.current_student_id == w.students5[0]
        await pilot.press("i")  # refused: the period's marks are locked
        await settle(app, pilot)
        assert app.screen is screen
        assert "k — запросить корректировку итоговой" in screen_text(app)
        await pilot.press("k")
        await settle(app, pilot, 3)
        assert "итоговая отметка" in screen_text(app) and "Сейчас: «4»" in screen_text(app)
        await _send(app, pilot, "5", "Справка № 3")
        assert app.screen is screen, screen_text(app)
    ((request, items),) = _requests(w)
    assert request.status == "requested" and request.requested_by_id == w.teacher.user_id
    ((item),) = items
    assert (item.kind, item.period_id, item.student_id) == ("period_mark", w.q1, w.students5[0])
    assert (item.old_value, item.new_value) == ("4", "5")
