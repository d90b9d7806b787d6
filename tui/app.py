"""The register's Textual app: wires the screens, owns the database, the clock and the exits.

| Key | Action |
| :- | :- |
| f1 | the keys of the current screen |
| ctrl+q | quit (asks first if typed text is not saved) |

The app implements :class:`~zhurnal.tui.context.Register`, the small interface the
screens use; no screen imports this module.

Ways out (issue 7, "nothing typed is lost"): :class:`~zhurnal.tui.leaving.WaysOut`,
the app's base — every way out saves or asks, or keeps a draft where nobody can be
asked, and each end of a session is audited with how it ended.

Idle lock (DESIGN.md "Security", shared school PCs): every key, mouse or paste
event restarts the idle clock; every ``IDLE_CHECK_SECONDS`` :meth:`idle_check`
compares it with the policy's ``idle_lock_minutes`` (0 = never) and pushes the
lock screen.  ``clock`` (monotonic seconds) is an attribute so a test can move time.

Quiet on the wire (issue 7): teachers work over SSH, so the app sends the
terminal only what changed.  Text cursors do not blink (each blink repainted
the field), the loading indicator is a still «Загрузка…»
(:class:`~tui.widgets.loading.LoadingNote`), a screen covered by an opaque one
repaints nothing (see :attr:`ZhurnalApp._background_screens`), and the driver
sends only the cells that differ from what the terminal shows, with as few
style sequences as give the same picture (:mod:`tui.wire`).

Start-up is fast on purpose: this module and the login screen import no
database code, so the login form paints at once while a thread worker opens
the database and imports the core.  Workers call :meth:`database`, which waits.
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
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from zhurnal.core.clock import DEFAULT_ZONE, school_now
from zhurnal.tui.errors import describe, log, show_error
from zhurnal.tui.leaving import WaysOut
from zhurnal.tui.screens.base import SignOut
from zhurnal.tui.screens.lock import LockScreen
from zhurnal.tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.screen import Screen

    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels import ProfileView

TEST_TIME_OF_DAY = time(10, 0)
"""With a fixed ``today`` (tests, demos) the clock stands at 10:00 of that day."""
IDLE_CHECK_SECONDS = 15.0
"""How often the idle clock is compared with the policy's idle minutes."""
POLL_SECONDS = 3.0
"""How often screens look for other sessions' changes."""
BENCH_PAINTED_ENV = "ZHURNAL_BENCH_PAINTED"
"""bench/bench_startup.py: write the time the login form was painted there, then exit."""


