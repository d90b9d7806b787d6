"""``zhurnal correction …``: the CLI twins of late corrections [004 §7].

    zhurnal correction list [--status requested|approved|rejected|applied] --as LOGIN
    zhurnal correction show ID --as LOGIN
    zhurnal correction cells --class 5А --subject Математика --date 09.11.2026 --as LOGIN
    zhurnal correction request --class 5А --subject Математика [--subgroup "1 гр."]
        --ground illness --doc "Справка № 17" --doc-date 20.11.2026 [--reason ТЕКСТ]
        CELL... --as LOGIN
    zhurnal correction decide ID (--approve --until 10.12.2026 | --reject --note ТЕКСТ) --as LOGIN
    zhurnal correction apply ID --as LOGIN
    zhurnal correction changes [--class 5А] [--from ДАТА] [--to ДАТА] --as LOGIN

A CELL names a locked cell and its new value («=» with nothing after it clears the cell;
for an absence it means «был на уроке»):

    mark:ЗАДАНИЕ:УЧЕНИК=4    absence:УРОК:УЧЕНИК=Б    period:ПЕРИОД:УЧЕНИК=5
    topic:УРОК=Текст темы    homework:УРОК=Текст задания

``correction cells`` lists a day's cells of a course with these references ready to copy.
``--course ID`` (the internal id) still names a course instead of ``--class``/``--subject``.
A bad number, class or subject: a Russian message, exit 2 (argparse's own: exit 2 too).

Every command runs as the register user ``--as LOGIN`` (``cli/identity.py``: the password
asked or read from ``--password-file``) and is checked and audited as theirs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, signed_in
from zhurnal.core.errors import DomainError, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.corrections import CorrectionView
    from zhurnal.core.readmodels.day_cells import DayCell
    from zhurnal.core.services.correction_cells import CellChange

STATUSES = ("requested", "approved", "rejected", "applied")
EXIT_BAD_INPUT = 2

CELLS_HELP = """CELL — закрытая запись и её новое значение («=» без значения очищает запись;
для посещаемости это «был на уроке»):
  mark:ЗАДАНИЕ:УЧЕНИК=4    absence:УРОК:УЧЕНИК=Б    period:ПЕРИОД:УЧЕНИК=5
  topic:УРОК=Текст темы    homework:УРОК=Текст задания
