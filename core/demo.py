"""The demo school: ``zhurnal demo`` fills an empty database with a realistic one.

``create_demo`` builds, in one write transaction, a Russian general school
(grades 1-11, letters А and Б) for the school year that contains ``today``:
the 004 policy, periods and holidays, bells, staff with demo passwords,
classes with pupils and their movement, subjects, courses and subgroups, a
timetable without clashes, calendar-thematic plans (КТП), every lesson from
1 September to the end of the current week, and for the lessons before
``today`` what teachers usually enter: topics, homework, attendance, marks
(none in grade 1 [004 §3.5]), with the usual gaps and late entries that the
completeness report should find.  Quarter marks are set for the periods that
have ended.  Nothing is entered «вперёд»: today's and later lessons are empty.

The result is deterministic for ``seed`` and ``today`` (except the argon2
salts, and the audit timestamps, which follow the wall clock when ``today`` is
not given).  The generator inputs (names, curriculum, КТП topic stems) live in
``data/demo/``.  Rows are bulk-inserted with ids the generator assigns (the
database must be empty); on PostgreSQL the id sequences are moved past them.

Demo accounts get fixed, printed passwords and ``must_change_password=False``
so that a demonstration can start at once; a real school never runs this.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from zhurnal.core import audit
from zhurnal.core.auth import hash_password
from zhurnal.core.calendar import (
    FIVE_DAY_WEEK,
    TERM_KINDS,
    DayOff,
    Term,
    is_study_day,
    parse_grades,
)
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError
from zhurnal.core.models import (
    Absence,
    Assignment,
    Bell,
    Course,
    Enrolment,
    Holiday,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    PlanItem,
    SchoolClass,
    SchoolYear,
    Setting,
    Student,
    SubgroupMember,
    Subject,
    TimetableSlot,
    User,
    WorkType,
)
from zhurnal.core.policy import Policy, preset_text
from zhurnal.core.rules import (
    Calendar,
    entry_deadline,
    homework_deadline,
    suggest_period_mark,
    weighted_average,
)
from zhurnal.core.setup import install_policy

DEMO_PRESET = "004"
SCHOOL_NAME_KEY = "school_name"
TEACHER_PASSWORD = "demo-teacher-2026"
BELLS = (
    (time(8, 30), time(9, 15)),
    (time(9, 25), time(10, 10)),
    (time(10, 30), time(11, 15)),
    (time(11, 35), time(12, 20)),
    (time(12, 30), time(13, 15)),
    (time(13, 25), time(14, 10)),
    (time(14, 20), time(15, 5)),
    (time(15, 15), time(16, 0)),
)
MAX_LESSONS_PER_DAY = 7
WEEKDAYS = 5


class DemoAccount(NamedTuple):
    role: str  # in Russian, for the printed table
    login: str
    password: str


@dataclass(frozen=True)
class DemoInfo:
    school: str
    year: str
    today: date
    accounts: tuple[DemoAccount, ...]
    classes: int
    students: int
    teachers: int
    courses: int
    lessons: int
    marks: int
    absences: int
    period_marks: int
    teacher_login: str = ""  # an ordinary teacher's login, for the printed hint


# --- inputs -------------------------------------------------------------------------


def _data(name: str) -> dict[str, Any]:
    text = (resources.files("zhurnal.data") / "demo" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _grade_map(spec: dict[str, Any]) -> dict[int, Any]:
    """{"1-4": x, "7": y} -> {1: x, 2: x, 3: x, 4: x, 7: y}."""
    out: dict[int, Any] = {}
    for key, value in spec.items():
        lo, _, hi = str(key).partition("-")
        for g in range(int(lo), int(hi or lo) + 1):
            out[g] = value
    return out


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
         "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
        strict=True,
    )
)


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in text.lower())


def _order(number: int, day: date) -> str:
    return f"Приказ № {number}-у от {day:%d.%m.%Y}"


# --- the school year ----------------------------------------------------------------


@dataclass
class _Year:
    start: date
    end: date
    name: str
    periods: list[dict[str, Any]]
    holidays: list[dict[str, Any]]
    public: frozenset[date] = frozenset()
    terms: tuple[Term, ...] = ()
    days_off: tuple[DayOff, ...] = ()

    def study_day(self, d: date, grade: int, scheme: str) -> bool:
        """``core.calendar.is_study_day`` on the demo school's five-day week."""
        return is_study_day(d, grade, scheme, self.terms, self.days_off, FIVE_DAY_WEEK)


def _days(a: date, b: date) -> Iterable[date]:
    d = a
    while d <= b:
        yield d
        d += timedelta(days=1)


def school_year(today: date) -> _Year:
    """Periods and holidays of the school year that contains ``today``."""
    y = today.year if today.month >= 7 else today.year - 1

    def d(month: int, day: int) -> date:
        return date(y if month >= 7 else y + 1, month, day)

    periods = []
    for n, (a, b) in enumerate([(d(9, 1), d(10, 24)), (d(11, 5), d(12, 28)),
                                (d(1, 12), d(3, 20)), (d(3, 30), d(5, 26))], start=1):
        periods.append(dict(scheme="quarters", kind="quarter", number=n, name=f"{n} четверть",
                            start=a, end=b))
    for n, (a, b) in enumerate([(d(9, 1), d(12, 28)), (d(1, 12), d(5, 26))], start=1):
        periods.append(dict(scheme="halves", kind="half", number=n, name=f"{n} полугодие",
                            start=a, end=b))
    for scheme in ("quarters", "halves"):
        periods.append(dict(scheme=scheme, kind="year", number=1, name="Год",
                            start=d(9, 1), end=d(5, 26)))
    feb = d(2, 15)
    feb_monday = feb - timedelta(days=feb.weekday())
    holidays = [
        dict(name="Осенние каникулы", start=d(10, 25), end=d(11, 4), kind="vacation", grades=""),
        dict(name="Зимние каникулы", start=d(12, 29), end=d(1, 11), kind="vacation", grades=""),
        dict(name="Дополнительные каникулы для первоклассников", start=feb_monday,
             end=feb_monday + timedelta(days=6), kind="vacation", grades="1"),
        dict(name="Весенние каникулы", start=d(3, 21), end=d(3, 29), kind="vacation", grades=""),
        dict(name="Летние каникулы", start=d(5, 27), end=d(8, 31), kind="vacation", grades=""),
        dict(name="Новогодние каникулы", start=d(1, 1), end=d(1, 8), kind="public", grades=""),
    ]
    for month, day, name in [(11, 4, "День народного единства"),
                             (2, 23, "День защитника Отечества"),
                             (3, 8, "Международный женский день"),
                             (5, 1, "Праздник Весны и Труда"), (5, 9, "День Победы")]:
        day_off = d(month, day)
        holidays.append(dict(name=name, start=day_off, end=day_off, kind="public", grades=""))
        if day_off.weekday() >= 5:
            moved = day_off + timedelta(days=7 - day_off.weekday())
            holidays.append(dict(name=f"{name} (перенос выходного дня)", start=moved, end=moved,
                                 kind="public", grades=""))
    public = frozenset(day for h in holidays if h["kind"] == "public"
                       for day in _days(h["start"], h["end"]))
    terms = tuple(Term(p["scheme"], p["start"], p["end"]) for p in periods
                  if p["kind"] in TERM_KINDS)
    days_off = tuple(DayOff(h["start"], h["end"], h["kind"] == "public",
                            parse_grades(h["grades"])) for h in holidays)
    return _Year(start=d(9, 1), end=d(5, 31), name=f"{y}/{y + 1}", periods=periods,
                 holidays=holidays, public=public, terms=terms, days_off=days_off)


