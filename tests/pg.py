"""A throwaway PostgreSQL 15 for the database-level tests [issue 10].

One server per test process (an xdist worker): ``initdb`` in a temporary folder,
``pg_ctl start`` listening on a unix socket in that folder only (no TCP), stopped when
the process ends.  PostgreSQL refuses to run as root, so as root the server runs as the
system account ``zhurnal-pg`` (made with ``useradd --system`` if missing); otherwise as
the current user.  Each test gets a fresh database copied (``CREATE DATABASE ...
TEMPLATE``) from one migrated with the preset installed, which is much faster than
migrating again.

The binaries are PostgreSQL 15's (``/usr/lib/postgresql/15/bin``, Debian's
``postgresql-15``, which ``.ci/run`` installs) or those named by ``ZHURNAL_PG_BIN``.  If
they are missing, the tests fail saying so: nothing is skipped.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

PG_BIN = Path(os.environ.get("ZHURNAL_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "zhurnal-pg"  # the OS account the server runs as when we are root
SUPERUSER = "zhurnal"  # the database role the tests connect as (trust on the socket)


class Server:
    """One running PostgreSQL: ``url(name)`` for a database on it."""

    def __init__(self, durable: bool = False) -> None:
        """``durable``: fsync on, as a school's server runs (the load benchmark); the tests
        run without it."""
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).exists():
                pytest.fail(
                    f"PostgreSQL 15 is not installed ({PG_BIN / tool} is missing): "
                    "apt-get install postgresql-15 (.ci/run does), or set ZHURNAL_PG_BIN",
                    pytrace=False,
                )
        # The tests' server lives in memory where it can (tmpfs): a test database is a
        # copy of a template, and the copy's files then cost no disk writes.
        memory = "/dev/shm" if not durable and os.access("/dev/shm", os.W_OK) else None
        self.root = Path(tempfile.mkdtemp(prefix="zhurnal-pg-", dir=memory))
        self.data = self.root / "data"
        self.socket = self.root  # the socket lives beside the data, nowhere else
        self.user = self._os_user()
        if self.user is not None:
            shutil.chown(self.root, user=self.user)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        # dynamic shared memory in the data folder (mmap), not /dev/shm/PostgreSQL.*: an
        # immediate stop leaves those behind, and the folder goes with the server
        options = f"-k {self.socket} -h '' -c dynamic_shared_memory_type=mmap"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"))  # fmt: skip
        atexit.register(self.stop)
        self._names = itertools.count(1)
        self.templates: dict[str, str] = {}
        self._admin: Engine | None = None
        self.pending: dict[str, str] = {}  # deferred database -> its template

    @staticmethod
    def _os_user() -> str | None:
        """None: run as ourselves; else the non-root account to run the server as."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                 PG_USER],
                check=False, capture_output=True,
            )  # fmt: skip
            pwd.getpwnam(PG_USER)  # raced with another worker: it exists now either way
        return PG_USER

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run(
            [str(PG_BIN / tool), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        if out.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"{tool} failed: {out.stdout}{out.stderr}{tail}", pytrace=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket}"

    def execute(self, *statements: str) -> None:
        """Statements run outside a transaction (CREATE/DROP DATABASE), on ``postgres``
        (over one kept connection: a new one per test database costs more than the copy)."""
        if self._admin is None:
            self._admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))

    def template(self, key: str, build: Callable[[str], None]) -> str:
        """The name of a template database ``build(url)`` filled, built once per key."""
        if key not in self.templates:
            name = f"template_{key}"
            self.execute(f'CREATE DATABASE "{name}"')
            build(self.url(name))
            self.templates[key] = name
        return self.templates[key]

    def fresh(self, template: str | None = None) -> str:
        """The URL of a new database (a copy of ``template`` if given)."""
        name = f"test_{next(self._names)}"
        source = f' TEMPLATE "{template}"' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{source}')
        return self.url(name)

    def deferred(self, template: str) -> str:
        """The URL of a database that is made (a copy of ``template``) only when something
        first connects to it (``make``, from the engine's connect hook): a test that
        replaces it first (``replace``) never pays for the first copy."""
        name = f"test_{next(self._names)}"
        self.pending[name] = template
        return self.url(name)

    def make(self, url: str) -> None:
        """Make the deferred database at ``url`` now, if it is not made yet."""
        template = self.pending.pop(_name(url), None)
        if template is not None:
            self.execute(f'CREATE DATABASE "{_name(url)}" TEMPLATE "{template}"')

    def drop(self, url: str) -> None:
        if self.pending.pop(_name(url), None) is None:
            self.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')

    def replace(self, url: str, template: str) -> None:
        """The database at ``url`` becomes a new copy of ``template`` (its URL unchanged:
        whoever holds it disposes of its pooled connections first)."""
        name = _name(url)
        if name in self.pending:
            self.pending[name] = template
            return
        self.execute(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate"],
                user=self.user, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def _name(url: str) -> str:
    return str(make_url(url).database)


_SERVER: list[Server] = []


def server() -> Server:
    """The process's server, started on first use."""
    if not _SERVER:
        _SERVER.append(Server())
    return _SERVER[0]


def stop() -> None:
    """Stop the process's server, if started (at the end of the test session)."""
    while _SERVER:
        _SERVER.pop().stop()