Номера уроков, заданий и учеников дня показывает
  zhurnal correction cells --class 5А --subject Математика --date 09.11.2026 --as LOGIN"""


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("correction", help="исправления после закрытия журнала [004 §7]")
    csub = p.add_subparsers(dest="correction_command", required=True)

    def command(name: str, text: str, epilog: str | None = None) -> argparse.ArgumentParser:
        q = csub.add_parser(
            name,
            help=text,
            description=text,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_identity(q)
        db_arg(q)
        return q

    def course_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--class", dest="klass", metavar="5А")
        q.add_argument("--subject", metavar="Математика")
        q.add_argument("--subgroup", default="", metavar="«1 гр.»")
        q.add_argument("--course", metavar="ID", help="или внутренний номер предмета класса")

    q = command("list", "заявки (директор и завуч видят все, остальные — свои)")
    q.add_argument("--status", choices=STATUSES)
    command("show", "заявка с её записями").add_argument("id", metavar="НОМЕР")
    q = command("cells", "записи дня по предмету класса: номера для CELL [004 §7.2]")
    course_args(q)
    q.add_argument("--date", required=True, metavar="ДД.ММ.ГГГГ")
    q = command("request", "подать заявку директору [004 §7.2]", CELLS_HELP)
    course_args(q)
    q.add_argument(
        "--ground", required=True, help="illness, retake, rework, teacher_absence, other"
    )
    q.add_argument("--doc", required=True, metavar="НОМЕР", help="номер документа [004 §7.3]")
    q.add_argument("--doc-date", required=True, metavar="ДД.ММ.ГГГГ")
    q.add_argument("--reason", default="")
    q.add_argument("cells", nargs="+", metavar="CELL")
    q = command("decide", "решение директора")
    q.add_argument("id", metavar="НОМЕР")
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument("--approve", action="store_true")
    how.add_argument("--reject", action="store_true")
    q.add_argument("--until", metavar="ДД.ММ.ГГГГ", help="срок действия разрешения")
    q.add_argument("--note", default="", help="комментарий (при отказе обязателен)")
    q = command("apply", "внести утверждённые исправления [004 §7.4]")
    q.add_argument("id", metavar="НОМЕР")
    q = command("changes", "таблица учёта изменений [004 §7.5]")
    q.add_argument("--class", dest="klass", metavar="5А")
    q.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ")
    q.add_argument("--to", dest="end", metavar="ДД.ММ.ГГГГ")


def number(text: str, what: str) -> int:
    """A number the user typed («12», «№ 12»); a Russian ``ValidationError`` otherwise."""
    from zhurnal.core.readmodels.year_setup import parse_number

    return parse_number(text, what)


def course_of(db: Database, args: argparse.Namespace) -> int:
    """The course of ``--class``/``--subject``/``--subgroup``, or of ``--course ID``."""
    from zhurnal.cli.names import course_named

    if args.course is not None:
        if args.klass or args.subject:
            raise ValidationError("Укажите либо --course, либо --class и --subject.")
        return number(args.course, "--course")
    if not args.klass or not args.subject:
        raise ValidationError("Укажите класс и предмет: --class 5А --subject Математика.")
    return course_named(db, args.klass, args.subject, args.subgroup)[2]


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ValidationError(f"Дата «{text}»: ожидается ДД.ММ.ГГГГ.") from None


def parse_cell(text: str) -> CellChange:
    """``kind:id[:student]=value`` -> ``CellChange`` (see the module docstring)."""
    from zhurnal.core.services.correction_cells import CellChange

    where, sep, value = text.partition("=")
    parts = where.split(":")
    try:
        ids = [int(p) for p in parts[1:]]
    except ValueError:
        ids = []
    kind = parts[0]
    makers: dict[str, tuple[int, Callable[..., CellChange]]] = {
        "mark": (2, CellChange.mark),
        "absence": (2, CellChange.absence),
        "period": (2, CellChange.period_mark),
        "topic": (1, CellChange.topic),
        "homework": (1, CellChange.homework),
    }
    if not sep or kind not in makers or len(ids) != makers[kind][0]:
        raise ValidationError(
            f"Запись «{text}» не понята: mark:ЗАДАНИЕ:УЧЕНИК=4, absence:УРОК:УЧЕНИК=Б, "
            "period:ПЕРИОД:УЧЕНИК=5, topic:УРОК=текст, homework:УРОК=текст."
        )
    return makers[kind][1](*ids, value)


def _line(c: CorrectionView) -> str:
    return (
        f"№ {c.id:<4} {c.class_title:<5} {c.subject:<20} {c.status_text:<26} "
        f"{c.requested_by} · документ {c.document}"
    )


def _show(c: CorrectionView) -> None:
    print(_line(c))
    print(f"  Основание: {c.ground_text}")
    if c.reason:
        print(f"  Обоснование: {c.reason}")
    for item in c.items:
        who = f" — {item.student}" if item.student else ""
        print(f"  {item.label}{who}: {item.old_text} → {item.new_text}")
    if c.decided_by:
        note = f" ({c.decision_note})" if c.decision_note else ""
        print(f"  Решение: {c.decided_by}{note}")
    if c.applied_by and c.applied_at:
        print(f"  Внёс: {c.applied_by}, {c.applied_at:%d.%m.%Y %H:%M}")


def _checked(args: argparse.Namespace, db: Database) -> None:
    """The numbers, class and course typed, checked before anything runs (bad: exit 2)."""
    from zhurnal.cli.names import klass_named

    command = args.correction_command
    if command in ("show", "decide", "apply"):
        args.id = number(args.id, "Номер заявки")
    elif command in ("request", "cells"):
        args.course_id = course_of(db, args)
        if command == "cells":
            args.day = parse_date(args.date)
    elif command == "changes":
        args.class_id = klass_named(db, args.klass).id if args.klass else None


def _print_cells(cells: tuple[DayCell, ...], day: date) -> None:
    if not cells:
        print(f"Уроков {day:%d.%m.%Y} нет.")
        return
    width = max(len(c.ref) for c in cells)
    for c in cells:
        who = f" — {c.student}" if c.student else ""
        print(f"{c.ref:<{width}}  {c.label}{who}: {c.value}")


def cmd_correction(args: argparse.Namespace, db: Database) -> int:
    try:
        _checked(args, db)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with signed_in(db, args) as actor:
        _run(args, db, actor)
    return 0


def _run(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core import readmodels
    from zhurnal.core.readmodels.day_cells import day_cells
    from zhurnal.core.services import corrections

    command = args.correction_command
    if command == "list":
        found = readmodels.list_corrections(db, actor, args.status)
        for c in found:
            print(_line(c))
        if not found:
            print("Заявок нет.")
    elif command == "show":
        _show(readmodels.get_correction(db, actor, args.id))
    elif command == "cells":
        _print_cells(day_cells(db, actor, args.course_id, args.day), args.day)
    elif command == "request":
        doc_date = parse_date(args.doc_date)
        assert doc_date is not None  # required by the parser
        view = corrections.request_correction(
            db,
            actor,
            course_id=args.course_id,
            ground=args.ground,
            document_number=args.doc,
            document_date=doc_date,
            reason=args.reason,
            cells=[parse_cell(c) for c in args.cells],
        )
        print(f"Заявка № {view.id} подана директору.")
        _show(view)
    elif command == "decide":
        view = corrections.decide_correction(
            db,
            actor,
            args.id,
            approve=args.approve,
            valid_until=parse_date(args.until),
            note=args.note,
        )
        print(f"Заявка № {view.id}: {view.status_text}.")
    elif command == "apply":
        view = corrections.apply_correction(db, actor, args.id)
        print(f"Заявка № {view.id} внесена: записей {len(view.items)}.")
    else:
        rows = readmodels.change_table(
            db,
            actor,
            class_id=args.class_id,
            start=parse_date(args.start),
            end=parse_date(args.end),
        )
        for r in rows:
            who = f" — {r.student}" if r.student else ""
            print(
                f"{r.entered_at:%d.%m.%Y} {r.class_title} {r.subject}: {r.what}{who}: "
                f"{r.old} → {r.new} (№ {r.correction_id}, {r.document}; "
                f"разрешил {r.approved_by}, внёс {r.entered_by})"
            )
        print(f"Изменений: {len(rows)}.")
