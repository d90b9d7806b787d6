"""Who runs a CLI command: a register user who proved it [issue 9 «The CLI is a client»].

Every command that reads or changes the register names its user with ``--as LOGIN`` and
proves it like the login screen does (``core.auth.authenticate``: the same lockout, the
same audit events):

- ``--password-file FILE`` — the first line of FILE is the password (for scripts; ``-``
  reads it from standard input). The file should be readable by its owner only.
- otherwise, on a terminal, the password is asked without echo.

A temporary password must be changed first, in the register itself (``zhurnal``), before
the CLI accepts it. The session is closed (``logout``) when the command ends.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.core.errors import AuthError, ValidationError

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

MAX_PASSWORD_FILE = 4096


def add_identity(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """``--as LOGIN`` and ``--password-file FILE`` on a command's parser."""
    p.add_argument(
        "--as",
        dest="login",
        required=required,
        metavar="LOGIN",
        help="от имени пользователя журнала (пароль спрашивается или берётся из файла)",
    )
    p.add_argument(
        "--password-file",
        dest="password_file",
        metavar="FILE",
        help="файл, первая строка которого — пароль (для сценариев; «-» — стандартный ввод)",
    )


def read_password(login: str, password_file: str | None) -> str:
    """The password from the file named, or asked on the terminal; ValidationError else."""
    if password_file:
        if password_file == "-":
            text = sys.stdin.read(MAX_PASSWORD_FILE)
        else:
            path = Path(password_file)
            try:
                if path.is_dir():
                    raise ValidationError(
                        f"--password-file {password_file}: это папка, а нужен файл с паролем."
                    )
                with path.open("rb") as fh:
                    raw = fh.read(MAX_PASSWORD_FILE)
            except FileNotFoundError:
                raise ValidationError(
                    f"Файл с паролем {password_file} не найден. Проверьте путь."
                ) from None
            except PermissionError:
                raise ValidationError(
                    f"Файл с паролем {password_file} не читается: нет прав доступа."
                ) from None
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    f"Файл с паролем {password_file}: не текст в UTF-8. Запишите в первую "
                    "строку только пароль."
                ) from None
        lines = text.splitlines()
        password = lines[0] if lines else ""
        if not password:
            raise ValidationError(
                f"Файл с паролем {password_file} пуст: запишите пароль в первую строку."
            )
        return password
    if not sys.stdin.isatty():
        raise ValidationError(
            f"Нужен пароль пользователя {login}: запустите команду в терминале или укажите "
            "--password-file FILE."
        )
    import getpass

    try:
        return getpass.getpass(f"Пароль пользователя {login}: ")
    except EOFError:
        raise ValidationError("Пароль не введён.") from None


def authenticate_cli(db: Database, login: str, password_file: str | None) -> Actor:
    """The register user ``login`` after proving it, or AuthError / ValidationError."""
    from zhurnal.core.auth import authenticate

    password = read_password(login, password_file)
    result = authenticate(db, login, password)
    if result.must_change_password:
        from zhurnal.core.auth import logout

        logout(db, result.actor, "quit")
        raise AuthError(
            f"У пользователя {result.actor.login} временный пароль: сначала войдите в журнал "
            "(команда zhurnal) и смените его, затем повторите команду."
        )
    return result.actor


@contextmanager
def signed_in(db: Database, args: argparse.Namespace) -> Iterator[Actor]:
    """The command's user for the length of the command (a CLI session, then logout)."""
    login = getattr(args, "login", None)
    if not login:
        raise ValidationError("Укажите пользователя журнала: --as LOGIN.")
    actor = authenticate_cli(db, login, getattr(args, "password_file", None))
    try:
        yield actor
    finally:
        from zhurnal.core.auth import logout

        logout(db, actor, "quit")
