"""The ways out of a session, written once (issue 7, "nothing typed is lost").

Ctrl+Q, the logout key, «Выйти» on the idle lock and a dropped connection (SIGHUP)
all go through :meth:`WaysOut.leave`: keys typed just before reach their field and
their screen first; a screen with unsaved text saves it or the user is asked (save,
leave without saving, stay); writes still queued are finished, and if one of them is
refused the exit stops so the refusal is seen.  Where nobody can be asked — the lock
(whoever sits at the PC is not proven to be the teacher) and a dropped connection —
the text is kept as a draft, offered back at the next login.  The app records how
the session ended.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from functools import partial

from textual import work
from textual.app import App

from zhurnal.tui.errors import log
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.screens.lock import LockScreen

EXIT_WRITES_TIMEOUT = 10.0
"""Seconds the exit waits for marks still being written."""
LEAVE_ANSWERS = [("save", "Сохранить и выйти"), ("discard", "Не сохранять"), ("stay", "Остаться")]


class WaysOut(App[None]):
    """The app's ways out (see the module docstring); ``ZhurnalApp`` is built on it."""

    _leaving = False
    _asking = False
    _leave_how = "quit"
    ended_how = "quit"
    """How the session ended, for the audit row written at exit."""

    def close_session(self) -> None:
        raise NotImplementedError

    def _register_screens(self) -> list[ZhurnalScreen]:
        return [s for s in reversed(self.screen_stack) if isinstance(s, ZhurnalScreen)]

    def leave(self, how: str, then: Callable[[], None]) -> None:
        """Settle unsaved work, finish queued writes, then ``then()`` (see the docstring).

        ``how`` (recorded with the logout): "quit", "logout", "idle" (from the idle
        lock), "hangup".  Keys typed before the way out (an SSH burst: text, then
        Ctrl+Q) reach their field first: Ctrl+Q is a priority key.
        """
        focused = self.focused
        if focused is not None and how != "hangup":
            # After the keys queued for the field, then after what they posted to
            # their screen (a mark typed just before is queued for writing first).
            # A key's binding runs where the key has bubbled to (the field, the screen,
            # the app, each a queue of its own): go round the three twice.
            screen = focused.screen
            rounds = (focused.call_later, screen.call_later, self.call_later) * 2
            chain: Callable[[], None] = lambda: self._leave_now(how, then)  # noqa: E731
            for step in reversed(rounds):
                chain = partial(step, chain)
            chain()
        else:
            self._leave_now(how, then)

    def _leave_now(self, how: str, then: Callable[[], None]) -> None:
        if self._leaving or self._asking:
            return  # already on the way out, or the question is on screen
        self._leave_how = how
        locked = any(isinstance(s, LockScreen) for s in self.screen_stack)
        if how == "hangup" or locked:
            for screen in self._register_screens():
                if screen.unsaved():
                    screen.keep_draft(wait=True)  # before the process ends
            self._finish_leaving(then)
            return
        dirty = next((s for s in self._register_screens() if s.unsaved()), None)
        if dirty is None:
            self._finish_leaving(then)
            return
        from zhurnal.tui.widgets.dialogs import QuestionModal

        def answered(answer: str | None) -> None:
            self._asking = False
            if answer == "save":
                dirty.save_for_exit(lambda ok: self._leave_now(how, then) if ok else None)
            elif answer == "discard":
                dirty.discard_unsaved()
                self._leave_now(how, then)

        question = f"Не сохранено: {dirty.unsaved()}."
        self._asking = True
        self.push_screen(
            QuestionModal(question, LEAVE_ANSWERS, focus="save", cancel="stay", title="Выход"),
            answered,
        )

    def _finish_leaving(self, then: Callable[[], None]) -> None:
        self._leaving = True
        refused = {screen: screen.write_refusals() for screen in self._register_screens()}
        self._wait_writes(then, refused)

    @work(thread=True, exit_on_error=False, group="leaving")
    def _wait_writes(self, then: Callable[[], None], refused: dict[ZhurnalScreen, int]) -> None:
        for screen in refused:
            if not screen.wait_writes(EXIT_WRITES_TIMEOUT):
                log.error("writes still queued at exit on %s", type(screen).__name__)
        self.call_later(self._left, then, refused)

    def _left(self, then: Callable[[], None], refused: dict[ZhurnalScreen, int]) -> None:
        """The writes typed before the way out are answered; if one was refused (a
        conflict, a lock), stay: the refusal is on the screen and the teacher decides."""
        self._leaving = False
        if any(screen.write_refusals() > before for screen, before in refused.items()):
            self.notify(
                "Выход отменён: не всё введённое записано — см. сообщение выше. "
                "Проверьте и выйдите снова.",
                title="Не записано",
                severity="warning",
                markup=False,
                timeout=15,
            )
            return
        then()

    async def action_quit(self) -> None:
        self.leave("quit", self._quit)

    def _quit(self) -> None:
        self.ended_how = self._leave_how
        self.exit()

    def hangup(self) -> None:
        """SIGHUP (the SSH connection dropped): keep drafts, record it, end at once."""
        log.info("hangup: the terminal went away")
        for screen in self._register_screens():
            if screen.unsaved():
                try:
                    screen.keep_draft(wait=True)
                except Exception:  # noqa: BLE001 - keep going: the rest still matters
                    log.exception("draft not kept at hangup")
        for screen in self._register_screens():
            screen.wait_writes(EXIT_WRITES_TIMEOUT)
        self.ended_how = "hangup"
        self.close_session()
        os._exit(129)  # the terminal is gone: nothing can be drawn or restored

    def _install_hangup_handler(self) -> None:
        try:
            import asyncio

            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hangup)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass
