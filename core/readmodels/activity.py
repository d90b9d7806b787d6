"""The weekly report on users' activity in the register [000 §6.1].

Per staff member for the chosen days: how often they logged in, on how many days
they did anything, what they entered (marks, topics and homework, attendance), how
much of it was late, how often they were refused, and their last login ever — with
the lessons they held and how many of those still lack a topic, so a teacher who
does not fill the register stands out (the inactive are listed first).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from zhurnal.core.actor import ROLE_NAMES, ROLES, STAFF_ROLES, Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Absence, AuditEvent, Lesson, Mark, User
from zhurnal.core.uow import require

MARK_ACTIONS = ("mark.set",)
TEXT_ACTIONS = ("lesson.topic", "lesson.homework")
ATTENDANCE_ACTIONS = ("attendance.set", "attendance.all_present")
NOT_ACTIVITY = ("login.failed", "login.locked", "denied", "logout")


@dataclass(frozen=True)
class ActivityRow:
    user_id: int
    login: str
    user: str  # full name
    roles: str  # «Учитель, заместитель директора»
    active: bool  # the account is not disabled
    logins: int
    active_days: int  # days with at least one change or login
    marks: int  # marks entered or changed (mark.set events)
    lessons_filled: int  # lessons whose topic or homework they wrote
    attendance: int  # lessons whose attendance they took
    late: int  # their marks, topics, homework and attendance entered after the deadline
    denials: int  # actions refused to them
    last_login: datetime | None  # the latest login up to the end of the range
    lessons_held: int  # lessons they held in the range, up to today
    lessons_empty: int  # of those, without a topic


def _roles(user: User) -> str:
    names = [ROLE_NAMES[r] for r in ROLES if r in user.role_set()]
    return ", ".join(n if i == 0 else n[:1].lower() + n[1:] for i, n in enumerate(names))


def user_activity(db: Database, actor: Actor, start: date, end: date) -> tuple[ActivityRow, ...]:
    """Staff activity from ``start`` to ``end`` (inclusive), least active first [000 §6.1]."""
    require(
        actor.has("director", "deputy", "admin"),
        "Отчёт об активности пользователей формируют директор, заместитель директора "
        "и администратор [000 §6.1].",
    )
    if end < start:
        raise ValidationError("Конец периода раньше его начала.")
    low = datetime.combine(start, datetime.min.time())
    high = datetime.combine(end + timedelta(days=1), datetime.min.time())
    today = min(end, actor.now().date())
    with reading(db, actor) as session:
        users = [
            u
            for u in session.exec(select(User).order_by(col(User.full_name)))
            if u.role_set() & set(STAFF_ROLES)
        ]
        events = session.exec(
            select(
                AuditEvent.actor_id, AuditEvent.action, AuditEvent.entity_id, AuditEvent.ts
            ).where(
                col(AuditEvent.actor_id).is_not(None),
                AuditEvent.ts >= low,
                AuditEvent.ts < high,
            )
        ).all()
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        days: dict[int, set[date]] = defaultdict(set)
        filled: dict[int, set[int]] = defaultdict(set)
        taken: dict[int, set[int]] = defaultdict(set)
        for user_id, action, entity_id, ts in events:
            assert user_id is not None
            counts[user_id][action] += 1
            if action not in NOT_ACTIVITY:
                days[user_id].add(ts.date())
            if action in TEXT_ACTIONS and entity_id is not None:
                filled[user_id].add(entity_id)
            if action == "attendance.all_present" and entity_id is not None:
                taken[user_id].add(entity_id)
        absence_events = session.exec(
            select(AuditEvent.actor_id, AuditEvent.after).where(
                AuditEvent.action == "attendance.set", AuditEvent.ts >= low, AuditEvent.ts < high
            )
        ).all()
        for user_id, after in absence_events:
            lesson_id = json.loads(after or "{}").get("lesson_id")
            if user_id is not None and lesson_id is not None:
                taken[user_id].add(int(lesson_id))
        late = _late(session, low, high)
        last_login = dict(
            session.exec(
                select(AuditEvent.actor_id, sa.func.max(AuditEvent.ts))
                .where(AuditEvent.action == "login", AuditEvent.ts < high)
                .group_by(col(AuditEvent.actor_id))
            ).all()
        )
        held = session.exec(
            select(
                Lesson.held_by_id,
                sa.func.count(),
                sa.func.sum(sa.case((col(Lesson.topic) == "", 1), else_=0)),
            )
            .where(
                Lesson.date >= start,
                Lesson.date <= today,
                Lesson.cancelled == False,  # noqa: E712
            )
            .group_by(col(Lesson.held_by_id))
        ).all()
        held_by = {h: (int(n), int(e or 0)) for h, n, e in held}
    rows = []
    for u in users:
        uid = u.id or 0
        c = counts.get(uid, {})
        rows.append(
            ActivityRow(
                user_id=uid,
                login=u.login,
                user=u.full_name,
                roles=_roles(u),
                active=u.active,
                logins=c.get("login", 0),
                active_days=len(days.get(uid, ())),
                marks=sum(c.get(a, 0) for a in MARK_ACTIONS),
                lessons_filled=len(filled.get(uid, ())),
                attendance=len(taken.get(uid, ())),
                late=late.get(uid, 0),
                denials=c.get("denied", 0),
                last_login=last_login.get(uid),
                lessons_held=held_by.get(uid, (0, 0))[0],
                lessons_empty=held_by.get(uid, (0, 0))[1],
            )
        )
    rows.sort(key=lambda r: (not r.active, r.active_days > 0, -r.lessons_empty, r.user))
    return tuple(rows)


def _late(session: Session, low: datetime, high: datetime) -> dict[int, int]:
    """Entries made after their deadline [004 §3.8], counted per user who made them."""
    out: dict[int, int] = defaultdict(int)
    for user_id, n in session.exec(
        select(Mark.entered_by_id, sa.func.count())
        .where(Mark.late == True, Mark.entered_at >= low, Mark.entered_at < high)  # noqa: E712
        .group_by(col(Mark.entered_by_id))
    ).all():
        out[user_id] += int(n)
    for by, n in session.exec(
        select(Absence.updated_by_id, sa.func.count())
        .where(Absence.late == True, Absence.entered_at >= low, Absence.entered_at < high)  # noqa: E712
        .group_by(col(Absence.updated_by_id))
    ).all():
        if by is not None:
            out[by] += int(n)
    for stamp, flag in (
        (Lesson.topic_entered_at, Lesson.topic_late),
        (Lesson.homework_entered_at, Lesson.homework_late),
    ):
        for by, n in session.exec(
            select(Lesson.held_by_id, sa.func.count())
            .where(flag == True, col(stamp) >= low, col(stamp) < high)  # noqa: E712
            .group_by(col(Lesson.held_by_id))
        ).all():
            if by is not None:
                out[by] += int(n)
    return dict(out)
