"""``zhurnal user …``: the CLI twins of user administration (for the server's admin and cron).

    zhurnal user list [--db PATH]               everyone, active and disabled
    zhurnal user add LOGIN "Фамилия Имя Отчество" --roles teacher[,deputy] [--db PATH]
    zhurnal user reset LOGIN [--db PATH]        new temporary password, lifts a lockout
    zhurnal user disable|enable LOGIN [--db PATH]

Whoever can run these can already read the database file (mode 0600), so they act
as the system administrator; the audit log records them as ``cli:<os user>``.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.core.actor import ROLE_NAMES, Actor
from zhurnal.core.errors import NotFound

if TYPE_CHECKING:
    from zhurnal.core.db import Database

ACTIONS = ("list", "add", "reset", "disable", "enable")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("user", help="пользователи: список, добавить, сбросить пароль, отключить")
    usub = p.add_subparsers(dest="user_command", required=True)
    db_arg(usub.add_parser("list", help="все пользователи"))
    add = usub.add_parser("add", help="новый пользователь с временным паролем")
    add.add_argument("login")
    add.add_argument("full_name", metavar="ФИО")
    add.add_argument("--roles", required=True, help="через запятую: " + ", ".join(ROLE_NAMES))
    db_arg(add)
    for name, text in (
        ("reset", "новый временный пароль (снимает блокировку)"),
        ("disable", "отключить учётную запись [004 §4.3]"),
        ("enable", "включить учётную запись"),
    ):
        q = usub.add_parser(name, help=text)
        q.add_argument("login")
        db_arg(q)


def cli_actor() -> Actor:
    return Actor(None, f"cli:{getpass.getuser()}", frozenset({"admin"}), "Администратор (CLI)")


def _user_id(db: Database, login: str) -> int:
    from sqlmodel import select

    from zhurnal.core.auth import login_key
    from zhurnal.core.models import User

    with db.read() as s:
        user_id = s.exec(select(User.id).where(User.login == login_key(login))).first()
    if user_id is None:
        raise NotFound(f"Пользователь «{login}» не найден.")
    return user_id


def cmd_user(args: argparse.Namespace, db: Database) -> int:
    from zhurnal.core.services import users

    actor = cli_actor()
    command = args.user_command
    if command == "list":
        listed = users.list_users(db, actor)
        for u in listed:
            roles = ", ".join(ROLE_NAMES[r] for r in u.roles)
            state = "действует" if u.active else "отключена"
            if u.must_change_password and u.active:
                state += ", временный пароль"
            if u.locked_until is not None and u.active and u.locked_until > actor.now():
                state += f", заблокирована до {u.locked_until:%H:%M}"
            print(f"{u.login:<20} {u.full_name:<40} {state:<30} {roles}")
        active = sum(u.active for u in listed)
        print(f"Действующих: {active}, отключённых: {len(listed) - active}.")
        return 0
    if command == "add":
        role_codes = [r.strip() for r in args.roles.split(",") if r.strip()]
        view, password = users.create_user(db, actor, args.login, args.full_name, role_codes)
        print(f"Создан пользователь {view.login} ({view.full_name}).")
        print(f"Временный пароль: {password} — сменить при первом входе.")
        return 0
    user_id = _user_id(db, args.login)
    if command == "reset":
        password = users.reset_password(db, actor, user_id)
        print(f"Новый временный пароль для {args.login}: {password}")
    else:
        users.set_active(db, actor, user_id, command == "enable")
        print(
            f"Учётная запись {args.login} " + ("включена." if command == "enable" else "отключена.")
        )
    return 0
