"""The grid's actions on whole columns: «+» a second work type for a lesson, and «i»
the period mark («Итог») of a student — offered with the choices and the suggested
mark the core computed, refused with the core's reason.

:class:`GridColumns` is a base of :class:`~zhurnal.tui.screens.grid.GridScreen`; it
uses the page the screen has loaded and asks it to reload after a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.dialogs import ChoiceModal, WorkTypeModal
from zhurnal.tui.widgets.mark_grid import MarkGrid

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import Gradebook

CLEAR = "__clear__"
"""The option that removes a period mark."""


class GridColumns(ZhurnalScreen):
    """«+» and «i» of the mark grid (see the module docstring)."""

    actor: Actor
    gradebook: Gradebook | None
    _reload_wanted: bool
    _focus_after_load: tuple[int, str] | None = None

    @property
    def grid(self) -> MarkGrid:
        return self.query_one(MarkGrid)

    # What the screen provides.

    def _refusal(self, message: str) -> None:
        raise NotImplementedError

    def _status(self, message: str, *, error: bool = False) -> None:
        raise NotImplementedError

    def _maybe_reload(self) -> None:
        raise NotImplementedError

    def _period_mark_refused(self, student_id: int, refusal: str) -> None:
        """«i» refused (a correction may be offered: :class:`GridRequests`)."""
        self._refusal(refusal)

    # --- a second work type of a lesson -----------------------------------------------

    def action_add_column(self) -> None:
        gb, column = self.gradebook, self.grid.current_column
        if gb is None or column is None:
            return
        if not column.editable:
            self._refusal(column.why_not)
            return
        present = {c.work_type_code for c in gb.columns if c.lesson_id == column.lesson_id}
        choices = [wt for wt in gb.work_types if wt[0] not in present]
        if not choices:
            self._refusal("У урока уже есть графы всех видов работ.")
            return
        default = column.work_type_code if column.assignment_id is None else None

        def chosen(code: str | None) -> None:
            if code:
                self._add_column(column.lesson_id, code, default)

        title = f"Новая графа к уроку {column.date:%d.%m}"
        self.app.push_screen(WorkTypeModal(title, choices), chosen)

    @work(thread=True, exit_on_error=False, group="column")
    def _add_column(self, lesson_id: int, code: str, default: str | None) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.readmodels import lesson_work_types
        from zhurnal.core.services.marks import add_assignment

        db = self.register.database()
        try:
            present = lesson_work_types(db, self.actor, lesson_id)
            if code in present:
                raise DomainError("Такая графа у урока уже есть: обновите данные.")
            if default is not None and not present:  # keep the default column beside it
                add_assignment(db, self.actor, lesson_id, default)
            view = add_assignment(db, self.actor, lesson_id, code)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.call_later(self._refusal, self.describe_error(exc))
            return
        self.call_later(self._column_added, lesson_id, code, view.work_type_name)

    def _column_added(self, lesson_id: int, code: str, name: str) -> None:
        self.notify(f"Добавлена графа «{name}».", markup=False)
        self._focus_after_load = (lesson_id, code)
        self._reload_wanted = True
        self._maybe_reload()

    # --- period marks (the «Итог» column) -----------------------------------------

    def action_period_mark(self) -> None:
        """Set the student's period mark: the suggested one is preselected."""
        gb, student_id = self.gradebook, self.grid.current_student_id
        if gb is None or student_id is None:
            return
        if refusal := gb.period_mark_why_not(student_id):
            self._period_mark_refused(student_id, refusal)
            return
        values = list(gb.period_mark_choices)
        current = gb.period_marks.get(student_id)
        options = [(v, v) for v in values]
        if current is not None:
            options.append((CLEAR, "— стереть итоговую —"))
        name = next(s.name for s in gb.students if s.id == student_id)
        suggested = gb.suggested.get(student_id)
        hint = "Enter — выставить, Esc — отмена"
        if suggested:
            hint = f"По среднему: {suggested}. {hint}"

        def chosen(value: str | None) -> None:
            if value is not None:
                self._set_period_mark(
                    student_id, None if value == CLEAR else value, current.version if current else 0
                )

        title = f"{gb.period.name}: {name}"
        selected = current.value if current else suggested
        self.app.push_screen(
            ChoiceModal(title, options, hint=hint, selected=selected, list_id="period-mark-choice"),
            chosen,
        )

    @work(thread=True, exit_on_error=False, group="period-mark")
    def _set_period_mark(self, student_id: int, value: str | None, version: int) -> None:
        from zhurnal.core.services.marks import set_period_mark

        gb = self.gradebook
        assert gb is not None
        try:
            set_period_mark(
                self.register.database(),
                self.actor,
                gb.course_id,
                student_id,
                gb.period.id,
                value,
                expected_version=version,
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.call_later(self._refusal, self.describe_error(exc))
            return
        self.call_later(self._period_mark_set)

    def _period_mark_set(self) -> None:
        self._status("Итоговая отметка сохранена.")
        self._reload_wanted = True
        self._maybe_reload()
