"""«Сеанс заблокирован»: the idle lock over a signed-in session (shared school PCs).

| Key | Action |
| :- | :- |
| enter (password field, «Продолжить») | check the password and go back to the work |
| ctrl+l / «Выйти» | log out instead: a fresh login screen |
| tab / shift+tab | next / previous field |
| ctrl+q | quit (the app's key; unsaved text is kept as a draft) |
| f1 | the keys (the app's key) |

The app pushes this screen after the policy's idle minutes without a key or a
mouse event.  Its background is opaque, so nothing of the register underneath
(names, marks, topics) is painted while it is up, and as a modal screen it keeps
the keys of the screens underneath away.

Only the user who was signed in can continue: the password is checked with
``core.auth.authenticate`` for the same login in a thread worker, so the
lockout rules apply (wrong passwords count; a locked account says until when).
The lock and the unlock are not audit events of their own; the check is
recorded like any login (``login`` / ``login.failed``).  Text typed and not saved
on the screens underneath was kept as a draft when the lock came up; «Выйти»
keeps it (whoever sits at the PC is not proven to be the teacher) and the
teacher is offered it at the next login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from zhurnal.tui.errors import describe
from zhurnal.tui.screens.base import SignOut
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.auth import LoginResult
    from zhurnal.tui.context import Register


class LockScreen(SignOut, ModalScreen[bool]):
    """Covers the whole terminal until the same user types their password again.

    Dismissed with ``True`` when the password is accepted; «Выйти» asks the app to
    end the session (``SignOut.Requested``); the app goes back to the login screen.
    """

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
        Binding("ctrl+l", "logout", "Выйти из учётной записи", priority=True),
        Binding("f1", "app.help", "Справка", tooltip="Справка: клавиши этого экрана"),
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
    ]
    HELP_TITLE = "Сеанс заблокирован"

    class Unlocked(Message, bubble=False):
        def __init__(self, result: LoginResult) -> None:
            super().__init__()
            self.result = result

    class UnlockRefused(Message, bubble=False):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, actor: Actor, idle_minutes: int = 0) -> None:
        super().__init__()
        self.actor = actor
        self.idle_minutes = idle_minutes

    @property
    def register(self) -> Register:
        return cast("Register", self.app)

    def compose(self) -> ComposeResult:
        name = self.actor.full_name or self.actor.login
        after = f" после {self.idle_minutes} мин без действий" if self.idle_minutes else ""
        with (
            VerticalScroll(classes="form-screen"),
            Center(),
            Vertical(id="lock-form", classes="form"),
        ):
            yield Static("Сеанс заблокирован", classes="form-title")
            yield Static(
                Content(
                    f"Журнал скрыт{after}, чтобы никто не увидел данные учеников. "
                    f"Продолжить может только {name}: введите пароль. Набранный и "
                    "не сохранённый текст урока сохранён как черновик."
                ),
                id="lock-message",
                classes="form-hint",
            )
            yield Label("Пароль")
            yield Input(placeholder="пароль", password=True, id="password", compact=True)
            yield Button("Продолжить", id="unlock", variant="primary", compact=True)
            yield Button("Выйти (Ctrl+L)", id="logout", compact=True)
            yield Static("", id="lock-error", classes="form-error", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#password", Input))

    # --- unlock --------------------------------------------------------------

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#unlock")
    def _submit(self) -> None:
        form = self.query_one("#lock-form")
        if form.loading:
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

            db = self.register.database()
            result = authenticate(db, self.actor.login, password, now=self.register.fixed_now)
        except Exception as exc:  # noqa: BLE001 - every refusal is shown on the form
            self.post_message(self.UnlockRefused(describe(exc)))
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
        self.register.idle_lock_minutes = event.result.idle_lock_minutes
        self.dismiss(True)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#lock-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    # --- log out instead -----------------------------------------------------

    @on(Button.Pressed, "#logout")
    def action_logout(self) -> None:
        self.sign_out("idle")
