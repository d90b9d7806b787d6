"""The deadlines the policy format gained, enforced on the register (both engines).

A written work's marks are due on the day its checking ends [002 §2.5]; a work type may
have its own entry days; period marks are due on the period's last day [004 §3.9,
002 §2.7] and «Заполнение журнала» reports those still missing after it and those
entered late; the regulation's other deadlines fall due on the days of the school year.
The small school of ``tests/school.py``: now is Monday 23.11.2026 10:00, lesson "late"
was on Friday 20.11, 2 четверть ends on Monday 28.12.2026.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.school import NOW, World, build
from zhurnal.core.policy import preset_text
from zhurnal.core.readmodels.completeness import CompletenessRow, class_completeness
from zhurnal.core.readmodels.deadlines import school_deadlines
from zhurnal.core.readmodels.lessons import my_lessons
from zhurnal.core.services import marks
from zhurnal.core.setup import install_policy

Q2_START, Q2_END = date(2026, 11, 5), date(2026, 12, 28)


@pytest.fixture
def w(db) -> World:
    return build(db)


def _install(w: World, text: str) -> None:
    with w.db.write() as s:
        install_policy(s, text)


def _variant(preset: str, old: str, new: str) -> str:
    text = preset_text(preset)
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _mark(w: World, when: datetime, student: int, work_type: str, lesson: str = "late"):
    return marks.set_lesson_mark(
        w.db, w.teacher.at(when), w.lessons[lesson], w.students5[student], work_type, "4"
    )


# --- marks ---------------------------------------------------------------------------------


def test_002_written_work_marks_due_on_the_day_checking_ends_002_2_5(w: World) -> None:
    """[002 §2.5] «Оценки за письменную работу выставляются … в день завершения проверки»:
    the test written on Friday and checked by Monday is not late on Monday (the day its
    first mark goes in); a mark of the same work entered on Tuesday is."""
    _install(w, preset_text("002"))
    assert _mark(w, NOW, 0, "test").late is False
    assert _mark(w, datetime(2026, 11, 23, 18, 0), 1, "test").late is False
    assert _mark(w, datetime(2026, 11, 24, 9, 0), 2, "test").late is True


def test_002_answer_in_class_still_due_on_the_lesson_day_002_2_5(w: World) -> None:
    """[002 §2.5] a mark «за урок» is due «во время проведения урока или в течение
    текущего учебного дня»: only written works wait for their checking."""
    _install(w, preset_text("002"))
    assert _mark(w, NOW, 0, "answer").late is True
    assert _mark(w, NOW, 0, "answer", lesson="today").late is False


def test_004_written_work_due_with_the_lesson_004_3_8(w: World) -> None:
    """[004 §3.8] gives every current mark two days, written works too: Friday's test
    marked on Monday is late there."""
    assert _mark(w, NOW, 0, "test").late is True


def test_a_work_type_with_its_own_entry_days_is_due_then(w: World) -> None:
    """``work_types.entry_days``: an essay due 5 days after the lesson is in time on the
    third day, while the answer of the same lesson (2 days [004 §3.8]) is late."""
    _install(
        w,
        _variant(
            "004", 'weight = 2\nlock = "written"', 'weight = 2\nlock = "written"\nentry_days = 5'
        ),
    )
    assert _mark(w, NOW, 0, "essay").late is False
    assert _mark(w, NOW, 0, "answer").late is True


# --- period marks ----------------------------------------------------------------------------


def _row(w: World, when: datetime) -> CompletenessRow:
    c = class_completeness(w.db, w.deputy.at(when), w.class5, Q2_START, Q2_END)
    return next(r for r in c.rows if r.course_id == w.course5)


def test_period_marks_missing_after_the_period_end_are_overdue_004_3_9(w: World) -> None:
    """[004 §3.9] quarter marks «должны быть выставлены … в день окончания» of the
    quarter: on its last day nothing is overdue yet; the next morning every student of
    5А without one is, and one given on the last day takes its student off."""
    assert _row(w, datetime(2026, 12, 28, 20, 0)).period_marks_overdue == 0
    marks.set_period_mark(
        w.db, w.teacher.at(datetime(2026, 12, 28, 12, 0)), w.course5, w.students5[0], w.q2, "4"
    )
    row = _row(w, datetime(2026, 12, 29, 9, 0))
    assert (row.period_marks_overdue, row.late) == (2, 0)
    c = class_completeness(
        w.db, w.deputy.at(datetime(2026, 12, 29, 9, 0)), w.class5, Q2_START, Q2_END
    )
    assert c.total.period_marks_overdue == 2


def test_period_mark_after_its_deadline_counts_late_004_3_9_vs_6_3(w: World) -> None:
    """Under [004 §6.3]'s lock five days after the period, a quarter mark set on the
    second day after it is accepted but late against [004 §3.9]'s «в день окончания»."""
    _install(
        w,
        _variant(
            "004",
            'period_marks = "period_end"\nperiod_marks_days = 0',
            'period_marks = "days_after"\nperiod_marks_days = 5',
        ),
    )
    when = datetime(2026, 12, 30, 10, 0)
    marks.set_period_mark(w.db, w.teacher.at(when), w.course5, w.students5[0], w.q2, "5")
    row = _row(w, when)
    assert (row.period_marks_overdue, row.late) == (2, 1)


