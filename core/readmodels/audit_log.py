"""«Журнал действий»: the audit log as the administration reads it [002 §2.9], [000 §6].

Filtering runs in SQL: by user, dates and kind on the event's own columns; by class or
subject through the lessons, assignments and courses the event names (its entity, or
the ids recorded in its JSON ``after``/``before``).  Only one page (``limit`` rows) is
then described in words (``audit_text``), so a page stays fast on a year of events.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import (
    Absence,
    Assignment,
    AuditEvent,
    Correction,
    Course,
    Lesson,
    SchoolClass,
    SchoolYear,
    Subject,
    User,
)
from zhurnal.core.readmodels.audit_text import (
    KINDS,
    KNOWN_ACTIONS,
    Context,
    describe,
    kind_actions,
)
from zhurnal.core.uow import require

__all__ = ["KINDS", "AuditPage", "AuditRow", "FilterChoices", "audit_log", "filter_choices"]

READERS = ("director", "deputy", "admin")


@dataclass(frozen=True)
class AuditRow:
    id: int
    ts: datetime
    login: str
    user: str  # full name ("" for the system)
    kind: str  # one of KINDS
    action: str  # the raw action code
    what: str
    class_title: str
    subject: str
    student: str
    old: str
    new: str
    session: str  # «вход 01.12 08:55»: the user's latest login before the event
    correction_id: int | None


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]  # newest first
    more: bool  # older rows exist beyond ``limit``


@dataclass(frozen=True)
class FilterChoices:
    users: tuple[tuple[int, str], ...]  # (id, full name), by name
    classes: tuple[tuple[int, str], ...]  # (id, «5А»), the current year's
    subjects: tuple[tuple[int, str], ...]  # (id, name), by name


def _require_reader(actor: Actor) -> None:
    require(
        actor.has(*READERS),
        "Журнал действий просматривают директор, заместитель директора и администратор [002 §2.9].",
    )


def json_int(session: Session, column: Any, key: str) -> Any:
    """SQL for the integer ``key`` of a JSON text column ("" counts as no value)."""
    text = sa.func.nullif(column, "")
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.json_extract(text, f"$.{key}")
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.cast(sa.cast(text, JSONB)[key].astext, sa.Integer)


def _place_filter(
    session: Session, class_id: int | None, subject_id: int | None
) -> sa.ColumnElement[bool]:
    courses = select(Course.id)
    if class_id is not None:
        courses = courses.where(Course.class_id == class_id)
    if subject_id is not None:
        courses = courses.where(Course.subject_id == subject_id)
    lessons = select(Lesson.id).where(col(Lesson.course_id).in_(courses))
    assignments = select(Assignment.id).where(col(Assignment.lesson_id).in_(lessons))
    absences = select(Absence.id).where(col(Absence.lesson_id).in_(lessons))
    corrections = select(Correction.id).where(col(Correction.course_id).in_(courses))
    entity, eid = col(AuditEvent.entity), col(AuditEvent.entity_id)

    def ref(key: str) -> Any:
        return sa.func.coalesce(
            json_int(session, AuditEvent.after, key), json_int(session, AuditEvent.before, key)
        )

    conditions = [
        (entity == "lesson") & eid.in_(lessons),
        (entity == "mark") & ref("assignment_id").in_(assignments),
        (entity == "assignment") & ref("lesson_id").in_(lessons),
        (entity == "absence") & (eid.in_(absences) | ref("lesson_id").in_(lessons)),
        (entity == "period_mark") & ref("course_id").in_(courses),
        (entity == "correction") & eid.in_(corrections),
        (entity == "course") & eid.in_(courses),
    ]
    if class_id is not None and subject_id is None:
        conditions.append((entity == "school_class") & (eid == class_id))
    return sa.or_(*conditions)


def _sessions(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """Event id -> «вход 01.12 08:55»: the actor's latest login at or before it."""
    out: dict[int, str] = {}
    if not events:
        return out
    low, high = min(e.id or 0 for e in events), max(e.id or 0 for e in events)
    for user_id in {e.actor_id for e in events if e.actor_id is not None}:
        first = session.exec(
            select(sa.func.max(AuditEvent.id)).where(
                AuditEvent.action == "login",
                AuditEvent.actor_id == user_id,
                col(AuditEvent.id) < low,
            )
        ).one()
        logins = session.exec(
            select(AuditEvent.id, AuditEvent.ts)
            .where(
                AuditEvent.action == "login",
                AuditEvent.actor_id == user_id,
                col(AuditEvent.id) >= (first or low),
                col(AuditEvent.id) <= high,
            )
            .order_by(col(AuditEvent.id))
        ).all()
        ids = [i or 0 for i, _ in logins]
        for e in events:
            if e.actor_id != user_id:
                continue
            at = bisect_right(ids, e.id or 0)
            if at:
                out[e.id or 0] = f"вход {logins[at - 1][1]:%d.%m %H:%M}"
    return out


