"""The register's rules, each naming its regulation clause, on a real SQLite file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import func, select

from tests.school import NOW, Q2_LAST_WEEK, World, build
from zhurnal.core import readmodels
from zhurnal.core.errors import (
    ConflictError,
    DomainError,
    LockedError,
    PermissionDenied,
    ValidationError,
)
from zhurnal.core.models import Absence, AuditEvent, Lesson, Mark, PeriodMark, Setting
from zhurnal.core.policy import preset_text
from zhurnal.core.services import corrections, lessons, marks
from zhurnal.core.setup import install_policy


@pytest.fixture
def w(db) -> World:
    return build(db)


def count(db, model, *where) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


# --- marks ----------------------------------------------------------------------


def test_teacher_sets_and_changes_a_mark(w: World) -> None:
    t = w.at(w.teacher)
    m = marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", "5")
    assert (m.value, m.version, m.late) == ("5", 1, False)
    m2 = marks.set_lesson_mark(
        w.db, t, w.lessons["today"], w.students5[0], "answer", "4", expected_version=1
    )
    assert (m2.value, m2.version) == ("4", 2)
    with w.db.read() as s:
        events = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert events[-1] == "mark.set" and events.count("mark.set") == 2


def test_clearing_a_mark_removes_it(w: World) -> None:
    t = w.at(w.teacher)
    marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", "3")
    assert (
        marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", None) is None
    )
    assert count(w.db, Mark) == 0


def test_several_marks_per_lesson_by_work_type(w: World) -> None:
    """Several marks per lesson are normal: one per assignment (work type)."""
    t = w.at(w.teacher)
    marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", "5")
    marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "test", "4")
    assert count(w.db, Mark) == 2


@pytest.mark.parametrize(
    "value, message",
    [("6", "не из шкалы"), ("0", "не из шкалы"), ("пять", "не из шкалы"), ("", "не из шкалы")],
    ids=["six", "zero", "word", "empty"],
)
def test_mark_outside_the_scale_is_refused(w: World, value: str, message: str) -> None:
    """Values come from the policy's scale [004 §3.8 — five-point marks]."""
    with pytest.raises(ValidationError, match=message):
        marks.set_lesson_mark(
            w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], "answer", value
        )
    assert count(w.db, Mark) == 0


def test_grade1_gets_no_marks_004_3_5(w: World) -> None:
    """[004 §3.5] In grade 1 no marks are given in any subject."""
    with pytest.raises(DomainError, match="1-м классе"):
        marks.set_lesson_mark(
            w.db, w.at(w.primary), w.lessons["g1_today"], w.students1[0], "answer", "5"
        )
    assert count(w.db, Mark) == 0


def test_grade1_homework_reads_net_004_3_5(w: World) -> None:
    """[004 §3.5] The homework column of grade 1 reads «нет»."""
    view = lessons.set_homework(w.db, w.at(w.primary), w.lessons["g1_today"], "")
    assert view.homework == "нет"
    view = lessons.set_homework(w.db, w.at(w.primary), w.lessons["g1_today"], "НЕТ")
    assert view.homework == "нет"
    with pytest.raises(DomainError, match="«нет»"):
        lessons.set_homework(w.db, w.at(w.primary), w.lessons["g1_today"], "стр. 5")


@pytest.mark.parametrize(
    "period_key, value, ok",
    [("q1", "н/оц", True), ("q1", "5", False), ("q1", "осв", False)],
    ids=["quarter-n-oc-ok", "quarter-five-refused", "quarter-osv-refused"],
)
def test_grade1_period_result_004_3_5(w: World, period_key: str, value: str, ok: bool) -> None:
    """[004 §3.5] Grade 1: quarter result «н/оц», year «осв»."""
    actor = w.at(w.primary, datetime(2026, 10, 24, 12, 0))
    call = lambda: marks.set_period_mark(  # noqa: E731
        w.db, actor, w.course1, w.students1[0], getattr(w, period_key), value
    )
    if ok:
        assert call().value == value
    else:
        with pytest.raises(DomainError, match="1-м классе"):
            call()


