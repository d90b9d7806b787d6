"""What every screen of the register shares: the worker-error handler and help lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from zhurnal.tui.i18n import error_text

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.tui.app import ZhurnalApp


class SignOut:
    """Mixin for the screens that end the session (timetable, idle lock).

    ``sign_out()`` records the logout in a worker, then posts ``SignOut.LoggedOut``;
    the app shows a fresh login screen.
    """

    actor: Actor
    _logging_out = False
    LOGOUT_HOW = "logout"
    """How the session ends, for the audit event (``core.auth.LOGOUT_HOW``)."""

    class LoggedOut(Message):
        """The session ended (``error``: the logout could not be recorded)."""

        def __init__(self, error: str | None = None) -> None:
            super().__init__()
            self.error = error

    def sign_out(self) -> None:
        if self._logging_out:
            return
        self._logging_out = True
        self._record_logout()

    @work(thread=True, exclusive=True, exit_on_error=False, group="logout")
    def _record_logout(self) -> None:
        try:
            from zhurnal.core.auth import logout

            logout(self.app.database(), self.actor, self.LOGOUT_HOW)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - the session ends anyway
            self.post_message(self.LoggedOut(error_text(exc)))  # type: ignore[attr-defined]
            return
        self.post_message(self.LoggedOut())  # type: ignore[attr-defined]


class ZhurnalScreen(Screen[None]):
    """A screen whose failed workers become an error notification, never an exit.

    Workers are started with ``exit_on_error=False``; an exception a worker did not
    turn into a message itself (an unexpected one) arrives here.
    """

    HELP_TITLE = ""
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = []
    """Extra lines for the F1 help: keys handled by widgets rather than bindings."""

    @property
    def zapp(self) -> ZhurnalApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker, event.worker.error)

    def worker_failed(self, worker: Worker[object], error: BaseException) -> None:
        self.notify(error_text(error), title="Ошибка", severity="error", markup=False)

    def after_pending_keys(self, widgets: Sequence[Widget], callback: Callable[[], None]) -> None:
        """Run ``callback`` once each widget has handled the keys already queued for it.

        A priority binding (Enter on a form) runs before the focused Input has
        processed the characters typed just before it; reading ``Input.value``
        at once would miss them when SSH delivers keys in a burst.
        """
        pending = list(widgets)

        def step() -> None:
            if pending:
                pending.pop(0).call_later(step)
            else:
                callback()

        step()
