"""The demo school (core/demo/): generated once for the module, then inspected.

"Today" is Monday 23.11.2026, a study day of the 2nd quarter.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlmodel import func, select

from tests.conftest import db_arg, demo_database, demo_info, drop_database
from zhurnal.core.actor import Actor
from zhurnal.core.audit import verify_chain
from zhurnal.core.db import Database
from zhurnal.core.demo import DemoInfo, create_demo, demo_info_text, school_year
from zhurnal.core.errors import DomainError
from zhurnal.core.models import (
    AuditEvent,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Period,
    SchoolClass,
    User,
)
from zhurnal.core.policy import load_preset
from zhurnal.core.readmodels import get_lesson

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.xdist_group("demo")  # the demo school is built once, on one worker


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory) -> tuple[Database, DemoInfo]:
    """The demo school, once on each engine [issue 10]."""
    engine = request.param
    db = demo_database(TODAY, engine, tmp_path_factory.mktemp("demo") / "demo.db")
    yield db, demo_info(TODAY, engine)
    drop_database(db)


def scalar(db: Database, sql: str, **params):
    with db.read() as s:
        return s.connection().execute(text(sql), params).scalar_one()


def test_classes_and_class_teachers(demo):
    db, info = demo
    with db.read() as s:
        classes = [
            (k.grade, k.letter, k.class_teacher_id, k.period_scheme)
            for k in s.exec(select(SchoolClass))
        ]
    assert sorted((g, letter) for g, letter, _, _ in classes) == [
        (g, letter) for g in range(1, 12) for letter in ("А", "Б")
    ]
    assert all(ct for _, _, ct, _ in classes)
    assert len({ct for _, _, ct, _ in classes}) == 22
    assert {sch for g, _, _, sch in classes if g <= 9} == {"quarters"}
    assert {sch for g, _, _, sch in classes if g >= 10} == {"halves"}
    assert info.classes == 22


def test_class_sizes_on_today(demo):
    db, _ = demo
    with db.read() as s:
        classes = s.exec(select(SchoolClass)).all()
        for k in classes:
            active = s.exec(
                select(func.count(Enrolment.id)).where(
                    Enrolment.class_id == k.id,
                    Enrolment.start <= TODAY,
                    Enrolment.end.is_(None) | (Enrolment.end >= TODAY),
                )
            ).one()
            assert 20 <= active <= 30, k.title
        # movement: some pupils left, some came later, with orders
        left = s.exec(select(Enrolment).where(Enrolment.end.is_not(None))).all()
        assert left and all(e.order_out.startswith("Приказ № ") for e in left)
        late = s.exec(select(Enrolment).where(Enrolment.start > date(2026, 9, 1))).all()
        assert late and all(e.order_in.startswith("Приказ № ") for e in late)


def test_teachers_and_courses(demo):
    db, info = demo
    with db.read() as s:
        users = [(u.role_set(), u.must_change_password) for u in s.exec(select(User))]
        courses = [
            (c.class_id, c.subject_id, c.subgroup, c.teacher_id, c.hours_per_week)
            for c in s.exec(select(Course))
        ]
    teachers = [roles for roles, _ in users if "teacher" in roles]
    assert len(teachers) >= 35 and info.teachers == len(teachers)
    load: dict[int, float] = {}
    for _, _, _, teacher, hours in courses:
        load[teacher] = load.get(teacher, 0) + hours
    assert len(load) == len(teachers) and max(load.values()) <= 30
    # the subgroups of a subject in a class have two different teachers
    groups: dict[tuple[int, int], set[int]] = {}
    for class_id, subject_id, subgroup, teacher, _ in courses:
        if subgroup:
            groups.setdefault((class_id, subject_id), set()).add(teacher)
    assert groups and all(len(t) == 2 for t in groups.values())
    assert not any(must_change for _, must_change in users)


def test_subgroups_split_the_class(demo):
    db, _ = demo
    with db.read() as s:
        rows = (
            s.connection()
            .execute(
                text(
                    "select c.class_id, c.subject_id, c.subgroup, count(m.id) from course c "
                    "join subgroup_member m on m.course_id = c.id "
                    "where m.start <= :d and (m.end is null or m.end >= :d) "
                    "group by c.id"
                ),
                {"d": TODAY},
            )
            .all()
        )
    sizes: dict[tuple[int, int], list[int]] = {}
    for class_id, subject_id, _sg, n in rows:
        sizes.setdefault((class_id, subject_id), []).append(n)
    assert sizes and all(len(v) == 2 and abs(v[0] - v[1]) <= 2 for v in sizes.values())


def test_today_is_a_study_day_and_uchitel_teaches(demo):
    db, _ = demo
    with db.read() as s:
        q = s.exec(
            select(Period).where(
                Period.kind == "quarter", Period.start <= TODAY, Period.end >= TODAY
            )
        ).one()
        assert q.number == 2
        uchitel = s.exec(select(User).where(User.login == "uchitel")).one()
        actor = Actor(
            uchitel.id,
            "uchitel",
            frozenset({"teacher"}),
            uchitel.full_name,
            datetime(2026, 11, 23, 8, 0),
        )
        lessons = s.exec(
            select(Lesson.id)
            .join(Course)
            .where(Course.teacher_id == uchitel.id, Lesson.date == TODAY)
            .order_by(Lesson.number)
        ).all()
    assert lessons
    # the service offers the next КТП topic for today's lesson
    view, suggested = get_lesson(db, actor, lessons[0])
    assert view.topic == "" and suggested


def test_no_lessons_on_holidays(demo):
    db, _ = demo
    assert (
        scalar(db, "select count(*) from lesson where date between '2026-10-25' and '2026-11-04'")
        == 0
    )
    assert scalar(db, "select count(*) from lesson where date = '2026-11-04'") == 0
    with db.read() as s:
        lessons = s.exec(select(Lesson.date).distinct()).all()
        holidays = [
            (h.name, h.start, h.end) for h in s.exec(select(Holiday).where(Holiday.grades == ""))
        ]
    assert all(d.weekday() < 5 for d in lessons)
    for name, start, end in holidays:
        assert not any(start <= d <= end for d in lessons), name
    # lessons up to the end of the current week, not beyond
    assert max(lessons) == date(2026, 11, 27)


def test_year_calendar():
    year = school_year(TODAY)
    assert year.name == "2026/2027"
    assert year.study_day(TODAY, 5, "quarters") and year.study_day(TODAY, 10, "halves")
    assert not year.study_day(date(2026, 11, 4), 5, "quarters")
    assert not year.study_day(date(2027, 2, 16), 1, "quarters")  # extra week, grade 1
    assert year.study_day(date(2027, 2, 16), 2, "quarters")
    assert school_year(date(2027, 3, 1)).name == "2026/2027"


def test_grade1_has_no_marks_and_no_homework(demo):
    db, _ = demo
    grade1 = (
        "from mark m join assignment a on a.id = m.assignment_id "
        "join lesson l on l.id = a.lesson_id join course c on c.id = l.course_id "
        "join school_class k on k.id = c.class_id where k.grade = 1"
    )
    assert scalar(db, f"select count(*) {grade1}") == 0
    assert (
        scalar(
            db,
            "select count(*) from mark m join enrolment e on e.student_id = "
            "m.student_id join school_class k on k.id = e.class_id "
            "where k.grade = 1",
        )
        == 0
    )
    homework = (
        "from lesson l join course c on c.id = l.course_id join school_class k "
        "on k.id = c.class_id where k.grade = 1 and l.homework <> ''"
    )
    assert scalar(db, f"select count(*) {homework}") > 0
    assert scalar(db, f"select count(*) {homework} and l.homework <> 'нет'") == 0
    assert (
        scalar(
            db,
            "select count(*) from period_mark p join course c on c.id = p.course_id "
            "join school_class k on k.id = c.class_id where k.grade = 1 "
            "and p.value <> 'н/оц'",
        )
        == 0
    )


def test_completeness_has_something_to_find(demo):
    db, _ = demo
    past = scalar(db, "select count(*) from lesson where date < :d", d=TODAY)
    for column in ("topic = ''", "homework = ''", "attendance_taken_at is null"):
        gaps = scalar(db, f"select count(*) from lesson where date < :d and {column}", d=TODAY)
        assert 0 < gaps < past * 0.1, column
    assert scalar(db, "select count(*) from mark where late") > 0
    assert (
        scalar(
            db,
            "select count(*) from lesson where held_by_id <> "
            "(select teacher_id from course where id = course_id)",
        )
        > 0
    )


def test_nothing_entered_ahead(demo):
    db, _ = demo
    future = "join lesson l on l.id = {}.lesson_id where l.date >= :d"
    assert (
        scalar(
            db,
            "select count(*) from mark m join assignment a on a.id = m.assignment_id "
            + future.format("a"),
            d=TODAY,
        )
        == 0
    )
    assert scalar(db, "select count(*) from absence x " + future.format("x"), d=TODAY) == 0
    assert (
        scalar(
            db,
            "select count(*) from lesson where date >= :d and (topic <> '' or "
            "homework <> '' or attendance_taken_at is not null)",
            d=TODAY,
        )
        == 0
    )
    assert scalar(db, "select count(*) from lesson where date >= :d", d=TODAY) > 0
    # entries are never earlier than the lesson
    assert (
        scalar(
            db,
            "select count(*) from mark m join assignment a on a.id = m.assignment_id "
            "join lesson l on l.id = a.lesson_id where date(m.entered_at) < l.date",
        )
        == 0
    )


def test_values_within_the_policy_scale(demo):
    db, info = demo
    policy = load_preset("004")
    with db.read() as s:
        conn = s.connection()
        marks = {v for (v,) in conn.execute(text("select distinct value from mark"))}
        period = {v for (v,) in conn.execute(text("select distinct value from period_mark"))}
        codes = {v for (v,) in conn.execute(text("select distinct code from absence"))}
        counts = dict(conn.execute(text("select value, count(*) from mark group by value")).all())
    assert marks <= set(policy.mark_values)
    assert period <= set(policy.period_values)
    assert codes == {"Н", "Б", "УП", "ОП"}
    assert counts["4"] + counts["5"] > 0.6 * sum(counts.values())  # mostly 4 and 5
    assert info.marks == sum(counts.values()) > 20_000


def test_marks_only_for_pupils_of_the_course(demo):
    db, _ = demo
    # every mark belongs to a pupil enrolled in the class on the lesson's day
    assert (
        scalar(
            db,
            """
        select count(*) from mark m join assignment a on a.id = m.assignment_id
        join lesson l on l.id = a.lesson_id join course c on c.id = l.course_id
        where not exists (select 1 from enrolment e where e.student_id = m.student_id
          and e.class_id = c.class_id and e.start <= l.date
          and (e.end is null or e.end >= l.date))""",
        )
        == 0
    )
    # and, in a subgroup course, to a member of that subgroup
    assert (
        scalar(
            db,
            """
        select count(*) from mark m join assignment a on a.id = m.assignment_id
        join lesson l on l.id = a.lesson_id join course c on c.id = l.course_id
        where c.subgroup <> '' and not exists (select 1 from subgroup_member g
          where g.course_id = c.id and g.student_id = m.student_id)""",
        )
        == 0
    )
    # nobody absent (Н, Б, УП) got a mark in that lesson
    assert (
        scalar(
            db,
            """
        select count(*) from mark m join assignment a on a.id = m.assignment_id
        join absence x on x.lesson_id = a.lesson_id and x.student_id = m.student_id
        where x.code <> 'ОП'""",
        )
        == 0
    )


def test_no_double_booking(demo):
    db, _ = demo
    for who in ("c.teacher_id", "l.held_by_id"):
        assert (
            scalar(
                db,
                f"""
            select count(*) from (select l.date, l.number, {who} from lesson l
            join course c on c.id = l.course_id group by 1, 2, 3
            having count(distinct c.class_id) > 1 or count(distinct c.subject_id) > 1) as t""",
            )
            == 0
        )
    # a class has one subject per lesson number (the two subgroups share it)
    assert (
        scalar(
            db,
            """
        select count(*) from (select l.date, l.number, c.class_id from lesson l
        join course c on c.id = l.course_id group by 1, 2, 3
        having count(distinct c.subject_id) > 1) as t""",
        )
        == 0
    )


def test_plan_topics_follow_the_ktp(demo):
    db, _ = demo
    # every past lesson with a topic points at its course's plan, in plan order
    rows = scalar(
        db,
        """
        select count(*) from lesson l join plan_item p on p.id = l.plan_item_id
        where p.course_id <> l.course_id or p.topic <> l.topic""",
    )
    assert rows == 0
    assert (
        scalar(
            db,
            """
        select count(*) from course c where (select count(*) from plan_item p
        where p.course_id = c.id) < c.hours_per_week * 33""",
        )
        == 0
    )


def test_audit_chain_and_demo_event(demo):
    db, info = demo
    with db.read() as s:
        assert verify_chain(s).ok
        demo_events = s.exec(
            select(AuditEvent.after).where(AuditEvent.action == "demo.create")
        ).all()
        users = s.exec(select(func.count(User.id))).one()
        created = s.exec(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.create")
        ).one()
    assert len(demo_events) == 1 and created == users
    assert '"lessons"' in demo_events[0]
    assert not any(a.password in demo_events[0] for a in info.accounts)  # no password logged


def test_demo_passes_zhurnal_verify(demo, capsys):
    """Every demo mark has its audit event: `zhurnal verify` finds nothing to report."""
    from zhurnal.cli.main import main

    db, _ = demo
    assert main(["verify", "--db", db_arg(db)]) == 0
    out = capsys.readouterr().out
    assert "совпадают с журналом аудита" in out and "Журнал аудита: в порядке" in out
    assert ("Целостность файла базы: в порядке" in out) == db.is_sqlite  # no file on PG


def test_demo_accounts(demo):
    db, info = demo
    expected = {
        "admin": "admin",
        "direktor": "director",
        "zavuch": "deputy",
        "sekretar": "secretary",
        "klass5a": "teacher",
        "uchitel": "teacher",
    }
    assert [a.login for a in info.accounts] == list(expected)
    ph = PasswordHasher()
    with db.read() as s:
        for account in info.accounts:
            user = s.exec(select(User).where(User.login == account.login)).one()
            assert user.role_set() == {expected[account.login]}
            assert user.password_hash.startswith("$argon2id$")
            assert ph.verify(user.password_hash, account.password)
        k5a = s.exec(
            select(SchoolClass).where(SchoolClass.grade == 5, SchoolClass.letter == "А")
        ).one()
        klass5a = s.exec(select(User).where(User.login == "klass5a")).one()
        assert k5a.class_teacher_id == klass5a.id
        assert s.exec(
            select(Course).where(Course.class_id == k5a.id, Course.teacher_id == klass5a.id)
        ).first()
        uchitel = s.exec(select(User).where(User.login == "uchitel")).one()
        taught = (
            s.connection()
            .execute(
                text(
                    "select distinct k.grade || k.letter from course c join school_class k "
                    "on k.id = c.class_id where c.teacher_id = :t"
                ),
                {"t": uchitel.id},
            )
            .scalars()
            .all()
        )
    assert sorted(taught) == ["5А", "5Б", "6А", "6Б", "7А"]


def test_info_text(demo):
    _, info = demo
    out = demo_info_text(info)
    for account in info.accounts:
        assert account.login in out and account.password in out
    assert info.school in out and "2026/2027" in out


def test_refuses_a_non_empty_database(demo):
    db, _ = demo
    with pytest.raises(DomainError, match="не пуста"):
        create_demo(db, today=TODAY)
