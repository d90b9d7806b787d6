"""Every deadline of every regulation in its preset, and the policy keys that state them.

Each preset test lists what its regulation's text says, clause by clause
(shared/regulations/NNN_*.txt); the format tests check the new keys' validation
(Russian messages naming the key) and that an older policy text still loads.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from zhurnal.cli.main import main
from zhurnal.core.calendar import Calendar
from zhurnal.core.errors import PolicyError
from zhurnal.core.policy import Duty, load_preset, parse_policy, preset_text
from zhurnal.core.policy_check import CONTRADICTION, GAP, check
from zhurnal.core.readmodels.deadlines import format_deadlines, policy_deadlines
from zhurnal.core.rules import duty_due, mark_deadline, period_mark_due_at

CAL = Calendar()


def schedule(number: str) -> set[tuple[str, str, tuple[str, ...]]]:
    """(clause, ``every`` / ``at`` / «ДД.ММ», who) of each of a preset's duties."""
    out = set()
    for d in load_preset(number).duties:
        when = d.every or d.at or (f"{d.by[0]:02d}.{d.by[1]:02d}" if d.by else "")
        out.add((d.clause, when, d.who))
    assert len(out) == len(load_preset(number).duties)  # no two alike
    return out


# --- 000 -------------------------------------------------------------------------------------


def test_000_marks_and_attendance_daily_000_5_2_3() -> None:
    """[000 §5.2.3] «ежедневное … заполнение оценок успеваемости и отметок о посещаемости»;
    the regulation sets no period-mark deadline (a gap)."""
    p = load_preset("000")
    assert (p.entry_days, p.sources["deadlines.entry_days"]) == (0, "000 §5.2.3")
    assert p.period_marks_due_days is None
    assert all(w.due == "lesson" for w in p.work_types)


def test_000_checks_reports_and_archive_000_5_2_2_5_2_5_6_1_6_3() -> None:
    """[000 §5.2.2] the deputy checks monthly and archives every half-year; [000 §5.2.5]
    the class teacher checks weekly and fixes remarks after each period; [000 §6.1] the
    activity report weekly; [000 §6.2] completeness monthly and per period; [000 §6.3]
    progress and attendance at the end of periods and of the year."""
    assert schedule("000") == {
        ("000 §5.2.2", "month", ("deputy",)),
        ("000 §5.2.2", "half_year", ("deputy",)),
        ("000 §5.2.5", "week", ("class_teacher",)),
        ("000 §5.2.5", "period_end", ("class_teacher",)),
        ("000 §6.1", "week", ()),
        ("000 §6.2", "month", ()),
        ("000 §6.2", "period_end", ()),
        ("000 §6.3", "period_end", ()),
        ("000 §6.3", "year_end", ()),
    }


# --- 001 -------------------------------------------------------------------------------------


def test_001_states_no_deadline_001_3() -> None:
    """[001] sets roles and access only: no entry term, no check frequency, no report
    date — no duty, and every deadline key is a gap."""
    p = load_preset("001")
    assert p.duties == ()
    gaps = {f.key for f in check(p) if f.kind == GAP}
    assert {"deadlines.entry_days", "deadlines.period_marks_due_days"} <= gaps


# --- 002 -------------------------------------------------------------------------------------


def test_002_written_work_marks_due_on_the_day_checking_ends_002_2_5() -> None:
    """[002 §2.5] marks «за письменную работу … в день завершения проверки письменных
    работ»; a mark for the lesson (an answer, homework) during the lesson or the same
    day; attendance daily."""
    p = load_preset("002")
    due = {w.code: (w.due, w.entry_days) for w in p.work_types}
    assert due == {
        "answer": ("lesson", None),
        "homework": ("lesson", None),
        "independent": ("checked", None),
        "practical": ("checked", None),
        "test": ("checked", None),
        "essay": ("checked", None),
    }
    assert (p.entry_days, p.sources["deadlines.entry_days"]) == (0, "002 §2.5")
    assert p.sources["work_types.due"] == "002 §2.5"
    assert "work_types.due" not in {f.key for f in check(p) if f.kind == GAP}


