"""The ``zhurnal`` command: a client of the core, like the TUI (DESIGN.md "Layers")."""

from zhurnal.cli.main import main

__all__ = ["main"]
