"""Every role against every service and scope (DESIGN.md "Who may write what").

A denied action raises ``PermissionDenied``, changes nothing, and is itself
audited as a "denied" event.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text

from tests.school import Q2_LAST_WEEK, World, build
from zhurnal.core import readmodels
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.policy import preset_text
from zhurnal.core.services import contingent, corrections, lessons, marks, school, users
from zhurnal.core.services.policy import replace_policy

ACTORS = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "other_teacher",
    "ct",
    "primary",
    "secretary",
    "student_user",
    "parent_user",
]


def _correction_request(w: World) -> int:
    return corrections.request_correction(
        w.db,
        w.at(w.teacher),
        course_id=w.course5,
        scope="marks",
        ground="illness",
        document_number="Справка № 1",
        document_date=date(2026, 11, 20),
        lesson_id=w.lessons["locked"],
    ).id


def _approved_cells(w: World) -> int:
    """An approved request to change a locked absence (09.11: Н -> Б) [004 §7]."""
    on_the_day = w.teacher.at(datetime(2026, 11, 9, 12))
    lessons.set_absence(w.db, on_the_day, w.lessons["locked"], w.students5[0], "Н")
    cid = corrections.request_correction(
        w.db,
        w.at(w.teacher),
        course_id=w.course5,
        ground="illness",
        document_number="Справка № 1",
        document_date=date(2026, 11, 20),
        cells=[corrections.CellChange.absence(w.lessons["locked"], w.students5[0], "Б")],
    ).id
    corrections.decide_correction(
        w.db, w.at(w.director), cid, approve=True, valid_until=date(2026, 11, 30)
    )
    return cid


def _absence(w: World) -> int:
    return lessons.set_absence(w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], "Н").id


# name -> (setup(w) -> context, call(w, actor, ctx), roles allowed)
SERVICES = {
    "lesson.topic": (
        None,
        lambda w, a, c: lessons.set_topic(w.db, a, w.lessons["today"], "Т"),
        {"teacher"},
    ),
    "lesson.homework": (
        None,
        lambda w, a, c: lessons.set_homework(w.db, a, w.lessons["today"], "§ 1"),
        {"teacher"},
    ),
    "attendance.all_present": (
        None,
        lambda w, a, c: lessons.mark_all_present(w.db, a, w.lessons["today"]),
        {"teacher"},
    ),
    "attendance.set": (
        None,
        lambda w, a, c: lessons.set_absence(w.db, a, w.lessons["today"], w.students5[1], "Б"),
        {"teacher"},
    ),
    "attendance.reason": (
        _absence,
        lambda w, a, c: lessons.correct_absence_reason(
            w.db, a, c, "Б", document="Справка", document_date=date(2026, 11, 23)
        ),
        {"ct"},
    ),
    "mark.set": (
        None,
        lambda w, a, c: marks.set_lesson_mark(
            w.db, a, w.lessons["today"], w.students5[0], "answer", "5"
        ),
        {"teacher"},
    ),
    "assignment.add": (
        None,
        lambda w, a, c: marks.add_assignment(w.db, a, w.lessons["today"], "test"),
        {"teacher"},
    ),
    "period_mark.set": (
        None,
        # in the last week of 2 четверть, when period marks are accepted
        lambda w, a, c: marks.set_period_mark(
            w.db, a.at(Q2_LAST_WEEK), w.course5, w.students5[0], w.q2, "4"
        ),
        {"teacher", "ct"},
    ),
    "correction.request": (
        None,
        lambda w, a, c: _correction_request(w.__class__(**{**w.__dict__, "teacher": a})),
        {"teacher", "ct", "deputy"},
    ),
    "correction.decide": (
        _correction_request,
        lambda w, a, c: corrections.decide_correction(
            w.db, a, c, approve=True, valid_until=date(2026, 11, 30)
        ),
        {"director"},
    ),
    "correction.apply": (
        _approved_cells,
        lambda w, a, c: corrections.apply_correction(w.db, a, c),
        {"deputy"},
    ),
    "lesson.substitute": (
        None,
        lambda w, a, c: lessons.assign_substitute(
            w.db, a, w.lessons["today"], w.other_teacher.user_id
        ),
        {"deputy", "director"},
    ),
    "user.create": (
        None,
        lambda w, a, c: users.create_user(w.db, a, "novy.uchitel", "Новый Учитель", ["teacher"]),
        {"admin"},
    ),
    "student.add": (
        None,
        lambda w, a, c: contingent.add_student(w.db, a, "Новиков", "Никита"),
        {"secretary", "admin"},
    ),
    "class.create": (
        None,
        lambda w, a, c: school.create_class(w.db, a, w.year_id, 7, "В"),
        {"admin", "deputy"},
    ),
    "policy.set": (  # `zhurnal policy set` [004 §5 «Администратор»]
        None,
        lambda w, a, c: replace_policy(w.db, a, preset_text("002")),
        {"admin"},
    ),
}


def _state(w: World) -> dict[str, int]:
    tables = [
        "mark",
        "absence",
        "lesson",
        "assignment",
        "period_mark",
        "correction",
        "user",
        "student",
        "school_class",
    ]
    with w.db.read() as s:
        counts = {
            t: s.execute(text(f'SELECT count(*), coalesce(sum(version), 0) FROM "{t}"')).one()
            for t in tables
        }
        counts["denied"] = s.execute(
            text("SELECT count(*) FROM audit_event WHERE action='denied'")
        ).scalar_one()
    return counts


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_permission_matrix(db, service: str, role: str) -> None:
    w = build(db)
    setup, call, allowed = SERVICES[service]
    ctx = setup(w) if setup else None
    actor = w.at(getattr(w, role))
    before = _state(w)
    if role in allowed:
        call(w, actor, ctx)
        assert _state(w)["denied"] == before["denied"]
    else:
        with pytest.raises(PermissionDenied):
            call(w, actor, ctx)
        after = _state(w)
        assert after["denied"] == before["denied"] + 1, "a denial is audited"
        after.pop("denied"), before.pop("denied")
        assert after == before, "a denied action changes nothing"


@pytest.mark.parametrize(
    "role, can_read",
    [
        ("teacher", True),
        ("ct", True),
        ("deputy", True),
        ("director", True),
        ("other_teacher", False),
        ("primary", False),
        ("secretary", False),
        ("admin", False),
        ("student_user", False),
        ("parent_user", False),
    ],
)
def test_read_scope(db, role: str, can_read: bool) -> None:
    """A class teacher reads all subjects of the class [002 §2.4, 004 §5]; others of
    the staff read only what they teach; administration reads all [004 §3.11]."""
    w = build(db)
    actor = w.at(getattr(w, role))
    if can_read:
        view, _ = readmodels.get_lesson(db, actor, w.lessons["today"])
        assert view.class_title == "5А"
    else:
        with pytest.raises(PermissionDenied):
            readmodels.get_lesson(db, actor, w.lessons["today"])


def test_substitute_writes_the_lesson_they_hold(db) -> None:
    """[004 §5] A teacher replacing a colleague fills the register of that lesson."""
    w = build(db)
    sub = w.at(w.other_teacher)
    with pytest.raises(PermissionDenied):
        lessons.set_topic(db, sub, w.lessons["today"], "Замена")
    lessons.assign_substitute(db, w.at(w.deputy), w.lessons["today"], w.other_teacher.user_id)
    assert lessons.set_topic(db, sub, w.lessons["today"], "Замена").topic == "Замена"
    # ... but not the course's other lessons.
    with pytest.raises(PermissionDenied):
        lessons.set_topic(db, sub, w.lessons["tomorrow"], "Чужой урок")


def test_deactivated_user_cannot_write(db) -> None:
    """[004 §4.3] When the contract ends, access ends — even for an open session."""
    w = build(db)
    users.set_active(db, w.at(w.admin), w.teacher.user_id, False)
    with pytest.raises(PermissionDenied, match="отключена"):
        marks.set_lesson_mark(
            db, w.at(w.teacher), w.lessons["today"], w.students5[0], "answer", "5"
        )


def test_student_and_parent_never_write_000_7_1(db) -> None:
    """[000 §7.1] Students are never admitted to write in the register."""
    w = build(db)
    for who in (w.student_user, w.parent_user):
        assert who.read_only
        with pytest.raises(PermissionDenied, match="только для просмотра"):
            lessons.set_topic(db, who.at(datetime(2026, 11, 23, 10)), w.lessons["today"], "x")


def test_open_session_loses_a_removed_role_at_once(db) -> None:
    """Rights are checked as they are now: a role removed by the administrator stops an
    open session's writes, not only the next login."""
    w = build(db)
    users.set_roles(db, w.at(w.admin), w.teacher.user_id, ["secretary"])
    with pytest.raises(PermissionDenied, match="Права учётной записи изменились"):
        marks.set_lesson_mark(
            db, w.at(w.teacher), w.lessons["today"], w.students5[0], "answer", "5"
        )


def test_compromise_reported_stops_the_open_session_002_4_4(db) -> None:
    """[002 §4.4] Once a compromise is reported, the session logged in before it is refused."""
    from dataclasses import replace

    from zhurnal.core.services import incidents

    w = build(db)
    session = replace(w.teacher, since=datetime(2026, 11, 23, 8, 0)).at(datetime(2026, 11, 23, 10))
    marks.set_lesson_mark(db, session, w.lessons["today"], w.students5[0], "answer", "5")
    incidents.report_incident(
        db,
        w.director.at(datetime(2026, 11, 23, 9, 30)),
        w.teacher.user_id,
        datetime(2026, 11, 23, 9, 0),
    )
    with pytest.raises(PermissionDenied, match="скомпрометированным"):
        marks.set_lesson_mark(db, session, w.lessons["today"], w.students5[1], "answer", "4")
