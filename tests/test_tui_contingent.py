"""«Контингент» in the terminal (issue 9): class lists imported from CSV (cp1251) and
XLSX with merged header cells, all rows or none with the bad ones named by line;
departures and transfers by date and order that keep the history [004 §5 «Секретарь»]."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.conftest import make_db, set_password
from tests.school import TODAY, build
from tests.test_contingent_import import EXPECTED, ORDER, count, csv_text, imported, xlsx_merged
from tests.ui import PASSWORD, open_menu_task, screen_text, set_field, settle, sign_in, toast_text
from zhurnal.core.models import Enrolment, Student
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.contingent import ContingentScreen
from zhurnal.tui.widgets.dialogs import ChoiceModal
from zhurnal.tui.widgets.form import FormModal
from zhurnal.tui.widgets.lines import LinesModal


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    set_password(db, "sekretar", PASSWORD)
    yield world
    db.dispose()


async def open_list(app, pilot, login: str) -> ContingentScreen:  # type: ignore[no-untyped-def]
    """The administrator opens «Контингент» from the menu; the secretary (whose home
    the lead will make a menu) gets the same screen pushed.  Then 5А (after 1А)."""
    await sign_in(app, pilot, login)
    await settle(app, pilot, 3)
    if login == "admin":
        await open_menu_task(app, pilot, "contingent")
    else:
        app.push_screen(ContingentScreen(app.actor))
    await settle(app, pilot, 3)
    screen = app.screen
    assert isinstance(screen, ContingentScreen)
    await pilot.press("pagedown")
    await settle(app, pilot)
    assert screen.roster is not None and screen.roster.title == "5А"
    return screen


async def fill(app, pilot, **values: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, FormModal)
    for key, value in values.items():
        set_field(app, key, value)
    await pilot.press("ctrl+s")
    await settle(app, pilot, 3)


def stays(w, name: str) -> list[tuple[int, date, date | None, str]]:  # type: ignore[no-untyped-def]
    with w.db.read() as s:
        st = s.exec(select(Student).where(Student.last_name == name)).one()
        rows = s.exec(select(Enrolment).where(Enrolment.student_id == st.id).order_by(Enrolment.id))
        return [(e.class_id, e.start, e.end, e.order_out) for e in rows]


async def test_a_cp1251_list_imported_then_departure_and_transfer_004_5(w, tmp_path) -> None:
    path = tmp_path / "список.csv"
    path.write_bytes(csv_text(",").encode("cp1251"))
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_list(app, pilot, "sekretar")
        assert "5А: 3 уч. на 23.11.2026" in screen_text(app)

        await pilot.press("i")
        await settle(app, pilot)
        await fill(app, pilot, path=str(path), order=ORDER, klass="")  # classes from the file
        assert "Зачислено учеников: 3." in await toast_text(app, pilot)
        assert imported(w.db) == EXPECTED
        assert "Зайцев Захар Зиновьевич" in screen_text(app)

        # Departure from 01.12: still on the list, with the date; the history is kept.
        screen.query_one("RosterTable").move_cursor(row=0)  # Антонов Антон
        await pilot.press("d")
        await settle(app, pilot)
        await fill(app, pilot, day="01.12.2026", order="Приказ № 15-у", reason="переезд")
        left = (w.class5, date(2026, 9, 1), date(2026, 11, 30), "Приказ № 15-у")
        assert stays(w, "Антонов") == [left]
        assert "с 01.12.2026" in screen_text(app)
        await pilot.press("d")  # a second departure is not offered
        await settle(app, pilot)
        assert "выбытие из класса уже оформлено" in await toast_text(app, pilot)

        # Transfer to 6А from 24.11: the old stay ends the day before, nothing deleted.
        screen.query_one("RosterTable").move_cursor(row=1)  # Борисова Белла
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("down", "enter")  # 1А, 6А → 6А
        await settle(app, pilot)
        await fill(app, pilot, day="24.11.2026", order="Приказ № 16-у")
        klass6 = next(k.id for k in screen.class_refs if k.title == "6А")
        assert stays(w, "Борисова") == [
            (w.class5, date(2026, 9, 1), date(2026, 11, 23), "Приказ № 16-у"),
            (klass6, date(2026, 11, 24), None, ""),
        ]


async def test_an_xlsx_with_merged_headers_and_a_bad_file_refused_by_line(w, tmp_path) -> None:
    good = tmp_path / "список.xlsx"
    good.write_bytes(xlsx_merged())
    bad = tmp_path / "плохой.csv"
    rows = [("Зайцев Захар", "05.03.2015", "5А"), ("Иванов Иван", "31.02.2015", "5А"),
            ("Зайцев Захар", "05.03.2015", "5А")]  # fmt: skip
    bad.write_bytes(csv_text(rows=rows).encode("utf-8"))
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_list(app, pilot, "admin")
        students = count(w.db, Student)
        await pilot.press("i")
        await settle(app, pilot)
        await fill(app, pilot, path=str(bad), order=ORDER)
        assert isinstance(app.screen, LinesModal)
        shown = " ".join(str(x.render()) for x in app.screen.query("Static"))
        assert "ни один ученик не зачислен. Отклонено строк: 2." in shown
        assert "Строка 3: столбец 3 «Дата рождения»" in shown and "Строка 4:" in shown
        assert "повторяет строку 2" in shown
        assert count(w.db, Student) == students
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("i")
        await settle(app, pilot)
        await fill(app, pilot, path=str(good), order=ORDER, klass="")
        assert imported(w.db) == EXPECTED

        # An arrival of one student by an order.
        await pilot.press("a")
        await settle(app, pilot)
        await fill(app, pilot, name="Новикова Нина", birth="02.02.2015", order="Приказ № 17-у")
        assert "Новикова Нина" in screen_text(app)
        assert stays(w, "Новикова") == [(w.class5, TODAY, None, "")]
