"""Mark services: assignments (work types), current marks and period marks."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select

from zhurnal.core.access import (
    authorize_facts,
    authorize_lesson_write,
    authorize_period_mark_write,
    enforce,
    student_mark_refusal,
)
from zhurnal.core.actor import Actor
from zhurnal.core.context import (
    StoredMark,
    group_title,
    lesson_ctx,
    lesson_target,
    mark_due,
    mark_target,
    roster_ids,
    student_missing,
)
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.ledger import state_of
from zhurnal.core.models import (
    Assignment,
    Course,
    Lesson,
    Mark,
    Period,
    PeriodMark,
    SchoolClass,
    Student,
    WorkType,
)
from zhurnal.core.readmodels.lessons import assignment_view
from zhurnal.core.readmodels.views import AssignmentView, MarkView, PeriodMarkView
from zhurnal.core.rules import (
    check_period_value,
    check_text,
    is_late,
    normalize_mark,
    not_enrolled,
)
from zhurnal.core.uow import UnitOfWork, plain, snapshot, unit_of_work


def _work_type(uow: UnitOfWork, code: str) -> WorkType:
    wt = uow.session.exec(select(WorkType).where(WorkType.code == code)).first()
    if wt is None:
        names = ", ".join(w.code for w in uow.session.exec(select(WorkType)))
        raise ValidationError(f"Вид работы «{code}» не задан в настройках школы ({names}).")
    return wt


def add_assignment(
    db: Database,
    actor: Actor,
    lesson_id: int,
    work_type_code: str,
    title: str = "",
    *,
    correction_id: int | None = None,
) -> AssignmentView:
    """A task of the lesson with its work type (the column marks go into)."""
    with unit_of_work(db, actor, "assignment.add") as uow:
        ctx = lesson_ctx(uow, lesson_id)
        wt = _work_type(uow, work_type_code)
        grant = authorize_lesson_write(
            uow,
            ctx,
            "work_types",
            lock_class=wt.lock_class,
            scope="marks",
            correction_id=correction_id,
        )
        a = _new_column(
            uow, lesson_id, wt, check_text(title, "Название задания", 200), grant.correction_id
        )
        return assignment_view(a, wt)


def _new_column(
    uow: UnitOfWork, lesson_id: int, wt: WorkType, title: str, correction_id: int | None
) -> Assignment:
    """An assignment of the lesson with this work type, written and audited."""
    a = Assignment(lesson_id=lesson_id, work_type_id=wt.id or 0, title=title, version=0)
    uow.touch(a)
    uow.session.flush()
    uow.audit(
        "assignment.add",
        "assignment",
        a.id,
        None,
        {"work_type": wt.code, "title": a.title, **state_of(uow.session, "assignment", a)},
        correction_id,
    )
    return a


def remove_assignment(db: Database, actor: Actor, assignment_id: int) -> None:
    with unit_of_work(db, actor, "assignment.remove") as uow:
        a: Assignment = uow.get(Assignment, assignment_id, "Задание")
        wt: WorkType = uow.get(WorkType, a.work_type_id, "Вид работы")
        ctx = lesson_ctx(uow, a.lesson_id)
        authorize_lesson_write(uow, ctx, "work_types", lock_class=wt.lock_class, scope="marks")
        if uow.session.exec(select(Mark.id).where(Mark.assignment_id == assignment_id)).first():
            raise DomainError("По заданию уже стоят отметки: сначала удалите их.")
        uow.session.delete(a)
        uow.audit(
            "assignment.remove",
            "assignment",
            assignment_id,
            {"lesson_id": a.lesson_id, "work_type": wt.code},
            None,
        )


def set_mark(
    db: Database,
    actor: Actor,
    assignment_id: int,
    student_id: int,
    value: str | None,
    *,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> MarkView | None:
    """Set or clear (None) a student's mark for an assignment.

    Refused for a student absent from the whole lesson (Н, Б, УП) when the work type is
    oral and ``marks.oral_requires_presence`` is on; other work types (written work
    handed in after an absence) and clearing a mark stay allowed.

    ``expected_version`` is the version the caller saw (0 = the cell was empty);
    a different one is a ``ConflictError`` naming who changed the mark and when.
    """
    with unit_of_work(db, actor, "mark.set") as uow:
        return _save_mark(uow, assignment_id, student_id, value, expected_version, correction_id)


def set_lesson_mark(
    db: Database,
    actor: Actor,
    lesson_id: int,
    student_id: int,
    work_type_code: str,
    value: str | None,
    *,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> MarkView | None:
    """A mark for the lesson's assignment of this work type, created on first use.

    This is what the grid and the CSV import call: one call, one transaction.
    The decisions are ``Judge.marks`` and ``student_mark_refusal`` (``core.access``), the
    very ones the gradebook shows as ``Column.why_not`` and ``Gradebook.cell_why_not``.
    """
    with unit_of_work(db, actor, "mark.set") as uow:
        column = _lesson_column(uow, lesson_id, work_type_code)
        if column is None:
            wt = _work_type(uow, work_type_code)
            if value is None:
                return None
            # The first mark of this work type makes the column: take the lesson's row
            # lock and look again, so that two first marks at once make one column
            # (PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE anyway).
            uow.session.exec(select(Lesson.id).where(Lesson.id == lesson_id).with_for_update())
            column = _lesson_column(uow, lesson_id, work_type_code)
            if column is None:
                column = _add_column(uow, lesson_id, wt, student_id, correction_id)
        return _save_mark(uow, column, student_id, value, expected_version, correction_id)


def _add_column(
    uow: UnitOfWork, lesson_id: int, wt: WorkType, student_id: int, correction_id: int | None
) -> int:
    """The lesson's column of this work type, made for its first mark."""
    ctx = lesson_ctx(uow, lesson_id)
    grant = authorize_lesson_write(
        uow,
        ctx,
        "marks",
        lock_class=wt.lock_class,
        scope="marks",
        student_id=student_id,
        correction_id=correction_id,
    )
    return _new_column(uow, lesson_id, wt, "", grant.correction_id).id or 0


