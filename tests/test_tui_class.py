"""The class teacher's screens on a small school: «Причины пропусков» [004 §3.7] — the
class's absences, their reasons set by a document within the policy's working days (the
screen shows core's decision and the service's refusal) — and the class's completeness
saved to a file with the figures on screen.

On tests/school.py's school (now: Monday 23.11.2026 10:00): Антонов is absent (Н) on
Friday 20.11 and late (ОП) today.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import DataTable, Input

from tests.conftest import make_db, set_password
from tests.school import World, build
from tests.ui import PASSWORD, burst, screen_text, settle, sign_in
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import Absence
from zhurnal.core.readmodels.absences import class_absences
from zhurnal.core.services import lessons
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.absences import AbsencesScreen, ReasonModal
from zhurnal.tui.screens.class_home import ClassScreen
from zhurnal.tui.screens.timetable import TimetableScreen

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    friday = world.teacher.at(datetime(2026, 11, 20, 12, 0))
    lessons.set_absence(db, friday, world.lessons["late"], world.students5[0], "Н")
    lessons.set_absence(
        db, world.at(world.teacher), world.lessons["today"], world.students5[0], "ОП"
    )
    set_password(db, "klass5a", PASSWORD)
    yield world
    db.dispose()


def test_class_teacher_sees_the_class_absences_with_decisions_004_3_7(w: World) -> None:
    result = class_absences(w.db, w.at(w.ct), w.class5, date(2026, 11, 10), TODAY)
    assert [(r.date, r.student, r.code) for r in result.rows] == [
        (TODAY, "Антонов Антон", "ОП"),
        (date(2026, 11, 20), "Антонов Антон", "Н"),
    ]
    late, absent = result.rows
    assert absent.why_not == ""
    assert "Опоздание — не пропуск" in late.why_not
    assert result.working_days == 2


def test_a_subject_teacher_neither_sees_nor_sets_reasons_004_3_7(w: World) -> None:
    with pytest.raises(PermissionDenied):
        class_absences(w.db, w.at(w.teacher), w.class5, date(2026, 11, 10), TODAY)
    rows = class_absences(w.db, w.at(w.deputy), w.class5, date(2026, 11, 10), TODAY).rows
    assert all("классный руководитель" in r.why_not for r in rows)  # reads, may not set


async def test_class_teacher_sets_a_reason_on_screen_004_3_7(w: World) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        assert isinstance(app.screen, TimetableScreen)
        # «Мой класс» shows once the profile is read: the footer was rebuilt for it
        assert "k" in [key.key for key in app.screen.query("FooterKey")]
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "Причины пропусков" in screen_text(app)
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AbsencesScreen)
        assert "Антонов Антон" in screen_text(app)
        await pilot.press("down", "enter")  # Friday's Н
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonModal)
        await pilot.press("enter")  # Б — по болезни
        await burst(app, pilot, *"Справка 15")
        await pilot.press("tab")
        date_input = app.screen.query_one("#document-date", Input)
        date_input.value = ""
        await burst(app, pilot, *"11.11.2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 4)
        # 11.11 + 2 working days = 13.11: too late, refused in the form, nothing changed.
        assert isinstance(app.screen, ReasonModal)
        assert "рабочих дней" in screen_text(app)
        date_input.value = ""
        date_input.focus()
        await burst(app, pilot, *"23.11.2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, AbsencesScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        with w.db.read() as s:
            absence = s.get(Absence, app.screen.result.rows[1].absence_id)
            assert (absence.code, absence.reason_document) == ("Б", "Справка 15 от 23.11.2026")


async def test_completeness_on_screen_saves_a_csv_with_the_same_figures(w: World, tmp_path) -> None:
    """«e» on the class's completeness writes the table the screen shows; the CSV re-reads
    with the same figures [000 §6.2]."""
    import csv

    from textual.widgets import OptionList

    from zhurnal.tui.screens.completeness import CompletenessScreen
    from zhurnal.tui.widgets.export import ExportModal

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen) and screen.result is not None
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportModal)
        app.screen.query_one(OptionList).highlighted = 2  # CSV
        target = tmp_path / "5a.csv"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, CompletenessScreen)
        rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
        shown = {r.subject: r for r in screen.result.rows}
        header = next(i for i, r in enumerate(rows) if "Предмет" in r)
        names = rows[header]
        for line in rows[header + 1 :]:
            if len(line) != len(names) or line[names.index("Предмет")] not in shown:
                continue
            row = shown.pop(line[names.index("Предмет")])
            assert int(line[names.index("Уроков")]) == row.lessons
            assert int(line[names.index("Без темы")]) == row.no_topic
            assert int(line[names.index("Без посещ.")]) == row.no_attendance
        assert not shown, "every subject on screen is in the file"


def test_a_reason_is_set_within_working_days_of_the_return_not_of_any_typed_date_004_3_7(
    w: World,
) -> None:
    """Absent on Friday 20.11, back on Monday 23.11 (present at the whole class's lesson):
    the reason is due by Wednesday 25.11 (2 working days); on Thursday a document dated
    that day does not reopen it — only a correction [004 §7] does."""
    from zhurnal.core.errors import LockedError

    lessons.mark_all_present(w.db, w.at(w.teacher), w.lessons["today"])  # 23.11: Антонов ОП
    absent = class_absences(w.db, w.at(w.ct), w.class5, date(2026, 11, 20), date(2026, 11, 20))
    (row,) = absent.rows
    thursday = w.ct.at(datetime(2026, 11, 26, 9, 0))
    late = class_absences(w.db, thursday, w.class5, date(2026, 11, 20), date(2026, 11, 20))
    assert "срок истёк 25.11.2026" in late.rows[0].why_not
    with pytest.raises(LockedError, match=r"срок истёк 25\.11\.2026"):
        lessons.correct_absence_reason(
            w.db,
            thursday,
            row.absence_id,
            "Б",
            document="Справка № 9",
            document_date=date(2026, 11, 26),
        )
    wednesday = w.ct.at(datetime(2026, 11, 25, 15, 0))
    fixed = lessons.correct_absence_reason(
        w.db,
        wednesday,
        row.absence_id,
        "Б",
        document="Справка № 9",
        document_date=date(2026, 11, 25),
    )
    assert fixed.code == "Б"
    again = class_absences(w.db, wednesday, w.class5, date(2026, 11, 20), date(2026, 11, 20))
    assert (again.rows[0].document, again.rows[0].document_date) == (
        "Справка № 9",
        date(2026, 11, 25),
    )