# --- people -------------------------------------------------------------------------


class _Names:
    def __init__(self, data: dict[str, Any], rng: random.Random) -> None:
        self.rng = rng
        self.surnames = data["surnames"]
        self.patronymics = data["patronymics"]
        self.first = {"students": data["students"], "adults": data["adults"]}
        self.used: set[tuple[str, str, str]] = set()

    def person(self, male: bool, generation: str) -> tuple[str, str, str]:
        g = 0 if male else 1
        while True:
            last = self.rng.choice(self.surnames)[g]
            first = self.rng.choice(self.first[generation]["male" if male else "female"])
            middle = self.rng.choice(self.patronymics)[g]
            if (last, first, middle) not in self.used:
                self.used.add((last, first, middle))
                return last, first, middle


@dataclass
class _Teacher:
    id: int
    login: str
    full_name: str
    dept: str
    depts: tuple[str, ...]
    room: str
    load: float = 0.0
    sloppy: bool = False
    strictness: float = 0.0


@dataclass
class _Class:
    id: int
    grade: int
    letter: str
    scheme: str
    room: str = ""
    teacher_id: int | None = None
    students: list[_Pupil] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass
class _Pupil:
    id: int
    last: str
    first: str
    middle: str
    male: bool
    ability: float
    health: float
    stays: list[tuple[int, date, date | None]] = field(default_factory=list)  # class, start, end


@dataclass
class _Course:
    id: int
    klass: _Class
    subject: dict[str, Any]
    subject_id: int
    subgroup: str
    dept: str
    hours: int
    teacher: _Teacher | None = None
    members: list[tuple[int, date, date | None]] = field(default_factory=list)
    plan: list[tuple[int, str, str]] = field(default_factory=list)  # plan id, topic, work kind


# --- curriculum, staff and teaching load ----------------------------------------------


def _courses_for(klass: _Class, subjects: list[dict[str, Any]], subject_ids: dict[str, int],
                 subgroups: list[str], next_id: Iterable[int]) -> list[_Course]:
    ids = iter(next_id)
    out = []
    for s in subjects:
        hours = _grade_map(s["hours"]).get(klass.grade)
        if not hours:
            continue
        dept = _grade_map(s["teacher"])[klass.grade]
        groups = subgroups if klass.grade >= s.get("split", 99) else [""]
        for sg in groups:
            out.append(_Course(next(ids), klass, s, subject_ids[s["name"]], sg, dept, hours))
    return out


def _assign_teachers(courses: list[_Course], teachers: list[_Teacher],
                     pins: dict[tuple[int, str], _Teacher], class_teacher: dict[int, _Teacher],
                     ) -> None:
    """Give every course a teacher: the class teacher in grades 1-4, else the least loaded
    teacher of the department (colleagues who also teach it only when clearly cheaper).
    All subjects of one department in a class go to one teacher; the two subgroups of a
    split subject go to two different teachers."""
    bundles: dict[tuple[int, str, str], list[_Course]] = defaultdict(list)
    for c in courses:
        bundles[(c.klass.id, c.dept, c.subgroup)].append(c)
    chosen: dict[tuple[int, str, str], _Teacher] = {}
    for key, group in bundles.items():
        if key[1] == "class":
            chosen[key] = class_teacher[key[0]]
        elif (key[0], key[1]) in pins and not key[2]:
            chosen[key] = pins[(key[0], key[1])]
        else:
            continue
        chosen[key].load += sum(c.hours for c in group)
    # departments only their own teachers teach first, then those colleagues also teach
    shared = {d for t in teachers for d in t.depts if d != t.dept}
    order = sorted((k for k in bundles if k not in chosen),
                   key=lambda k: (k[1] in shared, -sum(c.hours for c in bundles[k]), k))
    for key in order:
        group = bundles[key]
        hours = sum(c.hours for c in group)
        taken = {t.id for k2, t in chosen.items() if k2[:2] == key[:2] and k2[2] != key[2]}

        candidates = [t for t in teachers if key[1] in t.depts and t.id not in taken]
        if not candidates:
            raise RuntimeError(f"demo: no teacher for {key}")
        # the least loaded after taking it; a colleague from another department pays 2 h
        teacher = min(candidates, key=lambda t, dept=key[1]: (
            t.load + (0 if t.dept == dept else 2), t.id))
        chosen[key] = teacher
        teacher.load += hours
    for key, group in bundles.items():
        for c in group:
            c.teacher = chosen[key]


# --- timetable ----------------------------------------------------------------------


