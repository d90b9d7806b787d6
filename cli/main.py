"""The one entry point, ``zhurnal``: the TUI and the non-interactive jobs.

    zhurnal [--db PATH] [--as LOGIN]          the register (terminal UI)
    zhurnal init [--db PATH] [--policy NAME] [--admin LOGIN] [--name ФИО]
                                              create a school / upgrade its schema
    zhurnal demo [--db PATH] [--no-ui]        create (first run) and open the demo school
    zhurnal verify [--db PATH] [--expect HEAD] [--anchors FILE] [--anchor FILE] [--read-only]
                                              integrity, audit chain, every right and fact
                                              against the log, heads kept outside (cli/verify.py)
    zhurnal backup DEST | restore SRC [--db PATH]  a verified copy / put one back (cli/backup.py)
    zhurnal policy check FILE                 contradictions and gaps of a policy file
    zhurnal policy show [--db PATH]           the school's rules in force (TOML)
    zhurnal policy deadlines [FILE] [--db PATH]  every deadline of the rules, with dates
    zhurnal policy set FILE --as LOGIN        replace them (an administrator; audited)
    zhurnal import marks FILE.csv --as LOGIN  register external testing results [001 §2.1]
    zhurnal import plan FILE --class 5А --subject … --as LOGIN  a course's КТП
    zhurnal import students FILE --order N --as LOGIN  class lists from CSV/XLSX (cli/contingent.py)
    zhurnal import revert [N] --as LOGIN  finish an import whose process died (cli/imports.py)
    zhurnal student arrive|leave|transfer … --as LOGIN  movement of students [004 §5]
    zhurnal user list|add|roles|reset|unlock|disable|enable … --as LOGIN  users (cli/users.py)
    zhurnal correction list|show|cells|request|decide|apply|changes … --as LOGIN  [004 §7]
    zhurnal timetable add|change|list|generate|cancel|substitute … --as LOGIN  (cli/timetable.py)
    zhurnal report KIND -o FILE [--class 5А] [--period …] --as LOGIN  summary sheets (cli/report.py)
    zhurnal recover LOGIN [--name ФИО]        the database's OS owner restores an administrator
    zhurnal subject|class|course|subgroup|load … --as LOGIN  the curriculum (cli/classes.py)
    zhurnal year|period|holiday|bells … --as LOGIN  the school year (cli/school_year.py)
    zhurnal rollover close|next|promote … --as LOGIN  the new school year [000 §5.2.1]
    zhurnal ssh-key add|list|remove …         users' SSH keys, by the service account (cli/ssh.py)
    zhurnal ssh-session LOGIN --key FP        the forced command of a key (cli/ssh.py)

Every command that reads or changes the register runs as a register user who proves it:
``--as LOGIN`` with the password asked on the terminal or read from ``--password-file FILE``
(``cli/identity.py``); it is checked and audited as that user.  ``init``, ``demo``,
``verify``, ``policy show|check|deadlines`` run without one (``init`` is audited as the OS account,
``os:NAME``); ``recover`` is the one way in when no administrator can log in, for the OS
account that owns the database only (``cli/recovery.py``).  ``ssh-key`` is run by the
service account that owns the database and ``authorized_keys``; ``ssh-session`` is run by
sshd for a key bound to a login (the key is the proof).

The UI is imported only when it starts, so the jobs run without textual.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import TYPE_CHECKING

from zhurnal.cli.argparse_ru import RussianParser
from zhurnal.cli.identity import add_identity, os_account, signed_in
from zhurnal.core.dbcheck import DatabaseUnavailable
from zhurnal.core.errors import DomainError

if TYPE_CHECKING:
    from zhurnal.core.db import Database

DEMO_DB_NAME = "demo.db"
EXIT_BAD_INPUT = 2

MODULES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("verify", "", {"verify": "cmd_verify"}),
    ("backup", "", {"backup": "cmd_backup", "restore": "cmd_restore"}),
    ("users", "db", {"user": "cmd_user"}),
    ("corrections", "db", {"correction": "cmd_correction"}),
    ("timetable", "db", {"timetable": "cmd_timetable"}),
    ("report", "open", {"report": "cmd_report"}),
    ("contingent", "open", {"student": "cmd_student"}),
    (
        "classes",
        "db",
        dict.fromkeys(("subject", "class", "course", "subgroup", "load"), "cmd_classes"),
    ),
    ("school_year", "db", dict.fromkeys(("year", "period", "holiday", "bells"), "cmd_setup")),
    ("imports", "open", {"import": "cmd_import"}),
    ("rollover", "open", {"rollover": "cmd_rollover"}),
    ("password", "open", {"password": "cmd_password"}),
    ("recovery", "", {"recover": "cmd_recover"}),
    ("ssh", "open", {"ssh-key": "cmd_ssh_key", "ssh-session": "cmd_ssh_session"}),
)
"""The subcommand modules of ``zhurnal.cli``, in the order ``zhurnal --help`` lists them:
each registers its commands with ``add_parser(sub, db_arg)``; a command runs the module's
runner named here, given the opened database (``"db"``), the way to open one
(``"open"``: it checks its input first) or nothing (``""``)."""


def _db_arg(p: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands must not overwrite a --db given before the subcommand name.
    p.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="файл базы SQLite или URL базы данных",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = RussianParser(prog="zhurnal", description="Электронный классный журнал")
    _db_arg(parser, top=True)
    parser.add_argument(
        "--as",
        dest="login",
        metavar="LOGIN",
        help="пользователь журнала: логин в форме входа или от чьего имени выполнить команду",
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", help="создать или обновить базу школы")
    _db_arg(p)
    p.add_argument("--policy", help="набор правил из data/policies (по умолчанию 004)")
    p.add_argument("--policy-file", metavar="FILE", help="свой файл правил (TOML)")
    p.add_argument("--admin", metavar="LOGIN", help="логин администратора (по умолчанию admin)")
    p.add_argument(
        "--name", metavar="ФИО", help="ФИО администратора (по умолчанию «Администратор»)"
    )

    p = sub.add_parser("demo", help="демонстрационная школа")
    _db_arg(p)
    p.add_argument("--no-ui", action="store_true", help="только создать базу, не открывать журнал")

    p = sub.add_parser("policy", help="наборы правил школы")
    psub = p.add_subparsers(dest="policy_command", required=True)
    pc = psub.add_parser("check", help="противоречия и пробелы файла правил")
    pc.add_argument("file")
    ps = psub.add_parser("show", help="напечатать правила, действующие в школе (TOML)")
    _db_arg(ps)
    pd = psub.add_parser(
        "deadlines", help="все сроки положения: из файла правил или действующие в школе"
    )
    pd.add_argument("file", nargs="?", help="файл правил (без него — правила школы из базы)")
    _db_arg(pd)
    pset = psub.add_parser("set", help="заменить правила школы файлом (после проверки)")
    pset.add_argument("file")
    add_identity(pset)
    _db_arg(pset)

    for module, _, _ in MODULES:
        import_module(f"zhurnal.cli.{module}").add_parser(sub, _db_arg)
    return parser


class BadInput(DomainError):
    """Bad input on the command line: «Ошибка: …» and exit 2 (``main``)."""


def _open(db_arg: str | None, *, upgrade: bool = True, create: bool = False) -> Database:
    """The school's database (``core.setup.open_register``): only ``init`` and ``demo``
    ``create`` one; why it does not open is bad input (exit 2)."""
    from zhurnal.core.errors import ValidationError
    from zhurnal.core.setup import open_register

    try:
        return open_register(db_arg, create=create, upgrade=upgrade)
    except ValidationError as exc:  # a missing or broken database, a folder, a bad URL
        raise BadInput(exc.message) from None


def cmd_init(args: argparse.Namespace) -> int:
    from zhurnal.core.errors import PolicyError, ValidationError
    from zhurnal.core.policy import load_policy, parse_policy, preset_text
    from zhurnal.core.policy_check import require_consistent
    from zhurnal.core.setup import (
        DEFAULT_ADMIN_LOGIN,
        DEFAULT_ADMIN_NAME,
        check_first_admin,
        init_school,
    )

    login = args.admin if args.admin is not None else DEFAULT_ADMIN_LOGIN
    name = args.name if args.name is not None else DEFAULT_ADMIN_NAME
    try:  # before the database file is created: a bad login creates nothing
        check_first_admin(login, name)
    except ValidationError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:  # the rules are read and checked before the database file is created too
        text = (
            load_policy(args.policy_file).toml_text
            if args.policy_file
            else preset_text(args.policy or "004")
        )
        require_consistent(parse_policy(text))
    except PolicyError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    db = _open(args.db, create=True)
    result = init_school(db, lambda: text, login, name, by=os_account())
    if not result.created:
        print(f"База уже создана: {db.url}")
        print(
            "Схема обновлена до последней версии; больше ничего не изменено: "
            "администратор не добавлен, пароли не сброшены, правила прежние "
            f"({result.policy})."
        )
        admins = ", ".join(result.admins) or "нет ни одного"
        print(f"Действующие администраторы: {admins}.")
        usable = [a for a in result.admins if a not in result.unusable]
        remedy = (
            f"Создайте новую: zhurnal user add ЛОГИН «ФИО» --roles admin --as {usable[0]}."
            if usable
            else "Ни один администратор не войдёт: владелец базы создаёт нового командой "
            "zhurnal recover ЛОГИН --name «ФИО»."
        )
        for bad in result.unusable:
            print(
                f"Внимание: под логином «{bad}» войти нельзя (логины пишутся строчными "
                f"буквами). {remedy}"
            )
        given = [
            opt
            for opt, value in (
                ("--admin", args.admin),
                ("--name", args.name),
                ("--policy", args.policy),
                ("--policy-file", args.policy_file),
            )
            if value is not None
        ]
        if given:
            print(f"Не применено к существующей базе: {', '.join(given)}.")
        return 0
    print(f"База школы создана: {db.url}")
    print(f"Правила: {result.policy}")
    if result.temp_password:
        print(
            f"Администратор: логин {result.admin_login}, временный пароль "
            f"{result.temp_password} (сменить при первом входе)"
        )
        if result.admin_login != login.strip():
            print(f"Логин записан строчными буквами: {result.admin_login}.")
    return 0


def demo_db_path(db_arg: str | None) -> str:
    if db_arg:
        return db_arg
    from zhurnal.core.config import default_db_path

    return str(default_db_path().with_name(DEMO_DB_NAME))


def cmd_demo(args: argparse.Namespace) -> int:
    from zhurnal.core.demo import create_demo, demo_info_text
    from zhurnal.core.setup import is_initialized

    path = demo_db_path(args.db)
    db = _open(path, create=True)
    with db.read() as s:
        exists = is_initialized(s)
    if exists:
        print(f"Демонстрационная школа уже создана: {db.url}")
    else:
        print("Создаю демонстрационную школу…", flush=True)
        info = create_demo(db)
        print(demo_info_text(info))
        print(f"База: {db.url}")
    db.dispose()
    if args.no_ui:
        return 0
    return run_ui(path, getattr(args, "login", None))


def cmd_policy(args: argparse.Namespace) -> int:
    from zhurnal.core.policy_check import run_check

    if args.policy_command == "check":
        return run_check(args.file)
    if args.policy_command == "show":
        from zhurnal.core.policy import shown_text
        from zhurnal.core.uow import policy_of

        with _open(getattr(args, "db", None)).read() as s:
            print(shown_text(policy_of(s)), end="")
        return 0
    if args.policy_command == "deadlines":
        return _policy_deadlines(args)
    return _policy_set(args)


def _policy_deadlines(args: argparse.Namespace) -> int:
    """Every deadline of a policy file, or of the school's rules with the day each duty
    next falls due in the current year (reads only, like ``policy show``)."""
    from zhurnal.core.readmodels.deadlines import (
        format_deadlines,
        policy_deadlines,
        school_deadlines,
    )

    if args.file:
        print(format_deadlines(policy_deadlines(_policy_file(args.file))))
        return 0
    with _open(getattr(args, "db", None)).read() as s:
        print(format_deadlines(school_deadlines(s)))
    return 0


def _policy_file(path: str):
    """The policy a file holds; a file that is not one is bad input (exit 2), read before
    any database is opened or password asked."""
    from zhurnal.core.errors import PolicyError
    from zhurnal.core.policy import load_policy

    try:
        return load_policy(path)
    except PolicyError as exc:
        raise BadInput(exc.message) from None


def _policy_set(args: argparse.Namespace) -> int:
    """Replace the school's policy: the file is validated first (a bad one asks for no
    password and changes nothing); the change is made and audited as the ``--as`` user."""
    from zhurnal.core.errors import PolicyError
    from zhurnal.core.policy_check import require_consistent
    from zhurnal.core.services.policy import replace_policy

    try:  # a contradiction is refused before a password is asked, as bad input
        text = require_consistent(_policy_file(args.file)).toml_text
    except PolicyError as exc:
        raise BadInput(exc.message) from None
    db = _open(getattr(args, "db", None))
    with signed_in(db, args) as actor:
        done = replace_policy(db, actor, text)
    print(f"Правила школы заменены: {done.old} → {done.new}")
    if done.new_zone != done.old_zone:
        print(f"Часовой пояс школы: {done.old_zone} → {done.new_zone}")
    return 0


def cmd_module(args: argparse.Namespace) -> int:
    """A command of a module of ``MODULES``: its runner, given what it takes."""
    module, takes, runners = next(m for m in MODULES if args.command in m[2])
    run = getattr(import_module(f"zhurnal.cli.{module}"), runners[args.command])
    if takes == "db":
        return int(run(args, _open(getattr(args, "db", None))))
    return int(run(args, _open) if takes == "open" else run(args))


def run_ui(db_arg: str | None, login: str | None) -> int:
    from zhurnal.core.dbcheck import check_database
    from zhurnal.core.errors import ValidationError

    try:  # a missing or broken database is refused before the screen is taken over
        check_database(db_arg)
    except ValidationError as exc:
        raise BadInput(exc.message) from None
    from zhurnal.tui.app import run

    return run(db_arg, login)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"init": cmd_init, "demo": cmd_demo, "policy": cmd_policy}
    try:
        if args.command is None:
            return run_ui(args.db, args.login)
        return handlers.get(args.command, cmd_module)(args)
    except (BadInput, DatabaseUnavailable) as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `zhurnal demo | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
