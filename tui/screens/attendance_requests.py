"""«Запросить корректировку» on «Посещаемость»: the absence of a student at a locked
lesson is asked of the director [004 §7.2], where the lock's refusal is shown.

Whether this user may ask comes from core
(:func:`zhurnal.core.readmodels.lesson_correction_why_not`); the code typed is checked
and the request decided by :func:`zhurnal.core.services.corrections.request_correction`.
:class:`AttendanceRequests` is a base of
:class:`~zhurnal.tui.screens.attendance.AttendanceScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import AttendanceRow, LessonCard

CODES_HINT = "(Н, Б, УП, ОП; пусто — был(а) на уроке)"


class AttendanceRequests(ZhurnalScreen):
    """F6: request a correction of the highlighted student's absence code."""

    actor: Actor
    lesson_id: int
    card: LessonCard | None
    rows: dict[int, AttendanceRow]

    def highlighted_student(self) -> int | None:
        raise NotImplementedError  # provided by the screen

    def action_request_correction(self) -> None:
        student_id = self.highlighted_student()
        if student_id is not None and self.card is not None:
            self._correction_decision(student_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="correction")
    def _correction_decision(self, student_id: int) -> None:
        from zhurnal.core.readmodels import lesson_correction_why_not

        why_not = lesson_correction_why_not(self.register.database(), self.actor, self.lesson_id)
        self.app.call_from_thread(self._offer_request, student_id, why_not)

    def _offer_request(self, student_id: int, why_not: str) -> None:
        card, row = self.card, self.rows.get(student_id)
        if why_not:
            show_refusal(self, why_not)
            return
        if card is None or row is None:
            return
        from zhurnal.core.services.correction_cells import CellChange
        from zhurnal.tui.widgets.correction_request import ask_correction

        lesson = card.lesson
        old = row.absence_code or ""
        lesson_id = lesson.id
        what = (
            f"{row.full_name}, посещаемость {lesson.date:%d.%m.%Y}, "
            f"{lesson.class_title} {lesson.subject}"
        )
        ask_correction(
            self,
            self.register,
            self.actor,
            lesson.course_id,
            what,
            old,
            lambda new: CellChange.absence(lesson_id, student_id, new, old),
            value_hint=CODES_HINT,
        )
