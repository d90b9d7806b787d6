"""One way to show an error from a core call, on every screen.

- A ``DomainError`` (a refusal of the rules, a conflict, a lock) carries its own
  Russian title and text; it is shown as is, as a notification.
- Anything else is a defect or a broken environment: it is written with its
  traceback to the log file (:func:`log_path`), and the user sees a short Russian
  notice saying so.  It never ends the app and never shows a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.tui.i18n import error_text

if TYPE_CHECKING:
    from typing import Any

    from textual.app import App
    from textual.widget import Widget

log = logging.getLogger("zhurnal.tui")

UNEXPECTED_TITLE = "Внутренняя ошибка"
UNEXPECTED_HINT = "Введённое не потеряно. Сообщите администратору; подробности — в журнале ошибок"


def is_refusal(error: BaseException) -> bool:
    """True for a refusal of the core (a ``DomainError``): expected, shown as is."""
    from zhurnal.core.errors import DomainError  # light: no database code

    return isinstance(error, DomainError)


def error_title(error: BaseException) -> str:
    return str(getattr(error, "title", "")) if is_refusal(error) else UNEXPECTED_TITLE


def describe(error: BaseException) -> str:
    """The text a user sees; an unexpected error is logged here, once."""
    if is_refusal(error):
        return error_text(error)
    log.error("unexpected error in a core call", exc_info=error)
    where = log_path()
    return f"{error_text(error)}. {UNEXPECTED_HINT}" + (f": {where}" if where else ".")


def show_error(node: Widget | App[Any], error: BaseException, *, title: str | None = None) -> str:
    """Notify the user of ``error`` (see the module docstring); returns the text shown."""
    text = describe(error)
    node.notify(text, title=title or error_title(error), severity="error", markup=False, timeout=10)
    return text


REFUSED_TITLE = "Отклонено"


def show_refusal(node: Widget | App[Any], text: str, *, title: str = REFUSED_TITLE) -> None:
    """A decision of the core shown as it was given (a ``why_not`` of a read model, or
    the message of a refused write): the same look as :func:`show_error`."""
    node.notify(text, title=title, severity="error", markup=False, timeout=10)


def log_path() -> Path | None:
    """The file the app logs unexpected errors to (None: not configured)."""
    for handler in logging.getLogger("zhurnal").handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def configure_logging() -> Path | None:
    """Log unexpected errors to ``zhurnal.log`` in the user's log directory.

    Called once by ``zhurnal`` when the TUI starts (not by tests). Failing to
    open the log file must not stop the register: then nothing is logged.
    """
    from platformdirs import user_log_path

    logger = logging.getLogger("zhurnal")
    if log_path() is not None:
        return log_path()
    try:
        folder = user_log_path("zhurnal", ensure_exists=True)
        handler = logging.FileHandler(folder / "zhurnal.log", encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return Path(handler.baseFilename)


__all__ = ["configure_logging", "describe", "error_title", "is_refusal", "log_path", "show_error"]
