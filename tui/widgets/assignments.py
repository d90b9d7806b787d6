"""The lesson's work types (assignments): a short list on the «Урок» screen.

| Key | Action |
| :- | :- |
| delete | remove the work type under the cursor |
| + / insert | add a work type (the screen's action) |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from zhurnal.core.readmodels import AssignmentView


class AssignmentList(OptionList):
    """The lesson's work types; the option ids are assignment ids."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove", "Удалить вид работы"),
        Binding("plus,insert", "screen.add_work_type", "Добавить вид работы", show=False),
    ]

    class RemovalRequested(Message):
        def __init__(self, assignment_id: int) -> None:
            super().__init__()
            self.assignment_id = assignment_id

    def show(self, assignments: Sequence[AssignmentView]) -> None:
        """The lesson's work types as options; the highlight stays where it was."""
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            [
                Option(
                    Content(
                        f"{a.work_type_name} (вес {a.weight:g})"
                        + (f": {a.title}" if a.title else "")
                    ),
                    id=str(a.id),
                )
                for a in assignments
            ]
        )
        if assignments:
            self.highlighted = min(highlighted or 0, len(assignments) - 1)

    def action_remove(self) -> None:
        if self.highlighted is not None:
            option_id = self.get_option_at_index(self.highlighted).id
            if option_id:
                self.post_message(self.RemovalRequested(int(option_id)))


__all__ = ["AssignmentList"]
