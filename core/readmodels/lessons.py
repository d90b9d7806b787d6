"""Read models of lessons: the day's timetable, the lesson card, the attendance list.

Each query checks that the user may read the course, and carries the decisions of
``core.access`` for that user (``LessonView.*_why_not``, ``AttendanceRow``).
``lesson_view`` is also what the lesson commands return after a write.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, and_, col, func, or_, select

from zhurnal.core import audit
from zhurnal.core.access import Judge, require_read_lesson, student_absence_refusal, why_not
from zhurnal.core.actor import Actor
from zhurnal.core.context import (
    LessonCtx,
    StudentAtLesson,
    deadlines,
    lesson_ctx,
    lesson_facts,
    roster,
    roster_ids,
)
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import Absence, Assignment, Course, Lesson, Mark, PlanItem, WorkType
from zhurnal.core.policy import Policy
from zhurnal.core.readmodels.views import (
    AssignmentView,
    AttendanceRow,
    LessonCard,
    LessonView,
    PlanOffer,
)
from zhurnal.core.rules import (
    forced_homework,
    grade1_homework_explanation,
    grade1_marks_refusal,
)
from zhurnal.core.uow import UnitOfWork


def next_moment(now: datetime, *moments: datetime) -> datetime | None:
    """The first of ``moments`` still to come (None: all have passed)."""
    return min((m for m in moments if m > now), default=None)


def checked_due_text(policy: Policy) -> str:
    """«отметки за письменные работы — в день окончания проверки [002 §2.5]» when the
    policy marks some work types after checking (``due = "checked"``), else ""."""
    if not any(w.due == "checked" for w in policy.work_types):
        return ""
    return (
        f"отметки за письменные работы — в день окончания проверки{policy.cite('work_types.due')}"
    )


def lesson_view(uow: UnitOfWork, ctx: LessonCtx) -> LessonView:
    """The lesson with the decisions of ``uow.actor`` at ``uow.now``."""
    lesson, policy = ctx.lesson, uow.policy
    entry, homework_due = deadlines(uow, ctx)
    marks = uow.session.exec(
        select(func.count(col(Mark.id))).join(Assignment).where(Assignment.lesson_id == lesson.id)
    ).one()
    absences = uow.session.exec(
        select(func.count(col(Absence.id))).where(Absence.lesson_id == lesson.id)
    ).one()
    judge = Judge.of(uow)
    facts = lesson_facts(uow.session, ctx)
    forced = forced_homework(policy, ctx.grade)
    missing = (
        not lesson.topic
        or (forced is None and not lesson.homework)
        or lesson.attendance_taken_at is None
    )
    lock_at = judge.lock_at(lesson.date, "current")
    return LessonView(
        id=lesson.id or 0,
        course_id=ctx.course.id or 0,
        date=lesson.date,
        number=lesson.number,
        class_title=ctx.klass.title,
        subject=ctx.subject.name,
        subgroup=ctx.course.subgroup,
        room=lesson.room,
        topic=lesson.topic,
        homework=lesson.homework,
        held_by_id=lesson.held_by_id,
        attendance_taken_at=lesson.attendance_taken_at,
        topic_late=lesson.topic_late,
        homework_late=lesson.homework_late,
        attendance_late=lesson.attendance_late,
        version=lesson.version,
        entry_deadline=entry,
        homework_deadline=homework_due if forced is None and homework_due != entry else None,
        lock_at=lock_at,
        checked_due=checked_due_text(policy) if forced is None else "",
        keeper=facts.keeper,
        substitute=lesson.held_by_id not in (None, ctx.course.teacher_id),
        marks_count=marks,
        absences_count=absences,
        text_why_not=why_not(judge.lesson_text(facts)),
        attendance_why_not=why_not(judge.attendance(facts)),
        marks_why_not=why_not(grade1_marks_refusal(policy, ctx.grade)),
        work_types_why_not=why_not(judge.work_types(facts)),
        forced_homework=forced,
        forced_homework_why=grade1_homework_explanation(policy) if forced is not None else "",
        overdue=uow.now > entry and missing,
        locked=uow.now >= lock_at,
        valid_until=next_moment(uow.now, ctx.start, entry, homework_due, lock_at),
    )


def _plan_sequence(session: Session, course_id: int) -> list[PlanItem]:
    items = session.exec(
        select(PlanItem).where(PlanItem.course_id == course_id).order_by(col(PlanItem.position))
    )
    return [item for item in items for _ in range(max(1, item.hours))]


def suggested_plan_item(session: Session, lesson: Lesson) -> PlanItem | None:
    """The next КТП topic: the plan position after the earlier lessons that used one."""
    used = session.exec(
        select(func.count(col(Lesson.id))).where(
            Lesson.course_id == lesson.course_id,
            Lesson.plan_item_id != None,  # noqa: E711
            (Lesson.date < lesson.date)
            | ((Lesson.date == lesson.date) & (Lesson.number < lesson.number)),
        )
    ).one()
    sequence = _plan_sequence(session, lesson.course_id)
    return sequence[used] if used < len(sequence) else None


def assignment_view(a: Assignment, wt: WorkType) -> AssignmentView:
    return AssignmentView(
        a.id or 0, a.lesson_id, wt.code, wt.name, wt.weight, wt.lock_class, a.title, a.version
    )


def _readable_ctx(session: Session, actor: Actor, lesson_id: int) -> tuple[UnitOfWork, LessonCtx]:
    uow = UnitOfWork(session, actor, actor.now())
    ctx = lesson_ctx(uow, lesson_id)
    require_read_lesson(session, actor, ctx.lesson, ctx.course, ctx.klass)
    return uow, ctx


def _assignments(session: Session, lesson_id: int) -> list[AssignmentView]:
    rows = session.exec(
        select(Assignment, WorkType)
        .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
        .where(Assignment.lesson_id == lesson_id)
        .order_by(col(Assignment.id))
    )
    return [assignment_view(a, wt) for a, wt in rows]


# --- queries ------------------------------------------------------------------------------


def my_lessons(db: Database, actor: Actor, day: date) -> list[LessonView]:
    """The actor's lessons of a day in bell order: own courses and substitutions (a
    cancelled lesson is not among them)."""
    with reading(db, actor) as session:
        uow = UnitOfWork(session, actor, actor.now())
        ids = session.exec(
            select(Lesson.id)
            .join(Course, col(Course.id) == Lesson.course_id)
            .where(
                Lesson.date == day,
                Lesson.cancelled == False,  # noqa: E712 - SQL
                or_(
                    Lesson.held_by_id == actor.user_id,
                    and_(col(Course.teacher_id) == actor.user_id, col(Lesson.held_by_id).is_(None)),
                ),
            )
            .order_by(col(Lesson.number))
        ).all()
        return [lesson_view(uow, lesson_ctx(uow, lesson_id or 0)) for lesson_id in ids]


def change_counter(db: Database) -> int:
    """Grows with every committed change; screens poll it to refresh."""
    with db.read() as session:
        return audit.change_counter(session)


def course_changes(
    db: Database, seen: int, course_id: int, *, actor_id: int | None = None, applied: int = 0
) -> tuple[int, bool]:
    """The newest change, and whether any change since ``seen`` may concern the course
    and is not one of the ``applied`` saves the screen made itself (``audit.course_changes``):
    a course's screens poll this instead of every change."""
    with db.read() as session:
        return audit.course_changes(session, seen, course_id, actor_id=actor_id, applied=applied)


