"""The curriculum of the year kept by the deputy (issue 9): subjects, classes with their
class teachers, courses (teacher, hours), subgroup splits from a date and the teachers'
load [004 §5 «Заместитель директора»].

On tests/school.py's school: Monday 23.11.2026 10:00; 5А maths (``uchitel``, 5 h) has
lessons on 09.11, 20.11, today #1 (begun) and #3, and tomorrow #1.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.conftest import add_user
from tests.school import TODAY, World, build
from tests.test_school_services import db_state
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, Lesson, PlanItem, SubgroupMember, Subject, User
from zhurnal.core.readmodels import my_lessons
from zhurnal.core.readmodels.catalog import (
    active_teachers,
    class_rows,
    subgroup_split,
    subject_rows,
)
from zhurnal.core.readmodels.load import SANPIN_WEEKLY_MAX, pupil_week, school_load
from zhurnal.core.reports.load import class_load_report, load_report
from zhurnal.core.services import courses, school, subgroups


@pytest.fixture
def w(db) -> World:
    return build(db)


def actions(w: World) -> list[str]:
    with w.db.read() as s:
        return list(s.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


def maths_id(w: World) -> int:
    with w.db.read() as s:
        return s.exec(select(Subject.id).where(Subject.name == "Математика")).one()


def refused(w: World, call, fragment: str, error=ValidationError) -> None:  # type: ignore[no-untyped-def]
    before = db_state(w.db)
    with pytest.raises(error, match=fragment):
        call()
    assert db_state(w.db) == before


def test_subjects_are_added_and_renamed_and_a_duplicate_is_refused(w: World) -> None:
    deputy = w.at(w.deputy)
    russian = school.add_subject(w.db, deputy, "Русский язык", "Рус")
    refused(w, lambda: school.add_subject(w.db, deputy, "  математика "), "«Математика» уже есть")
    refused(w, lambda: school.add_subject(w.db, deputy, "   "), "не заполнено")
    refused(w, lambda: courses.rename_subject(w.db, deputy, russian.id, ""), "не заполнено")
    refused(w, lambda: courses.rename_subject(w.db, deputy, russian.id, "МАТЕМАТИКА"), "уже есть")
    renamed = courses.rename_subject(w.db, deputy, russian.id, "Русский язык и литература")
    assert (renamed.name, renamed.short) == ("Русский язык и литература", "Рус")
    rows = {r.name: r.courses for r in subject_rows(w.db, deputy)}
    assert rows == {"Математика": 3, "Русский язык и литература": 0}
    assert actions(w)[-2:] == ["subject.add", "subject.rename"]
    refused(
        w,
        lambda: courses.rename_subject(w.db, w.at(w.teacher), russian.id, "Русский"),
        "заместитель директора",
        PermissionDenied,
    )


def test_a_class_with_its_class_teacher_and_the_refusals_004_5(w: World) -> None:
    admin = w.at(w.admin)
    new = school.create_class(w.db, admin, w.year_id, 5, "б", w.other_teacher.user_id, "halves")
    rows = {r.title: r for r in class_rows(w.db, admin)}
    assert list(rows) == ["1А", "5А", "5Б", "6А"]
    assert (rows["5Б"].class_teacher, rows["5Б"].scheme_name) == (
        "Другов Пётр Сергеевич",
        "полугодия",
    )
    assert (rows["5А"].class_teacher, rows["5А"].students) == ("Классова Ольга Николаевна", 3)
    create = school.create_class
    refused(w, lambda: create(w.db, admin, w.year_id, 5, "А"), "5А в этом учебном году уже есть")
    refused(w, lambda: create(w.db, admin, w.year_id, 5, ""), "Литера")
    refused(w, lambda: create(w.db, admin, w.year_id, 12, "А"), "от 1 до 11")
    refused(
        w,
        lambda: create(w.db, admin, w.year_id, 7, "А", w.secretary.user_id),
        "только действующего пользователя с ролью «Учитель»",
    )
    gone = add_user(w.db, "ushla", "teacher", "Ушедшая Анна")
    with w.db.write() as s:
        s.get(User, gone.user_id).active = False
    refused(
        w,
        lambda: school.set_class_teacher(w.db, admin, new.id, gone.user_id),
        "действующего",
    )
    assert gone.user_id not in {t.id for t in active_teachers(w.db, admin)}
    school.set_class_teacher(w.db, admin, new.id, w.teacher.user_id)
    assert {r.title: r.class_teacher for r in class_rows(w.db, admin)}["5Б"] == (
        "Учителева Мария Ивановна"
    )


def test_course_duplicates_and_hours_out_of_range_are_refused(w: World) -> None:
    deputy = w.at(w.deputy)
    create = school.create_course
    subject_id = maths_id(w)
    refused(
        w,
        lambda: create(w.db, deputy, w.class5, subject_id, w.teacher.user_id),
        "Математика в 5А уже есть",
    )
    refused(
        w,
        lambda: create(w.db, deputy, w.class5, subject_id, w.teacher.user_id, "2 гр."),
        r"Математика \(2 гр\.\) в 5А уже есть",
    )
    for hours in (0, -1, 41, 1.3):
        refused(
            w,
            lambda h=hours: create(
                w.db, deputy, w.class5, subject_id, w.teacher.user_id, "3 гр.", h
            ),
            "Часов в неделю",
        )
        refused(w, lambda h=hours: courses.set_course_hours(w.db, deputy, w.course5, h), "Часов")
    changed = courses.set_course_hours(w.db, deputy, w.course5, 4.5)
    assert changed.hours_per_week == 4.5
    listed = courses.class_course_rows(w.db, deputy, w.class5)
    row = next(r for r in listed.rows if r.id == w.course5)
    assert listed.weeks > 0 and row.yearly_hours == round(4.5 * listed.weeks)
    assert (row.teacher, row.lessons, row.plan_hours) == ("Учителева Мария Ивановна", 5, 0)
    assert [r.title for r in listed.rows] == ["Математика", "Математика (2 гр.)"]


def test_a_new_teacher_takes_the_lessons_not_yet_held_004_5(w: World) -> None:
    """The lessons already held stay the previous teacher's; the empty ones from the
    date pass to the new teacher, who sees them among their lessons."""
    deputy = w.at(w.deputy)
    with w.db.write() as s:  # a substitution tomorrow by a third teacher stays
        s.add(
            Lesson(course_id=w.course5, date=date(2026, 11, 25), number=2, held_by_id=w.ct.user_id)
        )
    change = courses.change_course_teacher(w.db, deputy, w.course5, w.primary.user_id, TODAY)
    assert change.moved == 2 and change.course.teacher_id == w.primary.user_id
    assert change.kept == ("23.11.2026, 1-й урок: уже начался",)
    with w.db.read() as s:
        held = {
            (ls.date, ls.number): ls.held_by_id
            for ls in s.exec(select(Lesson).where(Lesson.course_id == w.course5))
        }
    old, new = w.teacher.user_id, w.primary.user_id
    assert held == {
        (date(2026, 11, 9), 2): old,
        (date(2026, 11, 20), 2): old,
        (TODAY, 1): old,
        (TODAY, 3): new,
        (date(2026, 11, 24), 1): new,
        (date(2026, 11, 25), 2): w.ct.user_id,
    }
    mine = my_lessons(w.db, w.at(w.primary), date(2026, 11, 24))
    assert [ls.course_id for ls in mine] == [w.course5]
    assert actions(w)[-1] == "course.set_teacher"


def test_a_teacher_busy_at_the_bell_is_refused_and_nothing_changes(w: World) -> None:
    deputy = w.at(w.deputy)
    with w.db.write() as s:  # Другов has the 2nd group tomorrow at the 1st bell
        s.add(Lesson(course_id=w.course5_other, date=date(2026, 11, 24), number=1))
    refused(
        w,
        lambda: courses.change_course_teacher(
            w.db, deputy, w.course5, w.other_teacher.user_id, TODAY
        ),
        "Другов П. С. уже ведёт 5А Математика",
    )
    refused(
        w,
        lambda: courses.change_course_teacher(w.db, deputy, w.course5, w.teacher.user_id, TODAY),
        "и так ведёт",
    )
    refused(
        w,
        lambda: courses.change_course_teacher(w.db, deputy, w.course5, w.secretary.user_id, TODAY),
        "«Учитель»",
    )
    refused(
        w,
        lambda: courses.change_course_teacher(
            w.db, deputy, w.course5, w.primary.user_id, date(2027, 7, 1)
        ),
        "вне учебного года",
    )


def test_a_course_without_lessons_is_removed_with_its_plan(w: World) -> None:
    deputy = w.at(w.deputy)
    refused(w, lambda: courses.remove_course(w.db, deputy, w.course5), r"есть уроки \(5\)")
    subject = school.add_subject(w.db, deputy, "Музыка").id
    music = school.create_course(w.db, deputy, w.class5, subject, w.teacher.user_id).id
    with w.db.write() as s:
        s.add(PlanItem(course_id=music, position=1, topic="Звуки", hours=1))
    courses.remove_course(w.db, deputy, music)
    with w.db.read() as s:
        assert s.exec(select(PlanItem).where(PlanItem.course_id == music)).first() is None
    assert actions(w)[-1] == "course.remove"
    assert "Музыка" not in [
        r.subject for r in courses.class_course_rows(w.db, deputy, w.class5).rows
    ]


def test_a_class_is_split_into_subgroups_from_a_date_004_5(w: World) -> None:
    """«В начале каждого учебного периода … проводит разделение классов на подгруппы»:
    a pupil moved to the other group leaves the first the day before."""
    deputy = w.at(w.deputy)
    english = school.add_subject(w.db, deputy, "Английский язык").id
    g1 = school.create_course(w.db, deputy, w.class5, english, w.teacher.user_id, "1 гр.", 3).id
    g2 = school.create_course(
        w.db, deputy, w.class5, english, w.other_teacher.user_id, "2 гр.", 3
    ).id
    a, b, c = w.students5
    start = date(2026, 9, 1)
    result = subgroups.set_subgroups(w.db, deputy, w.class5, english, {a: g1, b: g1, c: g2}, start)
    assert (result.changed, result.unchanged) == (3, 0)
    result = subgroups.set_subgroups(
        w.db, deputy, w.class5, english, {a: g1, b: g2}, date(2026, 11, 5)
    )
    assert (result.changed, result.unchanged) == (1, 1)
    with w.db.read() as s:
        rows = s.exec(select(SubgroupMember).where(SubgroupMember.student_id == b)).all()
        assert sorted((m.course_id, m.start, m.end) for m in rows) == [
            (g1, start, date(2026, 11, 4)),
            (g2, date(2026, 11, 5), None),
        ]
    split = subgroup_split(w.db, deputy, w.class5, english, TODAY)
    assert [g.subgroup for g in split.groups] == ["1 гр.", "2 гр."]
    assert [(p.name, p.course_id) for p in split.pupils] == [
        ("Антонов Антон", g1),
        ("Борисова Белла", g2),
        ("Васильев Василий", g2),
    ]
    before = subgroup_split(w.db, deputy, w.class5, english, date(2026, 10, 1))
    assert [p.course_id for p in before.pupils] == [g1, g1, g2]
    split_ = subgroups.set_subgroups
    refused(
        w, lambda: split_(w.db, deputy, w.class5, english, {w.outsider: g1}, TODAY), "не числится"
    )
    refused(w, lambda: split_(w.db, deputy, w.class5, english, {a: w.course5}, TODAY), "нет")
    refused(
        w,
        lambda: split_(w.db, deputy, w.class1, maths_id(w), {w.students1[0]: None}, TODAY),
        "для всего класса",
    )
    refused(
        w,
        lambda: split_(w.db, w.at(w.teacher), w.class5, english, {a: g2}, TODAY),
        "Состав подгрупп",
        PermissionDenied,
    )


def test_the_teachers_load_and_the_pupils_week_against_sanpin(w: World) -> None:
    deputy = w.at(w.deputy)
    load = school_load(w.db, deputy)
    by_login = {t.login: t for t in load.teachers}
    assert by_login["uchitel"].total == 5 and by_login["drugoy"].total == 1
    assert by_login["klass5a"].lines == () and by_login["klass5a"].leads == "5А"
    assert "zavuch" not in by_login
    five = next(c for c in load.classes if c.title == "5А")
    assert (five.pupil_hours, five.taught_hours, five.limit) == (6, 6, SANPIN_WEEKLY_MAX[5])
    subject = school.add_subject(w.db, deputy, "Физкультура").id
    school.create_course(w.db, deputy, w.class1, subject, w.primary.user_id, hours_per_week=21)
    load = school_load(w.db, deputy)
    first = next(c for c in load.classes if c.title == "1А")
    assert (first.pupil_hours, first.limit, first.over) == (22, 21, 1)
    report = load_report(load)
    assert ("Начальная Ирина Олеговна", "", "Итого; кл. руководитель 1А", 22.0) in report.rows
    assert any("1А 22 ч в неделю — больше предела 21 ч" in line for line in report.footer)
    assert class_load_report(load).rows[0] == ("1А", 22.0, 21, 1.0, 22.0)
    with pytest.raises(PermissionDenied):
        school_load(w.db, w.at(w.teacher))
    assert pupil_week([(1, "", 5), (2, "1 гр.", 3), (2, "2 гр.", 2), (3, "", 1)]) == 9
