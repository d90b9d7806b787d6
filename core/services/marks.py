"""Mark services: assignments (work types), current marks and period marks."""

from __future__ import annotations

from sqlmodel import col, select

from zhurnal.core.access import (
    authorize_lesson_write,
    authorize_period_mark_write,
    enforce,
    student_mark_refusal,
)
from zhurnal.core.actor import Actor
from zhurnal.core.context import (
    group_title,
    lesson_ctx,
    mark_due,
    roster_ids,
    student_at_lesson,
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
from zhurnal.core.uow import UnitOfWork, locking, snapshot, unit_of_work


def _work_type(uow: UnitOfWork, code: str) -> WorkType:
    wt = uow.session.exec(select(WorkType).where(WorkType.code == code)).first()
    if wt is None:
        names = ", ".join(w.code for w in uow.session.exec(select(WorkType)))
        raise ValidationError(f"Вид работы «{code}» не задан в настройках школы ({names}).")
    return wt


def _mark_view(m: Mark) -> MarkView:
    return MarkView(
        m.id or 0, m.assignment_id, m.student_id, m.value, m.late, m.version, m.correction_id
    )


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
        a = Assignment(
            lesson_id=lesson_id,
            work_type_id=wt.id or 0,
            title=check_text(title, "Название задания", 200),
            version=0,
        )
        uow.touch(a)
        uow.session.flush()
        uow.audit(
            "assignment.add",
            "assignment",
            a.id,
            None,
            {"work_type": wt.code, "title": a.title, **state_of(uow.session, "assignment", a)},
            grant.correction_id,
        )
        return assignment_view(a, wt)


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
        row = uow.session.exec(
            select(Assignment, WorkType)
            .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
            .where(Assignment.id == assignment_id)
        ).first()  # one statement; else the steps that say what is missing
        a: Assignment = row[0] if row else uow.get(Assignment, assignment_id, "Задание")
        wt: WorkType = row[1] if row else uow.get(WorkType, a.work_type_id, "Вид работы")
        return _set_mark(uow, a, wt, student_id, value, expected_version, correction_id)


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
        wt = _work_type(uow, work_type_code)
        a = _lesson_column(uow, lesson_id, wt)
        if a is None and value is not None:
            # The first mark of this work type makes the column: take the lesson's row
            # lock and look again, so that two first marks at once make one column
            # (PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE anyway).
            uow.session.exec(select(Lesson.id).where(Lesson.id == lesson_id).with_for_update())
            a = _lesson_column(uow, lesson_id, wt)
        if a is None:
            if value is None:
                return None
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
            a = Assignment(lesson_id=lesson_id, work_type_id=wt.id or 0, version=0)
            uow.touch(a)
            uow.session.flush()
            uow.audit(
                "assignment.add",
                "assignment",
                a.id,
                None,
                {"work_type": wt.code, **state_of(uow.session, "assignment", a)},
                grant.correction_id,
            )
        return _set_mark(uow, a, wt, student_id, value, expected_version, correction_id)


def _lesson_column(uow: UnitOfWork, lesson_id: int, wt: WorkType) -> Assignment | None:
    """The lesson's first assignment of this work type: the grid's column."""
    return uow.session.exec(
        select(Assignment)
        .where(Assignment.lesson_id == lesson_id, Assignment.work_type_id == wt.id)
        .order_by(col(Assignment.id))
    ).first()


def check_lesson_mark(
    uow: UnitOfWork, lesson_id: int, student_id: int, wt: WorkType, value: str
) -> None:
    """Raise what ``set_lesson_mark`` would refuse for this mark, writing nothing: an
    import checks its whole file this way in a read transaction before applying it."""
    ctx = lesson_ctx(uow, lesson_id)
    authorize_lesson_write(
        uow, ctx, "marks", lock_class=wt.lock_class, scope="marks", student_id=student_id
    )
    normalize_mark(uow.policy, value)
    student = student_at_lesson(uow.session, ctx.course, ctx.lesson, student_id)
    enforce(student_mark_refusal(uow.policy, ctx.group, ctx.lesson.date, wt.code, student, True))


def _set_mark(
    uow: UnitOfWork,
    a: Assignment,
    wt: WorkType,
    student_id: int,
    value: str | None,
    expected_version: int | None,
    correction_id: int | None,
) -> MarkView | None:
    ctx = lesson_ctx(uow, a.lesson_id)
    grant = authorize_lesson_write(
        uow,
        ctx,
        "marks",
        lock_class=wt.lock_class,
        scope="marks",
        student_id=student_id,
        correction_id=correction_id,
    )
    normalized = normalize_mark(uow.policy, value) if value is not None else None
    student = student_at_lesson(uow.session, ctx.course, ctx.lesson, student_id)
    enforce(
        student_mark_refusal(
            uow.policy, ctx.group, ctx.lesson.date, wt.code, student, normalized is not None
        )
    )
    mark = uow.session.exec(
        locking(select(Mark).where(Mark.assignment_id == a.id, Mark.student_id == student_id))
    ).first()
    if mark is not None:
        uow.check_version(mark, expected_version, "Отметка", locked=True)
    elif expected_version not in (None, 0):
        raise DomainError("Отметку уже удалил другой пользователь: обновите данные.")
    before = snapshot(mark, "value") if mark else None
    after = {
        "assignment_id": a.id,
        "student_id": student_id,
        "value": normalized,
        "work_type": wt.code,
        "lesson_id": a.lesson_id,
    }
    if normalized is None:
        if mark is None:
            return None
        uow.session.delete(mark)
        uow.audit("mark.clear", "mark", mark.id, before, after, grant.correction_id)
        return None
    if mark is None:
        mark = Mark(
            assignment_id=a.id or 0,
            student_id=student_id,
            value=normalized,
            entered_at=uow.now,
            entered_by_id=uow.actor.user_id or 0,
            version=0,
            late=grant.correction_id is None
            and is_late(uow.now, mark_due(uow, ctx, a.id or 0, wt.code)),
        )
    elif mark.value == normalized:
        return _mark_view(mark)
    mark.value = normalized
    mark.correction_id = grant.correction_id
    uow.touch(mark)
    uow.session.flush()
    after.update(state_of(uow.session, "mark", mark))
    uow.audit("mark.set", "mark", mark.id, before, after, grant.correction_id)
    return _mark_view(mark)


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
