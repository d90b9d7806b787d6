"""core/ imports no textual or rich (DESIGN.md "Layers"); importing it creates nothing."""

import subprocess
import sys

CORE_MODULES = [
    f"zhurnal.{name}"
    for name in (
        "core",
        "core.models",
        "core.db",
        "core.rules",
        "core.policy",
        "core.audit",
        "core.auth",
        "core.access",
        "core.services.lessons",
        "core.services.marks",
        "core.services.timetable",
        "core.services.contingent",
        "core.services.class_lists",
        "core.roster_file",
        "core.services.incidents",
        "core.services.corrections",
        "core.services.users",
        "core.services.school",
        "core.importer",
        "core.verify",
        "core.demo",
        "core.policy_check",
        "cli",
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
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == ""
    # Importing core must not create the data directory or a database file.
    assert not (tmp_path / "d").exists()


# The layers of core/, top to bottom (core/__init__.py): a module may import from its own
# layer and the layers below it, never from a layer above.
LAYERS = (
    {"demo", "importer", "verify", "reports", "archive", "dbfile"},
    {"services", "auth", "setup"},
    {"readmodels"},
    {"access"},
    {"context"},
    {"uow"},
    {
        "rules",
        "policy",
        "policy_check",
        "calendar",
        "audit",
        "models",
        "db",
        "migrate",
        "config",
        "migrations",
        "roster_file",
        "files",
        "yearlock",
        "live",
        "throttle",
        "ledger",
        "anchors",
        "unique",
        "dbcheck",
        "policy_limits",
        "marks_file",
    },
    {"errors", "actor", "clock"},
)


def _layer(part: str) -> int:
    for i, names in enumerate(LAYERS):
        if part in names:
            return i
    raise AssertionError(f"zhurnal.core.{part} is in no layer: add it to LAYERS and core/__init__")


def _core_imports(path, package: str) -> set[str]:
    """The zhurnal.core.<part> names a module imports, at any depth (function-level too)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names = [f"{base}.{node.module}" if node.module else base]
            elif node.module == "zhurnal.core":
                names = [f"zhurnal.core.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["zhurnal", "core"] and len(parts) > 2:
                found.add(parts[2])
    return found


def test_core_layers_import_only_downwards() -> None:
    """Each core module imports only from its own layer or the layers below (no cycles
    dodged by function-level imports either)."""
    from pathlib import Path

    import zhurnal.core

    root = Path(zhurnal.core.__file__).parent
    wrong = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "__init__.py":
            continue
        part = rel.parts[0].removesuffix(".py")
        package = ".".join(("zhurnal", "core", *rel.parts[:-1]))
        for imported in _core_imports(path, package):
            if _layer(imported) < _layer(part):
                wrong.append(f"{rel} imports zhurnal.core.{imported}")
    assert wrong == []
