"""«Журнал действий» [002 §2.9] and the weekly user activity report [000 §6.1]."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import set_password
from tests.school import World, build
from zhurnal.core.auth import authenticate, logout
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import Course, Lesson, Subject
from zhurnal.core.readmodels.activity import user_activity
from zhurnal.core.readmodels.audit_log import KINDS, audit_log, filter_choices
from zhurnal.core.reports.audit import activity_report, audit_report
from zhurnal.core.services import lessons, marks

PASSWORD = "ключ-от-школы-2026"


def at(h: int, m: int, day: int = 23) -> datetime:
    return datetime(2026, 11, day, h, m)


@pytest.fixture
def w(db, fast_argon2) -> World:
    """Known events: the teacher logs in at 8:30 and works in 5А maths and Russian;
    the primary teacher marks 1А's attendance; one refusal; the teacher logs out."""
    w = build(db)
    with db.write() as s:
        russian = Subject(name="Русский язык", short="Рус")
        s.add(russian)
        s.flush()
        course = Course(class_id=w.class5, subject_id=russian.id, teacher_id=w.teacher.user_id)
        s.add(course)
        s.flush()
        lesson = Lesson(course_id=course.id, date=date(2026, 11, 23), number=2)
        lesson.held_by_id = w.teacher.user_id
        s.add(lesson)
        s.flush()
        w.lessons["russian"] = lesson.id
        w.russian_subject = russian.id  # type: ignore[attr-defined]
    set_password(db, "uchitel", PASSWORD)
    session = authenticate(db, "uchitel", PASSWORD, now=at(8, 30)).actor
    t = w.teacher
    marks.set_lesson_mark(db, t.at(at(8, 40)), w.lessons["today"], w.students5[0], "answer", "4")
    marks.set_lesson_mark(db, t.at(at(8, 41)), w.lessons["today"], w.students5[0], "answer", "5")
    lessons.set_absence(db, t.at(at(8, 45)), w.lessons["today"], w.students5[2], "Н")
    lessons.set_topic(db, t.at(at(9, 0)), w.lessons["today"], "Обыкновенные дроби")
    lessons.set_absence(db, w.primary.at(at(9, 5)), w.lessons["g1_today"], w.students1[0], "Б")
    lessons.set_topic(db, t.at(at(9, 30)), w.lessons["russian"], "Причастие")
    with pytest.raises(PermissionDenied):
        lessons.set_topic(db, t.at(at(9, 40)), w.lessons["g1_today"], "Чужой урок")
    logout(db, session.at(at(10, 0)), "quit")
    return w


def _actions(page) -> list[str]:
    return [r.action for r in page.rows]


def test_whole_log_newest_first_with_words(w: World) -> None:
    page = audit_log(w.db, w.at(w.director), start=date(2026, 11, 23))
    assert _actions(page) == [
        "logout",
        "denied",
        "lesson.topic",  # russian 9:30
        "attendance.set",  # 1А 9:05
        "lesson.topic",
        "attendance.set",
        "mark.set",
        "mark.set",
        "assignment.add",
        "login",
    ]
    assert not page.more
    five = page.rows[6]
    assert five.what == "Отметка: Антонов Антон, 5А Математика, 23.11 Ответ на уроке"
    assert (five.old, five.new, five.kind) == ("4", "5", "Отметки")
    assert five.user == "Учителева Мария Ивановна" and five.login == "uchitel"
    assert five.session == "вход 23.11 08:30"
    absent = page.rows[5]
    assert (absent.student, absent.class_title, absent.subject) == (
        "Васильев Василий",
        "5А",
        "Математика",
    )
    assert (absent.old, absent.new, absent.kind) == ("", "Н", "Посещаемость")
    topic = page.rows[2]
    assert (topic.subject, topic.new, topic.kind) == ("Русский язык", "Причастие", "Темы и Д/З")
    assert page.rows[0].what == "Выход из журнала: закрытие программы"
    denied = page.rows[1]
    assert (denied.kind, denied.what) == ("Отказы", "Отказано: Тема урока")
    assert denied.new == "Только просмотр: урок ведёт Начальная Ирина Олеговна."
    assert page.rows[3].session == ""  # the primary teacher never logged in here


def test_filters_by_user_class_subject_kind_and_dates(w: World) -> None:
    d = w.at(w.deputy)
    by_primary = audit_log(w.db, d, user_id=w.primary.user_id)
    assert _actions(by_primary) == ["attendance.set"]
    in_1a = audit_log(w.db, d, class_id=w.class1)
    assert _actions(in_1a) == ["attendance.set"]
    in_5a = audit_log(w.db, d, class_id=w.class5)
    assert _actions(in_5a) == [
        "lesson.topic",
        "lesson.topic",
        "attendance.set",
        "mark.set",
        "mark.set",
        "assignment.add",
    ]
    russian = audit_log(w.db, d, subject_id=w.russian_subject)  # type: ignore[attr-defined]
    assert [r.new for r in russian.rows] == ["Причастие"]
    maths_5a = audit_log(w.db, d, class_id=w.class5, subject_id=1)
    assert len(maths_5a.rows) == 5
    assert _actions(audit_log(w.db, d, kind="Посещаемость")) == ["attendance.set"] * 2
    assert _actions(audit_log(w.db, d, kind="Входы и выходы")) == [
        "logout",
        "login",
        "password.change",  # the fixture's, on 01.09: passwords are audited
    ]
    assert len(audit_log(w.db, d, kind="Пользователи").rows) == 10  # the fixture's users
    before = audit_log(w.db, d, end=date(2026, 11, 22)).rows  # the fixture's school alone
    assert {r.action for r in before} == {"user.create", "fixture.build", "password.change"}
    assert not audit_log(w.db, d, start=date(2026, 11, 24)).rows
    with pytest.raises(ValidationError):
        audit_log(w.db, d, kind="Неизвестное")
    assert "Прочее" in KINDS and "Отметки" in KINDS


