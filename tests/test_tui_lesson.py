"""«Урок» and «Посещаемость» through Pilot, on tests/school.py's school.

Monday 23.11.2026 10:00: ``uchitel`` teaches 5А maths (lesson 1 today, lesson 1
tomorrow, one on 09.11 that is locked); ``nachalka`` teaches grade-1 1А.
Every test logs in through the login screen and asserts on the database and on
what the screen shows.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static, TextArea

from tests.conftest import make_db, set_password
from tests.school import NOW, build
from tests.ui import PASSWORD, burst, poll, screen_lines, settle, sign_in, toast_text
from zhurnal.core.models import Absence, Assignment, Enrolment, Lesson, PlanItem, Student, User
from zhurnal.core.services import lessons
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import AttendanceScreen, LessonScreen, TimetableScreen
from zhurnal.tui.widgets.dialogs import QuestionModal, WorkTypeModal

TODAY = date(2026, 11, 23)
SIZE = (100, 30)


@pytest.fixture
def school(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    for login in ("uchitel", "nachalka"):
        set_password(db, login, PASSWORD)
    with db.write() as s:
        s.add_all(
            [
                PlanItem(course_id=world.course5, position=1, topic="Натуральные числа"),
                PlanItem(course_id=world.course5, position=2, topic="Дроби"),
            ]
        )
    yield world
    db.dispose()


async def open_lesson(app, pilot, *keys: str) -> LessonScreen:
    """From the timetable: move (keys), Enter on the highlighted lesson."""
    await burst(app, pilot, *keys)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, LessonScreen)
    return app.screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


def lesson_row(world, key: str) -> Lesson:
    with world.db.read() as s:
        return s.get(Lesson, world.lessons[key])


def absences(world, key: str) -> dict[int, str]:
    with world.db.read() as s:
        rows = s.exec(select(Absence).where(Absence.lesson_id == world.lessons[key]))
        return {a.student_id: a.code for a in rows}


def marks_column(screen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.get_row_at(i)[2].plain for i in range(table.row_count)]


async def test_topic_from_the_plan_and_homework_are_saved(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        assert "23.11.2026, 1-й урок 08:30–09:15" in text_of(screen, "#lesson-title")
        assert text_of(screen, "#lesson-place") == "5А · Математика · каб. 12"
        topic = screen.query_one("#topic", Input)
        assert topic.value == "Натуральные числа"  # the next КТП topic, offered
        assert "из КТП" in text_of(screen, "#plan-hint")
        assert app.focused is topic
        await pilot.press("end")
        await burst(app, pilot, *" (п. 3)", "tab", *"Стр. 12, упр. 14")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        lesson = lesson_row(school, "today")
        assert lesson.topic == "Натуральные числа (п. 3)"
        assert lesson.homework == "Стр. 12, упр. 14"
        with school.db.read() as s:
            first = s.exec(select(PlanItem).where(PlanItem.position == 1)).one()
        assert lesson.plan_item_id == first.id  # the topic contains the plan topic: linked
        status = text_of(screen, "#lesson-status")
        assert "Сохранено." in status
        assert "Заполнить до 25.11 23:59; изменения закрываются 04.12.2026" in status
        assert "Сохранено." in app.export_screenshot()
        await pilot.press("escape")  # saved: no question
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[4].plain == "Натуральные числа (п. 3)"  # the day reloaded


async def test_late_entry_is_reported(school) -> None:
    """20.11 is past the 2-day entry deadline: saved, and flagged late [004 §3.8]."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await app.push_screen(LessonScreen(app.actor, school.lessons["late"]))
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Сравнение чисел", "ctrl+s")
        await settle(app, pilot)
        assert lesson_row(school, "late").topic_late
        assert "внесено с опозданием" in text_of(screen, "#lesson-status")


