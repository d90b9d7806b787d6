"""The «Заполнение журнала» report: a ``Completeness`` read model as a printable table.

One row per course, teacher or class (``by``), worst first as the read model orders
them, and a last row «Итого» with the totals of the range.
"""

from __future__ import annotations

from zhurnal.core.errors import ValidationError
from zhurnal.core.readmodels.completeness import Completeness, CompletenessRow
from zhurnal.core.reports.table import Report, ReportColumn, Value
from zhurnal.core.rules import fmt_dt

BY = {
    "courses": ("по предметам", ("Класс", "Предмет", "Учитель")),
    "teachers": ("по учителям", ("Учитель",)),
    "classes": ("по классам", ("Класс", "Кл. руководитель")),
}
"""What a row stands for: (subtitle, the text columns naming it)."""

TEXT_WIDTHS = {"Класс": 7, "Предмет": 28, "Учитель": 22, "Кл. руководитель": 22}

FIGURES = (
    ReportColumn("Уроков", "int", 8),
    ReportColumn("Без темы", "int", 9),
    ReportColumn("Без Д/З", "int", 9),
    ReportColumn("Без посещ.", "int", 10),
    ReportColumn("Без отметок, %", "percent", 10),
    ReportColumn("Одна отметка, %", "percent", 10),
    ReportColumn("Поздно", "int", 8),
    ReportColumn("Скоро закроются", "int", 10),
)

TOTAL = "Итого"


def _names(row: CompletenessRow, titles: tuple[str, ...]) -> tuple[Value, ...]:
    value = {
        "Класс": row.class_title,
        "Предмет": row.subject,
        "Учитель": row.teacher,
        "Кл. руководитель": row.teacher,  # a class's totals name its class teacher
    }
    return tuple(value[t] for t in titles)


def _figures(row: CompletenessRow) -> tuple[Value, ...]:
    return (
        row.lessons,
        row.no_topic,
        row.no_homework,
        row.no_attendance,
        row.no_marks_pct,
        row.one_mark_pct,
        row.late,
        row.locking_soon,
    )


def _overdue(c: Completeness) -> tuple[str, ...]:
    """The students still without a period mark after its deadline [004 §3.9], if any."""
    n = c.total.period_marks_overdue
    return (f"Итоговые отметки не выставлены в срок: {n}",) if n else ()


def completeness_report(c: Completeness, by: str = "courses") -> Report:
    """The report of ``c`` per course, teacher or class (``by``: "courses", "teachers",
    "classes"), with the totals as the last row."""
    if by not in BY:
        raise ValidationError(
            f"Отчёт о заполнении строится по предметам, учителям или классам, не «{by}»."
        )
    what, titles = BY[by]
    rows = {"courses": c.rows, "teachers": c.by_teacher, "classes": c.by_class}[by]
    columns = tuple(ReportColumn(t, "text", TEXT_WIDTHS[t]) for t in titles) + FIGURES
    total = (TOTAL,) + ("",) * (len(titles) - 1) + _figures(c.total)
    return Report(
        title=f"Заполнение журнала: {c.title}",
        columns=columns,
        rows=(*(_names(r, titles) + _figures(r) for r in rows), total),
        subtitle=(f"Сводка {what}", f"Сформирован {fmt_dt(c.now)}", *_overdue(c)),
        footer=(
            "Учтены уроки, начавшиеся к моменту отчёта (кроме отменённых). «Без отметок» и "
            "«Одна отметка» — доля учеников, числившихся в классе (группе) в эти даты; в "
            "1-м классе отметки не ставятся. «Поздно» — записи после срока внесения. "
            "«Скоро закроются» — уроки с пропусками, редактирование которых закроется в "
            "ближайшие 3 дня. В строке предмета — все его уроки и учитель предмета; в "
            "сводке по учителям урок на замене засчитан заменявшему учителю.",
        ),
        name=f"completeness_{by}",
        landscape=True,
    )


__all__ = ["completeness_report"]
