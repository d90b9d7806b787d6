"""The unit of work every service runs in (layer: below ``access``, see ``core/__init__``).

One service call = one write transaction = one audit entry chain:
permission check -> rules -> write -> audit -> commit, or roll back and raise.
A permission refusal is rolled back and then audited in its own transaction,
so a denied action changes nothing and still leaves a trace.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from zhurnal.core import audit, unique
from zhurnal.core.actor import Actor
from zhurnal.core.calendar import Calendar, day_off_of, days, term_of
from zhurnal.core.db import Database
from zhurnal.core.errors import ConflictError, NotFound, PermissionDenied, PolicyError
from zhurnal.core.live import check_live
from zhurnal.core.models import Bell, Holiday, Period, SchoolYear, Setting, User
from zhurnal.core.policy import Policy, parse_policy
from zhurnal.core.unique import RACE_ROWS

POLICY_KEY = "policy"
READ_ONLY = "Учётная запись ученика или родителя только для просмотра [000 §7.1]."

# Set by ``batch``: service calls then share one transaction, each in a savepoint.
_ambient: ContextVar[Session | None] = ContextVar("zhurnal_ambient_session", default=None)


@lru_cache(maxsize=8)
def _parse_cached(digest: str, text: str) -> Policy:  # digest keeps the key small
    return parse_policy(text)


_SETTING = Setting.__table__  # type: ignore[attr-defined]
# Built once: every service call reads the policy and the calendar afresh (a change is
# seen at once, by any process), and a statement built per call costs more than its run.
_POLICY = sa_select(_SETTING.c.value).where(_SETTING.c.key == POLICY_KEY)
_HOLIDAYS = sa_select(col(Holiday.start), col(Holiday.end), col(Holiday.kind), col(Holiday.grades))
_PERIODS = sa_select(col(Period.scheme), col(Period.kind), col(Period.start), col(Period.end))
# The three in one statement, for a service call that needs both (one round trip, not
# three: on PostgreSQL each is one).  The first SELECT gives the columns their types.
_RULES = union_all(
    sa_select(
        literal("h"), col(Holiday.kind), col(Holiday.grades), col(Holiday.start), col(Holiday.end)
    ),
    sa_select(
        literal("r"), col(Period.scheme), col(Period.kind), col(Period.start), col(Period.end)
    ),
    sa_select(
        literal("p"),
        _SETTING.c.value,
        literal(""),
        null().cast(Holiday.__table__.c.start.type),  # type: ignore[attr-defined]
        null().cast(Holiday.__table__.c.end.type),  # type: ignore[attr-defined]
    ).where(_SETTING.c.key == POLICY_KEY),
)


def plain(session: Session) -> Connection:
    """The session's connection for plain (Core) statements, after the flush the ORM makes
    before its own queries (``autoflush``): rows changed earlier in the transaction are
    seen, as they would be by ``session.exec``."""
    if session.autoflush:
        session.flush()
    return session.connection()


def policy_of(session: Session) -> Policy:
    return _policy(plain(session).execute(_POLICY).scalar())


def _policy(text: str | None) -> Policy:
    if text is None:
        raise PolicyError("Школа не настроена: выполните «zhurnal init» или «zhurnal demo».")
    return _parse_cached(hashlib.sha256(text.encode()).hexdigest(), text)


def rules_of(session: Session) -> tuple[Policy, Calendar]:
    """``policy_of`` and ``calendar_of`` in one statement."""
    text, holidays, periods = None, [], []
    for what, a, b, start, end in plain(session).execute(_RULES):
        if what == "h":
            holidays.append(_HolidayRow(start, end, a, b))
        elif what == "r":
            periods.append(_PeriodRow(a, b, start, end))
        else:
            text = a
    return _policy(text), _calendar(tuple(holidays), tuple(periods))


@dataclass(unsafe_hash=True)
class _HolidayRow:
    start: date
    end: date
    kind: str
    grades: str


@dataclass(unsafe_hash=True)
class _PeriodRow:
    scheme: str
    kind: str
    start: date
    end: date


def calendar_of(session: Session) -> Calendar:
    """The stored calendar: public holidays for working days, terms and days off for
    ``Calendar.is_study_day``.  The rows are read every time (plain columns, no ORM
    objects); the ``Calendar`` built from them is cached by their very content, so a
    change of a holiday or a period is seen at once, by any process."""
    conn = plain(session)
    holidays, periods = conn.execute(_HOLIDAYS), conn.execute(_PERIODS)
    return _calendar(
        tuple(_HolidayRow(*h) for h in holidays), tuple(_PeriodRow(*p) for p in periods)
    )


@lru_cache(maxsize=8)
def _calendar(holidays: tuple[_HolidayRow, ...], periods: tuple[_PeriodRow, ...]) -> Calendar:
    public = {d for h in holidays if h.kind == "public" for d in days(h.start, h.end)}
    terms = (term_of(p) for p in periods)
    return Calendar(
        frozenset(public),
        terms=tuple(t for t in terms if t is not None),
        days_off=tuple(day_off_of(h) for h in holidays),
    )


def current_year(session: Session) -> SchoolYear:
    year = session.exec(select(SchoolYear).where(SchoolYear.is_current == True)).first()  # noqa: E712
    if year is None:
        raise NotFound("Текущий учебный год не задан: администратору — «Учебный год».")
    return year


def bell_times(session: Session) -> dict[int, tuple[time, time]]:
    return {b.number: (b.start, b.end) for b in session.exec(select(Bell))}


def period_for(session: Session, year_id: int, scheme: str, day: date) -> Period | None:
    return session.exec(
        select(Period).where(
            Period.year_id == year_id,
            Period.scheme == scheme,
            col(Period.kind).in_(("quarter", "half")),
            Period.start <= day,
            Period.end >= day,
        )
    ).first()


@dataclass
class UnitOfWork:
    session: Session
    actor: Actor
    now: datetime
    _policy: Policy | None = None
    _calendar: Calendar | None = None
    # The courses whose lessons this unit of work has read its context for: when exactly
    # one, its events carry that course (a refresh hint for the other courses' screens).
    _courses: set[int] = field(default_factory=set)

    def touches(self, course_id: int) -> None:
        """The unit of work acts on a lesson of this course (``context.lesson_ctx``)."""
        self._courses.add(course_id)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy, self._calendar = rules_of(self.session)
        return self._policy

    @property
    def calendar(self) -> Calendar:
        if self._calendar is None:
            self._policy, self._calendar = rules_of(self.session)
        return self._calendar

    def get(self, model: type, ident: int | None, what: str) -> Any:
        row = self.session.get(model, ident) if ident is not None else None
        if row is None:
            raise NotFound(f"{what} не найден(а) (№ {ident}).")
        return row

    def audit(
        self,
        action: str,
        entity: str = "",
        entity_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        correction_id: int | None = None,
    ) -> None:
        audit.append(
            self.session,
            ts=self.now,
            actor_id=self.actor.user_id,
            actor_login=self.actor.login,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            correction_id=correction_id,
            course_id=next(iter(self._courses)) if len(self._courses) == 1 else None,
        )

    def check_version(
        self, row: Any, expected: int | None, what: str, *, locked: bool = False
    ) -> None:
        """Refuse a write based on a stale read, naming who changed the row and when.

        On PostgreSQL the row is read again and locked (``SELECT … FOR UPDATE``) first, so
        a concurrent writer of the same row waits here and then sees the version the other
        one committed; SQLite's writers are serialised by ``BEGIN IMMEDIATE`` anyway.  The
        write itself is checked again atomically at flush (``models.Versioned``).
        ``locked``: the caller has just read the row that way (``locking``)."""
        if expected is None:
            return
        if not locked and self.session.get_bind().dialect.name != "sqlite":
            self.session.refresh(row, with_for_update=True)
        if row.version != expected:
            raise self.conflict(what, row)

    def conflict(self, what: str, row: Any | None) -> ConflictError:
        """A ``ConflictError`` naming who changed ``row`` last and when (if known)."""
        who = None
        if row is not None and row.updated_by_id is not None:
            user = self.session.get(User, row.updated_by_id)
            who = user.full_name if user else None
        return ConflictError(what, who, row.updated_at if row is not None else None)

    def touch(self, row: Any) -> None:
        """Bump the row's version and stamp who changed it and when."""
        row.version = (row.version or 0) + 1
        row.updated_at = self.now
        row.updated_by_id = self.actor.user_id
        self.session.add(row)