@pytest.mark.parametrize(
    "key, what",
    [
        ("tomorrow", "mark"),
        ("later_today", "mark"),
        ("tomorrow", "absence"),
        ("later_today", "all_present"),
    ],
    ids=["mark-tomorrow", "mark-later-today", "absence-tomorrow", "attendance-later-today"],
)
def test_nothing_forward_004_3_8(w: World, key: str, what: str) -> None:
    """[004 §3.8, §6.3] No marks or attendance «вперёд» for a lesson not yet started."""
    t = w.at(w.teacher)
    with pytest.raises(DomainError, match="вперёд"):
        if what == "mark":
            marks.set_lesson_mark(w.db, t, w.lessons[key], w.students5[0], "answer", "5")
        elif what == "absence":
            lessons.set_absence(w.db, t, w.lessons[key], w.students5[0], "Н")
        else:
            lessons.mark_all_present(w.db, t, w.lessons[key])
    assert count(w.db, Mark) == 0 and count(w.db, Absence) == 0


def test_period_mark_forward_refused_004_6_3(w: World) -> None:
    """[004 §6.3] No period mark for a period that has not started."""
    actor = w.at(w.teacher, datetime(2026, 10, 20, 12, 0))
    with pytest.raises(DomainError, match="вперёд"):
        marks.set_period_mark(w.db, actor, w.course5, w.students5[0], w.q2, "5")


def test_topic_may_be_planned_ahead(w: World) -> None:
    """Topics come from the КТП and can be entered before the lesson."""
    view = lessons.set_topic(w.db, w.at(w.teacher), w.lessons["tomorrow"], "Дроби")
    assert view.topic == "Дроби"


# --- deadlines (obligation) and locks (hard) --------------------------------------


def test_late_entry_is_accepted_and_flagged_004_3_8(w: World) -> None:
    """[004 §3.8] Entries are due within two days; later ones are accepted as late."""
    t = w.at(w.teacher)
    m = marks.set_lesson_mark(w.db, t, w.lessons["late"], w.students5[0], "answer", "4")
    assert m.late is True
    view = lessons.set_topic(w.db, t, w.lessons["late"], "Сложение дробей")
    assert view.topic_late is True
    on_time = marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[1], "answer", "4")
    assert on_time.late is False


def test_homework_deadline_in_hours_002_2_6(tmp_path) -> None:
    """[002 §2.6] Homework within 1.5 h after the lesson ends, else late."""
    from tests.conftest import make_db

    db = make_db(tmp_path / "s.db", preset="002")
    w = build(db)
    lesson_end = datetime(2026, 11, 23, 9, 15)  # lesson 1 ends 9:15
    in_time = lessons.set_homework(
        db, w.teacher.at(lesson_end + timedelta(minutes=80)), w.lessons["today"], "§ 5"
    )
    assert in_time.homework_late is False
    late = lessons.set_homework(
        db, w.teacher.at(lesson_end + timedelta(hours=2)), w.lessons["late"], "§ 6"
    )
    assert late.homework_late is True


def test_current_marks_lock_after_10_days_004_3_8(w: World) -> None:
    """[004 §3.8] Current marks, attendance, topics locked 10 days after the lesson."""
    t = w.at(w.teacher)
    with pytest.raises(LockedError, match="закрыты"):
        marks.set_lesson_mark(w.db, t, w.lessons["locked"], w.students5[0], "answer", "5")
    with pytest.raises(LockedError):
        lessons.set_topic(w.db, t, w.lessons["locked"], "Поздняя тема")
    with pytest.raises(LockedError):
        lessons.set_absence(w.db, t, w.lessons["locked"], w.students5[0], "Н")
    assert count(w.db, Mark) == 0 and count(w.db, Absence) == 0


