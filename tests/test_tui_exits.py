"""Nothing typed is lost (issue 7): every way out either saves or asks, and what was typed
and not saved survives a dropped connection as a draft offered back at the next login.

Monday 23.11.2026 10:00 on tests/school.py's school; ``uchitel`` types the topic of
today's first lesson and leaves in every way there is: Ctrl+Q, the idle lock's
«Выйти», and a real terminal hung up under the running register (SIGHUP, as when an
SSH connection drops).  Drafts are never written to the register without Ctrl+S.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input, OptionList, TextArea

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, burst, poll, screen_lines, settle, sign_in
from zhurnal.core.models import AuditEvent, Draft, Lesson
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import LessonScreen, LockScreen, LoginScreen, TimetableScreen
from zhurnal.tui.widgets.dialogs import ChoiceModal, QuestionModal

TODAY = date(2026, 11, 23)
TYPED = "Сложение дробей"


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    yield world
    db.dispose()


def topic(w) -> str:
    with w.db.read() as s:
        return s.get(Lesson, w.lessons["today"]).topic


def drafts(w) -> list[tuple[int, str]]:
    with w.db.read() as s:
        return [(d.lesson_id, d.topic) for d in s.exec(select(Draft))]


def endings(w) -> list[str]:
    """How each session ended, from the audit log (``logout`` events)."""
    with w.db.read() as s:
        events = s.exec(
            select(AuditEvent).where(AuditEvent.action == "logout").order_by(AuditEvent.id)
        )
        return [json.loads(e.after or "{}").get("how", "") for e in events]


async def type_topic(app, pilot) -> LessonScreen:
    await sign_in(app, pilot)
    await pilot.press("enter")  # today's first lesson
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    await pilot.press("ctrl+u")
    await burst(app, pilot, *TYPED)
    return screen


async def test_ctrl_q_asks_and_stay_keeps_the_text(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await type_topic(app, pilot)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionModal)
        painted = "\n".join(screen_lines(app))
        assert "Не сохранено: тема или Д/З урока 23.11, 1-й урок, 5А Математика." in painted
        for answer in ("Сохранить и выйти", "Не сохранять", "Остаться"):
            assert answer in painted
        await pilot.press("escape")  # «Остаться»
        await settle(app, pilot)
        assert app.is_running and app.screen is screen
        assert screen.query_one("#topic", Input).value == TYPED
    assert topic(w) == ""


async def test_ctrl_q_save_and_quit_writes_the_register(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_topic(app, pilot)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.click("#answer-save")
        await settle(app, pilot)
        assert not app.is_running
    app.close_session()
    assert topic(w) == TYPED
    assert drafts(w) == []
    assert endings(w) == ["quit"]


async def test_ctrl_q_without_saving_leaves_nothing(w, monkeypatch) -> None:
    monkeypatch.setattr("zhurnal.tui.screens.lesson_texts.DRAFT_DELAY", 0.05)
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_topic(app, pilot)
        await pilot.pause(0.2)  # the draft is kept a moment (a second) after typing stops
        await settle(app, pilot)
        assert drafts(w) == [(w.lessons["today"], TYPED)]
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.click("#answer-discard")
        await settle(app, pilot)
        assert not app.is_running
    assert topic(w) == ""
    assert drafts(w) == []  # the teacher said so: the draft goes too


async def test_a_refused_save_at_quit_keeps_the_session(w) -> None:
    """«Сохранить и выйти» on a save the core refuses: the app stays, the text stays."""
    from zhurnal.core.services import lessons

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await type_topic(app, pilot)
        lessons.set_topic(w.db, w.at(w.teacher), w.lessons["today"], "Чужая тема")
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.click("#answer-save")
        await settle(app, pilot)
        assert app.is_running  # a conflict is not an exit: both versions are shown
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and screen.query_one("#topic", Input).value == TYPED
    assert topic(w) == "Чужая тема"


async def test_the_idle_lock_keeps_a_draft_offered_at_the_next_login(w) -> None:
    """The lock keeps the text as a draft; «Выйти» there (whoever sits at the PC) keeps
    it; the teacher's next login offers it; only Ctrl+S writes it to the register."""
    app = make_app(database=w.db, today=TODAY)
    now = [1000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await type_topic(app, pilot)
        now[0] += 10 * 60
        app.idle_check()
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert drafts(w) == [(w.lessons["today"], TYPED)]
        await pilot.press("ctrl+l")  # «Выйти»: no question, the draft stays
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        assert drafts(w) == [(w.lessons["today"], TYPED)] and topic(w) == ""

        await sign_in(app, pilot)
        assert isinstance(app.screen, ChoiceModal)  # offered back
        painted = "\n".join(screen_lines(app))
        assert "Есть несохранённый текст с прошлого сеанса" in painted
        assert f"23.11, 1-й урок, 5А Математика: «{TYPED}»" in painted
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)
        assert lesson.query_one("#topic", Input).value == TYPED
        assert "Восстановлен несохранённый текст" in "\n".join(screen_lines(app))
        assert topic(w) == ""  # offered, not written
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert topic(w) == TYPED and drafts(w) == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
    assert endings(w)[0] == "idle"


def test_a_dropped_connection_keeps_the_text_as_a_draft(w, tmp_path) -> None:
    """The register runs in a real terminal; the terminal is hung up mid-typing (SIGHUP,
    what a dropped SSH connection does).  The text typed a moment before is kept as a
    draft, the session's end is audited as a hangup, the register is unchanged; the
    next login offers the text back (tested above for the lock)."""
    from tests.pty_session import PtySession

    session = PtySession(tmp_path / "s.db", "uchitel", TODAY.isoformat(), tmp_path)
    try:
        session.wait_for("Вход в электронный журнал")
        session.read(0.5)
        session.type(*PASSWORD, "enter")
        session.wait_for("Расписание")
        session.read(0.5)
        session.type("enter")
        session.wait_for("Тема урока")
        session.read(0.5)
        session.type(TYPED)  # and the line drops at once, before the draft's second
        session.read(0.2)
    finally:
        status = session.hang_up()
    assert status == 129  # the hangup handler ended it (a hung process fails in hang_up)
    assert drafts(w) == [(w.lessons["today"], TYPED)]
    assert topic(w) == ""
    assert endings(w) == ["hangup"]


