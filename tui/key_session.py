"""The register opened already signed in, for a teacher who came in with their SSH key.

``zhurnal ssh-session LOGIN`` (the forced command of the key's ``authorized_keys`` line)
proves the user with ``core.services.ssh_keys.authenticate_key`` before the terminal is
taken, then runs :class:`KeySessionApp`: no login form, the user's home screen at once.

The key session is the key's owner's only: logging out (``l``, or «Выйти» / Ctrl+L on the
idle lock) ends the program and so the SSH connection — there is no login form in which
someone else could sign in.  The idle lock asks for the user's password as in any session;
a key user who has no password of their own leaves with Ctrl+L (what was typed is kept as
a draft) and connects again with the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhurnal.tui.app import IDLE_CHECK_SECONDS, ZhurnalApp
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from datetime import date

    from textual.app import ComposeResult

    from zhurnal.core.auth import LoginResult
    from zhurnal.core.db import Database


class OpeningScreen(ZhurnalScreen):
    """What shows for the moment the home screen takes to load."""

    def compose(self) -> ComposeResult:
        from zhurnal.tui.widgets.loading import LoadingNote

        yield LoadingNote()


class KeySessionApp(ZhurnalApp):
    """The register signed in as ``result.actor``; signing out ends the program."""

    def __init__(self, database: Database, result: LoginResult, today: date | None = None):
        super().__init__(None, result.actor.login, database=database, today=today)
        self._result = result

    def on_mount(self) -> None:
        self.push_screen(OpeningScreen())
        self.set_interval(IDLE_CHECK_SECONDS, self.idle_check, name="idle-check")
        if self.handle_hangup:
            self._install_hangup_handler()
        self._logged_in(LoginScreen.LoggedIn(self._result))

    def _signed_out(self) -> None:
        self._quit()  # the logout is recorded at exit with how the session ended


def run_signed_in(database: Database, result: LoginResult, today: date | None = None) -> int:
    """Run the register for the user of ``result``; 0 on a normal exit."""
    from zhurnal.tui.errors import configure_logging

    configure_logging()
    app = KeySessionApp(database, result, today)
    app.handle_hangup = True
    app.run()
    app.close_session()
    return app.return_code or 0


__all__ = ["KeySessionApp", "run_signed_in"]
