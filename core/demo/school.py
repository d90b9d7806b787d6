"""Building the demo school: calendar, staff, classes, courses, timetable, plans, pupils."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from zhurnal.core.auth import hash_password
from zhurnal.core.demo.inputs import (
    BELLS,
    SCHOOL_NAME_KEY,
    TEACHER_PASSWORD,
    _insert,
    _order,
    translit,
)
from zhurnal.core.demo.people import (
    _assign_teachers,
    _Class,
    _Course,
    _courses_for,
    _Pupil,
    _Teacher,
)
from zhurnal.core.demo.plans import _plan_topics
from zhurnal.core.demo.state import _State
from zhurnal.core.demo.text import DemoAccount
from zhurnal.core.demo.timetable import _timetable
from zhurnal.core.models import (
    Bell,
    Course,
    Enrolment,
    Holiday,
    Period,
    PlanItem,
    SchoolClass,
    SchoolYear,
    Setting,
    Student,
    SubgroupMember,
    Subject,
    TimetableSlot,
    User,
)


class _School(_State):
    """The parts of ``_Builder`` that lay out the school (see ``core.demo.builder``)."""

    def _calendar(self) -> int:
        """The school year, its periods and holidays, the bells; returns the year's id."""
        s, year = self.s, self.year
        year_id = self.ids("school_year")
        _insert(
            s,
            SchoolYear,
            [
                dict(
                    id=year_id,
                    name=year.name,
                    start=year.start,
                    end=year.end,
                    is_current=True,
                    closed=False,
                    version=1,
                )
            ],
        )
        for p in year.periods:
            p["id"] = self.ids("period")
        _insert(s, Period, [dict(year_id=year_id, **p) for p in year.periods])
        _insert(
            s, Holiday, [dict(id=self.ids("holiday"), year_id=year_id, **h) for h in year.holidays]
        )
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
                row = self._user(
                    login, "teacher", (last, first, middle), TEACHER_PASSWORD, teacher_hash
                )
                users.append(row)
                teachers.append(
                    _Teacher(
                        row["id"],
                        login,
                        row["full_name"],
                        dept,
                        (dept, *spec.get("also", [])),
                        spec["rooms"][i],
                        strictness=rng.gauss(0, 0.15),
                    )
                )
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

    def _user(
        self,
        login: str,
        roles: str,
        full: tuple[str, str, str],
        password: str,
        password_hash: str | None = None,
    ) -> dict[str, Any]:
        row = dict(
            id=self.ids("user"),
            login=login,
            full_name=" ".join(full),
            password_hash=password_hash or hash_password(password),
            roles=roles,
            active=True,
            must_change_password=False,
            failed_attempts=0,
            password_changed_at=self.stamp,
            version=1,
            updated_at=self.stamp,
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
                k = _Class(
                    self.ids("school_class"),
                    grade,
                    letter,
                    "quarters" if q_lo <= grade <= q_hi else "halves",
                )
                if grade <= 4:  # the primary class teacher teaches in the class's own room
                    class_teacher[k.id] = next(primary)
                    k.room = class_teacher[k.id].room
                classes.append(k)
        by_title = {k.title: k for k in classes}
        subject_ids = {sub["name"]: self.ids("subject") for sub in cur["subject"]}
        _insert(
            s,
            Subject,
            [
                dict(id=subject_ids[sub["name"]], name=sub["name"], short=sub["short"])
                for sub in cur["subject"]
            ],
        )

        courses: list[_Course] = []
        for k in classes:
            courses += _courses_for(
                k,
                cur["subject"],
                subject_ids,
                school["subgroups"],
                iter(lambda: self.ids("course"), None),
            )
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
                if c.klass is k and c.taught_by.id not in used:
                    hours[c.taught_by.id] += c.hours
            if not hours:
                hours = {t.id: 0 for t in self.teachers if t.id not in used}
            best = max(sorted(hours), key=lambda tid: hours[tid])
            class_teacher[k.id] = next(t for t in self.teachers if t.id == best)
            used.add(best)
        for k in classes:
            k.teacher_id = class_teacher[k.id].id
        _insert(
            s,
            SchoolClass,
            [
                dict(
                    id=k.id,
                    year_id=self.year_id,
                    grade=k.grade,
                    letter=k.letter,
                    class_teacher_id=k.teacher_id,
                    period_scheme=k.scheme,
                    version=1,
                )
                for k in classes
            ],
        )
        _insert(
            s,
            Course,
            [
                dict(
                    id=c.id,
                    class_id=c.klass.id,
                    subject_id=c.subject_id,
                    subgroup=c.subgroup,
                    teacher_id=c.taught_by.id,
                    hours_per_week=float(c.hours),
                    version=1,
                )
                for c in courses
            ],
        )
        self.classes, self.courses = classes, courses

    # ... timetable and КТП ...............................................................

    def _timetable(self, must_daily: set[int]) -> None:
        cells = _timetable(self.classes, self.courses, self.rng, must_daily)
        rows = []
        self.slots: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for c in self.courses:
            room = c.klass.room if c.dept == "class" else c.taught_by.room
            for d, n in sorted(cells[c.id]):
                rows.append(
                    dict(
                        id=self.ids("timetable_slot"),
                        course_id=c.id,
                        weekday=d,
                        number=n,
                        room=room,
                        valid_from=self.year.start,
                        valid_to=None,
                        version=1,
                    )
                )
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
            topics = _plan_topics(entry, grade, c.hours * weeks, self.topics["markers"], self.rng)
            for pos, (topic, kind) in enumerate(topics, start=1):
                pid = self.ids("plan_item")
                rows.append(dict(id=pid, course_id=c.id, position=pos, topic=topic, hours=1))
                c.plan.append((pid, topic, kind))
        _insert(self.s, PlanItem, rows)

    # ... pupils ..........................................................................

    def _pupils(self) -> None:
        rng, s, year = self.rng, self.s, self.year
        school = self.curriculum["school"]
        pupils: list[_Pupil] = []
        student_rows: list[dict[str, Any]] = []
        enrol_rows: list[dict[str, Any]] = []
        y0 = year.start.year
        order_in = {1: _order(98, date(y0, 8, 25))}
        for k in self.classes:
            size = rng.randint(school["students_min"], school["students_max"])
            for _ in range(size):
                pupils.append(
                    self._pupil(
                        k,
                        year.start,
                        order_in.get(k.grade, _order(112, date(y0, 8, 28))),
                        student_rows,
                        enrol_rows,
                    )
                )
        # movement: a few arrivals and departures before today, one move between parallels
        order_no = 131
        last_day = min(self.today - timedelta(days=3), year.end)
        span = (last_day - year.start).days
        if span > 20:
            for k in rng.sample([k for k in self.classes if k.grade > 1], 5):
                day = year.start + timedelta(days=rng.randint(10, span))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                pupils.append(
                    self._pupil(
                        k, day, _order(order_no, day - timedelta(days=1)), student_rows, enrol_rows
                    )
                )
                order_no += 1
            reasons = [
                "перевод в МБОУ СОШ № 12",
                "перевод в МАОУ «Лицей № 4»",
                "смена места жительства (переезд в другой город)",
                "перевод на семейное образование",
            ]
            for k in rng.sample([k for k in self.classes if k.grade > 1], 4):
                p = rng.choice(
                    [p for p in k.students if p.stays[0][1] == year.start and p.stays[0][2] is None]
                )
                day = year.start + timedelta(days=rng.randint(10, span))
                row = next(r for r in enrol_rows if r["student_id"] == p.id)
                row.update(end=day, order_out=_order(order_no, day), out_reason=rng.choice(reasons))
                p.stays[0] = (k.id, p.stays[0][1], day)
                order_no += 1
            a, b = (next(k for k in self.classes if k.title == t) for t in ("7А", "7Б"))
            p = rng.choice(
                [p for p in a.students if p.stays[0][1] == year.start and p.stays[0][2] is None]
            )
            day = year.start + timedelta(days=rng.randint(10, span))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            row = next(r for r in enrol_rows if r["student_id"] == p.id)
            order = _order(order_no, day - timedelta(days=1))
            row.update(
                end=day - timedelta(days=1),
                order_out=order,
                out_reason="перевод в параллельный класс (7Б)",
            )
            p.stays[0] = (a.id, p.stays[0][1], day - timedelta(days=1))
            p.stays.append((b.id, day, None))
            b.students.append(p)
            enrol_rows.append(
                dict(
                    id=self.ids("enrolment"),
                    student_id=p.id,
                    class_id=b.id,
                    start=day,
                    end=None,
                    order_in=order,
                    order_out="",
                    out_reason="",
                    version=1,
                )
            )
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
                    member_rows.append(
                        dict(
                            id=self.ids("subgroup_member"),
                            course_id=c.id,
                            student_id=p.id,
                            start=start,
                            end=end,
                        )
                    )
        _insert(s, SubgroupMember, member_rows)

    def _pupil(
        self,
        k: _Class,
        start: date,
        order: str,
        student_rows: list[dict[str, Any]],
        enrol_rows: list[dict[str, Any]],
    ) -> _Pupil:
        rng = self.rng
        male = rng.random() < 0.5
        last, first, middle = self.names.person(male, "students")
        y0 = self.year.start.year
        birth = date(y0 - 6 - k.grade, 12, 31) - timedelta(days=rng.randint(0, 364))
        p = _Pupil(
            self.ids("student"),
            last,
            first,
            middle,
            male,
            ability=min(4.9, max(2.8, rng.gauss(4.1, 0.5))),
            health=min(3.0, rng.lognormvariate(0, 0.5)),
        )
        p.stays.append((k.id, start, None))
        k.students.append(p)
        student_rows.append(
            dict(
                id=p.id,
                last_name=last,
                first_name=first,
                middle_name=middle,
                birth_date=birth,
                version=1,
            )
        )
        enrol_rows.append(
            dict(
                id=self.ids("enrolment"),
                student_id=p.id,
                class_id=k.id,
                start=start,
                end=None,
                order_in=order,
                order_out="",
                out_reason="",
                version=1,
            )
        )
        return p
