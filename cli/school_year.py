"""``zhurnal year|period|holiday|bells …``: the CLI twins of «Учебный год» [004 §5].

    zhurnal year create 2026/2027 --from 01.09.2026 --to 31.05.2027 [--not-current]
    zhurnal year list | current 2026/2027 | change 2026/2027 [--name N] [--from D] [--to D]
    zhurnal period add --scheme четверти|полугодия --number N [--name «1 четверть»]
        --from D --to D [--kind четверть|полугодие|год|экзамены|итоговые] [--year 2026/2027]
    zhurnal period list [--year …] | change ID [--name N] [--from D] [--to D] | remove ID
    zhurnal holiday add «Осенние каникулы» --from D --to D [--kind каникулы|праздник]
        [--grades 1 | 2-9 | 1,2] [--year …]
    zhurnal holiday list [--year …] | change ID [--name …] [--from …] [--to …] [--kind …]
        [--grades …] | remove ID
    zhurnal bells set "1 08:30-09:15" "2 09:25-10:10" … | --file FILE
    zhurnal bells list

Every command runs as the register user ``--as LOGIN`` (``--password-file FILE``): the
administrator or the deputy changes, the director reads too.  Periods and holidays go to
the current year unless ``--year`` names another; ``list`` shows their numbers (ID).
Bad input or a refusal of the rules (an impossible date, an overlapping period, a holiday
outside the year): a Russian message on stderr, exit 2 (no rights: exit 1), nothing
written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from zhurnal.cli.identity import command_group, signed_in
from zhurnal.core.errors import DomainError, NotFound, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.year_setup import HolidayRow, PeriodRow, YearRow, YearSetup

T = TypeVar("T")
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 1
COMMANDS = ("year", "period", "holiday", "bells")
DATE = "ДД.ММ.ГГГГ"


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    def group(name: str, text: str) -> Callable[[str, str], argparse.ArgumentParser]:
        return command_group(sub, db_arg, name, text, "setup_command")

    def dates(q: argparse.ArgumentParser, required: bool) -> None:
        q.add_argument("--from", dest="start", required=required, metavar=DATE)
        q.add_argument("--to", dest="end", required=required, metavar=DATE)

    def year_opt(q: argparse.ArgumentParser) -> None:
        q.add_argument("--year", metavar="2026/2027", help="по умолчанию текущий учебный год")

    command = group("year", "учебный год: создать, список, текущий, исправить даты")
    q = command("create", "новый учебный год (становится текущим)")
    q.add_argument("name", metavar="2026/2027")
    dates(q, True)
    q.add_argument("--not-current", action="store_true", help="не делать текущим")
    command("list", "учебные годы")
    q = command("current", "сделать учебный год текущим")
    q.add_argument("name", metavar="2026/2027")
    q = command("change", "исправить название или даты учебного года")
    q.add_argument("name", metavar="2026/2027")
    q.add_argument("--name", dest="new_name", metavar="НАЗВАНИЕ")
    dates(q, False)

    command = group("period", "четверти и полугодия учебного года")
    q = command("add", "новый учебный период")
    q.add_argument("--scheme", required=True, metavar="четверти|полугодия")
    q.add_argument("--number", required=True, metavar="N")
    q.add_argument("--name", default="", metavar="«1 четверть»")
    q.add_argument("--kind", default="", metavar="четверть|полугодие|год|экзамены|итоговые")
    dates(q, True)
    year_opt(q)
    year_opt(command("list", "периоды учебного года по схемам"))
    q = command("change", "исправить название или даты периода")
    q.add_argument("id", metavar="ID")
    q.add_argument("--name", metavar="НАЗВАНИЕ")
    dates(q, False)
    command("remove", "удалить период, от которого ещё ничего не зависит").add_argument(
        "id", metavar="ID"
    )

    command = group("holiday", "каникулы и праздничные дни учебного года")
    q = command("add", "новые каникулы или праздничный день")
    q.add_argument("name", metavar="НАЗВАНИЕ")
    dates(q, True)
    q.add_argument("--kind", default="каникулы", metavar="каникулы|праздник")
    q.add_argument("--grades", default="", metavar="1 | 2-9 | 1,2", help="по умолчанию все")
    year_opt(q)
    year_opt(command("list", "каникулы и праздники учебного года"))
    q = command("change", "исправить каникулы или праздник")
    q.add_argument("id", metavar="ID")
    q.add_argument("--name", metavar="НАЗВАНИЕ")
    dates(q, False)
    q.add_argument("--kind", metavar="каникулы|праздник")
    q.add_argument("--grades", metavar="1 | 2-9 | «» (все)")
    command("remove", "удалить каникулы или праздник").add_argument("id", metavar="ID")

    command = group("bells", "расписание звонков")
    q = command("set", "заменить расписание звонков")
    q.add_argument("bells", nargs="*", metavar="«1 08:30-09:15»")
    q.add_argument("--file", metavar="FILE", help="по звонку в строке: «1 08:30-09:15»")
    command("list", "расписание звонков")


def cmd_setup(args: argparse.Namespace, db: Database) -> int:
    """``year``, ``period``, ``holiday`` or ``bells`` (``args.command``)."""
    try:
        with signed_in(db, args) as actor:
            RUN[args.command](args, db, actor)
    except (ValidationError, NotFound) as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


# --- input ----------------------------------------------------------------------------


def _date(text: str | None, what: str, default: date | None = None) -> date:
    from zhurnal.core.rules import parse_date

    if not text:
        if default is None:
            raise ValidationError(f"{what}: укажите дату {DATE}.")
        return default
    return parse_date(text, what)


def _number(text: str, what: str) -> int:
    from zhurnal.core.readmodels.year_setup import parse_number

    return parse_number(text, what)


def _setup(db: Database, actor: Actor, year_name: str | None) -> tuple[YearSetup, YearRow]:
    """The setup of the year named (else the current one) and that year."""
    from zhurnal.core.readmodels.year_setup import year_setup

    setup = year_setup(db, actor, _year(db, actor, year_name).id if year_name else None)
    if setup.year is None:
        raise NotFound(
            "Учебного года ещё нет: создайте его — zhurnal year create 2026/2027 "
            "--from 01.09.2026 --to 31.05.2027."
        )
    return setup, setup.year


def _year(db: Database, actor: Actor, name: str) -> YearRow:
    from zhurnal.core.readmodels.year_setup import year_setup

    years = year_setup(db, actor).years
    found = next((y for y in years if y.name == name.strip()), None)
    if found is None:
        known = ", ".join(y.name for y in years) or "нет ни одного"
        raise NotFound(f"Учебного года «{name}» нет (есть: {known}).")
    return found


# --- commands -------------------------------------------------------------------------


def _run_year(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.rules import fmt_date
    from zhurnal.core.services import school, year_setup

    command = args.setup_command
    if command == "create":
        start, end = _date(args.start, "--from"), _date(args.end, "--to")
        view = school.create_year(db, actor, args.name, start, end, not args.not_current)
        state = "текущий" if view.is_current else "не текущий"
        print(f"Создан учебный год {view.name}: {fmt_date(start)}–{fmt_date(end)} ({state}).")
    elif command == "list":
        setup = _setup_any(db, actor)
        for y in setup.years:
            notes = ", ".join(
                n for n, on in (("текущий", y.is_current), ("закрыт", y.closed)) if on
            )
            print(f"{y.name:<12} {fmt_date(y.start)}–{fmt_date(y.end)}  {notes}".rstrip())
        if not setup.years:
            print("Учебных годов нет: zhurnal year create 2026/2027 --from … --to …")
    elif command == "current":
        view = year_setup.set_current_year(db, actor, _year(db, actor, args.name).id)
        print(f"Текущий учебный год: {view.name}.")
    elif command == "change":
        year = _year(db, actor, args.name)
        view = year_setup.change_year(
            db,
            actor,
            year.id,
            args.new_name or year.name,
            _date(args.start, "--from", year.start),
            _date(args.end, "--to", year.end),
            expected_version=year.version,
        )
        print(f"Учебный год {view.name}: {fmt_date(view.start)}–{fmt_date(view.end)}.")


def _setup_any(db: Database, actor: Actor) -> YearSetup:
    from zhurnal.core.readmodels.year_setup import year_setup

    return year_setup(db, actor)


def _run_period(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.year_setup import (
        default_period_name,
        parse_period_kind,
        parse_scheme,
    )
    from zhurnal.core.rules import fmt_date
    from zhurnal.core.services import school, year_setup

    command = args.setup_command
    if command == "add":
        setup, year = _setup(db, actor, args.year)
        scheme = parse_scheme(args.scheme)
        kind = parse_period_kind(args.kind, scheme)
        number = _number(args.number, "--number")
        start, end = _date(args.start, "--from"), _date(args.end, "--to")
        name = args.name.strip() or default_period_name(kind, number)
        view = school.add_period(db, actor, year.id, scheme, kind, number, name, start, end)
        print(
            f"Добавлен период № {view.id}: {view.name}, {fmt_date(start)}–{fmt_date(end)} "
            f"({year.name})."
        )
    elif command == "list":
        setup, year = _setup(db, actor, args.year)
        print(f"Учебный год {year.name}:")
        for row in setup.schemes:
            typical = " (обычно; классов ещё нет)" if row.typical else ""
            print(f"{row.name.capitalize()} — классы {row.grades_text}{typical}:")
            for p in row.periods:
                print(f"  № {p.id:<4} {p.name:<20} {fmt_date(p.start)}–{fmt_date(p.end)}")
            if not row.periods:
                print("  периодов нет")
    elif command == "change":
        period = _period(db, actor, _number(args.id, "ID"))
        view = year_setup.change_period(
            db,
            actor,
            period.id,
            period.name if args.name is None else args.name,
            _date(args.start, "--from", period.start),
            _date(args.end, "--to", period.end),
        )
        print(f"Период № {view.id}: {view.name}, {fmt_date(view.start)}–{fmt_date(view.end)}.")
    elif command == "remove":
        period_id = _number(args.id, "ID")
        year_setup.remove_period(db, actor, period_id)
        print(f"Период № {period_id} удалён.")


def _period(db: Database, actor: Actor, period_id: int) -> PeriodRow:
    rows = _every(db, actor, lambda setup: [p for row in setup.schemes for p in row.periods])
    found = next((p for p in rows if p.id == period_id), None)
    if found is None:
        raise NotFound(f"Учебный период № {period_id} не найден: см. zhurnal period list.")
    return found


def _every(db: Database, actor: Actor, rows: Callable[[YearSetup], list[T]]) -> list[T]:
    """``rows`` of every year's setup (a number from ``list`` may be of any year)."""
    from zhurnal.core.readmodels.year_setup import year_setup

    return [r for y in year_setup(db, actor).years for r in rows(year_setup(db, actor, y.id))]