def _check_active(session: Session, actor: Actor) -> None:
    """The session's rights as they are now, not as they were at login (``core.live``):
    a disabled account, a removed role, a compromise reported since the login or a
    temporary password not yet changed stop it at once."""
    check_live(session, actor)


def check_writer(uow: UnitOfWork) -> None:
    """What ``unit_of_work`` checks before any write (a read-only account, the rights as
    they are now), for a dry run in a read transaction (an import's check of its file)."""
    if uow.actor.read_only:
        raise PermissionDenied(READ_ONLY)
    _check_active(uow.session, uow.actor)


def lost_race(exc: Exception) -> ConflictError:
    """A concurrent writer got there first: the flush's ``UPDATE … WHERE version = :v``
    matched no row (``StaleDataError``).  Nothing was written; the user reads again."""
    text = str(exc)
    table = next((t for t in RACE_ROWS if f"'{t}'" in text or f'"{t}"' in text), "")
    return unique.lost_race(RACE_ROWS.get(table, "Запись"))


@contextmanager
def unit_of_work(db: Database, actor: Actor, action: str) -> Iterator[UnitOfWork]:
    """Run one service call in one write transaction (see the module docstring)."""
    try:
        with _unit_of_work(db, actor, action) as uow:
            yield uow
    except StaleDataError as exc:
        raise lost_race(exc) from exc
    except IntegrityError as exc:
        if not db.is_unique_violation(exc):
            raise
        raise unique.refusal(exc) from exc


