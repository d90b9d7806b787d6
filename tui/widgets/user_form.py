"""«Новый пользователь» / «Роли»: a login, a full name and the roles, as the
administrator types them [004 §4.2]; the service validates and decides.

| Key | Action |
| :- | :- |
| tab | next field |
| space | tick a role |
| ctrl+s | done |
| escape | cancel |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static

from zhurnal.core.actor import ROLE_NAMES, STAFF_ROLES
from zhurnal.tui.widgets.form import FORM_KEYS, FormBody, after_pending_keys


@dataclass(frozen=True)
class UserForm:
    login: str
    full_name: str
    roles: tuple[str, ...]


class UserFormModal(ModalScreen[UserForm | None]):
    """A new user (login, name, roles) or, with ``roles_only``, the roles of one."""

    HELP_TITLE = "Пользователь"
    BINDINGS: ClassVar[list[BindingType]] = list(FORM_KEYS)
    DEFAULT_CSS = """
    UserFormModal { align: center middle; }
    UserFormModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    UserFormModal SelectionList { height: auto; max-height: 7; }
    """

    def __init__(
        self,
        title: str,
        *,
        login: str = "",
        full_name: str = "",
        roles: tuple[str, ...] = ("teacher",),
        roles_only: bool = False,
    ) -> None:
        super().__init__()
        self.title_text, self.login, self.full_name = title, login, full_name
        self.roles, self.roles_only = roles, roles_only

    def compose(self) -> ComposeResult:
        with FormBody():
            yield Static(Content(self.title_text), classes="form-title")
            if not self.roles_only:
                yield Static("Логин (латиница, цифры, точка):", classes="form-hint")
                yield Input(
                    self.login, id="user-login", placeholder="например, ivanova.mi", compact=True
                )
                yield Static("Фамилия Имя Отчество:", classes="form-hint")
                yield Input(self.full_name, id="user-name", compact=True)
            yield Static("Роли (пробел — отметить):", classes="form-hint")
            yield SelectionList[str](
                *[(ROLE_NAMES[r], r, r in self.roles) for r in STAFF_ROLES],
                id="user-roles",
                compact=True,
            )
            yield Static("Ctrl+S — готово, Tab — следующее поле, Esc — отмена", classes="form-hint")

    def on_mount(self) -> None:
        first = "#user-roles" if self.roles_only else "#user-login"
        self.query_one(first).focus()

    def action_done(self) -> None:
        after_pending_keys([*self.query(Input), self.query_one(SelectionList)], self._done)

    def _done(self) -> None:
        """The form as typed, with the keys typed ahead of Ctrl+S in it."""
        roles = tuple(self.query_one("#user-roles", SelectionList).selected)
        if self.roles_only:
            self.dismiss(UserForm(self.login, self.full_name, roles))
            return
        self.dismiss(
            UserForm(
                self.query_one("#user-login", Input).value.strip(),
                self.query_one("#user-name", Input).value.strip(),
                roles,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
