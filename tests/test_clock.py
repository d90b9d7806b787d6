"""The school's clock (issue 10): deadlines, locks, «today», lockouts and the audit are the
school's wall-clock time (the policy's ``[school] time_zone``), whatever the server's zone.

Every test here runs the process in UTC (``TZ=UTC``) with the school in Samara (UTC+4),
and fixes the moment through ``zhurnal.core.clock`` — the one place the time is read.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.conftest import cli_identity, make_db, set_password
from tests.school import World, build
from tests.ui import PASSWORD, settle, sign_in
from zhurnal.cli.main import main
from zhurnal.core import clock
from zhurnal.core.actor import Actor
from zhurnal.core.auth import authenticate
from zhurnal.core.db import Database
from zhurnal.core.errors import AuthError, DomainError, PolicyError
from zhurnal.core.models import AuditEvent, Lesson, User
from zhurnal.core.policy import load_preset, parse_policy, preset_names, preset_text, shown_text
from zhurnal.core.services.lessons import set_topic
from zhurnal.core.setup import install_policy
from zhurnal.core.uow import policy_of

SAMARA = "Europe/Samara"
MOSCOW_LINE = 'time_zone = "Europe/Moscow"'


def samara_text(preset: str = "004") -> str:
    text = preset_text(preset)
    assert MOSCOW_LINE in text
    return text.replace(MOSCOW_LINE, f'time_zone = "{SAMARA}"')


@pytest.fixture(autouse=True)
def utc_server() -> Iterator[None]:
    """The server's clock zone is UTC for the test; the process's TZ is restored after."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture
def at_utc(monkeypatch) -> Callable[[datetime], None]:
    """``at_utc(moment)``: the real clock stands at ``moment`` UTC (``datetime.now`` as
    ``core.clock`` reads it; the naive call gives the server's local time, as before)."""

    def freeze(moment: datetime) -> None:
        instant = moment.replace(tzinfo=UTC)

        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
                if tz is None:
                    return instant.astimezone().replace(tzinfo=None)
                return instant.astimezone(tz)

        monkeypatch.setattr(clock, "datetime", Frozen)

    return freeze


@pytest.fixture
def samara(tmp_path, fast_argon2) -> Iterator[World]:
    """The test school (tests/school.py, policy 004) in Samara, ``uchitel`` with a password."""
    db = make_db(tmp_path / "samara.db")
    with db.write() as s:
        install_policy(s, samara_text())
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    yield world
    db.dispose()


def sign(world: World, login: str = "uchitel") -> Actor:
    """A real login (no fixed moment): the actor reads the school's clock."""
    return authenticate(world.db, login, PASSWORD).actor


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


# --- the clock -----------------------------------------------------------------------------


def test_the_school_clock_is_the_schools_wall_time_on_a_utc_server(at_utc) -> None:
    at_utc(datetime(2026, 11, 22, 17, 30))
    assert time.localtime().tm_zone == "UTC"
    assert clock.school_now(SAMARA) == datetime(2026, 11, 22, 21, 30)
    assert clock.school_now() == datetime(2026, 11, 22, 20, 30)  # Moscow, the default
    assert Actor(1, "x", frozenset({"teacher"}), zone=SAMARA).now() == datetime(
        2026, 11, 22, 21, 30
    )
    fixed = datetime(2026, 11, 23, 10, 0)  # tests still fix the moment
    assert Actor(1, "x", frozenset(), now_override=fixed, zone=SAMARA).now() == fixed
    assert clock.utc_offset(SAMARA) == "UTC+4"


def test_today_turns_at_the_schools_midnight_not_the_servers(at_utc) -> None:
    at_utc(datetime(2026, 11, 22, 19, 59))
    assert clock.school_today(SAMARA) == date(2026, 11, 22)
    at_utc(datetime(2026, 11, 22, 20, 30))  # 00:30 in Samara, still the 22nd on the server
    assert clock.school_today(SAMARA) == date(2026, 11, 23)
    assert clock.school_now(SAMARA) == datetime(2026, 11, 23, 0, 30)


# --- deadlines and locks -------------------------------------------------------------------


def test_a_topic_entered_before_the_schools_midnight_is_in_time(samara, at_utc) -> None:
    """[004 §3.8] the topic is due within 2 days: the lesson of 20.11 is due by the end of
    22.11 on the school's clock; 23:30 in Samara (19:30 UTC) is in time."""
    at_utc(datetime(2026, 11, 22, 19, 30))
    view = set_topic(samara.db, sign(samara), samara.lessons["late"], "Дроби")
    assert view.entry_deadline == datetime(2026, 11, 22, 23, 59, 59)
    assert not view.topic_late


