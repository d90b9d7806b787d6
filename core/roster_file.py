"""Class lists as a school already has them: CSV or XLSX, read into rows (no database).

Columns are found by a header row, recognised by its names (Russian, any case, ё = е):
the full name in one column («ФИО») or in three (Фамилия, Имя, Отчество), the birth date
(«Дата рождения») and the class («Класс»). Other columns (№ п/п, пол, адрес…) are ignored.
A title line above the header is skipped; a two-line header made of merged cells («ФИО»
over Фамилия | Имя | Отчество, «Дата рождения» merged down) is read column by column.

CSV: UTF-8 (with or without BOM), UTF-16 or cp1251, detected; ``;``, ``,`` or tab.
XLSX: openpyxl, read-only. Whole-file problems (binary garbage, an empty or header-only
file, no recognisable header) raise ``ValidationError``; a row's problems are the
service's to report (``core/services/class_lists.py``), except a CSV field too large to
read, reported here by line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from zhurnal.core.errors import ValidationError

FIELDS = ("fio", "last", "first", "middle", "birth", "class")
FIELD_NAMES = {
    "fio": "ФИО",
    "last": "Фамилия",
    "first": "Имя",
    "middle": "Отчество",
    "birth": "Дата рождения",
    "class": "Класс",
}
_SYNONYMS = {
    "fio": {
        "фио",
        "фамилия имя отчество",
        "фио ученика",
        "фио обучающегося",
        "ученик",
        "обучающийся",
        "учащийся",
    },
    "last": {"фамилия"},
    "first": {"имя"},
    "middle": {"отчество"},
    "birth": {"дата рождения", "др", "рождения", "дата рожд"},
    "class": {"класс", "класс группа"},
}
HEADER_SEARCH_ROWS = 10
MAX_CSV_FIELD = 131072  # the csv module's own limit; a larger field is refused by line


@dataclass(frozen=True)
class Cell:
    column: int  # 1-based
    value: str | date


@dataclass
class RosterRow:
    """One data row: its line in the file and the recognised cells (by ``FIELDS`` key)."""

    line: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def text(self, key: str) -> str:
        cell = self.cells.get(key)
        if cell is None:
            return ""
        return cell.value if isinstance(cell.value, str) else cell.value.strftime("%d.%m.%Y")


@dataclass
class Roster:
    rows: list[RosterRow]
    columns: dict[str, int]  # field -> 1-based column
    errors: list[tuple[int, str]] = field(default_factory=list)  # unreadable lines


def _norm(text: str) -> str:
    text = text.replace("ё", "е").replace("Ё", "Е").lower()
    text = re.sub(r"[.,:;()/\-_*№\"«»]", " ", text)
    return " ".join(text.split())


def header_field(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    name = _norm(text)
    for key, names in _SYNONYMS.items():
        if name in names:
            return key
    # «Ф.И.О. учащегося», «ФИО ребёнка», «Дата рождения (ДД.ММ.ГГГГ)»
    if name.startswith(("фио ", "ф и о")):
        return "fio"
    if name.startswith("дата рождения"):
        return "birth"
    return None


def _cell_text(value: object) -> str | date:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _names(cells: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for n, c in enumerate(cells, start=1):
        key = header_field(c)
        if key and key not in found:
            found[key] = n
    return found


def _header(table: list[tuple[int, list[object]]]) -> tuple[int, dict[str, int]]:
    """The index (in ``table``) of the last header line and the columns found."""
    for i, (_line, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = _names(cells)
        if not columns:
            continue
        last = i
        # A second header line under merged cells: its names win column by column.
        below = _names(table[i + 1][1]) if i + 1 < len(table) else {}
        if below:
            taken = set(below.values())
            columns = {k: v for k, v in columns.items() if v not in taken}
            columns.update(below)
            last = i + 1
        if {"last", "first"} <= columns.keys():
            columns.pop("fio", None)  # «ФИО» merged over the three parts
        return last, columns
    raise ValidationError(
        "Не найдена строка заголовка: нужны столбцы «ФИО» (или «Фамилия», «Имя», "
        "«Отчество»), «Дата рождения» и «Класс»."
    )


def _rows(table: list[tuple[int, list[object]]]) -> Roster:
    if not table:
        raise ValidationError("Файл пуст: в нём нет ни одной строки.")
    last, columns = _header(table)
    if "fio" not in columns and "last" not in columns:
        raise ValidationError("В заголовке нет столбца «ФИО» или «Фамилия».")
    if "birth" not in columns:
        raise ValidationError("В заголовке нет столбца «Дата рождения».")
    rows = []
    for line, cells in table[last + 1 :]:
        row = RosterRow(line)
        for key, col in columns.items():
            value = _cell_text(cells[col - 1]) if col <= len(cells) else ""
            row.cells[key] = Cell(col, value)
        if any(c.value for c in row.cells.values()):
            rows.append(row)
    if not rows:
        raise ValidationError("В файле только заголовок: нет ни одного ученика.")
    return Roster(rows, columns)


# --- CSV -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (BOM or not), UTF-16 or cp1251 (detected)."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8", errors="strict")
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = _undeclared(data)
    except UnicodeDecodeError:  # a BOM over bytes that are not that encoding
        raise _not_a_table() from None
    if "\x00" in text or any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        raise _not_a_table()
    return text


def _undeclared(data: bytes) -> str:
    """The text of a file without a BOM: UTF-16 by its NULs, UTF-8, else detected."""
    if b"\x00" in data[:4096]:
        return _utf16_without_bom(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _detected(data)


def _utf16_without_bom(data: bytes) -> str:
    """UTF-16 as some programs write it, without a BOM: NULs are the high bytes of
    Latin characters, digits and separators; anything else with NULs is not text."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    if max(even, odd) < len(head) // 8 or len(data) % 2:
        raise _not_a_table()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _not_a_table() from None


