"""«Заполнение журнала» [000 §5.2.5, §6.2; 004 §5]: a hand-counted school.

tests/school.py's school (Monday 23.11.2026 10:00, policy 004), over 09.11–29.11.2026,
with the register filled straight in the database (see ``filled``):

5А Математика (Учителева), students Антонов, Борисова, Васильев + Жуков (arrived 20.11);
Дмитриев left 05.11, before the range:
  09.11 №2  topic, no homework, attendance          -> no homework   (locked 20.11)
  13.11 №1  no topic, homework, attendance          -> no topic      (locks 24.11: soon)
  16.11 №1  cancelled                               -> not counted
  20.11 №2  all filled, each of the three late      -> late 3
  23.11 №1  topic only                              -> no homework, no attendance
  23.11 №3  10:30, not begun at 10:00; 24.11: tomorrow -> not counted
  marks: Антонов 5 (09.11) and 4 (20.11, late); Борисова 3 (20.11); Васильев, Жуков none
  => lessons 4, no topic 1, no homework 2, no attendance 1, late 3 + 1 mark = 4,
     locking soon 1, no marks 2/4 = 50 %, one mark 1/4 = 25 %, first gap 09.11.
5А Математика (2 гр.) (Другов), members Антонов (Борисова left the group 01.11):
  23.11 №1  attendance only                         -> no topic, no homework
  => lessons 1, gaps 2, no marks 1/1 = 100 %, one mark 0 %.
1А Математика (Начальная), grade 1: homework must read «нет» [004 §3.5], no marks:
  09.11 №1  topic, «нет», attendance                -> complete
  20.11 №1  topic, «Прочитать», attendance          -> no homework (not «нет»)
  23.11 №1  topic, homework empty, attendance       -> no homework
  => lessons 3, no homework 2, percentages None.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.school import NOW, World, build
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import (
    Assignment,
    Enrolment,
    Lesson,
    Mark,
    Student,
    SubgroupMember,
    WorkType,
)
from zhurnal.core.readmodels import completeness as cm
from zhurnal.core.readmodels.completeness import class_completeness, school_completeness
from zhurnal.core.reports.completeness import completeness_report

START, END = date(2026, 11, 9), date(2026, 11, 29)
TAKEN = datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def w(db) -> World:
    return filled(build(db))


def filled(w: World) -> World:
    a, b, _ = w.students5
    with w.db.write() as s:
        answer = s.exec(select(WorkType).where(WorkType.code == "answer")).one()

        def lesson(key: str | None, course: int, day: date, number: int, **kw) -> Lesson:
            row = s.get(Lesson, w.lessons[key]) if key else Lesson(course_id=course, date=day)
            row.number = number
            for name, value in kw.items():
                setattr(row, name, value)
            s.add(row)
            s.flush()
            return row

        def mark(row: Lesson, student: int, value: str, late: bool = False) -> None:
            work = Assignment(lesson_id=row.id, work_type_id=answer.id)
            s.add(work)
            s.flush()
            s.add(
                Mark(
                    assignment_id=work.id,
                    student_id=student,
                    value=value,
                    entered_at=TAKEN,
                    entered_by_id=w.teacher.user_id,
                    late=late,
                )
            )

        c5 = w.course5
        l1 = lesson("locked", c5, START, 2, topic="Дроби", attendance_taken_at=TAKEN)
        w.lessons["soon"] = lesson(
            None, c5, date(2026, 11, 13), 1, homework="№ 5", attendance_taken_at=TAKEN
        ).id
        lesson(None, c5, date(2026, 11, 16), 1, cancelled=True)
        l4 = lesson(
            "late",
            c5,
            date(2026, 11, 20),
            2,
            topic="Сложение дробей",
            homework="№ 7",
            attendance_taken_at=TAKEN,
            topic_late=True,
            homework_late=True,
            attendance_late=True,
        )
        lesson("today", c5, NOW.date(), 1, topic="Вычитание дробей")
        mark(l1, a, "5")
        mark(l4, a, "4", late=True)
        mark(l4, b, "3")

        lesson("other_today", w.course5_other, NOW.date(), 1, attendance_taken_at=TAKEN)
        s.add(SubgroupMember(course_id=w.course5_other, student_id=a, start=date(2026, 9, 1)))
        s.add(
            SubgroupMember(
                course_id=w.course5_other,
                student_id=b,
                start=date(2026, 9, 1),
                end=date(2026, 11, 1),
            )
        )

        g1 = dict(attendance_taken_at=TAKEN)
        lesson("g1_locked", w.course1, START, 1, topic="Счёт", homework="нет", **g1)
        w.lessons["g1_wrong"] = lesson(
            None, w.course1, date(2026, 11, 20), 1, topic="Цифры", homework="Прочитать", **g1
        ).id
        lesson("g1_today", w.course1, NOW.date(), 1, topic="Счёт до 10", **g1)

        for last, first, a_day, b_day in (
            ("Дмитриев", "Денис", date(2026, 9, 1), date(2026, 11, 5)),
            ("Жуков", "Жан", date(2026, 11, 20), None),
        ):
            st = Student(last_name=last, first_name=first)
            s.add(st)
            s.flush()
            s.add(Enrolment(student_id=st.id, class_id=w.class5, start=a_day, end=b_day))
    return w


def figures(row: cm.CompletenessRow) -> tuple:
    return (
        row.lessons,
        row.no_topic,
        row.no_homework,
        row.no_attendance,
        row.no_marks_pct,
        row.one_mark_pct,
        row.late,
        row.locking_soon,
    )


def test_class_completeness_hand_counted_000_5_2_5(w: World) -> None:
    """[000 §5.2.5] the class teacher checks the subject teachers of the class weekly."""
    c = class_completeness(w.db, w.ct.at(NOW), w.class5, START, END)
    assert c.title == "5А · 09.11.2026–29.11.2026"
    assert (c.start, c.end, c.now) == (START, END, NOW)
    maths, group = c.rows
    assert (maths.course_id, maths.class_id, maths.class_title, maths.subject) == (
        w.course5,
        w.class5,
        "5А",
        "Математика",
    )
    assert (maths.teacher_id, maths.teacher) == (w.teacher.user_id, "Учителева М. И.")
    assert figures(maths) == (4, 1, 2, 1, 50.0, 25.0, 4, 1)
    assert (maths.gaps, maths.students, maths.marks) == (4, 4, 3)
    assert (maths.first_gap_lesson_id, maths.first_gap_date) == (w.lessons["locked"], START)
    assert group.subject == "Математика (2 гр.)" and group.teacher == "Другов П. С."
    assert figures(group) == (1, 1, 1, 0, 100.0, 0.0, 0, 0)
    assert group.first_gap_lesson_id == w.lessons["other_today"]
    (klass,) = c.by_class
    assert (klass.class_id, klass.class_title, klass.teacher_id, klass.teacher) == (
        w.class5,
        "5А",
        w.ct.user_id,
        "Классова О. Н.",  # the class teacher, short
    )
    # pairs of a student and a course: 5 in all, 3 without marks, 1 with one mark
    assert figures(klass) == (5, 2, 3, 1, 60.0, 20.0, 4, 1) == figures(c.total)
    assert [t.teacher for t in c.by_teacher] == ["Учителева М. И.", "Другов П. С."]


def test_school_completeness_per_course_teacher_class_004_5(w: World) -> None:
    """[004 §5] the deputy: lessons without topic, homework; % of students without marks and
    with one mark — per course, teacher and class, worst first."""
    c = school_completeness(w.db, w.deputy.at(NOW), START, END)
    assert c.title == "Школа · 09.11.2026–29.11.2026"
    assert [r.course_id for r in c.rows] == [w.course5, w.course5_other, w.course1]
    grade1 = c.rows[2]
    assert (grade1.class_title, grade1.teacher) == ("1А", "Начальная И. О.")
    # [004 §3.5] grade 1: homework other than «нет» is missing; no marks, so no percentages
    assert figures(grade1) == (3, 0, 2, 0, None, None, 0, 0)
    assert grade1.first_gap_lesson_id == w.lessons["g1_wrong"]
    assert [(r.teacher_id, r.teacher, r.gaps) for r in c.by_teacher] == [
        (w.teacher.user_id, "Учителева М. И.", 4),
        (w.other_teacher.user_id, "Другов П. С.", 2),  # 100 % without marks: worse
        (w.primary.user_id, "Начальная И. О.", 2),
    ]
    assert all(r.class_title == "" and r.course_id is None for r in c.by_teacher)
    assert [
        (r.class_title, r.teacher_id, r.teacher, r.gaps, r.no_marks_pct) for r in c.by_class
    ] == [
        ("5А", w.ct.user_id, "Классова О. Н.", 6, 60.0),
        ("1А", w.primary.user_id, "Начальная И. О.", 2, None),
    ]
    total = c.total
    assert figures(total) == (8, 2, 5, 1, 60.0, 20.0, 4, 1)
    assert (total.course_id, total.class_id, total.teacher_id, total.subject) == (
        None,
        None,
        None,
        "",
    )
    assert (total.first_gap_lesson_id, total.first_gap_date) == (w.lessons["locked"], START)


def test_a_substitute_is_credited_with_the_lessons_they_kept_004_5(w: World) -> None:
    """[004 §5 «Учитель-предметник»] the colleague who substitutes fills the register: the
    13.11 maths lesson (no topic, locks soon) kept by Другов, the 20.11 one (3 late
    entries and a late mark) by Классова.  Per teacher, each is credited with the lessons
    they kept; the course's row stays whole, under its teacher, and so does the total."""
    with w.db.write() as s:
        for key, keeper in (("soon", w.other_teacher), ("late", w.ct)):
            row = s.get(Lesson, w.lessons[key])
            row.held_by_id = keeper.user_id
            s.add(row)
        row = s.get(Lesson, w.lessons["locked"])
        row.held_by_id = w.teacher.user_id  # the course teacher named: still theirs
        s.add(row)
    c = school_completeness(w.db, w.deputy.at(NOW), START, END)
    maths = next(r for r in c.rows if r.course_id == w.course5)
    assert (maths.teacher_id, maths.teacher) == (w.teacher.user_id, "Учителева М. И.")
    assert figures(maths) == (4, 1, 2, 1, 50.0, 25.0, 4, 1)
    assert maths.first_gap_lesson_id == w.lessons["locked"]
    by = {r.teacher: r for r in c.by_teacher}
    assert [r.teacher for r in c.by_teacher] == [
        "Другов П. С.",  # 3 gaps and one about to lock
        "Учителева М. И.",  # 3 gaps
        "Начальная И. О.",
        "Классова О. Н.",  # no gaps, late entries only
    ]
    # 09.11 and 23.11: no homework twice, no attendance once; her students' marks
    assert figures(by["Учителева М. И."]) == (2, 0, 2, 1, 50.0, 25.0, 0, 0)
    assert by["Учителева М. И."].first_gap_lesson_id == w.lessons["locked"]
    # his group's 23.11 lesson (no topic, no homework) + the 13.11 maths (no topic, soon)
    assert figures(by["Другов П. С."]) == (2, 2, 1, 0, 100.0, 0.0, 0, 1)
    assert by["Другов П. С."].first_gap_lesson_id == w.lessons["soon"]
    # the 20.11 lesson: topic, homework, attendance late + Антонов's late mark
    klassova = by["Классова О. Н."]
    assert figures(klassova) == (1, 0, 0, 0, None, None, 4, 0)
    assert (klassova.teacher_id, klassova.students, klassova.first_gap_lesson_id) == (
        w.ct.user_id,
        0,
        None,
    )
    assert figures(c.total) == (8, 2, 5, 1, 60.0, 20.0, 4, 1)
    assert sum(r.lessons for r in c.by_teacher) == c.total.lessons
    assert sum(r.late for r in c.by_teacher) == c.total.late