@pytest.mark.parametrize(
    "work_type, days_after, locked",
    [
        ("answer", 10, False),
        ("answer", 11, True),
        ("practical", 7, False),
        ("practical", 8, True),
        ("essay", 10, False),
        ("essay", 11, True),
    ],
    ids=[
        "current-day10-open",
        "current-day11-locked",
        "practical-day7-open",
        "practical-day8-locked",
        "written-day10-open",
        "written-day11-locked",
    ],
)
def test_lock_by_work_type_004_3_8(w: World, work_type: str, days_after: int, locked: bool) -> None:
    """[004 §3.8] current 10 days, practical works 7 days, written works 10 days."""
    lesson_day = date(2026, 11, 9)
    actor = w.at(
        w.teacher,
        datetime.combine(lesson_day + timedelta(days=days_after), datetime.min.time()).replace(
            hour=12
        ),
    )
    call = lambda: marks.set_lesson_mark(  # noqa: E731
        w.db, actor, w.lessons["locked"], w.students5[0], work_type, "4"
    )
    if locked:
        with pytest.raises(LockedError):
            call()
    else:
        assert call().value == "4"


def test_period_marks_lock_at_period_end_004_3_8(w: World) -> None:
    """[004 §3.8] Period marks locked after the period ends."""
    on_last_day = w.at(w.teacher, datetime(2026, 10, 24, 18, 0))
    assert marks.set_period_mark(w.db, on_last_day, w.course5, w.students5[0], w.q1, "4")
    after = w.at(w.teacher, datetime(2026, 10, 25, 9, 0))
    with pytest.raises(LockedError):
        marks.set_period_mark(w.db, after, w.course5, w.students5[0], w.q1, "5")


# --- corrections [004 §7] -------------------------------------------------------


def _approved_correction(w: World, **kw) -> int:
    req = corrections.request_correction(
        w.db,
        w.at(w.teacher),
        course_id=w.course5,
        scope=kw.get("scope", "marks"),
        ground="illness",
        document_number="Справка № 17",
        document_date=date(2026, 11, 20),
        lesson_id=kw.get("lesson_id", w.lessons["locked"]),
        student_id=kw.get("student_id"),
        period_id=kw.get("period_id"),
    )
    corrections.decide_correction(
        w.db, w.at(w.director), req.id, approve=True, valid_until=date(2026, 11, 27)
    )
    return req.id


def test_correction_opens_locked_cell_for_deputy_004_7(w: World) -> None:
    """[004 §7.2, §7.4] Director approves, the deputy enters; the mark points to it."""
    cid = _approved_correction(w, student_id=w.students5[0])
    m = marks.set_lesson_mark(
        w.db, w.at(w.deputy), w.lessons["locked"], w.students5[0], "answer", "4", correction_id=cid
    )
    assert m.correction_id == cid
    with w.db.read() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "mark.set")).one()
        assert ev.correction_id == cid


@pytest.mark.parametrize(
    "case",
    ["teacher_uses_it", "other_student", "expired", "not_approved", "rejected"],
)
def test_correction_limits_004_7(w: World, case: str) -> None:
    """[004 §7] Only the deputy, only the opened cells, only until the end date."""
    if case == "not_approved" or case == "rejected":
        req = corrections.request_correction(
            w.db,
            w.at(w.teacher),
            course_id=w.course5,
            scope="marks",
            ground="retake",
            document_number="Протокол № 3",
            document_date=date(2026, 11, 20),
            lesson_id=w.lessons["locked"],
        )
        cid = req.id
        if case == "rejected":
            corrections.decide_correction(w.db, w.at(w.director), cid, approve=False)
    else:
        cid = _approved_correction(w, student_id=w.students5[0])
    actor, student = w.at(w.deputy), w.students5[0]
    if case == "teacher_uses_it":
        actor = w.at(w.teacher)
    elif case == "other_student":
        student = w.students5[1]
    elif case == "expired":
        actor = w.at(w.deputy, datetime(2026, 11, 28, 9, 0))
    with pytest.raises(DomainError):
        marks.set_lesson_mark(
            w.db, actor, w.lessons["locked"], student, "answer", "4", correction_id=cid
        )
    assert count(w.db, Mark) == 0


