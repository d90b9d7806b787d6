"""The register's Textual app: wires the screens, owns the database and the clock.

| Key | Action |
| :- | :- |
| f1 | the keys of the current screen |
| ctrl+q | quit |

Idle lock (DESIGN.md "Security", shared school PCs): every key, mouse or paste
event the app receives (also the keys typed into an input) restarts the idle
clock; every ``IDLE_CHECK_SECONDS`` :meth:`ZhurnalApp.idle_check` compares it
with the policy's ``idle_lock_minutes`` (0 = never) and pushes the
:class:`~tui.screens.lock.LockScreen` over whatever the user was doing.
``clock`` (monotonic seconds) is an attribute so that a test can move time.

Quiet on the wire (issue 7): teachers work over SSH, so the app sends the
terminal only what changed.  Text cursors do not blink (each blink repainted
the field), the loading indicator is a still «Загрузка…»
(:class:`~tui.widgets.loading.LoadingNote`), a screen covered by an opaque one
repaints nothing (see :attr:`ZhurnalApp._background_screens`), and the driver
sends only the cells that differ from what the terminal shows, with as few
style sequences as give the same picture (:mod:`tui.wire`).

Start-up is fast on purpose: this module and the login screen import no
database code, so the login form paints at once while a thread worker opens
the database (``Database.open`` upgrades the schema) and imports the core.
Workers call :meth:`ZhurnalApp.database`, which waits for that.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from datetime import date, datetime, time
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from zhurnal.tui.screens.base import SignOut
from zhurnal.tui.screens.lock import LockScreen
from zhurnal.tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.screen import Screen

    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

TEST_TIME_OF_DAY = time(10, 0)
"""With a fixed ``today`` (tests, demos) the clock stands at 10:00 of that day."""
IDLE_CHECK_SECONDS = 15.0
"""How often the idle clock is compared with the policy's idle minutes."""
BENCH_PAINTED_ENV = "ZHURNAL_BENCH_PAINTED"
"""bench/bench_startup.py: write the time the login form was painted there, then exit."""


