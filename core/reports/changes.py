"""«Таблица учёта изменений в электронном журнале» [004 §7.5]: printed with the summary
sheet of marks, one line per cell entered under a director's leave."""

from __future__ import annotations

from collections.abc import Sequence

from zhurnal.core.readmodels.changes import ChangeRow
from zhurnal.core.reports.table import Report, ReportColumn

TITLE = "Таблица учёта изменений в электронном журнале"

COLUMNS = (
    ReportColumn("Дата внесения", "datetime", 16),
    ReportColumn("Дата записи", "date", 11),
    ReportColumn("Класс", "text", 6),
    ReportColumn("Предмет", "text", 14),
    ReportColumn("Ученик", "text", 22),
    ReportColumn("Что исправлено", "text", 26),
    ReportColumn("Было", "text", 12),
    ReportColumn("Стало", "text", 12),
    ReportColumn("Основание [004 §7.1]", "text", 30),
    ReportColumn("Документ", "text", 20),
    ReportColumn("Разрешил", "text", 22),
    ReportColumn("Внёс", "text", 22),
    ReportColumn("№ заявки", "int", 8),
)


def change_table_report(rows: Sequence[ChangeRow], subtitle: str = "") -> Report:
    """The change table as a ``Report`` (``core.readmodels.change_table`` gives the rows)."""
    return Report(
        title=TITLE,
        columns=COLUMNS,
        rows=tuple(
            (
                r.entered_at,
                r.record_date,
                r.class_title,
                r.subject,
                r.student,
                r.what,
                r.old,
                r.new,
                r.ground,
                r.document,
                r.approved_by,
                r.entered_by,
                r.correction_id,
            )
            for r in rows
        ),
        subtitle=(subtitle,) if subtitle else (),
        footer=(f"Изменений: {len(rows)}.",),
        name="changes",
        landscape=True,
    )