def test_without_a_period_mark_deadline_they_are_due_by_the_lock(w: World) -> None:
    """A policy without ``deadlines.period_marks_due_days`` (stored before the key): the
    period marks are due until their lock — five days after the period here."""
    text = _variant(
        "004",
        'period_marks = "period_end"\nperiod_marks_days = 0',
        'period_marks = "days_after"\nperiod_marks_days = 5',
    )
    _install(w, text.replace("period_marks_due_days = 0\n", ""))
    assert _row(w, datetime(2027, 1, 2, 23, 0)).period_marks_overdue == 0
    assert _row(w, datetime(2027, 1, 3, 0, 1)).period_marks_overdue == 3


# --- the regulation's other deadlines ------------------------------------------------------


def _due(w: World, today: date) -> dict[str, date | None]:
    with w.db.read() as s:
        return {r.what: r.next_due for r in school_deadlines(s, today)}


def test_004_duties_fall_due_on_the_days_of_the_school_year_004_5_8(w: World) -> None:
    """[004 §5, §8.2, §8.5] seen on Monday 23.11.2026 in 2 четверть (05.11–28.12)."""
    due = _due(w, NOW.date())
    assert due["Списки классов (контингент) внесены в журнал"] == date(2026, 9, 5)
    assert due["Изменения в составе учащихся внесены"] == date(2026, 11, 29)
    assert due["Календарно-тематические планы составлены"] == date(2026, 9, 1)
    assert due["Деление классов на подгруппы"] == Q2_START
    assert due["Контроль заполнения журнала учителями класса"] == NOW.date()
    assert due["«Пропуски по классам»"] == Q2_END
    assert due["Контроль ведения журнала"] == date(2026, 11, 30)
    assert due["Журнал распечатан, скреплён, заверен подписью директора и печатью"] == date(
        2027, 5, 31
    )
    assert due["Тема урока, текущие отметки, посещаемость"] is None  # not a duty


def test_002_summary_sheets_by_30_june_after_the_year_002_3(w: World) -> None:
    """[002 §3] «не позднее 30 июня» of the year ending; [002 §2.2] «до 5 сентября» of the
    year beginning."""
    _install(w, preset_text("002"))
    due = _due(w, NOW.date())
    assert due["Сводные ведомости успеваемости выведены на печать, прошиты, заверены"] == date(
        2027, 6, 30
    )
    assert due["Разделы учебного года в журнале (периоды, классы, предметы, нагрузка)"] == date(
        2026, 9, 5
    )


def test_the_lesson_says_when_written_work_marks_are_due_002_2_5(w: World) -> None:
    """The lesson card's deadline line names the written works' own deadline where the
    policy has one [002 §2.5], and nothing of the kind under [004 §3.8]."""
    assert {v.checked_due for v in my_lessons(w.db, w.teacher.at(NOW), NOW.date())} == {""}
    _install(w, preset_text("002"))
    views = my_lessons(w.db, w.teacher.at(NOW), NOW.date())
    assert views and {v.checked_due for v in views} == {
        "отметки за письменные работы — в день окончания проверки [002 §2.5]"
    }
