"""Shared fixtures: a throwaway database per test, with the 004 policy installed.

The ``db`` fixture is a SQLite file; in the modules of ``BOTH_ENGINES`` each test runs
twice, on SQLite and on a fresh PostgreSQL database (``tests/pg.py``) [issue 10].
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from zhurnal.core import audit
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.ledger import state_of
from zhurnal.core.models import User
from zhurnal.core.policy import preset_text
from zhurnal.core.setup import install_policy

DEFAULT_PRESET = "004"


_TEMPLATES: dict[str, Path] = {}


def _template(preset: str) -> Path:
    """A migrated database with the preset installed, built once per test run."""
    if preset not in _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="zhurnal-template-")) / f"{preset}.db"
        db = Database.open(path)
        with db.write() as s:
            install_policy(s, preset_text(preset))
        db.dispose()
        _TEMPLATES[preset] = path
    return _TEMPLATES[preset]


def make_db(path, preset: str = DEFAULT_PRESET) -> Database:
    """A fresh school database file at ``path`` (a copy of the migrated template)."""
    shutil.copyfile(_template(preset), path)
    Path(path).chmod(0o600)
    return Database.open(path, upgrade=False)  # the template is migrated


_DEMO: dict[str, object] = {}


def demo_template(today):  # type: ignore[no-untyped-def]
    """The demo school built once per test process (tests using it share the xdist group
    "demo", so one worker builds it); returns (path, DemoInfo) — copy the file to write."""
    if "path" not in _DEMO:
        from zhurnal.core.demo import create_demo

        path = Path(tempfile.mkdtemp(prefix="zhurnal-demo-")) / "demo.db"
        db = Database.open(path)
        _DEMO["info"] = create_demo(db, today=today)
        db.dispose()
        _DEMO["path"] = path
    return _DEMO["path"], _DEMO["info"]


def copy_demo(today, path) -> Database:  # type: ignore[no-untyped-def]
    """A private copy of the demo school at ``path`` (a test that writes)."""
    source, _ = demo_template(today)
    shutil.copyfile(source, path)
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{path}{suffix}")
    Path(path).chmod(0o600)
    return Database.open(path)


_PG_DEMO: dict[object, object] = {}


def demo_database(today, engine: str, path) -> Database:  # type: ignore[no-untyped-def]
    """A private copy of the demo school on ``engine``: the SQLite file at ``path``, or a
    PostgreSQL database copied from the demo built once per process (a template database;
    drop it with ``drop_database``).  Tests using it share the xdist group "demo"."""
    if engine == "sqlite":
        return copy_demo(today, path)
    from tests import pg

    server = pg.server()

    def build(url: str) -> None:
        from zhurnal.core.demo import create_demo

        database = Database.open(url)
        _PG_DEMO[today] = create_demo(database, today=today)
        database.dispose()

    return Database.open(server.fresh(server.template(f"demo_{today:%Y%m%d}", build)))


def demo_info(today, engine: str):  # type: ignore[no-untyped-def]
    """The DemoInfo of the demo school ``demo_database`` copied on ``engine``."""
    return demo_template(today)[1] if engine == "sqlite" else _PG_DEMO[today]


def drop_database(db: Database) -> None:
    """Close ``db``; a PostgreSQL test database is dropped too."""
    db.dispose()
    if not db.is_sqlite:
        from tests import pg

        pg.server().drop(db.url)


def _share_parsed_css() -> None:
    """Every App of the test run shares the rules parsed from the same CSS.

    Textual parses each widget's DEFAULT_CSS and app.tcss again for every App instance
    (a Stylesheet's own cache is per instance, and holds 64 sources: fewer than an App
    of the register has); a UI test starts one or more Apps, so about a tenth of its time
    went to parsing the same text again.  The key is Stylesheet._parse_rules's own plus
    the theme's variables; the rule sets are only read once parsed."""
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    parsed: dict[tuple, list] = {}

    def _parse_rules(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):  # type: ignore[no-untyped-def]
        variables = self._variables
        if getattr(self, "_shared_variables", (None,))[0] is not variables:
            self._shared_variables = (variables, tuple(sorted(variables.items())))
        key = (css, read_from, is_default_rules, tie_breaker, scope, self._shared_variables[1])
        rules = parsed.get(key)
        if rules is None:
            rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            parsed[key] = rules
        return rules

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


