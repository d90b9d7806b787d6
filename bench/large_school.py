"""A large school for the benchmarks: 1,500 pupils in 55 classes, a whole year of lessons.

``large_school(scale)`` returns the path of a SQLite database holding, at ``scale=1``:
1,500 pupils in 55 classes (grades 1-11, letters А-Д; grades 10-11 by half-years), the
courses of the demo's curriculum (``data/demo/curriculum.toml``, split subjects in two
subgroups), about 90 teachers, a weekly timetable, every lesson of the school year
2026/2027 (about 56,000), and for the lessons before ``TODAY`` (24.05.2027, the end of
the year, when the data are largest) what teachers enter, with realistic gaps: topics,
homework, attendance (illness by whole days), about 510,000 marks (none in grade 1
[004 §3.5]; a test every eighth lesson), pupils' movement, and the period marks of the
periods that have ended.  ``scale=2`` builds twice the classes and pupils (twice the
data), ``scale=0.02`` one class (tests).

The schema is the real one: ``Database.open`` runs the migrations and
``install_policy`` stores the 004 policy, as ``zhurnal init`` does.  Rows go in by
bulk SQLAlchemy Core inserts (no ORM), in one transaction.  No audit events: nothing
the benchmarks run reads them (``change_counter`` reads 0).  Logins cannot sign in
(password hash «!»); benchmarks build ``Actor``s from the user rows.

The file is cached in the temp dir under a name that carries ``VERSION`` and the scale:
a second run reuses it.  Bump ``VERSION`` when the generator changes.

    python bench/large_school.py [--scale 1.0] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from zhurnal.core import models as m  # noqa: E402
from zhurnal.core.audit import move_id_sequences  # noqa: E402
from zhurnal.core.db import Database  # noqa: E402
from zhurnal.core.demo.inputs import BELLS, _data, _grade_map  # noqa: E402
from zhurnal.core.demo.year import school_year  # noqa: E402
from zhurnal.core.policy import preset_text  # noqa: E402
from zhurnal.core.setup import install_policy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from large_history import NOW, TODAY, _History  # noqa: E402

VERSION = "1"
STUDENTS, CLASSES = 1500, 55
GRADES = (5, 10, 1, 7, 3, 9, 2, 11, 6, 4, 8)  # the order classes are added in (scale < 1)
LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
MAX_HOURS = 24  # a teacher's weekly load before another teacher of the subject is hired
SETTING_KEY = "bench.large_school"
FLUSH_ROWS = 20_000
# A large school divides classes of 25 and more: the foreign language from grade 2 and
# «Труд» from grade 5; it also teaches the native language and the 10-11 project.
SPLIT_FROM = {"Иностранный язык (английский язык)": 2, "Труд (технология)": 5}
EXTRA_SUBJECTS = [
    dict(
        name="Родной язык (русский)",
        short="Родн. яз.",
        teacher={"1-4": "class", "5-9": "ru"},
        hours={str(g): 1 for g in range(1, 10)},
    ),
    dict(
        name="Индивидуальный проект",
        short="Инд. проект",
        teacher={"10-11": "hist"},
        hours={"10": 1, "11": 1},
    ),
]


def cached_path(scale: float, cache_dir: Path | None = None) -> Path:
    folder = cache_dir or Path(tempfile.gettempdir())
    return folder / f"zhurnal-large-v{VERSION}-x{scale:g}.db"


def large_school(
    scale: float = 1.0, cache_dir: Path | None = None, rebuild: bool = False
) -> tuple[Path, dict[str, int]]:
    """The cached large school's path and its row counts; built when missing."""
    path = cached_path(scale, cache_dir)
    if path.exists() and not rebuild:
        db = Database.open(path)
        try:
            with db.read() as s:
                row = s.get(m.Setting, SETTING_KEY)
            if row is not None:
                return path, json.loads(row.value)
        finally:
            db.dispose()
    partial = path.with_name(path.name + ".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    counts = build(partial, scale)
    partial.replace(path)
    return path, counts


def build(path: Path | str, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    """Create the school in a new database file at ``path`` (or an empty database at a
    ``postgresql+psycopg://`` URL); returns the row counts."""
    db = Database.open(path)
    try:
        with db.write() as session:
            install_policy(session, preset_text("004"))
            work_types = {w.code: w.id for w in session.exec(select(m.WorkType))}
            generator = _Generator(session.connection(), scale, seed, work_types)
            counts = generator.run()
            move_id_sequences(session, generator.ids)  # PostgreSQL: the ids given explicitly
            session.add(m.Setting(key=SETTING_KEY, value=json.dumps(counts)))
        if db.is_sqlite:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    return counts


class _Generator(_History):
    def __init__(self, conn: Any, scale: float, seed: int, work_types: dict[str, int]) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        self.scale = scale
        self.work_types = work_types
        self.year = school_year(TODAY)
        self.curriculum = _data("curriculum.toml")
        self.curriculum["subject"] += EXTRA_SUBJECTS
        for subject in self.curriculum["subject"]:
            if subject["name"] in SPLIT_FROM:
                subject["split"] = SPLIT_FROM[subject["name"]]
        self.names = _data("names.toml")
        self.ids: dict[str, int] = defaultdict(int)
        self.buffers: dict[Any, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = defaultdict(int)

    # --- plumbing ---------------------------------------------------------------------

    def id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, model: Any, row: dict[str, Any]) -> None:
        rows = self.buffers.setdefault(model, [])  # dict order: the order of dependence
        rows.append(row)
        if len(rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for model, rows in self.buffers.items():
            if rows:
                self.conn.execute(model.__table__.insert(), rows)
                self.counts[model.__tablename__] += len(rows)
                rows.clear()

    def person(self, male: bool, kind: str) -> tuple[str, str, str]:
        g = 0 if male else 1
        last = self.rng.choice(self.names["surnames"])[g]
        first = self.rng.choice(self.names[kind]["male" if male else "female"])
        return last, first, self.rng.choice(self.names["patronymics"])[g]

    # --- the school -------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        year_id = self.id("school_year")
        y = self.year
        self.add(
            m.SchoolYear, dict(id=year_id, name=y.name, start=y.start, end=y.end, is_current=True)
        )
        self.periods = [dict(id=self.id("period"), year_id=year_id, **p) for p in y.periods]
        for p in self.periods:
            self.add(m.Period, p)
        for h in y.holidays:
            self.add(m.Holiday, dict(id=self.id("holiday"), year_id=year_id, **h))
        for n, (a, b) in enumerate(BELLS, 1):
            self.add(m.Bell, dict(number=n, start=a, end=b))
        for login, roles in (("direktor", "director"), ("zavuch", "deputy")):
            self.user(login, roles, self.person(False, "adults"))
        self.flush()
        self.subjects = {s["name"]: self.id("subject") for s in self.curriculum["subject"]}
        for s in self.curriculum["subject"]:
            self.add(m.Subject, dict(id=self.subjects[s["name"]], name=s["name"], short=s["short"]))
        classes = self.classes(year_id)
        self.flush()
        for klass in classes:
            self.pupils(klass)
        self.flush()
        for klass in classes:
            self.lessons(klass)
        self.flush()
        for klass in classes:
            self.period_marks(klass)
        self.flush()
        return dict(sorted(self.counts.items()))

    def user(self, login: str, roles: str, name: tuple[str, str, str]) -> int:
        uid = self.id("user")
        self.add(
            m.User,
            dict(
                id=uid,
                login=login,
                full_name=" ".join(name),
                password_hash="!",
                roles=roles,
                must_change_password=False,
            ),
        )
        return uid

    def teacher(self, key: tuple[str, int], hours: float) -> int:
        """A teacher of department ``key[0]`` with room for ``hours`` more (hires one);
        ``key[1]``: the subgroup, so that a class's two subgroups get two teachers."""
        pool = self.pools.setdefault(key, [])
        for i, (uid, load) in enumerate(pool):
            if load + hours <= MAX_HOURS:
                pool[i] = (uid, load + hours)
                return uid
        male = self.rng.random() < 0.2
        last, first, middle = self.person(male, "adults")
        login = f"t{self.ids['user'] + 1}"
        uid = self.user(login, "teacher", (last, first, middle))
        pool.append((uid, hours))
        return uid

    def classes(self, year_id: int) -> list[dict[str, Any]]:
        count = max(1, round(CLASSES * self.scale))
        pupils = max(count, round(STUDENTS * self.scale))
        q_lo, q_hi = self.curriculum["school"]["quarters_grades"]
        groups = self.curriculum["school"]["subgroups"]
        self.pools: dict[tuple[str, int], list[tuple[int, float]]] = {}
        out = []
        for i in range(count):
            grade, letter = GRADES[i % len(GRADES)], LETTERS[i // len(GRADES)]
            klass: dict[str, Any] = dict(
                id=self.id("school_class"), grade=grade, letter=letter, courses=[], week=[]
            )
            scheme = "quarters" if q_lo <= grade <= q_hi else "halves"
            primary = self.teacher(("class", i), 0) if grade <= 4 else None
            units: list[list[dict[str, Any]]] = []  # one entry per weekly hour
            for subject in self.curriculum["subject"]:
                hours = {int(k): v for k, v in subject["hours"].items()}.get(grade, 0)
                if not hours:
                    continue
                dept = _grade_map(subject["teacher"])[grade]
                split = groups if grade >= subject.get("split", 99) else [""]
                pair: list[dict[str, Any]] = []
                for g, group in enumerate(split):
                    if dept == "class":
                        uid = primary
                    else:
                        uid = self.teacher((dept, g), hours)
                    pair.append(
                        dict(
                            id=self.id("course"),
                            class_id=klass["id"],
                            subject_id=self.subjects[subject["name"]],
                            subgroup=group,
                            teacher_id=uid,
                            hours_per_week=hours,
                            name=subject["name"],
                        )
                    )
                klass["courses"] += pair
                units += [pair] * int(hours)
            class_teacher = primary or self.rng.choice(klass["courses"])["teacher_id"]
            self.add(
                m.SchoolClass,
                dict(
                    id=klass["id"],
                    year_id=year_id,
                    grade=grade,
                    letter=letter,
                    class_teacher_id=class_teacher,
                    period_scheme=scheme,
                ),
            )
            for c in klass["courses"]:
                self.add(m.Course, {k: v for k, v in c.items() if k != "name"})
            days: list[list[tuple[int, list[dict[str, Any]]]]] = [[] for _ in range(5)]
            for n, unit in enumerate(units):  # a subject's hours dealt over the week
                day = days[n % 5]
                day.append((len(day) + 1, unit))
            for weekday, day in enumerate(days):
                for number, unit in day:
                    for c in unit:
                        self.add(
                            m.TimetableSlot,
                            dict(
                                id=self.id("timetable_slot"),
                                course_id=c["id"],
                                weekday=weekday,
                                number=number,
                                room=f"каб. {i + 1}",
                                valid_from=self.year.start,
                            ),
                        )
            size = pupils // count + (1 if i < pupils % count else 0)
            klass.update(scheme=scheme, week=days, size=size, room=f"каб. {i + 1}")
            out.append(klass)
        return out


__all__ = ["NOW", "TODAY", "VERSION", "build", "cached_path", "large_school"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    path, counts = large_school(args.scale, rebuild=args.rebuild)
    print(f"{path} ({time.perf_counter() - start:.1f} s)")
    for table, n in counts.items():
        print(f"  {table:<16} {n:>9,}".replace(",", " "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
