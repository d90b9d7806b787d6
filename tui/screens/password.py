"""«Смена пароля»: required after a temporary password, cannot be skipped.

| Key | Action |
| :- | :- |
| enter | next field; in «Повторите» (or on the button) — change the password |
| tab / shift+tab | next / previous field |
| escape | nothing: the change cannot be skipped |

Enter and Tab move the focus at once (priority bindings), as on the login screen.

The core checks the old password and the rules for the new one (length, not
the login, not a common password) and says what is wrong in Russian.
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
    from zhurnal.core.actor import Actor

MISMATCH = "Новый пароль и повтор не совпадают."


class ChangePasswordScreen(ZhurnalScreen):
    """The user replaces their temporary password before anything else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", "Следующее поле / сменить пароль", show=False, priority=True),
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("escape", "stay", show=False),
    ]
    HELP_TITLE = "Смена пароля"

    class PasswordChanged(Message):
        """The core accepted the new password; the app opens the timetable."""

    class ChangeRefused(Message, bubble=False):
        """The core refused: ``field`` is the input to correct."""

        def __init__(self, message: str, field: str) -> None:
            super().__init__()
            self.message = message
            self.field = field

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        with (
            VerticalScroll(classes="form-screen"),
            Center(),
            Vertical(id="password-form", classes="form"),
        ):
            yield Static("Смена пароля", classes="form-title")
            yield Static(
                "Вы вошли с временным паролем. Придумайте свой — лучше фразу из нескольких слов.",
                classes="form-hint",
                markup=False,
            )
            yield Label("Текущий пароль")
            yield Input(password=True, id="old", compact=True)
            yield Label("Новый пароль")
            yield Input(password=True, id="new", compact=True)
            yield Label("Повторите новый пароль")
            yield Input(password=True, id="repeat", compact=True)
            yield Button("Сменить пароль", id="submit", variant="primary", compact=True)
            yield Static("", id="password-error", classes="form-error", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#old", Input))

    def action_stay(self) -> None:
        """Escape: the change cannot be skipped."""

    def action_enter(self) -> None:
        following = {"old": "#new", "new": "#repeat"}
        focused = self.focused
        if isinstance(focused, Input) and focused.id in following:
            self.set_focus(self.query_one(following[focused.id], Input))
        else:
            self.after_pending_keys(list(self.query(Input)), self._submit)

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        if self.query_one("#password-form").loading:
            return  # already asking the core
        old = self.query_one("#old", Input).value
        new = self.query_one("#new", Input).value
        repeat = self.query_one("#repeat", Input).value
        if not old:
            self._refuse("Введите текущий (временный) пароль.", "#old")
            return
        if not new:
            self._refuse("Введите новый пароль.", "#new")
            return
        if new != repeat:
            self._refuse(MISMATCH, "#repeat")
            return
        self._show_error("")
        self.query_one("#password-form").loading = True
        self._change(old, new)

    @work(thread=True, exclusive=True, exit_on_error=False, group="password")
    def _change(self, old: str, new: str) -> None:
        from zhurnal.core.errors import AuthError

        try:
            from zhurnal.core.auth import change_password

            change_password(self.register.database(), self.actor, old, new)
        except Exception as exc:  # noqa: BLE001 - the core's refusal is shown on the form
            field = "#old" if isinstance(exc, AuthError) else "#new"
            self.post_message(self.ChangeRefused(self.describe_error(exc), field))
            return
        self.post_message(self.PasswordChanged())

    @on(ChangeRefused)
    def _refused(self, event: ChangePasswordScreen.ChangeRefused) -> None:
        self.query_one("#password-form").loading = False
        self._refuse(event.message, event.field)

    def _refuse(self, message: str, focus: str) -> None:
        self._show_error(message)
        field = self.query_one(focus, Input)
        if focus == "#new":
            self.query_one("#repeat", Input).value = ""
        field.value = ""
        self.set_focus(field)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#password-error", Static)
        error.update(Content(message))
        error.display = bool(message)