def test_a_filled_lesson_leaves_the_count_and_the_lock_passes(w: World) -> None:
    """The report follows the register and the clock: the 13.11 lesson gets its topic; a
    day later (24.11) it is locked, no longer «скоро закроется»."""
    later = school_completeness(w.db, w.deputy.at(datetime(2026, 11, 24, 12, 0)), START, END)
    maths = next(r for r in later.rows if r.course_id == w.course5)
    # 23.11 №3 has begun by 24.11 12:00 (an empty lesson) and 24.11 №1 too
    assert (maths.lessons, maths.no_topic, maths.locking_soon) == (6, 3, 0)
    with w.db.write() as s:
        row = s.get(Lesson, w.lessons["soon"])
        row.topic = "Дроби: повторение"
        s.add(row)
    now = class_completeness(w.db, w.ct.at(NOW), w.class5, START, END)
    assert (now.rows[0].no_topic, now.rows[0].locking_soon) == (0, 0)


def test_period_title_and_range_check(w: World) -> None:
    q2 = class_completeness(w.db, w.deputy.at(NOW), w.class5, date(2026, 11, 5), date(2026, 12, 28))
    assert q2.title == "5А · 2 четверть"
    assert school_completeness(
        w.db, w.director.at(NOW), date(2026, 11, 5), date(2026, 12, 28)
    ).title == ("Школа · 2 четверть")
    with pytest.raises(ValidationError, match="Начало периода позже его окончания"):
        school_completeness(w.db, w.deputy.at(NOW), END, START)


