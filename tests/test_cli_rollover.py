"""``zhurnal rollover close|next|promote`` as the administrator types them [000 §5.2.1]."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from tests.conftest import cli_identity
from tests.school import World, build
from zhurnal.cli.main import main
from zhurnal.core.models import Enrolment, SchoolClass, SchoolYear

JUNE = datetime(2027, 6, 15, 10, 0)


class _June(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return JUNE


@pytest.fixture
def w(db, monkeypatch, fast_argon2) -> World:
    monkeypatch.setattr("zhurnal.core.actor.datetime", _June)  # the actor's clock only
    return build(db)


def run(w: World, tmp_path, *args: str) -> int:
    who = cli_identity(w.db, "admin", tmp_path)
    return main(["rollover", *args, "--db", str(w.db.path), *who])


def test_close_next_promote_from_the_command_line(w: World, tmp_path, capsys) -> None:
    archive = tmp_path / "arch"
    assert run(w, tmp_path, "close", "2026/2027", "--archive", str(archive)) == 0
    out = capsys.readouterr().out
    assert "Учебный год 2026/2027 закрыт" in out and "проверена" in out
    assert (archive / "2026-2027.db").exists() and (archive / "2026-2027.sha256").exists()

    assert run(w, tmp_path, "next") == 0
    out = capsys.readouterr().out
    assert "Создан учебный год 2027/2028 (01.09.2027–31.05.2028)" in out
    assert "классов: 3" in out

    order = ["--order", "Приказ № 45-у", "--date", "10.06.2027"]
    assert run(w, tmp_path, "promote", *order) == 0
    out = capsys.readouterr().out
    assert "  5А  Антонов Антон  → 6А" in out and "  6А  Егоров Егор  → 7А" in out
    assert "Чтобы провести перевод, повторите команду с --apply." in out

    held = ["--hold-back", "Антонов Антон, 5А"]
    assert run(w, tmp_path, "promote", *order, *held, "--apply") == 2
    err = capsys.readouterr().err
    assert "Ошибка: Перевод не проведён, ничего не изменено: Антонов Антон (5А)" in err
    assert "нет класса 5А" in err

    left = ["--left", "Антонов Антон, 5А, 20.06.2027, Приказ № 50"]
    assert run(w, tmp_path, "promote", *order, *left, "--apply") == 0
    assert "переводятся: 5, выбывают: 1" in capsys.readouterr().out
    with w.db.read() as s:
        rows = s.exec(
            select(Enrolment, SchoolClass, SchoolYear).where(
                Enrolment.student_id == w.students5[0],
                Enrolment.class_id == SchoolClass.id,
                SchoolClass.year_id == SchoolYear.id,
            )
        ).all()
    assert [(y.name, k.title, e.order_out, e.out_reason) for e, k, y in rows] == [
        ("2026/2027", "5А", "Приказ № 50", "выбыл")
    ]
    assert run(w, tmp_path, "promote", *order, "--apply") == 2
    assert "уже проведён" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["close", "2030/2031"], "Учебного года «2030/2031» нет; есть: 2026/2027."),
        (["next", "--from", "1.13.2027"], "--from: «1.13.2027» не дата"),
        (["promote", "--order", "№ 1", "--date", "завтра"], "--date: «завтра» не дата"),
        (
            ["promote", "--order", "№ 1", "--date", "10.06.2027"],
            "Следующий учебный год после 2026/2027 ещё не создан",
        ),
    ],
)
def test_bad_input_is_named_and_changes_nothing(w: World, tmp_path, capsys, args, message) -> None:
    assert run(w, tmp_path, *args) == 2
    assert f"Ошибка: {message}" in capsys.readouterr().err
    with w.db.read() as s:
        assert [y.name for y in s.exec(select(SchoolYear))] == ["2026/2027"]
        assert not s.exec(select(SchoolYear.closed)).one()


def test_only_the_administrator_closes(w: World, tmp_path, capsys) -> None:
    who = cli_identity(w.db, "zavuch", tmp_path)
    assert main(["rollover", "close", "2026/2027", "--db", str(w.db.path), *who]) == 2
    assert "администратор журнала по приказу директора [000 §5.2.1]" in capsys.readouterr().err
