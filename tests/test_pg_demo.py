"""The demo school on PostgreSQL [issue 10]: built there as on SQLite (tests/test_demo.py
inspects it on both engines), ``zhurnal demo --db URL`` finds it there, and the next
change after it is audited under a new id (the demo's bulk-inserted explicit ids moved
the id sequences)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import func, select

from tests.conftest import demo_database, drop_database
from zhurnal.cli.main import main
from zhurnal.core import audit
from zhurnal.core.models import AuditEvent, Mark

pytestmark = pytest.mark.xdist_group("demo")  # the demo school is built once, on one worker


def test_demo_on_postgresql_then_an_ordinary_change(tmp_path, capsys) -> None:
    db = demo_database(date(2026, 11, 23), "postgresql", tmp_path / "unused.db")
    try:
        with db.write() as s:
            last = s.exec(select(func.max(AuditEvent.id))).one()
            event = audit.append(
                s, ts=datetime(2026, 12, 1), actor_id=None, actor_login="test", action="check"
            )
            assert event.id == (last or 0) + 1
        with db.read() as s:
            assert s.exec(select(func.count(Mark.id))).one() > 1000
        assert main(["demo", "--db", db.url, "--no-ui"]) == 0
        assert "Демонстрационная школа уже создана: postgresql+psycopg://" in (
            capsys.readouterr().out
        )
    finally:
        drop_database(db)