_share_parsed_css()


@pytest.fixture(autouse=True)
def no_polling_clock(request, monkeypatch) -> None:
    """Screens never poll on a real clock in tests: a test that wants other sessions'
    changes noticed calls ``tests.ui.poll`` (the watchers' check, at once)."""
    if request.module.__name__.split(".")[-1].startswith(("test_tui", "test_snapshots")):
        monkeypatch.setattr("zhurnal.tui.app.POLL_SECONDS", 3600.0)


@pytest.fixture(autouse=True)
def quicker_idle_check(request, monkeypatch) -> None:
    """Pilot's waits for the app to go idle (after each key, at each pause) look at the
    CPU used over 10 ms instead of Textual's 20: each wait ends with one such idle window,
    and a test waits so some hundred times.  The ratio Textual judges idle by (under a
    twentieth of the window on the CPU) is kept; Pilot still waits for the screen's
    messages, and ``tests.ui.settle`` for the workers, as before."""
    if request.module.__name__.split(".")[-1].startswith(("test_tui", "test_snapshots")):
        import textual._wait

        monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 100)
        monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 1 / 100 / 20)


# The database-level modules whose ``db`` tests run on both engines (test ids end in
# ``[sqlite]`` / ``[postgresql]``); the others (screens, CLI) run on SQLite only.
BOTH_ENGINES = frozenset(
    {
        "test_audit_log",
        "test_auth",
        "test_classes",
        "test_completeness",
        "test_concurrency",
        "test_contingent_import",
        "test_corrections",
        "test_courses_admin",
        "test_deadline_rules",
        "test_decisions",
        "test_drafts",
        "test_gradebook",
        "test_import_batches",
        "test_import_marks",
        "test_incidents",
        "test_login_abuse",
        "test_oral_rule",
        "test_permission_matrix",
        "test_queries",
        "test_recovery",
        "test_register_rules",
        "test_reports",
        "test_rollover",
        "test_school_services",
        "test_setup_status",
        "test_slot_end",
        "test_timetable_admin",
        "test_unique_refusal",
        "test_users_admin",
        "test_verify",
        "test_verify_rights",
        "test_year_setup",
    }
)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_file: the test is about the SQLite file itself (its copy, its owner), "
        "so in a BOTH_ENGINES module it runs on SQLite only",
    )


# The longest runs first: the tests sharing the demo school (one worker builds it and runs
# them all) and the longest single tests. Sent last, they would leave one worker alone
# at the end of the run while the other has finished.
LONG_FIRST = ("test_new_school_script", "test_quality", "test_packaging", "test_backup")


def pytest_collection_modifyitems(config, items) -> None:
    def long(item) -> bool:
        group = item.get_closest_marker("xdist_group")
        module = item.module.__name__.split(".")[-1] if item.module else ""
        return (group is not None and group.args[:1] == ("demo",)) or module in LONG_FIRST

    items.sort(key=lambda item: not long(item))  # stable: the order within each part stays


def pytest_generate_tests(metafunc) -> None:
    if (
        "db" in metafunc.fixturenames
        and metafunc.module.__name__.split(".")[-1] in BOTH_ENGINES
        and metafunc.definition.get_closest_marker("sqlite_file") is None
    ):
        metafunc.parametrize("engine", ["sqlite", "postgresql"])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item) -> None:
    """Every deferred PostgreSQL database is made before the test body runs: the test may
    reach it with another engine (the CLI's, another process)."""
    from tests import pg

    for server in pg._SERVER:
        for name in list(server.pending):
            server.make(server.url(name))


def pytest_sessionfinish(session, exitstatus) -> None:
    """Stop this process's PostgreSQL, if it started one (xdist workers skip atexit)."""
    from tests import pg

    pg.stop()


@pytest.fixture
def engine() -> str:
    return "sqlite"


def _pg_template_build(url: str, preset: str = DEFAULT_PRESET) -> None:
    database = Database.open(url)
    with database.write() as s:
        install_policy(s, preset_text(preset))
    database.dispose()


