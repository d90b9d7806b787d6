"""Late corrections end to end [004 §7]: request with cells -> decision -> application ->
the change table [004 §7.5].

The school is ``tests.school``: now is Monday 23.11.2026 10:00; the 5А maths lesson of
09.11 (lesson 2) is past its 10-day lock [004 §3.8]; ``teacher`` teaches it, ``ct`` is the
class teacher, ``deputy`` enters corrections, ``director`` decides.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.school import NOW, World, build
from zhurnal.core import readmodels
from zhurnal.core.errors import (
    ConflictError,
    DomainError,
    LockedError,
    PermissionDenied,
    ValidationError,
)
from zhurnal.core.models import Absence, AuditEvent, Lesson, Mark, PeriodMark
from zhurnal.core.reports.changes import change_table_report
from zhurnal.core.services import corrections, lessons, marks
from zhurnal.core.services.corrections import CellChange

ON_THE_DAY = datetime(2026, 11, 9, 12, 0)  # the teacher fills the 09.11 lesson in time
DOC = {"document_number": "Справка № 17", "document_date": date(2026, 11, 20)}


@pytest.fixture
def w(db) -> World:
    w = build(db)
    t = w.teacher.at(ON_THE_DAY)
    lessons.set_topic(w.db, t, w.lessons["locked"], "Дроби")
    marks.set_lesson_mark(w.db, t, w.lessons["locked"], w.students5[0], "test", "2")
    lessons.set_absence(w.db, t, w.lessons["locked"], w.students5[1], "Н")
    return w


def the_test_column(w: World) -> int:
    with w.db.read() as s:
        return s.exec(select(Mark.assignment_id)).one()


def mark_of(w: World, student: int) -> Mark | None:
    with w.db.read() as s:
        return s.exec(select(Mark).where(Mark.student_id == student)).first()


def absence_of(w: World, student: int) -> str | None:
    with w.db.read() as s:
        row = s.exec(select(Absence).where(Absence.student_id == student)).first()
        return row.code if row else None


def request(w: World, cells, who=None, ground: str = "illness"):
    return corrections.request_correction(
        w.db,
        w.at(who or w.teacher),
        course_id=w.course5,
        ground=ground,
        reason="Ученик болел, справка сдана позже",
        cells=cells,
        **DOC,
    )


def approve(w: World, cid: int, until: date = date(2026, 11, 27)):
    return corrections.decide_correction(
        w.db, w.at(w.director), cid, approve=True, valid_until=until
    )


def three_cells(w: World) -> list[CellChange]:
    return [
        CellChange.mark(the_test_column(w), w.students5[0], "4", old="2"),
        CellChange.absence(w.lessons["locked"], w.students5[1], "Б"),
        CellChange.topic(w.lessons["locked"], "Сложение дробей"),
    ]


def test_request_approve_apply_fills_the_change_table_004_7(w: World) -> None:
    """[004 §7.2–7.5] The teacher asks, the director approves, the deputy enters every
    cell at once; each write points to the correction and the change table shows it."""
    req = request(w, three_cells(w))
    assert req.status_text == "ожидает решения" and req.requested_by == "Учителева Мария Ивановна"
    assert [(i.label, i.student, i.old_text, i.new_text) for i in req.items] == [
        ("09.11 Контрольная работа", "Антонов Антон", "2", "4"),
        ("09.11, урок 2: посещаемость", "Борисова Белла", "Н", "Б"),
        ("09.11, урок 2: тема урока", "", "Дроби", "Сложение дробей"),
    ]
    assert (req.class_title, req.subject) == ("5А", "Математика")
    approved = approve(w, req.id)
    assert approved.status_text == "утверждена до 27.11.2026"
    assert approved.decided_by == "Директорова Анна Борисовна"

    done = corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    assert (done.status, done.status_text, done.applied_by) == (
        "applied",
        "внесена",
        "Завучева Вера Петровна",
    )
    assert done.applied_at == NOW and not done.can_apply
    mark = mark_of(w, w.students5[0])
    assert mark is not None and (mark.value, mark.correction_id) == ("4", req.id)
    assert absence_of(w, w.students5[1]) == "Б"
    with w.db.read() as s:
        assert s.get(Lesson, w.lessons["locked"]).topic == "Сложение дробей"
        audited = s.exec(select(AuditEvent.action).where(AuditEvent.correction_id == req.id)).all()
    assert {"mark.set", "attendance.set", "lesson.topic", "correction.apply"} <= set(audited)

    rows = readmodels.change_table(w.db, w.at(w.deputy))
    assert [(r.what, r.student, r.old, r.new) for r in rows] == [  # as entered
        ("09.11, урок 2: посещаемость", "Борисова Белла", "Н", "Б"),
        ("09.11 Контрольная работа", "Антонов Антон", "2", "4"),
        ("09.11, урок 2: тема урока", "", "Дроби", "Сложение дробей"),
    ]
    first = rows[1]
    assert (first.class_title, first.subject, first.correction_id) == ("5А", "Математика", req.id)
    assert first.document == "№ Справка № 17 от 20.11.2026"
    assert first.approved_by == "Директорова Анна Борисовна"
    assert first.entered_by == "Завучева Вера Петровна"
    assert first.ground.startswith("пропуск уроков обучающимся по болезни")
    assert (first.entered_at, first.record_date) == (NOW, date(2026, 11, 9))


def test_change_table_report_004_7_5(w: World) -> None:
    req = request(w, three_cells(w)[:1])
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    rows = readmodels.change_table(w.db, w.at(w.deputy), class_id=w.class5)
    report = change_table_report(rows, "5А · 2 четверть")
    assert report.title == "Таблица учёта изменений в электронном журнале"
    assert report.subtitle == ("5А · 2 четверть",)
    assert len(report.rows) == 1 and "2" in report.rows[0] and "4" in report.rows[0]
    assert report.rows[0][:7] == (
        date(2026, 11, 9),
        "5А",
        "Математика",
        "Антонов Антон",
        "09.11 Контрольная работа",
        "2",
        "4",
    )
    # another class's table stays empty; a change belongs to the dates of the record it
    # changes (the 09.11 lesson), not to the day it was entered [004 §7.3]
    assert readmodels.change_table(w.db, w.at(w.deputy), class_id=w.class1) == ()
    q2 = {"start": date(2026, 11, 5), "end": date(2026, 12, 28)}
    assert len(readmodels.change_table(w.db, w.at(w.deputy), **q2)) == 1
    assert readmodels.change_table(w.db, w.at(w.deputy), start=date(2026, 11, 10)) == ()


def test_change_table_reads_at_80_columns_004_7_5() -> None:
    """On the report screen at 80 columns the date, class, subject, student, cell, old and
    new are on screen with their titles whole; the leave's papers scroll."""
    from zhurnal.tui.screens.report_view import column_widths

    report = change_table_report(())
    widths = column_widths(report, 80)
    titles = [c.title for c in report.columns]
    assert titles[:7] == ["Дата", "Класс", "Предмет", "Ученик", "Запись", "Было", "Стало"]
    assert 2 + sum(w + 2 for w in widths[:7]) <= 80
    assert all(len(t) <= w for t, w in zip(titles, widths, strict=True))
    assert widths[0] == 10  # a whole date


