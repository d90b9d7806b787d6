"""``zhurnal backup DEST`` and ``zhurnal restore SRC`` (``core.dbfile``).

Who may run them: the OS account that owns the database file (the service account of the
deployment, DESIGN.md «Deployment»), as for ``zhurnal recover`` (``cli/recovery.py``), not
a register user with ``--as``:

- they work on the file, not on register data: a backup holds everything, password hashes
  included, and only the account that can read the file anyway may make one; a restore
  replaces the file, which only its owner can write anyway.  Letting an administrator's
  password stand in would add nothing against that account and would hand the whole file to
  whoever learns an administrator's password;
- the backup runs from cron, where no one types a password;
- a restore is needed exactly when the register may be broken or no one can log in.

A restore is recorded in the restored database's audit log as done by ``os:NAME``.
PostgreSQL: refused with a pointer to pg_dump / pg_restore (README «Резервные копии»).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from zhurnal.cli.recovery import EXIT_BAD_INPUT, Refused, _owner_name
from zhurnal.core.errors import DomainError, ValidationError


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    text = "резервная копия базы, согласованная и проверенная (только владелец файла базы)"
    p = sub.add_parser("backup", help=text, description=text)
    p.add_argument("dest", metavar="DEST", help="новый файл копии (существующий не заменяется)")
    db_arg(p)
    text = "восстановить базу из проверенной копии (только владелец файла базы)"
    p = sub.add_parser("restore", help=text, description=text)
    p.add_argument("source", metavar="SRC", help="файл копии, сделанной zhurnal backup")
    db_arg(p)


def _check_owner(path: Path, command: str) -> None:
    """The file (or, for a database not there yet, its folder) belongs to the account
    running this, or ``Refused``."""
    import os

    try:
        owner = path.stat().st_uid
    except OSError:
        raise Refused(f"Файл базы не найден: {path}.", EXIT_BAD_INPUT) from None
    if owner != os.geteuid():
        from zhurnal.cli.identity import os_account

        name = _owner_name(owner)
        raise Refused(
            f"Резервную копию делает и восстанавливает только владелец файла базы "
            f"(учётная запись «{name}»), а команду запустила "
            f"«{os_account().removeprefix('os:')}». Выполните её от имени владельца, "
            f"например: sudo -u {name} zhurnal {command} …"
        )


def _database_path(args: argparse.Namespace, must_exist: bool, command: str) -> Path:
    from sqlalchemy.engine import make_url

    from zhurnal.core.config import resolve_database_url
    from zhurnal.core.dbfile import PG_BACKUP

    url = resolve_database_url(getattr(args, "db", None))
    if not url.startswith("sqlite"):
        raise Refused(PG_BACKUP)
    name = make_url(url).database
    if not name or name == ":memory:":
        raise Refused("Укажите файл базы: --db PATH.", EXIT_BAD_INPUT)
    path = Path(name)
    _check_owner(path if path.exists() or must_exist else path.resolve().parent, command)
    return path


def _refused(run: Callable[[], int]) -> int:
    """``run``, or the refusal it raised as ``Ошибка: …`` with its exit code."""
    try:
        return run()
    except Refused as exc:
        message, code = exc.message, exc.code
    except ValidationError as exc:
        message, code = exc.message, EXIT_BAD_INPUT
    except DomainError as exc:
        message, code = exc.message, 1
    print(f"Ошибка: {message}", file=sys.stderr)
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    return _refused(lambda: _backup(args))


def _backup(args: argparse.Namespace) -> int:
    from zhurnal.core.dbfile import backup

    source = _database_path(args, must_exist=True, command="backup")
    copy = backup(source, Path(args.dest))
    print(f"Копия записана и проверена: {copy.path} ({copy.size} байт)")
    print(f"SHA-256: {copy.sha256}")
    print(f"Вершина цепочки в копии: {copy.head} (событий {copy.events})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    return _refused(lambda: _restore(args))


def _restore(args: argparse.Namespace) -> int:
    from zhurnal.cli.identity import os_account
    from zhurnal.core.dbfile import restore

    target = _database_path(args, must_exist=False, command="restore")
    done = restore(Path(args.source), target, os_account(), datetime.now())
    print(f"База восстановлена из {done.source.path} (SHA-256 {done.source.sha256}).")
    print(f"Вершина цепочки копии: {done.source.head}; восстановление записано в журнал аудита.")
    if done.kept is not None:
        print(f"Прежняя база сохранена: {done.kept} (её вершина {done.replaced_head}).")
        if done.replaced_head != done.source.head:  # events after the copy are gone
            print(
                "Вершины, записанные после этой копии, в базе больше нет: файл вершин "
                "(zhurnal verify --anchor) начните заново, старый сохраните."
            )
    return 0