@pytest.mark.parametrize("role", ["ct", "deputy", "director"])
def test_class_completeness_open_to_class_teacher_and_administration(w, role) -> None:
    c = class_completeness(w.db, getattr(w, role).at(NOW), w.class5, START, END)
    assert c.total.lessons == 5


@pytest.mark.parametrize(
    "role", ["teacher", "other_teacher", "primary", "secretary", "admin", "parent_user"]
)
def test_class_completeness_refused_to_others(w, role) -> None:
    """The subject teacher, another class's class teacher, the secretary and the
    administrator do not check a class's register."""
    with pytest.raises(PermissionDenied) as caught:
        class_completeness(w.db, getattr(w, role).at(NOW), w.class5, START, END)
    assert caught.value.message == (
        "Заполнение журнала 5А проверяют классный руководитель, заместитель директора и директор."
    )


@pytest.mark.parametrize("role", ["ct", "teacher", "secretary", "admin"])
def test_school_completeness_only_for_deputy_and_director_004_5(w, role) -> None:
    with pytest.raises(PermissionDenied) as caught:
        school_completeness(w.db, getattr(w, role).at(NOW), START, END)
    assert caught.value.message == (
        "Заполнение журнала по школе проверяют заместитель директора и директор."
    )


def test_worst_first_order_is_the_documented_key() -> None:
    """More gaps first; then lessons about to lock; then % without marks, with one mark;
    then late entries; ties by class (5А before 10А) and subject."""
    base = cm.CompletenessRow(
        course_id=1,
        class_id=1,
        class_title="5А",
        subject="Алгебра",
        teacher_id=1,
        teacher="",
        lessons=10,
        no_topic=0,
        no_homework=0,
        no_attendance=0,
        no_marks_pct=None,
        one_mark_pct=None,
        late=0,
        locking_soon=0,
        first_gap_lesson_id=None,
        first_gap_date=None,
    )
    rows = {
        "gaps": replace(base, no_attendance=1),
        "soon": replace(base, locking_soon=2),
        "no marks": replace(base, no_marks_pct=10.0),
        "one mark": replace(base, one_mark_pct=50.0),
        "late": replace(base, late=5),
        "10А": replace(base, class_title="10А"),
        "5А Геометрия": replace(base, subject="Геометрия"),
        "5А": base,
    }
    order = sorted(rows, key=lambda k: rows[k].sort_key)
    assert order == ["gaps", "soon", "no marks", "one mark", "late", "5А", "5А Геометрия", "10А"]


