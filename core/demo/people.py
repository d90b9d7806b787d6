"""The demo's people and teaching load: names, teachers, classes, pupils, courses."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zhurnal.core.demo.inputs import _grade_map


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

    @property
    def taught_by(self) -> _Teacher:
        """The teacher: ``_assign_teachers`` gives every course one before it is used."""
        assert self.teacher is not None, f"demo: course {self.id} has no teacher yet"
        return self.teacher


# --- curriculum, staff and teaching load ----------------------------------------------


def _courses_for(
    klass: _Class,
    subjects: list[dict[str, Any]],
    subject_ids: dict[str, int],
    subgroups: list[str],
    next_id: Iterable[int],
) -> list[_Course]:
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


def _assign_teachers(
    courses: list[_Course],
    teachers: list[_Teacher],
    pins: dict[tuple[int, str], _Teacher],
    class_teacher: dict[int, _Teacher],
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
    order = sorted(
        (k for k in bundles if k not in chosen),
        key=lambda k: (k[1] in shared, -sum(c.hours for c in bundles[k]), k),
    )
    for key in order:
        group = bundles[key]
        hours = sum(c.hours for c in group)
        taken = {t.id for k2, t in chosen.items() if k2[:2] == key[:2] and k2[2] != key[2]}

        candidates = [t for t in teachers if key[1] in t.depts and t.id not in taken]
        if not candidates:
            raise RuntimeError(f"demo: no teacher for {key}")

        # the least loaded after taking it; a colleague from another department pays 2 h
        def cost(t: _Teacher, dept: str = key[1]) -> tuple[float, int]:
            return (t.load + (0 if t.dept == dept else 2), t.id)

        teacher = min(candidates, key=cost)
        chosen[key] = teacher
        teacher.load += hours
    for key, group in bundles.items():
        for c in group:
            c.teacher = chosen[key]
