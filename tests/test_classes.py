"""core.readmodels.classes: the class, course and date-span pickers.

The school is tests/school.py's (Monday 23.11.2026): 1А (class teacher ``primary``,
2 pupils), 5А (``ct``, 3 pupils; maths by ``teacher``, a 2nd maths subgroup by
``other_teacher``), 6А (no class teacher, 1 pupil); the 1st and 2nd quarters.
A class teacher reads every subject of their class [004 §3.9]; the deputy and the
director read everything; nobody else picks a class.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.school import NOW, build
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.models import (
    Course,
    Enrolment,
    Period,
    SchoolClass,
    SchoolYear,
    Subject,
)
from zhurnal.core.readmodels import (
    ClassRef,
    CourseRef,
    Span,
    class_courses,
    report_spans,
    visible_classes,
)


@pytest.fixture
def w(db):
    return build(db)


def titles(refs) -> list[str]:
    return [r.title for r in refs]


def test_deputy_and_director_pick_any_class_of_the_year_by_grade_then_letter(w):
    with w.db.write() as s:  # 5Б sorts after 5А though added later
        s.add(SchoolClass(year_id=w.year_id, grade=5, letter="Б"))
    for actor in (w.deputy, w.director):
        refs = visible_classes(w.db, w.at(actor))
        assert titles(refs) == ["1А", "5А", "5Б", "6А"]
    refs = visible_classes(w.db, w.at(w.deputy))
    assert refs[1] == ClassRef(w.class5, "5А", 5, "Классова Ольга Николаевна", 3)
    assert refs[0].class_teacher == "Начальная Ирина Олеговна"
    assert (refs[2].class_teacher, refs[2].students) == ("", 0)
    assert (refs[3].class_teacher, refs[3].students) == ("", 1)


def test_a_class_teacher_picks_only_the_classes_they_lead(w):
    assert titles(visible_classes(w.db, w.at(w.ct))) == ["5А"]
    assert titles(visible_classes(w.db, w.at(w.primary))) == ["1А"]


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "secretary", "student_user"])
def test_who_leads_no_class_and_is_not_administration_picks_none(w, who):
    assert visible_classes(w.db, w.at(getattr(w, who))) == ()


def test_classes_of_another_year_are_not_offered(w):
    with w.db.write() as s:
        old = SchoolYear(name="2025/2026", start=date(2025, 9, 1), end=date(2026, 5, 31))
        s.add(old)
        s.flush()
        s.add(SchoolClass(year_id=old.id, grade=4, letter="А", class_teacher_id=w.ct.user_id))
    assert titles(visible_classes(w.db, w.at(w.ct))) == ["5А"]
    assert titles(visible_classes(w.db, w.at(w.deputy))) == ["1А", "5А", "6А"]


def test_pupil_count_is_of_the_day_movement_included(w):
    """A pupil who left on 20.11 is not counted on 23.11; one arriving on 01.12 not yet."""
    with w.db.write() as s:
        stay = s.exec(select(Enrolment).where(Enrolment.student_id == w.students5[0])).one()
        stay.end = date(2026, 11, 20)
        s.add(stay)
        s.add(Enrolment(student_id=w.outsider, class_id=w.class5, start=date(2026, 12, 1)))
    by_title = {r.title: r for r in visible_classes(w.db, w.at(w.deputy))}
    assert by_title["5А"].students == 2
    later = visible_classes(w.db, w.at(w.deputy, NOW.replace(month=12, day=2)))
    assert {r.title: r.students for r in later}["5А"] == 3


def add_english(w) -> int:
    with w.db.write() as s:
        english = Subject(name="Английский язык")
        s.add(english)
        s.flush()
        course = Course(
            class_id=w.class5, subject_id=english.id, subgroup="1 гр.", teacher_id=w.ct.user_id
        )
        s.add(course)
        s.flush()
        return course.id


def test_class_courses_lists_every_subject_of_the_class_in_subject_order(w):
    english = add_english(w)
    courses = class_courses(w.db, w.at(w.ct), w.class5)
    assert titles(courses) == ["Английский язык (1 гр.)", "Математика", "Математика (2 гр.)"]
    assert courses[0] == CourseRef(
        english,
        w.class5,
        "5А",
        "Английский язык",
        "1 гр.",
        w.ct.user_id,
        "Классова Ольга Николаевна",
        "Английский язык (1 гр.)",
    )
    assert [(c.id, c.teacher) for c in courses[1:]] == [
        (w.course5, "Учителева Мария Ивановна"),
        (w.course5_other, "Другов Пётр Сергеевич"),
    ]


def test_deputy_and_director_read_any_class_s_courses(w):
    for actor in (w.deputy, w.director):
        assert [c.id for c in class_courses(w.db, w.at(actor), w.class1)] == [w.course1]


@pytest.mark.parametrize("who", ["teacher", "primary", "secretary", "parent_user"])
def test_class_courses_are_refused_to_anyone_but_its_class_teacher_and_administration(w, who):
    """The maths teacher of 5А reads their course, not the class's other pages [004 §3.9]."""
    with pytest.raises(PermissionDenied, match="5А"):
        class_courses(w.db, w.at(getattr(w, who)), w.class5)


