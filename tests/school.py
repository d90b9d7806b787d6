"""A small school built straight in the database for core tests.

Monday 23.11.2026 10:00 is "now".  5А (grade 5) has maths taught by ``teacher``,
1А (grade 1) has maths taught by ``primary``; ``ct`` is the class teacher of
5А and teaches it nothing; lessons lie today, 3 days ago (past the 2-day entry
deadline), 14 days ago (past the 10-day lock) and tomorrow.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import select

from tests.conftest import DEFAULT_PRESET, add_user, make_db, make_pg_db
from zhurnal.core import audit
from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.ledger import TRACKED, current_ledger
from zhurnal.core.models import (
    Bell,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Period,
    SchoolClass,
    SchoolYear,
    Setting,
    Student,
    Subject,
    User,
)
from zhurnal.core.policy import preset_text

NOW = datetime(2026, 11, 23, 10, 0)
TODAY = NOW.date()
Q2_LAST_WEEK = datetime(2026, 12, 21, 10, 0)
"""Monday 21.12.2026: 2 четверть (to 28.12) is open for period marks (7 days before its end,
``locks.period_marks_open_days`` of the 004 preset)."""


@dataclass
class World:
    db: Database
    admin: Actor
    director: Actor
    deputy: Actor
    teacher: Actor
    other_teacher: Actor
    ct: Actor
    primary: Actor
    secretary: Actor
    student_user: Actor
    parent_user: Actor
    year_id: int = 0
    q1: int = 0
    q2: int = 0
    class5: int = 0
    class1: int = 0
    course5: int = 0
    course5_other: int = 0
    course1: int = 0
    students5: list[int] = field(default_factory=list)
    students1: list[int] = field(default_factory=list)
    outsider: int = 0  # a student of another class
    lessons: dict[str, int] = field(default_factory=dict)

    def at(self, actor: Actor, moment: datetime = NOW) -> Actor:
        return actor.at(moment)


_WORLDS: dict[str, tuple[str, World]] = {}  # engine -> (its copy of the world, the World)


def build(db: Database) -> World:
    """The small school in ``db``.  A fresh database (the 004 preset, nothing else) gets
    a copy of the school built once per process and engine — building it row by row costs
    more than the copy, on PostgreSQL five times more."""
    if not _fresh(db):
        return _build(db)
    engine = "sqlite" if db.is_sqlite else "postgresql"
    if engine not in _WORLDS:
        _WORLDS[engine] = _snapshot(engine)
    source, world = _WORLDS[engine]
    db.engine.dispose()  # its connections must not outlive the old database
    if db.is_sqlite:
        assert db.path is not None
        shutil.copyfile(source, db.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{db.path}{suffix}").unlink(missing_ok=True)
    else:
        from tests import pg

        pg.server().replace(db.url, source)
        pg.server().make(db.url)  # other engines (the CLI's, other processes) use it too
    return replace(copy.deepcopy(replace(world, db=None)), db=db)  # type: ignore[arg-type]


def _fresh(db: Database) -> bool:
    """Nothing but the default preset in ``db`` (a copy of the fixtures' template)."""
    if not db.is_sqlite:
        from tests import pg

        pending = pg.server().pending.get(str(make_url(db.url).database))
        if pending is not None:  # not even connected to yet
            return pending == pg.server().templates.get(DEFAULT_PRESET)
    with db.read() as s:
        policy = s.get(Setting, "policy")
        users = s.exec(select(User.id)).first()
    return users is None and policy is not None and policy.value == preset_text(DEFAULT_PRESET)


def _snapshot(engine: str) -> tuple[str, World]:
    """The world built once: a SQLite file, or a PostgreSQL template database."""
    if engine == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="zhurnal-world-")) / "world.db"
        db = make_db(path)
        world = _build(db)
        db.dispose()  # the last connection checkpoints the WAL into the file
        return str(path), world
    from tests import pg

    built: list[World] = []

    def fill(url: str) -> None:
        db = make_pg_db(into=url)
        built.append(_build(db))
        db.dispose()

    return pg.server().template("world", fill), built[0]