def test_change_table_is_for_those_who_read_the_class(w: World) -> None:
    req = request(w, three_cells(w)[:1])
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    assert len(readmodels.change_table(w.db, w.at(w.ct))) == 1  # class teacher of 5А
    assert readmodels.change_table(w.db, w.at(w.primary)) == ()  # teaches 1А only


def test_unlocked_cell_is_refused_004_7_1(w: World) -> None:
    """A cell still open is fixed by its teacher, not by the director's leave."""
    marks.set_lesson_mark(w.db, w.at(w.teacher), w.lessons["today"], w.students5[0], "test", "3")
    with w.db.read() as s:
        today_test = s.exec(select(Mark.assignment_id).where(Mark.value == "3")).one()
    with pytest.raises(DomainError, match="запись ещё открыта: исправьте её сами"):
        request(w, [CellChange.mark(today_test, w.students5[0], "4")])
    with pytest.raises(DomainError, match="её исправляет учитель предмета"):
        request(w, [CellChange.mark(today_test, w.students5[0], "4")], who=w.deputy)
    assert corrections.list_corrections(w.db, w.at(w.deputy)) == ()


def test_old_value_is_read_from_the_register_004_7(w: World) -> None:
    """The old value is the stored one; a caller who saw another gets a conflict."""
    with pytest.raises(ConflictError, match=r"09\.11 Контрольная работа"):
        request(w, [CellChange.mark(the_test_column(w), w.students5[0], "4", old="3")])
    seen_lower = CellChange.absence(w.lessons["locked"], w.students5[1], "Б", old="н")
    assert request(w, [seen_lower]).items[0].old == "Н"  # a code typed in any case
    with pytest.raises(ValidationError, match="совпадает"):
        request(w, [CellChange.mark(the_test_column(w), w.students5[0], "2")])
    with pytest.raises(ValidationError, match=r"[Нн]еизвест"):
        request(w, [CellChange.absence(w.lessons["locked"], w.students5[1], "X")])


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("ct", True), ("deputy", True), ("other_teacher", False), ("director", False)],
)
def test_who_may_request_004_7_2(w: World, who: str, allowed: bool) -> None:
    cells = [CellChange.absence(w.lessons["locked"], w.students5[1], "Б")]
    if allowed:
        assert request(w, cells, who=getattr(w, who)).status == "requested"
    else:
        with pytest.raises(PermissionDenied, match=r"004 §7\.2"):
            request(w, cells, who=getattr(w, who))