@dataclass
class _Unit:
    """What takes one timetable cell of a class: a course, or both subgroups of a subject."""

    courses: list[_Course]
    teachers: tuple[int, ...]
    subject: int
    hours: int

    @property
    def per_day(self) -> int:
        return -(-self.hours // WEEKDAYS)


def _timetable(classes: list[_Class], courses: list[_Course], rng: random.Random,
               must_daily: set[int]) -> dict[int, list[tuple[int, int]]]:
    """(weekday, number) cells per course: every class from lesson 1 without gaps, no teacher
    in two places at once (the two subgroups of a subject share a cell), a subject at most
    once a day unless its hours need more.  Min-conflicts search: start from a random week
    of each class, then keep swapping two cells of a class where that removes clashes."""
    units: dict[int, list[_Unit]] = defaultdict(list)
    by_key: dict[tuple[int, int], list[_Course]] = defaultdict(list)
    for c in courses:
        by_key[(c.klass.id, c.subject_id)].append(c)
    for (class_id, subject_id), group in by_key.items():
        teachers = tuple(sorted({c.teacher.id for c in group}))  # type: ignore[union-attr]
        units[class_id].append(_Unit(group, teachers, subject_id, group[0].hours))
    for _attempt in range(60):
        result = _search_timetable(classes, units, rng)
        if result is None:
            continue
        days_of: dict[int, set[int]] = defaultdict(set)
        for c in courses:
            if c.teacher.id in must_daily:  # type: ignore[union-attr]
                days_of[c.teacher.id].update(d for d, _ in result[c.id])  # type: ignore[union-attr]
        if all(len(days_of[t]) == WEEKDAYS for t in must_daily):
            return result
    raise RuntimeError("demo: no timetable found")


def _search_timetable(classes: list[_Class], units: dict[int, list[_Unit]],
                      rng: random.Random, max_steps: int = 600,
                      ) -> dict[int, list[tuple[int, int]]] | None:
    grid: list[list[_Unit]] = []
    cells: list[list[tuple[int, int]]] = []
    for k in classes:
        total = sum(u.hours for u in units[k.id])
        base, extra = divmod(total, WEEKDAYS)
        loads = [base] * WEEKDAYS
        for d in rng.sample(range(WEEKDAYS), extra):
            loads[d] += 1
        if max(loads) > MAX_LESSONS_PER_DAY:
            raise RuntimeError(f"demo: {k.title} has too many hours")
        cells.append([(d, n) for d in range(WEEKDAYS) for n in range(1, loads[d] + 1)])
        grid.append(_spread_week(units[k.id], loads, rng))

    occ: dict[tuple[int, int, int], int] = defaultdict(int)  # (teacher, day, number)
    where: dict[tuple[int, int, int], set[tuple[int, int]]] = defaultdict(set)
    per_day: dict[tuple[int, int, int], int] = defaultdict(int)  # (class, subject, day)
    limit: dict[tuple[int, int], int] = {}
    bad_t: set[tuple[int, int, int]] = set()
    bad_s: set[tuple[int, int, int]] = set()

    def place(ki: int, i: int, u: _Unit, sign: int) -> None:
        d, n = cells[ki][i]
        for t in u.teachers:
            key = (t, d, n)
            occ[key] += sign
            if sign > 0:
                where[key].add((ki, i))
            else:
                where[key].discard((ki, i))
            if occ[key] > 1:
                bad_t.add(key)
            else:
                bad_t.discard(key)
        skey = (ki, u.subject, d)
        per_day[skey] += sign
        if per_day[skey] > u.per_day:
            bad_s.add(skey)
        else:
            bad_s.discard(skey)

    for ki, week in enumerate(grid):
        for i, u in enumerate(week):
            limit[(ki, u.subject)] = u.per_day
            place(ki, i, u, 1)

    def cost(tkeys: Iterable[tuple[int, int, int]], skeys: Iterable[tuple[int, int, int]]) -> int:
        return 3 * sum(max(0, occ[k] - 1) for k in tkeys) + sum(
            max(0, per_day[k] - limit[(k[0], k[1])]) for k in skeys)

    def swap(ki: int, i: int, j: int) -> None:
        u, v = grid[ki][i], grid[ki][j]
        place(ki, i, u, -1)
        place(ki, j, v, -1)
        grid[ki][i], grid[ki][j] = v, u
        place(ki, i, v, 1)
        place(ki, j, u, 1)

    def delta(ki: int, i: int, j: int) -> int:
        u, v = grid[ki][i], grid[ki][j]
        (di, ni), (dj, nj) = cells[ki][i], cells[ki][j]
        tkeys = {(t, d, n) for t in u.teachers + v.teachers for d, n in ((di, ni), (dj, nj))}
        skeys = {(ki, s, d) for s in (u.subject, v.subject) for d in (di, dj)}
        before = cost(tkeys, skeys)
        swap(ki, i, j)
        after = cost(tkeys, skeys)
        swap(ki, i, j)
        return after - before

    for _step in range(max_steps):
        if not bad_t and not bad_s:
            return _cells_by_course(grid, cells)
        if bad_t and (not bad_s or rng.random() < 0.75):
            ki, i = rng.choice(sorted(where[rng.choice(sorted(bad_t))]))
        else:
            ki, subject, d = rng.choice(sorted(bad_s))
            i = rng.choice([i for i, (dd, _) in enumerate(cells[ki])
                            if dd == d and grid[ki][i].subject == subject])
        options = [j for j in range(len(grid[ki])) if grid[ki][j] is not grid[ki][i]]
        scored = [(delta(ki, i, j), rng.random(), j) for j in options]
        best = min(scored)
        if best[0] <= 0 or rng.random() < 0.1:
            swap(ki, i, best[2])
    return None


def _spread_week(units: list[_Unit], loads: list[int], rng: random.Random) -> list[_Unit]:
    """A first week of a class: each subject on as many different days as it can."""
    free = {d: rng.sample(range(loads[d]), loads[d]) for d in range(WEEKDAYS)}
    placed: dict[tuple[int, int], _Unit] = {}
    for u in sorted(units, key=lambda u: (-u.hours, rng.random())):
        used: dict[int, int] = defaultdict(int)
        for _ in range(u.hours):
            days = [d for d in range(WEEKDAYS) if free[d]]
            fits = [d for d in days if used[d] < u.per_day] or days
            d = max(fits, key=lambda d: (len(free[d]), rng.random()))
            placed[(d, free[d].pop())] = u
            used[d] += 1
    return [placed[(d, i)] for d in range(WEEKDAYS) for i in range(loads[d])]


def _cells_by_course(grid: list[list[_Unit]], cells: list[list[tuple[int, int]]],
                     ) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ki, week in enumerate(grid):
        for i, u in enumerate(week):
            for c in u.courses:
                out[c.id].append(cells[ki][i])
    return out


# --- the calendar-thematic plan -------------------------------------------------------


def _plan_topics(entry: dict[str, Any] | None, grade: int, hours: int,
                 markers: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str]]:
    """The numbered КТП of one course: (topic, work kind) per lesson of the year."""
    def kind(topic: str) -> str:
        for k, prefixes in markers.items():
            if topic.startswith(tuple(prefixes)):
                return k
        return ""

    if entry is None:
        return [(f"Урок {i}", "") for i in range(1, hours + 1)]
    stems: list[str] = list(entry["topics"])
    band = entry["grades"]
    if grade in band and len(band) > 1:  # a grade takes its part of a band's stems
        n, k = len(stems), len(band)
        width = min(n, max(math.ceil(n / k), round(hours / 4.5)))
        first = min(round(band.index(grade) * n / k), n - width)
        stems = stems[first:first + width]
    intro = list(entry.get("intro", []))
    final = list(entry.get("final", [])) if grade > 1 else []
    control = entry.get("control") if grade > 1 else None
    analysis = entry.get("analysis")
    n_controls = max(2, round(hours / 16)) if control else 0
    per_control = 1 + (1 if analysis else 0)
    fixed = len(intro) + len(final) + n_controls * per_control
    while stems and fixed + len(stems) > hours:
        stems.pop()
    n_controls = min(n_controls, len(stems))
    fixed = len(intro) + len(final) + n_controls * per_control
    plain = [s for s in stems if not kind(s)]
    spare = hours - fixed - len(stems)
    extra: dict[str, int] = defaultdict(int)
    if plain:  # the spare hours go to the plain stems, some take longer than others
        weights = [rng.uniform(0.6, 1.4) for _ in plain]
        for stem in rng.choices(plain, weights, k=spare):
            extra[stem] += 1
    after = {round((j + 1) * len(stems) / (n_controls + 1)) - 1 for j in range(n_controls)}
    items: list[str] = list(intro)
    suffixes = (". Закрепление", ". Практикум", ". Повторение")
    theme = stems[0] if stems else ""
    for i, stem in enumerate(stems):
        more = extra.get(stem, 0)
        items.append(stem)
        if not kind(stem):
            theme = stem
        for j in range(more):
            last = j == more - 1 and more >= 2
            items.append(stem + (". Обобщение" if last else suffixes[j % len(suffixes)]))
        if i in after and control:
            items.append(control.format(topic=theme))
            if analysis:
                items.append(analysis)
    items += final
    if len(items) < hours:
        items += [f"Повторение и обобщение изученного ({i})"
                  for i in range(1, hours - len(items) + 1)]
    return [(t, kind(t)) for t in items[:hours]]


