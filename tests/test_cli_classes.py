"""The CLI twins of the year's subjects, classes, courses, subgroups and the teachers'
load (issue 9), run as a register user who proved who they are [004 §5 «Заместитель
директора»]; bad input is a Russian message, exit 2, nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.conftest import cli_identity
from tests.school import World, build
from tests.test_school_services import db_state
from zhurnal.cli.main import main
from zhurnal.core.models import AuditEvent, Course, Lesson, SchoolClass, SubgroupMember, Subject


@pytest.fixture
def w(db, fast_argon2) -> World:
    return build(db)


@pytest.fixture
def run(w: World, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """``zhurnal ARGS --db … --as zavuch`` on 23.11.2026 10:00, the deputy's password
    in a file."""
    from tests.school import NOW
    from zhurnal.core import actor

    identity = cli_identity(w.db, "zavuch", tmp_path)
    monkeypatch.setattr(actor.Actor, "now", lambda self: self.now_override or NOW)

    def go(*args: str, who: list[str] | None = None) -> int:
        return main([*args, "--db", str(w.db.path), *(who or identity)])

    return go


def test_subjects_classes_and_courses_from_the_terminal(w: World, run, capsys) -> None:
    assert run("subject", "add", "Информатика", "--short", "Инф") == 0
    assert run("subject", "rename", "информатика", "Информатика и ИКТ") == 0
    assert run("class", "add", "7б", "--scheme", "полугодия", "--teacher", "drugoy") == 0
    assert run("class", "teacher", "6А", "klass5a") == 0
    args = ("--class", "7Б", "--subject", "Информатика и ИКТ", "--subgroup", "1 гр.")
    assert run("course", "add", *args, "--teacher", "uchitel", "--hours", "1,5") == 0
    assert run("course", "hours", *args, "--hours", "2") == 0
    out = capsys.readouterr().out
    assert "Класс 7Б добавлен в 2026/2027." in out
    with w.db.read() as s:
        klass = s.exec(select(SchoolClass).where(SchoolClass.grade == 7)).one()
        assert (klass.period_scheme, klass.class_teacher_id) == ("halves", w.other_teacher.user_id)
        six = s.exec(select(SchoolClass).where(SchoolClass.grade == 6)).one()
        assert six.class_teacher_id == w.ct.user_id
        course = s.exec(select(Course).where(Course.class_id == klass.id)).one()
        assert (course.subgroup, course.hours_per_week) == ("1 гр.", 2)
        assert s.exec(select(Subject.name).where(Subject.short == "Инф")).one() == (
            "Информатика и ИКТ"
        )
        logins = set(s.exec(select(AuditEvent.actor_login).where(AuditEvent.action != "login")))
    assert "zavuch" in logins

    assert run("class", "list") == 0
    assert run("course", "list", "--class", "7Б") == 0
    assert run("subject", "list") == 0
    out = capsys.readouterr().out
    assert "7Б\tполугодия\tкл. руководитель: Другов Пётр Сергеевич\tучеников: 0" in out
    assert "Информатика и ИКТ (1 гр.)\tУчителева Мария Ивановна (uchitel)\t2 ч/нед" in out
    assert "Информатика и ИКТ (Инф) — классов: 1" in out
    assert run("course", "remove", *args) == 0
    with w.db.read() as s:
        assert s.exec(select(Course).where(Course.class_id == klass.id)).first() is None


def test_a_new_teacher_from_a_date_and_the_load_004_5(w: World, run, capsys) -> None:
    args = ("--class", "5А", "--subject", "Математика")
    assert run("course", "teacher", *args, "--teacher", "nachalka", "--from", "24.11.2026") == 0
    out = capsys.readouterr().out
    assert "с 24.11.2026 ведёт nachalka; уроков передано: 1." in out
    with w.db.read() as s:
        tomorrow = s.get(Lesson, w.lessons["tomorrow"])
        today = s.get(Lesson, w.lessons["later_today"])
    assert (tomorrow.held_by_id, today.held_by_id) == (w.primary.user_id, w.teacher.user_id)
    assert run("load") == 0
    assert run("load", "--classes") == 0
    out = capsys.readouterr().out
    assert "Начальная Ирина Олеговна (nachalka): 6 ч в неделю, кл. руководитель 1А" in out
    assert "  5А\tМатематика\t5" in out
    assert "  5А\t6 из 29 ч" in out


def test_the_subgroups_of_a_class_from_a_date_004_5(w: World, run, capsys) -> None:
    assert run("subject", "add", "Английский язык") == 0
    base = ("--class", "5А", "--subject", "английский язык")
    for group, login in (("1 гр.", "uchitel"), ("2 гр.", "drugoy")):
        assert (
            run("course", "add", *base, "--subgroup", group, "--teacher", login, "--hours", "3")
            == 0
        )
    assert (
        run("subgroup", "set", *base, "--group", "1 гр.", "--from", "01.09.2026",
            "Антонов Антон", "Борисова Белла")
        == 0
    )  # fmt: skip
    assert run("subgroup", "set", *base, "--group", "2 гр.", "Борисова Белла") == 0
    assert run("subgroup", "list", *base) == 0
    out = capsys.readouterr().out
    assert "С 23.11.2026: переведено 1, уже были в этой подгруппе 0." in out
    assert (
        "  Антонов Антон\t1 гр.\n  Борисова Белла\t2 гр.\n  Васильев Василий\t— без группы —" in out
    )
    with w.db.read() as s:
        ends = sorted(
            (m.start, m.end)
            for m in s.exec(select(SubgroupMember))
            if m.student_id == w.students5[1]
        )
    assert ends == [(date(2026, 9, 1), date(2026, 11, 22)), (date(2026, 11, 23), None)]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("class", "add", "5А"), "Класс 5А в этом учебном году уже есть"),
        (("class", "add", "5"), "нужны параллель и литера"),
        (("class", "add", "8В", "--scheme", "триместры"), "четверти или полугодия"),
        (("class", "add", "8В", "--teacher", "sekretar"), "с ролью «Учитель»"),
        (("class", "add", "8В", "--teacher", "nikto"), "«nikto» не найден"),
        (("class", "teacher", "9Я", "uchitel"), "Класса «9Я» нет"),
        (("subject", "add", "МАТЕМАТИКА"), "«Математика» уже есть"),
        (("subject", "add", " "), "не заполнено"),
        (("subject", "rename", "Химия", "Физика"), "«Химия» не найден"),
        (
            ("course", "add", "--class", "5А", "--subject", "Математика", "--teacher", "uchitel",
             "--hours", "5"),
            "Математика в 5А уже есть",
        ),
        (
            ("course", "add", "--class", "6А", "--subject", "Математика", "--teacher", "uchitel",
             "--hours", "пять"),
            "нужно число, например 5",
        ),
        (
            ("course", "add", "--class", "6А", "--subject", "Математика", "--teacher", "uchitel",
             "--hours", "45"),
            "не больше 40",
        ),
        (("course", "remove", "--class", "5А", "--subject", "Математика"), r"есть уроки"),
        (
            ("course", "teacher", "--class", "5А", "--subject", "Математика", "--teacher",
             "drugoy", "--from", "31.02.2026"),
            "не дата",
        ),
        (
            ("subgroup", "set", "--class", "5А", "--subject", "Математика", "--group", "3 гр.",
             "Антонов Антон"),
            "Подгруппы «3 гр.»",
        ),
        (
            ("subgroup", "set", "--class", "5А", "--subject", "Математика", "--group", "2 гр.",
             "Петров Пётр"),
            "нет ученика «Петров Пётр»",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_russian_with_nothing_written(
    w: World, run, capsys, args, fragment: str
) -> None:
    before = db_state(w.db)
    assert run(*args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ") and fragment in err, err
    after = db_state(w.db)
    after.pop("user"), before.pop("user")  # the CLI session's login stamps the user row
    assert after == before


def test_a_teacher_may_not_change_the_curriculum(w: World, run, tmp_path, capsys) -> None:
    teacher = cli_identity(w.db, "uchitel", tmp_path)
    assert (
        run(
            "course",
            "hours",
            "--class",
            "5А",
            "--subject",
            "Математика",
            "--hours",
            "3",
            who=teacher,
        )
        == 2
    )
    assert "заместитель директора" in capsys.readouterr().err
    assert run("load", who=teacher) == 2
