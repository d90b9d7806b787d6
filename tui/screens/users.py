"""«Пользователи»: the administrator issues and withdraws access [004 §4.2–4.3, §5].

| Key | Action |
| :- | :- |
| n | a new user: login, name, roles; the temporary password is shown once |
| o | the highlighted user's roles |
| r | reset the password (a new temporary one, shown once) |
| u | unlock after failed logins |
| d | withdraw access (dismissal) / give it back |
| escape | back |

Every decision — who may, the last administrator, a login never reused — is made by
:mod:`zhurnal.core.services.users`; a refusal is shown as it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.core.actor import ROLE_NAMES
from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from datetime import datetime

    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels import UserView
    from zhurnal.tui.widgets.user_form import UserForm


def state_text(u: UserView, now: datetime) -> str:
    if not u.active:
        return "отключён"
    if u.password_login(now):
        return u.password_login(now)
    if u.must_change_password:
        return "временный пароль"
    return "действует"


class UsersTable(DataTable[Text]):
    pass


class UsersScreen(ZhurnalScreen):
    """Every account of the school, with what the administrator may do to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Новый"),
        Binding("o", "roles", "Роли"),
        Binding("r", "reset", "Пароль"),
        Binding("u", "unlock", "Разблокировать", show=False),
        Binding("d", "toggle_active", "Отключить/включить", show=False),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Пользователи"

    class Loaded(Message, bubble=False):
        def __init__(self, users: list[UserView]) -> None:
            super().__init__()
            self.users = users

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.users: list[UserView] = []

    def compose(self) -> ComposeResult:
        yield Static("Пользователи", classes="screen-title")
        yield UsersTable(id="users", cursor_type="row", zebra_stripes=True)
        yield Static(
            "n — новый, o — роли, r — новый временный пароль, u — разблокировать, "
            "d — отключить (увольнение) или включить снова.",
            id="users-hint",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rest = max(16, self.size.width - 64)
        for header, width in (("Логин", 16), ("ФИО", rest), ("Роли", 20), ("Состояние", 16)):
            table.add_column(header, width=width)
        table.focus()
        self._reload()

    def _reload(self, _: object = None) -> None:
        self.query_one(DataTable).loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from zhurnal.core.services.users import list_users

        self.post_message(self.Loaded(list_users(self.register.database(), self.actor)))

    @on(Loaded)
    def _loaded(self, event: UsersScreen.Loaded) -> None:
        self.users = event.users
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        now = self.actor.now()
        for n, u in enumerate(self.users):
            roles = ", ".join(ROLE_NAMES.get(r, r) for r in u.roles)
            table.add_row(
                Text(u.login),
                Text(u.full_name, no_wrap=True, overflow="ellipsis"),
                Text(roles, no_wrap=True, overflow="ellipsis"),
                Text(state_text(u, now), style="" if u.active else "dim"),
                key=str(n),
            )
        table.loading = False
        if self.users:
            table.move_cursor(row=max(0, min(row, len(self.users) - 1)))

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    def _current(self) -> UserView | None:
        table = self.query_one(DataTable)
        if not self.users or table.cursor_row < 0:
            return None
        return self.users[min(table.cursor_row, len(self.users) - 1)]

    # --- actions: each a service call in a worker ----------------------------------

    @work(thread=True, exit_on_error=False, group="write")
    def _run(self, call: Callable[[Database], str | None]) -> None:
        try:
            shown = call(self.register.database())
        except Exception as error:  # noqa: BLE001 - the refusal is shown as given
            self.app.call_from_thread(show_refusal, self, describe(error))
        else:
            if shown:
                self.app.call_from_thread(self._show_password, shown)
        self.app.call_from_thread(self._reload)

    def _show_password(self, text: str) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        self.app.push_screen(QuestionModal(text, [("ok", "Записал(а)")], title="Временный пароль"))

    def action_new(self) -> None:
        from zhurnal.tui.widgets.user_form import UserFormModal

        def done(form: UserForm | None) -> None:
            if form is None:
                return
            actor = self.actor

            def call(db: Database) -> str:
                from zhurnal.core.services.users import create_user

                view, password = create_user(
                    db, actor, form.login, form.full_name, list(form.roles)
                )
                return (
                    f"{view.full_name}, логин {view.login}: временный пароль {password}\n"
                    "Передайте его лично; при первом входе его нужно сменить. "
                    "Больше он показан не будет."
                )

            self._run(call)

        self.app.push_screen(UserFormModal("Новый пользователь"), done)

    def action_roles(self) -> None:
        user = self._current()
        if user is None:
            return
        from zhurnal.tui.widgets.user_form import UserFormModal

        def done(form: UserForm | None) -> None:
            if form is None:
                return
            actor, user_id, version = self.actor, user.id, user.version

            def call(db: Database) -> None:
                from zhurnal.core.services.users import set_roles

                set_roles(db, actor, user_id, list(form.roles), expected_version=version)

            self._run(call)

        self.app.push_screen(
            UserFormModal(
                f"Роли: {user.full_name}",
                login=user.login,
                full_name=user.full_name,
                roles=user.roles,
                roles_only=True,
            ),
            done,
        )

    def action_reset(self) -> None:
        user = self._current()
        if user is None:
            return
        actor, user_id, version = self.actor, user.id, user.version

        def call(db: Database) -> str:
            from zhurnal.core.services.users import reset_password

            password = reset_password(db, actor, user_id, expected_version=version)
            return (
                f"{user.full_name}, логин {user.login}: новый временный пароль {password}\n"
                "Прежний пароль больше не действует; при входе новый нужно сменить."
            )

        self._confirm(f"Выдать {user.full_name} новый временный пароль?", "Выдать", call)

    def action_unlock(self) -> None:
        user = self._current()
        if user is None:
            return
        actor, user_id, version = self.actor, user.id, user.version

        def call(db: Database) -> None:
            from zhurnal.core.services.users import unlock

            unlock(db, actor, user_id, expected_version=version)

        self._run(call)

    def action_toggle_active(self) -> None:
        user = self._current()
        if user is None:
            return
        actor, user_id, version, active = self.actor, user.id, user.version, not user.active

        def call(db: Database) -> None:
            from zhurnal.core.services.users import set_active

            set_active(db, actor, user_id, active, expected_version=version)

        question = (
            f"Включить доступ {user.full_name} снова?"
            if active
            else f"Отключить доступ {user.full_name}? История останется, логин не будет "
            "выдан другому [004 §4.3]."
        )
        self._confirm(question, "Включить" if active else "Отключить", call)

    def _confirm(self, question: str, yes: str, call: Callable[[Database], str | None]) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._run(call)

        self.app.push_screen(
            QuestionModal(question, [("yes", yes), ("no", "Отмена")], title="Пользователи"),
            answered,
        )

    def action_back(self) -> None:
        self.dismiss()
