"""One decision, carried in the read models: what a screen shows (``why_not``) is the very
message the command raises, for each kind of refusal (tests/school.py's school, Monday
23.11.2026 10:00, policy 004)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlmodel import func, select

from tests.school import NOW, Q2_LAST_WEEK, World, build
from zhurnal.core import readmodels
from zhurnal.core.errors import DomainError, LockedError, PermissionDenied
from zhurnal.core.models import AuditEvent, Enrolment, Period, Setting
from zhurnal.core.policy import preset_text
from zhurnal.core.services import lessons, marks
from zhurnal.core.setup import install_policy


@pytest.fixture
def w(db) -> World:
    return build(db)


def refusal(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def column_of(gb: readmodels.Gradebook, lesson_id: int) -> readmodels.Column:
    return next(c for c in gb.columns if c.lesson_id == lesson_id)


def events(w: World) -> int:
    with w.db.read() as s:
        return s.exec(select(func.count()).select_from(AuditEvent)).one()


# --- a lesson's text and attendance -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "key", "kind"),
    [
        ("ct", "today", PermissionDenied),  # the class teacher reads, does not write
        ("deputy", "today", PermissionDenied),  # so does the deputy without a correction
        ("teacher", "locked", LockedError),  # 10 days after the lesson [004 §3.8]
    ],
)
def test_topic_homework_refusal_is_the_cards(w: World, who: str, key: str, kind: type) -> None:
    actor = getattr(w, who).at(NOW)
    card = readmodels.lesson_card(w.db, actor, w.lessons[key])
    assert not card.lesson.text_editable
    for write in (
        lambda: lessons.set_topic(w.db, actor, w.lessons[key], "Дроби"),
        lambda: lessons.set_homework(w.db, actor, w.lessons[key], "№ 1"),
    ):
        error = refusal(write)
        assert isinstance(error, kind) and error.message == card.lesson.text_why_not


@pytest.mark.parametrize(
    ("who", "key", "fragment"),
    [
        ("ct", "today", "Только просмотр: урок ведёт Учителева Мария Ивановна."),
        ("teacher", "locked", "отметки посещаемости закрыты для изменений с 20.11.2026 [004 §3.8]"),
        ("teacher", "tomorrow", "«вперёд»: урок начнётся 24.11.2026 08:30 [004 §3.8]"),  # §3.8
    ],
)
def test_attendance_refusal_is_the_cards(w: World, who: str, key: str, fragment: str) -> None:
    actor = getattr(w, who).at(NOW)
    lesson = readmodels.lesson_card(w.db, actor, w.lessons[key]).lesson
    assert fragment in lesson.attendance_why_not and not lesson.attendance_editable
    student = w.students5[0]
    for write in (
        lambda: lessons.set_absence(w.db, actor, w.lessons[key], student, "Н"),
        lambda: lessons.mark_all_present(w.db, actor, w.lessons[key]),
    ):
        assert refusal(write).message == lesson.attendance_why_not


def test_a_lesson_not_started_keeps_its_topic_open(w: World) -> None:
    """Topics may be written ahead; attendance and marks may not [004 §3.8]."""
    lesson = readmodels.lesson_card(w.db, w.teacher.at(NOW), w.lessons["tomorrow"]).lesson
    assert lesson.text_editable and not lesson.attendance_editable
    assert lessons.set_topic(w.db, w.teacher.at(NOW), w.lessons["tomorrow"], "Дроби").topic


def test_the_days_lessons_carry_the_same_decisions(w: World) -> None:
    day = readmodels.my_lessons(w.db, w.teacher.at(NOW), date(2026, 11, 9))
    assert [v.id for v in day] == [w.lessons["locked"]]
    card = readmodels.lesson_card(w.db, w.teacher.at(NOW), w.lessons["locked"])
    assert day[0] == card.lesson
    assert day[0].locked and day[0].overdue and not day[0].substitute


# --- grade 1 ----------------------------------------------------------------------------------


def test_grade_1_refusal_is_the_same_everywhere_004_3_5(w: World) -> None:
    """[004 §3.5] no marks and no work types in grade 1: card, grid and commands agree."""
    t = w.primary.at(NOW)
    lesson = readmodels.lesson_card(w.db, t, w.lessons["g1_today"]).lesson
    gb = readmodels.load_gradebook(w.db, t, w.course1, w.q2)
    message = "В 1-м классе отметки не ставятся [004 §3.5]."
    assert lesson.marks_why_not == lesson.work_types_why_not == gb.no_marks_reason == message
    column = column_of(gb, w.lessons["g1_today"])
    assert gb.cell_why_not(w.students1[0], column.index) == message
    assert (
        refusal(
            lambda: marks.set_lesson_mark(
                w.db, t, w.lessons["g1_today"], w.students1[0], "answer", "5"
            )
        ).message
        == message
    )
    assert (
        refusal(lambda: marks.add_assignment(w.db, t, w.lessons["g1_today"], "test")).message
        == message
    )
    assert lesson.forced_homework == "нет"
    assert (
        refusal(lambda: lessons.set_homework(w.db, t, w.lessons["g1_today"], "№ 5")).message
        == lesson.forced_homework_why
    )


# --- the grid: columns, cells, values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "key"),
    [
        ("ct", "today"),  # another teacher's lesson
        ("teacher", "locked"),  # the lock [004 §3.8]
        ("teacher", "tomorrow"),  # «вперёд» [004 §3.8]
    ],
)
def test_column_refusal_is_the_services(w: World, who: str, key: str) -> None:
    actor = getattr(w, who).at(NOW)
    gb = readmodels.load_gradebook(w.db, actor, w.course5, w.q2)
    column = column_of(gb, w.lessons[key])
    student = w.students5[0]
    assert not column.editable and column.why_not
    assert gb.cell_why_not(student, column.index) == column.why_not
    error = refusal(
        lambda: marks.set_lesson_mark(
            w.db, actor, w.lessons[key], student, column.work_type_code, "5"
        )
    )
    assert error.message == column.why_not


def test_outside_the_stay_refusal_is_the_services(w: World) -> None:
    """A student who left the class on 20.11: today's cell is closed, with the same text."""
    gone = w.students5[2]
    with w.db.write() as s:
        enrolment = s.exec(select(Enrolment).where(Enrolment.student_id == gone)).one()
        enrolment.end = date(2026, 11, 20)
        s.add(enrolment)
    t = w.teacher.at(NOW)
    gb = readmodels.load_gradebook(w.db, t, w.course5, w.q2)
    column = column_of(gb, w.lessons["today"])
    assert column.editable
    why = gb.cell_why_not(gone, column.index)
    assert why == "Васильев Василий не числится в 5А на 23.11.2026."
    assert (
        refusal(
            lambda: marks.set_lesson_mark(w.db, t, w.lessons["today"], gone, "answer", "4")
        ).message
        == why
    )
    assert (
        refusal(lambda: lessons.set_absence(w.db, t, w.lessons["today"], gone, "Н")).message == why
    )
    assert gb.cell_why_not(gone, column_of(gb, w.lessons["late"]).index) == ""