_COLUMN = (
    sa_select(col(Assignment.id))
    .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
    .where(
        col(Assignment.lesson_id) == bindparam("lesson_id"), col(WorkType.code) == bindparam("code")
    )
    .order_by(col(Assignment.id))
    .limit(1)
)


def _lesson_column(uow: UnitOfWork, lesson_id: int, work_type_code: str) -> int | None:
    """The lesson's first assignment of this work type: the grid's column."""
    return (
        plain(uow.session)
        .execute(_COLUMN, {"lesson_id": lesson_id, "code": work_type_code})
        .scalar()
    )


def check_lesson_mark(
    uow: UnitOfWork, lesson_id: int, student_id: int, wt: WorkType, value: str
) -> None:
    """Raise what ``set_lesson_mark`` would refuse for this mark, writing nothing: an
    import checks its whole file this way in a read transaction before applying it."""
    course_id, facts, student = lesson_target(uow, lesson_id, student_id)
    authorize_facts(
        uow,
        facts,
        course_id,
        "marks",
        lock_class=wt.lock_class,
        scope="marks",
        student_id=student_id,
    )
    normalize_mark(uow.policy, value)
    if student is None:
        raise student_missing(student_id)
    enforce(student_mark_refusal(uow.policy, facts.group, facts.date, wt.code, student, True))


_MARKS = Mark.__table__  # type: ignore[attr-defined]
# A save is the school's commonest write: its statements are built once, and it writes
# with plain statements, not ORM objects.  Each change is ``… WHERE id = :id AND version =
# :seen`` (the optimistic check made atomic, as ``models.Versioned`` makes the ORM's): no
# row means another session changed the mark since it was read.
_UPDATE_MARK = (
    update(_MARKS)
    .where(_MARKS.c.id == bindparam("m_id"), _MARKS.c.version == bindparam("seen"))
    .values(
        value=bindparam("m_value"),
        version=bindparam("m_version"),
        updated_at=bindparam("m_at"),
        updated_by_id=bindparam("m_by"),
        correction_id=bindparam("m_correction"),
    )
)
_DELETE_MARK = delete(_MARKS).where(
    _MARKS.c.id == bindparam("m_id"), _MARKS.c.version == bindparam("seen")
)
_INSERT_MARK = insert(_MARKS)
_MARK_NOW = sa_select(_MARKS.c.updated_by_id, _MARKS.c.updated_at).where(
    _MARKS.c.assignment_id == bindparam("a_id"), _MARKS.c.student_id == bindparam("s_id")
)


