"""The contingent [004 §5 «Секретарь»]: class lists imported from the files a school has
(CSV in any of its encodings, XLSX with merged header cells), all or nothing; arrivals,
departures and transfers by orders that keep history and move the grids from the date."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from sqlmodel import func, select

from tests.conftest import db_arg, signed
from tests.school import NOW, World, build
from zhurnal.cli.main import main
from zhurnal.core.context import roster_ids
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, Course, Enrolment, Student
from zhurnal.core.roster_file import read_roster
from zhurnal.core.services import class_lists, contingent

ORDER = "Приказ № 12-у от 20.11.2026"
ROWS = [
    ("Зайцев Захар Зиновьевич", "05.03.2015", "5А"),
    ("Ёлкина Ольга", "17.12.2014", "5а"),
    ("Щукин Щука Щукович", "2014-01-31", "6 А"),
]
EXPECTED = {
    ("Зайцев", "Захар", "Зиновьевич", date(2015, 3, 5), "5А"),
    ("Ёлкина", "Ольга", "", date(2014, 12, 17), "5А"),
    ("Щукин", "Щука", "Щукович", date(2014, 1, 31), "6А"),
}


@pytest.fixture
def w(db, monkeypatch, fast_argon2) -> World:
    world = build(db)
    import zhurnal.core.actor

    monkeypatch.setattr(zhurnal.core.actor.Actor, "now", lambda self: NOW)
    return world


def csv_text(delimiter: str = ";", rows=ROWS) -> str:
    lines = [delimiter.join(("№", "ФИО", "Дата рождения", "Класс"))]
    lines += [delimiter.join((str(n), *r)) for n, r in enumerate(rows, start=1)]
    return "\r\n".join(lines) + "\r\n"


def xlsx_merged() -> bytes:
    """A list as schools keep it: a title line, «ФИО» merged over Фамилия | Имя | Отчество,
    «Дата рождения» and «Класс» merged down over two header lines."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Список учащихся на 2026/2027 учебный год"])
    sheet.merge_cells("A1:F1")
    sheet.append(["№ п/п", "ФИО учащегося", None, None, "Дата рождения", "Класс"])
    sheet.append([None, "Фамилия", "Имя", "Отчество", None, None])
    sheet.merge_cells("B2:D2")
    sheet.merge_cells("E2:E3")
    sheet.merge_cells("F2:F3")
    sheet.merge_cells("A2:A3")
    for n, (name, birth, klass) in enumerate(ROWS, start=1):
        parts = [*name.split(), ""][:3]
        d, m, y = birth.split(".") if "." in birth else reversed(birth.split("-"))
        sheet.append([n, *parts, date(int(y), int(m), int(d)), klass])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def imported(db) -> set[tuple[str, str, str, date | None, str]]:
    from zhurnal.core.models import SchoolClass

    with db.read() as s:
        rows = s.exec(
            select(Student, SchoolClass, Enrolment)
            .where(Enrolment.student_id == Student.id, Enrolment.class_id == SchoolClass.id)
            .where(Enrolment.order_in == ORDER)
        )
        return {
            (st.last_name, st.first_name, st.middle_name, st.birth_date, k.title)
            for st, k, _e in rows
        }


def count(db, model) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(csv_text().encode("utf-8"), id="utf-8"),
        pytest.param(csv_text().encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(csv_text(",").encode("cp1251"), id="cp1251-comma"),
        pytest.param(csv_text("\t").encode("utf-16"), id="utf-16-tab"),
        pytest.param(csv_text().encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(xlsx_merged(), id="xlsx-merged-header"),
    ],
)
def test_every_format_imports_the_same_rows(w, data: bytes) -> None:
    """[004 §5] The secretary enters class lists from the files the school has."""
    roster = read_roster(data)
    result = class_lists.import_class_list(w.db, w.secretary, roster.rows, ORDER)
    assert result.ok, result.refused
    assert result.imported == 3
    assert imported(w.db) == EXPECTED
    with w.db.read() as s:
        starts = set(s.exec(select(Enrolment.start).where(Enrolment.order_in == ORDER)))
        assert starts == {NOW.date()}  # today: the year has begun
        actions = [a for a in s.exec(select(AuditEvent.action)) if a.startswith("student.")]
    assert actions.count("student.add") == 3 and actions.count("student.enrol") == 3
    assert "student.import" in actions


