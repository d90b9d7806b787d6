"""`zhurnal verify` catches every right and register fact changed behind the app's back
[002 §2.9]: each change below is made with plain SQL (as the sqlite3 or psql tool would),
the hash chain left intact; verify exits 1 and names the row and what broke.  The chain
itself rewritten, or its tail cut with its head, is caught against a head recorded
outside the database (``--expect``)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import col, select

from tests.school import World, build
from tests.test_verify import behind_the_app
from zhurnal.cli.main import main
from zhurnal.core.audit import event_hash
from zhurnal.core.models import AuditEvent, AuditHead
from zhurnal.core.services import corrections, marks
from zhurnal.core.services.corrections import CellChange

ON_THE_DAY = datetime(2026, 11, 9, 12, 0)


@pytest.fixture
def w(db) -> World:
    """5А with a mark entered late, a mark in a locked lesson and an approved correction of
    it, and a second correction still waiting for the director."""
    w = build(db)
    t = w.teacher
    marks.set_lesson_mark(db, t.at(ON_THE_DAY), w.lessons["locked"], w.students5[0], "test", "2")
    marks.set_lesson_mark(db, w.at(t), w.lessons["late"], w.students5[1], "answer", "5")
    with db.read() as s:
        column = s.exec(
            select(AuditEvent.entity_id).where(AuditEvent.action == "assignment.add")
        ).first()
    doc = {"document_number": "Справка № 17", "document_date": date(2026, 11, 20)}
    cells = [CellChange.mark(column or 0, w.students5[0], "4", old="2")]
    first = corrections.request_correction(
        db, w.at(t), course_id=w.course5, ground="illness", cells=cells, **doc
    )
    corrections.decide_correction(
        db, w.at(w.director), first.id, approve=True, valid_until=date(2026, 11, 27)
    )
    other = [CellChange.mark(column or 0, w.students5[2], "3")]
    corrections.request_correction(
        db, w.at(t), course_id=w.course5, ground="retake", cells=other, **doc
    )
    return w


def verify_out(db, capsys, *extra: str) -> tuple[int, str]:
    code = main(["verify", "--db", db.url, *extra])
    return code, capsys.readouterr().out


def test_the_untouched_school_verifies_clean(w: World, capsys) -> None:
    code, out = verify_out(w.db, capsys)
    assert code == 0, out
    assert "Права пользователей, правила школы, заявки на исправление" in out


TAMPERS = {
    "roles": (
        """UPDATE "user" SET roles='teacher,admin' WHERE login='uchitel'""",
        "Пользователь № {teacher}: набор ролей не совпадает",
    ),
    "password-hash": (
        """UPDATE "user" SET password_hash='$argon2id$v=19$forged' WHERE login='uchitel'""",
        "Пользователь № {teacher}: хеш пароля не совпадает",
    ),
    "active": (
        """UPDATE "user" SET active=false WHERE login='drugoy'""",
        "Пользователь № {other}: признак «действует» не совпадает",
    ),
    "must-change-password": (
        """UPDATE "user" SET must_change_password=true WHERE login='drugoy'""",
        "признак «сменить пароль при входе» не совпадает",
    ),
    "policy": (
        "UPDATE setting SET value = value || ' ' WHERE key='policy'",
        "Настройка № policy: значение (правила школы) не совпадает",
    ),
    "correction-approved": (
        "UPDATE correction SET status='approved', valid_until='2027-06-01' "
        "WHERE status='requested'",
        "Заявка на исправление № 2: статус не совпадает",
    ),
    "correction-extended": (
        "UPDATE correction SET valid_until='2027-06-01' WHERE status='approved'",
        "Заявка на исправление № 1: срок действия не совпадает",
    ),
    "correction-cells": (
        "UPDATE correction_item SET new_value='5' WHERE correction_id=1",
        "Заявка на исправление № 1: список исправляемых клеток не совпадает",
    ),
    "enrolment-moved": (
        "UPDATE enrolment SET class_id={class1} WHERE student_id={pupil}",
        "Зачисление № {stay}: класс не совпадает",
    ),
    "lesson-cancelled": (
        "UPDATE lesson SET cancelled=true WHERE id={lesson}",
        "Урок № {lesson}: отметка об отмене не совпадает",
    ),
    "lesson-substitute": (
        "UPDATE lesson SET held_by_id={other} WHERE id={lesson}",
        "Урок № {lesson}: кто ведёт урок не совпадает",
    ),
    "assignment-work-type": (
        "UPDATE assignment SET work_type_id=(SELECT max(id) FROM work_type)"
        " WHERE id=(SELECT min(id) FROM assignment)",
        "вид работы не совпадает",
    ),
    "mark-late": (
        "UPDATE mark SET late=NOT late",
        "признак «внесено с опозданием» не совпадает",
    ),
    "mark-entered-at": (
        "UPDATE mark SET entered_at='2026-11-01 08:00:00'",
        "время внесения не совпадает",
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_right_or_fact_changed_behind_the_app_is_named_002_2_9(
    w: World, capsys, tamper: str
) -> None:
    """[002 §2.9] Integrity of the stored register is controlled: a changed row that grants
    a right (roles, password, active, policy, correction, substitution) or records a fact
    (enrolment, cancellation, work type, a mark's late flag and time) is reported."""
    names = {
        "teacher": w.teacher.user_id,
        "other": w.other_teacher.user_id,
        "class1": w.class1,
        "pupil": w.students5[2],
        "lesson": w.lessons["tomorrow"],
    }
    with behind_the_app(w.db) as sql:
        names["stay"] = sql(
            "SELECT id FROM enrolment WHERE student_id=:s", s=w.students5[2]
        ).scalar()
        statement, found = TAMPERS[tamper]
        sql(statement.format(**names))
    code, out = verify_out(w.db, capsys)
    assert code == 1
    assert found.format(**names) in out, out


def current_head(w: World, capsys) -> str:
    code, out = verify_out(w.db, capsys)
    assert code == 0, out
    return next(line for line in out.splitlines() if line.startswith("Вершина цепочки: ")).split(
        ": "
    )[1]


def test_a_rehashed_chain_is_caught_by_a_head_kept_outside_002_2_9(w: World, capsys) -> None:
    """[002 §2.9] A mark and its event changed and the whole chain re-hashed: the chain is
    consistent again, but the head recorded outside (a summary sheet, the anchors file) no
    longer matches its event."""
    head = current_head(w, capsys)
    with w.db.write() as s:  # the ORM, but no service and no audit: behind the app's back
        prev = "0" * 64
        for event in s.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            if event.action == "mark.set" and '"value": "5"' in event.after:
                event.after = event.after.replace('"value": "5"', '"value": "2"')
            event.prev_hash, event.hash = prev, event_hash(prev, event)
            prev = event.hash
        top = s.get(AuditHead, 1)
        assert top is not None
        top.last_hash = prev
    with behind_the_app(w.db) as sql:
        sql("UPDATE mark SET value='2' WHERE value='5'")
    assert verify_out(w.db, capsys)[0] == 0  # without the anchor, nothing shows
    code, out = verify_out(w.db, capsys, "--expect", head)
    assert code == 1
    assert f"вершина {head}: у события № {head.split(':')[0]} теперь хеш" in out
    assert "журнал аудита переписан" in out


def test_the_tail_cut_with_its_head_is_caught_002_2_9(w: World, capsys) -> None:
    """[002 §2.9] The last events deleted and ``audit_head`` moved back to match: the head
    recorded outside names an event the database no longer has."""
    head = current_head(w, capsys)
    last = int(head.split(":")[0])
    with behind_the_app(w.db) as sql:
        sql("DELETE FROM audit_event WHERE id > :i", i=last - 2)
        row = sql("SELECT id, hash FROM audit_event WHERE id = :i", i=last - 2).one()
        sql("UPDATE audit_head SET last_event_id=:i, last_hash=:h", i=row[0], h=row[1])
    code, out = verify_out(w.db, capsys, "--expect", head)
    assert code == 1
    assert f"вершины {head} в базе нет: события № {last} больше нет" in out


def test_a_bad_head_is_refused_in_russian(w: World, capsys) -> None:
    assert main(["verify", "--db", w.db.url, "--expect", "вчера"]) == 2
    assert "не вершина цепочки" in capsys.readouterr().err


def test_the_head_on_a_summary_sheet_is_what_verify_expects_002_2_9(w: World, capsys) -> None:
    """[002 §2.9] The printed sheet's footer names the head and the command that checks it."""
    from zhurnal.core.readmodels.sheets import progress_sheet
    from zhurnal.core.reports.sheets import stamp_lines

    sheet = progress_sheet(w.db, w.at(w.ct), w.class5, w.q2)
    footer = stamp_lines(sheet.stamp)[-1]
    head = footer.rsplit("--expect ", 1)[1]
    code, out = verify_out(w.db, capsys, "--expect", head)
    assert code == 0 and "все 1 в базе" in out, out