class ZhurnalApp(App[None]):
    """The electronic class register."""

    CSS_PATH = "app.tcss"
    TITLE = "Электронный журнал"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Справка"),
        Binding("ctrl+q", "quit", "Выход", priority=True),
    ]

    class DatabaseFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(
        self,
        db_arg: str | None = None,
        login: str | None = None,
        *,
        database: Database | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__()
        self.db_arg = db_arg
        self.login_hint = login
        self._database = database
        self._owns_database = database is None
        self._db_error: BaseException | None = None
        self._db_ready = threading.Event()
        if database is not None:
            self._db_ready.set()
        self.fixed_now = datetime.combine(today, TEST_TIME_OF_DAY) if today else None
        self.actor: Actor | None = None
        self.clock: Callable[[], float] = monotonic
        """Seconds for the idle lock; a test replaces it to move time."""
        self.idle_lock_minutes = 0
        """The policy's idle minutes for the signed-in user (0: never lock)."""
        self._last_input = self.clock()

    # --- the terminal (quiet on the wire) -------------------------------------

    def get_driver_class(self) -> type[Driver]:
        from zhurnal.tui.wire import quiet_driver

        return quiet_driver(super().get_driver_class())

    def get_loading_widget(self) -> Widget:
        from zhurnal.tui.widgets.loading import LoadingNote

        return LoadingNote()

    @property
    def _background_screens(self) -> list[Screen[Any]]:
        """The screens that show through the top one: none when it is opaque.

        Textual counts the screen right under the top one as visible whatever the
        top one's background, and once it has been refreshed there, every message
        it handles (its poll timer, a worker's state) repaints the whole top
        screen: a full screen every 3 s under the grid.  Screens that do not show
        are laid out again when they are shown (``Screen._on_screen_resume``).
        """
        if self._screen_stack and self.screen.styles.background.a >= 1:
            return []
        return super()._background_screens

    @on(events.DescendantFocus)
    def _steady_cursor(self, event: events.DescendantFocus) -> None:
        """Text cursors do not blink: each blink repaints the field on the wire."""
        if getattr(event.widget, "cursor_blink", False):
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

    # --- clock ---------------------------------------------------------------

    def now(self) -> datetime:
        return self.fixed_now or datetime.now()

    def today(self) -> date:
        return self.now().date()

    # --- database ------------------------------------------------------------

    def on_mount(self) -> None:
        login = LoginScreen(self.login_hint)
        self.push_screen(login)
        if not self._db_ready.is_set():  # after the form is painted: no GIL contention
            login.call_after_refresh(self._open_database)
        self.set_interval(IDLE_CHECK_SECONDS, self.idle_check, name="idle-check")
        if painted := os.environ.get(BENCH_PAINTED_ENV):
            login.call_after_refresh(self._bench_painted, login, painted)

    def _bench_painted(self, login: LoginScreen, path: str) -> None:
        """After the login screen's first refresh with its form laid out: record, exit."""
        if not login.query("#password") or not login.query_one("#password").region.area:
            login.call_after_refresh(self._bench_painted, login, path)
            return
        from time import time as wall_clock

        with open(path, "w", encoding="ascii") as out:
            out.write(repr(wall_clock()))
        self.exit()

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def _open_database(self) -> None:
        try:
            from zhurnal.core.db import Database

            self._database = Database.open(self.db_arg)
            for module in ("zhurnal.core.auth", "zhurnal.core.services.queries"):
                importlib.import_module(module)  # warm the imports while the user types
        except Exception as exc:  # noqa: BLE001 - reported on screen
            self._db_error = exc
            self.post_message(self.DatabaseFailed(self._db_failure()))
        finally:
            self._db_ready.set()

    def database(self) -> Database:
        """The opened database; blocks until it is ready.  Call from workers only."""
        self._db_ready.wait()
        if self._db_error is not None or self._database is None:
            from zhurnal.core.errors import DomainError

            raise DomainError(self._db_failure())
        return self._database

    def _db_failure(self) -> str:
        exc = self._db_error
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return f"База данных не открылась: {reason}"

    @on(DatabaseFailed)
    def _database_failed(self, event: DatabaseFailed) -> None:
        self.notify(event.message, title="Ошибка", severity="error", timeout=30, markup=False)

    # --- the session ---------------------------------------------------------

    @on(LoginScreen.LoggedIn)
    def _logged_in(self, event: LoginScreen.LoggedIn) -> None:
        self.actor = event.result.actor
        self.idle_lock_minutes = event.result.idle_lock_minutes
        self._last_input = self.clock()
        if event.result.must_change_password:
            from zhurnal.tui.screens.password import ChangePasswordScreen

            self.switch_screen(ChangePasswordScreen(self.actor))
        else:
            self._show_timetable()

    def on_change_password_screen_password_changed(self) -> None:
        self.notify("Пароль изменён.", markup=False)
        self._show_timetable()

    def _show_timetable(self) -> None:
        assert self.actor is not None
        from zhurnal.tui.screens.timetable import TimetableScreen

        self.switch_screen(TimetableScreen(self.actor, self.today()))

    def on_sign_out_logged_out(self, event: SignOut.LoggedOut) -> None:
        """The timetable's logout key or the idle lock's «Выйти»: back to the login form."""
        self.actor = None
        self.idle_lock_minutes = 0
        while len(self.screen_stack) > 2:  # the lock (and what was under it) goes too
            self.pop_screen()
        self.switch_screen(LoginScreen(self.login_hint))
        if event.error:
            self.notify(event.error, title="Ошибка", severity="error", markup=False)

    # --- idle lock -----------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)) and not event.is_forwarded:
            self._last_input = self.clock()
        await super().on_event(event)

    def idle_check(self) -> None:
        """Lock the session if nobody has touched a key or the mouse for the idle time."""
        if self.actor is None or self.idle_lock_minutes <= 0:
            return
        if any(isinstance(screen, LockScreen) for screen in self.screen_stack):
            return
        if self.clock() - self._last_input >= self.idle_lock_minutes * 60:
            self.clear_notifications()  # a message may name a student
            self.push_screen(LockScreen(self.actor), self._unlocked)

    def _unlocked(self, unlocked: bool | None) -> None:
        self._last_input = self.clock()

    def close_session(self) -> None:
        """After the app has exited: record the logout and release the database."""
        if self._database is None:
            return
        try:
            if self.actor is not None:
                from zhurnal.core.auth import logout

                logout(self._database, self.actor)
        except Exception:  # noqa: BLE001, S110 - leaving must not fail on the audit row
            pass
        finally:
            self.actor = None
            if self._owns_database:
                self._database.dispose()

    # --- help ----------------------------------------------------------------

    def action_help(self) -> None:
        from zhurnal.tui.screens.help import HelpModal

        screen = self.screen
        if isinstance(screen, HelpModal):
            return
        ours = {
            binding.action
            for node in (screen, self)
            for cls in type(node).__mro__
            if cls.__module__.startswith("zhurnal.tui.")
            for binding in cls.__dict__.get("BINDINGS", [])
            if isinstance(binding, Binding)
        }
        by_action: dict[tuple[str, str], list[str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action not in ours:
                continue
            keys = by_action.setdefault((binding.action, binding.description), [])
            display = self.get_key_display(binding)
            if display not in keys:
                keys.append(display)
        lines = [(" / ".join(keys), description) for (_, description), keys in by_action.items()]
        extra: list[tuple[str, str]] = getattr(screen, "HELP_KEYS", [])
        title = getattr(screen, "HELP_TITLE", "") or self.TITLE
        self.push_screen(HelpModal(title, [*extra, *lines]))


def make_app(
    db_arg: str | None = None,
    login: str | None = None,
    *,
    database: Any = None,
    today: date | None = None,
) -> ZhurnalApp:
    """The app factory: production passes ``db_arg``; tests inject ``database``."""
    return ZhurnalApp(db_arg, login, database=database, today=today)


def run(db_arg: str | None, login: str | None) -> int:
    """``zhurnal [--db PATH] [--as LOGIN]``: run the register; 0 on a normal exit."""
    app = make_app(db_arg, login)
    app.run()
    app.close_session()
    return app.return_code or 0


__all__ = ["ZhurnalApp", "make_app", "run"]