def test_only_director_approves_004_7_2(w: World) -> None:
    req = corrections.request_correction(
        w.db,
        w.at(w.teacher),
        course_id=w.course5,
        scope="marks",
        ground="retake",
        document_number="Протокол № 3",
        document_date=date(2026, 11, 20),
        lesson_id=w.lessons["locked"],
    )
    with pytest.raises(PermissionDenied, match="директор"):
        corrections.decide_correction(
            w.db, w.at(w.deputy), req.id, approve=True, valid_until=date(2026, 11, 30)
        )


def test_correction_needs_a_document_004_7_3(w: World) -> None:
    with pytest.raises(ValidationError, match="документ"):
        corrections.request_correction(
            w.db,
            w.at(w.teacher),
            course_id=w.course5,
            scope="marks",
            ground="illness",
            document_number="  ",
            document_date=date(2026, 11, 20),
            lesson_id=w.lessons["locked"],
        )


def test_period_mark_correction_004_7(w: World) -> None:
    cid = _approved_correction(
        w, scope="period_marks", period_id=w.q1, lesson_id=None, student_id=w.students5[2]
    )
    pm = marks.set_period_mark(
        w.db, w.at(w.deputy), w.course5, w.students5[2], w.q1, "4", correction_id=cid
    )
    assert pm.correction_id == cid


# --- the period-mark window ------------------------------------------------------------
# 2 четверть runs 05.11–28.12.2026; the 004 preset opens period marks 7 days before the end
# (a gap of the regulation: locks.period_marks_open_days) and locks them at the end [004 §3.8].

EARLY = "Итоговые отметки за 2 четверть выставляются с 21.12.2026."


def _period_mark(w: World, actor, when: datetime, value: str = "4"):
    return marks.set_period_mark(w.db, actor.at(when), w.course5, w.students5[0], w.q2, value)


def test_period_mark_too_early_refused_period_marks_open_days(w: World) -> None:
    """Weeks before the period ends a period mark is a slip: refused, and the grid says why."""
    for when in (NOW, datetime(2026, 12, 20, 23, 59)):
        with pytest.raises(DomainError) as caught:
            _period_mark(w, w.teacher, when)
        assert caught.value.message == EARLY
        gb = readmodels.load_gradebook(w.db, w.teacher.at(when), w.course5, w.q2)
        assert gb.period_mark_why_not(w.students5[0]) == EARLY and not gb.period_mark_editable
    # the grid reloads by itself when the window opens (no lesson is due before it)
    assert gb.valid_until == datetime(2026, 12, 21, 0, 0)
    assert count(w.db, PeriodMark) == 0


def test_period_mark_too_early_cites_the_last_week_002_2_7(w: World) -> None:
    """[002 §2.7] period marks are set «в течение последней недели» of the period."""
    with w.db.write() as s:
        install_policy(s, preset_text("002"))
    with pytest.raises(DomainError) as caught:
        _period_mark(w, w.teacher, datetime(2026, 12, 21, 10, 0))
    assert caught.value.message == (
        "Итоговые отметки за 2 четверть выставляются с 22.12.2026 [002 §2.7]."
    )
    assert caught.value.clause == "002 §2.7"
    assert _period_mark(w, w.teacher, datetime(2026, 12, 22, 8, 0)).value == "4"


def test_period_mark_inside_window_accepted_period_marks_open_days(w: World) -> None:
    """From the first day of the window to the period's last day (the class teacher too,
    in every subject [004 §3.9])."""
    assert _period_mark(w, w.teacher, datetime(2026, 12, 21, 0, 0)).value == "4"
    assert _period_mark(w, w.ct, datetime(2026, 12, 28, 23, 59), "5").value == "5"
    gb = readmodels.load_gradebook(w.db, w.teacher.at(Q2_LAST_WEEK), w.course5, w.q2)
    assert gb.period_mark_editable and gb.period_mark_why_not(w.students5[0]) == ""


