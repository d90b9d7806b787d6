"""The screens of the register, one per module."""

from tui.screens.attendance import AttendanceScreen
from tui.screens.help import HelpModal
from tui.screens.lesson import LessonScreen
from tui.screens.login import LoginScreen
from tui.screens.password import ChangePasswordScreen
from tui.screens.timetable import TimetableScreen

__all__ = [
    "AttendanceScreen",
    "ChangePasswordScreen",
    "HelpModal",
    "LessonScreen",
    "LoginScreen",
    "TimetableScreen",
]
