"""The lesson's work types (its assignments, the columns marks go into) on «Урок».

:class:`LessonWorkTypes` is a base of :class:`~zhurnal.tui.screens.lesson.LessonScreen`:
F4 (or + / Insert on the list) adds a work type, Delete on the list removes one; the
core decides whether the user may (``work_types_why_not``) and refuses with the same
words if the screen is behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.lesson_texts import LessonTexts
from zhurnal.tui.widgets.assignments import AssignmentList
from zhurnal.tui.widgets.dialogs import WorkTypeModal

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import LessonCard


class LessonWorkTypes(LessonTexts):
    """Adding and removing the lesson's work types (see the module docstring)."""

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__(actor, lesson_id)
        self._types: list[tuple[str, str, float]] = []

    def _card_changed(self, card: LessonCard, counter: int) -> None:
        """The screen shows the card after a change of its work types, read after the
        change counter ``counter`` (its own change is then not a reason to reload)."""
        raise NotImplementedError

    def _refusal(self) -> str | None:
        card = self.card
        if card is None:
            return "Урок ещё загружается."
        return card.lesson.work_types_why_not or None

    def action_add_work_type(self) -> None:
        refusal = self._refusal()
        if refusal:
            show_refusal(self, refusal)
            return

        def chosen(code: str | None) -> None:
            if code:
                self._change_assignments(add=code)

        self.app.push_screen(WorkTypeModal("Вид работы на уроке", self._types), chosen)

    @on(AssignmentList.RemovalRequested)
    def _remove_requested(self, event: AssignmentList.RemovalRequested) -> None:
        refusal = self._refusal()
        if refusal:
            show_refusal(self, refusal)
        else:
            self._change_assignments(remove=event.assignment_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="assignments")
    def _change_assignments(self, add: str | None = None, remove: int | None = None) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.readmodels import change_counter, lesson_card
        from zhurnal.core.services.marks import add_assignment, remove_assignment

        db = self.register.database()
        try:
            if add is not None:
                add_assignment(db, self.actor, self.lesson_id, add)
            if remove is not None:
                remove_assignment(db, self.actor, remove)
        except DomainError as exc:
            self.call_later(show_refusal, self, exc.message)
        counter = change_counter(db)  # read first: a change after it is noticed later
        card = lesson_card(db, self.actor, self.lesson_id)
        self.call_later(self._card_changed, card, counter)