def test_only_director_decides_004_7_2(w: World) -> None:
    req = request(w, three_cells(w))
    assert not req.can_decide and "директор" in req.decide_why_not
    with pytest.raises(PermissionDenied, match="директор"):
        corrections.decide_correction(
            w.db, w.at(w.deputy), req.id, approve=True, valid_until=date(2026, 11, 27)
        )
    seen = readmodels.get_correction(w.db, w.at(w.director), req.id)
    assert seen.can_decide and seen.decide_why_not == ""


def test_reject_needs_a_comment_004_7_2(w: World) -> None:
    req = request(w, three_cells(w))
    with pytest.raises(ValidationError, match="причину отказа"):
        corrections.decide_correction(w.db, w.at(w.director), req.id, approve=False)
    out = corrections.decide_correction(
        w.db, w.at(w.director), req.id, approve=False, note="Справка не заверена"
    )
    assert (out.status_text, out.decision_note) == ("отклонена", "Справка не заверена")
    with pytest.raises(DomainError, match="отклонена"):
        corrections.apply_correction(w.db, w.at(w.deputy), req.id)


@pytest.mark.parametrize("who", ["teacher", "director", "ct"])
def test_only_deputy_applies_004_7_4(w: World, who: str) -> None:
    req = request(w, three_cells(w))
    approve(w, req.id)
    with pytest.raises(PermissionDenied, match="заместитель директора"):
        corrections.apply_correction(w.db, w.at(getattr(w, who)), req.id)
    assert mark_of(w, w.students5[0]).value == "2"
    with w.db.read() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [e.entity for e in denied] == ["correction.apply"]


def test_expired_leave_applies_nothing_004_7(w: World) -> None:
    req = request(w, three_cells(w))
    approve(w, req.id, until=date(2026, 11, 25))
    late = w.deputy.at(datetime(2026, 11, 26, 9, 0))
    assert "истёк 25.11.2026" in readmodels.get_correction(w.db, late, req.id).apply_why_not
    with pytest.raises(LockedError, match=r"истёк 25\.11\.2026"):
        corrections.apply_correction(w.db, late, req.id)
    assert mark_of(w, w.students5[0]).value == "2" and absence_of(w, w.students5[1]) == "Н"


def test_applied_twice_is_refused_004_7(w: World) -> None:
    req = request(w, three_cells(w))
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    with pytest.raises(DomainError, match="уже внесена"):
        corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    assert len(readmodels.change_table(w.db, w.at(w.deputy))) == 3


