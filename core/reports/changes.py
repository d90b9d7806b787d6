"""«Таблица учёта изменений в электронном журнале» [004 §7.5]: printed with the summary
sheet of marks, one line per cell entered under a director's leave."""

from __future__ import annotations

from collections.abc import Sequence

from zhurnal.core.readmodels.changes import ChangeRow
from zhurnal.core.reports.table import Report, ReportColumn

TITLE = "Таблица учёта изменений в электронном журнале"

# Short titles: the report screen keeps dates whole and narrows text columns to 8 at 80
# columns; what a reader looks for comes first (the record's date, class, subject, student,
# the cell, old -> new), the leave's papers after it (scrolled to, and shown whole for the
# highlighted row under the table).  Files keep every column at the widths given here.
COLUMNS = (
    ReportColumn("Дата", "date", 11),  # of the record changed (a period mark: period end)
    ReportColumn("Класс", "text", 5),
    ReportColumn("Предмет", "text", 14),
    ReportColumn("Ученик", "text", 22),
    ReportColumn("Запись", "text", 26),
    ReportColumn("Было", "text", 12),
    ReportColumn("Стало", "text", 12),
    ReportColumn("Причина", "text", 30),  # the ground [004 §7.1]
    ReportColumn("Документ", "text", 20),
    ReportColumn("Разрешил", "text", 22),
    ReportColumn("Внёс", "text", 22),
    ReportColumn("Внесено", "datetime", 16),
    ReportColumn("Заявка", "int", 6),
)


def change_table_report(rows: Sequence[ChangeRow], subtitle: str = "") -> Report:
    """The change table as a ``Report`` (``core.readmodels.change_table`` gives the rows)."""
    return Report(
        title=TITLE,
        columns=COLUMNS,
        rows=tuple(
            (
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
                r.entered_at,
                r.correction_id,
            )
            for r in rows
        ),
        subtitle=(subtitle,) if subtitle else (),
        footer=(f"Изменений: {len(rows)}.",),
        name="changes",
        landscape=True,
    )
