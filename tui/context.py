"""What a screen needs from the app — a small interface, so no screen imports ``tui.app``.

The app (:class:`zhurnal.tui.app.ZhurnalApp`) implements :class:`Register`;
screens reach it through :attr:`zhurnal.tui.screens.base.ZhurnalScreen.register`.
Tests may hand a screen any object with these members.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database


class Register(Protocol):
    """The signed-in session as the screens see it."""

    actor: Actor | None
    fixed_now: datetime | None
    """A fixed «now» (tests, demos); None: the real clock."""
    idle_lock_minutes: int
    poll_seconds: float
    """How often screens look for other sessions' changes (tests make it tiny or call
    :meth:`~zhurnal.tui.sync.ChangeWatcher.check` themselves)."""

    def database(self) -> Database:
        """The opened database; blocks until it is ready.  Call from workers only."""
        ...

    def now(self) -> datetime: ...

    def today(self) -> date: ...


__all__ = ["Register"]