class _Raced(Exception):
    """Another session changed or removed the mark between this save's read and write."""


RACE_TRIES = 10


def _save_mark(
    uow: UnitOfWork,
    assignment_id: int,
    student_id: int,
    value: str | None,
    expected_version: int | None,
    correction_id: int | None,
) -> MarkView | None:
    """Set or clear one stored mark: the decisions of ``Judge.marks`` and
    ``student_mark_refusal`` on ``context.mark_target``'s facts, then the write and its
    audit event.  A caller that named no version (an import's row, a correction's cell)
    writes over a concurrent change, read afresh (PostgreSQL; SQLite's writers are
    serialised): as the ORM path did, which waited for the row's lock and read it again."""
    for attempt in range(1, RACE_TRIES + 1):
        try:
            return _save_mark_once(
                uow, assignment_id, student_id, value, expected_version, correction_id
            )
        except _Raced:
            if expected_version is not None or attempt == RACE_TRIES:
                raise _conflict(uow, assignment_id, student_id) from None
    raise AssertionError("unreachable")


def _save_mark_once(
    uow: UnitOfWork,
    assignment_id: int,
    student_id: int,
    value: str | None,
    expected_version: int | None,
    correction_id: int | None,
) -> MarkView | None:
    t = mark_target(uow, assignment_id, student_id)
    grant = authorize_facts(
        uow,
        t.facts,
        t.course_id,
        "marks",
        lock_class=t.lock_class,
        scope="marks",
        student_id=student_id,
        correction_id=correction_id,
    )
    normalized = normalize_mark(uow.policy, value) if value is not None else None
    if t.student is None:
        raise student_missing(student_id)
    enforce(
        student_mark_refusal(
            uow.policy, t.facts.group, t.facts.date, t.work_type, t.student, normalized is not None
        )
    )
    mark = t.mark
    if mark is not None:
        if expected_version is not None and mark.version != expected_version:
            raise uow.conflict("Отметка", mark)
    elif expected_version not in (None, 0):
        raise DomainError("Отметку уже удалил другой пользователь: обновите данные.")
    if mark is not None and mark.value == normalized:
        return _view(mark)
    before = {"value": mark.value} if mark is not None else None
    after: dict[str, Any] = {
        "assignment_id": assignment_id,
        "student_id": student_id,
        "value": normalized,
        "work_type": t.work_type,
        "lesson_id": t.facts.lesson_id,
    }
    conn = uow.session.connection()
    if normalized is None:
        if mark is None:
            return None
        _written(conn.execute(_DELETE_MARK, {"m_id": mark.id, "seen": mark.version}))
        _forget(uow, mark.id, deleted=True)
        uow.audit("mark.clear", "mark", mark.id, before, after, grant.correction_id)
        return None
    if mark is None:
        late = grant.correction_id is None and is_late(
            uow.now, mark_due(uow, t.facts.date, assignment_id, t.work_type)
        )
        row = {
            "assignment_id": assignment_id,
            "student_id": student_id,
            "value": normalized,
            "entered_at": uow.now,
            "entered_by_id": uow.actor.user_id or 0,
            "late": late,
            "correction_id": grant.correction_id,
            "version": 1,
            "updated_at": uow.now,
            "updated_by_id": uow.actor.user_id,
        }
        inserted = conn.execute(_INSERT_MARK, row).inserted_primary_key
        assert inserted is not None
        mark = StoredMark(
            inserted[0], assignment_id, student_id, normalized, 1, late, uow.now,
            uow.actor.user_id or 0, grant.correction_id, uow.now, uow.actor.user_id,
        )  # fmt: skip
    else:
        changed = conn.execute(
            _UPDATE_MARK,
            {
                "m_id": mark.id,
                "seen": mark.version,
                "m_value": normalized,
                "m_version": mark.version + 1,
                "m_at": uow.now,
                "m_by": uow.actor.user_id,
                "m_correction": grant.correction_id,
            },
        )
        _written(changed)
        _forget(uow, mark.id)
        mark = replace(
            mark,
            value=normalized,
            version=mark.version + 1,
            correction_id=grant.correction_id,
            updated_at=uow.now,
            updated_by_id=uow.actor.user_id,
        )
    after.update(state_of(uow.session, "mark", mark))
    uow.audit("mark.set", "mark", mark.id, before, after, grant.correction_id)
    return _view(mark)


