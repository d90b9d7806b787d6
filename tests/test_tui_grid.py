"""«Журнал» (the mark grid) through Pilot, on tests/school.py's school.

Monday 23.11.2026 10:00: ``uchitel`` keeps 5А maths; its 2nd-quarter columns are
09.11 (locked [004 §3.8]), 20.11, today at 1 (the cursor starts here, the last
lesson begun), today at 3 and tomorrow (not begun).  1А is grade 1 [004 §3.5].
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import OptionList, Static

from tests.conftest import make_db, set_password
from tests.school import NOW, Q2_LAST_WEEK, build
from tests.ui import burst, poll, screen_text, settle
from zhurnal.core.models import Assignment, Enrolment, Lesson, Mark, Student
from zhurnal.core.services.lessons import set_absence
from zhurnal.core.services.marks import set_lesson_mark
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.grid import GridScreen
from zhurnal.tui.screens.timetable import TimetableScreen
from zhurnal.tui.widgets import MarkGrid
from zhurnal.tui.widgets.dialogs import WorkTypeModal

TODAY = date(2026, 11, 23)
SIZE = (100, 30)
LOCKED_REASON = "Урок 09.11: текущие отметки закрыты для изменений с 20.11.2026 [004 §3.8]."


@pytest.fixture
def w(tmp_path):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    yield world
    db.dispose()


def record_notes(app) -> list[str]:
    notes: list[str] = []
    notify = app.notify

    def recorder(message, **kwargs):
        notes.append(message)
        return notify(message, **kwargs)

    app.notify = recorder
    return notes


async def open_grid(app, pilot, actor, course: int, moment=NOW) -> MarkGrid:
    app.actor = actor.at(moment)
    await app.push_screen(GridScreen(app.actor, course, None))
    await settle(app, pilot)
    return app.screen.query_one(MarkGrid)


def painted(grid: MarkGrid) -> str:
    return "\n".join(grid.render_line(y).text for y in range(grid.size.height))


def status(app) -> str:
    return str(app.screen.query_one("#grid-status", Static).visual)


def marks_of(w, lesson: str) -> dict[int, str]:
    with w.db.read() as s:
        rows = s.exec(
            select(Mark.student_id, Mark.value)
            .join(Assignment)
            .where(Assignment.lesson_id == w.lessons[lesson])
        ).all()
    return dict(rows)


def other_session_marks(w, lesson: str, student: int, value: str) -> None:
    set_lesson_mark(w.db, w.teacher.at(NOW), w.lessons[lesson], student, "answer", value)


async def test_typed_marks_are_committed_in_order_and_enter_moves_down(w) -> None:
    a, b, c = w.students5
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        assert (grid.cursor_row, grid.cursor_col) == (0, 2)  # today, lesson 1
        assert "Журнал · 5А · Математика · 2 четверть" in str(
            app.screen.query_one("#grid-title", Static).visual
        )
        await pilot.press("5", "4")  # as fast as a teacher types: no pause
        assert grid.shown_value(a, 2) == "5"  # at once, pending
        await settle(app, pilot)
        assert marks_of(w, "today") == {a: "5", b: "4"}
        assert grid.cursor_row == 2
        await pilot.press("up", "enter")
        assert grid.cursor_row == 2
        await pilot.press("3")
        await settle(app, pilot)
        assert marks_of(w, "today") == {a: "5", b: "4", c: "3"}
        assert grid.cell(c, 2).version == 1 and not grid.has_pending
        lines = painted(grid).splitlines()
        assert " 5 " in lines[3] and " 4 " in lines[4] and " 3 " in lines[5]


async def test_delete_clears_a_mark(w) -> None:
    a = w.students5[0]
    other_session_marks(w, "today", a, "2")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        assert grid.shown_value(a, 2) == "2"
        await pilot.press("delete")
        await settle(app, pilot)
        assert marks_of(w, "today") == {}
        assert grid.shown_value(a, 2) == "" and grid.cell(a, 2) is None


async def test_a_locked_column_refuses_with_the_reason(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notes(app)
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        await pilot.press("home")
        await pilot.pause()
        assert grid.cursor_col == 0 and LOCKED_REASON in status(app)  # shown on focus
        await pilot.press("5")
        await settle(app, pilot)
        assert LOCKED_REASON in notes
        assert status(app).strip() == LOCKED_REASON
        assert grid.shown_value(w.students5[0], 0) == "" and grid.cursor_row == 0
        assert marks_of(w, "locked") == {}
        assert "09×" in painted(grid)  # the lock glyph in the header


async def test_grade_1_has_no_mark_cells_and_refuses(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notes(app)
        grid = await open_grid(app, pilot, w.primary, w.course1)
        text = painted(grid)
        assert "В 1-м классе отметки не ставятся [004 §3.5]." in text
        assert not any(d in line[4:] for line in text.splitlines()[4:] for d in "12345")
        await pilot.press("5")
        await settle(app, pilot)
        assert "В 1-м классе отметки не ставятся [004 §3.5]." in notes
        assert marks_of(w, "g1_today") == {}


async def test_user_text_is_shown_literally(w) -> None:
    with w.db.write() as s:
        student = Student(last_name="[b]Иванов[/b]", first_name="Иван")
        s.add(student)
        s.flush()
        s.add(Enrolment(student_id=student.id, class_id=w.class5, start=date(2026, 9, 1)))
        lesson = s.get(Lesson, w.lessons["today"])
        lesson.topic = "[@click=app.quit]Дроби[/]"
        s.add(lesson)
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        assert "[b]Иванов[/b] Иван" in painted(grid)
        assert "[b]Иванов[/b]" in app.export_screenshot()  # as painted, not bold
        assert grid.current_student_id == grid.gradebook.students[0].id  # "[" sorts first
        assert "[@click=app.quit]Дроби[/]" in status(app)
        assert "[b]Иванов[/b] Иван" in status(app)
        await pilot.click("#grid-status")
        assert app.is_running and isinstance(app.screen, GridScreen)


async def test_a_mark_from_another_session_appears_after_the_poll(w) -> None:
    b = w.students5[1]
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        grid.move_cursor(2, 1)
        other_session_marks(w, "late", b, "4")
        await poll(app, pilot)
        assert grid.shown_value(b, 1) == "4"
        assert (grid.cursor_row, grid.cursor_col) == (2, 1)  # the cursor stays


async def test_the_grids_own_saves_do_not_reload_it_the_same_teachers_other_session_does(
    w,
) -> None:
    """A teacher typing marks sees each from the save's answer; the next poll does not
    reload the whole page for them. A mark the same teacher saves in another terminal does."""
    a, b = w.students5[0], w.students5[1]
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        await pilot.press("5")  # the lesson's first mark makes its column: that reloads
        await settle(app, pilot)
        await poll(app, pilot)
        await pilot.press("3")  # the cursor moved down: the second pupil, the same column
        await settle(app, pilot)
        assert marks_of(w, "today") == {a: "5", b: "3"}
        shown = grid.gradebook
        await poll(app, pilot)
        assert grid.gradebook is shown and grid.shown_value(b, 2) == "3"
        other_session_marks(w, "late", b, "4")
        await poll(app, pilot)
        assert grid.gradebook is not shown and grid.shown_value(b, 1) == "4"


async def test_another_courses_changes_do_not_reload_the_grid(w) -> None:
    """Sixty teachers mark at once: a grid reloads for its own course's changes (and for
    those not bound to one course), not for every mark saved in the school."""
    b = w.students5[1]
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        shown = grid.gradebook
        seen = app.screen.watcher.seen
        set_absence(w.db, w.primary.at(NOW), w.lessons["g1_today"], w.students1[0], "Н")
        await poll(app, pilot)
        assert grid.gradebook is shown  # not reloaded
        assert app.screen.watcher.seen > seen  # the others' events are passed over
        other_session_marks(w, "late", b, "4")
        await poll(app, pilot)
        assert grid.gradebook is not shown and grid.shown_value(b, 1) == "4"


async def test_a_stale_write_shows_the_conflict(w, monkeypatch) -> None:
    a = w.students5[0]
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notes(app)
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        other_session_marks(w, "today", a, "3")
        await pilot.press("5")
        await settle(app, pilot)
        assert any(
            n.startswith("Отметка: запись уже изменил(а) Учителева Мария Ивановна") for n in notes
        )
        assert marks_of(w, "today") == {a: "3"}
        assert grid.shown_value(a, 2) == "3"  # reloaded


async def test_plus_adds_a_second_work_type_column(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        await pilot.press("plus")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, WorkTypeModal)
        options = modal.query_one(OptionList)
        index = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "test"
        )
        options.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        with w.db.read() as s:
            kinds = s.exec(
                select(Assignment.work_type_id).where(Assignment.lesson_id == w.lessons["today"])
            ).all()
        assert len(kinds) == 2
        column = grid.current_column
        assert column.work_type_code == "test" and column.lesson_id == w.lessons["today"]
        assert [
            c.work_type_code for c in grid.gradebook.columns if c.lesson_id == w.lessons["today"]
        ] == ["answer", "test"]
        await pilot.press("4")
        await settle(app, pilot)
        assert marks_of(w, "today") == {w.students5[0]: "4"}


async def test_periods_and_back_after_logging_in(w, fast_argon2) -> None:
    set_password(w.db, "uchitel", "пароль-учителя-1")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, *"uchitel", "enter", *"пароль-учителя-1", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
        await app.push_screen(GridScreen(app.actor, w.course5, None))
        await settle(app, pilot)
        title = app.screen.query_one("#grid-title", Static)
        await pilot.press("p")
        await settle(app, pilot)
        assert "1 четверть" in str(title.visual)
        assert app.screen.grid.gradebook.columns == ()
        await pilot.press("n")
        await settle(app, pilot)
        assert "2 четверть" in str(title.visual)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TimetableScreen)


async def test_no_access_is_shown_not_raised(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notes(app)
        grid = await open_grid(app, pilot, w.other_teacher, w.course5)
        assert grid.gradebook is None and not grid.loading
        assert "Нет доступа к журналу 5А" in status(app)
        assert any("Нет доступа к журналу 5А" in n for n in notes)
        assert app.is_running and isinstance(app.screen, GridScreen)


async def test_period_mark_is_set_from_the_grid_004_3_9(w) -> None:
    """«i» sets the student's quarter mark from the school's scale [004 §3.9]."""
    from textual.widgets import OptionList

    from zhurnal.core.models import PeriodMark
    from zhurnal.tui.widgets.dialogs import ChoiceModal

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        # period marks are accepted in the period's last week
        grid = await open_grid(app, pilot, w.teacher, w.course5, Q2_LAST_WEEK)
        grid.move_cursor(0, grid.cursor_col)
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        choices = app.screen.query_one("#period-mark-choice", OptionList)
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert labels[:4] == ["5", "4", "3", "2"] and "н/а" in labels
        choices.highlighted = 1
        await pilot.press("enter")
        await settle(app, pilot)
        with w.db.read() as s:
            pm = s.exec(select(PeriodMark)).one()
            assert (pm.student_id, pm.value, pm.period_id) == (w.students5[0], "4", w.q2)
        assert app.screen.gradebook.period_marks[w.students5[0]].value == "4"


async def test_grade_1_period_result_is_only_n_oc_004_3_5(w) -> None:
    """[004 §3.5] In grade 1 the only quarter result offered is «н/оц»."""
    from textual.widgets import OptionList

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_grid(app, pilot, w.primary, w.course1, Q2_LAST_WEEK)
        await pilot.press("i")
        await settle(app, pilot)
        choices = app.screen.query_one("#period-mark-choice", OptionList)
        assert [
            str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)
        ] == ["н/оц"]


async def test_a_mark_and_an_absence_in_the_same_lesson_both_show(w) -> None:
    """Written work handed in after an absence: « 4Б», «5УП» (the code dim after the mark)."""
    from zhurnal.core.services.lessons import set_absence
    from zhurnal.core.services.marks import add_assignment, set_mark

    a, b, c = w.students5
    teacher = w.teacher.at(NOW)
    for student, code in ((a, "Б"), (b, "УП"), (c, "Н")):
        set_absence(w.db, teacher, w.lessons["today"], student, code)
    test = add_assignment(w.db, teacher, w.lessons["today"], "test")
    set_mark(w.db, teacher, test.id, a, "4")
    set_mark(w.db, teacher, test.id, b, "5")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        assert grid.gradebook is not None
        column = next(
            col.index
            for col in grid.gradebook.columns
            if col.lesson_id == w.lessons["today"] and col.work_type_code == "test"
        )
        grid.move_cursor(0, column)
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        row = {
            name: next(line for line in lines if name in line)
            for name in ("Антонов", "Борисова", "Васильев")
        }
        assert "│ 4Б│" in row["Антонов"] and "│5УП│" in row["Борисова"]
        assert "│ Н │" in row["Васильев"]  # no mark: the code alone, as before
        assert (grid.shown_value(a, column), grid.absence(a, column)) == ("4", "Б")
        assert "Б — болел(а)" in status(app)  # the status line names the absence
        await pilot.press("down")
        assert "5УП" in screen_text(app) and "УП — уважительная причина" in status(app)
        await pilot.press("down")
        assert "Н — не был(а)" in status(app)


async def test_a_lock_reason_is_shown_whole_at_80_columns(w) -> None:
    """Issue 7: the reason a cell is closed is never cut off on an 80-column terminal."""
    import re

    from tests.ui import screen_lines

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_grid(app, pilot, w.teacher, w.course5)
        grid.move_cursor(0, 0)  # 09.11: locked
        await settle(app, pilot)
        bottom = " ".join(line.strip() for line in screen_lines(app)[-4:-1])
        assert re.sub(r"\s+", " ", LOCKED_REASON) in re.sub(r"\s+", " ", bottom)