def _build(db: Database) -> World:
    w = World(
        db=db,
        admin=add_user(db, "admin", "admin", "Админ Админович"),
        director=add_user(db, "direktor", "director", "Директорова Анна Борисовна"),
        deputy=add_user(db, "zavuch", "deputy", "Завучева Вера Петровна"),
        teacher=add_user(db, "uchitel", "teacher", "Учителева Мария Ивановна"),
        other_teacher=add_user(db, "drugoy", "teacher", "Другов Пётр Сергеевич"),
        ct=add_user(db, "klass5a", "teacher", "Классова Ольга Николаевна"),
        primary=add_user(db, "nachalka", "teacher", "Начальная Ирина Олеговна"),
        secretary=add_user(db, "sekretar", "secretary", "Секретарёва Нина"),
        student_user=add_user(db, "uchenik", "student", "Учеников Иван"),
        parent_user=add_user(db, "roditel", "parent", "Родителева Елена"),
    )
    with db.write() as s:
        year = SchoolYear(
            name="2026/2027", start=date(2026, 9, 1), end=date(2027, 5, 31), is_current=True
        )
        s.add(year)
        s.flush()
        w.year_id = year.id
        q1 = Period(
            year_id=year.id,
            scheme="quarters",
            kind="quarter",
            number=1,
            name="1 четверть",
            start=date(2026, 9, 1),
            end=date(2026, 10, 24),
        )
        q2 = Period(
            year_id=year.id,
            scheme="quarters",
            kind="quarter",
            number=2,
            name="2 четверть",
            start=date(2026, 11, 5),
            end=date(2026, 12, 28),
        )
        s.add_all([q1, q2])
        s.add(
            Holiday(
                year_id=year.id,
                name="Осенние каникулы",
                start=date(2026, 10, 25),
                end=date(2026, 11, 4),
            )
        )
        s.add(
            Holiday(
                year_id=year.id,
                name="День народного единства",
                start=date(2026, 11, 4),
                end=date(2026, 11, 4),
                kind="public",
            )
        )
        for n, (a, b) in enumerate(
            [(time(8, 30), time(9, 15)), (time(9, 25), time(10, 10)), (time(10, 30), time(11, 15))],
            start=1,
        ):
            s.add(Bell(number=n, start=a, end=b))
        maths = Subject(name="Математика", short="Мат")
        s.add(maths)
        c5 = SchoolClass(year_id=year.id, grade=5, letter="А", class_teacher_id=w.ct.user_id)
        c1 = SchoolClass(year_id=year.id, grade=1, letter="А", class_teacher_id=w.primary.user_id)
        c6 = SchoolClass(year_id=year.id, grade=6, letter="А")
        s.add_all([c5, c1, c6])
        s.flush()
        w.q1, w.q2, w.class5, w.class1 = q1.id, q2.id, c5.id, c1.id

        def students(klass: SchoolClass, names: list[str]) -> list[int]:
            ids = []
            for name in names:
                last, first = name.split()
                st = Student(last_name=last, first_name=first)
                s.add(st)
                s.flush()
                s.add(
                    Enrolment(
                        student_id=st.id,
                        class_id=klass.id,
                        start=date(2026, 9, 1),
                        order_in="Приказ № 1-у",
                    )
                )
                ids.append(st.id)
            return ids

        w.students5 = students(c5, ["Антонов Антон", "Борисова Белла", "Васильев Василий"])
        w.students1 = students(c1, ["Гаврилов Глеб", "Денисова Дарья"])
        w.outsider = students(c6, ["Егоров Егор"])[0]
        course5 = Course(
            class_id=c5.id, subject_id=maths.id, teacher_id=w.teacher.user_id, hours_per_week=5
        )
        course5_other = Course(
            class_id=c5.id,
            subject_id=maths.id,
            subgroup="2 гр.",
            teacher_id=w.other_teacher.user_id,
        )
        course1 = Course(class_id=c1.id, subject_id=maths.id, teacher_id=w.primary.user_id)
        s.add_all([course5, course5_other, course1])
        s.flush()
        w.course5, w.course5_other, w.course1 = course5.id, course5_other.id, course1.id
        plan = [
            (date(2026, 11, 9), 2, "locked"),
            (date(2026, 11, 20), 2, "late"),
            (TODAY, 1, "today"),
            (TODAY, 3, "later_today"),
            (date(2026, 11, 24), 1, "tomorrow"),
        ]
        for day, number, key in plan:
            lesson = Lesson(
                course_id=course5.id,
                date=day,
                number=number,
                room="каб. 12",
                held_by_id=w.teacher.user_id,
            )
            s.add(lesson)
            s.flush()
            w.lessons[key] = lesson.id
        for day, number, key in [(TODAY, 1, "g1_today"), (date(2026, 11, 9), 1, "g1_locked")]:
            lesson = Lesson(
                course_id=course1.id, date=day, number=number, held_by_id=w.primary.user_id
            )
            s.add(lesson)
            s.flush()
            w.lessons[key] = lesson.id
        other = Lesson(
            course_id=course5_other.id, date=TODAY, number=1, held_by_id=w.other_teacher.user_id
        )
        s.add(other)
        s.flush()
        w.lessons["other_today"] = other.id
        adopt(s)
    return w


def adopt(session) -> None:
    """The rows built straight in the database, taken into the audit log as they are (as
    the demo's bulk load does), so that ``zhurnal verify`` reconciles them."""
    audit.append(
        session,
        ts=datetime(2026, 8, 31),  # before the users' own events in the log's lists
        actor_id=None,
        actor_login="fixture",
        action="fixture.build",
        after=current_ledger(session, TRACKED),
    )