def _detected(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _not_a_table()
    text = str(best)
    if best.encoding not in ("cp1251", "utf_16", "utf_16_le", "utf_16_be"):
        # Short Russian lists are often mistaken for a neighbouring Cyrillic code page;
        # cp1251 is what Excel writes in Russia: keep it when it gives Cyrillic letters.
        try:
            cp = data.decode("cp1251")
        except UnicodeDecodeError:
            return text
        if _cyrillic_share(cp) > _cyrillic_share(text):
            return cp
    return text


def _cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    good = sum(1 for c in letters if "а" <= c.lower() <= "я" or c in "ёЁ")
    return good / len(letters)


def _not_a_table() -> ValidationError:
    return ValidationError(
        "Файл не похож на список класса: это не текст CSV и не книга Excel (XLSX)."
    )


def _delimiter(text: str) -> str:
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        counts = {d: line.count(d) for d in (";", "\t", ",")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ";"


def csv_lines(
    text: str, delimiter: str
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The records of a CSV text with the line each starts on, and the line the reading
    stopped at (a field longer than the csv module reads, a quote never closed)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    table: list[tuple[int, list[str]]] = []
    errors: list[tuple[int, str]] = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append((line, f"поле длиннее {MAX_CSV_FIELD} знаков или кавычки не закрыты"))
            break
        table.append((line, row))
    return table, errors


def read_csv(data: bytes) -> Roster:
    text = decode(data)
    table, errors = csv_lines(text, _delimiter(text))
    try:
        roster = _rows([(n, list(cells)) for n, cells in table if any(c.strip() for c in cells)])
    except ValidationError:
        if errors:  # the reading stopped before the header or the first row: say where
            raise ValidationError(f"Строка {errors[0][0]}: {errors[0][1]}.") from None
        raise
    roster.errors = errors
    return roster


# --- XLSX ----------------------------------------------------------------------------


def xlsx_rows(data: bytes, broken: str) -> list[tuple[int, tuple[object, ...]]]:
    """The rows of the first sheet of a workbook, numbered from 1, or ``ValidationError``
    (``broken``) for a file that is not a readable XLSX — a broken archive, bad XML, a cut
    stream: openpyxl and zipfile raise many kinds, early or while rows are read."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise ValidationError("В книге Excel нет ни одного листа.")
            rows = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
            return [(n, tuple(values)) for n, values in rows]
        finally:
            book.close()
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(broken) from exc


def read_xlsx(data: bytes) -> Roster:
    table = [
        (n, list(values))
        for n, values in xlsx_rows(data, "Книга Excel повреждена или это не XLSX.")
        if any(v not in (None, "") for v in values)
    ]
    return _rows(table)


def read_roster(data: bytes, filename: str = "") -> Roster:
    """A class list file: XLSX by its signature (or name), CSV otherwise."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError("Формат XLS (Excel 97–2003) не читается: сохраните файл как XLSX.")
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_xlsx(data)
    if not data.strip():
        raise ValidationError("Файл пуст: в нём нет ни одной строки.")
    return read_csv(data)
