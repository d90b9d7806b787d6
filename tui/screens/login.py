"""«Вход в электронный журнал»: login and password.

| Key | Action |
| :- | :- |
| enter (login field) | go to the password field (sign in if it is filled) |
| enter (password field, button) | sign in |
| tab / shift+tab | next / previous field |

Enter and Tab are priority bindings that move the focus at once: keys typed
ahead (bunched by SSH latency) land in the field the user meant, never the
password in the login field.

The module imports no database code: the screen paints while the app opens the
database in a worker.  Authentication runs in a thread worker; a refusal
(wrong password, locked until HH:MM, account switched off) is the core's
``AuthError.message``, shown under the form as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.auth import LoginResult


class LoginScreen(ZhurnalScreen):
    """The first screen of every session."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", "Перейти к паролю / войти", show=False, priority=True),
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
    ]
    HELP_TITLE = "Вход"

    class LoggedIn(Message):
        """The credentials were accepted; the app starts the session."""

        def __init__(self, result: LoginResult) -> None:
            super().__init__()
            self.result = result

    class LoginRefused(Message, bubble=False):
        """The core refused the credentials (or the database could not be opened)."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, login: str | None = None) -> None:
        super().__init__()
        self._login = login or ""

    def compose(self) -> ComposeResult:
        with (
            VerticalScroll(classes="form-screen"),
            Center(),
            Vertical(id="login-form", classes="form"),
        ):
            yield Static("Вход в электронный журнал", classes="form-title")
            yield Label("Логин")
            yield Input(self._login, placeholder="логин", id="login", compact=True)
            yield Label("Пароль")
            yield Input(placeholder="пароль", password=True, id="password", compact=True)
            yield Button("Войти", id="submit", variant="primary", compact=True)
            yield Static("", id="login-error", classes="form-error", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#password" if self._login else "#login", Input))

    def action_enter(self) -> None:
        login = self.query_one("#login", Input)
        password = self.query_one("#password", Input)
        if self.focused is login and not password.value:
            self.set_focus(password)  # at once: the next keys are the password
        else:
            self.after_pending_keys([login, password], self._submit)

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        if self.query_one("#login-form").loading:
            return  # already checking
        login = self.query_one("#login", Input).value.strip()
        password = self.query_one("#password", Input).value
        # A validation message never moves the focus: keys typed next (maybe a
        # password) must not land in the visible login field.
        if not login:
            self._show_error("Введите логин (Shift+Tab — к полю логина).")
            return
        if not password:
            self._show_error("Введите пароль.")
            return
        self._show_error("")
        self.query_one("#login-form").loading = True
        self._authenticate(login, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _authenticate(self, login: str, password: str) -> None:
        try:
            db = self.register.database()
            from zhurnal.core.auth import authenticate

            result = authenticate(db, login, password, now=self.register.fixed_now)
        except Exception as exc:  # noqa: BLE001 - every refusal is shown under the form
            self.post_message(self.LoginRefused(self.describe_error(exc)))
            return
        self.post_message(self.LoggedIn(result))

    @on(LoginRefused)
    def _refused(self, event: LoginScreen.LoginRefused) -> None:
        self.query_one("#login-form").loading = False
        self._show_error(event.message)
        password = self.query_one("#password", Input)
        password.value = ""
        self.set_focus(password)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#login-error", Static)
        error.update(Content(message))
        error.display = bool(message)