def _run_holiday(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.year_setup import (
        HOLIDAY_KIND_NAMES,
        grades_label,
        parse_grades_text,
        parse_holiday_kind,
    )
    from zhurnal.core.rules import fmt_date
    from zhurnal.core.services import school, year_setup

    command = args.setup_command
    if command == "add":
        setup, year = _setup(db, actor, args.year)
        kind, grades = parse_holiday_kind(args.kind), parse_grades_text(args.grades)
        start, end = _date(args.start, "--from"), _date(args.end, "--to")
        view = school.add_holiday(db, actor, year.id, args.name, start, end, kind, grades)
        print(
            f"Добавлено № {view.id}: {view.name} ({HOLIDAY_KIND_NAMES[view.kind]}, классы "
            f"{grades_label(view.grades)}), {fmt_date(start)}–{fmt_date(end)}."
        )
    elif command == "list":
        setup, year = _setup(db, actor, args.year)
        print(f"Учебный год {year.name}:")
        for h in setup.holidays:
            print(
                f"  № {h.id:<4} {fmt_date(h.start)}–{fmt_date(h.end)}  "
                f"{HOLIDAY_KIND_NAMES[h.kind]:<9} классы {grades_label(h.grades):<8} {h.name}"
            )
        if not setup.holidays:
            print("  каникул и праздников нет")
    elif command == "change":
        holiday = _holiday(db, actor, _number(args.id, "ID"))
        view = year_setup.change_holiday(
            db,
            actor,
            holiday.id,
            holiday.name if args.name is None else args.name,
            _date(args.start, "--from", holiday.start),
            _date(args.end, "--to", holiday.end),
            holiday.kind if args.kind is None else parse_holiday_kind(args.kind),
            holiday.grades if args.grades is None else parse_grades_text(args.grades),
        )
        print(f"№ {view.id}: {view.name}, {fmt_date(view.start)}–{fmt_date(view.end)}.")
    elif command == "remove":
        holiday_id = _number(args.id, "ID")
        year_setup.remove_holiday(db, actor, holiday_id)
        print(f"№ {holiday_id} удалено.")


def _holiday(db: Database, actor: Actor, holiday_id: int) -> HolidayRow:
    found = next(
        (h for h in _every(db, actor, lambda s: list(s.holidays)) if h.id == holiday_id), None
    )
    if found is None:
        raise NotFound(
            f"Каникулы или праздник № {holiday_id} не найдены: см. zhurnal holiday list."
        )
    return found


def _run_bells(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.year_setup import parse_bell, parse_bells_text
    from zhurnal.core.services import school

    if args.setup_command == "list":
        bells = _setup_any(db, actor).bells
        for b in bells:
            print(f"{b.number:>2} урок  {b.start:%H:%M}–{b.end:%H:%M}")
        if not bells:
            print('Расписание звонков не задано: zhurnal bells set "1 08:30-09:15" …')
        return
    if args.file and args.bells:
        raise ValidationError("Укажите звонки либо в командной строке, либо --file, не вместе.")
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"Файл {args.file} не прочитан: {exc}.") from None
        rows = parse_bells_text(text)
    else:
        rows = [parse_bell(line) for line in args.bells]
    views = school.set_bells(db, actor, rows)
    print(f"Расписание звонков записано: уроков {len(views)}.")
    for v in views:
        print(f"{v.number:>2} урок  {v.start:%H:%M}–{v.end:%H:%M}")


RUN: dict[str, Callable[[argparse.Namespace, Database, Actor], None]] = {
    "year": _run_year,
    "period": _run_period,
    "holiday": _run_holiday,
    "bells": _run_bells,
}
