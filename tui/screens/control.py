"""«Контроль журнала»: the deputy's and the director's home [004 §3.11, §5, §7; 002 §4.3].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the task |
| t | the timetable (a deputy who also teaches) |
| l | log out |

Tasks: the school's fill completeness, a class (its completeness, journal, period
marks, reports), late corrections, the change table, the audit journal, the weekly
activity of users, a compromised login, the school's reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhurnal.tui.screens.menu import MenuScreen

if TYPE_CHECKING:
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels import ClassRef
    from zhurnal.core.reports.table import Report

TASKS = (
    ("completeness", "Заполнение журнала — вся школа"),
    ("classes", "Классы: заполнение, журнал, итоговые отметки, отчёты"),
    ("corrections", "Корректировки: заявки на исправление после закрытия"),
    ("changes", "Таблица учёта изменений"),
    ("audit", "Журнал действий"),
    ("activity", "Активность пользователей за неделю"),
    ("incident", "Нарушение конфиденциальности: инцидент"),
    ("movement", "Движение учащихся"),
)
HINTS = {
    "completeness": "Кто что не заполнил: по классам, предметам и учителям, худшие сверху.",
    "classes": "Выберите класс: его заполнение, журнал всех предметов, ведомости.",
    "corrections": "Заявки учителей и классных руководителей; решение директора; "
    "внесение исправлений заместителем директора [004 §7].",
    "changes": "Все исправления, внесённые после закрытия записей [004 §7.5].",
    "audit": "Кто, что и когда изменил: отбор по пользователю, классу, предмету, датам.",
    "activity": "Входы и работа каждого пользователя за неделю [000 §6.1].",
    "incident": "Заблокировать скомпрометированный логин и отменить его действия [002 §4.3–4.4].",
    "movement": "Прибытие и выбытие учащихся за период, с номерами приказов.",
    "setup": "Учебный год, классы, предметы, расписание, КТП; переход на новый год.",
}
SETUP_LABEL = "Настройка: учебный год, классы, расписание"
ROLLOVER_LABEL = "Переход на новый учебный год"


class ControlScreen(MenuScreen):
    """The school's register under control: a task per line."""

    HELP_TITLE = "Контроль журнала"
    TITLE_TEXT = "Контроль журнала"

    def tasks(self) -> list[tuple[str, str]]:
        from zhurnal.core.readmodels.setup_status import setup_tasks

        setup = setup_tasks(self.actor)
        if not setup:
            return list(TASKS)
        label = SETUP_LABEL if "year" in setup else ROLLOVER_LABEL
        return [*TASKS, ("setup", label)]

    def task_hints(self) -> dict[str, str]:
        return HINTS

    def open_task(self, key: str) -> None:
        today = self.register.today()
        actor = self.actor
        if key == "completeness":
            from zhurnal.tui.screens.completeness import CompletenessScreen

            self.app.push_screen(CompletenessScreen(actor, None))
        elif key == "classes":
            self.pick_class(self._open_class)
        elif key == "corrections":
            from zhurnal.tui.screens.corrections import CorrectionsScreen

            self.app.push_screen(CorrectionsScreen(actor))
        elif key == "changes":
            from zhurnal.tui.screens.report_view import ReportScreen

            def changes(db: Database) -> Report:
                from zhurnal.core.readmodels import change_table
                from zhurnal.core.reports.changes import change_table_report

                return change_table_report(change_table(db, actor), "Вся школа")

            self.app.push_screen(ReportScreen("Таблица учёта изменений", changes))
        elif key == "audit":
            from zhurnal.tui.screens.audit import AuditScreen

            self.app.push_screen(AuditScreen(actor))
        elif key == "activity":
            from zhurnal.tui.screens.report_view import ReportScreen

            def activity(db: Database) -> Report:
                from datetime import timedelta

                from zhurnal.core.readmodels.activity import user_activity
                from zhurnal.core.reports.audit import activity_report

                start = today - timedelta(days=today.weekday())
                end = start + timedelta(days=6)
                rows = user_activity(db, actor, start, end)
                return activity_report(rows, f"Неделя {start:%d.%m}–{end:%d.%m.%Y}")

            self.app.push_screen(ReportScreen("Активность пользователей", activity))
        elif key == "incident":
            from zhurnal.tui.screens.incident import IncidentScreen

            self.app.push_screen(IncidentScreen(actor))
        elif key == "setup":
            from zhurnal.core.readmodels.setup_status import setup_tasks
            from zhurnal.tui.screens.admin import AdminScreen, task_screen

            only = setup_tasks(actor)
            self.app.push_screen(
                task_screen(only[0], actor) if len(only) == 1 else AdminScreen(actor)
            )
        elif key == "movement":
            from zhurnal.tui.screens.report_view import ReportScreen

            def movement(db: Database) -> Report:
                from zhurnal.core.readmodels import report_spans
                from zhurnal.core.reports.sheets import movement_report

                year = report_spans(db, actor, today)[-1]
                return movement_report(db, actor, year.start, year.end)

            self.app.push_screen(ReportScreen("Движение учащихся", movement))

    def _open_class(self, klass: ClassRef) -> None:
        from zhurnal.tui.screens.class_home import ClassScreen

        self.app.push_screen(ClassScreen(self.actor, klass.id, klass.title))
