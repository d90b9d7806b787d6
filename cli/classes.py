"""The CLI twins of «Классы и предметы» and «Предметы классов и нагрузка» (issue 9):

    zhurnal subject list|add НАЗВАНИЕ [--short КРАТКО]|rename НАЗВАНИЕ НОВОЕ [--short …]
    zhurnal class list
    zhurnal class add 5А [--scheme четверти|полугодия] [--teacher LOGIN]
    zhurnal class teacher 5А (LOGIN | --none)
    zhurnal course list [--class 5А]
    zhurnal course add --class 5А --subject Математика [--subgroup «1 гр.»] --teacher LOGIN
        --hours 5
    zhurnal course teacher --class 5А --subject Математика [--subgroup …] --teacher LOGIN
        [--from ДД.ММ.ГГГГ]           the lessons not yet held pass to the new teacher
    zhurnal course hours --class 5А --subject Математика [--subgroup …] --hours 4
    zhurnal course remove --class 5А --subject Музыка [--subgroup …]   (no lessons yet)
    zhurnal subgroup list --class 5А --subject «Английский язык» [--date ДД.ММ.ГГГГ]
    zhurnal subgroup set --class 5А --subject … (--group «1 гр.» | --none)
        [--from ДД.ММ.ГГГГ] "Фамилия Имя" …
    zhurnal load [--classes]           the teachers' load; --classes: a pupil's week
                                       against the СанПиН ceiling of the grade

Each runs as the register user ``--as LOGIN`` (``cli.identity``), checked and audited as
theirs.  Bad input or a refusal: «Ошибка: …» in Russian on stderr, exit 2, nothing
written.  The year is the current one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, command_group, signed_in
from zhurnal.core.errors import DomainError, NotFound, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.catalog import SubgroupSplit

EXIT_BAD_INPUT = 2
COMMANDS = ("subject", "class", "course", "subgroup", "load")
SCHEMES = {
    "четверти": "quarters",
    "quarters": "quarters",
    "полугодия": "halves",
    "halves": "halves",
}


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    def group(name: str, text: str) -> Callable[[str, str], argparse.ArgumentParser]:
        return command_group(sub, db_arg, name, text, "action")

    def course_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--class", dest="klass", required=True, metavar="5А")
        q.add_argument("--subject", required=True, metavar="Математика")
        q.add_argument("--subgroup", default="", metavar="«1 гр.»")

    command = group("subject", "предметы школы")
    command("list", "все предметы")
    q = command("add", "новый предмет")
    q.add_argument("name", metavar="НАЗВАНИЕ")
    q.add_argument("--short", default="", metavar="КРАТКО")
    q = command("rename", "переименовать предмет")
    q.add_argument("name", metavar="НАЗВАНИЕ")
    q.add_argument("new_name", metavar="НОВОЕ")
    q.add_argument("--short", default=None, metavar="КРАТКО")

    command = group("class", "классы учебного года и их классные руководители")
    command("list", "классы текущего учебного года")
    q = command("add", "новый класс текущего учебного года")
    q.add_argument("title", metavar="5А")
    q.add_argument("--scheme", default="четверти", metavar="четверти|полугодия")
    q.add_argument("--teacher", metavar="LOGIN", help="классный руководитель")
    q = command("teacher", "назначить классного руководителя")
    q.add_argument("title", metavar="5А")
    who = q.add_mutually_exclusive_group(required=True)
    who.add_argument("teacher", nargs="?", metavar="LOGIN")
    who.add_argument("--none", action="store_true", help="снять классного руководителя")

    command = group("course", "предметы классов: учитель, подгруппа, часы [004 §5]")
    q = command("list", "предметы классов с учителями и часами")
    q.add_argument("--class", dest="klass", metavar="5А")
    q = command("add", "предмет в классе (или в подгруппе класса)")
    course_args(q)
    q.add_argument("--teacher", required=True, metavar="LOGIN")
    q.add_argument("--hours", required=True, metavar="ЧАСОВ", help="часов в неделю")
    q = command("teacher", "другой учитель с даты: ему переходят ещё не проведённые уроки")
    course_args(q)
    q.add_argument("--teacher", required=True, metavar="LOGIN")
    q.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ", help="по умолчанию сегодня")
    q = command("hours", "часов в неделю")
    course_args(q)
    q.add_argument("--hours", required=True, metavar="ЧАСОВ")
    q = command("remove", "удалить ошибочно добавленный предмет класса (без уроков)")
    course_args(q)

    command = group("subgroup", "деление класса на подгруппы по предмету [004 §5]")
    q = command("list", "кто в какой подгруппе на дату")
    q.add_argument("--class", dest="klass", required=True, metavar="5А")
    q.add_argument("--subject", required=True, metavar="Предмет")
    q.add_argument("--date", metavar="ДД.ММ.ГГГГ", help="по умолчанию сегодня")
    q = command("set", "перевести учеников в подгруппу с даты")
    q.add_argument("--class", dest="klass", required=True, metavar="5А")
    q.add_argument("--subject", required=True, metavar="Предмет")
    target = q.add_mutually_exclusive_group(required=True)
    target.add_argument("--group", metavar="«1 гр.»")
    target.add_argument("--none", action="store_true", help="ни в одной подгруппе")
    q.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ", help="по умолчанию сегодня")
    q.add_argument("pupils", nargs="+", metavar="«Фамилия Имя»")

    p = sub.add_parser("load", help="нагрузка учителей (и недельная нагрузка классов)")
    p.add_argument("--classes", action="store_true", help="нагрузка классов против СанПиН")
    add_identity(p)
    db_arg(p)


def cmd_classes(args: argparse.Namespace, db: Database) -> int:
    try:
        with signed_in(db, args) as actor:
            RUN[args.command](args, db, actor)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


# --- parsing ------------------------------------------------------------------------


def _hours(text: str) -> float:
    from zhurnal.core.services.school import parse_hours

    return parse_hours(text)


def _day(text: str | None, what: str, actor: Actor) -> date:
    from zhurnal.core.rules import parse_date

    return parse_date(text, what) if text else actor.now().date()


def _teacher(db: Database, login: str) -> int:
    from zhurnal.cli.names import user_id_named

    return user_id_named(db, login)


def _class(db: Database, title: str) -> int:
    from zhurnal.cli.names import klass_named

    return klass_named(db, title).id or 0


def _course(db: Database, args: argparse.Namespace) -> tuple[str, int]:
    from zhurnal.cli.names import course_named
    from zhurnal.core.context import group_title

    klass, subject, course_id = course_named(db, args.klass, args.subject, args.subgroup)
    return group_title(f"{klass.title} {subject.name}", args.subgroup.strip()), course_id


def _subject_id(db: Database, name: str) -> int:
    from zhurnal.core.importer import RowError, _Resolver

    with db.read() as s:
        try:
            return _Resolver(s).subject(name).id or 0
        except RowError as exc:
            raise NotFound(f"Предмет «{name}» не найден.") from exc


def _hours_text(hours: float) -> str:
    from zhurnal.core.reports.load import hours_text

    return hours_text(hours)


# --- commands -----------------------------------------------------------------------


def _subject(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.catalog import subject_rows
    from zhurnal.core.services import courses, school

    if args.action == "list":
        for s in subject_rows(db, actor):
            short = f" ({s.short})" if s.short else ""
            print(f"{s.name}{short} — классов: {s.courses}")
    elif args.action == "add":
        made = school.add_subject(db, actor, args.name, args.short)
        print(f"Предмет «{made.name}» добавлен.")
    else:
        made = courses.rename_subject(
            db, actor, _subject_id(db, args.name), args.new_name, args.short
        )
        print(f"Предмет «{args.name}» теперь называется «{made.name}».")


def _klass(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.context import parse_class_title
    from zhurnal.core.readmodels.catalog import class_rows, setup_year
    from zhurnal.core.services import school

    if args.action == "list":
        for k in class_rows(db, actor):
            lead = k.class_teacher or "не назначен"
            print(f"{k.title}\t{k.scheme_name}\tкл. руководитель: {lead}\tучеников: {k.students}")
        return
    if args.action == "teacher":
        teacher = None if args.none else _teacher(db, args.teacher)
        school.set_class_teacher(db, actor, _class(db, args.title), teacher)
        print(f"{args.title}: классный руководитель {'снят' if args.none else args.teacher}.")
        return
    parsed = parse_class_title(args.title)
    if parsed is None:
        raise ValidationError(f"Класс «{args.title}»: нужны параллель и литера, например 5А.")
    scheme = SCHEMES.get(args.scheme.strip().lower())
    if scheme is None:
        raise ValidationError(f"--scheme «{args.scheme}»: четверти или полугодия.")
    year = setup_year(db, actor)
    if year is None:
        raise NotFound("Текущий учебный год не задан: сначала создайте учебный год.")
    teacher = _teacher(db, args.teacher) if args.teacher else None
    made = school.create_class(db, actor, year.id, parsed[0], parsed[1], teacher, scheme)
    print(f"Класс {made.title} добавлен в {year.name}.")


def _course_cmd(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.catalog import class_rows
    from zhurnal.core.services import courses, school

    if args.action == "list":
        ids = [_class(db, args.klass)] if args.klass else [k.id for k in class_rows(db, actor)]
        for class_id in ids:
            listed = courses.class_course_rows(db, actor, class_id)
            print(f"{listed.title} (учебных недель: {listed.weeks})")
            for r in listed.rows:
                plan = f", КТП {r.plan_hours} ч" if r.plan_hours else ""
                print(
                    f"  {r.title}\t{r.teacher} ({r.teacher_login})\t"
                    f"{_hours_text(r.hours_per_week)} ч/нед, {r.yearly_hours} ч/год{plan}"
                )
        return
    if args.action == "add":
        teacher, hours = _teacher(db, args.teacher), _hours(args.hours)
        class_id, subject_id = _class(db, args.klass), _subject_id(db, args.subject)
        school.create_course(db, actor, class_id, subject_id, teacher, args.subgroup, hours)
        print(f"Добавлено: {args.klass} {args.subject} {args.subgroup}".rstrip() + ".")
        return
    name, course_id = _course(db, args)
    if args.action == "teacher":
        start = _day(args.start, "--from", actor)
        change = courses.change_course_teacher(
            db, actor, course_id, _teacher(db, args.teacher), start
        )
        print(f"{name}: с {start:%d.%m.%Y} ведёт {args.teacher}; уроков передано: {change.moved}.")
        for line in change.kept:
            print(f"  оставлен как был: {line}")
    elif args.action == "hours":
        made = courses.set_course_hours(db, actor, course_id, _hours(args.hours))
        print(f"{name}: {_hours_text(made.hours_per_week)} ч в неделю.")
    else:
        courses.remove_course(db, actor, course_id)
        print(f"{name}: удалён.")


def _subgroup(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.catalog import subgroup_split
    from zhurnal.core.services.subgroups import set_subgroups

    class_id, subject_id = _class(db, args.klass), _subject_id(db, args.subject)
    day = _day(args.date if args.action == "list" else args.start, "Дата", actor)
    split = subgroup_split(db, actor, class_id, subject_id, day)
    names = {g.course_id: g.subgroup for g in split.groups}
    if args.action == "list":
        print(f"{split.class_title}, {split.subject}, на {day:%d.%m.%Y}:")
        for p in split.pupils:
            print(f"  {p.name}\t{names.get(p.course_id or 0, '— без группы —')}")
        return
    target = None
    if not args.none:
        wanted = args.group.strip()
        target = next((g.course_id for g in split.groups if g.subgroup == wanted), None)
        if target is None:
            known = ", ".join(f"«{g.subgroup}»" for g in split.groups) or "нет"
            raise ValidationError(
                f"Подгруппы «{wanted}» по предмету «{split.subject}» в {split.class_title} "
                f"нет (есть: {known})."
            )
    groups = {_pupil(split, name): target for name in args.pupils}
    result = set_subgroups(db, actor, class_id, subject_id, groups, day)
    print(
        f"С {day:%d.%m.%Y}: переведено {result.changed}, "
        f"уже были в этой подгруппе {result.unchanged}."
    )


def _pupil(split: SubgroupSplit, name: str) -> int:
    from zhurnal.core.importer import _norm

    wanted = _norm(name)
    found = [
        p.student_id
        for p in split.pupils
        if _norm(p.name) == wanted or _norm(" ".join(p.name.split()[:2])) == wanted
    ]
    where = f"В {split.class_title} на {split.day:%d.%m.%Y}"
    if not found:
        raise ValidationError(f"{where} нет ученика «{name}».")
    if len(found) > 1:
        raise ValidationError(f"{where} несколько учеников «{name}»: укажите отчество.")
    return found[0]


def _load(args: argparse.Namespace, db: Database, actor: Actor) -> None:
    from zhurnal.core.readmodels.load import SANPIN, school_load

    load = school_load(db, actor)
    if args.classes:
        print(f"Недельная нагрузка классов, {load.year} (предел: {SANPIN})")
        for c in load.classes:
            over = f" — сверх предела на {_hours_text(c.over)} ч!" if c.over else ""
            print(f"  {c.title}\t{_hours_text(c.pupil_hours)} из {c.limit} ч{over}")
        return
    print(f"Нагрузка учителей, {load.year}")
    for t in load.teachers:
        lead = f", кл. руководитель {t.leads}" if t.leads else ""
        print(f"{t.name} ({t.login}): {_hours_text(t.total)} ч в неделю{lead}")
        for line in t.lines:
            print(f"  {line.class_title}\t{line.subject_title}\t{_hours_text(line.hours_per_week)}")
    print(f"Всего часов в неделю: {_hours_text(load.total)}.")


RUN: dict[str, Callable[[argparse.Namespace, Database, Actor], None]] = {
    "subject": _subject,
    "class": _klass,
    "course": _course_cmd,
    "subgroup": _subgroup,
    "load": _load,
}