def test_three_name_columns_and_class_option(w) -> None:
    text = "Фамилия;Имя;Отчество;Дата рождения (ДД.ММ.ГГГГ)\nЗайцев;Захар;Зиновьевич;05.03.2015\n"
    roster = read_roster(text.encode())
    result = class_lists.import_class_list(
        w.db, w.secretary, roster.rows, ORDER, date(2026, 9, 1), "5А"
    )
    assert result.ok and imported(w.db) == {
        ("Зайцев", "Захар", "Зиновьевич", date(2015, 3, 5), "5А")
    }


def test_bad_rows_reported_by_line_and_column_nothing_imported(w) -> None:
    """All or nothing: each refused row is named by its line (and column)."""
    students_before, enrol_before = count(w.db, Student), count(w.db, Enrolment)
    body = csv_text(
        rows=[
            ("Зайцев Захар", "05.03.2015", "5А"),  # line 2: fine
            ("", "05.03.2015", "5А"),  # line 3: empty name
            ("Иванов Иван", "31.02.2015", "5А"),  # line 4: impossible date
            ("Петров Пётр", "01.01.2015", "9Я"),  # line 5: unknown class
            ("Зайцев Захар", "05.03.2015", "5А"),  # line 6: repeats line 2
            ("Сидоров " + "С" * 150, "01.01.2015", "5А"),  # line 7: a name too long
            ("Сидоров " + "С" * 200_000, "01.01.2015", "5А"),  # line 8: a 200 KB field
        ]
    )
    roster = read_roster(body.encode("utf-8"))
    result = class_lists.import_class_list(
        w.db, w.secretary, roster.rows, ORDER, unreadable=roster.errors
    )
    assert not result.ok and result.imported == 0
    by_line = dict(result.refused)
    assert 2 not in by_line
    assert "столбец 2 «ФИО»" in by_line[3] and "не заполнено" in by_line[3]
    assert "столбец 3 «Дата рождения»" in by_line[4] and "31.02.2015" in by_line[4]
    assert "столбец 4 «Класс»" in by_line[5] and "«9Я» нет" in by_line[5]
    assert "повторяет строку 2" in by_line[6]
    assert "столбец 2 «ФИО»" in by_line[7] and "слишком длинный" in by_line[7]
    assert "поле длиннее" in by_line[8]
    assert (count(w.db, Student), count(w.db, Enrolment)) == (students_before, enrol_before)
    with w.db.read() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "import.refused")).one()


