"""What a unique key refused, on either engine (layer: beside ``db``, below ``uow``).

A write that hits a unique key is one of two things:

* a lost race — the row is the register's (a mark, an absence, a lesson, a column, a
  period mark, a draft, the audit chain) and the service has just checked it is not
  there: only a concurrent writer can have put it there.  The user reads again
  (``ConflictError``);
* a duplicate the user typed — a login, a year's, a class's or a subject's name.  The
  services check these first and say so; if two administrators type the same name at
  once, the second still gets the same kind of answer (``ValidationError``), naming what
  is taken, not «someone changed the data».
"""

from __future__ import annotations

import re

from zhurnal.core.errors import ConflictError, DomainError, ValidationError

# The register's rows: a duplicate of one of these is always a concurrent writer's.
RACE_ROWS = {
    "mark": "Отметка",
    "absence": "Отметка посещаемости",
    "lesson": "Урок",
    "period_mark": "Итоговая отметка",
    "assignment": "Графа",
    "draft": "Черновик",
    "audit_event": "Запись журнала аудита",
    "audit_head": "Запись журнала аудита",
}

# What the user is told when a name they gave is taken (the table's unique key).
DUPLICATES = {
    "user": "Логин {value}уже занят: выберите другой.",
    "school_year": "Учебный год {value}уже есть: выберите другое название.",
    "school_class": "Такой класс в этом учебном году уже есть: выберите другую литеру.",
    "subject": "Предмет {value}уже есть: выберите другое название.",
    "work_type": "Вид работы {value}уже есть.",
    "setting": "Настройка {value}уже записана.",
}

_SQLITE = re.compile(r"UNIQUE constraint failed: (\w+)\.")
_PG_DETAIL = re.compile(r"\)=\((.*)\) already exists")


def _table(exc: Exception) -> tuple[str, str]:
    """(the table whose unique key refused the write, the duplicate value if known)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        found = _PG_DETAIL.search(diag.message_detail or "")
        return diag.table_name or "", found.group(1) if found else ""
    found = _SQLITE.search(str(orig))
    return (found.group(1) if found else ""), ""


def lost_race(what: str) -> ConflictError:
    """A concurrent writer got there first; nothing was written, the user reads again."""
    conflict = ConflictError(what, None, None)
    conflict.message = (
        f"{what}: эти данные только что изменил другой пользователь, ваше изменение не "
        "внесено. Обновите данные и повторите."
    )
    conflict.args = (conflict.message,)
    return conflict


def refusal(exc: Exception) -> DomainError:
    """The user's answer to a unique-key ``IntegrityError`` (see the module docstring)."""
    table, value = _table(exc)
    if table in DUPLICATES:
        shown = f"«{value}» " if value and "," not in value else ""
        return ValidationError(DUPLICATES[table].format(value=shown))
    if table in RACE_ROWS:
        return lost_race(RACE_ROWS[table])
    return lost_race("Запись")
