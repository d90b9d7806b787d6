"""Login abuse, tried as an attacker would [issue 11 «Login abuse»].

- a temporary password is changed before anything else, in core: every service call and
  read by such a session is refused, saying what to do [002 §4.1, 000 §7.2];
- every refused login gets the same answer at the same cost, whatever the reason;
- failed logins earn growing pauses and, after 100 in a row, a lock only an administrator
  lifts (NIST SP 800-63B 5.2.2, ``core.throttle``), so a stranger cannot keep the owner out;
- reads check the session's live rights as writes do: a withdrawn role, a disabled account
  or a substitution taken back stop them at once [004 §1.7, §4.3, §5, 000 §2.3].
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlmodel import select

from tests.conftest import set_password
from tests.school import NOW, TODAY, World, build
from tests.ui import PASSWORD
from zhurnal.core import auth
from zhurnal.core.actor import Actor
from zhurnal.core.errors import AuthError, PermissionDenied
from zhurnal.core.live import live_refusal
from zhurnal.core.models import AuditEvent, Lesson, User
from zhurnal.core.policy import load_preset
from zhurnal.core.readmodels import lesson_card, my_lessons, my_profile, school_completeness
from zhurnal.core.services import lessons, users
from zhurnal.core.throttle import HARD_LOCK_FAILURES, pause_after

TEMP = "k7dm-x2qa-9fhe"
OWN = "зелёная лампа над столом"
POLICY = load_preset("004")  # 5 failures free, pauses up to 15 minutes


@pytest.fixture
def w(db, fast_argon2) -> World:
    return build(db)


def sign_in(w: World, login: str, password: str = PASSWORD, at=NOW) -> Actor:
    return auth.authenticate(w.db, login, password, now=at).actor


def row(w: World, login: str) -> User:
    with w.db.read() as s:
        return s.exec(select(User).where(User.login == login)).one()


def last_failure(w: World) -> dict:
    with w.db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
        return json.loads(rows[-1].after or "{}")


def topic(w: World) -> str:
    with w.db.read() as s:
        return s.get(Lesson, w.lessons["today"]).topic


def refuse(w: World, login: str, password: str, at=NOW) -> str:
    with pytest.raises(AuthError) as refused:
        auth.authenticate(w.db, login, password, now=at)
    return refused.value.message


# --- a temporary password first ------------------------------------------------------------


def test_a_temporary_password_is_changed_before_anything_else_002_4_1(w: World) -> None:
    """[issue 11] Only the TUI asked before; now core refuses the session's writes and reads
    until the password is changed, and the refusal says how to change it."""
    set_password(w.db, "uchitel", TEMP, must_change=True)
    result = auth.authenticate(w.db, "uchitel", TEMP, now=NOW)
    assert result.must_change_password
    actor = result.actor
    attempts = {
        "write": lambda: lessons.set_topic(w.db, actor, w.lessons["today"], "Дроби"),
        "timetable": lambda: my_lessons(w.db, actor, TODAY),
        "profile": lambda: my_profile(w.db, actor),
        "lesson": lambda: lesson_card(w.db, actor, w.lessons["today"]),
    }
    for attempt in attempts.values():
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.message.startswith("Сначала смените временный пароль")
        assert "zhurnal password --as uchitel" in refused.value.message
    assert topic(w) == ""
    with w.db.read() as s:  # the refused write is audited as refused
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [e.entity for e in denied] == ["lesson.topic"]
    auth.change_password(w.db, actor, TEMP, OWN)  # allowed: the way out
    lessons.set_topic(w.db, actor, w.lessons["today"], "Дроби")
    assert topic(w) == "Дроби" and my_lessons(w.db, actor, TODAY)
    auth.logout(w.db, actor)


def test_logout_needs_no_password_change(w: World) -> None:
    set_password(w.db, "uchitel", TEMP, must_change=True)
    actor = sign_in(w, "uchitel", TEMP)
    auth.logout(w.db, actor)
    with w.db.read() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "logout")).one()


def test_a_reset_password_stops_the_session_that_was_open(w: World) -> None:
    """The administrator issues a new temporary password (a lost or leaked one): a
    session opened with the old password stops at its next read."""
    set_password(w.db, "uchitel", PASSWORD)
    actor = sign_in(w, "uchitel")
    assert my_lessons(w.db, actor, TODAY)
    users.reset_password(w.db, w.admin.at(NOW), w.teacher.user_id or 0)
    with pytest.raises(PermissionDenied, match="выйдите и войдите с ним"):
        my_lessons(w.db, actor, TODAY)


# --- one answer, one cost ------------------------------------------------------------------


class CountingHasher(PasswordHasher):
    """Cheap argon2id that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password) -> bool:  # type: ignore[no-untyped-def]
        self.verified += 1
        return super().verify(hash, password)


