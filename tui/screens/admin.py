"""«Администрирование»: the administrator's home [004 §5 «Администратор»; 000 §5.2.1].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the task |
| t | the timetable (an administrator who also teaches) |
| l | log out |

Tasks so far: the users and the register of issued logins; setting up the school year,
classes, the timetable and the contingent come with the next screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhurnal.tui.screens.menu import MenuScreen

if TYPE_CHECKING:
    from zhurnal.core.db import Database
    from zhurnal.core.reports.table import Report

TASKS = (
    ("users", "Пользователи: доступ, роли, пароли"),
    ("logins", "Реестр выданных логинов"),
    ("rollover", "Переход на новый учебный год"),
)
HINTS = {
    "users": "Новый пользователь, роли, временный пароль, разблокировка, отключение при "
    "увольнении [004 §4.2–4.3].",
    "logins": "Кому, когда и кем выдан логин; сбросы паролей; отключения [004 §5].",
    "rollover": "Закрыть год (архивная копия), создать следующий, перевести учащихся по "
    "приказу директора [000 §5.2.1].",
}


class AdminScreen(MenuScreen):
    """The administrator's tasks."""

    HELP_TITLE = "Администрирование"
    TITLE_TEXT = "Администрирование"

    def tasks(self) -> list[tuple[str, str]]:
        return list(TASKS)

    def task_hints(self) -> dict[str, str]:
        return HINTS

    def open_task(self, key: str) -> None:
        actor = self.actor
        if key == "users":
            from zhurnal.tui.screens.users import UsersScreen

            self.app.push_screen(UsersScreen(actor))
        elif key == "logins":
            from zhurnal.tui.screens.report_view import ReportScreen

            def logins(db: Database) -> Report:
                from zhurnal.core.readmodels.users import issued_logins
                from zhurnal.core.reports.users import logins_report

                return logins_report(issued_logins(db, actor))

            self.app.push_screen(ReportScreen("Реестр выданных логинов", logins))
        elif key == "rollover":
            from zhurnal.tui.screens.rollover import RolloverScreen

            self.app.push_screen(RolloverScreen(actor))
