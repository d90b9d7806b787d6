"""The summary sheets as ``Report`` tables [004 §5, 002 §2.8].

Each builder takes the read model (``core.readmodels.sheets`` / ``movement``) and
returns a :class:`Report`; the ``*_report(db, actor, …)`` functions read and build in
one call.  Every sheet's footer carries the audit chain's head and when it was taken
(``stamp_lines``), so a paper copy names the database state it came from [002 §2.9], and
the signature lines of the class teacher and the deputy.
"""

from __future__ import annotations

from datetime import date

from zhurnal.core.actor import Actor
from zhurnal.core.anchors import head_of
from zhurnal.core.db import Database
from zhurnal.core.readmodels.movement import KIND_NAMES, MovementSheet, movement_sheet
from zhurnal.core.readmodels.sheets import (
    AttendanceCount,
    AttendanceSheet,
    ClassResults,
    ClassSummary,
    ProgressSheet,
    Stamp,
    attendance_sheet,
    class_results,
    progress_sheet,
)
from zhurnal.core.reports.table import Report, ReportColumn, Signature, Value
from zhurnal.core.rules import fmt_date, fmt_dt

MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
DEPUTY = "Заместитель директора"


def month_name(first: date) -> str:
    return f"{MONTHS[first.month - 1]} {first.year}"


def stamp_lines(st: Stamp) -> tuple[str, ...]:
    return (
        f"Сформировано {fmt_dt(st.taken_at)}, {st.taken_by}.",
        f"Контроль целостности: журнал аудита, событие № {st.last_event_id}, "
        f"хеш {st.chain_head} (у события № {st.last_event_id} в базе должен быть этот хеш; "
        "цепочку проверяет «zhurnal verify»).",
        f"Вершина цепочки: {head_of(st.last_event_id, st.chain_head)} — проверка: "
        f"zhurnal verify --expect {head_of(st.last_event_id, st.chain_head)}",
    )


def short_name(full_name: str) -> str:
    """«Классова Ольга Николаевна» -> «Классова О. Н.»."""
    last, *rest = full_name.split() or [""]
    return " ".join([last, *(f"{part[0]}." for part in rest)])


def signatures(class_teacher: str) -> tuple[Signature, ...]:
    return (Signature("Классный руководитель", short_name(class_teacher)), Signature(DEPUTY))


def _fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def summary_lines(s: ClassSummary, as_of: date) -> tuple[str, ...]:
    return (
        f"Учащихся на {fmt_date(as_of)}: {s.students}. Отличников: {s.excellent}, "
        f"хорошистов: {s.good}, с одной «3»: {s.one_three}, неуспевающих: {s.failing}, "
        f"не аттестовано (н/а): {s.not_attested}, не все отметки выставлены: {s.incomplete}.",
        f"Успеваемость: {_fmt_pct(s.success_pct)}. Качество знаний: {_fmt_pct(s.quality_pct)}.",
    )


def _period_line(name: str, start: date, end: date) -> str:
    return f"{name}: {fmt_date(start)} — {fmt_date(end)}"


# --- progress -------------------------------------------------------------------------------