# --- homework -------------------------------------------------------------------------


def _homework(subject: dict[str, Any], grade: int, index: int, rng: random.Random) -> str:
    if "homework_none" in subject:
        return subject["homework_none"]
    key = "homework_primary" if grade <= 4 else "homework"
    templates = subject.get(key) or subject.get("homework") or subject.get("homework_primary")
    if not templates:
        return "не задано"
    p = 1 + index // 2
    n = 3 + index * 4 + rng.randint(0, 3)
    page = 4 + index * 2 + rng.randint(0, 1)
    q = rng.randint(1, 8)
    return rng.choice(templates).format(
        p=p, p2=p + 1, n=n, m=n + rng.randint(1, 4), k=n + rng.randint(5, 8), page=page,
        page2=page + rng.randint(2, 5), q=q, q2=q + rng.randint(1, 3))


# --- the generator --------------------------------------------------------------------


class _Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Bulk insert with ids given by the generator (the database is empty)."""
    if rows:
        session.connection().execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


def _sync_sequences(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL: move each id sequence past the ids the generator gave, so that the
    next ordinary insert does not collide.  SQLite takes max(rowid) + 1 by itself."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        name = quote(table)
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        )


def _require_empty(session: Session) -> None:
    for model in (User, SchoolYear, Student, SchoolClass, Course, Lesson):
        if session.exec(select(func.count()).select_from(model)).one():
            raise DomainError(
                "База данных не пуста: демонстрационную школу можно создать только в новой "
                "базе (zhurnal demo --db НОВЫЙ_ФАЙЛ)."
            )


def create_demo(db: Database, today: date | None = None, seed: int = 2026) -> DemoInfo:
    """Fill an empty, migrated database with the demo school (one transaction)."""
    stamp = datetime.now().replace(microsecond=0) if today is None else datetime.combine(
        today, time(7, 0))
    today = today or date.today()
    with db.write() as session:
        _require_empty(session)
        return _Builder(session, today, seed, stamp).build()


class _Builder:
    def __init__(self, session: Session, today: date, seed: int, stamp: datetime) -> None:
        self.s = session
        self.today = today
        self.stamp = stamp
        self.cutoff = datetime.combine(today, time(7, 30))  # nothing entered after this
        self.seed = seed
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.names_data = _data("names.toml")
        self.curriculum = _data("curriculum.toml")
        self.topics = _data("topics.toml")
        self.names = _Names(self.names_data, self.rng)
        self.audit_users: list[dict[str, Any]] = []
        self.audited_rows: list[tuple[str, dict[str, Any]]] = []
        self.extra_events: list[dict[str, Any]] = []
        self.accounts: list[DemoAccount] = []

    def build(self) -> DemoInfo:
        self.policy: Policy = install_policy(self.s, preset_text(DEMO_PRESET))
        self.work_types = {w.code: w for w in self.s.exec(select(WorkType))}
        self.year = school_year(self.today)
        self.calendar = Calendar(self.year.public)
        self.year_id = self._calendar()
        uchitel, klass5a = self._staff()
        self._classes_and_courses(uchitel, klass5a)
        self._pupils()
        self._timetable({uchitel.id, klass5a.id})
        self._plans()
        counts = self._lessons()
        counts["period_marks"] = self._period_marks()
        return self._finish(counts)

    def _calendar(self) -> int:
        """The school year, its periods and holidays, the bells; returns the year's id."""
        s, year = self.s, self.year
        year_id = self.ids("school_year")
        _insert(s, SchoolYear, [dict(id=year_id, name=year.name, start=year.start, end=year.end,
                                     is_current=True, closed=False, version=1)])
        for p in year.periods:
            p["id"] = self.ids("period")
        _insert(s, Period, [dict(year_id=year_id, **p) for p in year.periods])
        _insert(s, Holiday, [dict(id=self.ids("holiday"), year_id=year_id, **h)
                             for h in year.holidays])
        _insert(s, Bell, [dict(number=n, start=a, end=b) for n, (a, b) in enumerate(BELLS, 1)])
        s.add(Setting(key=SCHOOL_NAME_KEY, value=self.curriculum["school"]["name"]))
        return year_id

    # ... staff ...........................................................................

    def _staff(self) -> tuple[_Teacher, _Teacher]:
        """Administration and teachers; returns the two demo teachers (uchitel, klass5a)."""
        rng = self.rng
        users: list[dict[str, Any]] = []
        for role, login, roles, password, male in [
            ("Администратор", "admin", "admin", "demo-admin-2026", True),
            ("Директор", "direktor", "director", "demo-direktor-2026", False),
            ("Заместитель директора (завуч)", "zavuch", "deputy", "demo-zavuch-2026", False),
            ("Секретарь", "sekretar", "secretary", "demo-sekretar-2026", False),
        ]:
            users.append(self._user(login, roles, self.names.person(male, "adults"), password))
            self.accounts.append(DemoAccount(role, login, password))
        teacher_hash = hash_password(TEACHER_PASSWORD)  # one hash for the shared password
        teachers: list[_Teacher] = []
        logins = {u["login"] for u in users}
        for dept, spec in self.curriculum["department"].items():
            for i in range(spec["teachers"]):
                male = rng.random() < spec["male"]
                last, first, middle = self.names.person(male, "adults")
                login = f"{translit(last)}.{translit(first)[0]}{translit(middle)[0]}"
                base, k = login, 2
                while login in logins:
                    login, k = f"{base}{k}", k + 1
                logins.add(login)
                row = self._user(login, "teacher", (last, first, middle), TEACHER_PASSWORD,
                                 teacher_hash)
                users.append(row)
                teachers.append(_Teacher(row["id"], login, row["full_name"], dept,
                                         (dept, *spec.get("also", [])), spec["rooms"][i],
                                         strictness=rng.gauss(0, 0.15)))
        # the two demo teachers: a maths teacher and the class teacher of 5А (Russian)
        uchitel = next(t for t in teachers if t.dept == "math")
        klass5a = next(t for t in teachers if t.dept == "ru")
        for t, login, password, role in [
            (klass5a, "klass5a", "demo-klass-2026", "Классный руководитель 5А"),
            (uchitel, "uchitel", "demo-uchitel-2026", "Учитель математики"),
        ]:
            row = next(u for u in users if u["id"] == t.id)
            row["login"], t.login = login, login
            row["password_hash"] = hash_password(password)
            self.accounts.append(DemoAccount(role, login, password))
        # a few teachers fill the register carelessly: completeness has something to find
        others = [t for t in teachers if t not in (uchitel, klass5a) and t.dept != "class"]
        for t in rng.sample(others, 4):
            t.sloppy = True
        _insert(self.s, User, users)
        self.teachers = teachers
        return uchitel, klass5a

    def _user(self, login: str, roles: str, full: tuple[str, str, str], password: str,
              password_hash: str | None = None) -> dict[str, Any]:
        row = dict(
            id=self.ids("user"), login=login, full_name=" ".join(full),
            password_hash=password_hash or hash_password(password), roles=roles, active=True,
            must_change_password=False, failed_attempts=0, password_changed_at=self.stamp,
            version=1, updated_at=self.stamp,
        )
        self.audit_users.append(row)
        return row

    # ... classes, subjects, courses .......................................................

    def _classes_and_courses(self, uchitel: _Teacher, klass5a: _Teacher) -> None:
        s, cur = self.s, self.curriculum
        school = cur["school"]
        q_lo, q_hi = school["quarters_grades"]
        classes: list[_Class] = []
        primary = iter(t for t in self.teachers if t.dept == "class")
        class_teacher: dict[int, _Teacher] = {}
        for grade in range(1, 12):
            for letter in school["letters"]:
                k = _Class(self.ids("school_class"), grade, letter,
                           "quarters" if q_lo <= grade <= q_hi else "halves")
                if grade <= 4:  # the primary class teacher teaches in the class's own room
                    class_teacher[k.id] = next(primary)
                    k.room = class_teacher[k.id].room
                classes.append(k)
        by_title = {k.title: k for k in classes}
        subject_ids = {sub["name"]: self.ids("subject") for sub in cur["subject"]}
        _insert(s, Subject, [dict(id=subject_ids[sub["name"]], name=sub["name"],
                                  short=sub["short"]) for sub in cur["subject"]])

        courses: list[_Course] = []
        for k in classes:
            courses += _courses_for(k, cur["subject"], subject_ids, school["subgroups"],
                                    iter(lambda: self.ids("course"), None))
        pins = {(by_title[t].id, "math"): uchitel for t in ("5А", "5Б", "6А", "6Б", "7А")}
        pins[(by_title["5А"].id, "ru")] = klass5a
        _assign_teachers(courses, self.teachers, pins, class_teacher)
        # grades 5-11: the class teacher is one who teaches the class most, one class each
        class_teacher[by_title["5А"].id] = klass5a
        used = {t.id for t in class_teacher.values()} | {uchitel.id}
        for k in classes:
            if k.id in class_teacher:
                continue
            hours: dict[int, int] = defaultdict(int)
            for c in courses:
                if c.klass is k and c.teacher.id not in used:  # type: ignore[union-attr]
                    hours[c.teacher.id] += c.hours  # type: ignore[union-attr]
            if not hours:
                hours = {t.id: 0 for t in self.teachers if t.id not in used}
            best = max(sorted(hours), key=lambda tid: hours[tid])
            class_teacher[k.id] = next(t for t in self.teachers if t.id == best)
            used.add(best)
        for k in classes:
            k.teacher_id = class_teacher[k.id].id
        _insert(s, SchoolClass, [dict(id=k.id, year_id=self.year_id, grade=k.grade,
                                      letter=k.letter, class_teacher_id=k.teacher_id,
                                      period_scheme=k.scheme, version=1) for k in classes])
        _insert(s, Course, [dict(id=c.id, class_id=c.klass.id, subject_id=c.subject_id,
                                 subgroup=c.subgroup, teacher_id=c.teacher.id,  # type: ignore
                                 hours_per_week=float(c.hours), version=1) for c in courses])
        self.classes, self.courses = classes, courses

    # ... timetable and КТП ...............................................................

    def _timetable(self, must_daily: set[int]) -> None:
        cells = _timetable(self.classes, self.courses, self.rng, must_daily)
        rows = []
        self.slots: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for c in self.courses:
            room = c.klass.room if c.dept == "class" else c.teacher.room  # type: ignore
            for d, n in sorted(cells[c.id]):
                rows.append(dict(id=self.ids("timetable_slot"), course_id=c.id, weekday=d,
                                 number=n, room=room, valid_from=self.year.start,
                                 valid_to=None, version=1))
                self.slots[c.id].append((d, n, room))
        _insert(self.s, TimetableSlot, rows)

    def _plans(self) -> None:
        school = self.curriculum["school"]
        plans = defaultdict(list)
        for entry in self.topics["plan"]:
            plans[entry["subject"]].append(entry)
        rows = []
        for c in self.courses:
            grade = c.klass.grade
            weeks = school["weeks_grade1"] if grade == 1 else school["weeks"]
            entry = next((e for e in plans[c.subject["name"]] if grade in e["grades"]), None)
            topics = _plan_topics(entry, grade, c.hours * weeks, self.topics["markers"],
                                  self.rng)
            for pos, (topic, kind) in enumerate(topics, start=1):
                pid = self.ids("plan_item")
                rows.append(dict(id=pid, course_id=c.id, position=pos, topic=topic, hours=1))
                c.plan.append((pid, topic, kind))
        _insert(self.s, PlanItem, rows)

    # ... audit ...........................................................................

    def _finish(self, counts: dict[str, int]) -> DemoInfo:
        """The audit events: one per user, then the demo itself; returns the summary."""
        s = self.s
        _sync_sequences(s, [t for t in self.ids.next if t != "bell"])
        for u in self.audit_users:
            audit.append(s, ts=self.stamp, actor_id=None, actor_login="demo",
                         action="user.create", entity="user", entity_id=u["id"],
                         after={"login": u["login"], "full_name": u["full_name"],
                                "roles": u["roles"], "must_change_password": False})
        self._audit_history()
        info = DemoInfo(
            school=self.curriculum["school"]["name"], year=self.year.name, today=self.today,
            accounts=tuple(self.accounts), classes=len(self.classes),
            students=self.student_count, teachers=len(self.teachers),
            courses=len(self.courses), lessons=counts["lessons"], marks=counts["marks"],
            absences=counts["absences"], period_marks=counts["period_marks"],
            teacher_login=next(t.login for t in self.teachers
                               if t.dept == "class" and t.login not in ("uchitel", "klass5a")),
        )
        summary = {k: v for k, v in asdict(info).items()
                   if k not in ("accounts", "today", "teacher_login")}
        audit.append(s, ts=self.stamp, actor_id=None, actor_login="demo", action="demo.create",
                     entity="school_year", entity_id=self.year_id,
                     after={**summary, "today": self.today, "seed": self.seed})
        return info

    def _history_events(self, lesson_rows: list[dict[str, Any]],
                        absence_rows: list[dict[str, Any]]) -> None:
        """Audit events for the topics, homework and absences of the history."""
        events = self.extra_events
        for row in lesson_rows:
            if row["topic"]:
                events.append({"ts": row["topic_entered_at"], "actor_id": row["held_by_id"],
                               "action": "lesson.topic", "entity": "lesson",
                               "entity_id": row["id"],
                               "after": {"topic": row["topic"],
                                         "plan_item_id": row["plan_item_id"]}})
            if row["homework"]:
                events.append({"ts": row["homework_entered_at"], "actor_id": row["held_by_id"],
                               "action": "lesson.homework", "entity": "lesson",
                               "entity_id": row["id"], "after": {"homework": row["homework"]}})
        for a in absence_rows:
            events.append({"ts": a["entered_at"], "actor_id": a["updated_by_id"],
                           "action": "attendance.set", "entity": "absence", "entity_id": a["id"],
                           "after": {"student_id": a["student_id"], "lesson_id": a["lesson_id"],
                                     "code": a["code"]}})

    def _audit_history(self) -> None:
        """One audit event per mark and period mark, as if entered through the services,
        so that ``zhurnal verify`` can reconcile every mark with the log."""
        logins = {u["id"]: u["login"] for u in self.audit_users}
        fields = {"mark": ("assignment_id", "student_id", "value"),
                  "period_mark": ("course_id", "student_id", "period_id", "value")}
        events = [
            {"ts": row["entered_at"], "actor_id": row["entered_by_id"],
             "actor_login": logins.get(row["entered_by_id"], ""), "action": f"{entity}.set",
             "entity": entity, "entity_id": row["id"],
             "after": {f: row[f] for f in fields[entity]}}
            for entity, row in self.audited_rows
        ]
        for e in self.extra_events:
            e["actor_login"] = logins.get(e["actor_id"], "")
        events += self.extra_events
        events.sort(key=lambda e: (e["ts"], e["entity"], e["entity_id"]))
        audit.append_many(self.s, events)

    # ... pupils ..........................................................................

    def _pupils(self) -> None:
        rng, s, year = self.rng, self.s, self.year
        school = self.curriculum["school"]
        pupils: list[_Pupil] = []
        student_rows, enrol_rows = [], []
        y0 = year.start.year
        order_in = {1: _order(98, date(y0, 8, 25))}
        for k in self.classes:
            size = rng.randint(school["students_min"], school["students_max"])
            for _ in range(size):
                pupils.append(self._pupil(k, year.start, order_in.get(
                    k.grade, _order(112, date(y0, 8, 28))), student_rows, enrol_rows))
        # movement: a few arrivals and departures before today, one move between parallels
        order_no = 131
        last_day = min(self.today - timedelta(days=3), year.end)
        span = (last_day - year.start).days
        if span > 20:
            for k in rng.sample([k for k in self.classes if k.grade > 1], 5):
                day = year.start + timedelta(days=rng.randint(10, span))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                pupils.append(self._pupil(k, day, _order(order_no, day - timedelta(days=1)),
                                          student_rows, enrol_rows))
                order_no += 1
            reasons = ["перевод в МБОУ СОШ № 12", "перевод в МАОУ «Лицей № 4»",
                       "смена места жительства (переезд в другой город)",
                       "перевод на семейное образование"]
            for k in rng.sample([k for k in self.classes if k.grade > 1], 4):
                p = rng.choice([p for p in k.students
                                if p.stays[0][1] == year.start and p.stays[0][2] is None])
                day = year.start + timedelta(days=rng.randint(10, span))
                row = next(r for r in enrol_rows if r["student_id"] == p.id)
                row.update(end=day, order_out=_order(order_no, day), out_reason=rng.choice(reasons))
                p.stays[0] = (k.id, p.stays[0][1], day)
                order_no += 1
            a, b = (next(k for k in self.classes if k.title == t) for t in ("7А", "7Б"))
            p = rng.choice([p for p in a.students
                            if p.stays[0][1] == year.start and p.stays[0][2] is None])
            day = year.start + timedelta(days=rng.randint(10, span))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            row = next(r for r in enrol_rows if r["student_id"] == p.id)
            order = _order(order_no, day - timedelta(days=1))
            row.update(end=day - timedelta(days=1), order_out=order,
                       out_reason="перевод в параллельный класс (7Б)")
            p.stays[0] = (a.id, p.stays[0][1], day - timedelta(days=1))
            p.stays.append((b.id, day, None))
            b.students.append(p)
            enrol_rows.append(dict(id=self.ids("enrolment"), student_id=p.id, class_id=b.id,
                                   start=day, end=None, order_in=order, order_out="",
                                   out_reason="", version=1))
        _insert(s, Student, student_rows)
        _insert(s, Enrolment, enrol_rows)
        self.student_count = len(student_rows)
        self.pupils = {p.id: p for p in pupils}

        # subgroups: the class list split in half; later arrivals join the smaller group
        member_rows = []
        by_class: dict[int, list[_Course]] = defaultdict(list)
        for c in self.courses:
            if c.subgroup:
                by_class[c.klass.id].append(c)
        for k in self.classes:
            group_courses = by_class.get(k.id)
            if not group_courses:
                continue
            stays = [(p, st) for p in k.students for st in p.stays if st[0] == k.id]
            first_day = [(p, st) for p, st in stays if st[1] == year.start]
            first_day.sort(key=lambda x: (x[0].last, x[0].first, x[0].middle))
            half = (len(first_day) + 1) // 2
            groups = {1: first_day[:half], 2: first_day[half:]}
            for p, st in sorted((x for x in stays if x[1][1] != year.start), key=lambda x: x[1][1]):
                groups[1 if len(groups[1]) <= len(groups[2]) else 2].append((p, st))
            for c in group_courses:
                number = int(c.subgroup.split()[0])
                for p, (_, start, end) in groups[number]:
                    c.members.append((p.id, start, end))
                    member_rows.append(dict(id=self.ids("subgroup_member"), course_id=c.id,
                                            student_id=p.id, start=start, end=end))
        _insert(s, SubgroupMember, member_rows)

    def _pupil(self, k: _Class, start: date, order: str, student_rows: list[dict[str, Any]],
               enrol_rows: list[dict[str, Any]]) -> _Pupil:
        rng = self.rng
        male = rng.random() < 0.5
        last, first, middle = self.names.person(male, "students")
        y0 = self.year.start.year
        birth = date(y0 - 6 - k.grade, 12, 31) - timedelta(days=rng.randint(0, 364))
        p = _Pupil(self.ids("student"), last, first, middle, male,
                   ability=min(4.9, max(2.8, rng.gauss(4.1, 0.5))),
                   health=min(3.0, rng.lognormvariate(0, 0.5)))
        p.stays.append((k.id, start, None))
        k.students.append(p)
        student_rows.append(dict(id=p.id, last_name=last, first_name=first, middle_name=middle,
                                 birth_date=birth, version=1))
        enrol_rows.append(dict(id=self.ids("enrolment"), student_id=p.id, class_id=k.id,
                               start=start, end=None, order_in=order, order_out="",
                               out_reason="", version=1))
        return p

    # ... lessons .........................................................................

    def _roster(self, c: _Course, day: date) -> list[_Pupil]:
        if c.subgroup:
            ids = [sid for sid, a, b in c.members if a <= day and (b is None or b >= day)]
        else:
            ids = [p.id for p in c.klass.students for kid, a, b in p.stays
                   if kid == c.klass.id and a <= day and (b is None or b >= day)]
        return [self.pupils[i] for i in ids]

    def _absences_by_day(self) -> dict[tuple[int, date], str]:
        """Illness spells (Б), single days for a reason (УП) or without one (Н)."""
        rng, year = self.rng, self.year
        days = [d for d in _days(year.start, self.today - timedelta(days=1))
                if d.weekday() < WEEKDAYS and d not in year.public]
        out: dict[tuple[int, date], str] = {}
        for pid in sorted(self.pupils):
            h = self.pupils[pid].health
            i = 0
            while i < len(days):
                r = rng.random()
                if r < 0.008 * h:
                    for d in days[i:i + rng.randint(2, 7)]:
                        out[(pid, d)] = "Б"
                    i += 7
                    continue
                if r < 0.008 * h + 0.005 * h:
                    out[(pid, days[i])] = "УП" if rng.random() < 0.6 else "Н"
                i += 1
        return out

    def _entry_time(self, start: datetime, end: datetime, sloppy: bool) -> datetime:
        rng = self.rng
        r = rng.random()
        if r < (0.55 if sloppy else 0.8):
            return end + timedelta(minutes=rng.randint(1, 300))
        if r < (0.75 if sloppy else 0.95):
            return datetime.combine(end.date() + timedelta(days=1),
                                    time(rng.randint(15, 21), rng.randint(0, 59)))
        if r < (0.85 if sloppy else 0.99):
            return datetime.combine(end.date() + timedelta(days=2),
                                    time(rng.randint(15, 21), rng.randint(0, 59)))
        # late, but before the shortest edit lock (practical works, 7 days [004 §3.8])
        return datetime.combine(end.date() + timedelta(days=rng.randint(3, 6)),
                                time(rng.randint(14, 21), rng.randint(0, 59)))

    def _lessons(self) -> dict[str, int]:
        rng, year, policy = self.rng, self.year, self.policy
        week_end = self.today + timedelta(days=6 - self.today.weekday())
        last = min(week_end, year.end)
        # a substitute week: one teacher is ill, colleagues hold their lessons
        ill = rng.choice([t for t in self.teachers if t.login not in ("uchitel", "klass5a")])
        ill_from = year.start + timedelta(days=35)
        ill_from -= timedelta(days=ill_from.weekday())
        ill_days = {ill_from + timedelta(days=i) for i in range(5)}
        busy: dict[tuple[int, int], set[int]] = defaultdict(set)
        for c in self.courses:
            for d, n, _ in self.slots[c.id]:
                busy[(d, n)].add(c.teacher.id)

        lessons: list[tuple[date, int, _Course, str, int]] = []
        study: dict[tuple[int, str], list[date]] = {}
        for c in self.courses:
            key = (c.klass.grade, c.klass.scheme)
            if key not in study:
                study[key] = [d for d in _days(year.start, last) if year.study_day(d, *key)]
            for day in study[key]:
                for d, n, room in self.slots[c.id]:
                    if d != day.weekday():
                        continue
                    held = c.teacher.id
                    if c.teacher is ill and day in ill_days:
                        free = [t for t in self.teachers if t.id not in busy[(d, n)]]
                        same = [t for t in free if c.dept in t.depts]
                        held = rng.choice(same or free).id
                        busy[(d, n)].add(held)
                    lessons.append((day, n, c, room, held))
        lessons.sort(key=lambda x: (x[0], x[1], x[2].id))

        absent_day = self._absences_by_day()
        weights = {w.code: w.weight for w in self.work_types.values()}
        wt_id = {code: w.id for code, w in self.work_types.items()}
        bells = dict(enumerate(BELLS, 1))
        plan_pos: dict[int, int] = defaultdict(int)
        hw_index: dict[int, int] = defaultdict(int)
        marks_count: dict[tuple[int, int], int] = defaultdict(int)
        self.course_marks: dict[tuple[int, int], list[tuple[date, str, float]]] = defaultdict(list)
        affinity: dict[tuple[int, str], float] = {}
        lesson_rows, assignment_rows, mark_rows, absence_rows = [], [], [], []
        by_id = {t.id: t for t in self.teachers}
        recent = self.today - timedelta(days=3)

        for day, n, c, room, held in lessons:
            lid = self.ids("lesson")
            row = dict(id=lid, course_id=c.id, date=day, number=n, room=room, topic="",
                       homework="", plan_item_id=None, held_by_id=held, attendance_taken_at=None,
                       topic_entered_at=None, topic_late=False, homework_entered_at=None,
                       homework_late=False, attendance_late=False, cancelled=False, version=1,
                       updated_at=None, updated_by_id=None)
            lesson_rows.append(row)
            if day >= self.today:
                continue
            teacher = by_id[held]
            sloppy = teacher.sloppy
            start = datetime.combine(day, bells[n][0])
            end = datetime.combine(day, bells[n][1])
            deadline = entry_deadline(policy, self.calendar, day)
            hw_deadline = homework_deadline(policy, self.calendar, day, bells[n][1])
            forget = 0.14 if sloppy else 0.008
            touched: list[datetime] = []

            # topic from the КТП
            entered = self._entry_time(start, end, sloppy)
            kind = ""
            if rng.random() >= forget * 1.3 and entered <= self.cutoff:
                pos = plan_pos[c.id]
                if pos < len(c.plan):
                    pid, topic, kind = c.plan[pos]
                    plan_pos[c.id] = pos + 1
                    row.update(topic=topic, plan_item_id=pid, topic_entered_at=entered,
                               topic_late=entered > deadline)
                    touched.append(entered)
            # homework
            hw_time = entered if rng.random() < 0.8 else self._entry_time(start, end, sloppy)
            if rng.random() >= forget * 2.5 + (0.02 if day >= recent else 0) \
                    and hw_time <= self.cutoff:
                if c.klass.grade == 1 and policy.grade1_no_marks:
                    text = policy.grade1_homework
                else:
                    text = _homework(c.subject, c.klass.grade, hw_index[c.id], rng)
                    hw_index[c.id] += 1
                row.update(homework=text, homework_entered_at=hw_time,
                           homework_late=hw_time > hw_deadline)
                touched.append(hw_time)
            # attendance
            roster = self._roster(c, day)
            absent: dict[int, str] = {}
            for p in roster:
                code = absent_day.get((p.id, day))
                if code is None:
                    r = rng.random()
                    if r < 0.004:
                        code = "Н"
                    elif n == 1 and r < 0.03:
                        code = "ОП"
                if code:
                    absent[p.id] = code
            att_time = (start + timedelta(minutes=rng.randint(1, 12)) if rng.random() < 0.85
                        else self._entry_time(start, end, sloppy))
            if rng.random() >= forget * 1.3 and att_time <= self.cutoff:
                late = att_time > deadline
                row.update(attendance_taken_at=att_time, attendance_late=late)
                touched.append(att_time)
                for pid_, code in sorted(absent.items()):
                    document = ""
                    if code == "Б" and rng.random() < 0.7:
                        document = ("Справка ГБУЗ «Детская поликлиника № 2» "
                                    f"№ {rng.randint(100, 999)}")
                    elif code == "УП" and rng.random() < 0.8:
                        document = "Заявление родителей"
                    absence_rows.append(dict(id=self.ids("absence"), lesson_id=lid,
                                             student_id=pid_, code=code, entered_at=att_time,
                                             late=late, reason_document=document,
                                             correction_id=None, version=1,
                                             updated_at=att_time, updated_by_id=held))
            # assignments and marks
            if not (c.klass.grade == 1 and policy.grade1_no_marks):
                present = [p for p in roster if absent.get(p.id, "ОП") == "ОП"]
                mark_time = entered if entered <= self.cutoff else None
                if mark_time is not None and present:
                    works = self._works(c, kind)
                    for code, everyone, title in works:
                        if everyone:
                            chosen = present
                        else:  # enough for every pupil to have 3-4 marks a quarter
                            need = math.ceil(len(present) * 3.5 / (c.hours * 8))
                            k_marks = max(rng.randint(3, 8), need + rng.randint(-1, 1))
                            ranked = sorted(present, key=lambda p: marks_count[(c.id, p.id)]
                                            + rng.random() * 1.5)
                            chosen = ranked[:k_marks]
                        aid = self.ids("assignment")
                        assignment_rows.append(dict(id=aid, lesson_id=lid,
                                                    work_type_id=wt_id[code], title=title,
                                                    version=1, updated_at=mark_time,
                                                    updated_by_id=held))
                        bias = teacher.strictness - (0.2 if everyone else -0.15)
                        for p in sorted(chosen, key=lambda p: p.id):
                            aff = affinity.setdefault((p.id, c.dept), rng.gauss(0, 0.3))
                            x = p.ability + aff + bias + rng.gauss(0, 0.7)
                            value = "5" if x >= 4.5 else "4" if x >= 3.5 else "3" if x >= 2.5 \
                                else "2"
                            at = min(self.cutoff,
                                     mark_time + timedelta(seconds=rng.randint(0, 600)))
                            mark_rows.append(dict(id=self.ids("mark"), assignment_id=aid,
                                                  student_id=p.id, value=value, entered_at=at,
                                                  entered_by_id=held, late=at > deadline,
                                                  correction_id=None, version=1,
                                                  updated_at=at, updated_by_id=held))
                            marks_count[(c.id, p.id)] += 1
                            self.course_marks[(c.id, p.id)].append((day, value, weights[code]))
                    touched.append(mark_time)
            if touched:
                row.update(updated_at=max(touched), updated_by_id=held)

        self._history_events(lesson_rows, absence_rows)
        _insert(self.s, Lesson, lesson_rows)
        _insert(self.s, Assignment, assignment_rows)
        _insert(self.s, Mark, mark_rows)
        _insert(self.s, Absence, absence_rows)
        self.audited_rows += [("mark", r) for r in mark_rows]
        return {"lessons": len(lesson_rows), "marks": len(mark_rows),
                "absences": len(absence_rows)}

    def _works(self, c: _Course, kind: str) -> list[tuple[str, bool, str]]:
        """(work type code, everyone present gets a mark, title) of one lesson."""
        rng = self.rng
        topic_kind = {"test": "test", "practical": "practical", "essay": "essay"}.get(kind)
        if topic_kind:
            titles = {"test": "Контрольная работа", "practical": "Практическая работа",
                      "essay": "Сочинение"}
            return [(topic_kind, True, titles[topic_kind])]
        all_class = 0.15 if c.hours <= 1 else 0.08 if c.hours == 2 else 0.05
        if rng.random() < all_class:
            if "homework_none" in c.subject:  # arts, crafts, PE: a practical task
                return [("practical", True, "Практическая работа")]
            return [("independent", True, "Самостоятельная работа")]
        works = []
        if rng.random() < 0.85:
            works.append(("answer", False, ""))
        if rng.random() < 0.07:
            works.append(("homework", False, "Проверка домашней работы"))
        return works

    # ... period marks ....................................................................

    def _period_marks(self) -> int:
        """Quarter / half-year marks of the periods that ended before today."""
        rng, policy = self.rng, self.policy
        rows = []
        ended = [p for p in self.year.periods
                 if p["kind"] in ("quarter", "half") and p["end"] < self.today]
        for p in ended:
            pid = p["id"]
            for c in self.courses:
                if c.klass.scheme != p["scheme"]:
                    continue
                last_day = p["end"]  # set on the period's last study day, before the lock
                while last_day.weekday() >= 5:
                    last_day -= timedelta(days=1)
                at = datetime.combine(last_day, time(rng.randint(16, 20), rng.randint(0, 59)))
                for pupil in sorted(self._roster(c, p["end"]), key=lambda x: x.id):
                    if c.klass.grade == 1 and policy.grade1_no_marks:
                        value = policy.grade1_period_result
                    else:
                        marks = [(v, w) for d, v, w in self.course_marks.get((c.id, pupil.id), [])
                                 if p["start"] <= d <= p["end"]]
                        value = suggest_period_mark(policy, weighted_average(marks),
                                                    len(marks)) or "н/а"
                    rows.append(dict(id=self.ids("period_mark"), course_id=c.id,
                                     student_id=pupil.id, period_id=pid, value=value,
                                     entered_at=at, entered_by_id=c.teacher.id,
                                     correction_id=None, version=1, updated_at=at,
                                     updated_by_id=c.teacher.id))
        _insert(self.s, PeriodMark, rows)
        self.audited_rows += [("period_mark", r) for r in rows]
        return len(rows)


