"""The year rollover [000 §5.2.1]: close the year, open the next one, promote by the order.

«Ответственный за АСУ РСО … проводит закрытие/открытие нового учебного года и
электронный перевод обучающихся из класса в класс на основании приказа директора»
[000 §5.2.1]: closing the year and the promotion are the administrator's (our
«Администратор»), by the director's order; opening the next year is also the deputy's,
who «организует процедуру открытия учебного года» [004 §5 «Заместитель директора»].

- ``close_year`` marks a finished year closed: from then ``core.yearlock`` refuses every
  write into it, corrections too.  The archive copy and its check are
  ``core.archive.close_year`` (a job above the services), which calls this, then
  ``record_archive`` — or ``undo_close`` when the copy fails, so a year is never closed
  without a verified copy.
- ``next_year`` creates year N+1 from year N (see its docstring).
- ``apply_promotion`` applies the order in one transaction, exactly as
  ``core.readmodels.rollover.promotion_preview`` showed it; once per year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.ledger import ledger_of
from zhurnal.core.models import (
    Correction,
    Course,
    Enrolment,
    Holiday,
    Period,
    SchoolClass,
    SchoolYear,
    Setting,
    User,
)
from zhurnal.core.readmodels.rollover import (
    PROMOTED_KEY,
    PromotionException,
    plan_promotion,
    promoted_by,
    years_of_promotion,
)
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.contingent import _close
from zhurnal.core.services.school import YearView, _overlaps, _year_view
from zhurnal.core.uow import UnitOfWork, require, unit_of_work
from zhurnal.core.yearlock import promoting

ADMIN_ONLY = (
    "Закрытие учебного года и перевод учащихся проводит администратор журнала по приказу "
    "директора [000 §5.2.1]."
)
OPEN_ROLES = ("admin", "deputy")
OPEN_ONLY = (
    "Следующий учебный год открывают администратор или заместитель директора [000 §5.2.1; 004 §5]."
)
REASONS = {
    "promote": "переведён в {to}",
    "conditional": "условно переведён в {to}",
    "hold_back": "оставлен на повторное обучение",
    "graduate": "окончил обучение",
}


def _year(uow: UnitOfWork, year_id: int) -> SchoolYear:
    year: SchoolYear = uow.get(SchoolYear, year_id, "Учебный год")
    return year


def close_year(db: Database, actor: Actor, year_id: int) -> YearView:
    """Close a finished year (after its last day; no correction left undecided)."""
    with unit_of_work(db, actor, "year.close") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        year = _year(uow, year_id)
        if year.closed:
            raise ValidationError(f"Учебный год {year.name} уже закрыт.")
        today = uow.now.date()
        if today <= year.end:
            raise ValidationError(
                f"Учебный год {year.name} идёт до {fmt_date(year.end)}: закрыть его можно "
                f"с {fmt_date(year.end + timedelta(days=1))}."
            )
        pending = uow.session.exec(
            select(Correction.id)
            .join(Course, col(Course.id) == Correction.course_id)
            .join(SchoolClass, col(SchoolClass.id) == Course.class_id)
            .where(
                SchoolClass.year_id == year_id,
                col(Correction.status).in_(("requested", "approved")),
            )
        ).all()
        if pending:
            numbers = ", ".join(f"№ {n}" for n in pending[:5])
            raise ValidationError(
                f"Есть незавершённые заявки на исправление ({len(pending)}: {numbers}): "
                "директору решить, заместителю внести их до закрытия года [004 §7]."
            )
        year.closed = True
        uow.touch(year)
        uow.audit("year.close", "school_year", year.id, {"closed": False}, {"closed": True})
        waiting = uow.session.exec(
            select(SchoolYear)
            .where(SchoolYear.start > year.end, SchoolYear.closed == False)  # noqa: E712
            .order_by(col(SchoolYear.start))
        ).first()
        if year.is_current and waiting is not None:  # the next year, prepared ahead
            year.is_current, waiting.is_current = False, True
            uow.touch(waiting)
            uow.audit("year.set_current", "school_year", waiting.id, None, {"is_current": True})
        return _year_view(year)


def undo_close(db: Database, actor: Actor, year_id: int, reason: str) -> None:
    """Open again a year just closed whose archive copy failed (``core.archive``)."""
    with unit_of_work(db, actor, "year.reopen") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        year = _year(uow, year_id)
        year.closed = False
        uow.touch(year)
        uow.audit(
            "year.reopen",
            "school_year",
            year.id,
            {"closed": True},
            {"closed": False, "reason": reason},
        )


def record_archive(db: Database, actor: Actor, year_id: int, archive: dict[str, Any]) -> None:
    """The archive copy of a closed year in the audit log: path, size, SHA-256, the chain
    head it holds (or how it is made, for PostgreSQL)."""
    with unit_of_work(db, actor, "year.archive") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        year = _year(uow, year_id)
        uow.audit("year.archive", "school_year", year.id, None, {"year": year.name, **archive})


# --- the next year ----------------------------------------------------------------------


def next_date(day: date) -> date:
    """The same day and month a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class NextYear:
    year: YearView
    periods: int
    holidays: int
    classes: int
    courses: int
    notes: tuple[str, ...]  # what was not carried over, and why