async def test_attendance_everyone_present_then_one_absent(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await open_lesson(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AttendanceScreen)
        assert text_of(screen, "#attendance-state") == "Посещаемость не отмечена"
        table = screen.query_one(DataTable)
        names = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert names == ["Антонов Антон", "Борисова Белла", "Васильев Василий"]
        await pilot.press("p")
        await settle(app, pilot)
        assert lesson_row(school, "today").attendance_taken_at == NOW
        assert absences(school, "today") == {}
        assert text_of(screen, "#attendance-state") == (
            "Посещаемость отмечена в 10:00: все присутствуют"
        )
        await pilot.press("down", "н")  # the second student: Н, the cursor moves on
        await settle(app, pilot)
        assert absences(school, "today") == {school.students5[1]: "Н"}
        assert marks_column(screen) == ["✓", "Н", "✓"]
        assert table.cursor_row == 2
        await pilot.press("e")  # Latin e = Cyrillic у: УП for the third
        await settle(app, pilot)
        assert absences(school, "today") == {school.students5[1]: "Н", school.students5[2]: "УП"}
        assert text_of(screen, "#attendance-state") == "Посещаемость отмечена в 10:00: Н 1, УП 1"
        await pilot.press("space")  # the cursor stayed on the last row: present again
        await settle(app, pilot)
        assert absences(school, "today") == {school.students5[1]: "Н"}
        assert text_of(screen, "#attendance-state") == "Посещаемость отмечена в 10:00: Н 1"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        assert "Посещаемость отмечена в 10:00" in text_of(app.screen, "#lesson-state")


async def test_attendance_in_advance_is_refused(school) -> None:
    """Tomorrow's lesson: «вперёд» is refused [004 §3.8], nothing changes."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(app, pilot)
        await open_lesson(app, pilot, "right")
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AttendanceScreen)
        await pilot.press("p")
        await settle(app, pilot)
        assert "вперёд" in await toast_text(app, pilot)
        await pilot.press("н")
        await settle(app, pilot)
        assert lesson_row(school, "tomorrow").attendance_taken_at is None
        assert absences(school, "tomorrow") == {}
        assert marks_column(screen) == ["", "", ""]
        assert text_of(screen, "#attendance-state") == (  # the decision is shown at once
            "Нельзя ставить отметки посещаемости «вперёд»: урок начнётся 24.11.2026 08:30 "
            "[004 §3.8]."
        )


async def test_locked_lesson_is_read_only(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(app, pilot)
        await app.push_screen(LessonScreen(app.actor, school.lessons["locked"]))
        await settle(app, pilot)
        screen = app.screen
        assert "закрыты для изменений с 20.11.2026" in text_of(screen, "#lesson-state")
        assert screen.query_one("#topic", Input).disabled
        assert screen.query_one("#homework", TextArea).read_only
        await pilot.press("ctrl+s")
        assert "закрыты для изменений" in await toast_text(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
    assert lesson_row(school, "locked").topic == ""


async def test_grade_1_homework_reads_net(school) -> None:
    """Grade 1: homework «нет», read-only, with the reason [004 §3.5]; no work types."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "nachalka")
        screen = await open_lesson(app, pilot)
        homework = screen.query_one("#homework", TextArea)
        assert homework.text == "нет" and homework.read_only
        assert "[004 §3.5]" in text_of(screen, "#homework-hint")
        assert not screen.query_one("#assignments").display
        await burst(app, pilot, *"Счёт до 10", "ctrl+s")
        await settle(app, pilot)
        lesson = lesson_row(school, "g1_today")
        assert (lesson.topic, lesson.homework) == ("Счёт до 10", "нет")


async def test_user_text_is_shown_literally(school) -> None:
    with school.db.write() as s:
        st = Student(last_name="[b]Иванов[/b]", first_name="[@click=app.quit]Пётр[/]")
        s.add(st)
        s.flush()
        s.add(Enrolment(student_id=st.id, class_id=school.class5, start=date(2026, 9, 1)))
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"[b]Дроби[/b]", "ctrl+s")
        await settle(app, pilot)
        assert lesson_row(school, "today").topic == "[b]Дроби[/b]"
        assert screen.query_one("#topic", Input).value == "[b]Дроби[/b]"
        assert "[b]Дроби[/b]" in app.export_screenshot()
        await pilot.press("f3")
        await settle(app, pilot)
        name = app.screen.query_one(DataTable).get_row_at(0)[1]
        assert name.plain == "[b]Иванов[/b] [@click=app.quit]Пётр[/]" and not name.spans
        assert "[b]Иванов[/b]" in app.export_screenshot()


