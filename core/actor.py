"""Who acts: the user, their roles, and the moment (injectable for tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from zhurnal.core.clock import DEFAULT_ZONE, school_now

ROLES = ("admin", "director", "deputy", "teacher", "secretary", "student", "parent")
STAFF_ROLES = ("admin", "director", "deputy", "teacher", "secretary")

ROLE_NAMES = {
    "admin": "Администратор",
    "director": "Директор",
    "deputy": "Заместитель директора",
    "teacher": "Учитель",
    "secretary": "Секретарь",
    "student": "Ученик",
    "parent": "Родитель",
}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    login: str
    roles: frozenset[str]
    full_name: str = ""
    now_override: datetime | None = field(default=None, compare=False)
    since: datetime | None = field(default=None, compare=False)  # the login of this session
    zone: str = field(default=DEFAULT_ZONE, compare=False)  # the school's, from the login
    # proved by an SSH key, not a password: a temporary password does not stop the session
    by_key: bool = field(default=False, compare=False)

    def now(self) -> datetime:
        """The school's wall-clock time (``core.clock``), or the moment a test fixed."""
        return self.now_override or school_now(self.zone)

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def read_only(self) -> bool:
        """Students and parents never write [000 §7.1]."""
        return not (self.roles & set(STAFF_ROLES))

    def at(self, moment: datetime) -> Actor:
        return Actor(
            self.user_id,
            self.login,
            self.roles,
            self.full_name,
            moment,
            self.since,
            self.zone,
            self.by_key,
        )


SYSTEM = Actor(None, "system", frozenset({"admin"}), "Система")