def _active_teacher(uow: UnitOfWork, user_id: int | None) -> bool:
    user = uow.session.get(User, user_id) if user_id is not None else None
    return user is not None and user.active and "teacher" in user.role_set()


def next_year(
    db: Database,
    actor: Actor,
    from_year_id: int,
    start: date | None = None,
    end: date | None = None,
    name: str = "",
) -> NextYear:
    """Year N+1 from year N — made current once year N is over (closed, or past its last
    day), so that preparing the next year in spring never takes the running register out
    of use; until then it waits, not current: dates given or a year later; periods moved a
    year on (within the new dates; the deputy adjusts them); holidays a year on; bells and
    subjects are the school's and stay; every class of grades 1–10 gets its class g+1 with
    the same letter and class teacher (the period scheme of last year's class g+1), with
    its courses (subject, subgroup, teacher, hours; the deputy edits them to the new
    curriculum).  New first grades are not invented: the secretary adds them."""
    with unit_of_work(db, actor, "year.next") as uow:
        require(actor.has(*OPEN_ROLES), OPEN_ONLY)
        source = _year(uow, from_year_id)
        start = start or next_date(source.start)
        end = end or next_date(source.end)
        name = check_text(name, "Название учебного года", 20) or f"{start.year}/{end.year}"
        if end <= start:
            raise ValidationError("Учебный год должен заканчиваться позже, чем начинается.")
        if start <= source.end:
            raise ValidationError(
                f"Новый учебный год должен начинаться после {fmt_date(source.end)} "
                f"(конец {source.name})."
            )
        years = list(uow.session.exec(select(SchoolYear)))
        for y in years:
            if y.name == name or _overlaps(start, end, y.start, y.end):
                raise ValidationError(
                    f"Учебный год {y.name} ({fmt_date(y.start)}–{fmt_date(y.end)}) уже есть: "
                    "следующий год создан раньше или даты пересекаются."
                )
        make_current = source.closed or uow.now.date() > source.end
        for y in years if make_current else ():
            if y.is_current:
                y.is_current = False
                uow.touch(y)
        year = SchoolYear(name=name, start=start, end=end, is_current=make_current, version=0)
        uow.touch(year)
        uow.session.flush()
        new_id = year.id or 0
        periods = _copy_periods(uow, source, year)
        holidays = 0
        for h in uow.session.exec(select(Holiday).where(Holiday.year_id == source.id)):
            uow.session.add(
                Holiday(
                    year_id=new_id,
                    name=h.name,
                    start=next_date(h.start),
                    end=next_date(h.end),
                    kind=h.kind,
                    grades=h.grades,
                )
            )
            holidays += 1
        classes, courses, notes = _carry_classes(uow, source, new_id)
        uow.audit(
            "year.next",
            "school_year",
            year.id,
            None,
            {
                "from": source.name,
                "name": name,
                "start": start,
                "end": end,
                "periods": periods,
                "holidays": holidays,
                "classes": classes,
                "courses": courses,
                "notes": list(notes),
            },
        )
        return NextYear(_year_view(year), periods, holidays, classes, courses, notes)


def _copy_periods(uow: UnitOfWork, source: SchoolYear, year: SchoolYear) -> int:
    count = 0
    for p in uow.session.exec(select(Period).where(Period.year_id == source.id)):
        a = max(next_date(p.start), year.start)
        b = min(next_date(p.end), year.end)
        if a > b:
            continue
        uow.session.add(
            Period(
                year_id=year.id or 0,
                scheme=p.scheme,
                kind=p.kind,
                number=p.number,
                name=p.name,
                start=a,
                end=b,
            )
        )
        count += 1
    return count