def test_cell_changed_meanwhile_applies_nothing_004_7(w: World) -> None:
    """A request lists a mark; the deputy then changes it under an older, scope-opening
    leave: applying the request is a conflict naming the cell, and none of its cells is
    entered."""
    listed = request(
        w,
        [
            CellChange.absence(w.lessons["locked"], w.students5[1], "УП"),
            CellChange.mark(the_test_column(w), w.students5[0], "5"),
        ],
    )
    opened = corrections.request_correction(
        w.db,
        w.at(w.teacher),
        course_id=w.course5,
        scope="marks",
        ground="retake",
        lesson_id=w.lessons["locked"],
        **DOC,
    )
    approve(w, listed.id)
    approve(w, opened.id)
    marks.set_mark(
        w.db, w.at(w.deputy), the_test_column(w), w.students5[0], "4", correction_id=opened.id
    )
    with pytest.raises(ConflictError) as exc:
        corrections.apply_correction(w.db, w.at(w.deputy), listed.id)
    assert exc.value.message == (
        f"Заявка № {listed.id}: «09.11 Контрольная работа» изменена после подачи заявки "
        "(Завучева Вера Петровна, 23.11.2026 10:00): было 2, сейчас 4. "
        "Ничего не внесено: нужна новая заявка."
    )
    assert absence_of(w, w.students5[1]) == "Н" and mark_of(w, w.students5[0]).value == "4"
    assert readmodels.get_correction(w.db, w.at(w.deputy), listed.id).status == "approved"


def test_cell_of_an_open_request_is_refused_004_7_2(w: World) -> None:
    """[004 §7.2] A cell already listed by a request awaiting a decision, or approved and
    not yet entered, is not asked for twice: the refusal names that request."""
    first = request(w, three_cells(w)[:1])
    again = [CellChange.mark(the_test_column(w), w.students5[0], "5")]
    with pytest.raises(ValidationError, match=rf"уже указана в заявке № {first.id}"):
        request(w, again, who=w.ct)
    approve(w, first.id)
    with pytest.raises(ValidationError, match=rf"заявке № {first.id}"):
        request(w, again)
    # other cells of the same lesson are free; nothing was stored by the refusals
    assert request(w, three_cells(w)[1:2]).status == "requested"
    assert len(readmodels.list_corrections(w.db, w.at(w.deputy))) == 2
    corrections.apply_correction(w.db, w.at(w.deputy), first.id)
    assert request(w, again).items[0].old == "4"  # once entered, the cell may be asked again


def test_rejected_or_expired_request_frees_its_cells_004_7_2(w: World) -> None:
    cell = [CellChange.absence(w.lessons["locked"], w.students5[1], "Б")]
    rejected = request(w, cell)
    corrections.decide_correction(w.db, w.at(w.director), rejected.id, approve=False, note="Нет")
    expired = request(w, cell)
    approve(w, expired.id, until=date(2026, 11, 25))
    later = w.teacher.at(datetime(2026, 11, 26, 9, 0))
    again = corrections.request_correction(
        w.db, later, course_id=w.course5, ground="illness", cells=cell, **DOC
    )
    assert again.status == "requested"


def test_retake_mark_entered_by_deputy_004_7_4(w: World) -> None:
    """[004 §7.4] A retake on the protocol: a student without a mark for the test gets
    one, entered by the deputy."""
    cells = [CellChange.mark(the_test_column(w), w.students5[2], "4", old="")]
    req = request(w, cells, ground="retake")
    assert req.items[0].old_text == "—" and req.ground_text.startswith("пересдача")
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    mark = mark_of(w, w.students5[2])
    assert mark is not None and mark.value == "4"
    assert mark.entered_by_id == w.deputy.user_id and mark.correction_id == req.id
    assert not mark.late  # entered on the protocol, not the teacher's late entry
    (row,) = readmodels.change_table(w.db, w.at(w.director))
    assert (row.old, row.new, row.ground) == ("—", "4", "пересдача по уважительной причине")