async def test_a_restored_draft_keeps_what_another_session_saved_meanwhile(w) -> None:
    """The draft changed the topic; another session then saved the homework.  Restoring
    the draft fills in the topic only; saving keeps their homework (nothing reverted)."""
    from zhurnal.core.services import drafts as draft_services
    from zhurnal.core.services import lessons

    teacher, lesson = w.at(w.teacher), w.lessons["today"]
    draft_services.save_draft(w.db, teacher, lesson, TYPED, "", base=("", ""))
    lessons.set_homework(w.db, teacher, lesson, "Их задание: № 5")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert screen.query_one("#topic", Input).value == TYPED
        assert screen.query_one("#homework", TextArea).text == "Их задание: № 5"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    with w.db.read() as s:
        row = s.get(Lesson, lesson)
        assert (row.topic, row.homework) == (TYPED, "Их задание: № 5")


async def test_a_restored_draft_over_a_changed_field_shows_both_versions(w) -> None:
    from zhurnal.core.services import drafts as draft_services
    from zhurnal.core.services import lessons
    from zhurnal.tui.widgets.conflict import TextConflictModal

    teacher, lesson = w.at(w.teacher), w.lessons["today"]
    draft_services.save_draft(w.db, teacher, lesson, TYPED, "", base=("", ""))
    lessons.set_topic(w.db, teacher, lesson, "Их тема")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TextConflictModal)
    assert topic(w) == "Их тема"


async def test_text_of_a_lesson_locked_meanwhile_is_asked_about_and_kept(w) -> None:
    """The lesson locks while the teacher types (here: the school shortens its lock to
    zero days): the text stays, Esc asks instead of dropping it, and it can be kept as
    a draft."""
    from datetime import datetime

    from zhurnal.core import audit
    from zhurnal.core.policy import preset_text
    from zhurnal.core.setup import install_policy

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("left", "left", "left")  # Friday 20.11: open for ten days
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.card.lesson.text_editable
        await pilot.press("ctrl+u")
        await burst(app, pilot, *TYPED)
        with w.db.write() as s:
            install_policy(s, preset_text("004").replace("current_days = 10", "current_days = 1"))
            audit.append(
                s,
                ts=datetime(2026, 11, 23, 10),
                actor_id=None,
                actor_login="test",
                action="policy.set",
            )
        await poll(app, pilot)
        assert not screen.card.lesson.text_editable
        assert screen.query_one("#topic", Input).value == TYPED
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionModal)  # asked, not dropped
        await pilot.press("escape")
        await settle(app, pilot)
        screen.keep_draft(wait=True)
    assert drafts(w) == [(w.lessons["late"], TYPED)]


async def test_ctrl_q_twice_asks_once(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await type_topic(app, pilot)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert sum(isinstance(s, QuestionModal) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


async def test_a_mark_refused_on_the_way_out_stops_the_exit(w) -> None:
    """A mark typed just before Ctrl+Q is refused (another session changed the cell):
    the app stays and says so; the refusal is on screen, not lost."""
    from tests.school import NOW
    from zhurnal.core.services.marks import set_lesson_mark
    from zhurnal.tui.screens.grid import GridScreen

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        notes: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (notes.append(message), notify(message, **kw))[1]
        app.actor = w.teacher.at(NOW)
        await app.push_screen(GridScreen(app.actor, w.course5, None))
        await settle(app, pilot)
        student = w.students5[0]
        set_lesson_mark(w.db, w.at(w.teacher), w.lessons["today"], student, "answer", "2")
        assert app.focused is app.screen.grid  # the cell takes the key
        await burst(app, pilot, "4", "ctrl+q")
        await settle(app, pilot)
        assert app.is_running
        assert any(n.startswith("Отметка: запись уже изменил(а)") for n in notes)
        assert any(n.startswith("Выход отменён") for n in notes)


async def test_a_draft_of_a_locked_lesson_is_shown_not_offered(w) -> None:
    """A draft whose lesson has locked cannot be saved: it is not offered at login; the
    lesson, when opened, shows the text and why it cannot be written."""
    from datetime import datetime

    from zhurnal.core.models import Draft as DraftRow

    with w.db.write() as s:  # typed on 18.11, before the lock of 20.11
        s.add(
            DraftRow(
                user_id=w.teacher.user_id,
                lesson_id=w.lessons["locked"],
                topic="Забытая тема",
                homework="",
                saved_at=datetime(2026, 11, 18, 9),
            )
        )
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        assert isinstance(app.screen, TimetableScreen)  # nothing offered
        from zhurnal.tui.screens import LessonScreen as Lesson_

        await app.push_screen(Lesson_(app.actor, w.lessons["locked"]))
        await settle(app, pilot)
        painted = " ".join(line.strip() for line in screen_lines(app))
        assert "Тема урока: «Забытая тема»" in painted and "записать нельзя" in painted


async def test_typing_in_the_homework_adds_to_its_end(w) -> None:
    from zhurnal.core.services import lessons

    lessons.set_homework(w.db, w.at(w.teacher), w.lessons["today"], "№ 225")
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("tab")
        await burst(app, pilot, *", 227")
        assert app.screen.query_one("#homework", TextArea).text == "№ 225, 227"
