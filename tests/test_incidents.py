"""[002 §4.3–4.4] A compromised login: its operations since then are invalid."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import set_password
from tests.school import NOW, build
from zhurnal.core.auth import authenticate
from zhurnal.core.errors import AuthError, DomainError, PermissionDenied
from zhurnal.core.readmodels.audit_log import audit_log
from zhurnal.core.services import incidents, lessons, marks
from zhurnal.core.verify import verify


def test_incident_lists_operations_since_known_and_blocks_the_password(db) -> None:
    w = build(db)
    marks.set_lesson_mark(
        db,
        w.teacher.at(datetime(2026, 11, 23, 8, 40)),
        w.lessons["today"],
        w.students5[0],
        "answer",
        "5",
    )
    marks.set_lesson_mark(
        db,
        w.teacher.at(datetime(2026, 11, 23, 9, 50)),
        w.lessons["today"],
        w.students5[1],
        "answer",
        "2",
    )
    view = incidents.report_incident(
        db,
        w.at(w.director),
        w.teacher.user_id,
        datetime(2026, 11, 23, 9, 0),
        "пароль записан на доске",
    )
    assert [op.action for op in view.operations] == ["mark.set"]  # only the 9:50 one
    from zhurnal.core.models import User

    with db.read() as s:
        assert s.get(User, w.teacher.user_id).password_hash == incidents.UNUSABLE_PASSWORD
    assert incidents.incident_operations(db, w.at(w.deputy), view.id).operations == view.operations


def test_only_director_or_admin_reports(db) -> None:
    w = build(db)
    with pytest.raises(PermissionDenied):
        incidents.report_incident(db, w.at(w.teacher), w.ct.user_id, NOW)


# --- locking the login and reverting its operations [002 §4.4] --------------------------

PASSWORD = "ключ-от-школы-2026"


def _at(h: int, m: int) -> datetime:
    return datetime(2026, 11, 23, h, m)


@pytest.fixture
def hacked(db, fast_argon2):
    """Before 9:00 the teacher works; from 9:00 someone else uses the teacher's login
    (known since 9:00); at 9:40 the substitute changes one of those marks."""
    w = build(db)
    t, today = w.teacher, w.lessons["today"]
    s0, s1, s2 = w.students5
    marks.set_lesson_mark(db, t.at(_at(8, 40)), today, s0, "answer", "4")
    lessons.set_topic(db, t.at(_at(8, 50)), today, "Обыкновенные дроби")
    set_password(db, "uchitel", PASSWORD)
    intruder = authenticate(db, "uchitel", PASSWORD, now=_at(9, 5)).actor
    marks.set_lesson_mark(db, intruder.at(_at(9, 10)), today, s0, "answer", "2")
    marks.set_lesson_mark(db, intruder.at(_at(9, 12)), today, s1, "answer", "2")
    lessons.set_absence(db, intruder.at(_at(9, 15)), today, s2, "Н")
    lessons.set_topic(db, intruder.at(_at(9, 20)), today, "Урок отменён")
    lessons.set_homework(db, intruder.at(_at(9, 21)), today, "Ничего не задано")
    marks.set_lesson_mark(db, intruder.at(_at(9, 22)), today, s0, "answer", "3")
    lessons.assign_substitute(db, w.at(w.deputy, _at(9, 35)), today, w.other_teacher.user_id)
    marks.set_lesson_mark(db, w.other_teacher.at(_at(9, 40)), today, s1, "answer", "3")
    view = incidents.report_incident(
        db, w.at(w.director, _at(10, 0)), t.user_id, _at(9, 0), "пароль подсмотрели"
    )
    return w, intruder, view


def _state(w) -> tuple[dict[int, str], dict[int, str], str, str]:
    from sqlmodel import select

    from zhurnal.core.models import Absence, Assignment, Lesson, Mark

    today = w.lessons["today"]
    with w.db.read() as s:
        got = s.exec(
            select(Mark.student_id, Mark.value)
            .join(Assignment, Assignment.id == Mark.assignment_id)
            .where(Assignment.lesson_id == today)
        ).all()
        absent = s.exec(select(Absence).where(Absence.lesson_id == today)).all()
        lesson = s.get(Lesson, today)
        return dict(got), {a.student_id: a.code for a in absent}, lesson.topic, lesson.homework


def test_a_reported_login_cannot_sign_in_and_its_open_session_cannot_write(hacked) -> None:
    """[002 §4.3] the login is locked at once: no new login, the open session stops."""
    w, intruder, _ = hacked
    with pytest.raises(AuthError):
        authenticate(w.db, "uchitel", PASSWORD, now=_at(10, 5))
    with pytest.raises(PermissionDenied):
        lessons.set_topic(w.db, intruder.at(_at(10, 6)), w.lessons["today"], "Ещё раз")
    assert _state(w)[2] == "Урок отменён"


def test_operations_say_what_changed_and_which_can_be_reverted(hacked) -> None:
    w, _, view = hacked
    ops = incidents.incident_operations(w.db, w.at(w.deputy, _at(10, 1)), view.id).operations
    assert [op.action for op in ops] == [
        "login",
        "mark.set",
        "mark.set",
        "attendance.set",
        "lesson.topic",
        "lesson.homework",
        "mark.set",
    ]
    login, first, other = ops[0], ops[1], ops[2]
    assert (login.revertible, login.why_not) == (False, "не изменяет журнал")
    assert (first.old, first.new, first.revertible) == ("4", "2", True)
    assert first.what == "Отметка: Антонов Антон, 5А Математика, 23.11 Ответ на уроке"
    assert not other.revertible
    assert other.why_not == "изменено позже: Другов П. С., 23.11 09:40"
    assert (ops[4].old, ops[4].new) == ("Обыкновенные дроби", "Урок отменён")
    assert view.revertible == 5 and view.user == "Учителева Мария Ивановна"


def test_revert_restores_the_values_before_and_leaves_what_others_changed(hacked) -> None:
    w, _, view = hacked
    director = w.at(w.director, _at(10, 5))
    result = incidents.revert_incident(w.db, director, view.id, expected_operations=5)
    assert [op.action for op in result.reverted] == [
        "mark.set",
        "lesson.homework",
        "lesson.topic",
        "attendance.set",
        "mark.set",
    ]  # newest first
    assert [op.action for op in result.left] == ["login", "mark.set"]
    s0, s1, _ = w.students5
    assert _state(w) == ({s0: "4", s1: "3"}, {}, "Обыкновенные дроби", "")
    report = verify(w.db)
    assert report.ok, report.text()
    after = incidents.incident_operations(w.db, director, view.id)
    assert after.reverted_at == _at(10, 5) and after.revertible == 0
    assert after.operations[1].why_not == "отменено 23.11 10:05"
    with pytest.raises(DomainError, match="уже отменены"):
        incidents.revert_incident(w.db, director, view.id)
    log = audit_log(w.db, director, kind="Инциденты", start=_at(10, 0).date())
    assert [r.action for r in log.rows].count("incident.revert") == 6  # 5 + the summary
    steps = [(r.old, r.new) for r in log.rows if r.student == "Антонов Антон"]
    assert steps == [("2", "4"), ("3", "2")]  # newest first: 3 → 2 (9:22), then 2 → 4 (9:10)
    assert log.rows[-2].what.startswith("Отмена по инциденту № 1: Антонов Антон, 5А")
    assert log.rows[0].what == "Инцидент № 1: операции отменены"
    assert log.rows[0].new == "отменено 5, оставлено 2"
    in_5a = audit_log(w.db, director, kind="Инциденты", class_id=w.class5)
    assert len(in_5a.rows) == 5  # the compensating changes, not the summary or the report


def test_revert_refuses_a_stale_count_and_a_teacher(hacked) -> None:
    w, _, view = hacked
    with pytest.raises(DomainError, match="изменился"):
        incidents.revert_incident(w.db, w.at(w.director, _at(10, 5)), view.id, 6)
    with pytest.raises(PermissionDenied):
        incidents.revert_incident(w.db, w.at(w.deputy, _at(10, 5)), view.id)
    assert _state(w)[2] == "Урок отменён"  # nothing reverted


def test_revert_of_all_present_a_new_work_type_and_period_marks(db) -> None:
    from datetime import date

    from zhurnal.core.models import Period

    w = build(db)
    with db.write() as s:  # the quarter's last week: period marks are open [002 §2.7]
        s.get(Period, w.q2).end = date(2026, 11, 27)
    t, today = w.teacher, w.lessons["today"]
    s0, s1, s2 = w.students5
    lessons.set_absence(db, t.at(_at(8, 45)), today, s2, "Б")
    marks.set_period_mark(db, t.at(_at(8, 50)), w.course5, s0, w.q2, "4")
    marks.set_period_mark(db, t.at(_at(8, 51)), w.course5, s1, w.q2, "5")
    lessons.mark_all_present(db, t.at(_at(9, 10)), today)
    marks.set_lesson_mark(db, t.at(_at(9, 11)), today, s0, "test", "5")
    marks.set_period_mark(db, t.at(_at(9, 12)), w.course5, s0, w.q2, "2")
    marks.set_period_mark(db, t.at(_at(9, 13)), w.course5, s1, w.q2, None)
    view = incidents.report_incident(db, w.at(w.director, _at(10, 0)), t.user_id, _at(9, 0))
    assert [op.action for op in view.operations] == [
        "attendance.all_present",
        "assignment.add",
        "mark.set",
        "period_mark.set",
        "period_mark.clear",
    ]
    assert view.operations[3].what == "Итоговая отметка: Антонов Антон, 5А Математика, 2 четверть"
    result = incidents.revert_incident(db, w.at(w.director, _at(10, 5)), view.id)
    assert len(result.reverted) == 5 and not result.left
    assert _state(w)[:2] == ({}, {s2: "Б"})
    from sqlmodel import select

    from zhurnal.core.models import PeriodMark

    with db.read() as s:
        period = s.exec(select(PeriodMark.student_id, PeriodMark.value)).all()
        assert dict(period) == {s0: "4", s1: "5"}
    with db.read() as s:
        from zhurnal.core.models import Assignment

        assert not s.exec(select(Assignment).where(Assignment.lesson_id == today)).all()
    assert verify(db).ok, verify(db).text()
