"""«Запросить корректировку» on «Урок»: the topic or the homework of a locked lesson is
asked of the director [004 §7.2], where the lock's refusal is shown.

Whether this user may ask comes from core
(:func:`zhurnal.core.readmodels.lesson_correction_why_not`); the request is decided by
:func:`zhurnal.core.services.corrections.request_correction`.
:class:`LessonRequests` is a base of :class:`~zhurnal.tui.screens.lesson.LessonScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.lesson_work import LessonWorkTypes

if TYPE_CHECKING:
    pass

FIELDS = (("topic", "Тема урока"), ("homework", "Домашнее задание"))


class LessonRequests(LessonWorkTypes):
    """F6: request a correction of the lesson's topic or homework."""

    def action_request_correction(self) -> None:
        self._correction_decision()

    @work(thread=True, exclusive=True, exit_on_error=False, group="correction")
    def _correction_decision(self) -> None:
        from zhurnal.core.readmodels import lesson_correction_why_not

        why_not = lesson_correction_why_not(self.register.database(), self.actor, self.lesson_id)
        self.app.call_from_thread(self._offer_fields, why_not)

    def _offer_fields(self, why_not: str) -> None:
        if why_not:
            show_refusal(self, why_not)
            return
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        self.app.push_screen(
            ChoiceModal(
                "Что исправить",
                list(FIELDS),
                hint="Enter — выбрать, Esc — отмена",
                list_id="correction-field",
            ),
            self._field_chosen,
        )

    def _field_chosen(self, field: str | None) -> None:
        card = self.card
        if field is None or card is None:
            return
        from zhurnal.core.services.correction_cells import CellChange
        from zhurnal.tui.widgets.correction_request import ask_correction

        lesson = card.lesson
        old = lesson.topic if field == "topic" else lesson.homework
        cell = CellChange.topic if field == "topic" else CellChange.homework
        what = (
            f"{dict(FIELDS)[field]}, {lesson.date:%d.%m.%Y}, {lesson.class_title} {lesson.subject}"
        )
        lesson_id = lesson.id
        ask_correction(
            self,
            self.register,
            self.actor,
            lesson.course_id,
            what,
            old,
            lambda new: cell(lesson_id, new, old),
            new=old,
        )