def test_period_mark_after_lock_refused_004_3_8(w: World) -> None:
    """[004 §3.8] after the period ends its marks are closed; only a correction opens them."""
    with pytest.raises(LockedError) as caught:
        _period_mark(w, w.teacher, datetime(2026, 12, 29, 0, 0))
    assert caught.value.message == (
        "2 четверть: итоговые отметки закрыты для изменений с 29.12.2026 [004 §3.8]."
    )


def test_period_mark_correction_ignores_the_window_004_7(w: World) -> None:
    """[004 §7.4] a director-approved correction is entered by the deputy whenever it is
    granted: the window does not apply to it."""
    cid = _approved_correction(
        w, scope="period_marks", period_id=w.q2, lesson_id=None, student_id=w.students5[0]
    )
    pm = marks.set_period_mark(
        w.db, w.at(w.deputy), w.course5, w.students5[0], w.q2, "3", correction_id=cid
    )
    assert (pm.value, pm.correction_id) == ("3", cid)


def test_stored_policy_without_the_window_accepts_from_the_period_start(w: World) -> None:
    """A policy stored before ``locks.period_marks_open_days`` existed still loads and keeps
    the old rule: period marks from the period's start."""
    with w.db.write() as s:
        row = s.get(Setting, "policy")
        text = "\n".join(
            line for line in row.value.splitlines() if "period_marks_open_days" not in line
        )
        install_policy(s, text)
    assert _period_mark(w, w.teacher, NOW).value == "4"


# --- attendance -------------------------------------------------------------------


def test_attendance_all_present_vs_not_taken(w: World) -> None:
    """ "No absences" differs from "not taken": attendance_taken_at records it."""
    t = w.at(w.teacher)
    lessons.set_absence(w.db, t, w.lessons["today"], w.students5[0], "н")
    view = lessons.mark_all_present(w.db, t, w.lessons["today"])
    assert view.attendance_taken_at == NOW and view.absences_count == 0
    with w.db.read() as s:
        assert s.get(Lesson, w.lessons["late"]).attendance_taken_at is None


@pytest.mark.parametrize("code", ["Н", "Б", "УП", "ОП"])
def test_absence_codes(w: World, code: str) -> None:
    a = lessons.set_absence(w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], code.lower())
    assert a.code == code


def test_unknown_absence_code_refused(w: World) -> None:
    with pytest.raises(ValidationError, match="неизвестен"):
        lessons.set_absence(w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], "X")


def test_student_of_another_class_refused(w: World) -> None:
    with pytest.raises(DomainError, match="не числится"):
        marks.set_lesson_mark(w.db, w.at(w.teacher), w.lessons["today"], w.outsider, "answer", "5")


def test_class_teacher_corrects_absence_reason_004_3_7(w: World) -> None:
    """[004 §3.7] The class teacher corrects reasons within 2 working days of the document."""
    a = lessons.set_absence(
        w.db, w.teacher.at(datetime(2026, 11, 20, 12, 0)), w.lessons["late"], w.students5[0], "Н"
    )
    fixed = lessons.correct_absence_reason(
        w.db, w.at(w.ct), a.id, "Б", document="Справка № 5", document_date=date(2026, 11, 20)
    )
    assert fixed.code == "Б"  # Fri 20.11 + 2 working days = Tue 24.11
    with pytest.raises(DomainError, match="рабочих дней"):
        lessons.correct_absence_reason(
            w.db,
            w.ct.at(datetime(2026, 11, 25, 9, 0)),
            a.id,
            "УП",
            document="Справка № 6",
            document_date=date(2026, 11, 20),
        )
    with pytest.raises(PermissionDenied):
        lessons.correct_absence_reason(
            w.db,
            w.at(w.other_teacher),
            a.id,
            "УП",
            document="Справка",
            document_date=date(2026, 11, 20),
        )


def test_class_teacher_read_only_under_002_2_4(tmp_path) -> None:
    """[002 §2.4] Under preset 002 the class teacher views without the right to edit."""
    from tests.conftest import make_db

    db = make_db(tmp_path / "s.db", preset="002")
    w = build(db)
    with pytest.raises(PermissionDenied):
        marks.set_period_mark(
            db, w.ct.at(datetime(2026, 10, 24, 12)), w.course5, w.students5[0], w.q1, "5"
        )


