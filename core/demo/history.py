"""The demo's history up to «today»: lessons with what teachers entered, period marks."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from zhurnal.core import audit
from zhurnal.core.demo.inputs import BELLS, WEEKDAYS, _insert
from zhurnal.core.demo.people import _Course, _Pupil
from zhurnal.core.demo.plans import _homework
from zhurnal.core.demo.state import _State
from zhurnal.core.demo.year import _days
from zhurnal.core.ledger import TRACKED, plain
from zhurnal.core.models import Absence, Assignment, Lesson, Mark, PeriodMark
from zhurnal.core.rules import (
    entry_deadline,
    homework_deadline,
    mark_deadline,
    suggest_period_mark,
    weighted_average,
)


class _History(_State):
    """The parts of ``_Builder`` that fill the register (see ``core.demo.builder``)."""

    # ... lessons .........................................................................

    def _roster(self, c: _Course, day: date) -> list[_Pupil]:
        if c.subgroup:
            ids = [sid for sid, a, b in c.members if a <= day and (b is None or b >= day)]
        else:
            ids = [
                p.id
                for p in c.klass.students
                for kid, a, b in p.stays
                if kid == c.klass.id and a <= day and (b is None or b >= day)
            ]
        return [self.pupils[i] for i in ids]

    def _absences_by_day(self) -> dict[tuple[int, date], str]:
        """Illness spells (Б), single days for a reason (УП) or without one (Н)."""
        rng, year = self.rng, self.year
        days = [
            d
            for d in _days(year.start, self.today - timedelta(days=1))
            if d.weekday() < WEEKDAYS and d not in year.public
        ]
        out: dict[tuple[int, date], str] = {}
        for pid in sorted(self.pupils):
            h = self.pupils[pid].health
            i = 0
            while i < len(days):
                r = rng.random()
                if r < 0.008 * h:
                    for d in days[i : i + rng.randint(2, 7)]:
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
            return datetime.combine(
                end.date() + timedelta(days=1), time(rng.randint(15, 21), rng.randint(0, 59))
            )
        if r < (0.85 if sloppy else 0.99):
            return datetime.combine(
                end.date() + timedelta(days=2), time(rng.randint(15, 21), rng.randint(0, 59))
            )
        # late, but before the shortest edit lock (practical works, 7 days [004 §3.8])
        return datetime.combine(
            end.date() + timedelta(days=rng.randint(3, 6)),
            time(rng.randint(14, 21), rng.randint(0, 59)),
        )

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
                busy[(d, n)].add(c.taught_by.id)

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
                    held = c.taught_by.id
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
            row = dict(
                id=lid,
                course_id=c.id,
                date=day,
                number=n,
                room=room,
                topic="",
                homework="",
                plan_item_id=None,
                held_by_id=held,
                attendance_taken_at=None,
                topic_entered_at=None,
                topic_late=False,
                homework_entered_at=None,
                homework_late=False,
                attendance_late=False,
                cancelled=False,
                version=1,
                updated_at=None,
                updated_by_id=None,
            )
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
                    row.update(
                        topic=topic,
                        plan_item_id=pid,
                        topic_entered_at=entered,
                        topic_late=entered > deadline,
                    )
                    touched.append(entered)
            # homework
            hw_time = entered if rng.random() < 0.8 else self._entry_time(start, end, sloppy)
            if (
                rng.random() >= forget * 2.5 + (0.02 if day >= recent else 0)
                and hw_time <= self.cutoff
            ):
                if c.klass.grade == 1 and policy.grade1_no_marks:
                    text = policy.grade1_homework
                else:
                    text = _homework(c.subject, c.klass.grade, hw_index[c.id], rng)
                    hw_index[c.id] += 1
                row.update(
                    homework=text, homework_entered_at=hw_time, homework_late=hw_time > hw_deadline
                )
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
            att_time = (
                start + timedelta(minutes=rng.randint(1, 12))
                if rng.random() < 0.85
                else self._entry_time(start, end, sloppy)
            )
            if rng.random() >= forget * 1.3 and att_time <= self.cutoff:
                late = att_time > deadline
                row.update(attendance_taken_at=att_time, attendance_late=late)
                touched.append(att_time)
                for pid_, code in sorted(absent.items()):
                    document = ""
                    if code == "Б" and rng.random() < 0.7:
                        document = (
                            f"Справка ГБУЗ «Детская поликлиника № 2» № {rng.randint(100, 999)}"
                        )
                    elif code == "УП" and rng.random() < 0.8:
                        document = "Заявление родителей"
                    absence_rows.append(
                        dict(
                            id=self.ids("absence"),
                            lesson_id=lid,
                            student_id=pid_,
                            code=code,
                            entered_at=att_time,
                            late=late,
                            reason_document=document,
                            correction_id=None,
                            version=1,
                            updated_at=att_time,
                            updated_by_id=held,
                        )
                    )
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
                            ranked = sorted(
                                present,
                                key=lambda p: marks_count[(c.id, p.id)] + rng.random() * 1.5,
                            )
                            chosen = ranked[:k_marks]
                        aid = self.ids("assignment")
                        assignment_rows.append(
                            dict(
                                id=aid,
                                lesson_id=lid,
                                work_type_id=wt_id[code],
                                title=title,
                                version=1,
                                updated_at=mark_time,
                                updated_by_id=held,
                            )
                        )
                        bias = teacher.strictness - (0.2 if everyone else -0.15)
                        # the policy's deadline of this work type: with the lesson, or on
                        # the day its checking ends, i.e. its first mark [002 §2.5]
                        due = mark_deadline(policy, self.calendar, day, code, mark_time.date())
                        for p in sorted(chosen, key=lambda p: p.id):
                            aff = affinity.setdefault((p.id, c.dept), rng.gauss(0, 0.3))
                            x = p.ability + aff + bias + rng.gauss(0, 0.7)
                            value = (
                                "5" if x >= 4.5 else "4" if x >= 3.5 else "3" if x >= 2.5 else "2"
                            )
                            at = min(
                                self.cutoff, mark_time + timedelta(seconds=rng.randint(0, 600))
                            )
                            mark_rows.append(
                                dict(
                                    id=self.ids("mark"),
                                    assignment_id=aid,
                                    student_id=p.id,
                                    value=value,
                                    entered_at=at,
                                    entered_by_id=held,
                                    late=at > due,
                                    correction_id=None,
                                    version=1,
                                    updated_at=at,
                                    updated_by_id=held,
                                )
                            )
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
        return {"lessons": len(lesson_rows), "marks": len(mark_rows), "absences": len(absence_rows)}

    def _works(self, c: _Course, kind: str) -> list[tuple[str, bool, str]]:
        """(work type code, everyone present gets a mark, title) of one lesson."""
        rng = self.rng
        topic_kind = {"test": "test", "practical": "practical", "essay": "essay"}.get(kind)
        if topic_kind:
            titles = {
                "test": "Контрольная работа",
                "practical": "Практическая работа",
                "essay": "Сочинение",
            }
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
        ended = [
            p
            for p in self.year.periods
            if p["kind"] in ("quarter", "half") and p["end"] < self.today
        ]
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
                        marks = [
                            (v, w)
                            for d, v, w in self.course_marks.get((c.id, pupil.id), [])
                            if p["start"] <= d <= p["end"]
                        ]
                        value = (
                            suggest_period_mark(policy, weighted_average(marks), len(marks))
                            or "н/а"
                        )
                    rows.append(
                        dict(
                            id=self.ids("period_mark"),
                            course_id=c.id,
                            student_id=pupil.id,
                            period_id=pid,
                            value=value,
                            entered_at=at,
                            entered_by_id=c.taught_by.id,
                            correction_id=None,
                            version=1,
                            updated_at=at,
                            updated_by_id=c.taught_by.id,
                        )
                    )
        _insert(self.s, PeriodMark, rows)
        self.audited_rows += [("period_mark", r) for r in rows]
        return len(rows)

    def _history_events(
        self, lesson_rows: list[dict[str, Any]], absence_rows: list[dict[str, Any]]
    ) -> None:
        """Audit events for the topics, homework and absences of the history."""
        events = self.extra_events
        for row in lesson_rows:
            if row["topic"]:
                events.append(
                    {
                        "ts": row["topic_entered_at"],
                        "actor_id": row["held_by_id"],
                        "action": "lesson.topic",
                        "entity": "lesson",
                        "entity_id": row["id"],
                        "after": {"topic": row["topic"], "plan_item_id": row["plan_item_id"]},
                    }
                )
            if row["homework"]:
                events.append(
                    {
                        "ts": row["homework_entered_at"],
                        "actor_id": row["held_by_id"],
                        "action": "lesson.homework",
                        "entity": "lesson",
                        "entity_id": row["id"],
                        "after": {"homework": row["homework"]},
                    }
                )
        for a in absence_rows:
            events.append(
                {
                    "ts": a["entered_at"],
                    "actor_id": a["updated_by_id"],
                    "action": "attendance.set",
                    "entity": "absence",
                    "entity_id": a["id"],
                    "after": {
                        "student_id": a["student_id"],
                        "lesson_id": a["lesson_id"],
                        "code": a["code"],
                    },
                }
            )

    def _audit_history(self) -> None:
        """One audit event per mark and period mark, as if entered through the services,
        so that ``zhurnal verify`` can reconcile every mark with the log."""
        logins = {u["id"]: u["login"] for u in self.audit_users}
        fields = {entity: tuple(TRACKED[entity].fields) for entity in ("mark", "period_mark")}
        events = [
            {
                "ts": row["entered_at"],
                "actor_id": row["entered_by_id"],
                "actor_login": logins.get(row["entered_by_id"], ""),
                "action": f"{entity}.set",
                "entity": entity,
                "entity_id": row["id"],
                "after": {f: plain(row[f]) for f in fields[entity]},
            }
            for entity, row in self.audited_rows
        ]
        for e in self.extra_events:
            e["actor_login"] = logins.get(e["actor_id"], "")
        events += self.extra_events
        events.sort(key=lambda e: (e["ts"], e["entity"], e["entity_id"]))
        audit.append_many(self.s, events)
