"""Read-only queries the lesson and attendance screens use (tests/school.py's school)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import func, select

from tests.school import World, build
from zhurnal.core import readmodels as queries
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import AuditEvent, PlanItem, Student, SubgroupMember
from zhurnal.core.services import lessons, marks


@pytest.fixture
def w(db) -> World:
    return build(db)


def add_plan(w: World, *topics: str) -> list[int]:
    with w.db.write() as s:
        items = [
            PlanItem(course_id=w.course5, position=i, topic=t)
            for i, t in enumerate(topics, start=1)
        ]
        s.add_all(items)
        s.flush()
        return [item.id for item in items]


def audit_count(w: World) -> int:
    with w.db.read() as s:
        return s.exec(select(func.count(AuditEvent.id))).one()


def test_attendance_lists_the_roster_sorted_with_absences(w: World) -> None:
    t = w.at(w.teacher)
    lesson = w.lessons["today"]
    rows = queries.lesson_attendance(w.db, t, lesson)
    assert [r.full_name for r in rows] == ["Антонов Антон", "Борисова Белла", "Васильев Василий"]
    assert all(r.absence_code is None and r.absence_version == 0 for r in rows)
    lessons.set_absence(w.db, t, lesson, w.students5[1], "Б")
    rows = queries.lesson_attendance(w.db, t, lesson)
    assert [(r.student_id, r.absence_code, r.absence_version) for r in rows] == [
        (w.students5[0], None, 0),
        (w.students5[1], "Б", 1),
        (w.students5[2], None, 0),
    ]


def test_attendance_roster_is_the_one_of_the_lesson_date(w: World) -> None:
    """A student who arrived after the lesson is not on its list (движение учащихся)."""
    from zhurnal.core.models import Enrolment

    with w.db.write() as s:
        st = Student(last_name="Аристов", first_name="Артём")
        s.add(st)
        s.flush()
        s.add(Enrolment(student_id=st.id, class_id=w.class5, start=date(2026, 11, 21)))
    t = w.at(w.teacher)
    late = [r.full_name for r in queries.lesson_attendance(w.db, t, w.lessons["late"])]
    today = [r.full_name for r in queries.lesson_attendance(w.db, t, w.lessons["today"])]
    assert "Аристов Артём" not in late
    assert today[:2] == ["Антонов Антон", "Аристов Артём"]


def test_attendance_of_a_subgroup_lists_its_members(w: World) -> None:
    with w.db.write() as s:
        s.add(
            SubgroupMember(
                course_id=w.course5_other, student_id=w.students5[2], start=date(2026, 9, 1)
            )
        )
    rows = queries.lesson_attendance(w.db, w.at(w.other_teacher), w.lessons["other_today"])
    assert [r.student_id for r in rows] == [w.students5[2]]


@pytest.mark.parametrize("query", ["lesson_attendance", "lesson_assignments", "lesson_card"])
def test_reading_another_teachers_lesson_is_refused(w: World, query: str) -> None:
    with pytest.raises(PermissionDenied, match="Нет доступа к журналу 1А"):
        getattr(queries, query)(w.db, w.at(w.teacher), w.lessons["g1_today"])


def test_the_class_teacher_reads_but_may_not_edit(w: World) -> None:
    card = queries.lesson_card(w.db, w.at(w.ct), w.lessons["today"])
    assert card.lesson.text_why_not == "Только просмотр: урок ведёт Учителева Мария Ивановна."
    assert not card.lesson.text_editable and not card.lesson.attendance_editable
    assert len(queries.lesson_attendance(w.db, w.at(w.ct), w.lessons["today"])) == 3


def test_assignments_and_work_types(w: World) -> None:
    t = w.at(w.teacher)
    lesson = w.lessons["today"]
    assert queries.lesson_assignments(w.db, t, lesson) == []
    marks.add_assignment(w.db, t, lesson, "test", "Контрольная № 2")
    marks.add_assignment(w.db, t, lesson, "answer")
    got = queries.lesson_assignments(w.db, t, lesson)
    assert [(a.work_type_code, a.work_type_name, a.weight, a.title) for a in got] == [
        ("test", "Контрольная работа", 2.0, "Контрольная № 2"),
        ("answer", "Ответ на уроке", 1.0, ""),
    ]
    types = queries.work_types(w.db)
    assert types[0] == ("answer", "Ответ на уроке", 1.0)
    assert ("essay", "Сочинение", 2.0) in types


def test_queries_write_nothing(w: World) -> None:
    before = audit_count(w)
    t = w.at(w.teacher)
    queries.lesson_card(w.db, t, w.lessons["locked"])
    queries.lesson_attendance(w.db, t, w.lessons["today"])
    queries.lesson_assignments(w.db, t, w.lessons["today"])
    queries.work_types(w.db)
    assert audit_count(w) == before


def test_card_offers_the_next_plan_topic_then_keeps_the_link(w: World) -> None:
    first, second = add_plan(w, "Натуральные числа", "Дроби")
    t = w.at(w.teacher)
    card = queries.lesson_card(w.db, t, w.lessons["today"])
    assert card.plan == queries.PlanOffer(first, 1, "Натуральные числа")
    assert not card.plan_linked
    lessons.set_topic(w.db, t, w.lessons["late"], "Натуральные числа", plan_item_id=first)
    card = queries.lesson_card(w.db, t, w.lessons["today"])
    assert card.plan and card.plan.topic == "Дроби" and not card.plan_linked
    lessons.set_topic(w.db, t, w.lessons["today"], "Дроби", plan_item_id=second)
    card = queries.lesson_card(w.db, t, w.lessons["today"])
    assert card.plan and card.plan.plan_item_id == second and card.plan_linked
    assert card.lesson.topic == "Дроби"


def test_card_times_deadlines_and_edit_state(w: World) -> None:
    t = w.at(w.teacher)
    card = queries.lesson_card(w.db, t, w.lessons["today"])
    assert (card.starts_at, card.ends_at) == (
        datetime(2026, 11, 23, 8, 30),
        datetime(2026, 11, 23, 9, 15),
    )
    assert card.lesson.entry_deadline == datetime(2026, 11, 25, 23, 59, 59)
    assert card.lesson.lock_at == datetime(2026, 12, 4)
    assert card.lesson.text_editable and card.lesson.attendance_editable
    assert card.lesson.marks_allowed and card.lesson.work_types_editable
    assert card.lesson.forced_homework is None and card.plan is None
    assert card.lesson.homework_required and card.lesson.homework_deadline is None


def test_card_of_a_locked_lesson_says_why(w: World) -> None:
    """10 days after the lesson its topic and attendance are closed [004 §3.8]."""
    card = queries.lesson_card(w.db, w.at(w.teacher), w.lessons["locked"])
    assert card.lesson.text_why_not == (
        "Урок 09.11: тема и домашнее задание закрыты для изменений с 20.11.2026 [004 §3.8]."
    )
    assert "закрыты для изменений с 20.11.2026" in card.lesson.attendance_why_not
    assert card.lesson.locked


def test_card_of_grade_1_forces_homework_and_no_marks(w: World) -> None:
    """Grade 1: homework reads «нет», no marks [004 §3.5]."""
    card = queries.lesson_card(w.db, w.at(w.primary), w.lessons["g1_today"])
    assert card.lesson.forced_homework == "нет" and not card.lesson.homework_required
    assert card.lesson.forced_homework_why == (
        "В 1-м классе домашнее задание не задаётся: в графе пишется «нет» [004 §3.5]."
    )
    assert not card.lesson.marks_allowed
    assert card.lesson.marks_why_not == "В 1-м классе отметки не ставятся [004 §3.5]."
    assert card.lesson.work_types_why_not == card.lesson.marks_why_not
    assert card.lesson.text_editable and card.lesson.homework_deadline is None