def audit_log(
    db: Database,
    actor: Actor,
    *,
    user_id: int | None = None,
    class_id: int | None = None,
    subject_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    kind: str | None = None,
    limit: int = 500,
    before_id: int | None = None,
) -> AuditPage:
    """One page of the audit log, newest first; ``before_id`` (the last row's id) pages on.

    ``start``/``end`` are inclusive days; ``kind`` is one of ``KINDS``.  Readable by the
    director, the deputy and the administrator [002 §2.9].
    """
    _require_reader(actor)
    limit = max(1, min(limit, 5000))
    with reading(db, actor) as session:
        query = select(AuditEvent)
        if user_id is not None:
            query = query.where(AuditEvent.actor_id == user_id)
        if start is not None:
            query = query.where(AuditEvent.ts >= datetime.combine(start, datetime.min.time()))
        if end is not None:
            query = query.where(
                AuditEvent.ts < datetime.combine(end + timedelta(days=1), datetime.min.time())
            )
        if kind is not None:
            actions = kind_actions(kind)
            if actions is None:
                query = query.where(col(AuditEvent.action).not_in(KNOWN_ACTIONS))
            else:
                query = query.where(col(AuditEvent.action).in_(actions))
        if class_id is not None or subject_id is not None:
            query = query.where(_place_filter(session, class_id, subject_id))
        if before_id is not None:
            query = query.where(col(AuditEvent.id) < before_id)
        events = list(session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit + 1)))
        more = len(events) > limit
        events = events[:limit]
        ctx = Context.load(session, events)
        sessions = _sessions(session, events)
        rows = []
        for e in events:
            d = describe(e, ctx)
            rows.append(
                AuditRow(
                    id=e.id or 0,
                    ts=e.ts,
                    login=e.actor_login,
                    user=ctx.user_name(e.actor_id),
                    kind=d.kind,
                    action=e.action,
                    what=d.what,
                    class_title=d.class_title,
                    subject=d.subject,
                    student=d.student,
                    old=d.old,
                    new=d.new,
                    session=sessions.get(e.id or 0, ""),
                    correction_id=e.correction_id,
                )
            )
        return AuditPage(tuple(rows), more)


def filter_choices(db: Database, actor: Actor) -> FilterChoices:
    """Users, classes (of the current year) and subjects for the journal's filter form."""
    _require_reader(actor)
    with reading(db, actor) as session:
        users = session.exec(select(User).order_by(col(User.full_name))).all()
        classes = session.exec(
            select(SchoolClass)
            .join(SchoolYear, col(SchoolYear.id) == SchoolClass.year_id)
            .where(SchoolYear.is_current == True)  # noqa: E712
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        ).all()
        subjects = session.exec(select(Subject).order_by(col(Subject.name))).all()
        return FilterChoices(
            tuple((u.id or 0, u.full_name) for u in users),
            tuple((k.id or 0, k.title) for k in classes),
            tuple((s.id or 0, s.name) for s in subjects),
        )
