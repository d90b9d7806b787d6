"""The large school's history (``bench/large_school.py``): pupils and their movement,
then every lesson of the year and, before ``TODAY``, what teachers enter, with gaps.

Entries follow the register's rules: nothing «вперёд» (a lesson of ``TODAY`` or later is
empty [004 §3.8]), no marks in grade 1 [004 §3.5], no mark for a pupil absent that day,
subgroup lessons for their subgroup only; late entries (after 2 days [004 §3.8]) are
flagged.  Marks: an answer column on most lessons (6-15 pupils), a test every eighth
lesson of a course (every pupil present).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as Time
from typing import Any

from zhurnal.core import models as m
from zhurnal.core.demo.inputs import BELLS

TODAY = date(2027, 5, 24)  # a Monday of the 4th quarter: nothing entered from this day on
NOW = datetime.combine(TODAY, Time(10, 0))
MARKS = ("5",) * 30 + ("4",) * 40 + ("3",) * 25 + ("2",) * 5
ABSENCE_CODES = ("Б",) * 5 + ("Н",) * 3 + ("УП",) * 2


class _History:
    """The second half of ``large_school._Generator`` (its state is set up there)."""

    rng: Any
    year: Any
    curriculum: dict[str, Any]
    work_types: dict[str, int]
    periods: list[dict[str, Any]]

    def id(self, table: str) -> int:
        raise NotImplementedError

    def add(self, model: Any, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def person(self, male: bool, kind: str) -> tuple[str, str, str]:
        raise NotImplementedError

    def pupils(self, klass: dict[str, Any]) -> None:
        """The class list with movement: about 1 in 40 left during the year, 1 in 40 came."""
        rng, start = self.rng, self.year.start
        span = (TODAY - start).days
        pupils = []
        for _ in range(klass["size"]):
            sid, male = self.id("student"), rng.random() < 0.5
            last, first, middle = self.person(male, "students")
            born = date(start.year - 7 - klass["grade"], 9, 1) + timedelta(days=rng.randrange(365))
            self.add(
                m.Student,
                dict(id=sid, last_name=last, first_name=first, middle_name=middle, birth_date=born),
            )
            r = rng.random()
            came = start + timedelta(days=rng.randrange(span)) if r < 0.025 else start
            left = start + timedelta(days=rng.randrange(span)) if 0.025 <= r < 0.05 else None
            self.add(
                m.Enrolment,
                dict(
                    id=self.id("enrolment"),
                    student_id=sid,
                    class_id=klass["id"],
                    start=came,
                    end=left,
                    order_in=f"Приказ № {sid}-у от {came:%d.%m.%Y}",
                    order_out=f"Приказ № {sid}-в от {left:%d.%m.%Y}" if left else "",
                    out_reason="Перевод в другую школу" if left else "",
                ),
            )
            pupils.append((last, first, sid, came, left))
        pupils.sort()
        klass["pupils"] = [(sid, came, left) for _, _, sid, came, left in pupils]
        klass["members"] = {}
        half = (len(pupils) + 1) // 2
        for c in klass["courses"]:
            if c["subgroup"]:
                first_group = c["subgroup"] == self.curriculum["school"]["subgroups"][0]
                chosen = klass["pupils"][:half] if first_group else klass["pupils"][half:]
                klass["members"][c["id"]] = {sid for sid, _, _ in chosen}
                for sid, came, left in chosen:
                    self.add(
                        m.SubgroupMember,
                        dict(
                            id=self.id("subgroup_member"),
                            course_id=c["id"],
                            student_id=sid,
                            start=came,
                            end=left,
                        ),
                    )

    def entered(self, lesson_end: datetime) -> tuple[datetime, bool]:
        """When an entry was made and whether it was late (after 2 days [004 §3.8])."""
        r = self.rng.random()
        if r < 0.85:
            return lesson_end + timedelta(minutes=self.rng.randrange(5, 300)), False
        days = self.rng.randrange(1, 3) if r < 0.95 else self.rng.randrange(3, 10)
        return lesson_end + timedelta(days=days, minutes=self.rng.randrange(600)), days > 2

    def lessons(self, klass: dict[str, Any]) -> None:
        rng, grade = self.rng, klass["grade"]
        wt_answer, wt_test = self.work_types["answer"], self.work_types["test"]
        care = {c["teacher_id"]: 0.75 if rng.random() < 0.15 else 0.97 for c in klass["courses"]}
        ordinal: dict[int, int] = defaultdict(int)
        sick: dict[int, tuple[date, str]] = {}
        day = self.year.start
        while day <= self.year.end:
            if self.year.study_day(day, grade, klass["scheme"]):
                self.day(klass, day, care, ordinal, sick, wt_answer, wt_test)
            day += timedelta(days=1)

    def day(self, klass, day, care, ordinal, sick, wt_answer, wt_test) -> None:  # type: ignore[no-untyped-def]
        rng, grade, past = self.rng, klass["grade"], day < TODAY
        roster = [sid for sid, a, b in klass["pupils"] if a <= day and (b is None or day <= b)]
        absent: dict[int, str] = {}
        for sid in roster:  # illness lasts days; a single day away now and then
            until = sick.get(sid)
            if until and until[0] >= day:
                absent[sid] = until[1]
            elif rng.random() < 0.008:
                sick[sid] = (day + timedelta(days=rng.randrange(2, 9)), "Б")
                absent[sid] = "Б"
            elif rng.random() < 0.015:
                absent[sid] = rng.choice(ABSENCE_CODES)
        recent = 0.6 if (TODAY - day).days <= 3 else 1.0  # not entered yet
        for number, unit in klass["week"][day.weekday()]:
            start_t, end_t = BELLS[min(number, len(BELLS)) - 1]
            ends = datetime.combine(day, end_t)
            for c in unit:
                lid, uid = self.id("lesson"), c["teacher_id"]
                ordinal[c["id"]] += 1
                k = ordinal[c["id"]]
                row: dict[str, Any] = dict(
                    id=lid,
                    course_id=c["id"],
                    date=day,
                    number=number,
                    room=klass["room"],
                    topic="",
                    homework="",
                    held_by_id=uid,
                    attendance_taken_at=None,
                    topic_entered_at=None,
                    topic_late=False,
                    homework_entered_at=None,
                    homework_late=False,
                    attendance_late=False,
                    cancelled=False,
                )
                if not past or rng.random() < 0.003:
                    row["cancelled"] = past
                    self.add(m.Lesson, row)
                    continue
                p = care[uid] * recent
                if rng.random() < p:
                    row["topic"] = f"{c['name']}: тема {k}"
                    row["topic_entered_at"], row["topic_late"] = self.entered(ends)
                if rng.random() < p * 0.95:
                    row["homework"] = "нет" if grade == 1 else f"§ {k // 2 + 1}, № {k * 3 % 97}"
                    row["homework_entered_at"], row["homework_late"] = self.entered(ends)
                taken, late = self.entered(datetime.combine(day, start_t))
                if rng.random() < p:
                    row["attendance_taken_at"], row["attendance_late"] = taken, late
                self.add(m.Lesson, row)  # filled first: a flush may write it at once
                present = roster
                if members := klass["members"].get(c["id"]):
                    present = [sid for sid in roster if sid in members]
                if row["attendance_taken_at"]:
                    for sid in present:
                        if sid in absent:
                            self.add(
                                m.Absence,
                                dict(
                                    id=self.id("absence"),
                                    lesson_id=lid,
                                    student_id=sid,
                                    code=absent[sid],
                                    entered_at=taken,
                                    late=late,
                                ),
                            )
                if grade == 1:
                    continue  # no marks in grade 1 [004 §3.5]
                here = [sid for sid in present if sid not in absent]
                if k % 8 == 0:
                    aid, marked = self.id("assignment"), [s for s in here if rng.random() < 0.92]
                    wt, title = wt_test, "Контрольная работа"
                elif rng.random() < p * 0.9:
                    aid, wt, title = self.id("assignment"), wt_answer, ""
                    marked = rng.sample(here, min(len(here), rng.randrange(6, 16)))
                else:
                    continue
                self.add(m.Assignment, dict(id=aid, lesson_id=lid, work_type_id=wt, title=title))
                for sid in marked:
                    at, late = self.entered(ends)
                    self.add(
                        m.Mark,
                        dict(
                            id=self.id("mark"),
                            assignment_id=aid,
                            student_id=sid,
                            value=rng.choice(MARKS),
                            entered_at=at,
                            entered_by_id=uid,
                            late=late,
                        ),
                    )

    def period_marks(self, klass: dict[str, Any]) -> None:
        """Marks of the quarters and half-years that ended before ``TODAY``."""
        if klass["grade"] == 1:
            return
        for p in self.periods:
            if p["scheme"] != klass["scheme"] or p["kind"] not in ("quarter", "half"):
                continue
            if p["end"] >= TODAY:
                continue
            at = datetime.combine(p["end"], Time(15, 0))
            for c in klass["courses"]:
                members = klass["members"].get(c["id"])
                for sid, came, left in klass["pupils"]:
                    if came > p["end"] or (left and left < p["end"]):
                        continue
                    if members is not None and sid not in members:
                        continue
                    self.add(
                        m.PeriodMark,
                        dict(
                            id=self.id("period_mark"),
                            course_id=c["id"],
                            student_id=sid,
                            period_id=p["id"],
                            value=self.rng.choice(MARKS[:95]),
                            entered_at=at,
                            entered_by_id=c["teacher_id"],
                        ),
                    )
