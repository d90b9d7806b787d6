"""``zhurnal demo`` on PostgreSQL [issue 10]: the demo school is built there as on SQLite,
``zhurnal verify`` finds its audit chain intact, and the next change after it is audited
under a new id (the demo's bulk-inserted explicit ids moved the id sequences)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import func, select

from tests import pg
from zhurnal.cli.main import main
from zhurnal.core import audit
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, Mark

pytestmark = pytest.mark.xdist_group("pg_demo")  # alone: the demo build is long


def test_demo_on_postgresql_then_an_ordinary_change(capsys) -> None:
    server = pg.server()
    url = server.fresh()
    try:
        assert main(["demo", "--db", url, "--no-ui"]) == 0
        assert "База: postgresql+psycopg://" in capsys.readouterr().out
        db = Database.open(url)
        with db.write() as s:
            last = s.exec(select(func.max(AuditEvent.id))).one()
            event = audit.append(
                s, ts=datetime(2026, 12, 1), actor_id=None, actor_login="test", action="check"
            )
            assert event.id == (last or 0) + 1
        with db.read() as s:
            assert s.exec(select(func.count(Mark.id))).one() > 1000
        db.dispose()
        assert main(["verify", "--db", url]) == 0
        out = capsys.readouterr().out
        assert "Журнал аудита: в порядке" in out
        assert "Целостность файла базы: в порядке" not in out
    finally:
        server.drop(url)
