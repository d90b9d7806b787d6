"""`zhurnal verify` catches a row edited behind the app's back [002 §2.9]."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from tests.school import build
from zhurnal.cli.main import main
from zhurnal.core.services import marks


@contextmanager
def behind_the_app(db) -> Iterator:
    """Plain SQL on the database, bypassing the app (as the sqlite3 or psql tool would)."""
    with db.engine.begin() as conn:
        yield lambda sql, **params: conn.execute(text(sql), params)


def _some_marks(db) -> None:
    w = build(db)
    for st in w.students5:
        marks.set_lesson_mark(db, w.at(w.teacher), w.lessons["today"], st, "answer", "4")


def test_verify_passes_on_an_untouched_database(db, engine, capsys) -> None:
    """[issue 10] On PostgreSQL the SQLite file checks are not reported as passed."""
    _some_marks(db)
    assert main(["verify", "--db", db.url]) == 0
    out = capsys.readouterr().out
    assert "Журнал аудита: в порядке" in out
    if engine == "sqlite":
        assert "Целостность файла базы: в порядке" in out
    else:
        assert "Целостность файлов базы: не проверялась" in out
        assert "Целостность файла базы: в порядке" not in out


def test_verify_names_the_event_altered_with_sqlite3(db, capsys) -> None:
    """[002 §2.9] Integrity of stored data is controlled: a changed audit row is found."""
    _some_marks(db)
    with behind_the_app(db) as sql:
        event_id = sql(
            "SELECT id FROM audit_event WHERE action='mark.set' ORDER BY id LIMIT 1"
        ).scalar()
        sql("UPDATE audit_event SET after=replace(after, '\"4\"', '\"5\"') WHERE id=:i", i=event_id)
    assert main(["verify", "--db", db.url]) == 1
    out, err = capsys.readouterr()
    assert f"событие № {event_id}" in out and "НАРУШЕН" in out
    # the cron mail's subject line and a script's stderr say what failed
    assert err.startswith("Ошибка: проверка не пройдена — нарушена цепочка журнала аудита")


def test_verify_finds_deleted_tail_events(db, capsys) -> None:
    _some_marks(db)
    with behind_the_app(db) as sql:
        sql("DELETE FROM audit_event WHERE id=(SELECT max(id) FROM audit_event)")
    assert main(["verify", "--db", db.url]) == 1
    assert "удалены" in capsys.readouterr().out


def test_verify_missing_file(tmp_path, capsys) -> None:
    assert main(["verify", "--db", str(tmp_path / "nope.db")]) == 1
    assert "не найден" in capsys.readouterr().err


def test_verify_catches_a_mark_edited_with_sqlite3(db, capsys) -> None:
    """A mark changed with the sqlite3 tool (the chain itself intact) is reported."""
    _some_marks(db)
    with behind_the_app(db) as sql:
        mark_id = sql("SELECT id FROM mark ORDER BY id LIMIT 1").scalar()
        sql("UPDATE mark SET value='5' WHERE id=:i", i=mark_id)
    assert main(["verify", "--db", db.url]) == 1
    out, err = capsys.readouterr()
    assert f"mark № {mark_id}: значение не совпадает" in out
    assert "проверка не пройдена — данные расходятся с журналом аудита." in err


def test_verify_catches_an_inserted_and_a_deleted_mark(db, capsys) -> None:
    _some_marks(db)
    with behind_the_app(db) as sql:
        first = sql("SELECT id FROM mark ORDER BY id LIMIT 1").scalar()
        row = sql(
            "SELECT assignment_id, entered_at, entered_by_id FROM mark WHERE id=:i", i=first
        ).one()
        sql("DELETE FROM mark WHERE id=:i", i=first)
        outsider = sql("SELECT max(id) FROM student").scalar()
        sql(
            "INSERT INTO mark (assignment_id, student_id, value, entered_at, entered_by_id,"
            " late, version) VALUES (:a, :s, '5', :at, :by, false, 1)",
            a=row[0], s=outsider, at=row[1], by=row[2],
        )  # fmt: skip
    assert main(["verify", "--db", db.url]) == 1
    out = capsys.readouterr().out
    assert "удалена в обход журнала" in out and "записи нет в журнале аудита" in out


def _attendance_and_topics(db):
    from zhurnal.core.services import lessons

    w = build(db)
    t = w.at(w.teacher)
    lessons.set_absence(db, t, w.lessons["today"], w.students5[0], "Н")
    lessons.set_absence(db, t, w.lessons["today"], w.students5[1], "ОП")
    lessons.set_topic(db, t, w.lessons["today"], "Дроби")
    lessons.set_homework(db, t, w.lessons["today"], "№ 1")
    lessons.set_absence(db, t, w.lessons["late"], w.students5[2], "Б")
    lessons.mark_all_present(db, t, w.lessons["late"])  # clears it, with its id in the event
    return w


def test_verify_passes_after_attendance_and_topics(db, capsys) -> None:
    _attendance_and_topics(db)
    assert main(["verify", "--db", db.url]) == 0
    assert "пропуски, темы и домашние задания совпадают" in capsys.readouterr().out


@pytest.mark.parametrize(
    "sql, found",
    [
        ("UPDATE absence SET code='Б' WHERE code='ОП'", "значение не совпадает"),
        ("DELETE FROM absence WHERE code='Н'", "удалена в обход журнала"),
        ("UPDATE lesson SET topic='Иная тема' WHERE topic='Дроби'", "тема не совпадает"),
        (
            "UPDATE lesson SET homework='ничего' WHERE homework='№ 1'",
            "домашнее задание не совпадает",
        ),
    ],
    ids=["absence-code", "absence-deleted", "topic", "homework"],
)
def test_verify_catches_attendance_and_topics_edited_with_sqlite3(db, capsys, sql, found) -> None:
    """Attendance and topics are records too [004 §1.3]: an edit behind the app is reported."""
    _attendance_and_topics(db)
    with behind_the_app(db) as plain:
        plain(sql)
    assert main(["verify", "--db", db.url]) == 1
    assert found in capsys.readouterr().out
