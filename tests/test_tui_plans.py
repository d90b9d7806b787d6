"""«КТП» in the terminal (issue 9): a course's plan loaded from a CSV or XLSX file; the
hours are compared with the curriculum and a mismatch says by how much, loaded only on
an explicit «Загрузить всё же» [004 §5 «Учитель-предметник»]; a bad row is named by its
line and nothing is loaded."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from tests.conftest import make_db, set_password
from tests.school import NOW, TODAY, build
from tests.ui import PASSWORD, form_error, open_menu_task, screen_text, settle, sign_in
from zhurnal.core.models import PlanItem
from zhurnal.core.services.plan_preview import plan_courses
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.plans import PlanImportScreen
from zhurnal.tui.widgets.dialogs import QuestionModal
from zhurnal.tui.widgets.form import FormModal


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    yield world
    db.dispose()


def plan(w) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with w.db.read() as s:
        items = s.exec(
            select(PlanItem).where(PlanItem.course_id == w.course5).order_by(PlanItem.position)
        )
        return [(p.topic, p.hours) for p in items]


async def load(app, pilot, path) -> None:  # type: ignore[no-untyped-def]
    """On «КТП», 5А Математика (the second course): Enter, the file's path, Ctrl+S."""
    screen = app.screen
    assert isinstance(screen, PlanImportScreen)
    screen.query_one("PlanTable").move_cursor(row=1)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, FormModal)
    app.screen.query_one("#field-path").value = str(path)
    await pilot.press("ctrl+s")
    await settle(app, pilot, 3)


def question(app) -> str:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, QuestionModal)
    return " ".join(str(x.render()) for x in app.screen.query("Static"))


async def test_a_plan_with_other_hours_loads_only_when_confirmed_004_5(w, tmp_path) -> None:
    expected = next(c for c in plan_courses(w.db, w.admin.at(NOW)) if c.id == w.course5).expected
    short = tmp_path / "ктп.csv"
    short.write_bytes("тема;часы\r\nДроби;10\r\nУравнения;5\r\n".encode("cp1251"))
    bad = tmp_path / "плохой.csv"
    bad.write_text("тема;часы\nДроби;10\nУравнения;пять\n", encoding="utf-8")
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["тема", "часы"])
    book.active.append(["Натуральные числа", expected - 4])
    book.active.append(["Повторение", 4])
    xlsx = tmp_path / "ктп.xlsx"
    out = io.BytesIO()
    book.save(out)
    xlsx.write_bytes(out.getvalue())

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await sign_in(app, pilot, "admin")
        await settle(app, pilot, 3)
        await open_menu_task(app, pilot, "plans")
        assert "5А" in screen_text(app) and "не загружен" in screen_text(app)

        # A row that cannot be read: named by its line in the form, nothing loaded.
        await load(app, pilot, bad)
        assert "Строка 3: число часов «пять»" in form_error(app)
        assert plan(w) == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanImportScreen)

        # 15 h instead of the curriculum's: the difference is said; Esc loads nothing.
        await load(app, pilot, short)
        text = question(app)
        assert f"В плане 15 ч — на {expected - 15} ч меньше, чем по учебному плану" in text
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert plan(w) == []
        await load(app, pilot, short)  # cp1251, detected
        await pilot.click("#answer-yes")  # «Загрузить всё же»
        await settle(app, pilot, 3)
        assert plan(w) == [("Дроби", 10), ("Уравнения", 5)]
        assert "2 тем, 15 ч" in screen_text(app)

        # An XLSX whose hours match: asked plainly, the plan is replaced.
        await load(app, pilot, xlsx)
        assert "Часы совпадают с учебным планом" in question(app)
        await pilot.click("#answer-yes")
        await settle(app, pilot, 3)
        assert plan(w) == [("Натуральные числа", expected - 4), ("Повторение", 4)]
