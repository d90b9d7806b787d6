"""The demo generator's constants and inputs (``data/demo/``), ids and bulk inserts."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time
from importlib import resources
from typing import Any

from sqlmodel import Session, SQLModel

from zhurnal.core import audit

DEMO_PRESET = "004"
SCHOOL_NAME_KEY = "school_name"
TEACHER_PASSWORD = "demo-teacher-2026"
BELLS = (
    (time(8, 30), time(9, 15)),
    (time(9, 25), time(10, 10)),
    (time(10, 30), time(11, 15)),
    (time(11, 35), time(12, 20)),
    (time(12, 30), time(13, 15)),
    (time(13, 25), time(14, 10)),
    (time(14, 20), time(15, 5)),
    (time(15, 15), time(16, 0)),
)
MAX_LESSONS_PER_DAY = 7
WEEKDAYS = 5


def _data(name: str) -> dict[str, Any]:
    text = (resources.files("zhurnal.data") / "demo" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _grade_map(spec: dict[str, Any]) -> dict[int, Any]:
    """{"1-4": x, "7": y} -> {1: x, 2: x, 3: x, 4: x, 7: y}."""
    out: dict[int, Any] = {}
    for key, value in spec.items():
        lo, _, hi = str(key).partition("-")
        for g in range(int(lo), int(hi or lo) + 1):
            out[g] = value
    return out


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in text.lower())


def _order(number: int, day: date) -> str:
    return f"Приказ № {number}-у от {day:%d.%m.%Y}"


class _Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Bulk insert with ids given by the generator (the database is empty)."""
    if rows:
        # SQLModel declares no __table__: only table=True models get one, at class creation
        session.connection().execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


def _sync_sequences(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL: move each id sequence past the ids the generator gave."""
    audit.move_id_sequences(session, tables)
