"""One convention for errors from workers (issue 7): a refusal of the core is shown as
it is, with its Russian title; anything else is shown as an internal error, written to
the log with its traceback, and the app goes on — never a traceback on the screen."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, settle, sign_in
from zhurnal.core.errors import LockedError
from zhurnal.tui.app import make_app
from zhurnal.tui.screens import LessonScreen, TimetableScreen

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    yield world
    db.dispose()


def notes_of(app) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    notify = app.notify

    def recorder(message, **kwargs):  # type: ignore[no-untyped-def]
        notes.append((kwargs.get("title", ""), message))
        return notify(message, **kwargs)

    app.notify = recorder
    return notes


async def test_an_unexpected_error_is_shown_logged_and_survived(w, monkeypatch, caplog) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("диск отвалился")

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        notes = notes_of(app)
        await sign_in(app, pilot)
        monkeypatch.setattr("zhurnal.core.readmodels.lesson_card", broken)
        with caplog.at_level(logging.ERROR, logger="zhurnal"):
            await pilot.press("enter")
            await pilot.pause()
            await pilot.pause()
        assert app.is_running and isinstance(app.screen, LessonScreen)
        title, text = notes[-1]
        assert title == "Внутренняя ошибка"
        assert "RuntimeError: диск отвалился" in text and "Введённое не потеряно" in text
        assert "Traceback" not in text
        assert any(r.exc_info and "диск отвалился" in str(r.exc_info[1]) for r in caplog.records)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)  # the app goes on


async def test_a_refusal_is_shown_with_its_own_title(w, monkeypatch) -> None:
    def locked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise LockedError("Урок 09.11: отметки закрыты для изменений с 20.11.2026.")

    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        notes = notes_of(app)
        await sign_in(app, pilot)
        monkeypatch.setattr("zhurnal.core.readmodels.lesson_card", locked)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert notes[-1] == (
            "Запись закрыта для изменений",
            "Урок 09.11: отметки закрыты для изменений с 20.11.2026.",
        )
        assert app.is_running
