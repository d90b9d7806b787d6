"""The baseline of bench/bench_startup.py: a bare Textual app with the login form.

The same widgets in the same layout as ``tui.screens.login.LoginScreen`` (a
centred bordered form: title, two labels, login and password inputs, a button,
a hidden error line; the Footer) and the same start-up hook: with
``ZHURNAL_BENCH_PAINTED=PATH`` it writes ``time.time()`` to PATH after the first
refresh in which the form is laid out, then exits.  Nothing else: no database,
no worker, no bindings of our own — what any Textual app pays to show this form.

    python bench/bare_app.py
"""

from __future__ import annotations

import os

from textual.app import App, ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

PAINTED_ENV = "ZHURNAL_BENCH_PAINTED"


class BareLoginScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-form", classes="form"):
            yield Static("Вход в электронный журнал", classes="form-title")
            yield Label("Логин")
            yield Input(placeholder="логин", id="login")
            yield Label("Пароль")
            yield Input(placeholder="пароль", password=True, id="password")
            yield Button("Войти", id="submit", variant="primary")
            yield Static("", id="login-error", classes="form-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#login", Input))


class BareApp(App[None]):
    TITLE = "Электронный журнал"
    CSS = """
    BareLoginScreen { align: center middle; }
    .form { width: 60; height: auto; border: round $primary; padding: 0 2 1 2; }
    .form .form-title {
        width: 100%; content-align: center middle; margin: 1 0;
        text-style: bold; color: $accent;
    }
    .form Button { margin-top: 1; width: 100%; }
    .form-error { display: none; color: $error; text-style: bold; margin-top: 1; height: auto; }
    """

    def on_mount(self) -> None:
        login = BareLoginScreen()
        self.push_screen(login)
        if painted := os.environ.get(PAINTED_ENV):
            login.call_after_refresh(self._painted, login, painted)

    def _painted(self, login: BareLoginScreen, path: str) -> None:
        if not login.query("#password") or not login.query_one("#password").region.area:
            login.call_after_refresh(self._painted, login, path)
            return
        from time import time as wall_clock

        with open(path, "w", encoding="ascii") as out:
            out.write(repr(wall_clock()))
        self.exit()


if __name__ == "__main__":
    BareApp().run()
