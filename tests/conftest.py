"""Shared fixtures: a throwaway SQLite file per test, with the 004 policy installed."""

from __future__ import annotations

from datetime import datetime

import pytest

from core import audit
from core.actor import Actor
from core.db import Database
from core.models import User
from core.policy import preset_text
from core.setup import install_policy

DEFAULT_PRESET = "004"


def make_db(path, preset: str = DEFAULT_PRESET) -> Database:
    db = Database.open(path)
    with db.write() as s:
        install_policy(s, preset_text(preset))
    return db


@pytest.fixture
def db(tmp_path) -> Database:
    database = make_db(tmp_path / "school.db")
    yield database
    database.dispose()


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
        audit.append(s, ts=datetime(2026, 9, 1), actor_id=None, actor_login="fixture",
                     action="user.create", entity="user", entity_id=user.id)
        return Actor(user.id, login, frozenset(roles.split(",")), user.full_name)