def test_002_homework_within_1_5_hours_002_2_6() -> None:
    p = load_preset("002")
    assert (p.homework_hours, p.sources["deadlines.homework_hours"]) == (1.5, "002 §2.6")


def test_002_period_marks_in_the_last_week_before_the_holidays_002_2_7() -> None:
    """[002 §2.7] «в течение последней недели каждого учебного периода до начала
    каникулярного периода»: open 6 days before the end, due and locked on the last day."""
    p = load_preset("002")
    assert (p.period_mark_open_days, p.period_marks_due_days, p.period_mark_lock) == (
        6,
        0,
        "period_end",
    )
    assert p.sources["deadlines.period_marks_due_days"] == "002 §2.7"


def test_002_year_sections_by_5_september_and_summary_sheets_by_30_june_002_2_2_3() -> None:
    """[002 §2.2] the administration forms the year «в срок до 5 сентября»; [002 §3] the
    summary sheets are printed «не позднее 30 июня»."""
    assert schedule("002") == {
        ("002 §2.2", "05.09", ("director", "deputy")),
        ("002 §3", "30.06", ("director",)),
    }


# --- 003 -------------------------------------------------------------------------------------


def test_003_weekly_filling_against_daily_marks_003_5_1_vs_7() -> None:
    """[003 §5.1] «не реже одного раза в неделю» against [003 §7] «ежедневное … заполнение
    оценок»: the preset keeps 7 days and reports the other clause."""
    p = load_preset("003")
    assert (p.entry_days, p.sources["deadlines.entry_days"]) == (7, "003 §5.1")
    found = {f.key for f in check(p) if f.kind == CONTRADICTION}
    assert found == {"deadlines.entry_days"}


def test_003_checks_archive_and_reports_003_6_8() -> None:
    """[003 §6.2] monthly control; [003 §6.3] the thorough check at each quarter's end;
    [003 §6.5] the archive at each year's end; [003 §8] the activity report weekly,
    progress every quarter and at the year's end."""
    assert schedule("003") == {
        ("003 §6.2", "month", ("deputy",)),
        ("003 §6.3", "period_end", ("deputy",)),
        ("003 §6.5", "year_end", ()),
        ("003 §8", "week", ()),
        ("003 §8", "period_end", ()),
        ("003 §8", "year_end", ()),
    }


# --- 004 -------------------------------------------------------------------------------------


def test_004_entry_and_locks_004_3_8() -> None:
    """[004 §3.8] two days to enter; 10 days for current marks, 7 for practical, 10 for
    written works; period marks locked at the period's end."""
    p = load_preset("004")
    assert (p.entry_days, p.lock_current_days, p.lock_practical_days, p.lock_written_days) == (
        2,
        10,
        7,
        10,
    )
    assert all(w.due == "lesson" for w in p.work_types)


def test_004_period_marks_due_on_the_period_end_day_004_3_9() -> None:
    """[004 §3.9] «в день окончания соответствующего периода»."""
    p = load_preset("004")
    assert (p.period_marks_due_days, p.sources["deadlines.period_marks_due_days"]) == (
        0,
        "004 §3.9",
    )
    assert period_mark_due_at(p, CAL, date(2026, 12, 28)) == datetime(2026, 12, 28, 23, 59, 59)


def test_004_absence_reasons_within_2_working_days_004_3_7() -> None:
    p = load_preset("004")
    assert (p.ct_absence_reason_working_days, p.sources["class_teacher.absence_reason"]) == (
        2,
        "004 §3.7",
    )


