"""``zhurnal password --as LOGIN``: a user changes their own password — also the temporary
one an administrator issued, which the other commands refuse until it is changed.

    zhurnal password --as LOGIN [--password-file NOW] [--new-password-file NEW]

Without the files both are asked on the terminal (the new one twice). The new password
follows the school's rules (``core.auth.check_password_rules``); the change is audited
like the one on the login screen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, read_password
from zhurnal.core.errors import ValidationError

if TYPE_CHECKING:
    from zhurnal.core.db import Database


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("password", help="сменить свой пароль (в том числе временный)")
    add_identity(p)
    p.add_argument(
        "--new-password-file",
        dest="new_password_file",
        metavar="FILE",
        help="файл, первая строка которого — новый пароль (для сценариев)",
    )
    db_arg(p)


def _new_password(login: str, new_file: str | None) -> str:
    if new_file:
        return read_password(login, new_file)
    if not sys.stdin.isatty():
        raise ValidationError(
            "Нужен новый пароль: запустите команду в терминале или укажите --new-password-file."
        )
    import getpass

    first = getpass.getpass("Новый пароль: ")
    if getpass.getpass("Новый пароль ещё раз: ") != first:
        raise ValidationError("Пароли не совпадают: пароль не изменён.")
    return first


def cmd_password(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    from zhurnal.core.auth import authenticate, change_password, logout

    if not args.login:
        raise ValidationError("Чей пароль сменить: укажите --as LOGIN.")
    db = open_db(args.db)
    current = read_password(args.login, args.password_file)
    result = authenticate(db, args.login, current)
    try:
        change_password(
            db, result.actor, current, _new_password(args.login, args.new_password_file)
        )
    finally:
        logout(db, result.actor, "command")
    print(f"Пароль пользователя {result.actor.login} изменён.")
    return 0
