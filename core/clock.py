"""The school's clock: «now» and «today» on the school's wall clock, whatever the server's.

Deadlines, locks, «today» and the audit's timestamps are the school's local time: the
regulations say «до конца дня урока», and a school in Samara means its own midnight. The
school's zone is a policy key (``[school] time_zone``, an IANA name, ``Europe/Moscow`` when
the key is absent); the server may run in UTC or anywhere else. Stored datetimes stay
naive — they are the school's wall-clock time — so :func:`school_now` drops the zone after
converting.

An ``Actor`` carries its school's zone from the login (``core.auth.authenticate``), so
every service and read model reads the same clock through ``Actor.now()``; tests still fix
the moment with ``Actor.now_override`` (and the TUI's ``fixed_now``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zhurnal.core.errors import PolicyError

DEFAULT_ZONE = "Europe/Moscow"
"""The zone of a school whose policy does not name one (policies stored before the key)."""

ZONE_KEY = "school.time_zone"


@lru_cache(maxsize=16)
def zone_info(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name, or ``PolicyError`` naming an example."""
    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise PolicyError(
            f"Ключ «{ZONE_KEY}»: неизвестный часовой пояс «{name}». Укажите пояс школы "
            "по базе IANA, например «Europe/Samara» (UTC+4) или «Europe/Moscow» (UTC+3)."
        ) from None


def check_zone(name: str) -> str:
    """``name`` if it is a time zone the server knows; ``PolicyError`` otherwise."""
    zone_info(name)
    return name


def school_now(zone: str = DEFAULT_ZONE) -> datetime:
    """The school's wall-clock time now, naive, to the microsecond like ``datetime.now()``."""
    return datetime.now(zone_info(zone)).replace(tzinfo=None)


def school_today(zone: str = DEFAULT_ZONE) -> date:
    """The school's date now: it turns at the school's midnight, not the server's."""
    return school_now(zone).date()


def utc_offset(zone: str, moment: datetime | None = None) -> str:
    """«UTC+4», «UTC+3», «UTC+5:30» — the zone's offset at ``moment`` (its wall-clock time)."""
    at = (moment or school_now(zone)).replace(tzinfo=zone_info(zone))
    offset = at.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