def test_absent_student_and_an_answer_refusal_is_the_services(w: World) -> None:
    """An answer in class for a student marked «Н»: the cell says why before a key is hit."""
    t = w.teacher.at(NOW)
    absent = w.students5[1]
    lessons.set_absence(w.db, t, w.lessons["today"], absent, "Н")
    gb = readmodels.load_gradebook(w.db, t, w.course5, w.q2)
    column = column_of(gb, w.lessons["today"])
    why = gb.cell_why_not(absent, column.index)
    assert why == "Борисова Белла не был(а) на уроке («Н»): за «Ответ на уроке» отметку не ставят."
    assert gb.cell_why_not(w.students5[0], column.index) == ""
    before = events(w)
    assert (
        refusal(
            lambda: marks.set_lesson_mark(w.db, t, w.lessons["today"], absent, "answer", "5")
        ).message
        == why
    )
    assert events(w) == before  # refused: nothing written, not even the assignment


def test_absence_over_an_answer_refusal_is_the_attendance_lists(w: World) -> None:
    t = w.teacher.at(NOW)
    student = w.students5[0]
    marks.set_lesson_mark(w.db, t, w.lessons["today"], student, "answer", "5")
    rows = {r.student_id: r for r in readmodels.lesson_attendance(w.db, t, w.lessons["today"])}
    why = rows[student].absent_why_not
    assert why == (
        "У Антонов Антон «5» за «Ответ на уроке»: отсутствие на всём уроке не "
        "отметить. Сотрите отметку или поставьте «ОП»."
    )
    assert rows[student].code_why_not("Б") == why and rows[student].code_why_not("ОП") == ""
    assert rows[w.students5[1]].absent_why_not == ""
    for code in ("Н", "Б", "УП"):
        assert (
            refusal(
                lambda c=code: lessons.set_absence(w.db, t, w.lessons["today"], student, c)
            ).message
            == why
        )


def test_debt_mark_not_in_the_policy_refusal_is_the_services(w: World) -> None:
    """004 has no «точка»: the grid refuses the key «.» with the service's text."""
    t = w.teacher.at(NOW)
    gb = readmodels.load_gradebook(w.db, t, w.course5, w.q2)
    why = gb.value_why_not(".")
    assert why == "Отметки «точка» нет в шкале школы: 5, 4, 3, 2, 1."
    assert gb.value_why_not("5") == "" and gb.mark_value("5") == "5"
    assert (
        refusal(
            lambda: marks.set_lesson_mark(
                w.db, t, w.lessons["today"], w.students5[0], "answer", "."
            )
        ).message
        == why
    )


def test_debt_mark_where_the_policy_has_one(w: World) -> None:
    with w.db.write() as s:
        install_policy(s, preset_text("004").replace('debt_mark = ""', 'debt_mark = "точка"'))
    t = w.teacher.at(NOW)
    gb = readmodels.load_gradebook(w.db, t, w.course5, w.q2)
    assert gb.value_why_not(".") == "" and gb.mark_value(".") == "точка"
    view = marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", ".")
    assert view is not None and view.value == "точка"


