"""What every screen of the register shares: the worker-error handler and help lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.i18n import error_text

if TYPE_CHECKING:
    from tui.app import ZhurnalApp


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
