"""A marks file (``zhurnal import marks`` [001 §2.1]) checked before the database is
touched: the form of every line, by line and column.

What the register decides (the class exists, the student is on its list, the lesson was
held, the mark is allowed) is ``core.importer``'s, row by row, in one batch; what a file
alone shows is wrong is refused here, before a password is asked: not text, empty, only
a header, a line with another number of columns, a field too long, a date that does not
exist (31.02), a lesson number no timetable has.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from zhurnal.core.errors import ValidationError
from zhurnal.core.roster_file import csv_lines

COLUMNS = ("дата", "урок", "класс", "предмет", "ученик", "вид работы", "отметка")
HEADER_WORDS = {"дата", "date"}
MAX_FIELD = 200  # characters: a student's full name is the longest thing in a line
MAX_LESSON = 20  # no school day has more lessons
MAX_REPORTED = 50
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")
FORM = "дата;урок;класс;предмет;ученик;вид работы;отметка"


def _date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _shown(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:40]}…"


def _line_problem(cells: list[str]) -> str | None:
    if len(cells) != len(COLUMNS):
        return f"ожидается {len(COLUMNS)} столбцов ({FORM}), а их {len(cells)}"
    for n, (cell, name) in enumerate(zip(cells, COLUMNS, strict=True), start=1):
        where = f"столбец {n} «{name}»"
        if len(cell) > MAX_FIELD:
            return f"{where}: поле длиннее {MAX_FIELD} знаков"
        if not cell.strip():
            return f"{where}: не заполнено"
        if any(ord(c) < 32 and c != "\t" for c in cell):
            return f"{where}: управляющие символы в поле"
    if _date(cells[0]) is None:
        return f"столбец 1 «дата»: «{_shown(cells[0])}» — такой даты нет (нужно ДД.ММ.ГГГГ)"
    number = cells[1].strip()
    if not re.fullmatch(r"[0-9]{1,3}", number) or not 1 <= int(number) <= MAX_LESSON:
        return f"столбец 2 «урок»: «{_shown(number)}» — нужен номер урока от 1 до {MAX_LESSON}"
    return None


def check_marks_text(text: str) -> list[tuple[int, str]]:
    """The lines of a marks file whose form is wrong, ``(line, reason)``; a file that is
    wrong as a whole (empty, only a header, not CSV) raises ``ValidationError``."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    table, errors = csv_lines(text, delimiter)
    rows = [(n, [c.strip() for c in cells]) for n, cells in table if any(c.strip() for c in cells)]
    if rows and rows[0][1] and rows[0][1][0].lstrip("\ufeff").strip().lower() in HEADER_WORDS:
        rows = rows[1:]
        if not rows and not errors:
            raise ValidationError(
                f"В файле отметок только заголовок: нет ни одной строки ({FORM})."
            )
    if not rows and not errors:
        raise ValidationError(f"Файл отметок пуст: нужны строки {FORM}.")
    found = [(n, p) for n, cells in rows if (p := _line_problem(cells))]
    return (found + errors)[:MAX_REPORTED]
