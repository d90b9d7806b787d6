"""A marks file (``zhurnal import marks`` [001 §2.1]) checked before the database is
touched: what cannot be read at all, by line and column.

What the register decides (the date, the class, the student on its list, the lesson
held, the mark allowed) is ``core.importer``'s, every row reported by line in one answer;
what cannot even be read is refused here, before a password is asked: not text, empty,
only a header, a line the csv module cannot read, a field too long or with control
characters, a lesson number that is not 1–20 (the importer would put «²» or 10^20 into
a query).
"""

from __future__ import annotations

import re

from zhurnal.core.errors import ValidationError
from zhurnal.core.roster_file import csv_lines

COLUMNS = ("дата", "урок", "класс", "предмет", "ученик", "вид работы", "отметка")
HEADER_WORDS = {"дата", "date"}
MAX_FIELD = 200  # characters: a student's full name is the longest thing in a line
MAX_LESSON = 20  # no school day has more lessons
MAX_REPORTED = 50
FORM = "дата;урок;класс;предмет;ученик;вид работы;отметка"


def _shown(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:40]}…"


def _line_problem(cells: list[str]) -> str | None:
    """What makes a line unreadable; a wrong number of columns, a date that does not
    exist (31.02) and the rest are the importer's to report with the other rows."""
    for n, (cell, name) in enumerate(zip(cells, COLUMNS, strict=False), start=1):
        where = f"столбец {n} «{name}»"
        if len(cell) > MAX_FIELD:
            return f"{where}: поле длиннее {MAX_FIELD} знаков"
        if any(ord(c) < 32 and c != "\t" for c in cell):
            return f"{where}: управляющие символы в поле"
    number = cells[1].strip() if len(cells) > 1 else ""
    if len(cells) == len(COLUMNS) and not (
        re.fullmatch(r"[0-9]{1,3}", number) and 1 <= int(number) <= MAX_LESSON
    ):
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
