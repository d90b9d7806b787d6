"""The administrator's first-login checklist: what a school lacks before a teacher can
enter a mark [004 §5 «Администратор»], and which setup tasks each role may open [004 §5]."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import add_user, demo_database, drop_database
from tests.school import build
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.readmodels.setup_status import setup_status, setup_tasks

TODAY = date(2026, 11, 23)  # the day every demo test builds the demo on


def test_an_empty_school_lacks_everything_and_starts_with_the_year(db: Database) -> None:
    status = setup_status(db)
    assert not status.ready
    assert status.year == ""
    assert [s.key for s in status.steps if s.done] == []
    assert status.next_step is not None and status.next_step.key == "year"
    assert status.next_step.task == "year"
    assert "создайте учебный год" in status.next_step.detail


def test_a_school_with_users_only_still_lacks_the_year_but_has_teachers(db: Database) -> None:
    add_user(db, "admin", "admin")
    add_user(db, "ivanova", "teacher")
    add_user(db, "gone", "teacher")
    from sqlmodel import select

    from zhurnal.core.models import User

    with db.write() as s:  # a dismissed teacher does not count
        gone = s.exec(select(User).where(User.login == "gone")).one()
        gone.active = False
        s.add(gone)
    steps = {s.key: s for s in setup_status(db).steps}
    assert steps["users"].done and steps["users"].detail == "Учителей с доступом: 1."
    assert not steps["year"].done


def test_the_fixture_school_lacks_half_its_quarters_and_its_timetable(db: Database) -> None:
    """tests/school.py has a year with two quarters of four, classes, pupils and courses
    with lessons made by hand, but no weekly timetable: the checklist says both."""
    build(db)
    status = setup_status(db)
    done = {s.key for s in status.steps if s.done}
    assert {"year", "bells", "users", "subjects", "classes", "students", "courses"} <= done
    assert status.year == "2026/2027"
    steps = {s.key: s for s in status.steps}
    assert steps["periods"].detail == "Не весь год разбит на периоды — четверти: 2 из 4."
    assert status.next_step is not None and status.next_step.key == "periods"
    assert not steps["timetable"].done


@pytest.mark.xdist_group("demo")
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_demo_school_is_ready_for_a_mark(engine: str, tmp_path) -> None:
    db = demo_database(TODAY, engine, tmp_path / "demo.db")
    try:
        status = setup_status(db)
    finally:
        drop_database(db)
    assert status.ready, [s for s in status.steps if not s.done]
    assert status.next_step is None


@pytest.mark.parametrize(
    ("roles", "tasks"),
    [
        ({"admin"}, {"checklist", "users", "logins", "year", "classes", "courses",
                     "timetable", "plans", "contingent", "rollover"}),
        ({"deputy"}, {"year", "classes", "courses", "timetable", "plans"}),
        ({"secretary"}, {"contingent"}),
        ({"director"}, {"rollover"}),
        ({"teacher"}, set()),
    ],
)  # fmt: skip
def test_who_may_open_which_setup_task_004_s5(roles: set[str], tasks: set[str]) -> None:
    actor = Actor(1, "x", frozenset(roles))
    assert set(setup_tasks(actor)) == tasks
