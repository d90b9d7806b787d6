"""``argparse`` in Russian: the help's headings and every usage error.

argparse takes its texts through ``gettext`` (the module's globals ``_`` and
``ngettext``); ``RussianParser`` swaps in the Russian ones while it builds a parser,
formats help or parses, and prints a usage error as every other CLI error —
``Ошибка: …`` on stderr, exit 2, no traceback.  Subparsers are made of the same class.
A text argparse adds in a later Python and this table lacks stays English (the meaning
is still there); ``tests/test_cli_usage.py`` keeps the common ones Russian.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

RUSSIAN = {
    "usage: ": "использование: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "one of the arguments %s is required": "нужен один из аргументов: %s",
    "unrecognized arguments: %s": "лишние аргументы: %s",
    "not allowed with argument %s": "нельзя указывать вместе с %s",
    "ignored explicit argument %r": "значение %r здесь не нужно",
    "expected one argument": "нужно значение",
    "expected at most one argument": "нужно не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s": (
        "параметр %(option)s неоднозначен: подходят %(matches)s"
    ),
    "unexpected option string: %s": "неожиданный параметр: %s",
    "invalid %(type)s value: %(value)r": "%(value)r — нужно %(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "нет такого варианта: %(value)r; есть: %(choices)s"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "нет такой команды: %(parser_name)r; есть: %(choices)s"
    ),
    "can't open '%(filename)s': %(error)s": "файл «%(filename)s» не открывается: %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
}
TYPES = {"int": "целое число", "float": "число"}
DESTS = re.compile(r"\b(?:\w+_)?command\b")  # a subparsers' dest: «policy_command»


def _gettext(message: str) -> str:
    return RUSSIAN.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "нужно значений: %s"
    return singular if n == 1 else plural


@contextmanager
def _russian() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def russian_message(message: str) -> str:
    """A usage error as the user reads it: the command's own words, not argparse's."""
    message = DESTS.sub("команда", message)
    for name, text in TYPES.items():
        message = message.replace(f"— нужно {name}", f"— нужно {text}")
    return message


class RussianParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that speaks Russian (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _russian():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _russian():  # «unrecognized arguments» is said here, not in parse_known_args
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _russian():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _russian():
            return super().format_usage()

    def format_help(self) -> str:
        with _russian():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            2,
            f"Ошибка: {russian_message(message)}. Справка: {self.prog} --help\n",
        )
