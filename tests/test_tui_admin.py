"""The administrator in the terminal (issue 9, users): lands on «Администрирование»,
creates a user whose temporary password is shown once, cannot switch off the last
administrator, withdraws a dismissed teacher's access [004 §4.2–4.3]."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input, SelectionList

from tests.conftest import make_db, set_password
from tests.school import build
from tests.ui import PASSWORD, screen_lines, screen_text, settle, sign_in
from zhurnal.core.models import User
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.admin import AdminScreen
from zhurnal.tui.screens.checklist import ChecklistScreen
from zhurnal.tui.screens.users import UsersScreen
from zhurnal.tui.widgets.dialogs import QuestionModal
from zhurnal.tui.widgets.user_form import UserFormModal

TODAY = date(2026, 11, 23)


@pytest.fixture
def w(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "admin", PASSWORD)
    yield world
    db.dispose()


async def test_the_administrator_issues_and_withdraws_access_004_4(w) -> None:
    app = make_app(database=w.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "admin")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ChecklistScreen)  # the school has no timetable yet
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminScreen)
        await pilot.press("down", "enter")  # «Пользователи»
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        assert "uchitel" in screen_text(app)

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, UserFormModal)
        app.screen.query_one("#user-login", Input).value = "novikova.aa"
        app.screen.query_one("#user-name", Input).value = "Новикова Анна Андреевна"
        await pilot.press("ctrl+s")  # the teacher role is ticked by default
        await settle(app, pilot, 4)
        assert isinstance(app.screen, QuestionModal)
        shown = " ".join(" ".join(screen_lines(app)).replace("│", " ").split())
        assert "логин novikova.aa: временный пароль" in shown
        assert "Больше он показан не будет" in shown
        await pilot.press("enter")
        await settle(app, pilot, 3)
        with w.db.read() as s:
            new = s.exec(select(User).where(User.login == "novikova.aa")).one()
            assert (new.roles, new.must_change_password, new.active) == ("teacher", True, True)

        # The only administrator cannot switch themselves off: refused by core, shown.
        row = next(i for i, u in enumerate(screen.users) if u.login == "admin")
        screen.query_one("UsersTable").move_cursor(row=row)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.click("#answer-yes")
        await settle(app, pilot, 4)
        with w.db.read() as s:
            assert s.exec(select(User).where(User.login == "admin")).one().active

        # A dismissed teacher: access withdrawn, the account (and its history) stays.
        row = next(i for i, u in enumerate(screen.users) if u.login == "drugoy")
        screen.query_one("UsersTable").move_cursor(row=row)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.click("#answer-yes")
        await settle(app, pilot, 4)
        with w.db.read() as s:
            assert not s.exec(select(User).where(User.login == "drugoy")).one().active
        assert "отключён" in screen_text(app)

        # Roles: tick «Заместитель директора» for the new teacher.
        row = next(i for i, u in enumerate(screen.users) if u.login == "novikova.aa")
        screen.query_one("UsersTable").move_cursor(row=row)
        await pilot.press("o")
        await settle(app, pilot)
        app.screen.query_one(SelectionList).select("deputy")
        await pilot.press("ctrl+s")
        await settle(app, pilot, 4)
        with w.db.read() as s:
            roles = s.exec(select(User).where(User.login == "novikova.aa")).one().role_set()
            assert roles == {"teacher", "deputy"}


async def test_tab_in_the_user_form_goes_from_field_to_field_only() -> None:
    """Tab cycles login → name → roles → login: the form's body never takes the focus (a
    key typed in its turn was lost, and the next Tab selected a field's text to replace)."""
    from textual.app import App

    class FormApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(UserFormModal("Новый пользователь"))

    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        seen = []
        for _ in range(4):
            seen.append(app.focused.id if app.focused else None)
            await pilot.press("tab")
            await pilot.pause()
        assert seen == ["user-login", "user-name", "user-roles", "user-login"]
