"""What every screen of the register shares.

- :attr:`ZhurnalScreen.register`: the app as the small :class:`~zhurnal.tui.context.Register`
  interface (screens never import ``tui.app``).
- Worker errors: a worker's exception that the screen did not turn into a message
  itself is shown by :func:`zhurnal.tui.errors.show_error` — never an exit.
- Unsaved work: a screen holding typed text that is not in the register says so
  in :meth:`ZhurnalScreen.unsaved` and can :meth:`~ZhurnalScreen.save_for_exit`,
  :meth:`~ZhurnalScreen.keep_draft` or :meth:`~ZhurnalScreen.discard_unsaved`; the
  app asks these before every way out (Ctrl+Q, logout, the idle lock, a dropped
  connection), so nothing typed is lost without the user's word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from zhurnal.tui.errors import describe, show_error

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.tui.context import Register


class SignOut:
    """Mixin for the screens that end the session (timetable, idle lock).

    ``sign_out(how)`` asks the app to end the session: the app first settles any
    unsaved work (asks, or keeps a draft), records the logout in a worker, then
    shows a fresh login screen.
    """

    actor: Actor

    class Requested(Message):
        """The user asked to end the session (``how``: "logout", "idle" — from the lock)."""

        def __init__(self, how: str) -> None:
            super().__init__()
            self.how = how

    def sign_out(self, how: str = "logout") -> None:
        self.post_message(self.Requested(how))  # type: ignore[attr-defined]


class ZhurnalScreen(Screen[None]):
    """A screen whose failed workers become an error notification, never an exit."""

    HELP_TITLE = ""

    @property
    def register(self) -> Register:
        return cast("Register", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker, event.worker.error)

    def worker_failed(self, worker: Worker[object], error: BaseException) -> None:
        show_error(self, error)

    def describe_error(self, error: BaseException) -> str:
        """The Russian text for an error (logged when unexpected), to show in place."""
        return describe(error)

    # --- unsaved work (see the module docstring) ------------------------------------

    def unsaved(self) -> str | None:
        """What typed text is not in the register yet (None: nothing)."""
        return None

    def save_for_exit(self, answer: Callable[[bool], None]) -> None:
        """Write the unsaved text to the register; ``answer(True)`` once it is stored."""
        answer(True)

    def keep_draft(self, wait: bool = False) -> None:
        """Keep the unsaved text as a draft now (the lock, a hangup); ``wait``: in this
        thread, before the process ends (a hangup), else in a worker."""

    def discard_unsaved(self) -> None:
        """The user chose to leave without saving: forget the text and its draft."""

    def write_refusals(self) -> int:
        """How many writes queued by this screen the core has refused so far."""
        return 0

    def wait_writes(self, timeout: float) -> bool:
        """Block until the writes queued by this screen are answered (exit path)."""
        return True

    # --- typing ahead ------------------------------------------------------------------

    def after_pending_keys(self, widgets: Sequence[Widget], callback: Callable[[], None]) -> None:
        """Run ``callback`` once each widget has handled the keys already queued for it
        (:func:`zhurnal.tui.widgets.form.after_pending_keys`)."""
        from zhurnal.tui.widgets.form import after_pending_keys

        after_pending_keys(widgets, callback)
