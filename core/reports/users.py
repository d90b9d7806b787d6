"""The register of issued logins as a printable table [004 §5 «Администратор»]."""

from __future__ import annotations

from collections.abc import Iterable

from zhurnal.core.readmodels.users import IssuedLogin
from zhurnal.core.reports.table import Report, ReportColumn, Signature


def logins_report(rows: Iterable[IssuedLogin], subtitle: str = "") -> Report:
    """«Реестр выданных логинов»: one line per login ever issued, active or disabled."""
    columns = (
        ReportColumn("№", "int", 5),
        ReportColumn("Логин", "text", 16),
        ReportColumn("ФИО", "text", 28),
        ReportColumn("Роли", "text", 22),
        ReportColumn("Выдан", "datetime", 16),
        ReportColumn("Кем выдан", "text", 22),
        ReportColumn("Последний сброс пароля", "datetime", 16),
        ReportColumn("Состояние", "text", 10),
        ReportColumn("Отключён", "datetime", 16),
        ReportColumn("Кем отключён", "text", 22),
    )
    listed = list(rows)
    table = tuple(
        (
            n,
            r.login,
            r.full_name,
            r.roles,
            r.issued_at,
            r.issued_by,
            r.password_reset_at,
            "действует" if r.active else "отключён",
            r.deactivated_at,
            r.deactivated_by,
        )
        for n, r in enumerate(listed, 1)
    )
    active = sum(r.active for r in listed)
    return Report(
        "Реестр выданных логинов",
        columns,
        table,
        subtitle=(subtitle,) if subtitle else (),
        footer=(f"Всего логинов: {len(listed)}, действующих: {active}.",),
        name="issued_logins",
        landscape=True,
        signatures=(Signature("Администратор ЭЖ"),),
    )
