"""«Запросить корректировку» from the mark grid: a locked mark (or a period mark past its
lock) is asked of the director right where the lock's refusal is shown [004 §7.2].

Whether this user may ask for this cell comes from the page core loaded
(``Gradebook.correction_why_not`` / ``period_mark_correction_why_not``); the request
itself is decided by :func:`zhurnal.core.services.corrections.request_correction`.
:class:`GridRequests` is a base of :class:`~zhurnal.tui.screens.grid.GridScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhurnal.tui.screens.grid_columns import GridColumns

if TYPE_CHECKING:
    from zhurnal.tui.widgets.correction_request import RequestForm


class GridRequests(GridColumns):
    """«k»: request a correction of the highlighted locked mark (``p`` on the «Итог»)."""

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
        target = self.correction_target()
        gb, student_id, column = self.gradebook, self.grid.current_student_id, None
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
        from zhurnal.tui.widgets.correction_request import CorrectionRequestModal

        cell = gb.marks.get((student_id, column.index))
        old = cell.value if cell else ""
        actor, db_of = self.actor, self.register.database
        course_id, assignment_id = gb.course_id, column.assignment_id
        values = ", ".join(gb.mark_values)

        def send(form: RequestForm) -> int:
            from zhurnal.core.services.correction_cells import CellChange
            from zhurnal.core.services.corrections import request_correction

            view = request_correction(
                db_of(),
                actor,
                course_id=course_id,
                ground=form.ground,
                document_number=form.document_number,
                document_date=form.document_date,
                reason=form.reason,
                cells=[CellChange.mark(assignment_id, student_id, form.new, old)],
            )
            return view.id

        def sent(number: int | None) -> None:
            if number is not None:
                self._status(f"Заявка № {number} отправлена директору.")
                self.notify(f"Заявка на исправление № {number} отправлена.", markup=False)

        self.app.push_screen(
            CorrectionRequestModal(
                what, old, self.register.today(), send, value_hint=f"({values}; пусто — стереть)"
            ),
            sent,
        )
