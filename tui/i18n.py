"""Russian strings and date formatting for the screens, kept in one place.

Weekday and month names are written out here: the UI must not depend on the
server's locale (an SSH login may arrive with ``LANG=C``).
"""

from __future__ import annotations

from datetime import date

WEEKDAYS = (
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
)
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def long_date(day: date) -> str:
    """``понедельник, 23 ноября 2026``."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def error_text(error: BaseException) -> str:
    """The text a user sees for a failed core call.

    A ``DomainError`` carries its own Russian message; anything else is a bug or
    an environment problem and is named as such (never a traceback).
    """
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    return f"Внутренняя ошибка: {type(error).__name__}: {error}"
