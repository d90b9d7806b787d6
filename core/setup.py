"""Opening a school's register and installing its policy (``zhurnal init``, the demo, the TUI)."""

from __future__ import annotations

import os

from sqlmodel import Session, select

from zhurnal.core.db import Database
from zhurnal.core.models import Setting, WorkType
from zhurnal.core.policy import Policy, parse_policy
from zhurnal.core.uow import POLICY_KEY


def open_register(db: str | os.PathLike[str] | None = None) -> Database:
    """The school's database as ``--db``, the environment or the config name it, its
    schema brought up to date: what a client (the TUI) opens at start."""
    return Database.open(db)


def install_policy(session: Session, text: str) -> Policy:
    """Store the policy TOML and sync the work types it defines (in the caller's transaction)."""
    policy = parse_policy(text)
    row = session.get(Setting, POLICY_KEY)
    if row is None:
        session.add(Setting(key=POLICY_KEY, value=text))
    else:
        row.value = text
        session.add(row)
    existing = {w.code: w for w in session.exec(select(WorkType))}
    for spec in policy.work_types:
        wt = existing.get(spec.code) or WorkType(code=spec.code, name=spec.name)
        wt.name, wt.weight, wt.lock_class = spec.name, spec.weight, spec.lock
        session.add(wt)
    session.flush()
    return policy


def is_initialized(session: Session) -> bool:
    return session.get(Setting, POLICY_KEY) is not None