def test_a_topic_entered_after_the_schools_midnight_is_late(samara, at_utc) -> None:
    """[004 §3.8] by the server's clock (20:30 on 22.11) the 2-day deadline has not passed;
    by the school's (00:30 on 23.11) it has: the entry is flagged late, and the audit
    records the school's time."""
    at_utc(datetime(2026, 11, 22, 20, 30))
    view = set_topic(samara.db, sign(samara), samara.lessons["late"], "Дроби")
    assert view.topic_late
    assert datetime(2026, 11, 22, 20, 30) < view.entry_deadline  # the server's wall time
    assert [e.ts for e in events(samara.db, "lesson.topic")] == [datetime(2026, 11, 23, 0, 30)]


def test_the_edit_lock_falls_at_the_schools_midnight(samara, at_utc) -> None:
    """[004 §3.8] current entries lock 10 days after the lesson: the lesson of 09.11 is
    open through 19.11 and locked from 00:00 on 20.11 in Samara (20:00 UTC on 19.11)."""
    at_utc(datetime(2026, 11, 19, 19, 30))  # 23:30 in Samara: the last minutes
    view = set_topic(samara.db, sign(samara), samara.lessons["locked"], "Уравнения")
    assert not view.locked
    at_utc(datetime(2026, 11, 19, 20, 30))  # 00:30 on 20.11 in Samara, 20:30 on the server
    actor = sign(samara)
    with pytest.raises(DomainError) as refused:
        set_topic(samara.db, actor, samara.lessons["locked"], "Уравнения, задачи")
    assert "закрыты для изменений с 20.11.2026" in refused.value.message
    with samara.db.read() as s:
        assert s.get(Lesson, samara.lessons["locked"]).topic == "Уравнения"  # nothing written


# --- logins --------------------------------------------------------------------------------


def test_login_pause_is_kept_in_the_schools_time(samara, at_utc) -> None:
    """After 5 failures the password login pauses for a minute (004 [auth], core.throttle):
    the pause ends at the school's 21:31 (Samara), not the server's 17:31, and the login
    works again then by the same clock [issue 11]."""
    at_utc(datetime(2026, 11, 23, 17, 30))  # 21:30 in Samara
    for _ in range(5):
        with pytest.raises(AuthError):
            authenticate(samara.db, "uchitel", "не тот пароль")
    with samara.db.read() as s:
        user = s.exec(select(User).where(User.login == "uchitel")).one()
        assert user.locked_until == datetime(2026, 11, 23, 21, 31)
    at_utc(datetime(2026, 11, 23, 17, 30, 59))
    with pytest.raises(AuthError, match="временно ограничен"):
        authenticate(samara.db, "uchitel", PASSWORD)
    at_utc(datetime(2026, 11, 23, 17, 31))
    actor = authenticate(samara.db, "uchitel", PASSWORD).actor
    assert actor.zone == SAMARA and actor.since == datetime(2026, 11, 23, 21, 31)


def test_login_events_carry_the_schools_time(samara, at_utc) -> None:
    """[000 §6.1] logins are audited: their time is the school's (21:30), not the server's."""
    at_utc(datetime(2026, 11, 23, 17, 30))
    sign(samara)
    with pytest.raises(AuthError):
        authenticate(samara.db, "uchitel", "не тот пароль")
    assert [e.ts for e in events(samara.db, "login")] == [datetime(2026, 11, 23, 21, 30)]
    assert [e.ts for e in events(samara.db, "login.failed")] == [datetime(2026, 11, 23, 21, 30)]


def test_an_admins_recovery_carries_the_schools_time(samara, at_utc) -> None:
    """[000 §6.1] the recovery of an administrator's access is audited like a login: at the
    school's 21:30, not the server's 17:30 (the event and the account's «changed at»)."""
    from zhurnal.core.services.recovery import recover_admin

    at_utc(datetime(2026, 11, 23, 17, 30))
    recover_admin(samara.db, "os:zhurnal", "direktor")
    (event,) = events(samara.db, "user.recover")
    assert event.ts == datetime(2026, 11, 23, 21, 30)
    with samara.db.read() as s:
        user = s.exec(select(User).where(User.login == "direktor")).one()
        assert user.updated_at == datetime(2026, 11, 23, 21, 30)