def test_absence_turned_into_an_answer_in_class_004_7(w: World) -> None:
    """The student was there after all and answered: the absence is removed before the
    answer mark is set, whatever order the request lists them in."""
    t = w.teacher.at(ON_THE_DAY)
    marks.set_lesson_mark(w.db, t, w.lessons["locked"], w.students5[2], "answer", "5")
    with w.db.read() as s:
        answer = s.exec(select(Mark.assignment_id).where(Mark.value == "5")).one()
    cells = [
        CellChange.mark(answer, w.students5[1], "4", old=""),
        CellChange.absence(w.lessons["locked"], w.students5[1], "", old="Н"),
    ]
    req = request(w, cells, ground="other")
    assert req.items[1].new_text == "был(а) на уроке"
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    assert absence_of(w, w.students5[1]) is None and mark_of(w, w.students5[1]).value == "4"


def test_period_mark_correction_004_7(w: World) -> None:
    marks.set_period_mark(
        w.db, w.teacher.at(datetime(2026, 10, 24, 12)), w.course5, w.students5[0], w.q1, "3"
    )
    req = request(w, [CellChange.period_mark(w.q1, w.students5[0], "4", old="3")])
    assert req.items[0].label == "1 четверть: итоговая отметка"
    approve(w, req.id)
    corrections.apply_correction(w.db, w.at(w.deputy), req.id)
    with w.db.read() as s:
        pm = s.exec(select(PeriodMark)).one()
    assert (pm.value, pm.correction_id) == ("4", req.id)
    q1 = {"start": date(2026, 9, 1), "end": date(2026, 10, 24)}  # the 1st quarter's sheet
    (row,) = readmodels.change_table(w.db, w.at(w.deputy), **q1)
    assert (row.what, row.old, row.new, row.record_date) == (
        "1 четверть: итоговая отметка",
        "3",
        "4",
        date(2026, 10, 24),
    )


def test_listed_cells_are_entered_whole_004_7_4(w: World) -> None:
    """A request with cells opens nothing for hand writing: the deputy enters it whole."""
    req = request(w, three_cells(w))
    approve(w, req.id)
    with pytest.raises(DomainError, match="вносится целиком"):
        marks.set_mark(
            w.db, w.at(w.deputy), the_test_column(w), w.students5[0], "5", correction_id=req.id
        )
    assert mark_of(w, w.students5[0]).value == "2"


def test_list_corrections_shows_own_requests(w: World) -> None:
    mine = request(w, three_cells(w)[:1])
    request(w, three_cells(w)[1:2], who=w.ct)
    assert [c.id for c in corrections.list_corrections(w.db, w.at(w.teacher))] == [mine.id]
    assert len(readmodels.list_corrections(w.db, w.at(w.deputy))) == 2
    assert readmodels.list_corrections(w.db, w.at(w.director), status="approved") == ()
    assert readmodels.list_corrections(w.db, w.at(w.deputy), course_id=w.course1) == ()
    with pytest.raises(PermissionDenied):
        readmodels.get_correction(w.db, w.at(w.other_teacher), mine.id)
    approve(w, mine.id)
    (seen,) = readmodels.list_corrections(w.db, w.at(w.deputy), status="approved")
    assert seen.can_apply and seen.apply_why_not == ""


def test_gradebook_offers_a_correction_for_locked_cells_004_7_2(w: World) -> None:
    def book(who):
        return readmodels.load_gradebook(w.db, w.at(who), w.course5, w.q2)

    gb = book(w.teacher)
    locked = next(c.index for c in gb.columns if c.assignment_id == the_test_column(w))
    today = next(c.index for c in gb.columns if c.lesson_id == w.lessons["today"])
    assert gb.correction_why_not(w.students5[0], locked) == ""
    assert "исправьте её сами" in gb.correction_why_not(w.students5[0], today)
    assert book(w.deputy).correction_why_not(w.students5[0], locked) == ""
    assert "004 §7.2" in book(w.director).correction_why_not(w.students5[0], locked)
    q1 = readmodels.load_gradebook(w.db, w.at(w.teacher), w.course5, w.q1)
    assert q1.period_mark_correction_why_not(w.students5[0]) == ""
    assert "открыта" in gb.period_mark_correction_why_not(w.students5[0])