def test_an_unknown_class_is_not_found(w):
    with pytest.raises(NotFound):
        class_courses(w.db, w.at(w.deputy), 999)


def test_report_spans_weeks_months_quarters_and_the_year(w):
    spans = report_spans(w.db, w.at(w.deputy), date(2026, 11, 23))
    assert spans == (
        Span("Неделя 23.11–29.11", date(2026, 11, 23), date(2026, 11, 29), None),
        Span("Неделя 16.11–22.11", date(2026, 11, 16), date(2026, 11, 22), None),
        Span("Ноябрь 2026", date(2026, 11, 1), date(2026, 11, 30), None),
        Span("Октябрь 2026", date(2026, 10, 1), date(2026, 10, 31), None),
        Span("1 четверть", date(2026, 9, 1), date(2026, 10, 24), w.q1),
        Span("2 четверть", date(2026, 11, 5), date(2026, 12, 28), w.q2),
        Span("Учебный год 2026/2027", date(2026, 9, 1), date(2027, 5, 31), None),
    )


def test_a_sunday_belongs_to_its_week_and_january_s_last_month_is_last_year_s_december(w):
    sunday = report_spans(w.db, w.at(w.deputy), date(2026, 11, 29))
    assert sunday[0].label == "Неделя 23.11–29.11"
    january = report_spans(w.db, w.at(w.deputy), date(2027, 1, 4))
    assert [s.label for s in january[:4]] == [
        "Неделя 04.01–10.01",
        "Неделя 28.12–03.01",
        "Январь 2027",
        "Декабрь 2026",
    ]
    assert (january[3].start, january[3].end) == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_class_on_half_years_gets_its_half_years_and_its_year_period(w):
    with w.db.write() as s:
        klass = s.get(SchoolClass, w.class5)
        klass.period_scheme = "halves"
        s.add(klass)
        rows = [
            Period(
                year_id=w.year_id,
                scheme="halves",
                kind=kind,
                number=1,
                name=name,
                start=date(2026, 9, 1),
                end=end,
            )
            for kind, name, end in [
                ("half", "1 полугодие", date(2026, 12, 28)),
                ("year", "Год", date(2027, 5, 26)),
            ]
        ]
        s.add_all(rows)
        s.flush()
        half, year = rows[0].id, rows[1].id
    spans = report_spans(w.db, w.at(w.ct), date(2026, 11, 23), class_id=w.class5)
    assert spans[4:] == (
        Span("1 полугодие", date(2026, 9, 1), date(2026, 12, 28), half),
        Span("Учебный год 2026/2027", date(2026, 9, 1), date(2027, 5, 26), year),
    )
    school = report_spans(w.db, w.at(w.deputy), date(2026, 11, 23))
    assert [s.label for s in school[4:6]] == ["1 четверть", "2 четверть"]


def test_spans_of_a_class_follow_its_access(w):
    with pytest.raises(PermissionDenied):
        report_spans(w.db, w.at(w.teacher), date(2026, 11, 23), class_id=w.class5)
