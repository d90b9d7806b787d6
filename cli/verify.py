"""``zhurnal verify``: the database against itself and against the heads recorded outside.

    zhurnal verify [--db PATH] [--read-only] [--expect HEAD …] [--anchors FILE] [--anchor FILE]

Exit 0 when everything holds, 1 when something broke (named in the report), 2 for bad
input.  ``--expect 80712:3c7e2b9513e0853c`` (as printed by verify and on the summary
sheets) and ``--anchors FILE`` (every head recorded in the file) prove the database still
holds that history; ``--anchor FILE`` checks the heads recorded in FILE and, if all holds,
appends the current head — the daily cron job (README «Контроль целостности»).  A file that
cannot be written, or ``--read-only``, is opened without writing anything
(``core.dbfile.open_read_only``).  Runs without a register user: it reads no register data
out, it only says whether the data agrees with the log.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.core.errors import ValidationError

if TYPE_CHECKING:
    from zhurnal.core.db import Database

EXIT_BAD_INPUT = 2


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("verify", help="проверить целостность базы и журнала аудита")
    db_arg(p)
    p.add_argument(
        "--read-only",
        action="store_true",
        help="ничего не записывать (копия на носителе только для чтения); само включается, "
        "если файл или папку нельзя изменить",
    )
    p.add_argument(
        "--expect",
        metavar="HEAD",
        action="append",
        default=[],
        help="вершина цепочки НОМЕР:ХЕШ, которая должна быть в базе (как её печатают "
        "verify и сводные ведомости); можно несколько",
    )
    p.add_argument("--anchors", metavar="FILE", help="проверить все вершины, записанные в файле")
    p.add_argument(
        "--anchor",
        metavar="FILE",
        help="проверить вершины, записанные в файле, и дописать в него текущую (для cron)",
    )


def _open(db_arg: str | None, read_only: bool) -> Database:
    from zhurnal.core.config import resolve_database_url
    from zhurnal.core.db import Database
    from zhurnal.core.dbfile import is_read_only, open_read_only

    url = resolve_database_url(db_arg)
    if url.startswith("sqlite") and "://" in url:
        from sqlalchemy.engine import make_url

        name = make_url(url).database or ""
        path = Path(name)
        if path.is_dir():
            raise ValidationError(
                f"«{path}» — это папка, а нужен файл базы: укажите его имя, например "
                f"--db {path / 'school.db'}."
            )
        if not name or name == ":memory:" or not path.is_file():
            raise ValidationError(f"Файл базы не найден: {db_arg or name}")
        return open_read_only(path, immutable=read_only or is_read_only(path))
    return Database.open(url, upgrade=False)


def cmd_verify(args: argparse.Namespace) -> int:
    from zhurnal.core.anchors import append_anchor, parse_head, read_anchors
    from zhurnal.core.verify import verify

    try:
        heads = [parse_head(text) for text in args.expect]
        for name in (args.anchors, args.anchor):
            if name:
                heads += [head for _, head in read_anchors(Path(name))]
        db = _open(getattr(args, "db", None), args.read_only)
    except ValidationError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return 1 if exc.message.startswith("Файл базы не найден") else EXIT_BAD_INPUT
    try:
        report = verify(db, heads)
    finally:
        db.dispose()
    print(report.text())
    if not report.ok:  # the cron mail and a script see why without reading the report
        print(
            f"Ошибка: проверка не пройдена — {'; '.join(report.failed)}. Подробности выше; "
            "прежде чем что-то менять, сохраните копию базы как есть.",
            file=sys.stderr,
        )
        return 1
    if args.anchor:
        from datetime import datetime

        try:
            append_anchor(Path(args.anchor), report.head, datetime.now().astimezone())
        except ValidationError as exc:
            print(f"Ошибка: {exc.message}", file=sys.stderr)
            return 1
        print(f"Вершина {report.head} дописана в {args.anchor}")
    return 0
