"""A mark for an answer in class needs the student there (policy switch
``marks.oral_requires_presence``, oral work types ``work_types.oral``).

The clause behind it is the school's own: [000 §5.2.3] and [003 §7] make the teacher
answer for «достоверное заполнение оценок и отметок о посещаемости»; 001, 002 and 004
say nothing, so there the switch is a gap (the usual practice) and cites no clause.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import make_db
from tests.school import NOW, World, build
from zhurnal.core.errors import DomainError, PolicyError
from zhurnal.core.models import Absence, Mark, Setting
from zhurnal.core.policy import load_preset, parse_policy, preset_names, preset_text
from zhurnal.core.policy_check import GAP, WARNING, check, format_value
from zhurnal.core.rules import absence_over_oral_refusal, oral_mark_refusal
from zhurnal.core.services import lessons, marks
from zhurnal.core.setup import install_policy

CITED = {"000": " [000 §5.2.3]", "001": "", "002": "", "003": " [003 §7]", "004": ""}


@pytest.mark.parametrize(
    ("absence", "work_type", "refused"),
    [
        ("Н", "answer", True),  # absent without a reason
        ("Б", "answer", True),  # ill
        ("УП", "answer", True),  # away for a valid reason
        ("ОП", "answer", False),  # late: was there, may answer
        (None, "answer", False),  # present
        ("Н", "test", False),  # a written test handed in after the absence
        ("Н", "homework", False),
        ("Н", "essay", False),
    ],
)
@pytest.mark.parametrize("number", sorted(CITED))
def test_oral_mark_for_an_absent_student_000_5_2_3_003_7(
    number, absence, work_type, refused
) -> None:
    """Only the oral work types, only a whole-lesson absence; the clause is the preset's."""
    policy = load_preset(number)
    error = oral_mark_refusal(policy, work_type, "Антонов Антон", absence)
    assert (error is not None) == refused
    if error is not None:
        assert error.message == (
            f"Антонов Антон не был(а) на уроке («{absence}»): "
            f"за «Ответ на уроке» отметку не ставят{CITED[number]}."
        )
        assert error.clause == (CITED[number].strip(" []") or None)


@pytest.mark.parametrize(
    ("code", "marks_", "refused"),
    [
        ("Н", [("answer", "5")], True),
        ("Б", [("test", "4"), ("answer", "3")], True),
        ("УП", [("answer", "2")], True),
        ("ОП", [("answer", "5")], False),  # late keeps the answer
        (None, [("answer", "5")], False),  # present
        ("Н", [("test", "4")], False),  # a written mark says nothing about presence
        ("Н", [], False),
    ],
)
def test_absence_over_an_oral_mark_000_5_2_3(code, marks_, refused) -> None:
    """[000 §5.2.3] marks and attendance agree: no «absent» over an answer in class."""
    policy = load_preset("000")
    error = absence_over_oral_refusal(policy, code, "Антонов Антон", marks_)
    assert (error is not None) == refused
    if error is not None:
        value = next(v for wt, v in marks_ if wt == "answer")
        assert error.message.startswith(f"У Антонов Антон «{value}» за «Ответ на уроке»")
        assert error.message.endswith("поставьте «ОП» [000 §5.2.3].")


def test_every_preset_has_the_switch_on_and_answer_oral() -> None:
    for name in preset_names():
        policy = load_preset(name)
        assert policy.oral_requires_presence, name
        assert policy.oral_codes == frozenset({"answer"}), name


def test_the_switch_off_allows_it() -> None:
    text = preset_text("004").replace(
        "oral_requires_presence = true", "oral_requires_presence = false"
    )
    policy = parse_policy(text)
    assert policy.oral_codes == frozenset()
    assert oral_mark_refusal(policy, "answer", "А", "Н") is None
    assert absence_over_oral_refusal(policy, "Н", "А", [("answer", "5")]) is None


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "oral_requires_presence = true",
            'oral_requires_presence = "да"',
            "marks.oral_requires_presence",
        ),
        ("oral = true", "oral = 1", "work_types[0].oral"),
    ],
)
def test_policy_validation_names_the_key(old: str, new: str, key: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(f"Ключ «{key}»: неверный тип")):
        parse_policy(preset_text("004").replace(old, new, 1))