def test_pages_go_back_with_before_id(w: World) -> None:
    d = w.at(w.admin)
    first = audit_log(w.db, d, limit=3)
    assert first.more and len(first.rows) == 3
    second = audit_log(w.db, d, limit=3, before_id=first.rows[-1].id)
    assert second.rows[0].id < first.rows[-1].id
    everything = audit_log(w.db, d, limit=1000)
    assert [r.id for r in everything.rows[:6]] == [r.id for r in first.rows + second.rows]


def test_only_the_administration_reads_the_log(w: World) -> None:
    for who in (w.teacher, w.ct, w.secretary):
        with pytest.raises(PermissionDenied):
            audit_log(w.db, w.at(who))
        with pytest.raises(PermissionDenied):
            user_activity(w.db, w.at(who), date(2026, 11, 23), date(2026, 11, 29))
    choices = filter_choices(w.db, w.at(w.director))
    assert [t for _, t in choices.classes] == ["1А", "5А", "6А"]
    assert [n for _, n in choices.subjects] == ["Математика", "Русский язык"]
    assert (w.teacher.user_id, "Учителева Мария Ивановна") in choices.users


def test_weekly_activity_counts_what_each_user_did(w: World) -> None:
    """[000 §6.1] the weekly report: logins, days, marks, lessons filled, attendance."""
    # 20.11 is past the 2-day deadline: accepted and flagged late [004 §3.8]
    lessons.set_topic(w.db, w.teacher.at(at(9, 50)), w.lessons["late"], "Сложение дробей")
    rows = user_activity(w.db, w.at(w.director), date(2026, 11, 23), date(2026, 11, 29))
    by_login = {r.login: r for r in rows}
    t = by_login["uchitel"]
    assert (t.logins, t.active_days, t.marks, t.lessons_filled, t.attendance) == (1, 1, 2, 3, 1)
    assert (t.late, t.denials, t.last_login) == (1, 1, at(8, 30))
    assert (t.lessons_held, t.lessons_empty) == (3, 1)  # today's two and Russian; not tomorrow
    assert t.roles == "Учитель"
    p = by_login["nachalka"]
    assert (p.logins, p.marks, p.attendance, p.last_login) == (0, 0, 1, None)
    assert "uchenik" not in by_login and "roditel" not in by_login  # staff only
    idle = by_login["drugoy"]
    assert idle.active_days == 0 and idle.lessons_held == 1 and idle.lessons_empty == 1
    assert rows[0].active_days == 0  # the inactive come first
    assert rows.index(idle) < rows.index(t)
    earlier = user_activity(w.db, w.at(w.director), date(2026, 11, 16), date(2026, 11, 22))
    assert {r.login: r.marks for r in earlier}["uchitel"] == 0


def test_reports_are_tables_of_the_rows(w: World) -> None:
    page = audit_log(w.db, w.at(w.director), start=date(2026, 11, 23))
    report = audit_report(page, "23.11.2026")
    assert len(report.rows) == len(page.rows)
    assert report.rows[6][report_index(report, "Было")] == "4"
    rows = user_activity(w.db, w.at(w.director), date(2026, 11, 23), date(2026, 11, 29))
    activity = activity_report(rows, "23.11–29.11.2026")
    assert len(activity.rows) == len(rows)


def report_index(report, title: str) -> int:
    return [c.title for c in report.columns].index(title)


def test_course_changes_say_which_changes_a_course_screen_must_show(w: World) -> None:
    """The grids poll this: an absence in another course is passed over, one in the
    course itself, or a change bound to no one course (a new student), is
    not; a login changes nothing a register screen shows."""
    from zhurnal.core.readmodels import change_counter, course_changes
    from zhurnal.core.services.contingent import add_student

    db, mine, other = w.db, w.course5, w.course1
    seen = change_counter(db)
    lessons.set_absence(db, w.primary.at(at(11, 0)), w.lessons["g1_today"], w.students1[1], "Н")
    newest = change_counter(db)
    assert newest > seen
    assert course_changes(db, seen, mine) == (newest, False)
    assert course_changes(db, seen, other) == (newest, True)

    set_password(db, "drugoy", PASSWORD)
    seen = change_counter(db)
    authenticate(db, "drugoy", PASSWORD, now=at(11, 5))
    newest = change_counter(db)
    assert course_changes(db, seen, mine) == (newest, False)

    seen = newest
    lessons.set_absence(db, w.teacher.at(at(11, 10)), w.lessons["today"], w.students5[1], "Н")
    assert course_changes(db, seen, mine)[1] and not course_changes(db, seen, other)[1]

    seen = change_counter(db)
    add_student(db, w.admin.at(at(11, 20)), "Новикова", "Анна")
    assert course_changes(db, seen, mine)[1] and course_changes(db, seen, other)[1]
    assert course_changes(db, change_counter(db), mine) == (change_counter(db), False)