# --- printing -----------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def demo_info_text(info: DemoInfo) -> str:
    """What ``zhurnal demo`` prints: the school, the sizes and the demo accounts."""
    width_role = max(len("Роль"), *(len(a.role) for a in info.accounts))
    width_login = max(len("Логин"), *(len(a.login) for a in info.accounts))
    lines = [
        f"Создана демонстрационная школа: {info.school}",
        f"Учебный год {info.year}, «сегодня» в данных — {info.today:%d.%m.%Y}.",
        "",
        (f"Классов: {_n(info.classes)}, учащихся: {_n(info.students)}, "
         f"учителей: {_n(info.teachers)}, предметов в классах: {_n(info.courses)}."),
        (f"Уроков: {_n(info.lessons)}, отметок: {_n(info.marks)}, "
         f"пропусков: {_n(info.absences)}, итоговых отметок: {_n(info.period_marks)}."),
        "",
        "Учётные записи (пароли демонстрационные, смена пароля при входе не требуется):",
        f"  {'Роль'.ljust(width_role)}  {'Логин'.ljust(width_login)}  Пароль",
    ]
    for a in info.accounts:
        lines.append(f"  {a.role.ljust(width_role)}  {a.login.ljust(width_login)}  {a.password}")
    lines += [
        "",
        (f"Остальные учителя: логин — фамилия и инициалы латиницей "
         f"(например, {info.teacher_login or 'ivanova.ma'}), пароль {TEACHER_PASSWORD}."),
        "Не используйте демонстрационную базу для настоящего журнала.",
    ]
    return "\n".join(lines)
