"""Reusable widgets of the register."""

from tui.widgets.mark_grid import MarkGrid

__all__ = ["MarkGrid"]
