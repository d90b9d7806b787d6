"""Two small pieces every editing screen uses: an ordered writer and a change watcher.

:class:`OrderedWriter` — writes typed fast (marks, attendance keys) are committed
one at a time, in the order typed, by a single thread worker; each answer
(``done(result)`` or ``failed(error)``) comes back on the screen's own message
loop.  Nothing typed is cancelled or reordered; :meth:`OrderedWriter.wait_idle`
lets the app finish the queue before it exits.

:class:`ChangeWatcher` — every ``interval`` seconds (the app's ``poll_seconds``)
reads the core's change counter in a thread worker and calls ``changed()`` on
the screen when another session committed something.  It skips a tick while the
screen says it is busy (``paused``), and a test calls :meth:`ChangeWatcher.check`
instead of sleeping.

Both answer through ``node.call_later`` (thread-safe in Textual: it posts a
message), so a screen that has closed simply never hears back.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from zhurnal.tui.errors import log

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.timer import Timer

    from zhurnal.tui.context import Register

T = TypeVar("T")


@dataclass
class _Job(Generic[T]):
    run: Callable[[], T]
    done: Callable[[T], None]
    failed: Callable[[BaseException], None]


class OrderedWriter:
    """A queue of write jobs run in order, one at a time, off the event loop."""

    def __init__(self, node: DOMNode, name: str = "writes") -> None:
        self._node = node
        self._name = name
        self._queue: deque[_Job[Any]] = deque()
        self._lock = threading.Lock()
        self._running = False
        self.refusals = 0
        """Jobs that failed (counted before their answer is posted)."""
        self._idle = threading.Event()
        self._idle.set()

    def submit(
        self,
        run: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Queue ``run`` (called in a thread); its answer arrives on the node's loop."""
        with self._lock:
            self._queue.append(_Job(run, done, failed))
            self._idle.clear()
            if self._running:
                return
            self._running = True
        self._node.run_worker(
            self._drain, thread=True, exit_on_error=False, group=self._name, name=self._name
        )

    @property
    def busy(self) -> bool:
        """Jobs are queued or running."""
        return not self._idle.is_set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued job has run (for the exit path); False on timeout."""
        return self._idle.wait(timeout)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._running = False
                    self._idle.set()
                    return
                job = self._queue.popleft()
            try:
                result = job.run()
            except Exception as exc:  # noqa: BLE001 - every job is answered, never lost
                self.refusals += 1
                self._node.call_later(job.failed, exc)
            else:
                self._node.call_later(job.done, result)


class ChangeWatcher:
    """Notices other sessions' commits by polling the core's change counter."""

    def __init__(
        self,
        node: DOMNode,
        changed: Callable[[], None],
        *,
        paused: Callable[[], bool] = lambda: False,
        name: str = "changes",
        course: Callable[[], int | None] = lambda: None,
    ) -> None:
        """``course``: the one course the screen shows, when it shows one (a grid, a
        lesson): then only changes that may concern that course make it reload."""
        self._node = node
        self._changed = changed
        self._paused = paused
        self._course = course
        self._applied = 0  # the screen's own saves since ``seen``, shown from their answers
        self._name = name
        self._seen: int | None = None
        self._until: datetime | None = None
        self._timer: Timer | None = None
        self._stopped = False

    def _register(self) -> Register:
        return cast("Register", self._node.app)

    @property
    def seen(self) -> int | None:
        return self._seen

    def start(self, seen: int, until: datetime | None = None) -> None:
        """The screen has shown the data as of ``seen``; watch for anything newer.

        After a change is noticed the watcher waits for the next ``start`` (the
        screen's reload), so a reload that fails stops the polling instead of looping.
        ``until``: the moment the shown decisions change by the clock alone (a lesson
        begins, a column locks — the read model's ``valid_until``): reload then too.
        """
        self._seen = seen
        self._until = until
        self._stopped = False
        self._applied = 0
        if self._timer is None:
            self._timer = self._node.set_interval(
                self._register().poll_seconds, self.check, name=f"watch-{self._name}"
            )

    def applied_save(self) -> None:
        """The screen saved a mark and shows it from the service's answer: its event need
        not reload the screen (``course_changes``' ``applied``)."""
        self._applied += 1

    def stop(self) -> None:
        """Stop polling (e.g. the data can no longer be read); :meth:`start` resumes."""
        self._stopped = True

    def check(self) -> None:
        """One look now (the timer's tick; tests call it directly)."""
        if self._seen is None or self._stopped or self._paused():
            return
        if self._until is not None and self._register().now() >= self._until:
            self._noticed(self._seen)  # the bell rang, a lock passed: decide again
            return
        self._node.run_worker(
            partial(self._read, self._seen, self._course(), self._applied),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group=f"watch-{self._name}",
        )

    def _read(self, seen: int, course: int | None, applied: int) -> None:
        from zhurnal.core.readmodels import change_counter, course_changes

        try:
            if course is None:
                counter = change_counter(self._register().database())
                relevant = counter != seen
            else:
                actor = getattr(self._node, "actor", None)
                counter, relevant = course_changes(
                    self._register().database(),
                    seen,
                    course,
                    actor_id=getattr(actor, "user_id", None),
                    applied=applied,
                )
        except Exception:  # noqa: BLE001 - a missed look is retried at the next tick
            log.warning("change counter could not be read", exc_info=True)
            return
        if relevant:
            self._node.call_later(self._noticed, seen)
        elif counter != seen:  # others' courses only: what is shown is still current
            self._node.call_later(self._passed, seen, counter, applied)

    def _passed(self, seen: int, counter: int, applied: int) -> None:
        if self._seen == seen and not self._stopped:
            self._seen = counter
            self._applied = max(0, self._applied - applied)  # those saves are before it now

    def _noticed(self, seen: int) -> None:
        if self._seen == seen and not self._stopped:
            self._seen = None  # until the screen has reloaded and calls start() again
            self._changed()


__all__ = ["ChangeWatcher", "OrderedWriter"]
