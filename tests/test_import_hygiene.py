"""core/ imports no textual or rich (DESIGN.md "Layers"); importing it creates nothing."""

import subprocess
import sys

CORE_MODULES = [
    f"zhurnal.{name}" for name in (
        "core", "core.models", "core.db", "core.rules", "core.policy", "core.audit",
        "core.auth", "core.access", "core.services.lessons", "core.services.marks",
        "core.services.timetable", "core.services.contingent", "core.services.incidents",
        "core.services.corrections", "core.services.users", "core.services.school",
        "core.importer", "core.verify", "core.demo", "core.policy_check", "cli",
    )
]


def test_core_imports_no_ui_libraries(tmp_path) -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path / "d")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    assert out.stdout.strip() == ""
    # Importing core must not create the data directory or a database file.
    assert not (tmp_path / "d").exists()