def _carry_classes(
    uow: UnitOfWork, source: SchoolYear, new_id: int
) -> tuple[int, int, tuple[str, ...]]:
    old = list(
        uow.session.exec(
            select(SchoolClass)
            .where(SchoolClass.year_id == source.id)
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        )
    )
    scheme_of = {(k.grade, k.letter): k.period_scheme for k in old}
    notes: list[str] = []
    classes = courses = 0
    for k in old:
        if k.grade >= 11:
            continue
        title = f"{k.grade + 1}{k.letter}"
        teacher = k.class_teacher_id if _active_teacher(uow, k.class_teacher_id) else None
        if k.class_teacher_id is not None and teacher is None:
            notes.append(f"{title}: классный руководитель не назначен (учётная запись отключена).")
        klass = SchoolClass(
            year_id=new_id,
            grade=k.grade + 1,
            letter=k.letter,
            class_teacher_id=teacher,
            period_scheme=scheme_of.get((k.grade + 1, k.letter), k.period_scheme),
            version=0,
        )
        uow.touch(klass)
        uow.session.flush()
        classes += 1
        for c in uow.session.exec(select(Course).where(Course.class_id == k.id)):
            if not _active_teacher(uow, c.teacher_id):
                notes.append(f"{title}: предмет № {c.subject_id} не перенесён — учитель отключён.")
                continue
            course = Course(
                class_id=klass.id or 0,
                subject_id=c.subject_id,
                subgroup=c.subgroup,
                teacher_id=c.teacher_id,
                hours_per_week=c.hours_per_week,
                version=0,
            )
            uow.touch(course)
            courses += 1
    return classes, courses, tuple(notes)


# --- the promotion order ----------------------------------------------------------------


@dataclass(frozen=True)
class Promoted:
    order: str
    from_year: str
    to_year: str
    counts: dict[str, int]


def order_text(order: str, order_date: date) -> str:
    text = check_text(order, "Приказ о переводе", 80)
    if not text:
        raise ValidationError("Укажите номер приказа директора о переводе, например «Приказ № 45».")
    return f"{text} от {fmt_date(order_date)}"


def apply_promotion(
    db: Database,
    actor: Actor,
    order: str,
    order_date: date,
    exceptions: tuple[PromotionException, ...] = (),
    year_id: int | None = None,
) -> Promoted:
    """Apply the director's promotion order (all moves or none; once per year)."""
    with unit_of_work(db, actor, "year.promote") as uow:
        require(actor.has("admin"), ADMIN_ONLY)
        text = order_text(order, order_date)
        if order_date > uow.now.date():
            raise ValidationError(f"Дата приказа {fmt_date(order_date)} ещё не наступила.")
        source, target = years_of_promotion(uow.session, year_id)
        if done := promoted_by(uow.session, source.id or 0):
            raise ValidationError(
                f"Перевод учащихся {source.name} уже проведён ({done}): повторно не проводится."
            )
        moves = plan_promotion(uow.session, source, target, exceptions)
        problems = [f"{m.student} ({m.from_class}): {m.problem}" for m in moves if m.problem]
        if problems:
            more = f" и ещё {len(problems) - 5}" if len(problems) > 5 else ""
            raise ValidationError(
                "Перевод не проведён, ничего не изменено: " + "; ".join(problems[:5]) + more + "."
            )
        counts: dict[str, int] = {}
        touched: list[Enrolment] = []
        with promoting():
            for m in moves:
                e: Enrolment = uow.get(Enrolment, m.enrolment_id, "Зачисление")
                touched.append(e)
                if m.kind == "leave":
                    _close(uow, e, m.end, m.order or text, m.reason)
                else:
                    _close(uow, e, m.end, text, REASONS[m.kind].format(to=m.to_class))
                if m.to_class_id is not None:
                    touched.append(
                        _enrol_next(
                            uow, m.student, m.student_id, m.to_class_id, target, text, m.kind
                        )
                    )
                counts[m.kind] = counts.get(m.kind, 0) + 1
            uow.session.flush()  # the closed year's rows, while the order may end them
        promoted = Setting(
            key=PROMOTED_KEY.format(year_id=source.id),
            value=json.dumps({"order": text, "to_year": target.name}, ensure_ascii=False),
        )
        uow.session.add(promoted)
        uow.audit(
            "year.promote",
            "school_year",
            source.id,
            None,
            {
                "order": text,
                "to_year": target.name,
                "counts": counts,
                "moves": [[m.student_id, m.kind, m.from_class, m.to_class] for m in moves],
                **ledger_of(uow.session, {"enrolment": touched, "setting": [promoted]}),
            },
        )
        return Promoted(text, source.name, target.name, counts)


def _enrol_next(
    uow: UnitOfWork,
    name: str,
    student_id: int,
    class_id: int,
    target: SchoolYear,
    order: str,
    kind: str,
) -> Enrolment:
    for other in uow.session.exec(select(Enrolment).where(Enrolment.student_id == student_id)):
        if _overlaps(target.start, None, other.start, other.end):
            raise ValidationError(
                f"{name} уже зачислен(а) с {fmt_date(other.start)}: перевод не проведён, "
                "ничего не изменено."
            )
    e = Enrolment(
        student_id=student_id,
        class_id=class_id,
        start=target.start,
        order_in=f"{order} (условно)" if kind == "conditional" else order,
        version=0,
    )
    uow.touch(e)
    return e
