"""Each role on its own screens, on the demo school (Monday 23.11.2026 10:00), asserted on
screen and in the database (issue 8).

- the class teacher (klass5a) finds the lessons the demo leaves unfilled [000 §5.2.5];
- the deputy (zavuch) lands on «Контроль журнала» and sees the school's completeness;
- a late correction goes request (teacher) → approve (director) → apply (deputy) and
  shows in the change table [004 §7];
- an incident reverts exactly the operations after its time [002 §4.4].
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.conftest import copy_demo, set_password
from tests.ui import PASSWORD, screen_text, settle, sign_in
from zhurnal.core.models import Lesson, User
from zhurnal.core.readmodels.completeness import class_completeness
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.class_home import ClassScreen
from zhurnal.tui.screens.completeness import CompletenessScreen
from zhurnal.tui.screens.control import ControlScreen
from zhurnal.tui.screens.lesson import LessonScreen
from zhurnal.tui.screens.timetable import TimetableScreen

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.xdist_group("demo")  # the demo school is built once, on one worker


@pytest.fixture
def demo_db(tmp_path, fast_argon2):
    db = copy_demo(TODAY, tmp_path / "demo.db")
    for login in ("klass5a", "zavuch", "direktor", "uchitel"):
        set_password(db, login, PASSWORD)
    yield db
    db.dispose()


async def test_class_teacher_finds_the_unfilled_lessons_000_5_2_5(demo_db) -> None:
    app = make_app(database=demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "klass5a")
        assert isinstance(app.screen, TimetableScreen)  # a teacher first: the day
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "Класс 5А" in screen_text(app)
        await pilot.press("enter")  # «Заполнение журнала класса»
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen)
        assert screen.result is not None
        worst = screen.result.rows[0]
        assert worst.gaps > 0, "the demo leaves gaps a class teacher must find"
        assert worst.subject in screen_text(app)
        # The same figures as core gives for the span on screen.
        span = screen.span
        assert span is not None
        with demo_db.read() as s:
            ct = s.exec(select(User).where(User.login == "klass5a")).one()
        from zhurnal.core.actor import Actor

        actor = Actor(ct.id, ct.login, frozenset(ct.role_set()), ct.full_name).at(
            datetime(2026, 11, 23, 10, 0)
        )
        again = class_completeness(demo_db, actor, worst.class_id, span.start, span.end)
        assert again.rows[0] == worst
        # Enter drills into the first gap: a lesson with something missing.
        await pilot.press("enter")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, LessonScreen)
        with demo_db.read() as s:
            lesson = s.get(Lesson, worst.first_gap_lesson_id)
            assert lesson is not None
            assert not lesson.topic or not lesson.homework or lesson.attendance_taken_at is None


async def test_deputy_lands_on_control_and_sees_the_school(demo_db) -> None:
    app = make_app(database=demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, "zavuch")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ControlScreen)
        assert "Контроль журнала" in screen_text(app)
        await pilot.press("enter")  # «Заполнение журнала — вся школа»
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen)
        assert screen.result is not None and screen.result.rows
        assert screen.view == "classes"  # the deputy's first view: classes, worst first
        assert "Кл. руководитель" in screen_text(app)
        first = screen.result.by_class[0]
        assert first.teacher and first.teacher in screen_text(app)  # the class teacher
        await pilot.press("enter")  # that class, by subject
        await settle(app, pilot, 4)
        assert isinstance(app.screen, CompletenessScreen)
        assert app.screen.class_id == first.class_id


async def test_left_walks_back_week_by_week_and_p_picks_the_kind_of_span(demo_db) -> None:
    """← steps by the span's own kind: from this week to the last, then the week before;
    typed fast, two ← are still two weeks; p picks a month, a term."""
    from tests.ui import burst, toast_text
    from zhurnal.tui.widgets.dialogs import ChoiceModal

    app = make_app(database=demo_db, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await sign_in(app, pilot, "zavuch")
        await settle(app, pilot, 3)
        await pilot.press("enter")  # «Заполнение журнала — вся школа»
        await settle(app, pilot, 4)
        screen = app.screen
        assert isinstance(screen, CompletenessScreen) and screen.span is not None
        assert screen.span.label == "Неделя 23.11–29.11"

        async def shown(label: str, start: date) -> None:
            await settle(app, pilot, 4)
            assert screen.span is not None and screen.span.label == label
            assert screen.result is not None and screen.result.start == start
            assert label in screen_text(app)

        await pilot.press("left")
        await shown("Неделя 16.11–22.11", date(2026, 11, 16))
        await pilot.press("left")
        await shown("Неделя 09.11–15.11", date(2026, 11, 9))
        await pilot.press("right")
        await shown("Неделя 16.11–22.11", date(2026, 11, 16))
        await burst(app, pilot, "left", "left")
        await shown("Неделя 02.11–08.11", date(2026, 11, 2))

        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        text = screen_text(app)
        assert "Неделя 02.11–08.11" in text and "Месяц: Ноябрь 2026" in text
        assert "Учебный год" in text
        await pilot.press("down", "enter")  # the month around the week shown
        await shown("Ноябрь 2026", date(2026, 11, 1))
        await pilot.press("left")
        await shown("Октябрь 2026", date(2026, 10, 1))

        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # from the month: the term, October's
        await settle(app, pilot, 4)
        term = screen.span
        assert term is not None and term.kind == "quarter" and term.period_id is not None
        assert term.start <= date(2026, 10, 1) <= term.end
        await pilot.press("left")  # the year's first quarter: nothing before it
        assert "Раньше периода" in await toast_text(app, pilot)
        await settle(app, pilot, 4)
        assert screen.span == term
        await pilot.press("right")
        await settle(app, pilot, 4)
        assert screen.span.kind == "quarter" and screen.span.start > term.end


async def _as(db, login: str, steps) -> None:  # type: ignore[no-untyped-def]
    """One session of ``login`` on the demo copy: ``steps(app, pilot)`` after signing in."""
    app = make_app(database=db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, login)
        await settle(app, pilot, 3)
        await steps(app, pilot)


async def test_a_correction_goes_request_approve_apply_and_shows_in_the_table_004_7(
    demo_db,
) -> None:
    from textual.widgets import Input

    from zhurnal.core.models import Correction, Mark
    from zhurnal.tui.screens.corrections import CorrectionsScreen
    from zhurnal.tui.screens.grid import GridScreen
    from zhurnal.tui.screens.report_view import ReportScreen
    from zhurnal.tui.widgets.correction_request import CorrectionRequestModal
    from zhurnal.tui.widgets.dates import DatesModal

    target: dict[str, object] = {}

    async def teacher(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("g")  # the register page of the first lesson's course
        await settle(app, pilot, 4)
        assert isinstance(app.screen, GridScreen)
        await pilot.press("home")  # the period's first lesson: past the 10-day lock
        await settle(app, pilot)
        gb, grid = app.screen.gradebook, app.screen.grid
        column, student = grid.current_column, grid.current_student_id
        assert column is not None and column.locked and column.assignment_id is not None
        assert gb.correction_why_not(student, column.index) == ""
        assert "корректировку" in screen_text(app)  # «k — запросить корректировку»
        old = gb.marks.get((student, column.index))
        target.update(
            assignment=column.assignment_id, student=student, old=old.value if old else ""
        )
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, CorrectionRequestModal)
        app.screen.query_one("#request-new", Input).value = "5"
        app.screen.query_one("#request-doc", Input).value = "Справка № 7"
        await pilot.press("ctrl+s")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, GridScreen), screen_text(app)

    await _as(demo_db, "uchitel", teacher)
    with demo_db.read() as s:
        request = s.exec(select(Correction).order_by(Correction.id.desc())).first()
        assert request is not None and request.status == "requested"

    async def director(app, pilot) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(app.screen, ControlScreen)
        await pilot.press("down", "down", "enter")  # «Корректировки»
        await settle(app, pilot, 3)
        assert isinstance(app.screen, CorrectionsScreen)
        assert "ожидает решения" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Справка № 7" in screen_text(app)
        await pilot.click("#answer-approve")
        await settle(app, pilot)
        assert isinstance(app.screen, DatesModal)
        app.screen.query_one("#date-to", Input).value = "30.11.2026"
        app.screen.query_one("#date-to", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"Справка проверена", "enter")  # the director's comment
        await settle(app, pilot, 4)
        assert "утверждена до 30.11.2026" in screen_text(app)
        with demo_db.read() as s:
            approved = s.get(Correction, request.id)
            assert (approved.status, approved.decision_note) == ("approved", "Справка проверена")

    await _as(demo_db, "direktor", director)

    async def deputy(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("down", "down", "enter")
        await settle(app, pilot, 3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.click("#answer-apply")
        await settle(app, pilot, 4)
        assert "внесена" in screen_text(app)
        await pilot.press("escape", "down", "enter")  # «Таблица учёта изменений»
        await settle(app, pilot, 4)
        assert isinstance(app.screen, ReportScreen)
        assert "Изменений: 1." in screen_text(app)
        (row,) = app.screen.report.rows
        assert "Справка № 7" in " ".join(str(v) for v in row)
        assert "5" in row

    await _as(demo_db, "zavuch", deputy)
    with demo_db.read() as s:
        mark = s.exec(
            select(Mark).where(
                Mark.assignment_id == target["assignment"], Mark.student_id == target["student"]
            )
        ).one()
        assert mark.value == "5" and mark.correction_id == request.id
        assert s.get(Correction, request.id).status == "applied"
        deputy = s.exec(select(User).where(User.login == "zavuch")).one()
    # Every step is in the audit journal under «Корректировки», in words.
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels.audit_log import audit_log

    reader = Actor(deputy.id, deputy.login, frozenset(deputy.role_set()), deputy.full_name)
    steps = audit_log(demo_db, reader.at(datetime(2026, 11, 23, 10, 0)), kind="Корректировки")
    actions = [r.action for r in steps.rows]
    assert actions[:3] == ["correction.apply", "correction.decide", "correction.request"]
    assert steps.rows[0].what.startswith("Исправления по корректировке внесены")


async def test_an_incident_reverts_exactly_the_operations_after_its_time_002_4_4(
    demo_db,
) -> None:
    from zhurnal.core.actor import Actor
    from zhurnal.core.models import AuditEvent, Mark
    from zhurnal.core.readmodels import lesson_roster_ids, my_lessons
    from zhurnal.core.services.marks import set_lesson_mark
    from zhurnal.tui.screens.incident import IncidentOpsScreen, IncidentScreen
    from zhurnal.tui.widgets.text_prompt import TextPrompt

    with demo_db.read() as s:
        user = s.exec(select(User).where(User.login == "uchitel")).one()
    teacher = Actor(user.id, user.login, frozenset(user.role_set()), user.full_name)
    before, after = (
        teacher.at(datetime(2026, 11, 23, 9, 40)),
        teacher.at(datetime(2026, 11, 23, 9, 58)),
    )
    lesson = my_lessons(demo_db, before, TODAY)[0]
    first, second = sorted(lesson_roster_ids(demo_db, before, lesson.id))[:2]
    kept = set_lesson_mark(demo_db, before, lesson.id, first, "homework", "4")
    forged = set_lesson_mark(demo_db, after, lesson.id, second, "homework", "2")
    assert kept is not None and forged is not None

    async def director(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*["down"] * 6, "enter")  # «Нарушение конфиденциальности»
        await settle(app, pilot, 3)
        assert isinstance(app.screen, IncidentScreen)
        await pilot.press("n")
        await settle(app, pilot, 3)
        options = app.screen.query_one("OptionList")
        index = next(
            i
            for i in range(options.option_count)
            if "Кравченко" in str(options.get_option_at_index(i).prompt)
        )
        options.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one("Input").value = "23.11.2026 09:50"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"Пароль записан на доске", "enter")
        await settle(app, pilot, 4)
        assert isinstance(app.screen, IncidentOpsScreen)
        view = app.screen.view
        assert view is not None
        assert [op.new for op in view.operations if op.revertible] == ["2"]
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.click("#answer-revert")
        await settle(app, pilot, 4)
        assert "операции отменены" in screen_text(app)

    await _as(demo_db, "direktor", director)
    with demo_db.read() as s:
        assert s.get(Mark, kept.id) is not None and s.get(Mark, kept.id).value == "4"
        assert s.get(Mark, forged.id) is None  # the mark made after 09:50 is gone
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "incident.revert")).all()
        assert s.get(User, user.id).password_hash == "!"  # the login is locked
