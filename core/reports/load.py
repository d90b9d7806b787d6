"""«Нагрузка учителей» and «Недельная нагрузка классов» as printable tables
(``readmodels.load``)."""

from __future__ import annotations

from zhurnal.core.readmodels.load import SANPIN, SchoolLoad
from zhurnal.core.reports.table import Report, ReportColumn, Signature, Value


def hours_text(hours: float) -> str:
    """«5», «0,5»: hours as a Russian reader writes them."""
    return f"{hours:g}".replace(".", ",")


def load_report(load: SchoolLoad, subtitle: str = "") -> Report:
    """One line per course a teacher keeps, then the teacher's total; teachers by name."""
    columns = (
        ReportColumn("Учитель", "text", 30),
        ReportColumn("Класс", "text", 6),
        ReportColumn("Предмет", "text", 34),
        ReportColumn("Часов в неделю", "float", 9),
    )
    rows: list[tuple[Value, ...]] = []
    for t in load.teachers:
        name = t.name if t.active else f"{t.name} (отключён)"
        for line in t.lines:
            rows.append((name, line.class_title, line.subject_title, line.hours_per_week))
        lead = f"; кл. руководитель {t.leads}" if t.leads else ""
        rows.append((name, "", f"Итого{lead}" if t.lines else f"нет часов{lead}", t.total))
    over = [c for c in load.classes if c.over > 0]
    footer = [
        f"Учителей: {len(load.teachers)}; всего часов в неделю: {hours_text(load.total)}.",
        *(
            f"Внимание: у ученика {c.title} {hours_text(c.pupil_hours)} ч в неделю — больше "
            f"предела {c.limit} ч для {c.grade} класса ({SANPIN})."
            for c in over
        ),
    ]
    return Report(
        "Нагрузка учителей",
        columns,
        tuple(rows),
        subtitle=tuple(p for p in (f"Учебный год {load.year}", subtitle) if p),
        footer=tuple(footer),
        name="teachers_load",
        signatures=(Signature("Заместитель директора"),),
    )


def class_load_report(load: SchoolLoad, subtitle: str = "") -> Report:
    """One line per class: a pupil's week against the ceiling of the grade."""
    columns = (
        ReportColumn("Класс", "text", 6),
        ReportColumn("У ученика, ч в неделю", "float", 12),
        ReportColumn("Предел по СанПиН", "int", 10),
        ReportColumn("Сверх предела", "float", 10),
        ReportColumn("Часов учителей (с подгруппами)", "float", 14),
    )
    rows = tuple(
        (c.title, c.pupil_hours, c.limit, c.over or None, c.taught_hours) for c in load.classes
    )
    return Report(
        "Недельная нагрузка классов",
        columns,
        rows,
        subtitle=tuple(p for p in (f"Учебный год {load.year}", subtitle) if p),
        footer=(f"Предел — максимальная недельная нагрузка ученика: {SANPIN}.",),
        name="classes_load",
    )
