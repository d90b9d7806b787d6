"""``zhurnal report KIND …``: the summary sheets to a file, for the server's cron and admin.

    zhurnal report progress --class 5А --period "2 четверть" -o 5a-q2.pdf
    zhurnal report attendance --class 5А --from 01.09.2026 --to 31.12.2026 -o 5a.xlsx
    zhurnal report movement [--class 5А] --period "1 четверть" -o movement.csv
    zhurnal report class-results --class 5А --period "2 четверть" -o 5a-results.pdf
    zhurnal report logins -o logins.xlsx

The format is ``--format`` or the file's suffix (csv, xlsx, pdf).  A report is a read of
personal data, so it is made by a register user who proved who they are (``--as LOGIN``,
``cli/identity.py``), with that user's rights (a deputy, the class teacher); the footer
names that user and the OS account that ran it.  A bad class, period, date or file: a
Russian message, exit 2, nothing written.

``KINDS`` is the registry: a kind is one entry, a builder from the parsed arguments to a
``Report`` (the lead adds ``completeness``, ``changes``, ``activity``, ``audit`` so).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, os_account, signed_in
from zhurnal.core.errors import DomainError, NotFound, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.models import Period, SchoolClass
    from zhurnal.core.reports.table import Report

EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Request:
    """What a builder gets: the database, who makes the report, the parsed arguments."""

    db: Database
    actor: Actor
    args: argparse.Namespace

    def klass(self, required: bool = True) -> SchoolClass | None:
        from zhurnal.cli.names import klass_named

        name = getattr(self.args, "klass", None)
        if not name:
            if required:
                raise ValidationError("Укажите класс: --class 5А.")
            return None
        return klass_named(self.db, name)

    def period(self, klass: SchoolClass | None) -> Period:
        """The period named by ``--period`` in the current year (the class's scheme first);
        without ``--period``, the class's period containing today."""
        from sqlmodel import select

        from zhurnal.core.models import Period
        from zhurnal.core.uow import current_year, period_for

        name = getattr(self.args, "period", None)
        with self.db.read() as s:
            year = current_year(s)
            if not name:
                found = (
                    period_for(s, year.id or 0, klass.period_scheme, self.actor.now().date())
                    if klass is not None
                    else None
                )
                if found is None:
                    raise ValidationError("Укажите период: --period «2 четверть».")
                return found
            wanted = " ".join(name.replace("ё", "е").split()).lower()
            periods = sorted(
                s.exec(select(Period).where(Period.year_id == year.id)),
                key=lambda p: klass is None or p.scheme != klass.period_scheme,
            )
            for p in periods:
                if " ".join(p.name.replace("ё", "е").split()).lower() == wanted:
                    return p
            known = ", ".join(dict.fromkeys(p.name for p in periods)) or "нет ни одного"
            raise NotFound(f"Периода «{name}» нет в {year.name} году (есть: {known}).")

    def dates(self, klass: SchoolClass | None) -> tuple[date, date]:
        """``--from``/``--to``, else the dates of ``--period``."""
        start, end = getattr(self.args, "start", None), getattr(self.args, "end", None)
        if start is None and end is None and getattr(self.args, "period", None):
            p = self.period(klass)
            return p.start, p.end
        if start is None or end is None:
            raise ValidationError("Укажите даты: --from ДД.ММ.ГГГГ --to ДД.ММ.ГГГГ (или --period).")
        return parse_date(start, "--from"), parse_date(end, "--to")


def parse_date(text: str, what: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ValidationError(
            f"{what}: дата «{text}» не распознана (нужно ДД.ММ.ГГГГ, например 01.09.2026)."
        ) from None


def _progress(r: Request) -> Report:
    from zhurnal.core.reports.sheets import progress_report

    klass = r.klass()
    assert klass is not None
    period_id = r.period(klass).id or 0
    preliminary = bool(getattr(r.args, "preliminary", False))
    return progress_report(r.db, r.actor, klass.id or 0, period_id, preliminary=preliminary)


def _attendance(r: Request) -> Report:
    from zhurnal.core.reports.sheets import attendance_report

    klass = r.klass()
    assert klass is not None
    start, end = r.dates(klass)
    return attendance_report(r.db, r.actor, klass.id or 0, start, end)


def _movement(r: Request) -> Report:
    from zhurnal.core.reports.sheets import movement_report

    klass = r.klass(required=False)
    start, end = r.dates(klass)
    return movement_report(r.db, r.actor, start, end, klass.id if klass else None)


def _class_results(r: Request) -> Report:
    from zhurnal.core.reports.sheets import class_results_report

    klass = r.klass()
    assert klass is not None
    return class_results_report(r.db, r.actor, klass.id or 0, r.period(klass).id or 0)


def _optional_dates(r: Request, klass: SchoolClass | None) -> tuple[date | None, date | None]:
    if any(getattr(r.args, k, None) for k in ("start", "end", "period")):
        return r.dates(klass)
    return None, None


def _week(r: Request) -> tuple[date, date]:
    """``--from``/``--to`` (or ``--period``); without them, the current week."""
    from datetime import timedelta

    start, end = _optional_dates(r, None)
    if start is not None and end is not None:
        return start, end
    today = r.actor.now().date()
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _completeness(r: Request) -> Report:
    from zhurnal.core.readmodels.completeness import class_completeness, school_completeness
    from zhurnal.core.reports.completeness import completeness_report

    klass = r.klass(required=False)
    start, end = r.dates(klass) if _has_dates(r) else _week(r)
    if klass is not None:
        return completeness_report(class_completeness(r.db, r.actor, klass.id or 0, start, end))
    return completeness_report(school_completeness(r.db, r.actor, start, end), "classes")


def _has_dates(r: Request) -> bool:
    return any(getattr(r.args, k, None) for k in ("start", "end", "period"))


def _changes(r: Request) -> Report:
    from zhurnal.core.readmodels import change_table
    from zhurnal.core.reports.changes import change_table_report

    klass = r.klass(required=False)
    start, end = _optional_dates(r, klass)
    rows = change_table(r.db, r.actor, class_id=klass.id if klass else None, start=start, end=end)
    return change_table_report(rows, f"Класс {klass.title}" if klass else "Вся школа")


def _activity(r: Request) -> Report:
    from zhurnal.core.readmodels.activity import user_activity
    from zhurnal.core.reports.audit import activity_report

    start, end = _week(r)
    rows = user_activity(r.db, r.actor, start, end)
    return activity_report(rows, f"{start:%d.%m.%Y}–{end:%d.%m.%Y}")


def _audit(r: Request) -> Report:
    from zhurnal.core.readmodels.audit_log import audit_log
    from zhurnal.core.reports.audit import audit_report

    klass = r.klass(required=False)
    start, end = _optional_dates(r, klass)
    page = audit_log(
        r.db,
        r.actor,
        class_id=klass.id if klass else None,
        start=start,
        end=end,
        limit=100_000,
    )
    where = f"класс {klass.title}" if klass else "вся школа"
    span = f", {start:%d.%m.%Y}–{end:%d.%m.%Y}" if start and end else ""
    return audit_report(page, where + span)


def _logins(r: Request) -> Report:
    from zhurnal.core.readmodels.users import issued_logins
    from zhurnal.core.reports.users import logins_report

    return logins_report(issued_logins(r.db, r.actor), f"на {r.actor.now():%d.%m.%Y %H:%M}")


def _load(r: Request) -> Report:
    from zhurnal.core.readmodels.load import school_load
    from zhurnal.core.reports.load import load_report

    return load_report(school_load(r.db, r.actor), f"на {r.actor.now():%d.%m.%Y}")


def _class_load(r: Request) -> Report:
    from zhurnal.core.readmodels.load import school_load
    from zhurnal.core.reports.load import class_load_report

    return class_load_report(school_load(r.db, r.actor), f"на {r.actor.now():%d.%m.%Y}")


@dataclass(frozen=True)
class Kind:
    help: str
    build: Callable[[Request], Report]


KINDS: dict[str, Kind] = {
    "progress": Kind("сводная ведомость успеваемости класса за период", _progress),
    "attendance": Kind("посещаемость класса по месяцам", _attendance),
    "movement": Kind("движение учащихся (класса или школы)", _movement),
    "class-results": Kind("отчёт классного руководителя за период", _class_results),
    "completeness": Kind("заполнение журнала: класс (--class) или вся школа", _completeness),
    "changes": Kind("таблица учёта изменений после закрытия [004 §7.5]", _changes),
    "activity": Kind("активность пользователей за неделю [000 §6.1]", _activity),
    "audit": Kind("журнал действий (класс, даты)", _audit),
    "logins": Kind("реестр выданных логинов [004 §5 «Администратор»]", _logins),
    "load": Kind("нагрузка учителей по классам и предметам", _load),
    "class-load": Kind("недельная нагрузка классов против предела СанПиН", _class_load),
}


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    kinds = "; ".join(f"{name} — {kind.help}" for name, kind in KINDS.items())
    p = sub.add_parser("report", help="отчёты и сводные ведомости в файл (csv, xlsx, pdf)")
    p.add_argument("kind", choices=list(KINDS), metavar="KIND", help=kinds)
    p.add_argument("--class", dest="klass", metavar="5А")
    p.add_argument("--period", metavar="«2 четверть»")
    p.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ")
    p.add_argument("--to", dest="end", metavar="ДД.ММ.ГГГГ")
    p.add_argument("--format", dest="fmt", choices=("csv", "xlsx", "pdf"))
    p.add_argument(
        "--preliminary",
        action="store_true",
        help="progress: где итоговой нет, отметка по средневзвешенному баллу в скобках",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    add_identity(p)
    db_arg(p)


def _on_paper(actor: Actor) -> Actor:
    """The user as the footer names them, with the OS account that ran the command."""
    from dataclasses import replace

    return replace(actor, full_name=f"{actor.full_name} (запуск: {os_account()})")


def cmd_report(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    from zhurnal.core.reports.writers import check_target, write_report

    try:
        db_arg = getattr(args, "db", None)
        if db_arg and "://" not in db_arg and not Path(db_arg).exists():
            raise NotFound(f"Файл базы не найден: {db_arg}")
        target = Path(args.output)
        fmt = check_target(target, args.fmt)
        db = open_db(db_arg)
        with signed_in(db, args) as actor:
            report = KINDS[args.kind].build(Request(db, _on_paper(actor), args))
        write_report(report, target, fmt)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Отчёт записан: {target} — {report.title} (строк: {len(report.rows)}).")
    return 0