def test_short_name() -> None:
    assert cm.short_name("Иванова Анна Петровна") == "Иванова А. П."
    assert cm.short_name("Smith John") == "Smith J."
    assert cm.short_name("") == ""


# --- the report -------------------------------------------------------------------------


def test_report_rows_are_the_read_models_per_course(w: World) -> None:
    c = school_completeness(w.db, w.deputy.at(NOW), START, END)
    report = completeness_report(c)
    assert [col.title for col in report.columns] == [
        "Класс",
        "Предмет",
        "Учитель",
        "Уроков",
        "Без темы",
        "Без Д/З",
        "Без посещ.",
        "Без отметок, %",
        "Одна отметка, %",
        "Поздно",
        "Скоро закроются",
    ]
    assert [col.kind for col in report.columns][3:] == ["int"] * 4 + ["percent"] * 2 + ["int"] * 2
    assert report.rows == (
        ("5А", "Математика", "Учителева М. И.", 4, 1, 2, 1, 50.0, 25.0, 4, 1),
        ("5А", "Математика (2 гр.)", "Другов П. С.", 1, 1, 1, 0, 100.0, 0.0, 0, 0),
        ("1А", "Математика", "Начальная И. О.", 3, 0, 2, 0, None, None, 0, 0),
        ("Итого", "", "", 8, 2, 5, 1, 60.0, 20.0, 4, 1),
    )
    assert report.title == "Заполнение журнала: Школа · 09.11.2026–29.11.2026"
    assert report.subtitle == ("Сводка по предметам", "Сформирован 23.11.2026 10:00")


def test_report_per_teacher_and_per_class(w: World) -> None:
    c = school_completeness(w.db, w.deputy.at(NOW), START, END)
    teachers = completeness_report(c, "teachers")
    assert [col.title for col in teachers.columns][:2] == ["Учитель", "Уроков"]
    assert [r[0] for r in teachers.rows] == [r.teacher for r in c.by_teacher] + ["Итого"]
    assert [r[1:] for r in teachers.rows[:-1]] == [figures(r) for r in c.by_teacher]
    classes = completeness_report(c, "classes")
    assert [col.title for col in classes.columns][:3] == ["Класс", "Кл. руководитель", "Уроков"]
    assert classes.rows == (
        ("5А", "Классова О. Н.", 5, 2, 3, 1, 60.0, 20.0, 4, 1),
        ("1А", "Начальная И. О.", 3, 0, 2, 0, None, None, 0, 0),
        ("Итого", "", 8, 2, 5, 1, 60.0, 20.0, 4, 1),
    )
    with pytest.raises(ValidationError, match="по предметам, учителям или классам"):
        completeness_report(c, "students")