def test_class_teacher_sets_period_marks_all_subjects_004_3_9(w: World) -> None:
    """[004 §3.9] A class teacher sets quarter marks in every subject of their class."""
    pm = marks.set_period_mark(
        w.db, w.ct.at(datetime(2026, 10, 24, 12)), w.course5, w.students5[0], w.q1, "5"
    )
    assert pm.value == "5"


# --- versions and conflicts ---------------------------------------------------------


def test_stale_write_is_a_conflict_naming_who(w: World) -> None:
    t = w.at(w.teacher)
    marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", "5")
    marks.set_lesson_mark(
        w.db, t, w.lessons["today"], w.students5[0], "answer", "4", expected_version=1
    )
    with pytest.raises(ConflictError, match="Учителева Мария Ивановна") as exc:
        marks.set_lesson_mark(
            w.db, t, w.lessons["today"], w.students5[0], "answer", "3", expected_version=1
        )
    assert exc.value.when == NOW
    with w.db.read() as s:
        assert s.exec(select(Mark)).one().value == "4"


def test_empty_cell_filled_meanwhile_is_a_conflict(w: World) -> None:
    t = w.at(w.teacher)
    marks.set_lesson_mark(
        w.db, t, w.lessons["today"], w.students5[0], "answer", "5", expected_version=0
    )
    with pytest.raises(ConflictError):
        marks.set_lesson_mark(
            w.db, t, w.lessons["today"], w.students5[0], "answer", "2", expected_version=0
        )


def test_topic_conflict(w: World) -> None:
    t = w.at(w.teacher)
    v = lessons.set_topic(w.db, t, w.lessons["today"], "Дроби")
    lessons.set_topic(w.db, t, w.lessons["today"], "Дроби и доли", expected_version=v.version)
    with pytest.raises(ConflictError):
        lessons.set_topic(w.db, t, w.lessons["today"], "Иное", expected_version=v.version)


# --- weighted average and suggested mark -------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        ([("5", 1), ("4", 1)], 4.5),
        ([("5", 2), ("2", 1)], 4.0),
        ([], None),
        ([("точка", 1)], None),
        ([("3", 1.5), ("5", 0.5)], 3.5),
    ],
    ids=["plain", "weighted", "none", "debt-only", "fractional-weights"],
)
def test_weighted_average(values, expected) -> None:
    from zhurnal.core.rules import weighted_average

    assert weighted_average(values) == expected


@pytest.mark.parametrize(
    "average, count, expected",
    [(4.5, 3, "5"), (4.49, 3, "4"), (3.5, 5, "4"), (2.5, 3, "3"), (2.49, 3, "2"), (5.0, 2, "н/а")],
    ids=["4.5-five", "4.49-four", "3.5-four", "2.5-three", "2.49-two", "too-few-marks"],
)
def test_suggested_period_mark(average, count, expected) -> None:
    from zhurnal.core.policy import load_preset
    from zhurnal.core.rules import suggest_period_mark

    assert suggest_period_mark(load_preset("004"), average, count) == expected


def test_no_period_mark_for_wrong_scheme(w: World) -> None:
    with pytest.raises(DomainError):
        marks.set_period_mark(w.db, w.at(w.teacher), w.course5, w.students5[0], 99999, "5")
    assert count(w.db, PeriodMark) == 0


