"""Replacing the school's rules (``zhurnal policy set``): validated, then stored and
audited as the administrator who did it.

The rules are the school's settings of its register; keeping the register working is the
administrator's duty [004 §5 «Администратор»: обеспечивает функционирование].  The new
text is parsed and checked first — types, ranges and the contradictions ``policy check``
reports (``policy_check.refusals``): a ``PolicyError`` in Russian changes nothing; the
work types it
defines are synced in the same transaction (``setup.install_policy``).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.policy import parse_policy
from zhurnal.core.policy_check import require_consistent
from zhurnal.core.setup import install_policy, policy_ledger
from zhurnal.core.uow import require, unit_of_work

ADMIN_ONLY = "Правила школы заменяет только администратор журнала [004 §5]: обратитесь к нему."


@dataclass(frozen=True)
class PolicyReplaced:
    old: str
    """The name of the rules that were in force."""
    new: str
    old_zone: str
    """The school's time zone before and after (``[school] time_zone``)."""
    new_zone: str


def replace_policy(db: Database, actor: Actor, text: str) -> PolicyReplaced:
    """Put the rules ``text`` (TOML) in force instead of the school's current ones."""
    # before the transaction: a bad or contradictory file never takes the lock
    new = require_consistent(parse_policy(text))
    with unit_of_work(db, actor, "policy.set") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        old = uow.policy
        install_policy(uow.session, new.toml_text)
        uow.audit(
            "policy.set",
            "setting",
            None,
            {"policy": old.name, "time_zone": old.time_zone},
            {"policy": new.name, "time_zone": new.time_zone, **policy_ledger(uow.session)},
        )
        return PolicyReplaced(old.name, new.name, old.time_zone, new.time_zone)
