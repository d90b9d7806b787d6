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
    from zhurnal.tui.widgets.correction_request import RequestForm

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
        from zhurnal.tui.widgets.correction_request import CorrectionRequestModal

        lesson = card.lesson
        old = lesson.topic if field == "topic" else lesson.homework
        actor, db_of, lesson_id, course_id = (
            self.actor,
            self.register.database,
            lesson.id,
            lesson.course_id,
        )

        def send(form: RequestForm) -> int:
            from zhurnal.core.services.correction_cells import CellChange
            from zhurnal.core.services.corrections import request_correction

            change = (CellChange.topic if field == "topic" else CellChange.homework)(
                lesson_id, form.new, old
            )
            return request_correction(
                db_of(),
                actor,
                course_id=course_id,
                ground=form.ground,
                document_number=form.document_number,
                document_date=form.document_date,
                reason=form.reason,
                cells=[change],
            ).id

        def sent(number: int | None) -> None:
            if number is not None:
                self.notify(f"Заявка на исправление № {number} отправлена директору.", markup=False)

        what = (
            f"{dict(FIELDS)[field]}, {lesson.date:%d.%m.%Y}, {lesson.class_title} {lesson.subject}"
        )
        self.app.push_screen(
            CorrectionRequestModal(what, old, self.register.today(), send, new=old), sent
        )
