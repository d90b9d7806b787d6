"""The lesson's work types (assignments): a short list on the «Урок» screen.

| Key | Action |
| :- | :- |
| delete | remove the work type under the cursor |
| + / insert | add a work type (the screen's action) |
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList


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

    def action_remove(self) -> None:
        if self.highlighted is not None:
            option_id = self.get_option_at_index(self.highlighted).id
            if option_id:
                self.post_message(self.RemovalRequested(int(option_id)))


__all__ = ["AssignmentList"]
