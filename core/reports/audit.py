"""The audit journal and the weekly activity report as printable tables [000 §6.1]."""

from __future__ import annotations

from collections.abc import Iterable

from zhurnal.core.readmodels.activity import ActivityRow
from zhurnal.core.readmodels.audit_log import AuditPage
from zhurnal.core.reports.table import Report, ReportColumn


def audit_report(page: AuditPage, subtitle: str) -> Report:
    """«Журнал действий»: one line per event, newest first [002 §2.9]."""
    columns = (
        ReportColumn("№", "int", 8),
        ReportColumn("Время", "datetime", 16),
        ReportColumn("Пользователь", "text", 24),
        ReportColumn("Логин", "text", 12),
        ReportColumn("Вид", "text", 14),
        ReportColumn("Что", "text", 50),
        ReportColumn("Было", "text", 12),
        ReportColumn("Стало", "text", 12),
        ReportColumn("Сеанс", "text", 16),
        ReportColumn("Корректировка", "int", 8),
    )
    rows = tuple(
        (
            r.id,
            r.ts,
            r.user,
            r.login,
            r.kind,
            r.what,
            r.old,
            r.new,
            r.session,
            r.correction_id,
        )
        for r in page.rows
    )
    footer = ("Показаны не все события: уточните отбор.",) if page.more else ()
    return Report(
        "Журнал действий",
        columns,
        rows,
        subtitle=(subtitle,) if subtitle else (),
        footer=footer,
        name="audit_log",
        landscape=True,
    )


def activity_report(rows: Iterable[ActivityRow], subtitle: str) -> Report:
    """«Отчёт об активности пользователей» for a week [000 §6.1]."""
    columns = (
        ReportColumn("Пользователь", "text", 28),
        ReportColumn("Роли", "text", 20),
        ReportColumn("Входов", "int", 8),
        ReportColumn("Дней работы", "int", 8),
        ReportColumn("Отметок", "int", 8),
        ReportColumn("Уроков заполнено", "int", 10),
        ReportColumn("Посещаемость", "int", 10),
        ReportColumn("Проведено уроков", "int", 10),
        ReportColumn("Без темы", "int", 8),
        ReportColumn("С опозданием", "int", 10),
        ReportColumn("Отказов", "int", 8),
        ReportColumn("Последний вход", "datetime", 16),
    )
    table = tuple(
        (
            r.user if r.active else f"{r.user} (отключён)",
            r.roles,
            r.logins,
            r.active_days,
            r.marks,
            r.lessons_filled,
            r.attendance,
            r.lessons_held,
            r.lessons_empty,
            r.late,
            r.denials,
            r.last_login,
        )
        for r in rows
    )
    return Report(
        "Отчёт об активности пользователей",
        columns,
        table,
        subtitle=(subtitle,) if subtitle else (),
        name="user_activity",
        landscape=True,
    )