def test_policy_check_reports_the_switch() -> None:
    """A switch with no oral work type is a warning; its source or gap is reported."""
    text = preset_text("004").replace("oral = true\n", "")
    findings = check(parse_policy(text))
    warnings = [f for f in findings if f.kind == WARNING]
    assert [f.key for f in warnings] == ["marks.oral_requires_presence"]
    assert "ни один вид работ не отмечен как устный" in warnings[0].message
    assert "marks.oral_requires_presence" not in {f.key for f in findings if f.kind == GAP}
    gaps = {f.key for f in check(load_preset("004")) if f.kind == GAP}
    assert "marks.oral_requires_presence" in gaps  # 004 does not say it
    assert "marks.oral_requires_presence" not in {
        f.key for f in check(load_preset("000")) if f.kind == GAP
    }
    assert "устный" in format_value(load_preset("004").work_types)


# --- through the services ------------------------------------------------------------------


@pytest.fixture
def w(db) -> World:
    return build(db)


def test_services_refuse_only_the_answer_of_an_absent_student(w: World) -> None:
    t = w.teacher.at(NOW)
    today = w.lessons["today"]
    ill, late, present = w.students5
    lessons.set_absence(w.db, t, today, ill, "Б")
    lessons.set_absence(w.db, t, today, late, "ОП")
    with pytest.raises(DomainError, match=r"не был\(а\) на уроке \(«Б»\)"):
        marks.set_lesson_mark(w.db, t, today, ill, "answer", "5")
    assert marks.set_lesson_mark(w.db, t, today, ill, "test", "4")  # written: allowed
    assert marks.set_lesson_mark(w.db, t, today, late, "answer", "5")
    assert marks.set_lesson_mark(w.db, t, today, present, "answer", "3")
    # the absence cannot become «Н» over the late student's answer; «ОП» stays
    with pytest.raises(DomainError, match="«5» за «Ответ на уроке»"):
        lessons.set_absence(
            w.db, t, today, late, "Н", expected_version=_absence_version(w, today, late)
        )
    with w.db.read() as s:
        assert s.exec(select(Absence.code).where(Absence.student_id == late)).one() == "ОП"


def test_an_existing_answer_of_an_absent_student_can_be_cleared(w: World) -> None:
    """A mark given before the rule was switched on is not stuck: clearing is allowed."""
    t = w.teacher.at(NOW)
    today, student = w.lessons["today"], w.students5[0]
    _switch(w, False)
    view = marks.set_lesson_mark(w.db, t, today, student, "answer", "5")
    lessons.set_absence(w.db, t, today, student, "Н")
    _switch(w, True)
    assert (
        marks.set_lesson_mark(
            w.db, t, today, student, "answer", None, expected_version=view.version
        )
        is None
    )
    with w.db.read() as s:
        assert s.exec(select(Mark)).all() == []


def test_switched_off_the_school_allows_both(tmp_path) -> None:
    db = make_db(tmp_path / "s.db")
    try:
        w = build(db)
        _switch(w, False)
        t = w.teacher.at(NOW)
        lessons.set_absence(w.db, t, w.lessons["today"], w.students5[0], "Н")
        assert marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "answer", "5")
    finally:
        db.dispose()


def _switch(w: World, on: bool) -> None:
    with w.db.write() as s:
        text = s.get(Setting, "policy").value
        install_policy(
            s,
            text.replace(
                f"oral_requires_presence = {str(not on).lower()}",
                f"oral_requires_presence = {str(on).lower()}",
            ),
        )


def _absence_version(w: World, lesson_id: int, student_id: int) -> int:
    with w.db.read() as s:
        return s.exec(
            select(Absence.version).where(
                Absence.lesson_id == lesson_id, Absence.student_id == student_id
            )
        ).one()