def test_next_ktp_topic_is_offered(w: World) -> None:
    """[002 §2.3] Topics follow the calendar-thematic plan: the next one is offered."""
    from zhurnal.core.models import PlanItem

    with w.db.write() as s:
        items = [
            PlanItem(course_id=w.course5, position=i, topic=t, hours=h)
            for i, (t, h) in enumerate([("Натуральные числа", 1), ("Дроби", 2), ("Проценты", 1)])
        ]
        s.add_all(items)
        s.flush()
        ids = [i.id for i in items]
    t = w.at(w.teacher)
    _, offered = readmodels.get_lesson(w.db, t, w.lessons["late"])
    assert offered == "Натуральные числа"
    lessons.set_topic(w.db, t, w.lessons["late"], "Натуральные числа", plan_item_id=ids[0])
    _, offered = readmodels.get_lesson(w.db, t, w.lessons["today"])
    assert offered == "Дроби"
    lessons.set_topic(w.db, t, w.lessons["today"], "Дроби", plan_item_id=ids[1])
    _, offered = readmodels.get_lesson(w.db, t, w.lessons["later_today"])
    assert offered == "Дроби"  # two hours: the topic is offered twice
    lessons.set_topic(w.db, t, w.lessons["later_today"], "Дроби (2)", plan_item_id=ids[1])
    _, offered = readmodels.get_lesson(w.db, t, w.lessons["tomorrow"])
    assert offered == "Проценты"


def test_refusals_cite_the_schools_own_regulation(w: World, tmp_path) -> None:
    """Messages name the clause of the preset the school chose, never another school's."""
    with pytest.raises(LockedError, match=r"\[004 §3\.8\]"):
        marks.set_lesson_mark(
            w.db, w.at(w.teacher), w.lessons["locked"], w.students5[0], "answer", "5"
        )
    from tests.conftest import make_db

    db = make_db(tmp_path / "s002.db", preset="002")
    w2 = build(db)
    with pytest.raises(DomainError) as exc:
        marks.set_lesson_mark(
            db, w2.at(w2.primary), w2.lessons["g1_today"], w2.students1[0], "answer", "5"
        )
    assert "1-м классе" in exc.value.message and "004" not in exc.value.message


def test_student_correction_does_not_open_the_whole_lesson_004_7(w: World) -> None:
    """A correction for one student opens that student's cells only: not «все
    присутствуют», not a new work type for everyone [004 §7]."""
    lessons.set_absence(
        w.db, w.teacher.at(datetime(2026, 11, 9, 12)), w.lessons["locked"], w.students5[1], "Б"
    )
    cid = _approved_correction(w, scope="attendance", student_id=w.students5[0])
    with pytest.raises(DomainError, match="только одного ученика"):
        lessons.mark_all_present(w.db, w.at(w.deputy), w.lessons["locked"], correction_id=cid)
    assert count(w.db, Absence) == 1
    marks_cid = _approved_correction(w, student_id=w.students5[0])
    with pytest.raises(DomainError, match="только одного ученика"):
        marks.add_assignment(
            w.db, w.at(w.deputy), w.lessons["locked"], "test", correction_id=marks_cid
        )
    # ... while the student's own cell opens.
    a = lessons.set_absence(
        w.db, w.at(w.deputy), w.lessons["locked"], w.students5[0], "УП", correction_id=cid
    )
    assert a.code == "УП"


def test_late_arrival_is_not_turned_into_an_absence_004_3_7(w: World) -> None:
    """«ОП» means the student was there: its reason cannot become Б or УП."""
    a = lessons.set_absence(w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], "ОП")
    with pytest.raises(ValidationError, match="Опоздание"):
        lessons.correct_absence_reason(
            w.db, w.at(w.ct), a.id, "Б", document="Справка", document_date=date(2026, 11, 23)
        )


def test_all_present_does_not_overwrite_anothers_absences(w: World) -> None:
    """«Все присутствуют» based on a stale list is a conflict, not a silent overwrite."""
    t = w.at(w.teacher)
    seen: dict[int, str] = {}  # the teacher's screen showed nobody absent ...
    lessons.set_absence(w.db, t, w.lessons["today"], w.students5[2], "Б")  # ... then this
    with pytest.raises(ConflictError, match="Посещаемость"):
        lessons.mark_all_present(w.db, t, w.lessons["today"], expected_absences=seen)
    assert count(w.db, Absence) == 1
    view = lessons.mark_all_present(
        w.db, t, w.lessons["today"], expected_absences={w.students5[2]: "Б"}
    )
    assert view.absences_count == 0