def lesson_counts(db: Database, lesson_id: int) -> tuple[int, int]:
    with db.read() as session:
        marks = session.exec(
            select(func.count(col(Mark.id)))
            .join(Assignment)
            .where(Assignment.lesson_id == lesson_id)
        ).one()
        absences = session.exec(
            select(func.count(col(Absence.id))).where(Absence.lesson_id == lesson_id)
        ).one()
        return marks, absences


def get_lesson(db: Database, actor: Actor, lesson_id: int) -> tuple[LessonView, str | None]:
    """The lesson and the next КТП topic offered for it (read only)."""
    with reading(db, actor) as session:
        uow, ctx = _readable_ctx(session, actor, lesson_id)
        item = suggested_plan_item(session, ctx.lesson)
        return lesson_view(uow, ctx), (item.topic if item else None)


def lesson_roster_ids(db: Database, actor: Actor, lesson_id: int) -> set[int]:
    with reading(db, actor) as session:
        _, ctx = _readable_ctx(session, actor, lesson_id)
        return roster_ids(session, ctx.course, ctx.lesson.date)


def lesson_attendance(db: Database, actor: Actor, lesson_id: int) -> list[AttendanceRow]:
    """The lesson's roster on its date (class, subgroup), sorted by name, with absences and
    whether each student may be marked absent from the whole lesson."""
    with reading(db, actor) as session:
        uow, ctx = _readable_ctx(session, actor, lesson_id)
        absences = {
            a.student_id: a
            for a in session.exec(select(Absence).where(Absence.lesson_id == lesson_id))
        }
        marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for sid, wt_code, value in session.exec(
            select(Mark.student_id, WorkType.code, Mark.value)
            .join(Assignment, col(Assignment.id) == Mark.assignment_id)
            .join(WorkType, col(WorkType.id) == Assignment.work_type_id)
            .where(Assignment.lesson_id == lesson_id)
            .order_by(col(Assignment.id))
        ):
            marks[sid].append((wt_code, value))
        group, day = ctx.group, ctx.lesson.date
        result = []
        for student in roster(session, ctx.course, day):
            sid = student.id or 0
            absence = absences.get(sid)
            code = absence.code if absence else None
            refusal = student_absence_refusal(
                uow.policy,
                group,
                day,
                StudentAtLesson(sid, student.full_name, True, code),
                "Н",
                marks.get(sid, []),
            )
            result.append(
                AttendanceRow(
                    sid,
                    student.full_name,
                    code,
                    absence.version if absence else 0,
                    why_not(refusal),
                )
            )
        return result


def lesson_assignments(db: Database, actor: Actor, lesson_id: int) -> list[AssignmentView]:
    """The lesson's assignments (its work types) in the order they were added."""
    with reading(db, actor) as session:
        _readable_ctx(session, actor, lesson_id)
        return _assignments(session, lesson_id)


def work_types(db: Database) -> list[tuple[str, str, float]]:
    """The school's work types as (code, name, weight), in the policy's order."""
    with db.read() as session:
        return [
            (wt.code, wt.name, wt.weight)
            for wt in session.exec(select(WorkType).order_by(col(WorkType.id)))
        ]


def lesson_card(db: Database, actor: Actor, lesson_id: int) -> LessonCard:
    """The lesson (with what the actor may change), its КТП topic and its assignments."""
    with reading(db, actor) as session:
        uow, ctx = _readable_ctx(session, actor, lesson_id)
        lesson = ctx.lesson
        linked = lesson.plan_item_id is not None
        item = session.get(PlanItem, lesson.plan_item_id) if linked else None
        if item is None:
            linked = False
            item = suggested_plan_item(session, lesson)
        return LessonCard(
            lesson=lesson_view(uow, ctx),
            starts_at=ctx.start,
            ends_at=ctx.end,
            plan=PlanOffer(item.id or 0, item.position, item.topic) if item else None,
            plan_linked=linked,
            assignments=tuple(_assignments(session, lesson_id)),
        )
