"""«Нагрузка учителей»: per teacher the hours a week by class and subject, and per class
the pupil's week against the curriculum's ceiling [004 §5 «Заместитель директора»:
«… в соответствии с учебным планом школы и нагрузкой учителей»].

The register keeps no curriculum of its own (no table of hours per grade and subject),
so the yardstick of a class is the ceiling every curriculum must stay under: the maximum
weekly load of a pupil by grade for a five-day week, СанПиН 1.2.3685-21, table 6.6
(``SANPIN_WEEKLY_MAX``).  A pupil's week counts a subject taught in subgroups once (a
pupil sits in one subgroup): the whole-class courses of the subject plus the largest of
its subgroups' hours.  A teacher's load counts every course they teach, each subgroup
apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import Course, SchoolClass, SchoolYear, Subject, User
from zhurnal.core.uow import current_year, require

LOAD_ROLES = ("admin", "deputy", "director")
LOAD_ONLY = "Нагрузку учителей видят администратор, директор и заместитель директора."
SANPIN_WEEKLY_MAX = {1: 21, 2: 23, 3: 23, 4: 23, 5: 29, 6: 30, 7: 32, 8: 33, 9: 33, 10: 34, 11: 34}
"""The maximum weekly load of a pupil, hours, five-day week (СанПиН 1.2.3685-21, т. 6.6)."""
SANPIN = "СанПиН 1.2.3685-21, табл. 6.6, 5-дневная неделя"


@dataclass(frozen=True)
class LoadLine:
    course_id: int
    class_id: int
    class_title: str
    subject: str
    subgroup: str
    hours_per_week: float

    @property
    def subject_title(self) -> str:
        return f"{self.subject} ({self.subgroup})" if self.subgroup else self.subject


@dataclass(frozen=True)
class TeacherLoad:
    teacher_id: int
    name: str
    login: str
    active: bool
    leads: str  # the classes they lead as class teacher («5А, 7Б»), "" if none
    lines: tuple[LoadLine, ...]

    @property
    def total(self) -> float:
        return sum(line.hours_per_week for line in self.lines)


@dataclass(frozen=True)
class ClassLoad:
    class_id: int
    title: str
    grade: int
    pupil_hours: float  # a pupil's week: each subject once (its largest subgroup)
    taught_hours: float  # every course, each subgroup apart (what the teachers give)
    limit: int  # SANPIN_WEEKLY_MAX of the grade

    @property
    def over(self) -> float:
        """Hours above the ceiling (0 when within it)."""
        return max(0.0, self.pupil_hours - self.limit)


@dataclass(frozen=True)
class SchoolLoad:
    year: str
    teachers: tuple[TeacherLoad, ...]
    classes: tuple[ClassLoad, ...]

    @property
    def total(self) -> float:
        return sum(t.total for t in self.teachers)


def pupil_week(courses: list[tuple[int, str, float]]) -> float:
    """A pupil's hours a week from a class's (subject id, subgroup, hours) courses."""
    whole: dict[int, float] = defaultdict(float)
    groups: dict[int, float] = defaultdict(float)
    for subject_id, subgroup, hours in courses:
        if subgroup:
            groups[subject_id] = max(groups[subject_id], hours)
        else:
            whole[subject_id] += hours
    return sum(whole.values()) + sum(groups.values())


def school_load(db: Database, actor: Actor, year_id: int | None = None) -> SchoolLoad:
    """The load of every teacher (active ones without courses too: 0 h) and of every
    class of the year (the current one by default), teachers by name, classes by grade."""
    with reading(db, actor) as session:
        require(actor.has(*LOAD_ROLES), LOAD_ONLY)
        year = session.get(SchoolYear, year_id) if year_id else current_year(session)
        classes = session.exec(
            select(SchoolClass)
            .where(SchoolClass.year_id == (year.id if year else -1))
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        ).all()
        titles = {k.id or 0: k.title for k in classes}
        rows = session.exec(
            select(Course, Subject)
            .join(Subject, col(Subject.id) == Course.subject_id)
            .where(col(Course.class_id).in_(list(titles)))
        ).all()
        by_teacher: dict[int, list[LoadLine]] = defaultdict(list)
        by_class: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
        for c, s in rows:
            line = LoadLine(
                c.id or 0, c.class_id, titles[c.class_id], s.name, c.subgroup, c.hours_per_week
            )
            by_teacher[c.teacher_id].append(line)
            by_class[c.class_id].append((s.id or 0, c.subgroup, c.hours_per_week))
        leads: dict[int, list[str]] = defaultdict(list)
        for k in classes:
            if k.class_teacher_id is not None:
                leads[k.class_teacher_id].append(k.title)
        order = {k.id: n for n, k in enumerate(classes)}
        teachers = []
        for u in session.exec(select(User)).all():
            lines = by_teacher.get(u.id or 0, [])
            if not lines and not (u.active and "teacher" in u.role_set()):
                continue
            lines.sort(key=lambda x: (order[x.class_id], x.subject, x.subgroup))
            teachers.append(
                TeacherLoad(
                    u.id or 0,
                    u.full_name,
                    u.login,
                    u.active,
                    ", ".join(leads[u.id or 0]),
                    tuple(lines),
                )
            )
        teachers.sort(key=lambda t: (t.name.casefold(), t.teacher_id))
        return SchoolLoad(
            year.name if year else "",
            tuple(teachers),
            tuple(
                ClassLoad(
                    k.id or 0,
                    k.title,
                    k.grade,
                    pupil_week(by_class[k.id or 0]),
                    sum(h for _, _, h in by_class[k.id or 0]),
                    SANPIN_WEEKLY_MAX.get(k.grade, 0),
                )
                for k in classes
            ),
        )
