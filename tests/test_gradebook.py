"""core.readmodels (grid, gradebook): the «Журнал» page of a course for a period.

The school is tests/school.py's: Monday 23.11.2026 10:00; 5А maths (``teacher``) has
lessons on 09.11 (past the 10-day lock [004 §3.8]), 20.11, today at 1 and 3 and
tomorrow, all in the 2nd quarter; 1А maths is grade 1 [004 §3.5].
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.school import NOW, Q2_LAST_WEEK, build
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import Enrolment, Lesson, Student
from zhurnal.core.readmodels import (
    course_periods,
    current_period_id,
    lesson_work_types,
    load_gradebook,
)
from zhurnal.core.services.lessons import set_absence
from zhurnal.core.services.marks import add_assignment, set_lesson_mark, set_period_mark


@pytest.fixture
def w(db):
    return build(db)


def load(w, actor=None, course=None, period=None):
    return load_gradebook(w.db, (actor or w.teacher).at(NOW), course or w.course5, period or w.q2)


def mark(w, lesson: str, student: int, value: str | None, code: str = "answer", **kw):
    return set_lesson_mark(w.db, w.teacher.at(NOW), w.lessons[lesson], student, code, value, **kw)


def test_one_default_answer_column_per_lesson_in_order(w) -> None:
    gb = load(w)
    assert [(c.date, c.number) for c in gb.columns] == [
        (date(2026, 11, 9), 2),
        (date(2026, 11, 20), 2),
        (date(2026, 11, 23), 1),
        (date(2026, 11, 23), 3),
        (date(2026, 11, 24), 1),
    ]
    assert all(
        c.assignment_id is None and c.work_type_code == "answer" and c.weight == 1
        for c in gb.columns
    )
    assert [c.index for c in gb.columns] == [0, 1, 2, 3, 4]
    assert [c.started for c in gb.columns] == [True, True, True, False, False]
    assert [c.editable for c in gb.columns] == [False, True, True, False, False]
    assert (gb.class_title, gb.subject, gb.grade, gb.period.name) == (
        "5А",
        "Математика",
        5,
        "2 четверть",
    )
    assert [s.name for s in gb.students] == ["Антонов Антон", "Борисова Белла", "Васильев Василий"]
    assert not gb.no_marks and gb.mark_values == ("5", "4", "3", "2", "1")


def test_the_first_mark_creates_the_assignment_of_the_default_column(w) -> None:
    a = w.students5[0]
    mark(w, "today", a, "5")
    gb = load(w)
    column = gb.columns[2]
    assert column.assignment_id is not None and column.work_type_code == "answer"
    cell = gb.marks[(a, 2)]
    assert (cell.value, cell.version, cell.late) == ("5", 1, False)


def test_a_second_work_type_is_a_second_column_of_the_lesson(w) -> None:
    a = w.students5[0]
    mark(w, "today", a, "5")
    add_assignment(w.db, w.teacher.at(NOW), w.lessons["today"], "test")
    mark(w, "today", a, "3", code="test")
    gb = load(w)
    today = [c for c in gb.columns if c.lesson_id == w.lessons["today"]]
    assert [(c.work_type_code, c.weight, c.index) for c in today] == [
        ("answer", 1.0, 2),
        ("test", 2.0, 3),
    ]
    assert gb.marks[(a, 2)].value == "5" and gb.marks[(a, 3)].value == "3"
    assert len(gb.columns) == 6
    assert lesson_work_types(w.db, w.ct.at(NOW), w.lessons["today"]) == ["answer", "test"]


def test_weighted_average_and_suggested_period_mark(w) -> None:
    """Σ value·weight / Σ weight; the 004 thresholds; «н/а» under 3 marks."""
    a, b, _ = w.students5
    mark(w, "late", a, "3")
    mark(w, "today", a, "5")
    add_assignment(w.db, w.teacher.at(NOW), w.lessons["today"], "test")
    mark(w, "today", a, "4", code="test")  # weight 2
    mark(w, "today", b, "5")
    gb = load(w)
    assert gb.averages[a] == pytest.approx((3 + 5 + 4 * 2) / 4)
    assert gb.suggested[a] == "4"
    assert gb.averages[b] == 5 and gb.suggested[b] == "н/а"
    assert gb.averages[w.students5[2]] is None
    assert gb.summary([("5", 1.0), ("5", 2.0), ("4", 1.0)]) == (pytest.approx(4.75), "5")


def test_existing_period_mark_and_absences(w) -> None:
    a, b, _ = w.students5
    set_period_mark(w.db, w.teacher.at(Q2_LAST_WEEK), w.course5, a, w.q2, "4")
    set_absence(w.db, w.teacher.at(NOW), w.lessons["today"], b, "Б")
    gb = load(w)
    assert (gb.period_marks[a].value, gb.period_marks[a].version) == ("4", 1)
    assert b not in gb.period_marks
    assert gb.absences == {(b, w.lessons["today"]): "Б"}


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("locked", "Урок 09.11: текущие отметки закрыты для изменений с 20.11.2026 [004 §3.8]."),
        (
            "later_today",
            "Нельзя ставить отметки «вперёд»: урок начнётся 23.11.2026 10:30 [004 §3.8].",
        ),
        ("tomorrow", "Нельзя ставить отметки «вперёд»: урок начнётся 24.11.2026 08:30 [004 §3.8]."),
        ("today", ""),
    ],
)
def test_reasons_for_locked_and_not_started_columns(w, key, reason) -> None:
    column = next(c for c in load(w).columns if c.lesson_id == w.lessons[key])
    assert column.why_not == reason
    assert column.editable == (reason == "")
    assert column.locked == (key == "locked")


def test_practical_work_locks_after_7_days(w) -> None:
    """[004 §3.8]: practical-work marks lock earlier than current ones."""
    add_assignment(w.db, w.teacher.at(NOW), w.lessons["late"], "practical")
    gb = load(w)
    practical = next(c for c in gb.columns if c.work_type_code == "practical")
    assert practical.lock_at.date() == date(2026, 11, 28) and practical.editable


def test_grade_1_has_no_marks(w) -> None:
    """[004 §3.5]: the grid of a grade-1 course shows attendance only."""
    gb = load(w, w.primary, w.course1)
    assert gb.no_marks and gb.grade == 1
    reason = "В 1-м классе отметки не ставятся [004 §3.5]."
    assert gb.no_marks_reason == reason
    assert gb.columns and all(c.why_not == reason and not c.editable for c in gb.columns)
    assert gb.period_mark_choices == ("н/оц",)
    assert all(v is None for v in gb.averages.values())
    assert all(v is None for v in gb.suggested.values())


def test_read_access(w) -> None:
    with pytest.raises(PermissionDenied, match="Нет доступа к журналу 5А"):
        load(w, w.other_teacher)
    for reader in (w.ct, w.deputy, w.director):
        gb = load(w, reader)
        assert not any(c.editable for c in gb.columns)
        assert gb.columns[2].why_not == "Только просмотр: урок ведёт Учителева Мария Ивановна."


def test_students_who_arrived_or_left(w) -> None:
    with w.db.write() as s:
        enrolment = s.exec(select(Enrolment).where(Enrolment.student_id == w.students5[2])).one()
        enrolment.end = date(2026, 11, 20)
        s.add(enrolment)
        newcomer = Student(last_name="Абрамова", first_name="Алла")
        s.add(newcomer)
        s.flush()
        s.add(Enrolment(student_id=newcomer.id, class_id=w.class5, start=date(2026, 11, 16)))
        new_id = newcomer.id
    gb = load(w)
    rows = {s.id: s for s in gb.students}
    assert gb.students[0].name == "Абрамова Алла"
    assert rows[new_id].arrived == date(2026, 11, 16) and rows[new_id].outside == {0}
    gone = rows[w.students5[2]]
    assert gone.left == date(2026, 11, 20) and gone.outside == {2, 3, 4}


def test_periods_of_the_class(w) -> None:
    teacher = w.teacher.at(NOW)
    assert [p.name for p in course_periods(w.db, teacher, w.course5)] == [
        "1 четверть",
        "2 четверть",
    ]
    assert current_period_id(w.db, teacher, w.course5) == w.q2
    assert current_period_id(w.db, teacher, w.course5, date(2026, 10, 28)) == w.q1  # holidays
    assert current_period_id(w.db, teacher, w.course5, date(2026, 8, 20)) == w.q1
    gb = load(w, period=w.q1)
    assert gb.columns == () and len(gb.students) == 3


def test_a_constant_number_of_queries(w) -> None:
    """Bulk queries: the statement count does not grow with lessons or marks."""

    def statements() -> int:
        seen: list[str] = []

        def count(*_args) -> None:
            seen.append("x")

        event.listen(w.db.engine, "before_cursor_execute", count)
        try:
            load(w)
        finally:
            event.remove(w.db.engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    with w.db.write() as s:
        for day in range(10, 20):
            s.add(Lesson(course_id=w.course5, date=date(2026, 11, day), number=4))
    for student in w.students5:
        mark(w, "late", student, "4")
        mark(w, "today", student, "5")
    assert len(load(w).columns) > 10
    assert statements() == before <= 21  # 21: with the live-rights check of every read
