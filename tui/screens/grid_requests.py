"""«Запросить корректировку» from the mark grid: a locked mark (or a period mark past its
lock) is asked of the director right where the lock's refusal is shown [004 §7.2].

``k`` on a locked mark cell asks for that mark.  The cursor never stands on «Итог»: «i»
on a period mark past its lock shows the refusal with «k — запросить корректировку
итоговой», and ``k`` then (until the cursor moves) asks for the period mark.

Whether this user may ask for this cell comes from the page core loaded
(``Gradebook.correction_why_not`` / ``period_mark_correction_why_not``); the request
itself is decided by :func:`zhurnal.core.services.corrections.request_correction`.
:class:`GridRequests` is a base of :class:`~zhurnal.tui.screens.grid.GridScreen`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zhurnal.tui.screens.grid_columns import GridColumns

if TYPE_CHECKING:
    from zhurnal.core.services.correction_cells import CellChange

PERIOD_NOTE = " · k — запросить корректировку итоговой"


class GridRequests(GridColumns):
    """«k»: request a correction of the highlighted locked mark (or, after «i» was
    refused by the period's lock, of the student's period mark)."""

    _period_target: tuple[int, int | None] | None = None
    """(student, column) where «i» offered the period mark's correction."""

    def _period_mark_refused(self, student_id: int, refusal: str) -> None:
        gb = self.gradebook
        if gb is not None and not gb.period_mark_correction_why_not(student_id):
            self._period_target = (student_id, self.grid.cursor_col)
            refusal += PERIOD_NOTE
        self._refusal(refusal)

    def forget_period_target(self, student_id: int | None, column_index: int | None) -> None:
        """The cursor moved: ``k`` is about the cell under it again."""
        if self._period_target != (student_id, column_index):
            self._period_target = None

    def correction_target(self) -> tuple[str, str] | None:
        """(what, why_not) of the highlighted cell; None when there is no cell."""
        gb, student_id, column = self.gradebook, self.grid.current_student_id, None
        if gb is None or student_id is None:
            return None
        column = self.grid.current_column
        if column is None:
            return None
        name = next((s.name for s in gb.students if s.id == student_id), "")
        what = f"{name}, {column.date:%d.%m}, {column.work_type_name}"
        return what, gb.correction_why_not(student_id, column.index)

    def action_request_correction(self) -> None:
        gb, student_id = self.gradebook, self.grid.current_student_id
        if gb is not None and student_id is not None:
            if self._period_target == (student_id, self.grid.cursor_col):
                self._request_period_mark(student_id)
                return
        target = self.correction_target()
        column = self.grid.current_column
        if target is None or gb is None or student_id is None or column is None:
            return
        what, why_not = target
        if why_not:
            self._refusal(why_not)
            return
        if column.assignment_id is None:
            self._refusal("В этой графе ещё нет отметок: исправлять нечего.")
            return
        from zhurnal.core.services.correction_cells import CellChange

        cell = gb.marks.get((student_id, column.index))
        old = cell.value if cell else ""
        assignment_id = column.assignment_id
        values = ", ".join(gb.mark_values)
        self._open_form(
            what,
            old,
            lambda new: CellChange.mark(assignment_id, student_id, new, old),
            f"({values}; пусто — стереть)",
        )

    def _request_period_mark(self, student_id: int) -> None:
        gb = self.gradebook
        assert gb is not None
        if why_not := gb.period_mark_correction_why_not(student_id):
            self._refusal(why_not)
            return
        from zhurnal.core.services.correction_cells import CellChange

        current = gb.period_marks.get(student_id)
        old = current.value if current else ""
        period_id = gb.period.id
        name = next((s.name for s in gb.students if s.id == student_id), "")
        values = ", ".join(gb.period_mark_choices)
        self._open_form(
            f"{name}, {gb.period.name}: итоговая отметка",
            old,
            lambda new: CellChange.period_mark(period_id, student_id, new, old),
            f"({values}; пусто — стереть)",
        )

    def _open_form(
        self, what: str, old: str, change: Callable[[str], CellChange], value_hint: str
    ) -> None:
        from zhurnal.tui.widgets.correction_request import ask_correction

        gb = self.gradebook
        assert gb is not None

        def sent(number: int) -> None:
            self._status(f"Заявка № {number} отправлена директору.")

        ask_correction(
            self,
            self.register,
            self.actor,
            gb.course_id,
            what,
            old,
            change,
            value_hint=value_hint,
            sent=sent,
        )