# --- the register's «today» ------------------------------------------------------------------


async def test_the_timetable_opens_on_the_schools_today(samara, at_utc, monkeypatch) -> None:
    """At 20:30 UTC on Sunday 22.11 it is 00:30 on Monday 23.11 in Samara: a teacher who
    signs in sees Monday's lessons, not Sunday's."""
    from zhurnal.tui.app import make_app
    from zhurnal.tui.screens.timetable import TimetableScreen

    monkeypatch.setattr("zhurnal.tui.app.POLL_SECONDS", 3600.0)
    at_utc(datetime(2026, 11, 22, 20, 30))
    app = make_app(database=samara.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert app.screen.day == date(2026, 11, 23)
        assert app.now() == datetime(2026, 11, 23, 0, 30)


# --- the setting ---------------------------------------------------------------------------


def test_every_preset_names_the_schools_zone() -> None:
    zones = {name[:3]: load_preset(name).time_zone for name in preset_names()}
    assert zones["000"] == SAMARA  # Самарская область
    assert set(zones.values()) <= {SAMARA, "Europe/Moscow"}
    assert len(zones) == len(preset_names())


def test_a_policy_without_the_key_is_on_moscow_time() -> None:
    text = preset_text("004").replace(MOSCOW_LINE, "")
    policy = parse_policy(text)
    assert policy.time_zone == "Europe/Moscow"
    shown = shown_text(policy)  # what `policy show` prints names it, and reads back the same
    assert MOSCOW_LINE in shown and parse_policy(shown).time_zone == "Europe/Moscow"
    assert shown_text(load_preset("000")) == preset_text("000")
    bare = parse_policy(re.sub(r"\[school\].*?\n\n", "", preset_text("004"), flags=re.S))
    shown = shown_text(bare)  # no [school] table at all: appended
    assert shown.rstrip().endswith(MOSCOW_LINE) and parse_policy(shown).time_zone == "Europe/Moscow"


@pytest.mark.parametrize("zone", ["Europe/Samar", "UTC+4", "", "../etc/passwd", " Europe/Samara"])
def test_an_unknown_zone_is_refused_naming_an_example(zone) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy(preset_text("004").replace(MOSCOW_LINE, f'time_zone = "{zone}"'))
    message = refused.value.message
    assert "school.time_zone" in message and "Europe/Samara" in message
    assert "неизвестный часовой пояс" in message


def test_policy_set_changes_the_zone_audited_and_refuses_an_unknown_one(
    tmp_path, capsys, at_utc
) -> None:
    at_utc(datetime(2026, 11, 23, 17, 30))
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--policy", "004"]) == 0
    capsys.readouterr()
    school = Database.open(path)
    admin = cli_identity(school, "admin", tmp_path)  # policy set runs as the administrator
    school.dispose()
    bad = tmp_path / "bad.toml"
    bad.write_text(samara_text().replace(SAMARA, "Europe/Samar"), encoding="utf-8")
    assert main(["policy", "set", str(bad), "--db", str(path), *admin]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка:") and "Europe/Samar»" in err
    good = tmp_path / "samara.toml"
    good.write_text(samara_text(), encoding="utf-8")
    assert main(["policy", "set", str(good), "--db", str(path), *admin]) == 0
    assert "Часовой пояс школы: Europe/Moscow → Europe/Samara" in capsys.readouterr().out
    db = Database.open(path)
    with db.read() as s:
        assert policy_of(s).time_zone == SAMARA
    (init,) = events(db, "school.init")
    assert init.ts == datetime(2026, 11, 23, 20, 30)  # Moscow time when the school began
    (changed,) = events(db, "policy.set")  # the refused file wrote nothing
    assert changed.ts == datetime(2026, 11, 23, 20, 30)  # by the clock in force when set
    assert '"time_zone": "Europe/Samara"' in (changed.after or "")
    assert main(["policy", "show", "--db", str(path)]) == 0
    assert 'time_zone = "Europe/Samara"' in capsys.readouterr().out
    db.dispose()


def test_policy_check_names_the_zone(tmp_path, capsys) -> None:
    good = tmp_path / "samara.toml"
    good.write_text(preset_text("000"), encoding="utf-8")
    assert main(["policy", "check", str(good)]) == 0
    assert "Часовой пояс школы: Europe/Samara (UTC+4)" in capsys.readouterr().out.splitlines()
