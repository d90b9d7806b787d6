"""``zhurnal user …``: the CLI twins of user administration (for the server's admin and cron).

    zhurnal user list --as LOGIN                 everyone, active and disabled
    zhurnal user add LOGIN "Фамилия Имя Отчество" --roles teacher[,deputy] --as LOGIN
    zhurnal user reset LOGIN --as LOGIN          new temporary password, lifts a lockout
    zhurnal user disable|enable LOGIN --as LOGIN
    zhurnal user roles LOGIN --roles teacher[,deputy] --as LOGIN   the user's roles («Роли»)
    zhurnal user unlock LOGIN --as LOGIN         lift a lockout after failed logins

Each runs as the register user named by ``--as`` (``cli/identity.py``: a password asked or
read from ``--password-file``) and is checked and audited as theirs, as on the
«Пользователи» screen: only an administrator manages users [004 §5].  When no
administrator can log in, see ``zhurnal recover`` (``cli/recovery.py``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.cli.identity import add_identity, signed_in
from zhurnal.core.actor import ROLE_NAMES

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database

ACTIONS = ("list", "add", "reset", "disable", "enable", "roles", "unlock")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "user",
        help="пользователи: список, добавить, роли, сбросить пароль, разблокировать, отключить",
    )
    usub = p.add_subparsers(dest="user_command", required=True)
    listing = usub.add_parser("list", help="все пользователи")
    add_identity(listing)
    db_arg(listing)
    add = usub.add_parser("add", help="новый пользователь с временным паролем")
    add.add_argument("user_login", metavar="login")
    add.add_argument("full_name", metavar="ФИО")
    add.add_argument("--roles", required=True, help="через запятую: " + ", ".join(ROLE_NAMES))
    add_identity(add)
    db_arg(add)
    for name, text in (
        ("reset", "новый временный пароль (снимает блокировку)"),
        ("disable", "отключить учётную запись [004 §4.3]"),
        ("enable", "включить учётную запись"),
        ("roles", "заменить роли пользователя"),
        ("unlock", "снять блокировку входа после неверных паролей"),
    ):
        q = usub.add_parser(name, help=text)
        q.add_argument("user_login", metavar="login")
        if name == "roles":
            q.add_argument("--roles", required=True, help="через запятую: " + ", ".join(ROLE_NAMES))
        add_identity(q)
        db_arg(q)


def cmd_user(args: argparse.Namespace, db: Database) -> int:
    with signed_in(db, args) as actor:
        return _run(args, db, actor)


def _run(args: argparse.Namespace, db: Database, actor: Actor) -> int:
    from zhurnal.cli.names import user_id_named
    from zhurnal.core.services import users

    command = args.user_command
    if command == "list":
        listed = users.list_users(db, actor)
        for u in listed:
            roles = ", ".join(ROLE_NAMES[r] for r in u.roles)
            state = "действует" if u.active else "отключена"
            if u.must_change_password and u.active:
                state += ", временный пароль"
            if u.active and u.password_login(actor.now()):
                state += f", {u.password_login(actor.now())}"
            print(f"{u.login:<20} {u.full_name:<40} {state:<30} {roles}")
        active = sum(u.active for u in listed)
        print(f"Действующих: {active}, отключённых: {len(listed) - active}.")
        return 0
    if command == "add":
        view, password = users.create_user(
            db, actor, args.user_login, args.full_name, _role_codes(args.roles)
        )
        print(f"Создан пользователь {view.login} ({view.full_name}).")
        print(f"Временный пароль: {password} — сменить при первом входе.")
        return 0
    login = args.user_login
    user_id = user_id_named(db, login)
    if command == "reset":
        password = users.reset_password(db, actor, user_id)
        print(f"Новый временный пароль для {login}: {password}")
    elif command == "roles":
        view = users.set_roles(db, actor, user_id, _role_codes(args.roles))
        roles = ", ".join(ROLE_NAMES[r] for r in view.roles)
        print(f"Роли {login}: {roles}.")
    elif command == "unlock":
        users.unlock(db, actor, user_id)
        print(f"Блокировка входа снята: {login}.")
    else:
        users.set_active(db, actor, user_id, command == "enable")
        print(f"Учётная запись {login} " + ("включена." if command == "enable" else "отключена."))
    return 0


def _role_codes(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]
