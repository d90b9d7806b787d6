"""bench/large_school.py at a tiny scale: the generator runs, fills what the benchmarks
read, keeps the register's rules, and is reused from its cache.

``scale=0.02`` is one class of 30 pupils (grade 5, quarters) over the whole year 2026/2027;
"today" is the generator's ``TODAY`` (24.05.2027).
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bench.large_school import TODAY, large_school
from zhurnal.core.db import Database
from zhurnal.core.models import (
    Absence,
    Assignment,
    Lesson,
    Mark,
    SchoolClass,
    Student,
    SubgroupMember,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    path, counts = large_school(0.02, cache_dir=folder)
    db = Database.open(path)
    yield folder, path, counts, db
    db.dispose()


def count(db, query) -> int:
    with db.read() as s:
        return s.exec(query).one()


def test_one_class_of_thirty_with_a_year_of_lessons_and_marks(tiny):
    _, _, counts, db = tiny
    assert counts["school_class"] == 1 and counts["student"] == 30
    assert count(db, select(func.count()).select_from(Student)) == 30
    assert count(db, select(func.count()).select_from(Lesson)) == counts["lesson"]
    # grade 5 learns about 30 hours a week for about 33 weeks
    assert 850 <= counts["lesson"] <= 1100
    assert counts["mark"] > 5 * counts["assignment"]
    assert counts["absence"] > 0 and counts["subgroup_member"] == 60  # two split subjects


def test_nothing_is_entered_from_today_on(tiny):
    """No topic, attendance or mark «вперёд» [004 §3.8]: the lessons of TODAY and later
    are empty (they exist: the timetable made them)."""
    _, _, _, db = tiny
    later = Lesson.date >= TODAY
    assert count(db, select(func.count()).select_from(Lesson).where(later)) > 0
    filled = select(func.count()).where(
        later, (Lesson.topic != "") | col(Lesson.attendance_taken_at).is_not(None)
    )
    assert count(db, filled.select_from(Lesson)) == 0
    marks_later = (
        select(func.count())
        .select_from(Mark)
        .join(Assignment, col(Assignment.id) == Mark.assignment_id)
        .join(Lesson, col(Lesson.id) == Assignment.lesson_id)
        .where(later)
    )
    assert count(db, marks_later) == 0


def test_gaps_are_left_for_completeness_to_find(tiny):
    _, _, _, db = tiny
    past = (Lesson.date < TODAY) & (Lesson.cancelled == False)  # noqa: E712
    held = count(db, select(func.count()).select_from(Lesson).where(past))
    no_topic = count(db, select(func.count()).select_from(Lesson).where(past, Lesson.topic == ""))
    untaken = count(
        db,
        select(func.count())
        .select_from(Lesson)
        .where(past, col(Lesson.attendance_taken_at).is_(None)),
    )
    assert 0 < no_topic < held * 0.3
    assert 0 < untaken < held * 0.3


def test_absent_pupils_get_no_mark_that_lesson(tiny):
    _, _, _, db = tiny
    clash = (
        select(func.count())
        .select_from(Mark)
        .join(Assignment, col(Assignment.id) == Mark.assignment_id)
        .join(
            Absence,
            (col(Absence.lesson_id) == Assignment.lesson_id)
            & (col(Absence.student_id) == Mark.student_id),
        )
    )
    assert count(db, clash) == 0


def test_subgroup_marks_stay_in_their_subgroup(tiny):
    _, _, _, db = tiny
    with db.read() as s:
        members = set(s.exec(select(SubgroupMember.course_id, SubgroupMember.student_id)).all())
        split = {c for c, _ in members}
        marked = set(
            s.exec(
                select(Lesson.course_id, Mark.student_id)
                .join(Assignment, col(Assignment.lesson_id) == Lesson.id)
                .join(Mark, col(Mark.assignment_id) == Assignment.id)
                .where(col(Lesson.course_id).in_(split))
            ).all()
        )
        assert s.exec(select(SchoolClass.grade)).one() == 5
    assert marked and marked <= members


def test_a_second_call_reuses_the_cached_file(tiny):
    folder, path, counts, _ = tiny
    written = path.stat().st_mtime_ns
    assert large_school(0.02, cache_dir=folder) == (path, counts)
    assert path.stat().st_mtime_ns == written
    assert [p.name for p in folder.iterdir() if p.suffix == ".db"] == [path.name]


def test_the_load_benchmark_runs_and_loses_nothing(tiny, tmp_path, fast_argon2):
    """bench/bench_load.py with two teachers for a few seconds: both log in, every save
    they were told of is in the database with its audit event, nobody saw an error."""
    from bench.bench_load import run_load

    _, path, _, _ = tiny
    copy = tmp_path / "school.db"
    shutil.copy(path, copy)
    outcome = run_load(f"sqlite:///{copy}", "SQLite", teachers=2, seconds=4)
    assert outcome.errors == []
    assert len(outcome.logins) == 2 and all(t > 0 for t in outcome.logins)
    assert outcome.lost == 0 and outcome.chain_ok
    assert outcome.audited == outcome.acknowledged == len(outcome.latencies)


def test_the_mark_cost_benchmark_runs(tiny, tmp_path):
    """bench/bench_mark_cost.py: core and raw saves on a copy, under FULL and NORMAL."""
    from bench.bench_load import START
    from bench.bench_mark_cost import mark_costs

    _, path, _, _ = tiny
    copy = tmp_path / "school.db"
    shutil.copy(path, copy)
    costs = mark_costs(copy, START, saves=3)
    assert [c.mode for c in costs] == ["FULL", "NORMAL"]
    assert all(c.core_ms > 0 and c.raw_ms > 0 for c in costs)
