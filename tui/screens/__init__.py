"""The screens of the register, one per module.

Re-exported lazily: the login screen must paint before the heavier screens
(DataTable, TextArea, the grid) are imported, so ``from tui.screens import X``
imports only X's module.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "AttendanceScreen": "attendance",
    "ChangePasswordScreen": "password",
    "GridScreen": "grid",
    "HelpModal": "help",
    "LessonScreen": "lesson",
    "LockScreen": "lock",
    "LoginScreen": "login",
    "TimetableScreen": "timetable",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"zhurnal.tui.screens.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'tui.screens' has no attribute {name!r}")