@contextmanager
def _unit_of_work(db: Database, actor: Actor, action: str) -> Iterator[UnitOfWork]:
    now = actor.now()
    ambient = _ambient.get()
    if ambient is not None:
        if actor.read_only:
            raise PermissionDenied(
                "Учётная запись ученика или родителя только для просмотра [000 §7.1]."
            )
        with ambient.begin_nested():
            _check_active(ambient, actor)
            yield UnitOfWork(ambient, actor, now)
        return
    try:
        if actor.read_only:
            raise PermissionDenied(
                "Учётная запись ученика или родителя только для просмотра [000 §7.1]."
            )
        with db.write() as session:
            _check_active(session, actor)
            yield UnitOfWork(session, actor, now)
    except PermissionDenied as exc:
        with db.write() as session:
            audit.append(
                session,
                ts=now,
                actor_id=actor.user_id,
                actor_login=actor.login,
                action="denied",
                entity=action,
                after={"reason": exc.message},
            )
        raise


class BatchRefused(Exception):
    """Raised by ``batch`` callers to roll the whole batch back."""


@contextmanager
def batch(db: Database) -> Iterator[Session]:
    """All-or-nothing: service calls inside share one write transaction.

    Each call runs in its own savepoint, so a refused call undoes only itself
    and the caller can go on checking the other rows; the caller raises (e.g.
    ``BatchRefused``) to roll everything back, or returns to commit all.
    """
    with db.write() as session:
        token = _ambient.set(session)
        try:
            yield session
        finally:
            _ambient.reset(token)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def snapshot(row: Any, *fields: str) -> dict[str, Any]:
    return {f: getattr(row, f) for f in fields}