def test_004_duties_004_5_8() -> None:
    """[004 §5] the secretary: class lists by 5 September, changes weekly; the teacher: the
    КТП before the year; the deputy: subgroups at each period's start, reports at its
    end; the administrator: personal data monthly; the class teacher: daily control,
    «Пропуски по классам» each quarter. [004 §8.2] monthly control, [004 §8.3] the
    thorough check at each period's end, [004 §8.5] printed once a year."""
    assert schedule("004") == {
        ("004 §5", "05.09", ("secretary",)),
        ("004 §5", "week", ("secretary",)),
        ("004 §5", "year_start", ("teacher",)),
        ("004 §5", "period_start", ("deputy",)),
        ("004 §5", "month", ("admin",)),
        ("004 §5", "day", ("class_teacher",)),
        ("004 §5", "period", ("class_teacher",)),
        ("004 §5", "period_end", ("deputy",)),
        ("004 §8.2", "month", ("director", "deputy")),
        ("004 §8.3", "period_end", ("director", "deputy")),
        ("004 §8.5", "year", ("director",)),
    }


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_deadline_row_cites_its_own_regulation(number: str) -> None:
    """«Сроки положения»: every row's clause is the preset's own regulation or a gap."""
    rows = policy_deadlines(load_preset(number))
    assert rows and all(r.clause == "" or r.clause.startswith(f"{number} §") for r in rows)
    text = format_deadlines(rows)
    assert text.count("\n") == len(rows) - 1


# --- the rules ---------------------------------------------------------------------------------


def test_checked_work_due_on_its_first_mark_day_002_2_5() -> None:
    p = load_preset("002")
    lesson = date(2026, 11, 20)
    assert mark_deadline(p, CAL, lesson, "test", None) == datetime.max
    assert mark_deadline(p, CAL, lesson, "test", date(2026, 11, 23)) == datetime(
        2026, 11, 23, 23, 59, 59
    )
    assert mark_deadline(p, CAL, lesson, "answer", date(2026, 11, 23)) == datetime(
        2026, 11, 20, 23, 59, 59
    )


YEAR = (date(2026, 9, 1), date(2027, 5, 31))
PERIODS = [(date(2026, 9, 1), date(2026, 10, 24)), (date(2026, 11, 5), date(2026, 12, 28))]


@pytest.mark.parametrize(
    "duty, today, expected",
    [
        (Duty("x", "", every="month"), date(2026, 12, 5), date(2026, 12, 31)),
        (Duty("x", "", every="week"), date(2026, 11, 29), date(2026, 11, 29)),
        (Duty("x", "", every="half_year"), date(2027, 2, 1), date(2027, 6, 30)),
        (Duty("x", "", every="period"), date(2026, 10, 30), date(2026, 12, 28)),
        (Duty("x", "", every="period"), date(2027, 1, 11), None),
        (Duty("x", "", at="period_start"), date(2026, 10, 30), date(2026, 11, 5)),
        (Duty("x", "", by=(30, 6)), date(2026, 9, 2), date(2027, 6, 30)),
        (Duty("x", "", by=(5, 9)), date(2027, 3, 1), date(2026, 9, 5)),
    ],
    ids=[
        "month-dec",
        "week-sunday",
        "half-year",
        "period",
        "no-period",
        "next-start",
        "june",
        "sep",
    ],
)
def test_duty_due(duty: Duty, today: date, expected: date | None) -> None:
    assert duty_due(duty, today, YEAR, PERIODS) == expected


# --- the format ----------------------------------------------------------------------------------

BASE = preset_text("004")
OLD = BASE.split("# The regulation's deadlines outside a lesson")[0]
"""The 004 preset without its duties (nor its alternatives)."""


