"""Drafts: unsaved lesson text kept per user and lesson, never written to the register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests.school import NOW, World, build
from zhurnal.core import readmodels
from zhurnal.core.audit import change_counter
from zhurnal.core.errors import NotFound, PermissionDenied
from zhurnal.core.models import Draft, Lesson
from zhurnal.core.readmodels.drafts import DRAFT_KEEP_DAYS
from zhurnal.core.services import drafts, lessons
from zhurnal.core.verify import verify


@pytest.fixture
def w(db) -> World:
    return build(db)


def rows(w: World) -> list[tuple[int, int, str]]:
    with w.db.read() as s:
        return sorted(s.exec(select(Draft.user_id, Draft.lesson_id, Draft.topic)).all())


def lesson(w: World, key: str) -> Lesson:
    with w.db.read() as s:
        return s.get(Lesson, w.lessons[key])


def test_a_draft_is_kept_per_user_and_lesson_and_replaced(w: World) -> None:
    t, ct = w.teacher.at(NOW), w.ct.at(NOW)
    drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "№ 1")
    drafts.save_draft(w.db, t, w.lessons["late"], "Сравнение", "")
    drafts.save_draft(w.db, ct, w.lessons["today"], "Заметка классного руководителя", "")
    later = w.teacher.at(NOW + timedelta(minutes=1))  # the newest draft is listed first
    view = drafts.save_draft(w.db, later, w.lessons["today"], "Дроби и доли", "№ 1, 2")
    assert view is not None and (view.topic, view.homework) == ("Дроби и доли", "№ 1, 2")
    assert len(rows(w)) == 3  # replaced, not added
    got = readmodels.get_draft(w.db, t, w.lessons["today"])
    assert got == view
    assert (got.date, got.number, got.class_title, got.subject) == (
        NOW.date(),
        1,
        "5А",
        "Математика",
    )
    assert (got.current_topic, got.current_homework) == ("", "")
    assert got.lesson_version == got.current_version
    assert readmodels.get_draft(w.db, ct, w.lessons["today"]).topic.startswith("Заметка")
    assert [d.lesson_id for d in readmodels.list_drafts(w.db, t)] == [
        w.lessons["today"],
        w.lessons["late"],
    ]  # newest first
    assert readmodels.get_draft(w.db, w.deputy.at(NOW), w.lessons["today"]) is None


def test_a_draft_never_reaches_the_register_nor_the_audit_log(w: World) -> None:
    t = w.teacher.at(NOW)
    with w.db.read() as s:
        before = (change_counter(s), s.exec(select(func.count()).select_from(Draft)).one())
    drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "№ 1")
    after = lesson(w, "today")
    assert (after.topic, after.homework, after.version) == ("", "", 1)
    with w.db.read() as s:
        assert change_counter(s) == before[0]  # no audit event, no reload elsewhere
    report = verify(w.db)
    assert report.ok, report


def test_reading_or_writing_a_draft_needs_read_access(w: World) -> None:
    other = w.other_teacher.at(NOW)
    with pytest.raises(PermissionDenied, match="Нет доступа к журналу 5А"):
        drafts.save_draft(w.db, other, w.lessons["today"], "чужое", "")
    with pytest.raises(PermissionDenied, match="Нет доступа к журналу 5А"):
        readmodels.get_draft(w.db, other, w.lessons["today"])
    with pytest.raises(PermissionDenied, match="ученика или родителя"):
        drafts.save_draft(w.db, w.student_user.at(NOW), w.lessons["today"], "x", "")
    with pytest.raises(NotFound):
        readmodels.get_draft(w.db, w.teacher.at(NOW), 9999)
    # a read-only reader (the class teacher) may keep a draft of a lesson it cannot save
    assert drafts.save_draft(w.db, w.ct.at(NOW), w.lessons["today"], "заметка", "")
    assert rows(w) == [(w.ct.user_id, w.lessons["today"], "заметка")]


def test_a_draft_equal_to_the_saved_text_is_spent(w: World) -> None:
    t = w.teacher.at(NOW)
    drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "№ 1")
    lessons.set_topic(w.db, t, w.lessons["today"], "Дроби")
    lessons.set_homework(w.db, t, w.lessons["today"], "№ 1")
    assert readmodels.get_draft(w.db, t, w.lessons["today"]) is None
    assert readmodels.list_drafts(w.db, t) == []
    assert drafts.discard_spent_drafts(w.db, t) == 1 and rows(w) == []
    # saving a text equal to the lesson's keeps nothing
    assert drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "№ 1") is None
    assert rows(w) == []


def test_old_drafts_are_not_offered_and_go_with_the_next_save(w: World) -> None:
    old = w.teacher.at(NOW - timedelta(days=DRAFT_KEEP_DAYS + 1))
    drafts.save_draft(w.db, old, w.lessons["locked"], "давнее", "")
    t = w.teacher.at(NOW)
    assert readmodels.list_drafts(w.db, t) == []
    assert readmodels.get_draft(w.db, t, w.lessons["locked"]) is None
    drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "")
    assert rows(w) == [(w.teacher.user_id, w.lessons["today"], "Дроби")]


def test_a_draft_keeps_the_version_it_was_typed_over(w: World) -> None:
    """Someone saved the lesson meanwhile: the draft shows theirs and mine to compare."""
    t = w.teacher.at(NOW)
    drafts.save_draft(w.db, t, w.lessons["today"], "Моя тема", "", lesson_version=1)
    lessons.set_topic(w.db, t, w.lessons["today"], "Их тема")
    got = readmodels.get_draft(w.db, t, w.lessons["today"])
    assert (got.topic, got.current_topic) == ("Моя тема", "Их тема")
    assert (got.lesson_version, got.current_version) == (1, 2)


def test_discard(w: World) -> None:
    t = w.teacher.at(NOW)
    drafts.save_draft(w.db, t, w.lessons["today"], "Дроби", "")
    assert drafts.discard_draft(w.db, w.ct.at(NOW), w.lessons["today"]) is False  # not theirs
    assert drafts.discard_draft(w.db, t, w.lessons["today"]) is True
    assert drafts.discard_draft(w.db, t, w.lessons["today"]) is False
    assert rows(w) == []