CASES = {  # what is wrong → (the login tried, the reason the audit log keeps)
    "unknown": ("neizvestny", "unknown_login"),
    "wrong": ("uchitel", "wrong_password"),
    "paused": ("drugoy", "paused"),
    "locked": ("klass5a", "locked"),
    "disabled": ("nachalka", "inactive"),
    "closed": ("sekretar", "wrong_password"),  # closed by the director after a breach
}


def arrange(w: World, case: str, login: str) -> None:
    with w.db.write() as s:
        user = s.exec(select(User).where(User.login == login)).first()
        if user is None:
            return
        if case == "paused":
            user.failed_attempts, user.locked_until = 5, NOW + timedelta(minutes=1)
        elif case == "locked":
            user.failed_attempts = HARD_LOCK_FAILURES
        elif case == "disabled":
            user.active = False
        elif case == "closed":  # [002 §4.3]
            user.password_hash = "!"
        s.add(user)


def test_every_refused_login_gets_one_answer_at_one_cost(w: World, monkeypatch) -> None:
    """[issue 11] Neither the message nor the work (one argon2 verification, ~0.3 s with
    the real parameters) tells whether a login exists, is paused, locked or disabled — even
    with the right password; the audit log keeps the true reason for the administrator."""
    hasher = CountingHasher()
    monkeypatch.setattr(auth, "_ph", hasher)
    for case, (login, reason) in CASES.items():
        if case != "unknown":
            set_password(w.db, login, PASSWORD)
        arrange(w, case, login)
        hasher.verified = 0
        message = refuse(w, login, "не тот пароль" if case == "wrong" else PASSWORD)
        assert message == auth.LOGIN_REFUSED, case
        assert "обратитесь к администратору" in message  # the owner learns what to do
        assert hasher.verified == 1, case
        assert last_failure(w)["reason"] == reason, case


# --- pauses and the lock -------------------------------------------------------------------


