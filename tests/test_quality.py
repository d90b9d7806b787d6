"""The habits that keep the house (issue 7): ruff (lint and format), mypy and the
import-linter contracts of ``pyproject.toml`` are clean.

mypy and import-linter do not follow setuptools' editable finder, so they run on a
temporary tree that maps the card's folders under ``zhurnal`` (symbolic links), as
``pip install .`` does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("core", "tui", "cli", "data")
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.xdist_group("quality")  # one tree of links for mypy and import-linter


def tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return str(found)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """``zhurnal/{core,tui,cli,data}`` as links to the source folders."""
    root = tmp_path_factory.mktemp("tree")
    (root / "zhurnal").mkdir()
    for folder in FOLDERS:
        (root / "zhurnal" / folder).symlink_to(ROOT / folder, target_is_directory=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, **env}
    )


def test_ruff_finds_nothing() -> None:
    out = run([tool("ruff"), "check", "--no-cache", "core", "tui", "cli", "tests", "bench"], ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_code_is_formatted() -> None:
    out = run(
        [tool("ruff"), "format", "--check", "--no-cache", "core", "tui", "cli", "tests", "bench"],
        ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_finds_nothing(tree) -> None:
    out = run(
        [
            tool("mypy"),
            "--config-file",
            str(tree / "pyproject.toml"),
            "--cache-dir",
            str(tree / ".mypy_cache"),
            "-p",
            "zhurnal.core",
            "-p",
            "zhurnal.tui",
            "-p",
            "zhurnal.cli",
        ],
        tree,
        MYPYPATH=str(tree),
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_import_contracts_hold(tree) -> None:
    out = run(
        [tool("lint-imports"), str(tree / "pyproject.toml"), "--no-cache"],
        tree,
        PYTHONPATH=str(tree),
    )
    assert out.returncode == 0, out.stdout + out.stderr
