"""Pauses and the lock after failed password logins (NIST SP 800-63B 5.2.2) [issue 11].

A stranger typing wrong passwords for a teacher's login must not keep the teacher out of
the register, and must not get many guesses either. So, per login:

- the first ``auth.max_failed_logins`` failures in a row cost nothing (a mistyped password,
  the wrong keyboard layout);
- after that, each failure closes the password login for a pause that doubles — 1, 2, 4,
  8 … minutes — up to ``auth.lockout_minutes`` (the longest pause). Until the pause ends
  («не раньше», ``User.locked_until``) a login is refused without even checking the
  password, and such a refusal is not a failure: it neither counts nor lengthens the pause;
- after ``HARD_LOCK_FAILURES`` (100, the most NIST allows) failures in a row the password
  login stays closed until an administrator lifts the lock (``zhurnal user unlock``, «u» in
  «Пользователи») or issues a new temporary password. At the longest pause of 15 minutes,
  reaching it takes about a day of steady guessing.

A successful login, an administrator's unlock and a new temporary password start the count
again. ``max_failed_logins = 0`` or ``lockout_minutes = 0`` means no pauses (``policy
check`` warns); the lock after ``HARD_LOCK_FAILURES`` stays. The counter and the pause are
the user row's own columns (``failed_attempts``, ``locked_until``), outside what ``verify``
reconciles with the audit log; each failure and the lock are audit events all the same.

The refusal says the same for a wrong password, an unknown login, a paused, locked or
disabled account (``auth.LOGIN_REFUSED``); only the audit log tells them apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zhurnal.core.policy import Policy

HARD_LOCK_FAILURES = 100
"""Failures in a row after which only an administrator reopens the password login."""
LONGEST_PAUSE_MINUTES = 24 * 60
"""A bound on ``lockout_minutes`` whatever the stored policy says (no date overflow)."""


def pause_after(policy: Policy, failures: int) -> timedelta:
    """How long the password login stays closed after ``failures`` failures in a row."""
    free = policy.max_failed_logins
    longest = min(policy.lockout_minutes, LONGEST_PAUSE_MINUTES)
    if free <= 0 or longest <= 0 or failures < free:
        return timedelta(0)
    doubling = 2 ** min(failures - free, 20)  # 2**20 minutes is beyond any bound already
    return timedelta(minutes=min(doubling, longest))


def hard_locked(failures: int) -> bool:
    """Locked until an administrator unlocks it."""
    return failures >= HARD_LOCK_FAILURES


def closed(failures: int, not_before: datetime | None, now: datetime) -> bool:
    """The password is not even checked now: locked, or within a pause."""
    return hard_locked(failures) or (not_before is not None and not_before > now)


def login_state(failures: int, not_before: datetime | None, now: datetime) -> str:
    """The password login's state as the administrator sees it («Пользователи», ``user
    list``), short for the table's column: «заблокирован» (until unlocked), «пауза до
    08:17», or "" when open."""
    if hard_locked(failures):
        return "заблокирован"
    if not_before is not None and not_before > now:
        day = "" if not_before.date() == now.date() else f"{not_before:%d.%m} "
        return f"пауза до {day}{not_before:%H:%M}"
    return ""