def test_pauses_grow_after_the_free_failures_up_to_the_longest(w: World) -> None:
    """004 [auth]: 5 failures cost nothing, then 1, 2, 4, 8 minutes, at most 15."""
    set_password(w.db, "uchitel", PASSWORD)
    moment, pauses = NOW, []
    for _ in range(10):
        refuse(w, "uchitel", "не тот пароль", at=moment)
        until = row(w, "uchitel").locked_until
        pauses.append(int((until - moment).total_seconds() // 60) if until else 0)
        moment = until or moment  # the next guess as soon as the pause ends
    assert pauses == [0, 0, 0, 0, 1, 2, 4, 8, 15, 15]
    assert row(w, "uchitel").failed_attempts == 10
    assert last_failure(w)["until"] == moment.isoformat()


def test_the_owner_comes_in_when_the_pause_ends_nist_800_63b(w: World) -> None:
    """A stranger's 5 wrong guesses keep the owner out for a minute, not for good: within
    the pause even the right password is not checked, counted or lengthening it."""
    set_password(w.db, "uchitel", PASSWORD)
    for _ in range(5):
        refuse(w, "uchitel", "не тот пароль")
    until = row(w, "uchitel").locked_until
    assert until == NOW + timedelta(minutes=1)
    listed = {u.login: u for u in users.list_users(w.db, w.admin.at(NOW))}
    assert listed["uchitel"].password_login(NOW) == "пауза до 10:01"  # «Пользователи»
    refuse(w, "uchitel", PASSWORD, at=NOW + timedelta(seconds=30))
    assert (row(w, "uchitel").failed_attempts, row(w, "uchitel").locked_until) == (5, until)
    assert last_failure(w)["reason"] == "paused"
    assert sign_in(w, "uchitel", at=until).login == "uchitel"
    assert (row(w, "uchitel").failed_attempts, row(w, "uchitel").locked_until) == (0, None)


def test_after_100_failures_only_an_administrator_reopens_the_login(w: World) -> None:
    set_password(w.db, "uchitel", PASSWORD)
    with w.db.write() as s:
        user = s.exec(select(User).where(User.login == "uchitel")).one()
        user.failed_attempts = HARD_LOCK_FAILURES - 1
        s.add(user)
    refuse(w, "uchitel", "не тот пароль")
    with w.db.read() as s:
        locked = s.exec(select(AuditEvent).where(AuditEvent.action == "login.locked")).one()
    assert json.loads(locked.after or "{}") == {"attempts": HARD_LOCK_FAILURES}
    week_later = NOW + timedelta(days=7)
    refuse(w, "uchitel", PASSWORD, at=week_later)
    assert last_failure(w)["reason"] == "locked"
    listed = {u.login: u for u in users.list_users(w.db, w.admin.at(week_later))}
    assert listed["uchitel"].password_login(week_later) == "заблокирован"
    users.unlock(w.db, w.admin.at(week_later), w.teacher.user_id or 0)
    assert sign_in(w, "uchitel", at=week_later).login == "uchitel"


@pytest.mark.parametrize(
    ("free", "longest", "failures", "minutes"),
    [(0, 15, 50, 0), (5, 0, 50, 0), (5, 15, 4, 0), (5, 15, 5, 1), (5, 10**12, 99, 24 * 60)],
)
def test_pause_rules(free: int, longest: int, failures: int, minutes: int) -> None:
    """0 in either key: no pauses (``policy check`` warns); a huge longest pause is bounded
    to a day, so no date overflows and the lock after 100 still comes."""
    policy = replace(POLICY, max_failed_logins=free, lockout_minutes=longest)
    assert pause_after(policy, failures) == timedelta(minutes=minutes)


# --- reads check the live rights -----------------------------------------------------------


def test_a_withdrawn_role_stops_reads_at_once_004_1_7(w: World) -> None:
    """[004 §1.7] the school's summaries are for those whose work needs them: the deputy
    who is a deputy no more stops reading them in the session that is open, and, signed in
    again, reads by the roles they have now."""
    set_password(w.db, "zavuch", PASSWORD)
    deputy = sign_in(w, "zavuch")
    week = (TODAY - timedelta(days=7), TODAY)
    assert school_completeness(w.db, deputy, *week).rows
    users.set_roles(w.db, w.admin.at(NOW), w.deputy.user_id or 0, ["teacher"])
    with pytest.raises(PermissionDenied, match="Права учётной записи изменились"):
        school_completeness(w.db, deputy, *week)
    with pytest.raises(PermissionDenied, match="Права учётной записи изменились"):
        my_profile(w.db, deputy)
    again = sign_in(w, "zavuch")
    assert my_profile(w.db, again).roles == "Учитель"
    with pytest.raises(PermissionDenied):
        school_completeness(w.db, again, *week)


def test_a_disabled_account_reads_nothing_004_4_3(w: World) -> None:
    set_password(w.db, "uchitel", PASSWORD)
    teacher = sign_in(w, "uchitel")
    users.set_active(w.db, w.admin.at(NOW), w.teacher.user_id or 0, False)
    with pytest.raises(PermissionDenied, match="отключена"):
        my_lessons(w.db, teacher, TODAY)


def test_a_substitute_reads_only_the_lesson_they_took_while_they_hold_it_004_5(w: World):
    """[004 §5 «Учитель»] substituting opens that lesson, not the course's other lessons,
    and taking the substitution back closes it to the session that is open."""
    set_password(w.db, "drugoy", PASSWORD)
    colleague = sign_in(w, "drugoy")
    taken, other = w.lessons["later_today"], w.lessons["today"]
    with pytest.raises(PermissionDenied):
        lesson_card(w.db, colleague, taken)
    deputy = w.deputy.at(NOW)
    lessons.assign_substitute(w.db, deputy, taken, colleague.user_id)
    assert lesson_card(w.db, colleague, taken).lesson.id == taken
    assert taken in {v.id for v in my_lessons(w.db, colleague, TODAY)}
    with pytest.raises(PermissionDenied):
        lesson_card(w.db, colleague, other)
    lessons.assign_substitute(w.db, deputy, taken, None)
    with pytest.raises(PermissionDenied):
        lesson_card(w.db, colleague, taken)


def test_the_live_check_is_one_query(w: World) -> None:
    """Every read pays for it, so it stays one statement (user row, roles and a reported
    compromise together)."""
    set_password(w.db, "uchitel", PASSWORD)
    actor = sign_in(w, "uchitel")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with w.db.read() as s:
        s.connection()  # the transaction's own statements are not the check's
        event.listen(w.db.engine, "before_cursor_execute", count)
        try:
            assert live_refusal(s, actor) is None
        finally:
            event.remove(w.db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_concurrent_guesses_each_count(w: World) -> None:
    """Guesses sent at once are all counted (the user row is locked for the update on
    PostgreSQL; SQLite has one writer): parallel guessing does not outrun the pauses."""
    import threading

    set_password(w.db, "uchitel", PASSWORD)
    guesses = POLICY.max_failed_logins - 1
    barrier = threading.Barrier(guesses)

    def guess() -> None:
        barrier.wait()
        with pytest.raises(AuthError):
            auth.authenticate(w.db, "uchitel", "не тот пароль", now=NOW)

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert row(w, "uchitel").failed_attempts == guesses
