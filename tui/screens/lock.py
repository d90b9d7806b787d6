"""«Сеанс заблокирован»: the idle lock over a signed-in session (shared school PCs).

| Key | Action |
| :- | :- |
| enter (password field, «Продолжить») | check the password and go back to the work |
| ctrl+l / «Выйти» | log out instead: a fresh login screen |
| tab / shift+tab | next / previous field |
| ctrl+q | quit (the app's key; the session is logged out) |

The app pushes this screen after the policy's idle minutes without a key or a
mouse event.  Its background is opaque, so nothing of the register underneath
(names, marks, topics) is painted while it is up, and as a modal screen it keeps
the keys of the screens underneath away.

Only the user who was signed in can continue: the password is checked with
``core.auth.authenticate`` for the same login in a thread worker, so the
lockout rules apply (wrong passwords count; a locked account says until when).
The lock and the unlock are not audit events of their own; the check is
recorded like any login (``login`` / ``login.failed``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from zhurnal.tui.i18n import error_text
from zhurnal.tui.screens.base import SignOut

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.auth import LoginResult
    from zhurnal.tui.app import ZhurnalApp


class LockScreen(SignOut, ModalScreen[bool]):
    """Covers the whole terminal until the same user types their password again.

    Dismissed with ``True`` when the password is accepted; «Выйти» posts
    ``SignOut.LoggedOut`` and the app goes back to the login screen.
    """

    LOGOUT_HOW = "idle"

    # The background must stay opaque (also with an ANSI theme, where a
    # ModalScreen is transparent by default): it is what hides the register.
    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
        background: $background;
        &:ansi {
            background: ansi_default;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "logout", "Выйти", priority=True),
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]

    class Unlocked(Message, bubble=False):
        def __init__(self, result: LoginResult) -> None:
            super().__init__()
            self.result = result

    class UnlockRefused(Message, bubble=False):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    @property
    def zapp(self) -> ZhurnalApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        name = self.actor.full_name or self.actor.login
        with Center(), Vertical(id="lock-form", classes="form"):
            yield Static(
                Content(f"Сеанс заблокирован: {name}. Введите пароль"),
                id="lock-message",
                classes="form-title",
            )
            yield Label("Пароль")
            yield Input(placeholder="пароль", password=True, id="password")
            yield Button("Продолжить", id="unlock", variant="primary")
            yield Button("Выйти (Ctrl+L)", id="logout")
            yield Static("", id="lock-error", classes="form-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#password", Input))

    # --- unlock --------------------------------------------------------------

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#unlock")
    def _submit(self) -> None:
        form = self.query_one("#lock-form")
        if form.loading or self._logging_out:
            return
        password = self.query_one("#password", Input).value
        if not password:
            self._show_error("Введите пароль.")
            self.set_focus(self.query_one("#password", Input))
            return
        self._show_error("")
        form.loading = True
        self._check(password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _check(self, password: str) -> None:
        try:
            from zhurnal.core.auth import authenticate

            db = self.zapp.database()
            result = authenticate(db, self.actor.login, password, now=self.zapp.fixed_now)
        except Exception as exc:  # noqa: BLE001 - every refusal is shown on the form
            self.post_message(self.UnlockRefused(error_text(exc)))
            return
        self.post_message(self.Unlocked(result))

    @on(UnlockRefused)
    def _refused(self, event: LockScreen.UnlockRefused) -> None:
        self.query_one("#lock-form").loading = False
        self._show_error(event.message)
        password = self.query_one("#password", Input)
        password.value = ""
        self.set_focus(password)

    @on(Unlocked)
    def _unlocked(self, event: LockScreen.Unlocked) -> None:
        self.zapp.idle_lock_minutes = event.result.idle_lock_minutes
        self.dismiss(True)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#lock-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    # --- log out instead -----------------------------------------------------

    @on(Button.Pressed, "#logout")
    def action_logout(self) -> None:
        self.sign_out()
