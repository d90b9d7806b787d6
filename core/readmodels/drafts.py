"""A user's drafts: the topic and homework typed for a lesson and not saved.

Only the user's own drafts are read, and only for lessons they may still read.
A draft is *spent* — never offered, and removed by the next draft command
(``core.services.drafts``) — when it adds nothing to the register: each field equals
the lesson's saved text (saved after all) or the text the typing started from (not
touched), or it is older than ``DRAFT_KEEP_DAYS``.  Each draft carries whether the
user may still write the lesson's text (``text_why_not``, the same decision as the
lesson card's): a draft of a lesson locked meanwhile can be read, not saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from zhurnal.core.access import Judge, can_read_lesson, require_read_lesson, why_not
from zhurnal.core.actor import Actor
from zhurnal.core.context import lesson_ctx, lesson_facts
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound
from zhurnal.core.live import reading
from zhurnal.core.models import Course, Draft, Lesson, SchoolClass, Subject
from zhurnal.core.readmodels.views import DraftView
from zhurnal.core.uow import UnitOfWork

DRAFT_KEEP_DAYS = 14
"""Two weeks: past the usual edit lock of a lesson's entries (10 days [004 §3.8]), after
which the text could no longer be saved without a correction anyway."""


def is_spent(draft: Draft, lesson: Lesson, now: datetime) -> bool:
    """The draft adds nothing to the register (every field is saved as typed, or was not
    touched), or it is too old."""
    fields = (
        (draft.topic, lesson.topic, draft.base_topic),
        (draft.homework, lesson.homework, draft.base_homework),
    )
    nothing = all(typed.strip() in (saved.strip(), base.strip()) for typed, saved, base in fields)
    return nothing or now - draft.saved_at > timedelta(days=DRAFT_KEEP_DAYS)


def _why_not(session: Session, actor: Actor, lesson: Lesson) -> str:
    """Whether the user may write the lesson's text now (the lesson card's decision)."""
    uow = UnitOfWork(session, actor, actor.now())
    return why_not(
        Judge.of(uow).lesson_text(lesson_facts(session, lesson_ctx(uow, lesson.id or 0)))
    )


def draft_view(
    draft: Draft,
    lesson: Lesson,
    klass: SchoolClass,
    subject: Subject,
    course: Course,
    text_why_not: str = "",
) -> DraftView:
    return DraftView(
        lesson_id=lesson.id or 0,
        date=lesson.date,
        number=lesson.number,
        class_title=klass.title,
        subject=subject.name,
        subgroup=course.subgroup,
        topic=draft.topic,
        homework=draft.homework,
        saved_at=draft.saved_at,
        lesson_version=draft.lesson_version,
        current_topic=lesson.topic,
        current_homework=lesson.homework,
        current_version=lesson.version,
        base_topic=draft.base_topic,
        base_homework=draft.base_homework,
        text_why_not=text_why_not,
    )


def _rows(
    session: Session,
    actor: Actor,
    lesson_id: int | None = None,
) -> Sequence[tuple[Draft, Lesson, Course, SchoolClass, Subject]]:
    # sqlmodel's select() is typed for at most 4 entities (fastapi/sqlmodel#271)
    query: Select[Draft, Lesson, Course, SchoolClass, Subject] = (
        select(Draft, Lesson, Course, SchoolClass, Subject)  # type: ignore[call-overload]
        .join(Lesson, col(Lesson.id) == Draft.lesson_id)
        .join(Course, col(Course.id) == Lesson.course_id)
        .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
        .join(Subject, col(Subject.id) == Course.subject_id)
        .where(Draft.user_id == actor.user_id)
    )
    if lesson_id is not None:
        query = query.where(Draft.lesson_id == lesson_id)
    return session.exec(query.order_by(col(Draft.saved_at).desc(), col(Draft.id).desc())).all()


def list_drafts(db: Database, actor: Actor) -> list[DraftView]:
    """The user's drafts worth offering back (newest first): not spent, of lessons the
    user may still read — e.g. after a dropped connection, at the next login."""
    now = actor.now()
    with reading(db, actor) as session:
        return [
            draft_view(d, lesson, klass, subject, course, _why_not(session, actor, lesson))
            for d, lesson, course, klass, subject in _rows(session, actor)
            if not is_spent(d, lesson, now)
            and can_read_lesson(session, actor, lesson, course, klass)
        ]


def get_draft(db: Database, actor: Actor, lesson_id: int) -> DraftView | None:
    """The user's draft for the lesson, None if there is none worth offering.

    ``PermissionDenied`` if the user may not read the lesson (``require_read_lesson``).
    """
    now = actor.now()
    with reading(db, actor) as session:
        lesson = session.get(Lesson, lesson_id)
        course = session.get(Course, lesson.course_id) if lesson else None
        klass = session.get(SchoolClass, course.class_id) if course else None
        if lesson is None or course is None or klass is None:
            raise NotFound(f"Урок не найден (№ {lesson_id}).")
        require_read_lesson(session, actor, lesson, course, klass)
        rows = _rows(session, actor, lesson_id)
        if not rows:
            return None
        d, lesson, course, klass, subject = rows[0]
        if is_spent(d, lesson, now):
            return None
        return draft_view(d, lesson, klass, subject, course, _why_not(session, actor, lesson))


__all__ = ["DRAFT_KEEP_DAYS", "draft_view", "get_draft", "is_spent", "list_drafts"]
