"""«Администрирование»: the school's setup, as far as the user's roles allow [004 §5
«Администратор», «Заместитель директора», «Секретарь»; 000 §5.2.1].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the task |
| t | the timetable (a user who also teaches) |
| l | log out |

Which tasks a user sees comes from core (``setup_tasks``: users for the administrator,
the year, classes, courses and timetable for the administrator and the deputy, the class
lists for the secretary and the administrator, the new year for the administrator and the
director).  While the school is not ready for a teacher's first mark, the administrator
lands on the checklist of what it still lacks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from textual import work

from zhurnal.tui.screens.menu import MenuScreen

if TYPE_CHECKING:
    from textual.screen import Screen

    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.setup_status import SetupStatus
    from zhurnal.core.reports.table import Report

LABELS = {
    "checklist": "Настройка школы: что сделано и что осталось",
    "users": "Пользователи: доступ, роли, пароли",
    "logins": "Реестр выданных логинов",
    "year": "Учебный год: четверти, каникулы, звонки",
    "classes": "Классы и предметы, классные руководители",
    "courses": "Предметы классов, учителя, подгруппы, нагрузка",
    "timetable": "Расписание уроков",
    "plans": "КТП: календарно-тематическое планирование",
    "contingent": "Контингент: списки классов, прибытие, выбытие",
    "rollover": "Переход на новый учебный год",
}
HINTS = {
    "checklist": "Что нужно сделать, чтобы учитель смог открыть урок и поставить отметку.",
    "users": "Новый пользователь, роли, временный пароль, разблокировка, отключение при "
    "увольнении [004 §4.2–4.3].",
    "logins": "Кому, когда и кем выдан логин; сбросы паролей; отключения [004 §5].",
    "year": "Даты учебного года, четверти и полугодия, каникулы и праздники, звонки.",
    "classes": "Предметы школы; классы года и их классные руководители.",
    "courses": "Кто какой предмет ведёт в каком классе, часы в неделю, деление на "
    "подгруппы, нагрузка учителей.",
    "timetable": "Неделя класса по урокам; перенос с даты, замены, отмены; создание уроков.",
    "plans": "Загрузка КТП из CSV или XLSX со сверкой часов за год.",
    "contingent": "Списки классов из файла; прибытие, выбытие, перевод по приказу [004 §5].",
    "rollover": "Закрыть год (архивная копия), новый год, перевод учащихся по приказу "
    "[000 §5.2.1].",
}
SCREENS = {
    "users": ("zhurnal.tui.screens.users", "UsersScreen"),
    "year": ("zhurnal.tui.screens.year", "YearScreen"),
    "classes": ("zhurnal.tui.screens.classes", "ClassesScreen"),
    "courses": ("zhurnal.tui.screens.courses", "CoursesScreen"),
    "timetable": ("zhurnal.tui.screens.timetable_admin", "TimetableAdminScreen"),
    "plans": ("zhurnal.tui.screens.plans", "PlanImportScreen"),
    "contingent": ("zhurnal.tui.screens.contingent", "ContingentScreen"),
    "rollover": ("zhurnal.tui.screens.rollover", "RolloverScreen"),
}
"""The screen of each task: module and class, built as ``Screen(actor)``."""


def task_screen(key: str, actor: Actor) -> Screen[None]:
    """The screen of the setup task ``key`` (one of ``SCREENS``) for ``actor``."""
    module, name = SCREENS[key]
    screen: Screen[None] = getattr(importlib.import_module(module), name)(actor)
    return screen


class AdminScreen(MenuScreen):
    """The setup tasks the user may open."""

    HELP_TITLE = "Администрирование"
    TITLE_TEXT = "Администрирование"

    def tasks(self) -> list[tuple[str, str]]:
        from zhurnal.core.readmodels.setup_status import setup_tasks

        return [(key, LABELS[key]) for key in setup_tasks(self.actor) if key in LABELS]

    def task_hints(self) -> dict[str, str]:
        return HINTS

    def on_mount(self) -> None:
        super().on_mount()
        if self.landing and any(key == "checklist" for key, _ in self.tasks()):
            self._first_look()

    @work(thread=True, exit_on_error=False, group="setup")
    def _first_look(self) -> None:
        from zhurnal.core.readmodels.setup_status import setup_status

        status = setup_status(self.register.database())
        if not status.ready:
            self.app.call_from_thread(self._show_checklist, status)

    def _show_checklist(self, status: SetupStatus | None = None) -> None:
        from zhurnal.tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.actor, self.open_task, status))

    def open_task(self, key: str) -> None:
        actor = self.actor
        if key == "checklist":
            self._show_checklist()
        elif key == "logins":
            from zhurnal.tui.screens.report_view import ReportScreen

            def logins(db: Database) -> Report:
                from zhurnal.core.readmodels.users import issued_logins
                from zhurnal.core.reports.users import logins_report

                return logins_report(issued_logins(db, actor))

            self.app.push_screen(ReportScreen("Реестр выданных логинов", logins))
        elif key in SCREENS:
            self.app.push_screen(task_screen(key, actor))
