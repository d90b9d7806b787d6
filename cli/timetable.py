"""``zhurnal timetable …``: the CLI twins of the timetable (issue 9).

    zhurnal timetable add --class 5А --subject Математика [--subgroup «1 гр.»]
        --day вт --lesson 2 --room 12 --from 01.09.2026 [--to 31.12.2026] --as LOGIN
    zhurnal timetable change SLOT --from 12.10.2026 [--day ср] [--lesson 3] [--room 14]
        --as LOGIN
    zhurnal timetable end SLOT --from 12.10.2026 --as LOGIN
    zhurnal timetable list --class 5А [--date 12.10.2026] --as LOGIN
    zhurnal timetable generate --from 01.09.2026 --to 31.05.2027 --as LOGIN
    zhurnal timetable cancel LESSON --reason ТЕКСТ [--undo] --as LOGIN
    zhurnal timetable substitute LESSON (--teacher LOGIN | --back) --as LOGIN

``list`` shows the class's week on a date with the slots' numbers (SLOT) and that day's
lessons with theirs (LESSON).  Every command runs as the register user ``--as LOGIN``
(``cli/identity.py``: the password asked or read from ``--password-file``) and is checked
and audited as theirs.  Bad input or a refusal (a clash names the other
lesson): a Russian message, exit 2, nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, signed_in
from zhurnal.core.errors import DomainError, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

EXIT_BAD_INPUT = 2
DAY_NAMES = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("timetable", help="расписание: уроки недели, изменения, замены, отмены")
    tsub = p.add_subparsers(dest="timetable_command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        q = tsub.add_parser(name, help=text, description=text)
        add_identity(q)
        db_arg(q)
        return q

    q = command("add", "новый урок в недельном расписании класса")
    q.add_argument("--class", dest="klass", required=True, metavar="5А")
    q.add_argument("--subject", required=True, metavar="Математика")
    q.add_argument("--subgroup", default="", metavar="«1 гр.»")
    q.add_argument("--day", required=True, metavar="пн…сб")
    q.add_argument("--lesson", required=True, metavar="N", help="номер урока по звонкам")
    q.add_argument("--room", default="", metavar="КАБИНЕТ")
    q.add_argument("--from", dest="start", required=True, metavar="ДД.ММ.ГГГГ")
    q.add_argument("--to", dest="end", metavar="ДД.ММ.ГГГГ")
    q = command("change", "перенос урока расписания с даты (будущие пустые уроки пересоздаются)")
    q.add_argument("slot", metavar="SLOT")
    q.add_argument("--from", dest="start", required=True, metavar="ДД.ММ.ГГГГ")
    q.add_argument("--day", metavar="пн…сб")
    q.add_argument("--lesson", metavar="N")
    q.add_argument("--room", metavar="КАБИНЕТ")
    q = command("end", "убрать урок из расписания с даты (пустые уроки с неё удаляются)")
    q.add_argument("slot", metavar="SLOT")
    q.add_argument("--from", dest="start", required=True, metavar="ДД.ММ.ГГГГ")
    q = command("list", "неделя класса на дату и уроки этого дня")
    q.add_argument("--class", dest="klass", required=True, metavar="5А")
    q.add_argument("--date", metavar="ДД.ММ.ГГГГ", help="по умолчанию сегодня")
    q = command("generate", "создать уроки по расписанию на учебные дни периода")
    q.add_argument("--from", dest="start", required=True, metavar="ДД.ММ.ГГГГ")
    q.add_argument("--to", dest="end", required=True, metavar="ДД.ММ.ГГГГ")
    q = command("cancel", "отменить урок (или вернуть: --undo)")
    q.add_argument("lesson", metavar="LESSON")
    q.add_argument("--reason", default="", metavar="ТЕКСТ")
    q.add_argument("--undo", action="store_true", help="вернуть отменённый урок")
    q = command("substitute", "замена: урок ведёт другой учитель [004 §5]")
    q.add_argument("lesson", metavar="LESSON")
    who = q.add_mutually_exclusive_group(required=True)
    who.add_argument("--teacher", metavar="LOGIN", help="кто заменяет")
    who.add_argument("--back", action="store_true", help="вернуть урок учителю предмета")


def parse_day(text: str) -> int:
    from zhurnal.core.services.clashes import parse_weekday

    return parse_weekday(text)


def _required_date(text: str, what: str) -> date:
    from zhurnal.cli.corrections import parse_date

    day = parse_date(text)
    if day is None:
        raise ValidationError(f"{what}: укажите дату ДД.ММ.ГГГГ.")
    return day


def cmd_timetable(args: argparse.Namespace, db: Database) -> int:
    try:
        with signed_in(db, args) as actor:
            _run(args, db, actor)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _run(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.cli.corrections import number, parse_date
    from zhurnal.cli.names import course_named, klass_named, user_id_named
    from zhurnal.core.rules import fmt_date
    from zhurnal.core.services import lessons, slot_end, timetable, timetable_changes

    command = args.timetable_command
    if command == "add":
        weekday, lesson = parse_day(args.day), number(args.lesson, "--lesson")
        start, end = _required_date(args.start, "--from"), parse_date(args.end)
        klass, subject, course_id = course_named(db, args.klass, args.subject, args.subgroup)
        slot = timetable.add_slot(db, actor, course_id, weekday, lesson, args.room, start, end)
        print(
            f"Добавлен урок № {slot.id}: {klass.title} {subject.name}, "
            f"{DAY_NAMES[weekday]} {lesson}-й урок, каб. {slot.room or '—'}, "
            f"с {fmt_date(start)}."
        )
    elif command == "change":
        slot_id = number(args.slot, "SLOT")
        start = _required_date(args.start, "--from")
        change = timetable_changes.change_slot(
            db,
            actor,
            slot_id,
            from_date=start,
            weekday=parse_day(args.day) if args.day else None,
            number=number(args.lesson, "--lesson") if args.lesson else None,
            room=args.room,
        )
        new = change.new
        print(
            f"С {fmt_date(start)} урок № {new.id}: {DAY_NAMES[new.weekday]} "
            f"{new.number}-й урок, каб. {new.room or '—'}. Уроков убрано: {change.removed}, "
            f"создано: {change.created}."
        )
        for line in change.kept:
            print(f"  оставлен как был: {line}")
        for line in change.not_created:
            print(f"  не создан: {line}")
    elif command == "end":
        slot_id, start = number(args.slot, "SLOT"), _required_date(args.start, "--from")
        ended = slot_end.end_slot(db, actor, slot_id, start)
        gone = "убран из расписания" if ended.slot_deleted else f"с {fmt_date(start)} не проводится"
        print(f"Урок расписания № {slot_id}: {gone}. Уроков убрано: {ended.removed}.")
        for line in ended.kept:
            print(f"  оставлен как был: {line}")
    elif command == "list":
        day = parse_date(args.date) or actor.now().date()
        klass = klass_named(db, args.klass)
        _print_list(db, actor, klass.id or 0, klass.title, day)
    elif command == "generate":
        start, end = _required_date(args.start, "--from"), _required_date(args.end, "--to")
        made = timetable.generate(db, actor, start, end)
        print(f"Создано уроков: {made.created}.")
        for line in made.not_created:
            print(f"  не создан: {line}")
    elif command == "cancel":
        lesson_id = number(args.lesson, "LESSON")
        if args.undo:
            timetable_changes.restore_lesson(db, actor, lesson_id)
            print(f"Урок № {lesson_id} возвращён в расписание.")
        else:
            timetable_changes.cancel_lesson(db, actor, lesson_id, args.reason)
            print(f"Урок № {lesson_id} отменён.")
    elif command == "substitute":
        lesson_id = number(args.lesson, "LESSON")
        teacher = None if args.back else user_id_named(db, args.teacher)
        view = lessons.assign_substitute(db, actor, lesson_id, teacher)
        who = "учителю предмета" if args.back else args.teacher
        print(f"Урок № {view.id} {fmt_date(view.date)}: ведёт {who}.")


def _print_list(db: Database, actor: Actor, class_id: int, title: str, day: date) -> None:
    from zhurnal.core.rules import fmt_date
    from zhurnal.core.services import timetable_changes

    slots = timetable_changes.list_slots(db, actor, class_id, day)
    print(f"Расписание {title} на неделю с {fmt_date(day)}:")
    for line in slots:
        s = line.slot
        until = f" по {fmt_date(s.valid_to)}" if s.valid_to else ""
        print(
            f"  № {s.id:<5} {DAY_NAMES[s.weekday]} {s.number}-й  {line.name:<28} "
            f"{line.teacher:<30} каб. {s.room or '—':<6} с {fmt_date(s.valid_from)}{until}"
        )
    if not slots:
        print("  уроков нет")
    print(f"Уроки {fmt_date(day)}:")
    found = timetable_changes.day_lessons(db, actor, class_id, day)
    for x in found:
        notes = ", ".join(n for n, on in (("замена", x.substitute), ("отменён", x.cancelled)) if on)
        print(
            f"  урок № {x.id:<6} {x.number}-й  {x.name:<28} {x.teacher:<30} "
            f"каб. {x.room or '—'}" + (f"  ({notes})" if notes else "")
        )
    if not found:
        print("  уроков нет")
