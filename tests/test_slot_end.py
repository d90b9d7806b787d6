"""A weekly lesson taken out of the timetable from a date (issue 9): its empty lessons
from then on go, the held ones stay as they were; a slot that never applied goes whole;
the lessons created for a span say which ones clashed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests import test_timetable_admin
from tests.test_timetable_admin import TS, WED, lesson_on, run
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import Lesson, TimetableSlot
from zhurnal.core.services import lessons, slot_end, timetable


@pytest.fixture(name="ts")
def school(db) -> TS:
    """The school of tests/test_timetable_admin.py (5Б, 6А, 1А; NOW Monday 05.10.2026)."""
    return test_timetable_admin.ts.__wrapped__(db)


def tuesdays(ts: TS) -> list[date]:
    with ts.db.read() as s:
        rows = s.exec(select(Lesson.date).where(Lesson.course_id == ts.m5, Lesson.number == 2))
        return sorted(rows)


def test_ending_a_slot_keeps_held_lessons_and_removes_the_empty_ones(ts: TS) -> None:
    timetable.generate_lessons(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 24))
    assert tuesdays(ts) == [date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20)]
    held = lesson_on(ts.db, ts.m5, date(2026, 10, 13))
    assert held is not None
    with ts.db.write() as s:
        s.get(Lesson, held.id).topic = "Дроби"

    with pytest.raises(PermissionDenied):
        slot_end.end_slot(ts.db, ts.ivanova, ts.slot_m5, date(2026, 10, 13))
    done = slot_end.end_slot(ts.db, ts.deputy, ts.slot_m5, date(2026, 10, 13))
    assert (done.removed, done.slot_deleted) == (1, False)
    assert done.kept == ("13.10.2026, 2-й урок: есть записи (тема)",)
    assert tuesdays(ts) == [date(2026, 10, 6), date(2026, 10, 13)]
    with ts.db.read() as s:
        assert s.get(TimetableSlot, ts.slot_m5).valid_to == date(2026, 10, 12)
    made = timetable.generate(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 24))
    assert made.created == 0  # the slot no longer makes lessons after its last day


def test_a_slot_ended_on_its_first_day_goes_whole_and_the_cli_twin(ts: TS, capsys) -> None:
    slot = timetable.add_slot(ts.db, ts.deputy, ts.m6, WED, 1, "21", date(2026, 10, 14))
    assert run(ts, "end", str(slot.id), "--from", "14.10.2026", "--as", "zavuch") == 0
    assert "убран из расписания" in capsys.readouterr().out
    with ts.db.read() as s:
        assert s.get(TimetableSlot, slot.id) is None
    assert run(ts, "end", str(ts.slot_m5), "--from", "20.10.2026", "--as", "ivanova") == 2
    assert "заместитель директора" in capsys.readouterr().err.lower()


def test_generate_names_the_lessons_not_created(ts: TS) -> None:
    """Иванова substitutes in 6А on Tue 06.10 at the 2nd lesson: 5Б's lesson is not made."""
    with ts.db.write() as s:
        s.add(Lesson(course_id=ts.r6, date=date(2026, 10, 6), number=2, room="20"))
    r6 = lesson_on(ts.db, ts.r6, date(2026, 10, 6))
    assert r6 is not None
    lessons.assign_substitute(ts.db, ts.deputy, r6.id, ts.ivanova.user_id)
    made = timetable.generate(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 11))
    assert made.not_created == (
        "5Б Математика, 06.10.2026: Учитель Иванова А. П. уже ведёт 6А Русский язык во "
        "вторник 06.10.2026 2-м уроком (каб. 20).",
    )