def test_request_and_decision_are_audited_004_7(w: World) -> None:
    req = request(w, three_cells(w)[:1])
    approve(w, req.id)
    with w.db.read() as s:
        events = s.exec(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.entity == "correction")
            .group_by(AuditEvent.action)
        ).all()
    assert dict(events) == {"correction.request": 1, "correction.decide": 1}


@pytest.mark.skipif(date.today() < date(2026, 11, 20), reason="the 09.11 lesson locks then")
def test_cli_twin_request_decide_apply(w: World, capsys, fast_argon2) -> None:
    """``zhurnal correction …`` runs each step as the ``--as`` user (real clock)."""
    from datetime import timedelta

    from tests.conftest import signed
    from zhurnal.cli.main import main as run

    def main(argv: list[str]) -> int:
        return run(signed(w.db, argv))

    path = w.db.url
    until = (date.today() + timedelta(days=3)).strftime("%d.%m.%Y")
    cell = f"mark:{the_test_column(w)}:{w.students5[0]}=5"
    doc = ["--doc", "Протокол № 2", "--doc-date", "20.11.2026"]
    course = ["--course", str(w.course5), "--ground", "retake"]
    assert (
        main(["correction", "request", "--db", path, "--as", "uchitel", *course, *doc, cell]) == 0
    )
    assert "09.11 Контрольная работа — Антонов Антон: 2 → 5" in capsys.readouterr().out
    (req,) = readmodels.list_corrections(w.db, w.at(w.director))
    args = ["--db", path, str(req.id)]
    assert main(["correction", "apply", "--as", "zavuch", *args]) == 1  # not approved yet
    assert "не утверждена" in capsys.readouterr().err
    assert (
        main(["correction", "decide", "--as", "direktor", "--approve", "--until", until, *args])
        == 0
    )
    assert main(["correction", "apply", "--as", "zavuch", *args]) == 0
    assert mark_of(w, w.students5[0]).value == "5"
    assert main(["correction", "changes", "--db", path, "--as", "zavuch"]) == 0
    assert "2 → 5" in capsys.readouterr().out
    bad = ["--course", "1", "--ground", "retake", "--doc", "1", "--doc-date", "20.11.2026"]
    assert main(["correction", "request", "--db", path, "--as", "uchitel", *bad, "mark:x"]) == 1
    assert "не понята" in capsys.readouterr().err


def test_cell_of_a_student_outside_the_class_is_refused(w: World) -> None:
    with pytest.raises(DomainError, match=r"не числится в 5А на 09\.11\.2026"):
        request(w, [CellChange.mark(the_test_column(w), w.outsider, "5")])


def test_migration_0003_upgrades_a_0002_database(tmp_path) -> None:
    """A school at 0002 keeps its requests: they gain empty cells and no «applied»."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from zhurnal.core.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO correction (id, requested_by_id, requested_at, ground, reason, "
                "document_number, document_date, course_id, scope, status, decision_note, "
                "version) VALUES (1, 1, '2026-11-20 10:00:00', 'illness', '', '17', "
                "'2026-11-20', 1, 'marks', 'approved', '', 1)"
            )
        )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT status, applied_by_id, applied_at FROM correction")).one()
        items = conn.execute(text("SELECT count(*) FROM correction_item")).scalar_one()
    engine.dispose()
    assert tuple(row) == ("approved", None, None) and items == 0


def test_lesson_card_offers_a_correction_after_the_lock_004_7_2(w: World) -> None:
    """The topic, homework and attendance of a locked lesson: the teacher, the class
    teacher and the deputy may ask; an open lesson is fixed by its teacher."""
    offer = readmodels.lesson_correction_why_not
    for who in (w.teacher, w.ct, w.deputy):
        assert offer(w.db, w.at(who), w.lessons["locked"]) == ""
    assert "004 §7.2" in offer(w.db, w.at(w.director), w.lessons["locked"])
    assert offer(w.db, w.at(w.teacher), w.lessons["today"]).endswith("исправьте её сами.")
    assert "учитель предмета" in offer(w.db, w.at(w.ct), w.lessons["today"])
    with pytest.raises(PermissionDenied):
        offer(w.db, w.at(w.primary), w.lessons["locked"])
