"""Keeping the school year up: the current year, the year's dates, correcting or removing a
period or a holiday that nothing depends on yet [004 §5 «Администратор», «Заместитель
директора»].

Creating a year, adding a period or a holiday and setting the bells are in
:mod:`zhurnal.core.services.school` (``create_year``, ``add_period``, ``add_holiday``,
``set_bells``); the checks here are the same: dates inside the year, periods of one
scheme and kind never overlap, a closed year takes no change.  What depends on a period
(its period marks, corrections, the lessons in its days) or a holiday (the register of
its days kept already) is named in the refusal.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from zhurnal.core.actor import Actor
from zhurnal.core.db import Database
from zhurnal.core.errors import ValidationError
from zhurnal.core.models import Holiday, Period, SchoolYear
from zhurnal.core.readmodels.year_setup import (
    dropped_lessons,
    holiday_in_use,
    period_in_use,
    period_marked,
)
from zhurnal.core.rules import fmt_date
from zhurnal.core.services.school import (
    SETUP_ONLY,
    SETUP_ROLES,
    HolidayView,
    PeriodView,
    YearView,
    _check_range,
    _holiday_fields,
    _inside_year,
    _open_year,
    _overlaps,
    _period_view,
    _required_text,
    _year_view,
)
from zhurnal.core.uow import UnitOfWork, require, snapshot, unit_of_work

YEAR_FIELDS = ("name", "start", "end", "is_current")
PERIOD_FIELDS = ("year_id", "scheme", "kind", "number", "name", "start", "end")
HOLIDAY_FIELDS = ("year_id", "name", "start", "end", "kind", "grades")


def set_current_year(db: Database, actor: Actor, year_id: int) -> YearView:
    """Make ``year_id`` the current year (the one every screen works in); the previous
    current year stops being current."""
    with unit_of_work(db, actor, "year.set_current") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        year: SchoolYear = uow.get(SchoolYear, year_id, "Учебный год")
        if year.closed:
            raise ValidationError(
                f"Учебный год {year.name} закрыт: текущим можно сделать только открытый год."
            )
        if year.is_current:
            return _year_view(year)
        for other in uow.session.exec(select(SchoolYear).where(SchoolYear.is_current == True)):  # noqa: E712
            other.is_current = False
            uow.touch(other)
        year.is_current = True
        uow.touch(year)
        uow.audit("year.set_current", "school_year", year.id, None, {"is_current": True})
        return _year_view(year)


def change_year(
    db: Database,
    actor: Actor,
    year_id: int,
    name: str,
    start: date,
    end: date,
    expected_version: int | None = None,
) -> YearView:
    """Correct a year's name or dates: its periods and holidays must stay inside it."""
    with unit_of_work(db, actor, "year.change") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        year = _open_year(uow, year_id)
        uow.check_version(year, expected_version, f"Учебный год {year.name}")
        name = _required_text(name, "Название учебного года", 20)
        if end <= start:
            raise ValidationError("Учебный год должен заканчиваться позже, чем начинается.")
        for other in uow.session.exec(select(SchoolYear).where(SchoolYear.id != year_id)):
            if other.name == name:
                raise ValidationError(f"Учебный год «{name}» уже есть.")
            if _overlaps(start, end, other.start, other.end):
                raise ValidationError(f"Даты пересекаются с учебным годом {other.name}.")
        inside: list[Period | Holiday] = [
            *uow.session.exec(select(Period).where(Period.year_id == year_id)),
            *uow.session.exec(select(Holiday).where(Holiday.year_id == year_id)),
        ]
        for row in inside:
            if row.start < start or row.end > end:
                raise ValidationError(
                    f"«{row.name}» ({fmt_date(row.start)}–{fmt_date(row.end)}) остался бы вне "
                    f"учебного года {fmt_date(start)}–{fmt_date(end)}: сначала исправьте его даты."
                )
        before = snapshot(year, *YEAR_FIELDS)
        year.name, year.start, year.end = name, start, end
        uow.touch(year)
        uow.audit("year.change", "school_year", year.id, before, snapshot(year, *YEAR_FIELDS))
        return _year_view(year)


def _period(uow: UnitOfWork, period_id: int) -> tuple[Period, SchoolYear]:
    period: Period = uow.get(Period, period_id, "Учебный период")
    return period, _open_year(uow, period.year_id)


