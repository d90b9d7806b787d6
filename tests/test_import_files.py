"""Every import format refuses a broken file by line and column, in Russian, exit 2,
nothing written [issue 11 «No traceback, ever»]: marks [001 §2.1], the КТП [004 §5] in
CSV and XLSX, class lists [004 §5] in CSV and XLSX — binary garbage, an empty or
header-only file, a 200 KB field, a number out of range, a date that does not exist —
and reads what Excel writes: cp1251, UTF-16, UTF-8 with a BOM (detected, charset-
normalizer where no BOM says it)."""

from __future__ import annotations

import pytest

from tests.conftest import signed
from tests.school import NOW, World, build
from tests.test_school_services import db_state
from tests.test_timetable_admin import xlsx
from zhurnal.cli.main import main

MARKS_HEADER = "дата;урок;класс;предмет;ученик;вид работы;отметка\n"
MARK = "23.11.2026;1;5А;Математика;Антонов Антон;Контрольная работа;5\n"
STUDENTS_HEADER = ("ФИО", "Дата рождения", "Класс")


@pytest.fixture
def w(db, monkeypatch, fast_argon2) -> World:
    world = build(db)
    import zhurnal.core.actor

    monkeypatch.setattr(zhurnal.core.actor.Actor, "now", lambda self: NOW)
    for login in ("uchitel", "sekretar"):
        signed(world.db, ["--as", login])  # passwords set before the state is taken
    return world


ARGS = {
    "marks": ["--as", "uchitel"],
    "plan": ["--class", "5А", "--subject", "Математика", "--allow-mismatch", "--as", "uchitel"],
    "students": ["--order", "Приказ № 1", "--as", "sekretar"],
}


def run(w: World, tmp_path, kind: str, name: str, data: bytes) -> int:
    path = tmp_path / name
    path.write_bytes(data)
    argv = ["import", kind, str(path), *ARGS[kind], "--db", str(w.db.path)]
    return main(signed(w.db, argv))


STUDENTS = "ФИО;Дата рождения;Класс\n"


def marks(line: str) -> bytes:
    return (MARKS_HEADER + line + "\n").encode()


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
BIG = "Я" * 200_000

REFUSED = [
    # marks
    ("marks", "m.csv", BINARY, "Файл отметок не читается"),
    ("marks", "m.csv", b"", "Файл отметок пуст"),
    ("marks", "m.csv", MARKS_HEADER.encode(), "только заголовок"),
    ("marks", "m.csv", marks(f"23.11.2026;1;5А;{BIG};А;К;5"), "строка 2: поле"),
    ("marks", "m.csv", marks("31.02.2026;1;5А;М;А;К;5"), "строка 2: дата «31.02.2026»"),
    ("marks", "m.csv", marks("23.11.2026;10¹⁰;5А;М;А;К;5"), "столбец 2 «урок»"),
    ("marks", "m.csv", marks("23.11.2026;1;5А"), "строка 2: ожидается 7 столбцов"),
    # КТП, CSV
    ("plan", "p.csv", BINARY, "Файл плана не читается"),
    ("plan", "p.csv", b"", "Файл плана пуст"),
    ("plan", "p.csv", "тема;часы\n".encode(), "нет ни одной темы"),
    ("plan", "p.csv", f"тема;часы\n{BIG};5\n".encode(), "Строка 2: поле длиннее"),
    ("plan", "p.csv", "тема;часы\nДроби;10000000000000000000\n".encode(), "Строка 2: число часов"),
    ("plan", "p.csv", "тема;часы\nДроби;²\n".encode(), "Строка 2: число часов «²» (столбец 2)"),
    ("plan", "p.csv", f"тема;часы\n{'Д' * 600};5\n".encode("cp1251"), "Строка 2, столбец 1"),
    # КТП, XLSX
    ("plan", "p.xlsx", b"PK\x03\x04" + BINARY, "не читается как книга Excel"),
    ("plan", "p.xlsx", xlsx([("тема", "часы")]), "нет ни одной темы"),
    ("plan", "p.xlsx", xlsx([("тема", "часы"), ("Дроби", 10**20)]), "Строка 2: число часов"),
    ("plan", "p.xlsx", xlsx([("тема", "часы"), ("Дроби", -3)]), "Строка 2: число часов"),
    # class lists, CSV
    ("students", "s.csv", BINARY, "не похож на список класса"),
    ("students", "s.csv", b"", "Файл пуст"),
    ("students", "s.csv", "ФИО;Дата рождения;Класс\n".encode("utf-16"), "только заголовок"),
    ("students", "s.csv", f"{STUDENTS}{BIG};01.01.2015;5А\n".encode(), "Строка 2"),
    ("students", "s.csv", f"{STUDENTS}Иванов Иван;31.02.2015;5А\n".encode(), "столбец 2"),
    # class lists, XLSX
    ("students", "s.xlsx", b"PK\x03\x04broken", "повреждена"),
    ("students", "s.xlsx", xlsx([STUDENTS_HEADER]), "только заголовок"),
    ("students", "s.xlsx", xlsx([STUDENTS_HEADER, ("Ли Ян", "31.02.2015", "5А")]), "столбец 2"),
    ("students", "s.xlsx", xlsx([STUDENTS_HEADER, ("Иванов Иван", 10**20, "5А")]), "столбец 2"),
]  # fmt: skip
IDS = [
    "marks-binary", "marks-empty", "marks-header-only", "marks-200kb-field", "marks-31-02",
    "marks-lesson-out-of-range", "marks-short-line",
    "plan-binary", "plan-empty", "plan-header-only", "plan-200kb-field", "plan-hours-huge",
    "plan-hours-superscript", "plan-topic-too-long",
    "plan-xlsx-broken", "plan-xlsx-header-only", "plan-xlsx-hours-huge", "plan-xlsx-hours-negative",
    "students-binary", "students-empty", "students-header-only", "students-200kb-field",
    "students-31-02", "students-xlsx-broken", "students-xlsx-header-only", "students-xlsx-31-02",
    "students-xlsx-huge-number-date",
]  # fmt: skip


@pytest.mark.parametrize(("kind", "name", "data", "fragment"), REFUSED, ids=IDS)
def test_a_broken_file_is_refused_by_line_and_nothing_written(
    w, tmp_path, capsys, kind, name, data, fragment
) -> None:
    before = db_state(w.db)
    # 2: the file cannot be read; 1: its rows, read, are refused by the register's rules
    assert run(w, tmp_path, kind, name, data) in (1, 2)
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err, err
    assert len(err) < 4000  # a 200 KB field is not echoed back
    assert db_state(w.db) == before


ENCODINGS = ["cp1251", "utf-16", "utf-8-sig"]
READ = {
    "marks": (MARKS_HEADER + MARK, "Загружено отметок: 1"),
    "plan": ("тема;часы\nДроби;100\nПроценты;70\n", "тем: 2"),
    "students": ("ФИО;Дата рождения;Класс\nЗайцев Захар;05.03.2015;5А\n", "Зачислено учеников: 1"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", sorted(READ))
def test_every_csv_reads_in_the_encodings_excel_writes(w, tmp_path, capsys, kind, encoding) -> None:
    text, done = READ[kind]
    assert run(w, tmp_path, kind, f"{kind}.csv", text.encode(encoding)) == 0, capsys.readouterr()
    assert done in capsys.readouterr().out
