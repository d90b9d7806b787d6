"""``create_demo``: the demo school in one write transaction."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from zhurnal.core import audit
from zhurnal.core.calendar import Calendar
from zhurnal.core.clock import school_now
from zhurnal.core.db import Database
from zhurnal.core.demo.history import _History
from zhurnal.core.demo.inputs import DEMO_PRESET, _data, _Ids, _sync_sequences
from zhurnal.core.demo.people import _Names
from zhurnal.core.demo.school import _School
from zhurnal.core.demo.text import DemoAccount, DemoInfo
from zhurnal.core.demo.year import school_year
from zhurnal.core.errors import DomainError
from zhurnal.core.ledger import current_ledger, fingerprint
from zhurnal.core.models import Course, Lesson, SchoolClass, SchoolYear, Student, User, WorkType
from zhurnal.core.policy import Policy, parse_policy, preset_text
from zhurnal.core.setup import install_policy


def _require_empty(session: Session) -> None:
    for model in (User, SchoolYear, Student, SchoolClass, Course, Lesson):
        if session.exec(select(func.count()).select_from(model)).one():
            raise DomainError(
                "База данных не пуста: демонстрационную школу можно создать только в новой "
                "базе (zhurnal demo --db НОВЫЙ_ФАЙЛ)."
            )


def create_demo(db: Database, today: date | None = None, seed: int = 2026) -> DemoInfo:
    """Fill an empty, migrated database with the demo school (one transaction)."""
    now = school_now(parse_policy(preset_text(DEMO_PRESET)).time_zone)  # the school's clock
    stamp = now.replace(microsecond=0) if today is None else datetime.combine(today, time(7, 0))
    today = today or now.date()
    with db.write() as session:
        _require_empty(session)
        return _Builder(session, today, seed, stamp).build()


class _Builder(_School, _History):
    """The generator: its state (``_State``), the school (``_School``), the history
    (``_History``); ``build`` runs them in order."""

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

    def _finish(self, counts: dict[str, int]) -> DemoInfo:
        """The audit events: one per user, then the demo itself; returns the summary."""
        s = self.s
        _sync_sequences(s, [t for t in self.ids.next if t != "bell"])
        for u in self.audit_users:
            audit.append(
                s,
                ts=self.stamp,
                actor_id=None,
                actor_login="demo",
                action="user.create",
                entity="user",
                entity_id=u["id"],
                after={
                    "login": u["login"],
                    "full_name": u["full_name"],
                    "roles": u["roles"],
                    "must_change_password": False,
                    "active": True,
                    "password": fingerprint(u["password_hash"]),
                },
            )
        self._audit_history()
        info = DemoInfo(
            school=self.curriculum["school"]["name"],
            year=self.year.name,
            today=self.today,
            accounts=tuple(self.accounts),
            classes=len(self.classes),
            students=self.student_count,
            teachers=len(self.teachers),
            courses=len(self.courses),
            lessons=counts["lessons"],
            marks=counts["marks"],
            absences=counts["absences"],
            period_marks=counts["period_marks"],
            teacher_login=next(
                t.login
                for t in self.teachers
                if t.dept == "class" and t.login not in ("uchitel", "klass5a")
            ),
        )
        summary = {
            k: v for k, v in asdict(info).items() if k not in ("accounts", "today", "teacher_login")
        }
        audit.append(
            s,
            ts=self.stamp,
            actor_id=None,
            actor_login="demo",
            action="demo.create",
            entity="school_year",
            entity_id=self.year_id,
            after={
                **summary,
                "today": self.today,
                "seed": self.seed,
                # the school as built: users, settings, stays, lessons, assignments
                **current_ledger(s, ("user", "setting", "enrolment", "lesson", "assignment")),
            },
        )
        return info