def make_pg_db(preset: str = DEFAULT_PRESET, into: str | None = None) -> Database:
    """A fresh PostgreSQL school database (a copy of the migrated template); ``into``: at
    that URL, instead of a new name."""
    from tests import pg

    server = pg.server()
    template = server.template(preset, lambda url: _pg_template_build(url, preset))
    if into is not None:
        server.replace(into, template)
        return Database.open(into, upgrade=False)  # the template is migrated
    url = server.deferred(template)  # made on first connect: ``tests.school`` may swap it
    database = Database.open(url, upgrade=False)
    event.listen(database.engine, "do_connect", lambda *_: server.make(url))
    return database


@pytest.fixture
def db(tmp_path, engine) -> Database:
    if engine == "postgresql":
        database = make_pg_db()
    else:
        database = make_db(tmp_path / "school.db")
    yield database
    drop_database(database)


def _fixture_event(
    s: Session, action: str, user: User, before: dict[str, Any] | None = None
) -> None:
    """A fixture's change of a user, audited as the app audits it: ``verify`` stays clean."""
    audit.append(
        s,
        ts=datetime(2026, 9, 1),
        actor_id=None,
        actor_login="fixture",
        action=action,
        entity="user",
        entity_id=user.id,
        before=before,
        after=state_of(s, "user", user),
    )


def add_user(db: Database, login: str, roles: str, full_name: str | None = None) -> Actor:
    """A user row straight in the database (fixtures only), returned as an Actor."""
    with db.write() as s:
        user = User(
            login=login,
            full_name=full_name or login.title(),
            password_hash="!",
            roles=roles,
            must_change_password=False,
        )
        s.add(user)
        s.flush()
        _fixture_event(s, "user.create", user)
        return Actor(user.id, login, frozenset(roles.split(",")), user.full_name)


@pytest.fixture
def fast_argon2(monkeypatch) -> None:
    """Cheap argon2id parameters for tests that log in many times (UI tests)."""
    from argon2 import PasswordHasher

    from zhurnal.core import auth

    monkeypatch.setattr(auth, "_ph", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def set_password(db: Database, login: str, password: str, must_change: bool = False) -> None:
    """Give a fixture user a real password (hashed with the current hasher), audited as a
    fixture's ``password.change``: ``zhurnal verify`` on a fixture school stays clean."""
    from sqlmodel import select

    from zhurnal.core.auth import hash_password

    with db.write() as s:
        user = s.exec(select(User).where(User.login == login)).one()
        before = {"must_change_password": user.must_change_password}
        user.password_hash = hash_password(password)
        user.must_change_password = must_change
        s.add(user)
        s.flush()
        _fixture_event(s, "password.change", user, before)


CLI_PASSWORD = "cli-test-pass-2026"


def cli_identity(db: Database, login: str, folder: Path, password: str = CLI_PASSWORD) -> list[str]:
    """``--as LOGIN --password-file FILE`` for a CLI command run as a fixture user: gives
    the user a real password and writes it to a file readable by its owner only."""
    set_password(db, login, password)
    path = folder / f"{login}.password"
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return ["--as", login, "--password-file", str(path)]


_SECRETS: dict[str, Path] = {}


def _secrets_folder(url: str) -> Path:
    """A folder for the password files of a PostgreSQL test database (one per database)."""
    if url not in _SECRETS:
        _SECRETS[url] = Path(tempfile.mkdtemp(prefix="zhurnal-secrets-"))
    return _SECRETS[url]


def signed(db: Database, argv: list[str], folder: Path | None = None) -> list[str]:
    """``argv`` of a CLI command with ``--password-file`` for the user its ``--as LOGIN``
    names: the first time ``cli_identity`` (a real password, written to a file beside the
    database unless ``folder`` is given), then the same file again."""
    i = argv.index("--as")
    login = argv[i + 1]
    where = folder or (db.path.parent if db.path else _secrets_folder(db.url))
    path = where / f"{login}.password"
    identity = (
        ["--as", login, "--password-file", str(path)]
        if path.exists()
        else cli_identity(db, login, where)
    )
    return [*argv[:i], *identity, *argv[i + 2 :]]


def db_arg(db: Database) -> str:
    """``--db`` for a CLI command on the test's database: the file, or PostgreSQL's URL."""
    if db.path is not None:
        return str(db.path)
    from tests import pg

    pg.server().make(db.url)  # deferred until first used; the CLI opens its own engine
    return db.url