def _view(mark: StoredMark) -> MarkView:
    return MarkView(
        mark.id, mark.assignment_id, mark.student_id, mark.value, mark.late, mark.version,
        mark.correction_id,
    )  # fmt: skip


def _written(result: Any) -> None:
    """No row changed: another session changed or removed the mark since it was read (on
    PostgreSQL the ``UPDATE`` waited for it)."""
    if not result.rowcount:
        raise _Raced


def _conflict(uow: UnitOfWork, assignment_id: int, student_id: int) -> DomainError:
    """The refusal of a save that lost its race: a ``ConflictError`` naming who changed
    the mark, or that it was removed."""
    now = (
        uow.session.connection()
        .execute(_MARK_NOW, {"a_id": assignment_id, "s_id": student_id})
        .first()
    )
    if now is None:
        return DomainError("Отметку уже удалил другой пользователь: обновите данные.")
    return uow.conflict("Отметка", SimpleNamespace(updated_by_id=now[0], updated_at=now[1]))


def _forget(uow: UnitOfWork, mark_id: int, *, deleted: bool = False) -> None:
    """A ``Mark`` object this session holds is out of date after a plain write: read it
    afresh if used again, or drop it once the row is gone."""
    held = uow.session.identity_map.get(identity_key(Mark, mark_id))
    if held is None:
        return
    if deleted:
        uow.session.expunge(held)
    else:
        uow.session.expire(held)


def set_period_mark(
    db: Database,
    actor: Actor,
    course_id: int,
    student_id: int,
    period_id: int,
    value: str | None,
    *,
    expected_version: int | None = None,
    correction_id: int | None = None,
) -> PeriodMarkView | None:
    """Quarter/half-year/year mark [004 §3.9, §3.10]; «н/оц» and «осв» in grade 1 [004 §3.5]."""
    with unit_of_work(db, actor, "period_mark.set") as uow:
        course: Course = uow.get(Course, course_id, "Предмет класса")
        uow.touches(course_id)
        klass: SchoolClass = uow.get(SchoolClass, course.class_id, "Класс")
        period: Period = uow.get(Period, period_id, "Учебный период")
        if period.year_id != klass.year_id or (
            period.kind in ("quarter", "half") and period.scheme != klass.period_scheme
        ):
            raise ValidationError(f"{period.name} не относится к учебным периодам {klass.title}.")
        grant = authorize_period_mark_write(
            uow, course, klass, period, student_id=student_id, correction_id=correction_id
        )
        normalized = (
            check_period_value(uow.policy, klass.grade, period.kind, value)
            if value is not None
            else None
        )
        student: Student = uow.get(Student, student_id, "Ученик")
        day = min(max(uow.now.date(), period.start), period.end)  # the day it is given for
        if student_id not in roster_ids(uow.session, course, day):
            raise not_enrolled(student.full_name, group_title(klass.title, course.subgroup), day)
        row = uow.session.exec(
            select(PeriodMark).where(
                PeriodMark.course_id == course_id,
                PeriodMark.student_id == student_id,
                PeriodMark.period_id == period_id,
            )
        ).first()
        if row is not None:
            uow.check_version(row, expected_version, "Итоговая отметка")
        elif expected_version not in (None, 0):
            raise DomainError("Итоговую отметку уже удалили: обновите данные.")
        before = snapshot(row, "value") if row else None
        after = {
            "course_id": course_id,
            "student_id": student_id,
            "period_id": period_id,
            "value": normalized,
        }
        if normalized is None:
            if row is not None:
                uow.session.delete(row)
                uow.audit(
                    "period_mark.clear", "period_mark", row.id, before, after, grant.correction_id
                )
            return None
        if row is None:
            row = PeriodMark(
                course_id=course_id,
                student_id=student_id,
                period_id=period_id,
                value=normalized,
                entered_at=uow.now,
                entered_by_id=actor.user_id or 0,
                version=0,
            )
        row.value = normalized
        row.correction_id = grant.correction_id
        uow.touch(row)
        uow.session.flush()
        after.update(state_of(uow.session, "period_mark", row))
        uow.audit("period_mark.set", "period_mark", row.id, before, after, grant.correction_id)
        return PeriodMarkView(
            row.id or 0, course_id, student_id, period_id, row.value, row.version, row.correction_id
        )