def progress_table(sheet: ProgressSheet) -> Report:
    columns = (
        ReportColumn("№", "int", 4),
        ReportColumn("Ученик", "text", 28),
        *(ReportColumn(short, "text", 6) for short in sheet.subject_short),
        ReportColumn("Кол-во «2»", "int", 6),
        ReportColumn("Итог", "text", 12),
        ReportColumn("Примечание", "text", 16),
    )
    rows: list[tuple[Value, ...]] = [
        (n, r.name, *r.marks, r.twos, r.status, r.note) for n, r in enumerate(sheet.rows, start=1)
    ]
    legend = ", ".join(
        f"{short} — {name}"
        for short, name in zip(sheet.subject_short, sheet.subjects, strict=True)
        if short != name
    )
    notes = ["Отметки — итоговые за период; пустая клетка — отметка ещё не выставлена."]
    if sheet.preliminary:
        notes.append("В скобках — отметка по средневзвешенному баллу, итоговая ещё не выставлена.")
    if sheet.no_marks:
        notes.append("1 класс: безотметочное обучение [004 §3.5], качество не считается.")
    return Report(
        title=("Предварительная с" if sheet.preliminary else "С")
        + f"водная ведомость учёта успеваемости обучающихся {sheet.class_title} класса",
        columns=columns,
        rows=tuple(rows),
        subtitle=(
            f"Класс {sheet.class_title}, классный руководитель {sheet.class_teacher or '—'}",
            _period_line(sheet.period.name, sheet.period.start, sheet.period.end),
            *notes,
            *((f"Предметы: {legend}.",) if legend else ()),
        ),
        footer=(*summary_lines(sheet.summary, sheet.as_of), *stamp_lines(sheet.stamp)),
        name=f"progress-{sheet.class_id}-{sheet.period.id}",
        landscape=len(sheet.subjects) > 6,
        signatures=signatures(sheet.class_teacher),
        extra={"chain_head": sheet.stamp.chain_head},
    )


def progress_report(
    db: Database, actor: Actor, class_id: int, period_id: int, *, preliminary: bool = False
) -> Report:
    return progress_table(progress_sheet(db, actor, class_id, period_id, preliminary=preliminary))


# --- attendance -----------------------------------------------------------------------------

ATTENDANCE_COLUMNS = (
    ReportColumn("Ученик", "text", 28),
    ReportColumn("Месяц", "text", 14),
    ReportColumn("Пропущено уроков", "int", 10),
    ReportColumn("по болезни (Б)", "int", 10),
    ReportColumn("по уважит. причине (УП)", "int", 11),
    ReportColumn("без уважит. причины (Н)", "int", 11),
    ReportColumn("Опоздания (ОП)", "int", 10),
)
TOTAL = "за период"
CLASS_ROW = "Весь класс"


def _counts(c: AttendanceCount) -> tuple[int, ...]:
    return (c.missed, c.ill, c.excused, c.unexcused, c.late)


def attendance_table(sheet: AttendanceSheet) -> Report:
    rows: list[tuple[Value, ...]] = []
    for r in sheet.rows:
        name = f"{r.name} ({r.note})" if r.note else r.name
        for month, count in zip(sheet.months, r.months, strict=True):
            rows.append((name, month_name(month), *_counts(count)))
        rows.append((name, TOTAL, *_counts(r.total)))
    for month, count in zip(sheet.months, sheet.month_totals, strict=True):
        rows.append((CLASS_ROW, month_name(month), *_counts(count)))
    rows.append((CLASS_ROW, TOTAL, *_counts(sheet.total)))
    held = ", ".join(
        f"{month_name(m)} — {n}" for m, n in zip(sheet.months, sheet.lessons, strict=True)
    )
    t = sheet.total
    return Report(
        title=f"Отчёт о посещаемости {sheet.class_title} класса (по месяцам)",
        columns=ATTENDANCE_COLUMNS,
        rows=tuple(rows),
        subtitle=(
            f"Класс {sheet.class_title}, классный руководитель {sheet.class_teacher or '—'}",
            _period_line("Период", sheet.start, sheet.end),
            f"Проведено уроков в классе: {held}.",
        ),
        footer=(
            f"Всего пропущено уроков: {t.missed}, из них по болезни: {t.ill}, "
            f"по уважительной причине: {t.excused}, без уважительной причины: {t.unexcused}. "
            f"Опозданий: {t.late}.",
            *stamp_lines(sheet.stamp),
        ),
        name=f"attendance-{sheet.class_id}-{sheet.start:%Y%m%d}-{sheet.end:%Y%m%d}",
        signatures=signatures(sheet.class_teacher),
        extra={"chain_head": sheet.stamp.chain_head},
    )


def attendance_report(db: Database, actor: Actor, class_id: int, start: date, end: date) -> Report:
    return attendance_table(attendance_sheet(db, actor, class_id, start, end))


# --- movement -------------------------------------------------------------------------------


