"""Corrections after the edit lock [004 §7].

The initiator (teacher of the course, class teacher, deputy) asks the director
in writing, with a ground and a registered document [004 §7.2–7.3], listing the
locked cells to change, each old -> new (``CellChange``); the director approves
with an end date or rejects with a reason; the deputy enters all the cells at
once, within the end date [004 §7.4] (``apply_correction``), each through the
register's own write with the correction's id — these form the change table
printed with the summary sheet [004 §7.5] (``core.readmodels.change_table``).

The older form, a request that opens a scope (``scope=`` marks, attendance,
lesson, period_marks) for the deputy to write in with ``correction_id=``, still works.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select

from zhurnal.core.access import (
    CELLS,
    applying,
    correction_apply_refusal,
    correction_decide_refusal,
    correction_request_refusal,
    enforce,
)
from zhurnal.core.actor import Actor
from zhurnal.core.audit import append as audit_append
from zhurnal.core.db import Database
from zhurnal.core.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from zhurnal.core.ledger import state_of
from zhurnal.core.models import (
    Correction,
    CorrectionItem,
    Course,
    Lesson,
    Period,
    SchoolClass,
    Student,
)
from zhurnal.core.readmodels.corrections import (
    GROUNDS,
    CorrectionView,
    correction_view,
    list_corrections,
    value_text,
)
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.correction_cells import Cell, CellChange, enter, resolve
from zhurnal.core.uow import UnitOfWork, batch, snapshot, unit_of_work

__all__ = [
    "GROUNDS",
    "SCOPES",
    "CellChange",
    "apply_correction",
    "decide_correction",
    "describe",
    "list_corrections",
    "request_correction",
]

SCOPES = {
    "marks": "текущие отметки",
    "attendance": "посещаемость",
    "lesson": "тема и домашнее задание урока",
    "period_marks": "итоговые отметки",
    CELLS: "записи по списку",
}


def _still_open(uow: UnitOfWork, cell: Cell, course: Course) -> DomainError:
    may_fix = uow.actor.has("teacher") and uow.actor.user_id == course.teacher_id
    who = "исправьте её сами" if may_fix else "её исправляет учитель предмета"
    return DomainError(
        f"«{cell.label}»: запись ещё открыта: {who}; заявка нужна только для закрытых "
        "записей [004 §7.1]."
    )


def _same(cell: Cell, seen: str) -> bool:
    """The value the caller saw is the stored one (codes and marks in any case)."""
    if cell.kind in ("topic", "homework"):
        return seen.strip() == cell.current
    return seen.strip().casefold() == cell.current.casefold()


def _changed(uow: UnitOfWork, c: Correction, cell: Cell, old: str) -> ConflictError:
    """A cell changed since the request: nothing is entered, a new request is needed."""
    exc = uow.conflict(f"«{cell.label}»", cell.row)
    when = exc.when.strftime("%d.%m.%Y %H:%M") if exc.when else "неизвестно когда"
    exc.message = (
        f"Заявка № {c.id}: «{cell.label}» изменена после подачи заявки "
        f"({exc.who or 'другой пользователь'}, {when}): было {value_text(cell.kind, old)}, "
        f"сейчас {value_text(cell.kind, cell.current)}. Ничего не внесено: нужна новая заявка."
    )
    exc.args = (exc.message,)
    return exc


def _locked_request(uow: UnitOfWork, correction_id: int) -> Correction:
    """The request, locked for this transaction (PostgreSQL: a second director or deputy
    waits and then reads the decision made; SQLite's writers are serialised anyway)."""
    c = uow.session.exec(
        select(Correction).where(Correction.id == correction_id).with_for_update()
    ).first()
    if c is None:
        raise NotFound(f"Заявка на исправление не найдена (№ {correction_id}).")
    return c


def _is(column: Any, value: int | None) -> Any:
    return col(column).is_(None) if value is None else col(column) == value


def _open_request_of(uow: UnitOfWork, c: Correction, course: Course, cell: Cell) -> int | None:
    """The number of another open request (awaiting a decision, or approved and still
    valid) that already lists this cell, if any."""
    query = (
        select(Correction.id)
        .join(CorrectionItem, col(CorrectionItem.correction_id) == col(Correction.id))
        .where(
            Correction.course_id == course.id,
            col(Correction.id) != c.id,
            col(Correction.status).in_(("requested", "approved")),
            or_(
                col(Correction.valid_until).is_(None),
                col(Correction.valid_until) >= uow.now.date(),
            ),
            CorrectionItem.kind == cell.kind,
            _is(CorrectionItem.lesson_id, cell.lesson_id),
            _is(CorrectionItem.assignment_id, cell.assignment_id),
            _is(CorrectionItem.period_id, cell.period_id),
            _is(CorrectionItem.student_id, cell.student_id),
        )
        .order_by(col(Correction.id))
    )
    return uow.session.exec(query).first()


def _entry_order(cell: Cell) -> int:
    """Cleared marks, then attendance, then set marks, then the rest: so a request that
    swaps an absence and an answer in class enters whatever order it lists them in."""
    if cell.kind == "mark":
        return 2 if cell.new else 0
    return 1 if cell.kind == "absence" else 3


def _request_cells(
    uow: UnitOfWork, c: Correction, course: Course, cells: Sequence[CellChange]
) -> list[dict[str, Any]]:
    """Read each cell now: locked, changed by the request, as the caller saw it."""
    seen: set[tuple[object, ...]] = set()
    stored: list[dict[str, Any]] = []
    for position, change in enumerate(cells):
        cell = resolve(uow, course, change)
        if cell.key in seen:
            raise ValidationError(f"«{cell.label}» указана в заявке дважды.")
        seen.add(cell.key)
        if (other := _open_request_of(uow, c, course, cell)) is not None:
            raise ValidationError(
                f"«{cell.label}» уже указана в заявке № {other}, которая ещё не внесена: "
                "дождитесь её решения или внесения [004 §7.2]."
            )
        if not cell.locked:
            raise _still_open(uow, cell, course)
        if change.old is not None and not _same(cell, change.old):
            raise uow.conflict(f"«{cell.label}»", cell.row)
        if cell.new == cell.current:
            raise ValidationError(
                f"«{cell.label}»: новое значение совпадает с записанным "
                f"({value_text(cell.kind, cell.current)})."
            )
        item = CorrectionItem(
            correction_id=c.id or 0,
            position=position,
            kind=cell.kind,
            lesson_id=cell.lesson_id,
            assignment_id=cell.assignment_id,
            period_id=cell.period_id,
            student_id=cell.student_id,
            old_value=cell.current,
            new_value=cell.new,
        )
        uow.session.add(item)
        stored.append(
            {
                "kind": cell.kind,
                "what": cell.label,
                "student_id": cell.student_id,
                "old": cell.current,
                "new": cell.new,
            }
        )
    return stored


def request_correction(
    db: Database,
    actor: Actor,
    *,
    course_id: int,
    ground: str,
    document_number: str,
    document_date: date,
    reason: str = "",
    cells: Sequence[CellChange] = (),
    scope: str = "",
    lesson_id: int | None = None,
    period_id: int | None = None,
    student_id: int | None = None,
) -> CorrectionView:
    """Ask the director to change locked cells [004 §7.2]: ``cells`` with their new
    values (the old ones are read now), or (older form) a ``scope`` to open."""
    with unit_of_work(db, actor, "correction.request") as uow:
        course: Course = uow.get(Course, course_id, "Предмет класса")
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        enforce(correction_request_refusal(actor, course.teacher_id, klass.class_teacher_id))
        if cells:
            if scope not in ("", CELLS) or lesson_id or period_id or student_id:
                raise ValidationError("Заявка по списку записей не открывает ещё и раздел.")
            scope = CELLS
        elif scope not in SCOPES or scope == CELLS:
            raise ValidationError(
                f"Неизвестно, что открыть: «{scope}»." if scope else "Укажите, что исправить."
            )
        if ground not in GROUNDS:
            raise ValidationError(f"Неизвестное основание: «{ground}».")
        number = check_text(document_number, "Номер документа", 100)
        if not number:
            raise ValidationError(
                "Укажите номер зарегистрированного документа-основания [004 §7.3]."
            )
        if document_date > uow.now.date():
            raise ValidationError("Дата документа не может быть в будущем.")
        if scope == "period_marks":
            if period_id is None:
                raise ValidationError("Для итоговых отметок укажите учебный период.")
            uow.get(Period, period_id, "Учебный период")
        elif scope != CELLS:
            if lesson_id is None:
                raise ValidationError("Укажите урок, записи которого нужно исправить.")
            lesson: Lesson = uow.get(Lesson, lesson_id, "Урок")
            if lesson.course_id != course_id:
                raise ValidationError("Урок относится к другому предмету или классу.")
        if student_id is not None:
            uow.get(Student, student_id, "Ученик")
        c = Correction(
            requested_by_id=actor.user_id or 0,
            requested_at=uow.now,
            ground=ground,
            reason=check_text(reason, "Обоснование", 1000),
            document_number=number,
            document_date=document_date,
            course_id=course_id,
            lesson_id=lesson_id,
            period_id=period_id,
            student_id=student_id,
            scope=scope,
            version=0,
        )
        uow.touch(c)
        uow.session.flush()
        items = _request_cells(uow, c, course, cells) if cells else []
        after = snapshot(
            c,
            "course_id",
            "lesson_id",
            "period_id",
            "student_id",
            "scope",
            "ground",
            "document_number",
            "document_date",
        )
        uow.session.flush()
        after = {**after, "items": items, **state_of(uow.session, "correction", c)}
        uow.audit("correction.request", "correction", c.id, None, after, c.id)
        uow.session.flush()
        return correction_view(uow.session, actor, c)


def decide_correction(
    db: Database,
    actor: Actor,
    correction_id: int,
    *,
    approve: bool,
    valid_until: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> CorrectionView:
    """The director approves (until a date) or rejects, saying why [004 §7.2]."""
    with unit_of_work(db, actor, "correction.decide") as uow:
        c = _locked_request(uow, correction_id)
        enforce(correction_decide_refusal(actor, c))
        uow.check_version(c, expected_version, "Заявка на исправление")
        if approve:
            if valid_until is None or valid_until < uow.now.date():
                raise ValidationError(
                    "Укажите срок действия разрешения: не раньше сегодняшнего дня."
                )
        text = check_text(note, "Решение", 1000)
        if not approve and not text:
            raise ValidationError("Укажите причину отказа: её увидит автор заявки.")
        before = snapshot(c, "status")
        c.status = "approved" if approve else "rejected"
        c.decided_by_id = actor.user_id
        c.decided_at = uow.now
        c.decision_note = text
        c.valid_until = valid_until if approve else None
        uow.touch(c)
        uow.audit(
            "correction.decide",
            "correction",
            c.id,
            before,
            {"note": c.decision_note, **state_of(uow.session, "correction", c)},
            c.id,
        )
        return correction_view(uow.session, actor, c)


def apply_correction(
    db: Database, actor: Actor, correction_id: int, expected_version: int | None = None
) -> CorrectionView:
    """The deputy enters every cell of an approved request, in one transaction, within
    its end date [004 §7.4]: each through the register's own write with the correction's
    id.  A cell changed since the request is a ``ConflictError`` naming it, and then
    nothing is entered."""
    try:
        with (
            applying(correction_id),
            batch(db),
            unit_of_work(db, actor, "correction.apply") as uow,
        ):
            c = _locked_request(uow, correction_id)
            enforce(correction_apply_refusal(actor, c, uow.now.date()))
            uow.check_version(c, expected_version, "Заявка на исправление")
            course: Course = uow.get(Course, c.course_id, "Предмет класса")
            items = list(
                uow.session.exec(
                    select(CorrectionItem)
                    .where(CorrectionItem.correction_id == c.id)
                    .order_by(col(CorrectionItem.position), col(CorrectionItem.id))
                )
            )
            cells = [resolve(uow, course, item) for item in items]
            for item, cell in zip(items, cells, strict=True):
                if cell.current != item.old_value:
                    raise _changed(uow, c, cell, item.old_value)
            for cell in sorted(cells, key=_entry_order):
                try:
                    enter(db, actor, c, cell)
                except ConflictError:
                    raise
                except DomainError as exc:
                    raise type(exc)(f"«{cell.label}»: {exc.message}") from exc
            before = snapshot(c, "status")
            c.status = "applied"
            c.applied_by_id = actor.user_id
            c.applied_at = uow.now
            uow.touch(c)
            uow.audit(
                "correction.apply",
                "correction",
                c.id,
                before,
                {"items": len(items), **state_of(uow.session, "correction", c)},
                c.id,
            )
            uow.session.flush()
            return correction_view(uow.session, actor, c)
    except PermissionDenied as exc:  # the batch is rolled back; the refusal still leaves a trace
        with db.write() as session:
            audit_append(
                session,
                ts=actor.now(),
                actor_id=actor.user_id,
                actor_login=actor.login,
                action="denied",
                entity="correction.apply",
                after={"reason": exc.message},
            )
        raise


def describe(c: CorrectionView) -> str:
    until = f", до {fmt_date(c.valid_until)}" if c.valid_until else ""
    return (
        f"№ {c.id}: {SCOPES.get(c.scope, c.scope)} — {GROUNDS.get(c.ground, c.ground)}, "
        f"документ № {c.document_number} от {fmt_date(c.document_date)}{until}"
    )
