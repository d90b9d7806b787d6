"""The command line's own words are Russian [issue 11]: ``zhurnal --help`` and every
usage error (an unknown command, a missing argument, a choice not offered, a bad
number) — ``Ошибка: …`` on stderr, exit 2, no traceback, no argparse English."""

from __future__ import annotations

import pytest

from zhurnal.cli.argparse_ru import RussianParser
from zhurnal.cli.main import main

ENGLISH = ("usage:", "error:", "invalid choice", "required", "options:", "show this help")


def usage_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert err.startswith("использование: zhurnal") and "\nОшибка: " in err, err
    assert not any(word in err for word in ENGLISH) and "Traceback" not in err, err
    return err


def test_help_reads_in_russian(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("использование: zhurnal")
    assert "параметры:" in out and "показать эту справку и выйти" in out
    assert "создать или обновить базу школы" in out
    assert not any(word in out for word in ENGLISH)


def test_a_subcommands_help_is_russian_too(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["import", "plan", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("использование: zhurnal import plan") and "параметры:" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["foo"], "команда: нет такого варианта: 'foo'; есть: 'init'"),
        (["policy"], "не указаны обязательные аргументы: команда"),
        (["policy", "set"], "не указаны обязательные аргументы: file"),
        (["report", "grades", "-o", "x.pdf"], "KIND: нет такого варианта: 'grades'"),
        (["report", "progress", "-o", "x.csv", "--format", "doc"], "нет такого варианта: 'doc'"),
        (["--db"], "--db: нужно значение"),
        (["verify", "--bogus"], "лишние аргументы: --bogus"),
        (["timetable", "add", "--class", "5А"], "не указаны обязательные аргументы: --subject"),
    ],
    ids=["unknown-command", "no-subcommand", "missing-file", "bad-kind", "bad-format",
         "no-value", "unknown-option", "missing-options"],
)  # fmt: skip
def test_usage_errors_are_russian(capsys, argv, fragment) -> None:
    err = usage_error(argv, capsys)
    assert fragment in err and "Справка: zhurnal" in err


def test_a_number_argument_says_a_whole_number_is_needed(capsys) -> None:
    parser = RussianParser(prog="zhurnal test")
    parser.add_argument("--count", type=int)
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["--count", "пять"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Ошибка: --count: 'пять' — нужно целое число" in err, err


def test_the_swap_does_not_outlive_the_call() -> None:
    """argparse's English is back for other parsers in the process."""
    import argparse

    RussianParser(prog="x").format_help()
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]
