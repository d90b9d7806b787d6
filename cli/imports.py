"""``zhurnal import marks|plan|students``: loading data from files (each runs as the
``--as`` user, ``cli/identity.py``; each refusal is a Russian message and a non-zero
exit)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.core.errors import ValidationError
from zhurnal.core.files import read_bytes

if TYPE_CHECKING:
    from zhurnal.core.db import Database

EXIT_BAD_INPUT = 2


def marks_text(data: bytes) -> str:
    """The text of a marks file: UTF-8 (BOM or not), UTF-16 or cp1251, detected as for
    the other imports; anything else is refused."""
    from zhurnal.core.roster_file import decode

    try:
        return decode(data)
    except ValidationError:
        raise ValidationError(
            "Файл отметок не читается: нужен текст CSV "
            "(дата;урок;класс;предмет;ученик;вид работы;отметка)."
        ) from None


def add_parser(sub: argparse._SubParsersAction, db_arg: Callable) -> None:
    from zhurnal.cli.contingent import add_import_parser
    from zhurnal.cli.identity import add_identity

    p = sub.add_parser("import", help="загрузка данных")
    isub = p.add_subparsers(dest="import_command", required=True)
    im = isub.add_parser(
        "marks", help="отметки из CSV (дата;урок;класс;предмет;ученик;вид;отметка)"
    )
    im.add_argument("file")
    add_identity(im)
    db_arg(im)
    ip = isub.add_parser("plan", help="КТП предмета из CSV (тема;часы) или XLSX (тема, часы)")
    ip.add_argument("file")
    ip.add_argument("--class", dest="klass", required=True, metavar="5А")
    ip.add_argument("--subject", required=True, metavar="Математика")
    ip.add_argument("--subgroup", default="", metavar="«1 гр.»")
    ip.add_argument(
        "--allow-mismatch",
        action="store_true",
        help="загрузить, даже если часы плана расходятся с учебным планом",
    )
    add_identity(ip)
    db_arg(ip)
    add_import_parser(isub, db_arg)
    rv = isub.add_parser(
        "revert", help="отменить незавершённую загрузку (процесс прервался); без номера — список"
    )
    rv.add_argument("batch", nargs="?", metavar="N")  # «12» or «№ 12» (parse_number)
    add_identity(rv)
    db_arg(rv)


def cmd_import(args: argparse.Namespace, _open: Callable[[str | None], Database]) -> int:
    if args.import_command == "plan":
        return cmd_import_plan(args, _open)
    if args.import_command == "revert":
        return cmd_import_revert(args, _open)
    if args.import_command == "students":
        from zhurnal.cli.contingent import cmd_import_students

        return cmd_import_students(args, _open)
    from zhurnal.cli.identity import signed_in
    from zhurnal.core.importer import import_marks
    from zhurnal.core.marks_file import check_marks_text

    try:
        text = marks_text(read_bytes(args.file))
        wrong = check_marks_text(text)
    except ValidationError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if wrong:  # the file's own form: refused before a password is asked
        print(
            f"Файл отметок не принят: ни одна отметка не внесена. Строки с ошибками: {len(wrong)}.",
            file=sys.stderr,
        )
        for line_no, reason in wrong:
            print(f"  строка {line_no}: {reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    db = _open(args.db)
    with signed_in(db, args) as actor:
        result = import_marks(db, actor, text)
    if result.ok:
        print(f"Загружено отметок: {result.applied}.")
        return 0
    print(
        f"Загрузка отменена: ни одна отметка не внесена. Отклонено строк: {len(result.refused)}.",
        file=sys.stderr,
    )
    for line_no, reason in result.refused:
        print(f"  строка {line_no}: {reason}", file=sys.stderr)
    return 1


def cmd_import_plan(args: argparse.Namespace, _open: Callable[[str | None], Database]) -> int:
    """The calendar-thematic plan of one course, before the year starts [004 §5]: CSV
    («тема;часы») or XLSX (first sheet, columns «тема», «часы», header optional).  The
    total hours must match the course's yearly hours, else refused with the figures
    unless ``--allow-mismatch`` (then a warning says by how much)."""
    from zhurnal.cli.identity import signed_in
    from zhurnal.cli.names import course_named
    from zhurnal.core.models import Course
    from zhurnal.core.services.plan_hours import hours_mismatch, yearly_hours
    from zhurnal.core.services.plan_preview import read_plan_file
    from zhurnal.core.services.timetable import import_plan

    try:
        rows = read_plan_file(read_bytes(args.file), args.file)
    except ValidationError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    db = _open(getattr(args, "db", None))
    klass, subject, course_id = course_named(db, args.klass, args.subject, args.subgroup)
    with signed_in(db, args) as actor:
        count = import_plan(db, actor, course_id, rows, allow_mismatch=args.allow_mismatch)
    print(f"КТП загружен: {klass.title}, {subject.name} — тем: {count}.")
    with db.read() as s:
        course = s.get(Course, course_id)
        warning = hours_mismatch(sum(h for _, h in rows), yearly_hours(s, course)) if course else ""
    if warning:
        print(f"Внимание: {warning}", file=sys.stderr)
    return 0


def cmd_import_revert(args: argparse.Namespace, _open: Callable[[str | None], Database]) -> int:
    """A large import whose process died (killed, the server rebooted) leaves its batch
    unfinished, its chunks written: list such batches, or revert one whole."""
    from zhurnal.cli.identity import signed_in
    from zhurnal.core.errors import DomainError
    from zhurnal.core.readmodels.year_setup import parse_number
    from zhurnal.core.services.import_batches import kind_name, revert_batch, unfinished

    db = _open(getattr(args, "db", None))
    with signed_in(db, args) as actor:
        if args.batch is None:
            batches = unfinished(db)
            if not batches:
                print("Незавершённых загрузок нет.")
            for b in batches:
                print(
                    f"№ {b.id}: {kind_name(b.kind)}, начата {b.started_at:%d.%m.%Y %H:%M}, "
                    f"внесено строк {b.applied} из {b.rows}"
                )
            return 0
        try:
            batch = parse_number(args.batch, "Номер загрузки")
            result = revert_batch(db, actor, batch, reason="отменена командой")
        except DomainError as exc:
            print(f"Ошибка: {exc.message}", file=sys.stderr)
            return 1
    kept = f"; оставлено изменённых другими: {result.kept}" if result.kept else ""
    print(f"Загрузка № {result.batch_id} отменена: отменено записей {result.undone}{kept}.")
    return 0
