"""Who runs a CLI command: a register user who proved it [issue 9 «The CLI is a client»].

Every command that reads or changes the register names its user with ``--as LOGIN`` and
proves it like the login screen does (``core.auth.authenticate``: the same lockout, the
same audit events):

- ``--password-file FILE`` — the first line of FILE is the password (for scripts; ``-``
  reads it from standard input). The file must be readable by its owner only
  (``chmod 600``): one that others may read is refused, as ssh refuses such a key.
- otherwise, on a terminal, the password is asked without echo.

``--as`` may stand before the command too (``zhurnal --as LOGIN report …``); without it
the command is refused with a Russian message (not argparse's English one). A temporary
password must be changed first — in the register itself (``zhurnal``) or by ``zhurnal
password --as LOGIN`` — before the CLI accepts it (core refuses such a session anyway,
``core.live``). The session is closed (``logout``) when the command ends.

The commands that run without a register user (``init``, ``demo``, ``verify``, ``policy
show|check``, ``recover``) name the OS account that ran them instead: ``os_account()``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.core.errors import AuthError, ValidationError
from zhurnal.core.files import os_reason

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

MAX_PASSWORD_FILE = 4096
CLI_LOGOUT = "command"  # how a CLI session ends in the audit log (``core.auth.LOGOUT_HOW``)


def add_identity(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """``--as LOGIN`` and ``--password-file FILE`` on a command's parser.

    Argparse does not enforce ``--as`` (``required`` is kept for the callers' sake):
    ``signed_in`` refuses a missing one itself, in Russian, and a subcommand's default must
    not overwrite an ``--as`` given before the command name."""
    p.add_argument(
        "--as",
        dest="login",
        default=argparse.SUPPRESS,
        metavar="LOGIN",
        help="от имени пользователя журнала (пароль спрашивается или берётся из файла)",
    )
    p.add_argument(
        "--password-file",
        dest="password_file",
        metavar="FILE",
        help="файл с паролем в первой строке, права 600 (для сценариев; «-» — стандартный ввод)",
    )


def os_account() -> str:
    """The OS account running this process, by its effective uid (not ``$USER``, which
    anyone can set), as the audit log names it: ``os:NAME``."""
    import os

    try:
        import pwd

        return f"os:{pwd.getpwuid(os.geteuid()).pw_name}"
    except (ImportError, KeyError):  # not POSIX, or a uid without a name
        import getpass

        uid = os.geteuid() if hasattr(os, "geteuid") else None
        return f"os:{getpass.getuser()}" if uid is None else f"os:uid{uid}"


def _file_text(password_file: str) -> str:
    """The text of the password file, or a ValidationError saying what is wrong with it."""
    import os
    import stat

    name = f"Файл с паролем {password_file}"
    path = Path(password_file)
    try:
        if path.is_dir():
            raise ValidationError(f"--password-file {password_file}: это папка, а нужен файл.")
        with path.open("rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if os.name == "posix" and stat.S_ISREG(mode) and mode & 0o077:
                raise ValidationError(
                    f"{name} доступен другим пользователям (права {stat.S_IMODE(mode):o}): "
                    f"пароль мог быть прочитан. Выполните chmod 600 {password_file} и, если "
                    "файл мог кто-то прочесть, смените пароль."
                )
            raw = fh.read(MAX_PASSWORD_FILE)
    except FileNotFoundError:
        raise ValidationError(f"{name} не найден. Проверьте путь.") from None
    except PermissionError:
        raise ValidationError(f"{name} не читается: нет прав доступа.") from None
    except OSError as exc:
        raise ValidationError(f"{name} не читается: {os_reason(exc)}.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{name}: не текст в UTF-8. Запишите в первую строку только пароль."
        ) from None


def command_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
    name: str,
    text: str,
    dest: str,
) -> Callable[[str, str], argparse.ArgumentParser]:
    """``zhurnal NAME ACTION …``: a command group whose actions each run as a proved
    register user (``add_identity``) on ``--db``; returns the maker of one action."""
    p = sub.add_parser(name, help=text, description=text)
    inner = p.add_subparsers(dest=dest, required=True)

    def command(action: str, about: str) -> argparse.ArgumentParser:
        q = inner.add_parser(action, help=about, description=about)
        add_identity(q)
        db_arg(q)
        return q

    return command


def read_password(login: str, password_file: str | None) -> str:
    """The password from the file named, or asked on the terminal; ValidationError else."""
    if password_file:
        text = (
            sys.stdin.read(MAX_PASSWORD_FILE) if password_file == "-" else _file_text(password_file)
        )
        lines = text.splitlines()
        password = lines[0] if lines else ""
        if not password:
            where = "Стандартный ввод" if password_file == "-" else f"Файл {password_file}"
            raise ValidationError(f"{where}: пароля нет — запишите пароль в первую строку.")
        return password
    if not sys.stdin.isatty():
        raise ValidationError(
            f"Нужен пароль пользователя {login}: запустите команду в терминале или укажите "
            "--password-file FILE (файл с паролем, chmod 600)."
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

        logout(db, result.actor, CLI_LOGOUT)
        from zhurnal.core.live import temporary_password

        raise AuthError(f"{temporary_password(result.actor.login)} Затем повторите команду.")
    return result.actor


@contextmanager
def signed_in(db: Database, args: argparse.Namespace) -> Iterator[Actor]:
    """The command's user for the length of the command (a CLI session, then logout)."""
    login = getattr(args, "login", None)
    if not login:
        raise ValidationError(
            "Команда выполняется от имени пользователя журнала: укажите --as LOGIN "
            "(пароль спросят в терминале или возьмут из --password-file FILE)."
        )
    actor = authenticate_cli(db, login, getattr(args, "password_file", None))
    try:
        yield actor
    finally:
        from zhurnal.core.auth import logout

        logout(db, actor, CLI_LOGOUT)
