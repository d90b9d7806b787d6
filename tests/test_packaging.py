"""The installed distribution claims one top-level import name, ``zhurnal`` (issue 7).

The card's folders (``core/``, ``tui/``, ``cli/``, ``data/``) stay where they are and are
mapped under ``zhurnal`` in ``pyproject.toml``; installing the register must not put
packages called ``core`` or ``tui`` into site-packages, where any other package of that
name would collide.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "tui", "cli", "data", "pyproject.toml", "README.md")


def _site_packages(env: Path) -> Path:
    return next((env / "lib").glob("python3*/site-packages"))


@pytest.mark.xdist_group("packaging")
def test_pip_install_adds_exactly_one_top_level_package(tmp_path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, source / name)
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(wheels.glob("zhurnal-*.whl"))

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    before = {p.name for p in _site_packages(env).iterdir()}
    installed = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    new = {p.name for p in _site_packages(env).iterdir()} - before
    assert {n for n in new if not n.endswith(".dist-info")} == {"zhurnal"}
    package = _site_packages(env) / "zhurnal"
    assert sorted(p.name for p in package.iterdir()) == ["cli", "core", "data", "tui"]
    # The shipped data travels with the code.
    assert (package / "data" / "policies" / "004_krasnodar_53.toml").is_file()
    assert (package / "tui" / "app.tcss").is_file()
    assert (env / "bin" / "zhurnal").is_file()
