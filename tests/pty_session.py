"""A real terminal session for fault tests: the register in a pseudo-terminal.

:class:`PtySession` starts ``python -m tests.launch`` (the register as ``zhurnal``
runs it) under a new pseudo-terminal that is its controlling terminal, as sshd
does, reads what it paints, types keys, and can hang the terminal up the way a
dropped SSH connection does (closing the master side sends SIGHUP).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESCAPES = re.compile(
    r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\"
    r"|[()][0-9A-Za-z]|[=>78MDEc])"
)
KEYS = {"enter": "\r", "escape": "\x1b", "down": "\x1b[B", "ctrl+q": "\x11", "ctrl+s": "\x13"}


class PtySession:
    """``python -m tests.launch DB LOGIN DAY`` in an 80×24 pseudo-terminal."""

    def __init__(self, db: Path, login: str, day: str, home: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
        }
        pid, fd = pty.fork()
        if pid == 0:  # the child: its own session, the pty as controlling terminal
            os.chdir(ROOT)
            os.execve(
                sys.executable, [sys.executable, "-m", "tests.launch", str(db), login, day], env
            )
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = b""
        self.status: int | None = None

    def text(self) -> str:
        return ESCAPES.sub("", self.output.decode("utf-8", "replace"))

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, words: str, timeout: float = 20.0) -> None:
        """Read until ``words`` has been painted (after what was read so far)."""
        start = len(self.text())
        deadline = time.monotonic() + timeout
        while words not in self.text()[start:]:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"«{words}» did not appear; the end of the output:\n" + self.text()[-1500:]
                )
            self.read(0.2)

    def type(self, *keys: str) -> None:
        for key in keys:
            os.write(self.fd, KEYS.get(key, key).encode())
            self.read(0.05)

    def hang_up(self, timeout: float = 20.0) -> int:
        """Close the terminal under the app (a dropped connection); its exit status."""
        os.close(self.fd)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("the register did not end after the hangup")