def change_period(
    db: Database, actor: Actor, period_id: int, name: str, start: date, end: date
) -> PeriodView:
    """Rename a period or correct its dates: inside the year, not over another period of
    the same scheme and kind; its dates stay while it has period marks, and it does not
    shrink off days that already have lessons."""
    with unit_of_work(db, actor, "period.change") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        period, year = _period(uow, period_id)
        name = _required_text(name, "Название периода", 50)
        _check_range(start, end, name)
        _inside_year(year, start, end, name)
        if (start, end) != (period.start, period.end):
            marked = period_marked(uow.session, period)
            if marked:
                raise ValidationError(f"{marked} Даты периода изменить нельзя.")
            dropped = dropped_lessons(uow.session, period, start, end)
            if dropped:
                raise ValidationError(dropped)
        _no_overlap(uow, period, name, start, end)
        before = snapshot(period, *PERIOD_FIELDS)
        period.name, period.start, period.end = name, start, end
        uow.session.add(period)
        uow.audit("period.change", "period", period.id, before, snapshot(period, *PERIOD_FIELDS))
        return _period_view(period)


def _no_overlap(uow: UnitOfWork, period: Period, name: str, start: date, end: date) -> None:
    same = uow.session.exec(
        select(Period).where(
            Period.year_id == period.year_id,
            Period.scheme == period.scheme,
            Period.kind == period.kind,
            Period.id != period.id,
        )
    )
    for p in same:
        if _overlaps(start, end, p.start, p.end):
            raise ValidationError(
                f"{name}: даты пересекаются с периодом «{p.name}» "
                f"({fmt_date(p.start)}–{fmt_date(p.end)})."
            )


def remove_period(db: Database, actor: Actor, period_id: int) -> None:
    """Remove a period added by mistake, while nothing depends on it yet."""
    with unit_of_work(db, actor, "period.remove") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        period, _ = _period(uow, period_id)
        used = period_in_use(uow.session, period)
        if used:
            raise ValidationError(f"{used} Удалить период нельзя; даты можно исправить.")
        before = snapshot(period, *PERIOD_FIELDS)
        uow.session.delete(period)
        uow.audit("period.remove", "period", period_id, before, None)


def _holiday(uow: UnitOfWork, holiday_id: int) -> tuple[Holiday, SchoolYear]:
    holiday: Holiday = uow.get(Holiday, holiday_id, "Каникулы или праздник")
    return holiday, _open_year(uow, holiday.year_id)


def change_holiday(
    db: Database,
    actor: Actor,
    holiday_id: int,
    name: str,
    start: date,
    end: date,
    kind: str = "vacation",
    grades: str = "",
) -> HolidayView:
    """Correct a vacation or a public holiday (name, dates, kind, grades) while the
    register of its days is not kept yet."""
    with unit_of_work(db, actor, "holiday.change") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        holiday, year = _holiday(uow, holiday_id)
        name, grade_text = _holiday_fields(year, name, start, end, kind, grades)
        changed = (start, end, kind, grade_text) != (
            holiday.start,
            holiday.end,
            holiday.kind,
            holiday.grades,
        )
        if changed:
            used = holiday_in_use(uow.session, holiday, uow.now.date(), start)
            if used:
                raise ValidationError(used)
        before = snapshot(holiday, *HOLIDAY_FIELDS)
        holiday.name, holiday.start, holiday.end = name, start, end
        holiday.kind, holiday.grades = kind, grade_text
        uow.session.add(holiday)
        uow.audit(
            "holiday.change", "holiday", holiday.id, before, snapshot(holiday, *HOLIDAY_FIELDS)
        )
        return HolidayView(
            holiday.id or 0,
            holiday.year_id,
            holiday.name,
            holiday.start,
            holiday.end,
            holiday.kind,
            holiday.grades,
        )


def remove_holiday(db: Database, actor: Actor, holiday_id: int) -> None:
    """Remove a vacation or a public holiday while the register of its days is not kept."""
    with unit_of_work(db, actor, "holiday.remove") as uow:
        require(actor.has(*SETUP_ROLES), SETUP_ONLY)
        holiday, _ = _holiday(uow, holiday_id)
        used = holiday_in_use(uow.session, holiday, uow.now.date(), None)
        if used:
            raise ValidationError(used)
        before = snapshot(holiday, *HOLIDAY_FIELDS)
        uow.session.delete(holiday)
        uow.audit("holiday.remove", "holiday", holiday_id, before, None)
