"""`zhurnal import marks`: external testing results [001 §2.1], all or nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests.conftest import db_arg, signed
from tests.school import build
from zhurnal.cli.main import main
from zhurnal.core.models import AuditEvent, Mark

HEADER = "дата;урок;класс;предмет;ученик;вид работы;отметка\n"


@pytest.fixture
def w(db, monkeypatch, fast_argon2):
    world = build(db)
    # The CLI acts "now"; pin it to the fixture's Monday 10:00.
    import zhurnal.core.actor

    monkeypatch.setattr(zhurnal.core.actor.Actor, "now", lambda self: datetime_now())
    return world


def datetime_now():
    from tests.school import NOW

    return NOW


def _marks(db) -> int:
    with db.read() as s:
        return s.exec(select(func.count(Mark.id))).one()


def run_import(db, tmp_path, body: str, login: str = "uchitel") -> int:
    f = tmp_path / "marks.csv"
    f.write_text(HEADER + body, encoding="utf-8")
    return main(signed(db, ["import", "marks", str(f), "--as", login, "--db", db_arg(db)]))


def test_valid_file_is_applied(w, tmp_path, capsys) -> None:
    body = (
        "23.11.2026;1;5А;Математика;Антонов Антон;Контрольная работа;5\n"
        "2026-11-23;1;5A;математика;Борисова Белла;test;4\n"
    )
    assert run_import(w.db, tmp_path, body) == 0
    assert "Загружено отметок: 2" in capsys.readouterr().out
    assert _marks(w.db) == 2


def test_one_bad_row_applies_nothing_and_names_each_line(w, tmp_path, capsys) -> None:
    """Every row goes through the same rules as the screen; one refusal cancels all."""
    body = (
        "23.11.2026;1;5А;Математика;Антонов Антон;Контрольная работа;5\n"  # line 2 ok
        "23.11.2026;1;5А;Математика;Борисова Белла;Контрольная работа;7\n"  # line 3 scale
        "24.11.2026;1;5А;Математика;Васильев Василий;test;4\n"  # line 4 forward
        "09.11.2026;2;5А;Математика;Васильев Василий;test;4\n"  # line 5 locked
        "23.11.2026;1;1А;Математика;Гаврилов Глеб;test;4\n"  # line 6 not hers
        "23.11.2026;1;5А;Математика;Неизвестный Ученик;test;4\n"  # line 7 name
        "23.11.2026;1;9Я;Математика;Антонов Антон;test;4\n"  # line 8 class
        "вчера;1;5А;Математика;Антонов Антон;test;4\n"
    )  # line 9 date
    assert run_import(w.db, tmp_path, body) == 1
    err = capsys.readouterr().err
    assert "ни одна отметка не внесена" in err
    for line, reason in [
        (3, "не из шкалы"),
        (4, "вперёд"),
        (5, "закрыты"),
        (6, "урок ведёт Начальная"),
        (7, "не числится"),
        (8, "класса «9Я» нет"),
        (9, "не распознана"),
    ]:
        assert f"строка {line}: " in err and reason in err, (line, reason)
    assert "строка 2:" not in err
    assert _marks(w.db) == 0
    with w.db.read() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "import.refused")).one()


def test_grade1_rows_refused_004_3_5(w, tmp_path, capsys) -> None:
    """[004 §3.5] Even the class's own teacher cannot import marks for grade 1."""
    body = "23.11.2026;1;1А;Математика;Гаврилов Глеб;test;4\n"
    assert run_import(w.db, tmp_path, body, login="nachalka") == 1
    assert "строка 2: В 1-м классе отметки не ставятся" in capsys.readouterr().err


def test_import_as_someone_without_rights_is_refused(w, tmp_path, capsys) -> None:
    body = "23.11.2026;1;5А;Математика;Антонов Антон;test;5\n"
    assert run_import(w.db, tmp_path, body, login="drugoy") == 1
    assert "строка 2:" in capsys.readouterr().err
    assert _marks(w.db) == 0


def test_unknown_login(w, tmp_path, capsys) -> None:
    """The same answer as for a wrong password: the CLI tells no one which logins exist."""
    secret = tmp_path / "pw"
    secret.write_text("whatever-2026\n", encoding="utf-8")
    secret.chmod(0o600)
    f = tmp_path / "marks.csv"
    f.write_text(HEADER + "23.11.2026;1;5А;Математика;Антонов Антон;test;5\n", encoding="utf-8")
    argv = ["import", "marks", str(f), "--as", "nobody", "--password-file", str(secret)]
    assert main([*argv, "--db", db_arg(w.db)]) == 1
    assert "Ошибка: Неверный логин или пароль" in capsys.readouterr().err


def test_import_revert_finishes_a_dead_import(w, tmp_path, capsys, monkeypatch) -> None:
    """An import killed between two chunks: `zhurnal import revert` lists it, and the
    administrator takes its rows back; nothing is left to revert afterwards."""
    from zhurnal.core.services import import_batches

    monkeypatch.setattr(import_batches, "DEFAULT", import_batches.Chunking(rows=1, pause=0))
    monkeypatch.setattr(import_batches, "revert_batch", lambda *a, **k: None)  # the kill

    def die(_seconds: float) -> None:
        raise SystemExit(137)

    monkeypatch.setattr(import_batches, "_pause", die)
    body = (
        "23.11.2026;1;5А;Математика;Антонов Антон;Контрольная работа;5\n"
        "23.11.2026;1;5А;Математика;Борисова Белла;Контрольная работа;4\n"
    )
    with pytest.raises(SystemExit):
        run_import(w.db, tmp_path, body)
    monkeypatch.undo()
    assert _marks(w.db) == 1
    argv = ["import", "revert", "--as", "admin", "--db", db_arg(w.db)]
    assert main(signed(w.db, argv)) == 0
    assert "№ 1: отметки, начата 23.11.2026 10:00, внесено строк 1 из 2" in capsys.readouterr().out
    assert main(signed(w.db, [*argv[:2], "1", *argv[2:]])) == 0
    assert "Загрузка № 1 отменена: отменено записей 2." in capsys.readouterr().out
    assert _marks(w.db) == 0
    assert main(signed(w.db, argv)) == 0
    assert "Незавершённых загрузок нет." in capsys.readouterr().out
