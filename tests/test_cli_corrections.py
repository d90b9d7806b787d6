"""``zhurnal correction …`` as people type it: classes and subjects by name, the cells of a
day listed with their references, Russian messages for anything mistyped [004 §7.2]."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.conftest import signed
from tests.school import World, build
from zhurnal.cli.main import main
from zhurnal.core import readmodels
from zhurnal.core.models import Mark
from zhurnal.core.services import lessons, marks

ON_THE_DAY = datetime(2026, 11, 9, 12, 0)
DOC = ["--ground", "retake", "--doc", "Протокол № 2", "--doc-date", "20.11.2026"]
NEEDS_LOCK = pytest.mark.skipif(
    date.today() < date(2026, 11, 20), reason="the 09.11 lesson locks then (real clock)"
)


@pytest.fixture
def w(db, fast_argon2) -> World:
    w = build(db)
    t = w.teacher.at(ON_THE_DAY)
    lessons.set_topic(w.db, t, w.lessons["locked"], "Дроби")
    marks.set_lesson_mark(w.db, t, w.lessons["locked"], w.students5[0], "test", "2")
    lessons.set_absence(w.db, t, w.lessons["locked"], w.students5[1], "Н")
    return w


def run(w: World, *args: str, who: str = "zavuch") -> int:
    return main(signed(w.db, ["correction", *args, "--db", str(w.db.path), "--as", who]))


def the_test_column(w: World) -> int:
    with w.db.read() as s:
        return s.exec(select(Mark.assignment_id)).one()


def test_cells_of_a_day_list_their_references(w: World, capsys) -> None:
    """The ids a request needs, found by class, subject and date, with the values now."""
    day = ["--class", "5а", "--subject", "математика", "--date", "09.11.2026"]
    assert run(w, "cells", *day, who="uchitel") == 0
    out = capsys.readouterr().out
    lesson, column = w.lessons["locked"], the_test_column(w)
    first, second = w.students5[0], w.students5[1]
    assert f"topic:{lesson} " in out and "09.11, урок 2: тема урока: Дроби" in out
    assert f"homework:{lesson} " in out
    assert f"absence:{lesson}:{second} " in out and "Борисова Белла: Н" in out
    assert f"mark:{column}:{first} " in out and "Контрольная работа — Антонов Антон: 2" in out
    assert run(w, "cells", "--course", str(w.course5), "--date", "10.11.2026") == 0
    assert "Уроков 10.11.2026 нет." in capsys.readouterr().out
    # only those who may ask for a correction see them [004 §7.2]
    assert run(w, "cells", *day, who="drugoy") == 1
    assert "004 §7.2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["changes", "--class", "9Я"], "Класса «9Я» нет в текущем учебном году."),
        (["changes", "--class", "пятый"], "Класс «пятый» не распознан"),
        (["show", "abc"], "Номер заявки: «abc» — не номер"),
        (["apply", "1x"], "Номер заявки: «1x» — не номер"),
        (["decide", "x", "--approve"], "Номер заявки: «x» — не номер"),
        (["cells", "--course", "пять", "--date", "09.11.2026"], "--course: «пять» — не номер"),
        (["cells", "--class", "5А", "--subject", "Химия", "--date", "09.11.2026"], "«Химия»"),
        (["cells", "--class", "5А", "--date", "09.11.2026"], "Укажите класс и предмет"),
        (["cells", "--class", "5А", "--subject", "Математика", "--date", "9 ноября"], "Дата"),
        (
            [
                "request",
                *DOC,
                "--class",
                "5А",
                "--subject",
                "Математика",
                "--subgroup",
                "3 гр.",
                "t",
            ],
            'В 5А (3 гр.) не ведётся «Математика». Укажите подгруппу: --subgroup "2 гр.".',
        ),
    ],
)
def test_mistyped_arguments_are_refused_in_russian(w: World, capsys, args, message) -> None:
    assert run(w, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "invalid" not in err and err.startswith("Ошибка: ")
    assert readmodels.list_corrections(w.db, w.at(w.deputy)) == ()


def test_changes_take_the_class_by_name_004_7_5(w: World, capsys) -> None:
    assert run(w, "changes", "--class", "5А") == 0
    assert run(w, "changes", "--class", "1a") == 0  # a latin letter as well
    assert capsys.readouterr().out == "Изменений: 0.\nИзменений: 0.\n"


def test_an_empty_list_says_so(w: World, capsys) -> None:
    assert run(w, "list") == 0
    assert capsys.readouterr().out == "Заявок нет.\n"
    assert run(w, "list", "--status", "approved", who="direktor") == 0
    assert capsys.readouterr().out == "Заявок нет.\n"


def test_request_help_shows_cells_and_where_to_find_them(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["correction", "request", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "mark:ЗАДАНИЕ:УЧЕНИК=4" in out and "zhurnal correction cells" in out
    assert "--subject" in out and "--subgroup" in out


@NEEDS_LOCK
def test_request_by_class_and_subject_004_7_2(w: World, capsys) -> None:
    """The teacher names the course as in ``import plan``; ``--course ID`` still works."""
    cell = f"mark:{the_test_column(w)}:{w.students5[0]}=5"
    course = ["--class", "5А", "--subject", "Математика"]
    assert run(w, "request", *course, *DOC, cell, who="uchitel") == 0
    assert "09.11 Контрольная работа — Антонов Антон: 2 → 5" in capsys.readouterr().out
    (req,) = readmodels.list_corrections(w.db, w.at(w.director))
    assert (req.class_title, req.subject) == ("5А", "Математика")
    # the same cell again: refused while the first is open, naming it [004 §7.2]
    assert run(w, "request", "--course", str(w.course5), *DOC, cell, who="uchitel") == 1
    assert f"уже указана в заявке № {req.id}" in capsys.readouterr().err
    topic = f"topic:{w.lessons['locked']}=Сложение дробей"
    assert run(w, "request", "--course", str(w.course5), *DOC, topic, who="uchitel") == 0
    both = [*course, "--course", str(w.course5)]
    assert run(w, "request", *both, *DOC, topic, who="uchitel") == 2
    assert "либо --course" in capsys.readouterr().err