def movement_table(sheet: MovementSheet) -> Report:
    rows: tuple[tuple[Value, ...], ...] = tuple(
        (ev.day, ev.name, KIND_NAMES[ev.kind], ev.class_title, ev.other_class, ev.order, ev.reason)
        for ev in sheet.events
    )
    where = f"{sheet.scope} класса" if sheet.class_id is not None else "по школе"
    return Report(
        title=f"Сводная ведомость учёта движения учащихся {where}",
        columns=(
            ReportColumn("Дата", "date", 11),
            ReportColumn("Ученик", "text", 28),
            ReportColumn("Движение", "text", 12),
            ReportColumn("Класс", "text", 7),
            ReportColumn("Откуда / куда", "text", 12),
            ReportColumn("Приказ", "text", 16),
            ReportColumn("Причина", "text", 20),
        ),
        rows=rows,
        subtitle=(_period_line("Период", sheet.start, sheet.end),),
        footer=(
            f"На начало периода: {sheet.at_start}. Прибыло: {sheet.arrivals}. "
            f"Выбыло: {sheet.departures}. Переводов между классами: {sheet.transfers}. "
            f"На конец периода: {sheet.at_end}.",
            *stamp_lines(sheet.stamp),
        ),
        name=f"movement-{sheet.class_id or 'school'}-{sheet.start:%Y%m%d}-{sheet.end:%Y%m%d}",
        landscape=True,
        signatures=(Signature(DEPUTY),),
        extra={"chain_head": sheet.stamp.chain_head},
    )


def movement_report(
    db: Database, actor: Actor, start: date, end: date, class_id: int | None = None
) -> Report:
    return movement_table(movement_sheet(db, actor, start, end, class_id))


# --- the class teacher's report -------------------------------------------------------------


def class_results_table(results: ClassResults) -> Report:
    p, a = results.progress, results.attendance
    s, t = p.summary, a.total

    def share(n: int) -> float | None:
        return None if p.no_marks or not s.students else round(n * 100 / s.students, 1)

    rows: tuple[tuple[Value, ...], ...] = (
        (f"Учащихся на {fmt_date(p.as_of)}", s.students, None),
        ("Отличники", s.excellent, share(s.excellent)),
        ("Хорошисты", s.good, share(s.good)),
        ("С одной «3»", s.one_three, share(s.one_three)),
        ("Неуспевающие", s.failing, share(s.failing)),
        ("Не аттестованы (н/а)", s.not_attested, share(s.not_attested)),
        ("Не все отметки выставлены", s.incomplete, share(s.incomplete)),
        ("Успеваемость", None, s.success_pct),
        ("Качество знаний", None, s.quality_pct),
        ("Проведено уроков", sum(a.lessons), None),
        ("Пропущено уроков", t.missed, None),
        ("  по болезни (Б)", t.ill, None),
        ("  по уважительной причине (УП)", t.excused, None),
        ("  без уважительной причины (Н)", t.unexcused, None),
        ("Опоздания (ОП)", t.late, None),
    )
    return Report(
        title=f"Отчёт классного руководителя {p.class_title} класса за учебный период",
        columns=(
            ReportColumn("Показатель", "text", 34),
            ReportColumn("Количество", "int", 12),
            ReportColumn("%", "percent", 10),
        ),
        rows=rows,
        subtitle=(
            f"Класс {p.class_title}, классный руководитель {p.class_teacher or '—'}",
            _period_line(p.period.name, p.period.start, p.period.end),
        ),
        footer=stamp_lines(p.stamp),
        name=f"class-results-{p.class_id}-{p.period.id}",
        signatures=signatures(p.class_teacher),
        extra={"chain_head": p.stamp.chain_head},
    )


def class_results_report(db: Database, actor: Actor, class_id: int, period_id: int) -> Report:
    return class_results_table(class_results(db, actor, class_id, period_id))


__all__ = [
    "attendance_report",
    "attendance_table",
    "class_results_report",
    "class_results_table",
    "movement_report",
    "movement_table",
    "progress_report",
    "progress_table",
]
