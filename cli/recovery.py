"""``zhurnal recover LOGIN [--name ФИО]``: when no administrator can log in [issue 9].

The one command that changes the register without a register user.  It is for the OS
account that owns the database and nobody else:

- SQLite: the database file must belong to the account running the command
  (``os.stat(path).st_uid == os.geteuid()``) — the service account of the deployment
  (DESIGN.md «Deployment»), who can read and write the file anyway.  Anyone else is
  refused before the file is opened.
- PostgreSQL: the URL must connect as the role that owns the register's tables.  Whoever
  holds those credentials (they sit in the service account's config) owns the data anyway;
  a role that only may read and write them is refused.

Then ``core.services.recovery.recover_admin`` makes LOGIN an administrator again with a
temporary password and its lockout lifted (or creates it, with ``--name``), audited as
``user.recover`` by ``os:NAME``.  The temporary password is printed once; it is changed at
the first login.  Refused: a Russian message, exit 1 (not the owner) or 2 (bad input),
nothing written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.cli.identity import os_account
from zhurnal.core.errors import DomainError, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.db import Database

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    text = (
        "восстановить администратора, когда войти не может ни один "
        "(только для владельца базы на сервере)"
    )
    p = sub.add_parser("recover", help=text, description=text)
    p.add_argument("user_login", metavar="LOGIN", help="логин администратора (есть или новый)")
    p.add_argument("--name", metavar="ФИО", default="", help="ФИО, если логин новый")
    db_arg(p)


class Refused(Exception):
    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def check_file_owner(path: Path) -> None:
    """The SQLite file exists and belongs to the account running this, or ``Refused``."""
    try:
        owner = path.stat().st_uid
    except FileNotFoundError:
        raise Refused(
            f"Файл базы не найден: {path}. Восстанавливать нечего: новую школу создаёт "
            "zhurnal init.",
            EXIT_BAD_INPUT,
        ) from None
    if not hasattr(os, "geteuid"):
        raise Refused("Восстановление доступа выполняется только на сервере с Linux или BSD.")
    if owner != os.geteuid():
        me = os_account().removeprefix("os:")
        raise Refused(
            f"Восстановить доступ администратора может только владелец файла базы "
            f"(учётная запись «{_owner_name(owner)}»), а команду запустила «{me}». "
            f"Выполните её от имени владельца, например: sudo -u {_owner_name(owner)} "
            "zhurnal recover ЛОГИН."
        )


def _open_as_owner(db_arg: str | None) -> Database:
    """The database, once the one running this is shown to own it."""
    from sqlalchemy.engine import make_url

    from zhurnal.core.dbcheck import check_database
    from zhurnal.core.setup import open_register

    url = check_database(db_arg)
    if url.startswith("sqlite"):
        name = make_url(url).database
        if not name or name == ":memory:":
            raise Refused("Укажите файл базы: --db PATH.", EXIT_BAD_INPUT)
        check_file_owner(Path(name))
        return open_register(url)
    from zhurnal.core.services.recovery import role_owns_register

    db = open_register(url, upgrade=False)
    owns, role = role_owns_register(db)
    if not owns:
        db.dispose()
        raise Refused(
            f"Роль базы данных «{role}» не владеет таблицами журнала. Восстановить доступ "
            "администратора можно только с учётными данными владельца базы (они в "
            "конфигурации сервера журнала): укажите его адрес базы в --db."
        )
    return db


def cmd_recover(args: argparse.Namespace) -> int:
    from zhurnal.core.services.recovery import recover_admin

    try:
        db = _open_as_owner(getattr(args, "db", None))
    except Refused as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return exc.code
    except ValidationError as exc:  # --db names a folder
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    who = os_account()
    try:
        done = recover_admin(db, who, args.user_login, args.name)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        db.dispose()
    if done.created:
        print(f"Создан администратор {done.login} ({done.full_name}).")
    else:
        print(f"Доступ администратора восстановлен: {done.login} ({done.full_name}).")
    print(f"Временный пароль: {done.temp_password} — показан один раз; при первом входе")
    print("(zhurnal) его нужно сменить. Блокировка входа снята.")
    print(f"Записано в журнал аудита: «user.recover», выполнил {who}.")
    if done.other_admins:
        print(f"Другие действующие администраторы: {', '.join(done.other_admins)}.")
    return 0
