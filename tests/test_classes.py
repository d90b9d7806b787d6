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
    span_choices,
    step_span,
    visible_classes,
    why_no_step,
)
from zhurnal.core.readmodels.classes import shift_span


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
        Span("Неделя 23.11–29.11", date(2026, 11, 23), date(2026, 11, 29), None, "week"),
        Span("Неделя 16.11–22.11", date(2026, 11, 16), date(2026, 11, 22), None, "week"),
        Span("Ноябрь 2026", date(2026, 11, 1), date(2026, 11, 30), None, "month"),
        Span("Октябрь 2026", date(2026, 10, 1), date(2026, 10, 31), None, "month"),
        Span("1 четверть", date(2026, 9, 1), date(2026, 10, 24), w.q1, "quarter"),
        Span("2 четверть", date(2026, 11, 5), date(2026, 12, 28), w.q2, "quarter"),
        Span("Учебный год 2026/2027", date(2026, 9, 1), date(2027, 5, 31), None, "year"),
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
        Span("1 полугодие", date(2026, 9, 1), date(2026, 12, 28), half, "half"),
        Span("Учебный год 2026/2027", date(2026, 9, 1), date(2027, 5, 26), year, "year"),
    )
    school = report_spans(w.db, w.at(w.deputy), date(2026, 11, 23))
    assert [s.label for s in school[4:6]] == ["1 четверть", "2 четверть"]


def test_spans_of_a_class_follow_its_access(w):
    with pytest.raises(PermissionDenied):
        report_spans(w.db, w.at(w.teacher), date(2026, 11, 23), class_id=w.class5)


# --- walking the calendar: a span of each kind, and the one before or after ------------


def test_a_week_steps_to_the_week_before_and_after_monday_to_sunday(w):
    week = report_spans(w.db, w.at(w.deputy), date(2026, 11, 25))[0]
    back = step_span(w.db, w.at(w.deputy), week, -1)
    assert back == Span("Неделя 16.11–22.11", date(2026, 11, 16), date(2026, 11, 22), None, "week")
    again = step_span(w.db, w.at(w.deputy), back, -1)
    assert (again.label, again.start, again.end) == (
        "Неделя 09.11–15.11",
        date(2026, 11, 9),
        date(2026, 11, 15),
    )
    assert step_span(w.db, w.at(w.deputy), again, 2) == week
    new_year = shift_span(Span("", date(2026, 12, 28), date(2027, 1, 3), None, "week"), 1)
    assert (new_year.label, new_year.start, new_year.end) == (
        "Неделя 04.01–10.01",
        date(2027, 1, 4),
        date(2027, 1, 10),
    )


def test_a_month_steps_to_the_month_before_and_after_across_the_new_year(w):
    january = span_choices(w.db, w.at(w.deputy), date(2027, 1, 15))[1]
    assert (january.label, january.kind) == ("Январь 2027", "month")
    december = step_span(w.db, w.at(w.deputy), january, -1)
    assert december == Span("Декабрь 2026", date(2026, 12, 1), date(2026, 12, 31), None, "month")
    assert step_span(w.db, w.at(w.deputy), december, 1) == january
    february = shift_span(january, 1)
    assert (february.start, february.end) == (date(2027, 2, 1), date(2027, 2, 28))
    assert shift_span(january, -13).label == "Декабрь 2025"


def test_a_term_steps_within_its_year_and_the_year_stays(w):
    q1, q2, year = report_spans(w.db, w.at(w.deputy), date(2026, 11, 23))[4:]
    assert step_span(w.db, w.at(w.deputy), q2, -1) == q1
    assert step_span(w.db, w.at(w.deputy), q1, 1) == q2
    assert step_span(w.db, w.at(w.deputy), q1, -1) is None
    assert why_no_step(q1, -1) == "Раньше периода «1 четверть» в учебном году нет."
    assert step_span(w.db, w.at(w.deputy), q2, 1) is None
    assert why_no_step(q2, 1) == "Позже периода «2 четверть» в учебном году нет."
    assert step_span(w.db, w.at(w.deputy), year, -1) is None
    assert why_no_step(year, 1).startswith("Учебный год не листается")


def test_a_class_on_half_years_steps_by_its_half_years(w):
    with w.db.write() as s:
        klass = s.get(SchoolClass, w.class5)
        klass.period_scheme = "halves"
        s.add(klass)
        s.add_all(
            Period(
                year_id=w.year_id,
                scheme="halves",
                kind="half",
                number=n,
                name=f"{n} полугодие",
                start=a,
                end=b,
            )
            for n, a, b in [
                (1, date(2026, 9, 1), date(2026, 12, 28)),
                (2, date(2027, 1, 11), date(2027, 5, 26)),
            ]
        )
    first = span_choices(w.db, w.at(w.ct), date(2026, 11, 23), class_id=w.class5)[2]
    assert (first.label, first.kind) == ("1 полугодие", "half")
    assert first.choice == "Полугодие: 1 полугодие"
    second = step_span(w.db, w.at(w.ct), first, 1, class_id=w.class5)
    assert (second.label, second.start) == ("2 полугодие", date(2027, 1, 11))
    with pytest.raises(PermissionDenied):
        step_span(w.db, w.at(w.teacher), first, 1, class_id=w.class5)


def test_span_choices_one_of_each_kind_around_the_day(w):
    spans = span_choices(w.db, w.at(w.deputy), date(2026, 11, 23))
    assert [s.kind for s in spans] == ["week", "month", "quarter", "year"]
    assert [s.choice for s in spans] == [
        "Неделя 23.11–29.11",
        "Месяц: Ноябрь 2026",
        "Четверть: 2 четверть",
        "Учебный год 2026/2027",
    ]
    # the autumn holidays: the last term begun; before the year: its first term
    assert span_choices(w.db, w.at(w.deputy), date(2026, 10, 28))[2].period_id == w.q1
    assert span_choices(w.db, w.at(w.deputy), date(2026, 8, 20))[2].period_id == w.q1
    # around a span shown that is not today's: the kinds around its first day
    october = Span("Неделя 05.10–11.10", date(2026, 10, 5), date(2026, 10, 11), None, "week")
    week, month, term, _ = span_choices(w.db, w.at(w.deputy), date(2026, 11, 23), around=october)
    assert (week, month.label, term.period_id) == (october, "Октябрь 2026", w.q1)
    year = spans[3]
    assert span_choices(w.db, w.at(w.deputy), date(2026, 11, 23), around=year)[1].label == (
        "Ноябрь 2026"
    )
