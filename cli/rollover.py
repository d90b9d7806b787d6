"""The year rollover from the command line [000 §5.2.1]:

    zhurnal rollover close 2026/2027 [--archive DIR] --as LOGIN
    zhurnal rollover next [--year 2026/2027] [--from ДД.ММ.ГГГГ --to ДД.ММ.ГГГГ]
                          [--name 2027/2028] --as LOGIN
    zhurnal rollover promote --order «Приказ № 45-у» --date ДД.ММ.ГГГГ
                          [--hold-back «ФИО, 5А»]… [--conditional «ФИО, 8А»]…
                          [--left «ФИО, 7Б[, ДД.ММ.ГГГГ[, Приказ № 51]]»]… [--apply] --as LOGIN

``promote`` prints every student's move (the preview) and changes nothing; with
``--apply`` it applies the order (all moves or none, once per year).  Each command runs
as the register user named by ``--as`` and is audited as them.  Bad input or a refusal
prints «Ошибка: …» in Russian, writes nothing and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, signed_in
from zhurnal.core.errors import DomainError, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.rollover import PromotionException, PromotionPreview

EXIT_BAD_INPUT = 2


def add_parser(sub: argparse._SubParsersAction, db_arg: Callable) -> None:
    p = sub.add_parser("rollover", help="переход на новый учебный год [000 §5.2.1]")
    rsub = p.add_subparsers(dest="rollover_command", required=True)
    c = rsub.add_parser("close", help="закрыть учебный год и сделать проверенную архивную копию")
    c.add_argument("year", metavar="2026/2027")
    c.add_argument("--archive", metavar="DIR", help="папка архива (по умолчанию archive/ у базы)")
    n = rsub.add_parser("next", help="создать следующий учебный год из этого")
    n.add_argument("--year", metavar="2026/2027", help="из какого года (по умолчанию текущий)")
    n.add_argument("--from", dest="start", metavar="ДД.ММ.ГГГГ", help="начало нового года")
    n.add_argument("--to", dest="end", metavar="ДД.ММ.ГГГГ", help="конец нового года")
    n.add_argument("--name", default="", metavar="2027/2028")
    pr = rsub.add_parser("promote", help="перевод учащихся по приказу (сначала просмотр)")
    pr.add_argument("--order", required=True, metavar="«Приказ № 45-у»")
    pr.add_argument("--date", dest="day", required=True, metavar="ДД.ММ.ГГГГ")
    pr.add_argument("--year", metavar="2026/2027", help="какой год завершается")
    pr.add_argument("--hold-back", action="append", default=[], metavar="«ФИО, 5А»")
    pr.add_argument("--conditional", action="append", default=[], metavar="«ФИО, 8А»")
    pr.add_argument(
        "--left", action="append", default=[], metavar="«ФИО, 7Б[, ДД.ММ.ГГГГ[, Приказ № 51]]»"
    )
    pr.add_argument("--apply", action="store_true", help="провести перевод (иначе только список)")
    pr.add_argument("--preview", action="store_true", help="только список (так и по умолчанию)")
    for q in (c, n, pr):
        add_identity(q)
        db_arg(q)


def _bad(message: str) -> int:
    print(f"Ошибка: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_rollover(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    try:
        db = open_db(getattr(args, "db", None))
        with signed_in(db, args) as actor:
            command = {"close": _close, "next": _next, "promote": _promote}
            return command[args.rollover_command](args, db, actor)
    except DomainError as exc:
        return _bad(exc.message)


def _close(args: argparse.Namespace, db: Database, actor: Actor) -> int:
    from zhurnal.core.archive import close_year
    from zhurnal.core.readmodels.rollover import year_id_by_name

    done = close_year(db, actor, year_id_by_name(db, args.year), args.archive)
    print(f"Учебный год {done.year} закрыт: его журнал только для чтения.")
    if done.archive is not None:
        a = done.archive
        print(f"Архивная копия: {a.path} ({a.size} байт), проверена.")
        print(f"SHA-256: {a.sha256} (записан в журнал аудита и в {a.path.stem}.sha256)")
    if done.note:
        print(done.note)
    return 0


def _next(args: argparse.Namespace, db: Database, actor: Actor) -> int:
    from zhurnal.core.readmodels.rollover import rollover_state, year_id_by_name
    from zhurnal.core.rules import parse_date
    from zhurnal.core.services.rollover import next_year

    source = year_id_by_name(db, args.year) if args.year else rollover_state(db, actor).year_id
    start = parse_date(args.start, "--from") if args.start else None
    end = parse_date(args.end, "--to") if args.end else None
    made = next_year(db, actor, source, start, end, args.name)
    y = made.year
    print(
        f"Создан учебный год {y.name} ({y.start:%d.%m.%Y}–{y.end:%d.%m.%Y}), "
        + (
            "он теперь текущий."
            if y.is_current
            else "он станет текущим после закрытия идущего года (zhurnal rollover close)."
        )
    )
    print(
        f"Периодов: {made.periods}, каникул и праздников: {made.holidays}, классов: "
        f"{made.classes}, предметов классов: {made.courses}. Даты периодов сдвинуты на год: "
        "проверьте их; первые классы добавьте сами."
    )
    for note in made.notes:
        print(f"  {note}")
    return 0


def _exceptions(args: argparse.Namespace, preview: PromotionPreview) -> list[PromotionException]:
    from zhurnal.core.readmodels.rollover import PromotionException, find_move
    from zhurnal.core.rules import parse_date

    found: list[PromotionException] = []
    for kind, values in (
        ("hold_back", args.hold_back),
        ("conditional", args.conditional),
        ("leave", args.left),
    ):
        for value in values:
            parts = [p.strip() for p in value.split(",")]
            if len(parts) < 2 or (kind != "leave" and len(parts) > 2) or len(parts) > 4:
                raise ValidationError(
                    f"«{value}»: нужно «ФИО, класс»"
                    + (", затем дата и приказ выбытия, если есть." if kind == "leave" else ".")
                )
            move = find_move(preview, parts[0], parts[1])
            day = parse_date(parts[2], f"«{value}»: дата") if len(parts) > 2 else None
            order = parts[3] if len(parts) > 3 else ""
            found.append(PromotionException(move.student_id, kind, day, order))
    return found


def _promote(args: argparse.Namespace, db: Database, actor: Actor) -> int:
    from zhurnal.core.readmodels.rollover import counts_text, promotion_preview, year_id_by_name
    from zhurnal.core.rules import parse_date
    from zhurnal.core.services.rollover import apply_promotion, order_text

    day = parse_date(args.day, "--date")
    text = order_text(args.order, day)
    year_id = year_id_by_name(db, args.year) if args.year else None
    preview = promotion_preview(db, actor, year_id=year_id)
    exceptions = tuple(_exceptions(args, preview))
    preview = promotion_preview(db, actor, exceptions, year_id)
    if args.apply:
        done = apply_promotion(db, actor, args.order, day, exceptions, year_id)
        print(
            f"Перевод {done.from_year} → {done.to_year} проведён ({done.order}). "
            f"{counts_text(done.counts)}."
        )
        return 0
    print(f"Перевод {preview.from_year} → {preview.to_year} по приказу: {text} (просмотр)")
    if preview.promoted_by:
        print(f"Уже проведён: {preview.promoted_by}.")
    for m in preview.moves:
        line = f"{m.from_class:>4}  {m.student}  → {m.text}"
        print(line + (f"  [нельзя: {m.problem}]" if m.problem else ""))
    print(f"Всего {len(preview.moves)}: {counts_text(preview.counts())}.")
    if preview.problems:
        print(
            f"Перевод не будет проведён, пока не решено: {len(preview.problems)}.", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    if not preview.promoted_by:
        print("Чтобы провести перевод, повторите команду с --apply.")
    return 0
