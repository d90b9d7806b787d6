"""The writers: one :class:`Report` to CSV, XLSX or PDF with the same figures.

No writer knows a report (DESIGN.md "Reports"): each reads only the ``Report``'s title,
typed columns, rows, footer and signatures.

- CSV is the table alone (header row + rows): UTF-8 with a BOM and «;» between cells,
  numbers with a decimal comma, dates as ДД.ММ.ГГГГ — what Russian Excel opens as is, and
  what ``csv.reader(..., delimiter=";")`` reads back to the same figures.  Titles,
  notes and signatures belong to the printed forms (XLSX, PDF).
- XLSX: title and subtitle rows, a bold frozen header, typed cells (numbers, dates with
  the ДД.ММ.ГГГГ format, percents), column widths, footer and signature lines.
- PDF: DejaVu Sans (shipped, Cyrillic), title, subtitle, the table with its header on
  every page, «Стр. 1 из N», footer and signature lines.

A file is written to a temporary name beside the target and renamed at the end, so a
failed write leaves nothing half-made; a bad place is a ``ReportWriteError`` in Russian.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from zhurnal.core.errors import DomainError
from zhurnal.core.files import os_reason
from zhurnal.core.reports.table import Report, ReportColumn, Value

FORMATS = ("csv", "xlsx", "pdf")


class ReportWriteError(DomainError):
    title = "Отчёт не записан"


def report_format(path: Path, fmt: str | None = None) -> str:
    """The format asked for, else the file's suffix; a ``ReportWriteError`` when neither
    names one of ``FORMATS``."""
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ReportWriteError(
            f"Неизвестный формат отчёта «{fmt or path.suffix}»: нужен csv, xlsx или pdf."
        )
    return chosen


def check_target(path: Path, fmt: str | None = None) -> str:
    """The format a file at ``path`` would be written in, after checking the place (a
    ``ReportWriteError`` if it cannot be written): check before the work, not after."""
    _check_place(Path(path))
    return report_format(Path(path), fmt)


def write_report(report: Report, path: Path, fmt: str | None = None) -> Path:
    """Write ``report`` to ``path`` as ``fmt`` (csv, xlsx, pdf; by default from the suffix)."""
    path = Path(path)
    _check_place(path)
    kind = report_format(path, fmt)
    render: Callable[[Report], bytes] = {"csv": to_csv, "xlsx": to_xlsx, "pdf": _to_pdf}[kind]
    data = render(report)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".zhurnal-", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ReportWriteError(_os_message(path, exc)) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportWriteError(_os_message(path, exc)) from exc
    return path


def _to_pdf(report: Report) -> bytes:
    from zhurnal.core.reports.pdf import to_pdf

    return to_pdf(report)


def _check_place(path: Path) -> None:
    parent = path.parent
    if path.is_dir():
        raise ReportWriteError(f"«{path}» — это папка: укажите имя файла отчёта.")
    if not parent.is_dir():
        raise ReportWriteError(f"Папки «{parent}» нет: отчёт не записан.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportWriteError(f"Нет прав на запись в папку «{parent}»: отчёт не записан.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ReportWriteError(f"Файл «{path}» защищён от записи: отчёт не записан.")


def _os_message(path: Path, exc: OSError) -> str:
    return f"Не удалось записать «{path}»: {os_reason(exc, 'ошибка записи')}."


# --- plain text of a value (CSV, PDF) -------------------------------------------------------


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def text_of(value: Value, column: ReportColumn) -> str:
    """The value as a Russian reader writes it: 4,25; 66,7; 23.11.2026; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) or column.kind in ("float", "percent"):
        if isinstance(value, (int, float)):
            return _number(float(value), 1 if column.kind == "percent" else 2)
    return str(value)


# --- CSV --------------------------------------------------------------------------------------


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """User text (a topic, a name) that a spreadsheet would run as a formula, made plain
    with the apostrophe Excel itself puts before such text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.title for c in report.columns])
    for row in report.rows:
        writer.writerow(
            [
                inert(text_of(v, c)) if isinstance(v, str) else text_of(v, c)
                for v, c in zip(row, report.columns, strict=True)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------

XLSX_FORMATS = {
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
    "float": "0.00",
    "percent": "0.0%",
    "int": "0",
}


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = (report.name or "report")[:31]
    wb.properties.title = report.title
    for key, value in report.extra.items():
        wb.custom_doc_props.append(StringProperty(name=key, value=value))
    r = 1
    ws.cell(row=r, column=1, value=report.title).font = Font(bold=True, size=14)
    for line in report.subtitle:
        r += 1
        ws.cell(row=r, column=1, value=line)
    header_row = r + 2  # an empty row between
    bold = Font(bold=True)
    for index, column in enumerate(report.columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width + 2
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    r = header_row
    for row in report.rows:
        r += 1
        for index, (item, column) in enumerate(zip(row, report.columns, strict=True), start=1):
            if item is None:
                continue
            cell = ws.cell(row=r, column=index, value=_xlsx_value(item, column))
            if isinstance(item, str):
                cell.data_type = "s"  # text, never a formula
            if column.kind in XLSX_FORMATS:
                cell.number_format = XLSX_FORMATS[column.kind]
    r += 1  # an empty row between
    for line in (*report.footer, *(s.line for s in report.signatures)):
        r += 1
        ws.cell(row=r, column=1, value=line)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if report.landscape else "portrait"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_value(value: Value, column: ReportColumn) -> Value:
    if column.kind == "percent" and isinstance(value, (int, float)):
        return float(value) / 100
    return value


__all__ = [
    "FORMATS",
    "ReportWriteError",
    "check_target",
    "report_format",
    "text_of",
    "to_csv",
    "to_xlsx",
    "write_report",
]