def _with(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


ESSAY = 'weight = 2\nlock = "written"'
DUTY = '[[duties]]\nwhat = "Проверка"\nclause = "004 §8.2"\nevery = "month"\n'


@pytest.mark.parametrize(
    "text, fragment",
    [
        (_with(ESSAY, ESSAY + '\ndue = "later"'), "«work_types[5].due»: «later» — допустимо"),
        (_with(ESSAY, ESSAY + "\nentry_days = -1"), "«work_types[5].entry_days»: срок в днях"),
        (_with(ESSAY, ESSAY + '\nentry_days = "2"'), "«entry_days»: неверный тип"),
        (_with(ESSAY, ESSAY + "\nentry_days = 10000"), "от 0 до 366"),
        (
            _with("period_marks_due_days = 0", "period_marks_due_days = -1"),
            "«deadlines.period_marks_due_days»: срок в днях",
        ),
        (
            _with("period_marks_due_days = 0", "period_marks_due_days = 1.5"),
            "неверный тип",
        ),
        ("duties = [1]\n" + OLD, "«duties[0]» должен быть таблицей"),
        (BASE.replace("[[duties]]", "[[duties]]\nwhen = 1", 1), "неизвестные поля when"),
        (BASE + '\n[[duties]]\nclause = "x"\nevery = "week"\n', "нет обязательного ключа «what»"),
        (BASE + DUTY.replace('every = "month"', 'every = "fortnight"'), "«fortnight» — допустимо"),
        (BASE + DUTY + 'at = "year_end"\n', "ровно одно из every, at, by"),
        (BASE + DUTY.replace('every = "month"\n', ""), "ровно одно из every, at, by"),
        (BASE + DUTY.replace('every = "month"', 'by = "31.02"'), "«31.02» — не день года"),
        (BASE + DUTY.replace('every = "month"', 'by = "2027-06-30"'), "нужно «ДД.ММ»"),
        (BASE + DUTY + 'who = ["parent"]\n', "«parent» — допустимо: admin"),
        (BASE + DUTY.replace('"Проверка"', '""'), "нужно описание обязанности"),
    ],
    ids=[
        "due-unknown",
        "entry-negative",
        "entry-string",
        "entry-huge",
        "period-due-negative",
        "period-due-float",
        "duty-not-table",
        "duty-unknown-field",
        "duty-no-what",
        "duty-bad-every",
        "duty-two-schedules",
        "duty-no-schedule",
        "duty-impossible-day",
        "duty-iso-day",
        "duty-bad-role",
        "duty-empty-what",
    ],
)
def test_new_keys_are_validated_in_russian(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert fragment in caught.value.message


def test_a_policy_stored_before_the_new_keys_loads_with_the_old_behaviour() -> None:
    """Without ``due``, ``entry_days`` on work types, ``period_marks_due_days`` and
    ``[[duties]]``: every mark due with the lesson, period marks by their lock, no duty."""
    text = OLD.replace("period_marks_due_days = 0\n", "")
    p = parse_policy(text)
    assert p.duties == () and p.period_marks_due_days is None
    assert all((w.due, w.entry_days) == ("lesson", None) for w in p.work_types)
    assert period_mark_due_at(p, CAL, date(2026, 12, 28)) == datetime(2026, 12, 28, 23, 59, 59)


@pytest.mark.parametrize(
    "text, key, fragment",
    [
        (_with(ESSAY, ESSAY + "\nentry_days = 11"), "work_types.due", "«Сочинение»: срок записи"),
        (
            _with("period_marks_due_days = 0", "period_marks_due_days = 3"),
            "deadlines.period_marks_due_days",
            "срок наступает после запрета",
        ),
    ],
    ids=["work-type-after-its-lock", "period-marks-due-after-their-lock"],
)
def test_a_deadline_after_its_lock_is_a_contradiction(text: str, key: str, fragment: str) -> None:
    found = [f for f in check(parse_policy(text)) if f.kind == CONTRADICTION and f.key == key]
    assert found and fragment in found[0].message


def test_cli_policy_deadlines_prints_a_files_deadlines(tmp_path, capsys) -> None:
    path = tmp_path / "002.toml"
    path.write_text(preset_text("002"), encoding="utf-8")
    assert main(["policy", "deadlines", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Отметки: Контрольная работа (учитель): в день окончания проверки" in out
    assert "(директор): до 30.06 [002 §3]" in out


def test_cli_policy_deadlines_refuses_a_file_that_is_not_a_policy(tmp_path, capsys) -> None:
    """A bad rules file is bad input: a Russian message naming the key, exit 2 (as every
    other refused file), no traceback."""
    path = tmp_path / "rules.toml"
    path.write_text("[locks]\ncurrent_days = -1\n", encoding="utf-8")
    assert main(["policy", "deadlines", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка:") and "«work_types»" in err and "Traceback" not in err
