"""The contingent from the command line: class lists and the movement of students [004 §5].

    zhurnal import students FILE [--class 5А] [--from ДД.ММ.ГГГГ] --order «Приказ № 12-у»
                            --as LOGIN
    zhurnal student arrive «Фамилия Имя Отчество» --birth ДД.ММ.ГГГГ --class 5А --date D --order N
    zhurnal student leave «Фамилия Имя» [--birth D] --date D --order N --reason «переезд»
    zhurnal student transfer «Фамилия Имя» [--birth D] --to 5Б --date D --order N

Each runs as the register user named by ``--as`` (``cli/identity.py``: the password asked
or read from ``--password-file``) and is audited as them. Bad input (an
unreadable file, a refused row, a wrong date, a refusal of the rules) prints a Russian
message, writes nothing and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, signed_in
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.files import read_bytes

if TYPE_CHECKING:
    from sqlmodel import Session

    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

EXIT_BAD_INPUT = 2


def _day(text: str, what: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ValidationError(f"{what}: дата «{text}» не распознана (нужно ДД.ММ.ГГГГ).") from None


def add_import_parser(isub: argparse._SubParsersAction, db_arg: Callable) -> None:
    p = isub.add_parser(
        "students", help="списки классов из CSV или XLSX (ФИО; дата рождения; класс)"
    )
    p.add_argument("file")
    p.add_argument("--class", dest="klass", default="", metavar="5А", help="класс всего файла")
    p.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ", help="дата зачисления")
    p.add_argument("--order", required=True, metavar="«Приказ № 12-у»")
    add_identity(p)
    db_arg(p)


def add_parser(sub: argparse._SubParsersAction, db_arg: Callable) -> None:
    p = sub.add_parser("student", help="движение учащихся: прибытие, выбытие, перевод")
    ssub = p.add_subparsers(dest="student_command", required=True)
    a = ssub.add_parser("arrive", help="прибытие в класс по приказу")
    a.add_argument("name", metavar="ФИО")
    a.add_argument("--birth", required=True, metavar="ДД.ММ.ГГГГ")
    a.add_argument("--class", dest="klass", required=True, metavar="5А")
    lv = ssub.add_parser("leave", help="выбытие по приказу (с этой даты ученика нет в классе)")
    lv.add_argument("name", metavar="ФИО")
    lv.add_argument("--birth", metavar="ДД.ММ.ГГГГ")
    lv.add_argument("--reason", required=True, metavar="«переезд»")
    t = ssub.add_parser("transfer", help="перевод в другой класс по приказу")
    t.add_argument("name", metavar="ФИО")
    t.add_argument("--birth", metavar="ДД.ММ.ГГГГ")
    t.add_argument("--to", dest="to_class", required=True, metavar="5Б")
    for q in (a, lv, t):
        q.add_argument("--date", dest="day", metavar="ДД.ММ.ГГГГ", help="по умолчанию сегодня")
        q.add_argument("--order", required=True, metavar="«Приказ № 12-у»")
        add_identity(q)
        db_arg(q)


def _bad(message: str) -> int:
    print(f"Ошибка: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_import_students(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    from zhurnal.core.roster_file import read_roster
    from zhurnal.core.services.class_lists import import_class_list

    try:
        data = read_bytes(args.file)
        start = _day(args.start, "--from") if args.start else None
        roster = read_roster(data, args.file)
        db = open_db(getattr(args, "db", None))
        with signed_in(db, args) as actor:
            result = import_class_list(
                db, actor, roster.rows, args.order, start, args.klass, roster.errors
            )
    except DomainError as exc:
        return _bad(exc.message)
    if result.ok:
        print(f"Зачислено учеников: {result.imported}.")
        return 0
    print(
        f"Загрузка отменена: ни один ученик не зачислен. Отклонено строк: {len(result.refused)}.",
        file=sys.stderr,
    )
    for line_no, reason in result.refused:
        print(f"  строка {line_no}: {reason}", file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_student(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    try:
        db = open_db(getattr(args, "db", None))
        with signed_in(db, args) as actor:
            return _student(args, db, actor)
    except DomainError as exc:
        return _bad(exc.message)


def _student(args: argparse.Namespace, db: Database, actor: Actor) -> int:
    from zhurnal.core.services import class_lists, contingent

    day = _day(args.day, "--date") if args.day else actor.now().date()
    command = args.student_command
    if command == "arrive":
        sid = class_lists.arrive(db, actor, args.name, args.birth, args.klass, args.order, day)
        print(f"Зачислен(а) в {args.klass.strip()} с {day:%d.%m.%Y}: {args.name.strip()}.")
        return 0 if sid else EXIT_BAD_INPUT
    sid = class_lists.find_student(db, args.name, args.birth)
    if command == "leave":
        contingent.leave(db, actor, sid, day, args.order, args.reason)
        print(f"Выбытие оформлено: {args.name.strip()}, с {day:%d.%m.%Y} не в классе.")
        return 0
    from zhurnal.core.context import class_by_title

    with db.read() as s:
        klass = class_by_title(s, _current_year_id(s), args.to_class)
    if klass is None:
        raise ValidationError(f"Класса «{args.to_class}» нет в текущем учебном году.")
    contingent.transfer(db, actor, sid, klass.id or 0, day, args.order)
    print(f"Переведён(а) в {klass.title} с {day:%d.%m.%Y}: {args.name.strip()}.")
    return 0


def _current_year_id(session: Session) -> int | None:
    from zhurnal.core.uow import current_year

    return current_year(session).id