# --- period marks -------------------------------------------------------------------------------


def add_quarter(w: World, number: int, start: date, end: date) -> int:
    with w.db.write() as s:
        period = Period(
            year_id=w.year_id,
            scheme="quarters",
            kind="quarter",
            number=number,
            name=f"{number} четверть",
            start=start,
            end=end,
        )
        s.add(period)
        s.flush()
        return period.id


def test_period_mark_refusals_are_the_services_004_3_8_3_9(w: World) -> None:
    """[004 §3.9] who sets them; [004 §3.8] locked after the period; not «вперёд»."""
    q3 = add_quarter(w, 3, date(2027, 1, 11), date(2027, 3, 20))
    student = w.students5[0]
    cases = [
        (
            w.deputy,
            w.q2,
            PermissionDenied,
            "Итоговые отметки выставляет учитель предмета или классный руководитель [004 §3.9].",
        ),
        (w.other_teacher, w.q2, PermissionDenied, None),
        (
            w.teacher,
            w.q1,
            LockedError,
            "1 четверть: итоговые отметки закрыты для изменений с 25.10.2026 [004 §3.8].",
        ),
        (
            w.teacher,
            q3,
            DomainError,
            "Нельзя выставлять итоговую отметку «вперёд»: 3 четверть начнётся 11.01.2027 "
            "[004 §6.3].",
        ),
    ]
    for actor, period, kind, message in cases:
        actor = actor.at(NOW)
        if actor.user_id == w.other_teacher.user_id:  # cannot even read the page
            error = refusal(
                lambda a=actor: marks.set_period_mark(w.db, a, w.course5, student, w.q2, "5")
            )
            assert isinstance(error, PermissionDenied)
            continue
        gb = readmodels.load_gradebook(w.db, actor, w.course5, period)
        assert gb.period_mark_why_not(student) == message and not gb.period_mark_editable
        error = refusal(
            lambda a=actor, p=period: marks.set_period_mark(w.db, a, w.course5, student, p, "5")
        )
        assert isinstance(error, kind) and error.message == message
    # the class teacher sets period marks in every subject [004 §3.9]; the choices are the scale
    gb = readmodels.load_gradebook(w.db, w.ct.at(Q2_LAST_WEEK), w.course5, w.q2)
    assert gb.period_mark_editable and gb.period_mark_why_not(student) == ""
    assert gb.period_mark_choices == ("5", "4", "3", "2", "н/а", "осв", "н/оц")
    assert marks.set_period_mark(w.db, w.ct.at(Q2_LAST_WEEK), w.course5, student, w.q2, "5")


def test_period_mark_for_a_student_who_left(w: World) -> None:
    gone = w.students5[2]
    with w.db.write() as s:
        enrolment = s.exec(select(Enrolment).where(Enrolment.student_id == gone)).one()
        enrolment.end = date(2026, 11, 20)
        s.add(enrolment)
    t = w.teacher.at(Q2_LAST_WEEK)
    gb = readmodels.load_gradebook(w.db, t, w.course5, w.q2)
    why = gb.period_mark_why_not(gone)
    assert why == "Васильев Василий не числится в 5А на 21.12.2026."
    assert gb.period_mark_why_not(w.students5[0]) == ""
    assert (
        refusal(lambda: marks.set_period_mark(w.db, t, w.course5, gone, w.q2, "4")).message == why
    )


def test_grade_1_period_result_choices_004_3_5(w: World) -> None:
    t = w.primary.at(Q2_LAST_WEEK)
    gb = readmodels.load_gradebook(w.db, t, w.course1, w.q2)
    assert gb.period_mark_choices == ("н/оц",) and gb.suggested[w.students1[0]] is None
    assert marks.set_period_mark(w.db, t, w.course1, w.students1[0], w.q2, "н/оц")
    with pytest.raises(DomainError, match="В 1-м классе итог за период — «н/оц»"):
        marks.set_period_mark(w.db, t, w.course1, w.students1[0], w.q2, "5")


def test_the_timetable_facts_grade_1_homework_and_deadlines(w: World) -> None:
    """The timetable tests no grade: homework «нет» is a fact of the lesson in grade 1."""
    (lesson,) = readmodels.my_lessons(w.db, w.primary.at(NOW), NOW.date())
    assert lesson.forced_homework == "нет" and not lesson.homework_required
    assert lesson.homework_deadline is None and not lesson.overdue
    with w.db.write() as s:  # a policy with a separate homework deadline [002 §2.6]
        row = s.get(Setting, "policy")
        install_policy(s, row.value.replace("[deadlines]\n", "[deadlines]\nhomework_hours = 1.5\n"))
    (g1,) = readmodels.my_lessons(w.db, w.primary.at(NOW), NOW.date())
    assert g1.homework_deadline is None  # no homework in grade 1
    five = readmodels.lesson_card(w.db, w.teacher.at(NOW), w.lessons["today"]).lesson
    assert five.homework_deadline == datetime(2026, 11, 23, 10, 45) and five.homework_required
