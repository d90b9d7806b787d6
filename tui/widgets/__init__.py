"""Reusable widgets of the register."""

from zhurnal.tui.widgets.mark_grid import MarkGrid

__all__ = ["MarkGrid"]
