"""«Переход на новый учебный год» in the terminal [000 §5.2.1]: the administrator closes
the finished year (the archive copy shown verified), creates the next one, marks the
exceptions in the promotion preview and applies the director's order."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, screen_text, settle, sign_in
from zhurnal.core.models import Enrolment, SchoolClass, SchoolYear
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.admin import AdminScreen
from zhurnal.tui.screens.rollover import RolloverScreen
from zhurnal.tui.widgets.dates import DatesModal
from zhurnal.tui.widgets.dialogs import QuestionModal
from zhurnal.tui.widgets.text_prompt import TextPrompt

JUNE = date(2027, 6, 15)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    yield world
    db.dispose()


def flat(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(screen_text(app).replace("│", " ").split())


async def test_close_next_preview_and_apply_000_5_2_1(w) -> None:
    app = make_app(database=w.db, today=JUNE)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "admin")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, AdminScreen)
        await pilot.press("down", "down", "enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, RolloverScreen)
        shown = flat(app)
        assert "2026/2027 (01.09.2026–31.05.2027): не закрыт" in shown
        assert "Следующий учебный год не создан" in shown

        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionModal)
        await pilot.press("left", "enter")  # «Закрыть»
        await settle(app, pilot, 4)
        assert isinstance(app.screen, QuestionModal)
        shown = flat(app)
        assert "закрыт: его журнал только для чтения" in shown and "проверена" in shown
        assert "2026-2027.db" in shown
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert "закрыт, только для чтения" in flat(app)

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, DatesModal)
        assert app.screen.query_one("#date-from", Input).value == "01.09.2027"
        await pilot.press("enter", "enter")
        await settle(app, pilot, 4)
        assert "Создан учебный год 2027/2028" in flat(app)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        table = screen.query_one(DataTable)
        assert table.row_count == 6
        shown = flat(app)
        assert "Антонов Антон 6А" in shown and "Егоров Егор 7А" in shown

        table.move_cursor(row=2)  # 5А, Антонов Антон (1А first)
        await pilot.press("h")  # no 5А next year: the remark says so
        await settle(app, pilot, 3)
        assert "остаётся в 5А" in flat(app)
        assert "Антонов Антон: нет класса 5А в 2027/2028: создайте его" in flat(app)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "20.08.2027, Приказ № 51"
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert "выбывает с 20.08.2027" in flat(app) and "замечаний 0" in flat(app)

        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one(Input).value = "Приказ № 45-у"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one(Input).value == "15.06.2027"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionModal)
        assert "выбывают 1" in flat(app)
        await pilot.press("left", "enter")  # «Провести»
        await settle(app, pilot, 4)
        assert "проведён (Приказ № 45-у от 15.06.2027)" in flat(app)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert "Перевод проведён: Приказ № 45-у от 15.06.2027" in flat(app)

    with w.db.read() as s:
        rows = s.exec(
            select(Enrolment, SchoolClass, SchoolYear).where(
                Enrolment.class_id == SchoolClass.id, SchoolClass.year_id == SchoolYear.id
            )
        ).all()
    new = sorted(
        (e.student_id, k.title) for e, k, y in rows if y.name == "2027/2028" and e.end is None
    )
    expected = [(sid, "6А") for sid in w.students5[1:]]
    expected += [(sid, "2А") for sid in w.students1] + [(w.outsider, "7А")]
    assert new == sorted(expected)
    left = [e for e, _, _ in rows if e.student_id == w.students5[0]]
    assert [(e.end, e.order_out) for e in left] == [(date(2027, 5, 31), "Приказ № 51")]
