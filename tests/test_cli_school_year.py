"""``zhurnal year|period|holiday|bells``: the school year set up from a script, as an
authenticated administrator or deputy [004 §5]; bad input is named in Russian, exits
non-zero and writes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel, text

from tests.conftest import add_user, cli_identity
from tests.test_year_setup import quarters_year
from zhurnal.cli.main import main
from zhurnal.core.readmodels import year_setup

YEAR_TABLES = ("school_year", "period", "holiday", "bell")


@pytest.fixture
def run(db, tmp_path, capsys, fast_argon2):  # type: ignore[no-untyped-def]
    """``run(login, *args)`` -> (exit code, stdout, stderr) of ``zhurnal ARGS``."""
    add_user(db, "admin", "admin")
    add_user(db, "zavuch", "deputy")
    add_user(db, "uchitel", "teacher")
    ids = {login: cli_identity(db, login, tmp_path) for login in ("admin", "zavuch", "uchitel")}
    path = str(tmp_path / "school.db")

    def call(login: str, *args: str) -> tuple[int, str, str]:
        code = main([*args, *ids[login], "--db", path])
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


def year_state(db) -> dict[str, list]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return {
            t.name: sorted(map(tuple, s.exec(text(f'SELECT * FROM "{t.name}"')).all()), key=repr)
            for t in SQLModel.metadata.sorted_tables
            if t.name in YEAR_TABLES
        }


def _typical_year(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "admin", "year", "create", "2026/2027", "--from", "01.09.2026", "--to", "31.05.2027"
    )
    assert code == 0, err
    assert "Создан учебный год 2026/2027: 01.09.2026–31.05.2027 (текущий)" in out
    quarters = [
        ("01.09.2026", "24.10.2026"),
        ("05.11.2026", "28.12.2026"),
        ("11.01.2027", "21.03.2027"),
        ("31.03.2027", "26.05.2027"),
    ]
    for n, (a, b) in enumerate(quarters, start=1):
        code, out, err = run(
            "zavuch",
            "period",
            "add",
            "--scheme",
            "четверти",
            "--number",
            str(n),
            "--from",
            a,
            "--to",
            b,
        )
        assert code == 0, err
        assert f"{n} четверть" in out
    for n, (a, b) in enumerate([("01.09.2026", "28.12.2026"), ("11.01.2027", "26.05.2027")], 1):
        assert (
            run(
                "zavuch",
                "period",
                "add",
                "--scheme",
                "полугодия",
                "--number",
                str(n),
                "--from",
                a,
                "--to",
                b,
            )[0]
            == 0
        )


def test_a_typical_year_is_set_up_from_the_command_line(db, run) -> None:
    _typical_year(run)
    code, out, _ = run(
        "admin",
        "holiday",
        "add",
        "Дополнительные каникулы для 1 класса",
        "--from",
        "15.02.2027",
        "--to",
        "21.02.2027",
        "--grades",
        "1",
    )
    assert code == 0 and "каникулы, классы 1" in out
    code, out, _ = run(
        "admin",
        "holiday",
        "add",
        "День защитника Отечества",
        "--from",
        "23.02.2027",
        "--to",
        "23.02.2027",
        "--kind",
        "праздник",
    )
    assert code == 0 and "праздник, классы все" in out
    code, out, _ = run("admin", "bells", "set", "1 08:30-09:15", "2 09:25-10:10", "3 10:30-11:15")
    assert code == 0 and "уроков 3" in out
    setup = year_setup(db, add_user(db, "x", "admin"))
    assert [p.name for p in setup.schemes[0].periods] == [f"{n} четверть" for n in range(1, 5)]
    assert [p.name for p in setup.schemes[1].periods] == ["1 полугодие", "2 полугодие"]
    assert [(h.kind, h.grades) for h in setup.holidays] == [("vacation", "1"), ("public", "")]
    assert [b.number for b in setup.bells] == [1, 2, 3]

    code, out, _ = run("zavuch", "period", "list")
    assert "Четверти — классы 1–9 (обычно; классов ещё нет):" in out
    assert "1 четверть" in out and "01.09.2026–24.10.2026" in out
    code, out, _ = run("zavuch", "holiday", "list")
    assert "праздник  классы все      День защитника Отечества" in out
    code, out, _ = run("zavuch", "bells", "list")
    assert " 1 урок  08:30–09:15" in out
    code, out, _ = run("admin", "year", "list")
    assert "2026/2027    01.09.2026–31.05.2027  текущий" in out


def test_a_year_is_made_current_and_corrected(db, run) -> None:
    _typical_year(run)
    assert (
        run(
            "admin",
            "year",
            "create",
            "2027/2028",
            "--from",
            "01.09.2027",
            "--to",
            "31.05.2028",
            "--not-current",
        )[0]
        == 0
    )
    code, out, _ = run("admin", "year", "current", "2027/2028")
    assert code == 0 and "Текущий учебный год: 2027/2028." in out
    code, out, _ = run("admin", "year", "change", "2027/2028", "--to", "26.05.2028")
    assert code == 0 and "01.09.2027–26.05.2028" in out
    code, _, err = run("admin", "year", "change", "2026/2027", "--to", "20.05.2027")
    assert code == 2 and "«4 четверть»" in err and "сначала исправьте его даты" in err


def test_periods_and_holidays_are_corrected_and_removed_by_number(db, run) -> None:
    _typical_year(run)
    setup = year_setup(db, add_user(db, "x", "admin"))
    q4 = setup.schemes[0].periods[3].id
    code, out, err = run("admin", "period", "change", str(q4), "--from", "30.03.2027")
    assert code == 0, err
    assert "4 четверть, 30.03.2027–26.05.2027" in out
    code, out, _ = run("admin", "period", "remove", str(q4))
    assert code == 0 and "удалён" in out
    run(
        "admin", "holiday", "add", "Весенние каникулы", "--from", "22.03.2027", "--to", "30.03.2027"
    )
    holiday = year_setup(db, add_user(db, "y", "admin")).holidays[0].id
    code, out, _ = run("admin", "holiday", "change", str(holiday), "--to", "29.03.2027")
    assert code == 0 and "22.03.2027–29.03.2027" in out
    code, out, _ = run("admin", "holiday", "remove", str(holiday))
    assert code == 0
    assert not year_setup(db, add_user(db, "z", "admin")).holidays


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            (
                "period",
                "add",
                "--scheme",
                "четверти",
                "--number",
                "5",
                "--from",
                "01.05.2027",
                "--to",
                "20.05.2027",
            ),
            "пересекаются с периодом «4 четверть»",
        ),
        (
            (
                "period",
                "add",
                "--scheme",
                "четверти",
                "--number",
                "5",
                "--from",
                "31.02.2027",
                "--to",
                "20.05.2027",
            ),
            "«31.02.2027» не дата",
        ),
        (
            (
                "period",
                "add",
                "--scheme",
                "триместры",
                "--number",
                "1",
                "--from",
                "01.09.2026",
                "--to",
                "30.11.2026",
            ),
            "Схема «триместры»: четверти или полугодия",
        ),
        (
            (
                "period",
                "add",
                "--scheme",
                "четверти",
                "--number",
                "первая",
                "--from",
                "01.09.2026",
                "--to",
                "30.11.2026",
            ),
            "--number: «первая» — не номер",
        ),
        (
            (
                "period",
                "add",
                "--scheme",
                "полугодия",
                "--kind",
                "четверть",
                "--number",
                "3",
                "--from",
                "01.09.2026",
                "--to",
                "30.11.2026",
            ),
            "не подходит к схеме «полугодия»",
        ),
        (
            ("holiday", "add", "Летние каникулы", "--from", "01.06.2027", "--to", "31.08.2027"),
            "внутри учебного года 2026/2027",
        ),
        (
            (
                "holiday",
                "add",
                "Каникулы",
                "--from",
                "01.01.2027",
                "--to",
                "08.01.2027",
                "--grades",
                "1-12",
            ),
            "Классы (параллели): «1-12»",
        ),
        (
            (
                "holiday",
                "add",
                "Каникулы",
                "--from",
                "01.01.2027",
                "--to",
                "08.01.2027",
                "--kind",
                "отгул",
            ),
            "Вид «отгул»: каникулы или праздник",
        ),
        (("bells", "set", "1 08:30-09:15", "2 09:10-09:55"), "раньше, чем кончается урок 1"),
        (("bells", "set", "1 8:30"), "Звонок «1 8:30»"),
        (
            ("year", "create", "2027/2028", "--from", "01.09.2027", "--to", "31.13.2028"),
            "«31.13.2028» не дата",
        ),
        (
            ("year", "create", "2026/2027б", "--from", "01.05.2027", "--to", "31.08.2027"),
            "пересекаются с учебным годом 2026/2027",
        ),
        (("year", "current", "2030/2031"), "Учебного года «2030/2031» нет (есть: 2026/2027)"),
        (("period", "remove", "999"), "не найден"),
    ],
)
def test_bad_input_is_named_exits_2_and_writes_nothing(db, run, args, fragment) -> None:
    quarters_year(db, add_user(db, "x", "admin"))  # 2026/2027 in quarters, through core
    before = year_state(db)
    code, out, err = run("admin", *args)
    assert code == 2 and out == ""
    assert err.startswith("Ошибка: ") and fragment in err
    assert year_state(db) == before


def test_a_teacher_is_refused_with_exit_1_004_5(db, run) -> None:
    code, _, err = run(
        "uchitel", "year", "create", "2026/2027", "--from", "01.09.2026", "--to", "31.05.2027"
    )
    assert code == 1 and "заместитель директора" in err
    assert year_state(db)["school_year"] == []


def test_no_year_yet_says_how_to_create_one(db, run) -> None:
    code, _, err = run("admin", "period", "list")
    assert code == 2 and "zhurnal year create" in err


def test_bells_from_a_file(db, run, tmp_path) -> None:
    bells = tmp_path / "bells.txt"
    bells.write_text("# звонки\n1 08:30-09:15\n2 09:25-10:10\n\n3 10:30-11:15\n", "utf-8")
    code, out, _ = run("admin", "bells", "set", "--file", str(bells))
    assert code == 0 and "уроков 3" in out
    assert [b.start.isoformat() for b in year_setup(db, add_user(db, "x", "admin")).bells] == [
        "08:30:00",
        "09:25:00",
        "10:30:00",
    ]
