"""Large imports in short transactions, all or nothing [issue 10]: a file applied in
several chunks (``Chunking.rows`` lowered here) equals the same file in one transaction;
a chunk refused in the middle leaves the school as it was (the chunks already written
reverted, audited, ``verify`` clean); a teacher's save between two chunks goes through."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import col, select

from tests.conftest import make_db, make_pg_db
from tests.school import NOW, build
from zhurnal.core.errors import DomainError
from zhurnal.core.importer import import_marks
from zhurnal.core.models import (
    Assignment,
    AuditEvent,
    Enrolment,
    ImportBatch,
    ImportChunk,
    Mark,
    Student,
    SubgroupMember,
    WorkType,
)
from zhurnal.core.roster_file import Cell, RosterRow
from zhurnal.core.services import class_lists, contingent, import_batches, marks
from zhurnal.core.services.import_batches import Chunking
from zhurnal.core.verify import verify

SMALL = Chunking(rows=2, seconds=None, pause=0)
NAMES = ("Антонов Антон", "Борисова Белла", "Васильев Василий")


def marks_file(names=NAMES) -> str:
    """Two lessons × two work types for each student: 12 rows, student by student."""
    return "".join(
        f"{day};{number};5А;Математика;{name};{wt};{value}\n"
        for name in names
        for day, number in (("23.11.2026", 1), ("20.11.2026", 2))
        for wt, value in (("test", "5"), ("answer", "4"))
    )


def school_state(db) -> tuple[list, list]:
    """The marks (lesson, work type, student, value, late) and what the log says since
    the fixture (actions and their data, without ids and times)."""
    with db.read() as s:
        rows = s.exec(
            select(Assignment.lesson_id, WorkType.code, Mark.student_id, Mark.value, Mark.late)
            .join(Assignment, col(Assignment.id) == Mark.assignment_id)
            .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
        ).all()
        events = []
        for e in s.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            after = json.loads(e.after or "{}")
            after.pop("chunks", None)
            events.append((e.action, e.entity, e.before, after))
    return sorted(rows), events


def pause_hook(monkeypatch, action) -> list[int]:
    """Run ``action`` in the first pause between two chunks (another user's moment);
    returns the list of pauses seen."""
    seen: list[int] = []

    def pause(_seconds: float) -> None:
        seen.append(1)
        if len(seen) == 1:
            action()

    monkeypatch.setattr(import_batches, "_pause", pause)
    return seen


def assert_verified(db) -> None:
    report = verify(db)
    assert report.ok, report.text()


@pytest.fixture
def twin(engine, tmp_path):
    """A second school like the ``db`` fixture's, on the same engine."""
    other = make_pg_db() if engine == "postgresql" else make_db(tmp_path / "twin.db")
    yield other
    other.dispose()
    if engine == "postgresql":
        from tests import pg

        pg.server().drop(other.url)


def test_chunked_import_equals_one_transaction(db, twin) -> None:
    one, many = build(twin), build(db)
    whole = import_marks(one.db, one.teacher.at(NOW), marks_file(), Chunking(seconds=None))
    split = import_marks(many.db, many.teacher.at(NOW), marks_file(), SMALL)
    assert whole.ok and split.ok and whole.applied == split.applied == 12
    assert school_state(one.db) == school_state(many.db)
    with db.read() as s:
        assert len(s.exec(select(ImportChunk)).all()) == 6
        assert s.exec(select(ImportBatch)).one().status == "done"
    with twin.read() as s:
        assert len(s.exec(select(ImportChunk)).all()) == 1  # a small file: one transaction
    assert_verified(db)


def test_refusal_in_the_middle_chunk_leaves_the_school_as_before(db, monkeypatch) -> None:
    """The secretary records that Васильев left on 20.11 while the import runs: his rows
    (the last chunks) are refused by the screen's rules, and the chunks already written
    are taken back — marks, columns, the log verifies."""
    w = build(db)
    before, _ = school_state(db)
    leave = lambda: contingent.leave(  # noqa: E731
        db, w.secretary.at(NOW), w.students5[2], date(2026, 11, 20), "Приказ № 7-у", "переезд"
    )
    pauses = pause_hook(monkeypatch, leave)
    result = import_marks(db, w.teacher.at(NOW), marks_file(), SMALL)
    assert len(pauses) > 1  # chunks were written before the refusal
    assert result.applied == 0 and len(result.refused) == 1
    line, reason = result.refused[0]
    assert line == 9 and "не числится" in reason
    assert school_state(db)[0] == before
    with db.read() as s:
        assert s.exec(select(Assignment)).all() == []
        batch = s.exec(select(ImportBatch)).one()
        assert batch.status == "reverted"
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert "import.revert" in actions and "import.refused" in actions
    assert "import.marks" not in actions
    assert_verified(db)


def test_teacher_saves_between_chunks_and_keeps_it_after_a_revert(db, monkeypatch) -> None:
    """A colleague's save goes through between two chunks (no «database is locked»),
    and so does a change of a mark the import wrote: both are theirs and survive the
    import's revert."""
    w = build(db)
    with db.write() as s:
        s.add(
            SubgroupMember(
                course_id=w.course5_other, student_id=w.students5[1], start=date(2026, 9, 1)
            )
        )
    teacher = w.teacher.at(NOW)

    def colleague_and_teacher() -> None:
        marks.set_lesson_mark(
            db, w.other_teacher.at(NOW), w.lessons["other_today"], w.students5[1], "test", "3"
        )
        marks.set_lesson_mark(db, teacher, w.lessons["today"], w.students5[0], "test", "2")

    pause_hook(monkeypatch, colleague_and_teacher)
    body = marks_file() + "23.11.2026;1;5А;Математика;Антонов Антон;essay;9\n"
    monkeypatch.setattr(marks, "check_lesson_mark", lambda *a: None)  # a refusal found late
    result = import_marks(db, teacher, body, SMALL)
    assert not result.ok and "не из шкалы" in result.refused[0][1]
    rows, _ = school_state(db)
    assert rows == [
        (w.lessons["today"], "test", w.students5[0], "2", False),
        (w.lessons["other_today"], "test", w.students5[1], "3", False),
    ]
    with db.read() as s:
        revert = s.exec(select(AuditEvent).where(AuditEvent.action == "import.revert")).one()
    assert json.loads(revert.after)["kept"] == 1
    assert_verified(db)


def test_an_interrupted_import_is_reverted(db, monkeypatch) -> None:
    """Ctrl+C (or a lost connection) between chunks: the rows written are taken back."""
    w = build(db)

    def interrupt() -> None:
        raise KeyboardInterrupt

    pause_hook(monkeypatch, interrupt)
    with pytest.raises(KeyboardInterrupt):
        import_marks(db, w.teacher.at(NOW), marks_file(), SMALL)
    assert school_state(db)[0] == []
    with db.read() as s:
        assert s.exec(select(ImportBatch)).one().status == "reverted"
    assert_verified(db)


def test_revert_of_a_dead_import_by_the_administrator(db, monkeypatch) -> None:
    """A process killed mid-import leaves its batch «applying»; the administrator
    reverts it; a finished import is not reverted whole."""
    w = build(db)
    monkeypatch.setattr(import_batches, "revert_batch", lambda *a, **k: None)  # the kill

    def die() -> None:
        raise SystemExit(137)

    pause_hook(monkeypatch, die)
    with pytest.raises(SystemExit):
        import_marks(db, w.teacher.at(NOW), marks_file(), SMALL)
    monkeypatch.undo()
    (batch,) = import_batches.unfinished(db)
    assert school_state(db)[0] != []
    with pytest.raises(DomainError, match="только администратор"):
        import_batches.revert_batch(db, w.other_teacher.at(NOW), batch.id or 0, SMALL)
    result = import_batches.revert_batch(db, w.admin.at(NOW), batch.id or 0, SMALL)
    assert result.undone > 0 and result.kept == 0
    assert school_state(db)[0] == [] and import_batches.unfinished(db) == []
    assert_verified(db)
    done = import_marks(db, w.teacher.at(NOW), marks_file(), SMALL)
    with pytest.raises(DomainError, match="завершена"):
        import_batches.revert_batch(db, w.admin.at(NOW), done.batch_id, SMALL)


def roster_rows(names: list[str]) -> list[RosterRow]:
    return [
        RosterRow(i, {"fio": Cell(1, name), "birth": Cell(2, "01.02.2015")})
        for i, name in enumerate(names, start=2)
    ]


def enrol_5a(w, names: list[str]) -> class_lists.ClassListResult:
    """The secretary's class list of 5А, written two pupils a chunk."""
    rows = roster_rows(names)
    return class_lists.import_class_list(
        w.db, w.secretary.at(NOW), rows, "Приказ № 9-у", default_class="5А", chunking=SMALL
    )


def test_class_list_in_chunks_reverted_whole_004_5(db, monkeypatch) -> None:
    """[004 §5] A class list written in chunks: when the same pupil is enrolled by
    someone else meanwhile, the pupils already written are taken back, and the list
    written again in chunks is whole."""
    w = build(db)
    names = ["Жуков Женя", "Зайцева Зоя", "Ильин Илья", "Котова Катя", "Лебедев Лёва"]
    late = lambda: class_lists.arrive(  # noqa: E731
        db, w.secretary.at(NOW), "Котова Катя", "01.02.2015", "6А", "Приказ № 8-у"
    )
    pause_hook(monkeypatch, late)
    result = enrol_5a(w, names)
    assert (
        not result.ok and result.refused[0][0] == 5 and "уже числится в 6А" in result.refused[0][1]
    )
    with db.read() as s:
        found = {st.full_name for st in s.exec(select(Student))}
        assert "Котова Катя" in found and not {"Жуков Женя", "Зайцева Зоя"} & found
        enrolments = s.exec(select(Enrolment)).all()
    assert len(enrolments) == 7  # the fixture's six and Котова's in 6А
    assert_verified(db)
    monkeypatch.undo()
    names.remove("Котова Катя")
    again = enrol_5a(w, names)
    assert again.ok and again.imported == 4
    assert_verified(db)
