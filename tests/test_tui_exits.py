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
from textual.widgets import Input, OptionList

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, burst, screen_lines, settle, sign_in
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