class ZhurnalApp(WaysOut):
    """The electronic class register."""

    CSS_PATH = "app.tcss"
    TITLE = "Электронный журнал"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: F1 works on every screen, also over the modal ones (the idle lock).
        Binding(
            "f1",
            "help",
            "Справка",
            priority=True,
            tooltip="Справка: клавиши этого экрана (F1 ещё раз — закрыть)",
        ),
        Binding("ctrl+q", "quit", "Выход", priority=True, tooltip="Выход из программы"),
        Binding(
            "ctrl+r",
            "redraw",
            "Перерисовать",
            show=False,
            priority=True,
            tooltip="Перерисовать экран (если на нём появилось что-то чужое)",
        ),
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
        self.school_zone = DEFAULT_ZONE
        """The school's time zone, from its policy at the login (``Actor.zone``)."""
        self.clock: Callable[[], float] = monotonic
        """Seconds for the idle lock; a test replaces it to move time."""
        self.idle_lock_minutes = 0
        """The policy's idle minutes for the signed-in user (0: never lock)."""
        self.poll_seconds = POLL_SECONDS
        self._last_input = self.clock()
        self._leaving = False
        self._asking = False
        self._leave_how = "quit"
        self.handle_hangup = False
        """Set by :func:`run`: a SIGHUP (dropped connection) keeps drafts and ends cleanly."""
        self.ended_how = "quit"
        """How the session ended, for the audit row written at exit."""

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
        """The school's wall clock (``core.clock``), in the zone of the last login's school."""
        return self.fixed_now or school_now(self.school_zone)

    def today(self) -> date:
        return self.now().date()

    # --- database ------------------------------------------------------------

    def on_mount(self) -> None:
        login = LoginScreen(self.login_hint)
        self.push_screen(login)
        if not self._db_ready.is_set():  # after the form is painted: no GIL contention
            login.call_after_refresh(self._open_database)
        self.set_interval(IDLE_CHECK_SECONDS, self.idle_check, name="idle-check")
        if self.handle_hangup:
            self._install_hangup_handler()
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
            from zhurnal.core.setup import open_register

            self._database = open_register(self.db_arg)
            for module in ("zhurnal.core.auth", "zhurnal.core.readmodels"):
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
        self.school_zone = self.actor.zone
        self.idle_lock_minutes = event.result.idle_lock_minutes
        self._last_input = self.clock()
        self.ended_how = "quit"
        if event.result.must_change_password:
            from zhurnal.tui.screens.password import ChangePasswordScreen

            self.switch_screen(ChangePasswordScreen(self.actor))
        else:
            self._show_timetable()

    def on_change_password_screen_password_changed(self) -> None:
        self.notify("Пароль изменён.", markup=False)
        self._show_timetable()

    def _show_timetable(self) -> None:
        """The user's home: the control screen (deputy, director), the class (a class
        teacher with no lessons), else the timetable — as core's profile says."""
        assert self.actor is not None
        self._open_home(self.actor)

    @work(thread=True, exit_on_error=False, group="home")
    def _open_home(self, actor: Actor) -> None:
        from zhurnal.core.readmodels import my_profile

        profile: ProfileView | None = None
        try:
            profile = my_profile(self.database(), actor)
        except Exception as error:  # noqa: BLE001 - shown; the timetable is a safe landing
            self.call_from_thread(show_error, self, error)
        home = profile.home if profile is not None else "timetable"
        self.call_from_thread(self._land, actor, home, profile)

    def _land(self, actor: Actor, home: str, profile: ProfileView | None) -> None:
        if self.actor is not actor:
            return  # signed out meanwhile
        if home == "control":
            from zhurnal.tui.screens.control import ControlScreen

            self.switch_screen(ControlScreen(actor, landing=True))
        elif home == "admin":
            from zhurnal.tui.screens.admin import AdminScreen

            self.switch_screen(AdminScreen(actor, landing=True))
        elif home == "class" and profile is not None:
            from zhurnal.tui.screens.class_home import ClassScreen

            title = profile.classes_led[0]
            self.switch_screen(ClassScreen(actor, profile.led_class_ids[0], title, landing=True))
        else:
            from zhurnal.tui.screens.timetable import TimetableScreen

            self.switch_screen(TimetableScreen(self.actor or actor, self.today()))

    @on(SignOut.Requested)
    def _sign_out_requested(self, event: SignOut.Requested) -> None:
        self.leave(event.how, self._signed_out)

    def _signed_out(self) -> None:
        actor, self.actor = self.actor, None
        self.idle_lock_minutes = 0
        while len(self.screen_stack) > 2:  # the lock (and what was under it) goes too
            self.pop_screen()
        self.switch_screen(LoginScreen(self.login_hint))
        if actor is not None:
            self._record_logout(actor, self._leave_how)

    @work(thread=True, exit_on_error=False, group="logout")
    def _record_logout(self, actor: Actor, how: str) -> None:
        from zhurnal.core.auth import logout

        try:
            logout(self.database(), actor, how=how)
        except Exception as exc:  # noqa: BLE001 - the session has ended anyway
            self.call_later(
                self.notify, describe(exc), title="Выход не записан", severity="error", markup=False
            )

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
            for screen in self._register_screens():
                if screen.unsaved():
                    screen.keep_draft()
            self.clear_notifications()  # a message may name a student
            self.push_screen(LockScreen(self.actor, self.idle_lock_minutes), self._unlocked)

    def _unlocked(self, unlocked: bool | None) -> None:
        self._last_input = self.clock()

    def close_session(self) -> None:
        """After the app has exited: record how the session ended, release the database."""
        if self._database is None:
            return
        try:
            if self.actor is not None:
                from zhurnal.core.auth import logout

                logout(self._database, self.actor, how=self.ended_how)
        except Exception:  # noqa: BLE001 - leaving must not fail on the audit row
            log.exception("logout not recorded")
        finally:
            self.actor = None
            if self._owns_database:
                self._database.dispose()

    # --- the terminal ----------------------------------------------------------

    def action_redraw(self) -> None:
        """Ctrl+R: paint the whole screen again.

        The driver sends only the cells that changed (``tui/wire.py``); if something
        else wrote to the terminal (a ``wall`` message, a line noise), this repaints
        every cell, as the traditional redraw key of terminal programs does.
        """
        mirror = getattr(self._driver, "_mirror", None)
        if mirror is not None:
            mirror.forget()
        screen = self.screen
        self._display(screen, screen._compositor.render_full_update())

    # --- help ----------------------------------------------------------------

    def action_help(self) -> None:
        from zhurnal.tui.screens.help import HelpModal, help_lines

        screen = self.screen
        if isinstance(screen, HelpModal):
            screen.dismiss()
            return
        title = getattr(screen, "HELP_TITLE", "") or self.TITLE
        self.push_screen(HelpModal(title, help_lines(screen)))


def make_app(
    db_arg: str | None = None,
    login: str | None = None,
    *,
    database: Any = None,
    today: date | None = None,
) -> ZhurnalApp:
    """The app factory: production passes ``db_arg``; tests inject ``database``."""
    return ZhurnalApp(db_arg, login, database=database, today=today)


def run(db_arg: str | None, login: str | None, *, today: date | None = None) -> int:
    """``zhurnal [--db PATH] [--as LOGIN]``: run the register; 0 on a normal exit.

    ``today`` fixes the date (the fault tests run a real process on a fixed school day).
    """
    from zhurnal.tui.errors import configure_logging

    configure_logging()
    app = make_app(db_arg, login, today=today)
    app.handle_hangup = True
    app.run()
    app.close_session()
    return app.return_code or 0


__all__ = ["ZhurnalApp", "make_app", "run"]