async def test_unsaved_changes_are_asked_about(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        await burst(app, pilot, *" и дроби", "escape")
        await pilot.pause()
        assert isinstance(app.screen, QuestionModal)
        question = str(app.screen.query_one(".dialog-text", Static).visual)
        assert question == "Не сохранено: тема или Д/З урока 23.11, 1-й урок, 5А Математика."
        await pilot.press("escape")  # stay: the text is still there
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#topic", Input).value == "Натуральные числа и дроби"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#answer-discard")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
    assert lesson_row(school, "today").topic == ""


async def test_a_conflict_shows_both_versions_and_overwrites_nothing(school) -> None:
    """Issue 7: another session saved the topic meanwhile.  Saving shows their text and
    mine with who changed it; «Позже» writes nothing, and a second Ctrl+S asks again —
    never a silent overwrite; «Объединить» puts both in the field to edit and save."""
    from zhurnal.tui.widgets.conflict import TextConflictModal

    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        lessons.set_topic(
            school.db, school.at(school.teacher), school.lessons["today"], "Тема из другого окна"
        )
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Моя тема", "ctrl+s")
        await settle(app, pilot)
        modal = app.screen
        assert isinstance(modal, TextConflictModal)
        painted = "\n".join(screen_lines(app))
        assert "Учителева Мария Ивановна" in painted
        assert "Тема из другого окна" in painted and "Моя тема" in painted
        assert "их версия" in painted and "ваша версия" in painted
        await pilot.press("escape")  # «Позже»
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.query_one("#topic", Input).value == "Моя тема"
        assert lesson_row(school, "today").topic == "Тема из другого окна"
        await pilot.press("ctrl+s")  # asks again: their text is not overwritten silently
        await settle(app, pilot)
        assert isinstance(app.screen, TextConflictModal)
        assert lesson_row(school, "today").topic == "Тема из другого окна"
        await pilot.click("#conflict-merge")
        await settle(app, pilot)
        assert screen.query_one("#topic", Input).value == "Тема из другого окна; Моя тема"
        assert lesson_row(school, "today").topic == "Тема из другого окна"
        await pilot.press("ctrl+s")  # the merged text, on top of their version: no conflict
        await settle(app, pilot)
        assert app.screen is screen
        assert lesson_row(school, "today").topic == "Тема из другого окна; Моя тема"


async def test_a_conflict_choice_theirs_or_mine(school) -> None:
    from zhurnal.tui.widgets.conflict import TextConflictModal

    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        teacher, lesson = school.at(school.teacher), school.lessons["today"]
        lessons.set_homework(school.db, teacher, lesson, "Их задание")
        await pilot.press("tab")
        await burst(app, pilot, *"Моё задание", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TextConflictModal)
        await pilot.click("#conflict-theirs")
        await settle(app, pilot)
        assert screen.query_one("#homework", TextArea).text == "Их задание"
        assert not screen.is_dirty()
        assert lesson_row(school, "today").homework == "Их задание"
        lessons.set_homework(school.db, teacher, lesson, "Третье задание")
        await pilot.press("end")
        await burst(app, pilot, *" и ещё", "ctrl+s")
        await settle(app, pilot)
        await pilot.click("#conflict-mine")  # a knowing choice: mine over theirs
        await settle(app, pilot)
        assert lesson_row(school, "today").homework == "Их задание и ещё"


async def test_other_fields_changed_elsewhere_are_kept_without_asking(school) -> None:
    """They changed the homework, I the topic: both stay, no question (nothing is lost)."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        lessons.set_homework(
            school.db, school.at(school.teacher), school.lessons["today"], "Их задание"
        )
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Моя тема", "ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen is screen
        row = lesson_row(school, "today")
        assert (row.topic, row.homework) == ("Моя тема", "Их задание")
        assert screen.query_one("#homework", TextArea).text == "Их задание"


async def test_work_type_is_added_and_removed(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, WorkTypeModal)
        await pilot.press("down", "down", "enter")  # the third: самостоятельная работа
        await settle(app, pilot)
        assert app.screen is screen
        with school.db.read() as s:
            assert len(s.exec(select(Assignment)).all()) == 1
        listed = screen.query_one("#assignments")
        assert "Самостоятельная работа (вес 1.5)" in str(listed.get_option_at_index(0).prompt)
        listed.focus()
        await pilot.press("delete")
        await settle(app, pilot)
        with school.db.read() as s:
            assert s.exec(select(Assignment)).all() == []
        assert "Видов работ нет" in text_of(screen, "#work-hint")


async def test_a_deactivated_teacher_gets_a_message_not_a_crash(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(app, pilot)
        await open_lesson(app, pilot)
        with school.db.write() as s:
            user = s.exec(select(User).where(User.login == "uchitel")).one()
            user.active = False
            s.add(user)
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Тема", "ctrl+s")
        await settle(app, pilot)
        assert "Учётная запись отключена" in await toast_text(app, pilot)
        assert app.is_running and app.screen.query_one("#topic", Input).value == "Тема"


async def test_keys_typed_ahead_are_all_recorded_in_order(school) -> None:
    """Over a slow link keys arrive in a burst: each is queued and committed in turn."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await open_lesson(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        await pilot.press("p", "y", "comma", "о")  # н, б (Latin keys) and ОП, no pauses
        await settle(app, pilot)
        assert absences(school, "today") == dict(
            zip(school.students5, ["Н", "Б", "ОП"], strict=True)
        )
        assert marks_column(app.screen) == ["Н", "Б", "ОП"]


async def test_another_sessions_change_appears(school) -> None:
    """Within a few seconds; a field being edited is never overwritten."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        teacher, lesson = school.at(school.teacher), school.lessons["today"]
        lessons.set_homework(school.db, teacher, lesson, "Стр. 5")
        await poll(app, pilot)
        assert screen.query_one("#homework", TextArea).text == "Стр. 5"
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Моя тема")  # now editing: the next change keeps it
        lessons.set_absence(school.db, teacher, lesson, school.students5[0], "Б")
        await poll(app, pilot)
        assert screen.query_one("#topic", Input).value == "Моя тема"
        await pilot.press("f3")
        await settle(app, pilot)
        attendance = app.screen
        assert marks_column(attendance) == ["Б", "✓", "✓"]
        lessons.set_absence(school.db, teacher, lesson, school.students5[2], "Н")
        await poll(app, pilot)
        assert marks_column(attendance) == ["Б", "✓", "Н"]


def reloads_of(screen) -> list[int]:
    """The reloads the screen's change watcher starts from now on (one entry each)."""
    calls: list[int] = []
    changed = screen.watcher._changed

    def counted() -> None:
        calls.append(1)
        changed()

    screen.watcher._changed = counted
    return calls


async def test_own_saves_are_not_reloaded_another_sessions_change_is(school) -> None:
    """Sixty teachers at once [issue 10]: the card and the attendance list show a save from
    its answer; the next poll does not load them again for it. A change made in another
    session still appears."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        reloads = reloads_of(screen)
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Дроби")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert lesson_row(school, "today").topic == "Дроби"
        await poll(app, pilot)
        assert reloads == []
        await pilot.press("f3")
        await settle(app, pilot)
        attendance = app.screen
        assert isinstance(attendance, AttendanceScreen)
        listed = reloads_of(attendance)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("down", "н")
        await settle(app, pilot)
        assert absences(school, "today") == {school.students5[1]: "Н"}
        await poll(app, pilot)
        assert listed == [] and marks_column(attendance) == ["✓", "Н", "✓"]
        teacher, lesson = school.at(school.teacher), school.lessons["today"]
        lessons.set_absence(school.db, teacher, lesson, school.students5[2], "Б")
        await poll(app, pilot)
        assert listed == [1] and marks_column(attendance) == ["✓", "Н", "Б"]


async def test_a_change_made_elsewhere_right_after_the_save_shows_and_is_not_overwritten(
    school, monkeypatch
) -> None:
    """Another session writes the homework just after my topic is saved, before the screen
    reads the card back: the card shows their homework at once (no poll reloads it), and my
    next Ctrl+S does not write my old text over it."""
    from zhurnal.core import readmodels

    real, armed = readmodels.change_counter, []

    def counter_after_their_save(db):  # type: ignore[no-untyped-def]
        if armed:
            armed.clear()
            lessons.set_homework(
                school.db, school.at(school.teacher), school.lessons["today"], "Их задание"
            )
        return real(db)

    monkeypatch.setattr(readmodels, "change_counter", counter_after_their_save)
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        screen = await open_lesson(app, pilot)
        reloads = reloads_of(screen)
        await pilot.press("ctrl+u")
        await burst(app, pilot, *"Моя тема")
        armed.append(1)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.query_one("#homework", TextArea).text == "Их задание"
        await poll(app, pilot)
        assert reloads == []
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        row = lesson_row(school, "today")
        assert (row.topic, row.homework) == ("Моя тема", "Их задание")


async def test_attendance_that_cannot_be_read_any_more_does_not_loop(school) -> None:
    """A substitute whose lesson is taken back sees one refusal, not a storm of them."""
    from tests.school import NOW
    from zhurnal.core.services import lessons as lesson_services
    from zhurnal.tui.screens.attendance import AttendanceScreen as Attendance

    deputy, sub = school.deputy.at(NOW), school.other_teacher.at(NOW)
    lesson_services.assign_substitute(
        school.db, deputy, school.lessons["today"], school.other_teacher.user_id
    )
    app = make_app(database=school.db, today=date(2026, 11, 23))
    async with app.run_test(size=(100, 30)) as pilot:
        notes: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (notes.append(message), notify(message, **kw))[1]
        app.actor = sub
        await app.push_screen(Attendance(sub, school.lessons["today"]))
        await app.workers.wait_for_complete()
        await pilot.pause()
        lesson_services.assign_substitute(school.db, deputy, school.lessons["today"], None)
        screen = app.screen
        screen._load()
        for _ in range(5):  # the watcher's ticks: a list that cannot be read is not retried
            await pilot.pause()
            screen.watcher.check()
            await pilot.pause()
        assert 1 <= len(notes) <= 2, notes
        assert app.is_running


async def test_the_bell_opens_attendance_without_reopening_the_screen(school) -> None:
    """Opened before the 3rd lesson begins (10:30), the list refuses marks «вперёд»;
    once the bell has rung the screen decides again by itself (the read model says when
    its decisions change) and the same key is taken [004 §3.8]."""
    from datetime import datetime

    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("down", "enter")  # the 3rd lesson, 10:30
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AttendanceScreen)
        assert "вперёд" in screen.card.lesson.attendance_why_not
        later = datetime(2026, 11, 23, 10, 35)  # the clocks move on past the bell
        app.fixed_now = later
        screen.actor = screen.actor.at(later)
        await poll(app, pilot)
        assert screen.card.lesson.attendance_why_not == ""
        await pilot.press("н")
        await settle(app, pilot)
        assert absences(school, "later_today") == {school.students5[0]: "Н"}