def test_already_in_the_school_is_a_duplicate(w) -> None:
    roster = read_roster(csv_text().encode())
    assert class_lists.import_class_list(w.db, w.secretary, roster.rows, ORDER).ok
    again = class_lists.import_class_list(w.db, w.secretary, roster.rows, "Приказ № 13-у")
    assert [line for line, _ in again.refused] == [2, 3, 4]
    assert "уже числится в 5А с 23.11.2026" in again.refused[0][1]
    assert count(w.db, Student) == 6 + 3


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "пуст"),
        (b"\x00\x01\x02\xff\xfe\x00binary\x00\x9c\x8f" * 50, "не похож на список"),
        ("ФИО;Дата рождения;Класс\n".encode(), "только заголовок"),
        ("Иванов;01.01.2015;5А\n".encode(), "заголовка"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "XLS"),
        (b"PK\x03\x04broken", "повреждена"),
    ],
)
def test_unreadable_files_refused_in_russian(data: bytes, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        read_roster(data)
    assert fragment in exc.value.message


def test_deputy_and_teacher_cannot_import_004_5(w) -> None:
    """[004 §5] Class lists are the secretary's (and the administrator's, [000 §5.2.1])."""
    roster = read_roster(csv_text().encode())
    for actor in (w.deputy, w.teacher):
        with pytest.raises(PermissionDenied):
            class_lists.import_class_list(w.db, actor, roster.rows, ORDER)
    assert class_lists.import_class_list(w.db, w.admin, roster.rows, ORDER).ok


def _in_class(w: World, course_id: int, student_id: int, day: date) -> bool:
    with w.db.read() as s:
        course = s.get(Course, course_id)
        assert course is not None
        return student_id in roster_ids(s, course, day)


def test_departure_leaves_the_grid_from_the_date_history_kept_004_5(w) -> None:
    st = w.students5[0]
    with pytest.raises(ValidationError, match="не позже даты зачисления"):
        contingent.leave(w.db, w.secretary, st, date(2026, 9, 1), "Приказ № 50-у", "переезд")
    with pytest.raises(ValidationError, match="вне учебного года"):
        contingent.leave(w.db, w.secretary, st, date(2027, 7, 1), "Приказ № 50-у", "переезд")
    out = contingent.leave(w.db, w.secretary, st, date(2026, 11, 24), "Приказ № 50-у", "переезд")
    assert out.end == date(2026, 11, 23)
    assert _in_class(w, w.course5, st, date(2026, 11, 23))
    assert not _in_class(w, w.course5, st, date(2026, 11, 24))
    with w.db.read() as s:
        assert s.get(Student, st) is not None  # nothing is deleted
    with pytest.raises(ValidationError, match="не числится ни в одном классе"):
        contingent.leave(w.db, w.secretary, st, date(2026, 12, 1), "Приказ № 51-у", "переезд")


def test_a_departure_dated_before_the_pupils_marks_is_refused_004_5(w) -> None:
    """Nothing may stay in the grid after the pupil left it: a departure order dated
    before the pupil's marks is refused naming the days, and nothing changes."""
    from zhurnal.core.services import marks

    st = w.students5[0]
    teacher = w.teacher.at(datetime(2026, 11, 23, 12, 0))
    marks.set_lesson_mark(w.db, teacher, w.lessons["today"], st, "answer", "5")
    before = _in_class(w, w.course5, st, date(2026, 11, 23))
    with pytest.raises(
        ValidationError, match=re.escape("есть отметки или пропуски с 15.11.2026: 23.11.2026")
    ):
        contingent.leave(w.db, w.secretary, st, date(2026, 11, 15), "Приказ № 50-у", "переезд")
    assert _in_class(w, w.course5, st, date(2026, 11, 23)) == before
    contingent.leave(w.db, w.secretary, st, date(2026, 11, 24), "Приказ № 50-у", "переезд")


def test_transfer_moves_the_grid_on_the_date_004_5(w) -> None:
    st = w.students5[1]
    with pytest.raises(ValidationError, match="уже числится в 5А"):
        contingent.transfer(w.db, w.secretary, st, w.class5, date(2026, 11, 24), "Пр. № 60")
    with pytest.raises(ValidationError, match="вне учебного года"):
        contingent.transfer(w.db, w.secretary, st, w.class1, date(2027, 6, 15), "Пр. № 60")
    with pytest.raises(PermissionDenied):
        contingent.transfer(w.db, w.teacher, st, w.class1, date(2026, 11, 24), "Пр. № 60")
    new = contingent.transfer(w.db, w.secretary, st, w.class1, date(2026, 11, 24), "Пр. № 60")
    assert (new.class_id, new.start, new.end) == (w.class1, date(2026, 11, 24), None)
    assert _in_class(w, w.course5, st, date(2026, 11, 23))
    assert not _in_class(w, w.course5, st, date(2026, 11, 24))
    assert _in_class(w, w.course1, st, date(2026, 11, 24))
    assert not _in_class(w, w.course1, st, date(2026, 11, 23))
    with w.db.read() as s:
        stays = s.exec(select(Enrolment).where(Enrolment.student_id == st)).all()
    assert sorted((e.class_id, e.end) for e in stays) == sorted(
        [(w.class5, date(2026, 11, 23)), (w.class1, None)]
    )


# --- the CLI -------------------------------------------------------------------------


def cli(w: World, *args: str) -> int:
    return main(signed(w.db, [*args, "--db", db_arg(w.db)]))


def test_cli_import_students_end_to_end(w, tmp_path, capsys) -> None:
    f = tmp_path / "5a.csv"
    f.write_bytes(csv_text().encode("cp1251"))
    code = cli(w, "import", "students", str(f), "--order", ORDER, "--as", "sekretar")
    assert code == 0, capsys.readouterr().err
    assert "Зачислено учеников: 3" in capsys.readouterr().out
    assert imported(w.db) == EXPECTED


@pytest.mark.parametrize(
    ("body", "extra", "fragment"),
    [
        (csv_text(rows=[("Иванов Иван", "32.01.2015", "5А")]), (), "строка 2: столбец 3"),
        (csv_text(), ("--from", "01.08.2026"), "вне учебного года"),
        (csv_text(), ("--from", "завтра"), "не распознана"),
        (csv_text(), ("--class", "6А"), "а загружается 6А"),
        ("ФИО;Дата рождения\n", (), "только заголовок"),
    ],
)
def test_cli_import_bad_input_exit_2_nothing_written(
    w, tmp_path, capsys, body: str, extra: tuple[str, ...], fragment: str
) -> None:
    f = tmp_path / "list.csv"
    f.write_text(body, encoding="utf-8")
    before = count(w.db, Student)
    code = cli(w, "import", "students", str(f), "--order", ORDER, "--as", "sekretar", *extra)
    assert code == 2
    assert fragment in capsys.readouterr().err
    assert count(w.db, Student) == before


def test_cli_import_by_a_teacher_refused(w, tmp_path, capsys) -> None:
    f = tmp_path / "list.csv"
    f.write_text(csv_text(), encoding="utf-8")
    assert cli(w, "import", "students", str(f), "--order", ORDER, "--as", "uchitel") == 2
    assert "секретарь или администратор" in capsys.readouterr().err
    assert imported(w.db) == set()


def test_cli_movements(w, capsys) -> None:
    base = ("--order", "Приказ № 70-у", "--as", "sekretar")
    assert (
        cli(w, "student", "arrive", "Юрьев Юрий", "--birth", "01.02.2015", "--class", "5А", *base)
        == 0
    )
    sid = class_lists.find_student(w.db, "Юрьев Юрий")
    assert _in_class(w, w.course5, sid, NOW.date())
    # The same person twice: refused, nothing written.
    assert (
        cli(w, "student", "arrive", "Юрьев Юрий", "--birth", "01.02.2015", "--class", "5А", *base)
        == 2
    )
    assert "уже числится в 5А" in capsys.readouterr().err
    args = ("student", "transfer", "Юрьев Юрий", "--to", "1А", "--date", "01.12.2026", *base)
    assert cli(w, *args) == 0
    assert _in_class(w, w.course1, sid, date(2026, 12, 1))
    assert not _in_class(w, w.course5, sid, date(2026, 12, 1))
    assert cli(w, "student", "transfer", "Юрьев Юрий", "--to", "1А", *base) == 2
    assert "уже числится в 1А" in capsys.readouterr().err
    assert cli(w, "student", "transfer", "Нетов Нет", "--to", "1А", *base) == 2
    assert "не найден" in capsys.readouterr().err
    leave = ("student", "leave", "Юрьев Юрий", "--reason", "переезд", *base)
    assert cli(w, *leave, "--date", "30.11.2026") == 2
    assert "не позже даты зачисления" in capsys.readouterr().err
    assert cli(w, *leave, "--date", "10.12.2026") == 0
    assert not _in_class(w, w.course1, sid, date(2026, 12, 10))
    assert _in_class(w, w.course1, sid, date(2026, 12, 9))
    # Back after leaving: the same record, its history kept.
    again = ("student", "arrive", "Юрьев Юрий", "--birth", "01.02.2015", "--class", "5А")
    assert cli(w, *again, "--date", "15.12.2026", *base) == 0
    assert class_lists.find_student(w.db, "Юрьев Юрий", "01.02.2015") == sid
    assert _in_class(w, w.course5, sid, date(2026, 12, 15))
    with w.db.read() as s:
        assert len(s.exec(select(Enrolment).where(Enrolment.student_id == sid)).all()) == 3
