"""Drafts: nothing typed is lost (a dropped connection, a quit, the idle lock).

A draft is the topic and homework one user typed for one lesson and did not save,
kept per user and lesson (one row, replaced on each save) with the moment it was
saved and the lesson's version it was typed over.  These services never write the
lesson: the register changes only through ``set_topic`` / ``set_homework`` when
the teacher saves (Ctrl+S).  Saving or reading a draft requires that the user
may read the lesson; discarding one's own draft is always possible.

Drafts are not audited, on purpose: they are personal scratch, not facts of the
register (no one else reads them, nothing is decided on them), a screen may save
one every few seconds while the teacher types — that would flood the hash-chained
log with noise — and every audit event moves the change counter, which would
make every other session reload its screen.  What the teacher finally saves is
audited as always; ``zhurnal verify`` does not look at drafts.

Old drafts go by themselves: a draft whose text equals the lesson's saved text
(saved after all) or older than ``DRAFT_KEEP_DAYS`` is *spent* — never offered
(``core.readmodels.drafts``) and deleted by the next ``save_draft`` or
``discard_spent_drafts`` of that user; saving a draft equal to the lesson's text
deletes it at once.
"""

from __future__ import annotations

from sqlmodel import col, select

from zhurnal.core.access import require_read_course
from zhurnal.core.actor import Actor
from zhurnal.core.context import lesson_ctx
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Draft, Lesson
from zhurnal.core.readmodels.drafts import draft_view, is_spent
from zhurnal.core.readmodels.views import DraftView
from zhurnal.core.uow import UnitOfWork, unit_of_work

DRAFT_LIMIT = 10_000
"""Characters per field: far above what a form takes, a guard against junk."""


def _prune(uow: UnitOfWork) -> int:
    rows = uow.session.exec(
        select(Draft, Lesson)
        .join(Lesson, col(Lesson.id) == Draft.lesson_id)
        .where(Draft.user_id == uow.actor.user_id)
    ).all()
    spent = [d for d, lesson in rows if is_spent(d, lesson, uow.now)]
    for d in spent:
        uow.session.delete(d)
    return len(spent)


def save_draft(
    db: Database,
    actor: Actor,
    lesson_id: int,
    topic: str,
    homework: str,
    *,
    lesson_version: int | None = None,
    base: tuple[str, str] | None = None,
) -> DraftView | None:
    """Keep (or replace) the user's unsaved text of the lesson; returns it, or None when
    the text equals the lesson's saved text (then there is nothing to keep and an older
    draft is removed).  ``lesson_version``: the lesson's version the text was typed over
    (default: the current one); ``base``: the lesson's (topic, homework) the typing
    started from (default: the current ones).  The user's spent drafts are removed on the
    way."""
    for text, what in ((topic, "Тема урока"), (homework, "Домашнее задание")):
        if len(text) > DRAFT_LIMIT:
            raise ValidationError(f"{what}: слишком длинный текст для черновика.")
    with unit_of_work(db, actor, "draft.save") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        require_read_course(uow.session, actor, ctx.course, ctx.klass)
        row = uow.session.exec(
            select(Draft).where(Draft.user_id == actor.user_id, Draft.lesson_id == lesson_id)
        ).first()
        if row is None:
            row = Draft(user_id=actor.user_id or 0, lesson_id=lesson_id, saved_at=uow.now)
        row.topic, row.homework, row.saved_at = topic, homework, uow.now
        row.lesson_version = ctx.lesson.version if lesson_version is None else lesson_version
        row.base_topic, row.base_homework = (
            (ctx.lesson.topic, ctx.lesson.homework) if base is None else base
        )
        spent = is_spent(row, ctx.lesson, uow.now)
        if spent and row.id is not None:
            uow.session.delete(row)
        elif not spent:
            uow.session.add(row)
        uow.session.flush()
        _prune(uow)
        if spent:
            return None
        return draft_view(row, ctx.lesson, ctx.klass, ctx.subject, ctx.course)


def discard_draft(db: Database, actor: Actor, lesson_id: int) -> bool:
    """Remove the user's draft of the lesson (after Ctrl+S, or «не сохранять»); True if
    there was one."""
    with unit_of_work(db, actor, "draft.discard") as uow:
        row = uow.session.exec(
            select(Draft).where(Draft.user_id == actor.user_id, Draft.lesson_id == lesson_id)
        ).first()
        if row is None:
            return False
        uow.session.delete(row)
        return True


def discard_spent_drafts(db: Database, actor: Actor) -> int:
    """Remove the user's spent drafts (e.g. at login); returns how many."""
    with unit_of_work(db, actor, "draft.prune") as uow:
        return _prune(uow)
