"""Dividing a class into subgroups for a subject, from a date [004 §5 «Заместитель
директора»: «в начале каждого учебного периода … проводит разделение классов на
подгруппы»; «Учитель-предметник»: «при делении класса по предмету на подгруппы
определяет состав подгрупп совместно с классным руководителем»].

A subgroup is a course of the class with a subgroup name («1 гр.», «2 гр.»); a pupil
belongs to one subgroup of a subject at a time (``SubgroupMember``, dated).  A new split
applies from a date: a pupil whose group changes leaves the old one the day before and
joins the new one that day, so the marks and absences already in the old group's
register stay there.  A membership that would start on or after the date is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Course, SchoolClass, Student, SubgroupMember, Subject
from zhurnal.core.rules import fmt_date
from zhurnal.core.services.school import (
    SUBGROUP_ONLY,
    SUBGROUP_ROLES,
    _is_enrolled,
    _open_year,
)
from zhurnal.core.uow import require, unit_of_work


@dataclass(frozen=True)
class SplitResult:
    """How many pupils changed group from the date and how many were already there."""

    changed: int
    unchanged: int


def set_subgroups(
    db: Database,
    actor: Actor,
    class_id: int,
    subject_id: int,
    groups: dict[int, int | None],
    from_date: date,
) -> SplitResult:
    """Put each pupil of ``groups`` (student id -> the subgroup's course id, or None: in
    no subgroup) into that subgroup of the subject from ``from_date`` (see the module).
    All or nothing: one refused pupil refuses the whole split."""
    with unit_of_work(db, actor, "subgroup.split") as uow:
        require(actor.has(*SUBGROUP_ROLES), SUBGROUP_ONLY)
        session = uow.session
        klass: SchoolClass = uow.get(SchoolClass, class_id, "Класс")
        subject: Subject = uow.get(Subject, subject_id, "Предмет")
        year = _open_year(uow, klass.year_id)
        if not year.start <= from_date <= year.end:
            raise ValidationError(
                f"Дата {fmt_date(from_date)} вне учебного года {year.name} "
                f"({fmt_date(year.start)}–{fmt_date(year.end)})."
            )
        courses = {
            c.id or 0: c
            for c in session.exec(
                select(Course).where(
                    Course.class_id == class_id,
                    Course.subject_id == subject_id,
                    Course.subgroup != "",
                )
            )
        }
        if not courses:
            raise ValidationError(
                f"{subject.name} в {klass.title} ведётся для всего класса: сначала добавьте "
                "подгруппы (предметы класса с подгруппой «1 гр.», «2 гр.»)."
            )
        if not groups:
            raise ValidationError("Не выбран ни один ученик.")
        changed = unchanged = 0
        moves: list[dict[str, object]] = []
        for student_id, target in sorted(groups.items()):
            student: Student = uow.get(Student, student_id, "Ученик")
            if target is not None and target not in courses:
                raise ValidationError(
                    f"{student.full_name}: такой подгруппы по предмету «{subject.name}» "
                    f"в {klass.title} нет."
                )
            if not _is_enrolled(uow, student_id, class_id, from_date):
                raise ValidationError(
                    f"{student.full_name} не числится в {klass.title} на {fmt_date(from_date)}."
                )
            rows = list(
                session.exec(
                    select(SubgroupMember)
                    .where(
                        SubgroupMember.student_id == student_id,
                        col(SubgroupMember.course_id).in_(list(courses)),
                    )
                    .order_by(col(SubgroupMember.start))
                )
            )
            now = next(
                (m for m in rows if m.start <= from_date and (m.end is None or m.end >= from_date)),
                None,
            )
            later = [m for m in rows if m.start > from_date]
            if (now.course_id if now else None) == target and not later:
                unchanged += 1
                continue
            for m in later:
                session.delete(m)
            if now is not None:
                if now.start == from_date:
                    session.delete(now)
                else:
                    now.end = from_date - timedelta(days=1)
                    session.add(now)
            if target is not None:
                session.add(
                    SubgroupMember(course_id=target, student_id=student_id, start=from_date)
                )
            changed += 1
            moves.append(
                {
                    "student_id": student_id,
                    "from": now.course_id if now else None,
                    "to": target,
                }
            )
        session.flush()
        uow.audit(
            "subgroup.split",
            "subgroup_member",
            None,
            None,
            {"class_id": class_id, "subject_id": subject_id, "start": from_date, "moves": moves},
        )
        return SplitResult(changed, unchanged)
