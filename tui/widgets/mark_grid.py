"""The mark grid: students × lesson columns, a line-API widget that paints only what is seen.

| Key | Action |
| :- | :- |
| ↑ ↓ ← → | move the cursor |
| enter | move down (as teachers ask) |
| 1 – 5 | set the mark and move down |
| . | the debt mark («точка»), if the school's policy has one |
| delete / backspace | clear the mark |
| home / end | first / last column |
| pageup / pagedown | a page of students up / down |

Fixed name column on the left, fixed header rows (month, day, work type) that
scroll only sideways, fixed «Ср.» (weighted average) and «Итог» (period mark; the
suggested one in parentheses while none is set) on the right.  A locked or
read-only column is dim with «×» after the day; the absence code of the lesson
(Н, Б, УП, ОП) shows dim, alone in a cell without a mark and after the mark in
one with a mark (« 5Б», «4УП»: written work handed in after an absence); «·» is
a day the student was not in the class.

The widget never calls the core: a typed value shows at once (pending style) and
:class:`MarkGrid.MarkEntered` is posted; the screen answers with :meth:`set_cell`
or :meth:`revert_cell`, which repaint one line.  Rows are cached as segments,
built only for the columns in view (the Toolong ``log_lines.py`` pattern); names
and topics are plain ``Segment`` text, never markup.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message

if TYPE_CHECKING:
    from zhurnal.core.readmodels import Cell, Column, Gradebook, StudentRow

from zhurnal.tui.widgets._grid_paint import (  # noqa: F401
    CELL,
    DEBT_SHOWN,
    LOCK,
    MONTHS,
    RIGHT,
    SHORT_TYPES,
    STEP,
    GridPainting,
    centred,
    fit_name,
    plain,
)


def _painted(columns: tuple[Column, ...]) -> list[tuple[object, ...]]:
    """What the grid paints of its columns (a default column's first mark creates its
    assignment: the same column for the eye)."""
    return [(c.lesson_id, c.date, c.work_type_code, c.editable, c.started) for c in columns]


class MarkGrid(GridPainting, can_focus=True, inherit_bindings=False):
    """Students × lesson columns of a course for one period (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Вверх", show=False),
        Binding("down,enter", "move(1, 0)", "Вниз", show=False),
        Binding("left", "move(0, -1)", "Влево", show=False),
        Binding("right", "move(0, 1)", "Вправо", show=False),
        Binding("1", "enter_mark('1')", "Отметка", key_display="1–5"),
        *[Binding(k, f"enter_mark('{k}')", show=False) for k in "2345"],
        Binding("full_stop", "enter_mark('.')", "Точка", show=False),
        Binding("delete,backspace", "clear_mark", "Стереть", key_display="Del"),
        Binding("home", "column(0)", "Первый урок", show=False),
        Binding("end", "column(-1)", "Последний урок", show=False),
        Binding("pageup", "page(-1)", "Страница вверх", show=False),
        Binding("pagedown", "page(1)", "Страница вниз", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        f"mark-grid--{n}"
        for n in (
            "header",
            "header-cursor",
            "name",
            "name-cursor",
            "cursor",
            "locked",
            "absence",
            "pending",
            "low",
            "outside",
            "rule",
            "suggested",
            "left",
            "notice",
        )
    }
    DEFAULT_CSS = """
    MarkGrid {
        height: 1fr; scrollbar-size: 1 1; background: $surface; color: $foreground;
        & > .mark-grid--header { background: $panel; color: $foreground; text-style: bold; }
        & > .mark-grid--header-cursor { background: $accent-darken-1; color: $foreground; }
        & > .mark-grid--name-cursor { text-style: bold reverse; }
        & > .mark-grid--cursor {
            background: $block-cursor-blurred-background; color: $foreground;
        }
        &:focus > .mark-grid--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .mark-grid--locked { color: $text-muted; background: $panel 40%; }
        & > .mark-grid--pending { color: $text-warning; text-style: italic underline; }
        & > .mark-grid--low { color: $text-error; }
        & > .mark-grid--absence, & > .mark-grid--outside, & > .mark-grid--rule {
            color: $text-muted;
        }
        & > .mark-grid--suggested, & > .mark-grid--left { color: $text-muted; text-style: italic; }
        & > .mark-grid--notice { color: $text-warning; text-style: bold; }
    }
    """

    @dataclass
    class MarkEntered(Message):
        """A value was typed (None: cleared); the screen commits it."""

        grid: MarkGrid
        student_id: int
        column_index: int
        value: str | None
        expected_version: int  # 0: the cell was empty

        @property
        def control(self) -> MarkGrid:
            return self.grid

    @dataclass
    class EntryRefused(Message):
        """A key on a cell that cannot take it (locked, read-only, no marks, ...)."""

        student_id: int | None
        column_index: int | None
        reason: str

    @dataclass
    class CellFocused(Message):
        """The cursor moved; ``reason`` says why the cell cannot be written ("" if it can)."""

        student_id: int | None
        column_index: int | None
        reason: str

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.gradebook: Gradebook | None = None
        self.cursor_row = self.cursor_col = 0
        self._rows: tuple[StudentRow, ...] = ()
        self._cols: tuple[Column, ...] = ()
        self._row_of: dict[int, int] = {}
        self._marks: dict[tuple[int, int], Cell] = {}
        self._pending: dict[tuple[int, int], str | None] = {}
        self._pending_count: Counter[tuple[int, int]] = Counter()
        self._summary: dict[int, tuple[float | None, str | None]] = {}
        self._row_cache: dict[int, tuple[list[Segment], bytearray]] = {}
        self._header_cache: dict[tuple[int, int], list[Segment]] = {}
        self._styles: dict[str, Style] = {}
        self._name_width = 20

    # --- data ----------------------------------------------------------------------

    def load(self, gradebook: Gradebook, *, keep_cursor: bool = True) -> None:
        """Show a (re)loaded gradebook; values typed and still in flight stay pending.

        A reload of the same page with the same columns and students repaints only
        the rows whose cells, average or period mark changed (nothing, when another
        session's change was elsewhere): the screen polls for changes every 3 s.
        """
        old_student, old_col = self.current_student_id, self.cursor_col
        same = self.gradebook is not None and (self.gradebook.course_id, self.gradebook.period) == (
            gradebook.course_id,
            gradebook.period,
        )
        if not same:
            self._pending.clear()
            self._pending_count.clear()
        changed = self._changed_rows(gradebook) if same else None
        self.gradebook, self._rows, self._cols = gradebook, gradebook.students, gradebook.columns
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._marks = dict(gradebook.marks)
        self._summary = {
            s.id: (gradebook.averages.get(s.id), gradebook.suggested.get(s.id)) for s in self._rows
        }
        self._name_width = max(16, min(25, max((len(s.name) for s in self._rows), default=10) + 4))
        if keep_cursor and old_student in self._row_of:
            self.cursor_row = self._row_of[old_student]
            self.cursor_col = min(old_col, max(0, len(self._cols) - 1))
        else:  # the last lesson begun: where today's marks go
            started = [c.index for c in self._cols if c.started]
            self.cursor_row, self.cursor_col = 0, (started[-1] if started else 0)
        if changed is not None and (self.current_student_id, self.cursor_col) == (
            old_student,
            old_col,
        ):
            for student_id in changed:  # the same page: repaint what differs
                self.refresh_student(student_id)
        else:
            self._row_cache.clear()
            self._header_cache.clear()
            self._update_virtual_size()
            self.refresh()
            self.call_after_refresh(self._scroll_to_cursor)
        self._post_focus()

    def _changed_rows(self, gradebook: Gradebook) -> set[int] | None:
        """Students whose line differs from what is shown (None: the whole page differs)."""
        old = self.gradebook
        if (
            old is None
            or (old.students, old.no_marks, old.debt_mark)
            != (gradebook.students, gradebook.no_marks, gradebook.debt_mark)
            or _painted(old.columns) != _painted(gradebook.columns)
        ):
            return None
        changed = {
            sid
            for (sid, _), _value in {(k, c.value) for k, c in self._marks.items()}
            ^ {(k, c.value) for k, c in gradebook.marks.items()}
        }
        changed |= {
            sid for (sid, _), _code in set(old.absences.items()) ^ set(gradebook.absences.items())
        }
        changed |= {
            sid
            for sid in old.period_marks.keys() | gradebook.period_marks.keys()
            if getattr(old.period_marks.get(sid), "value", None)
            != getattr(gradebook.period_marks.get(sid), "value", None)
        }
        changed |= {
            s.id
            for s in gradebook.students
            if self._summary_shown(s.id) != self._summary_shown(s.id, gradebook)
        }
        return changed

    def _summary_shown(
        self, student_id: int, gradebook: Gradebook | None = None
    ) -> tuple[str, str | None]:
        """«Ср.» as shown (two decimals) and the suggested mark, now or in ``gradebook``."""
        if gradebook is None:
            average, suggested = self._summary.get(student_id, (None, None))
        else:
            average = gradebook.averages.get(student_id)
            suggested = gradebook.suggested.get(student_id)
        return (f"{average:4.2f}" if average is not None else "", suggested)

    def set_cell(
        self,
        student_id: int,
        column_index: int,
        value: str | None,
        mark_id: int = 0,
        version: int = 0,
        *,
        late: bool = False,
    ) -> None:
        """The core stored an entry: show the stored value, update «Ср.», repaint the row."""
        from zhurnal.core.readmodels import Cell  # loaded with the gradebook already

        key = (student_id, column_index)
        self._settle(key)
        if value is None:
            self._marks.pop(key, None)
        else:
            self._marks[key] = Cell(value, mark_id, version, late)
        if self.gradebook is not None:
            pairs = [
                (cell.value, c.weight)
                for c in self._cols
                if (cell := self._marks.get((student_id, c.index))) is not None
            ]
            self._summary[student_id] = self.gradebook.summary(pairs)
        self._refresh_cell(student_id, column_index, summary=True)

    def revert_cell(self, student_id: int, column_index: int) -> None:
        """The core refused an entry: show the cell as it was."""
        self._settle((student_id, column_index))
        self._refresh_cell(student_id, column_index)

    def _settle(self, key: tuple[int, int]) -> None:
        self._pending_count[key] -= 1
        if self._pending_count[key] <= 0:
            del self._pending_count[key]
            self._pending.pop(key, None)

    def cell(self, student_id: int, column_index: int) -> Cell | None:
        return self._marks.get((student_id, column_index))

    def shown_value(self, student_id: int, column_index: int) -> str:
        """The value in a cell: the pending value or the mark, else the absence code, else ""."""
        key = (student_id, column_index)
        if key in self._pending:
            return self._pending[key] or ""
        if (cell := self._marks.get(key)) is not None:
            return cell.value
        return self.absence(student_id, column_index)

    def absence(self, student_id: int, column_index: int) -> str:
        """The student's absence code (Н, Б, УП, ОП) for the column's lesson, or ""."""
        gb = self.gradebook
        lesson = self._cols[column_index].lesson_id if self._cols else 0
        return gb.absences.get((student_id, lesson), "") if gb else ""

    @property
    def has_pending(self) -> bool:
        return bool(self._pending_count)

    @property
    def current_student_id(self) -> int | None:
        return self._rows[self.cursor_row].id if self._rows else None

    @property
    def current_column(self) -> Column | None:
        return self._cols[self.cursor_col] if self._cols else None

    # --- geometry and caches -------------------------------------------------------

    def _update_virtual_size(self) -> None:
        _, pad, _ = self._viewport()
        self.virtual_size = Size(
            self._left_width + len(self._cols) * STEP + pad + RIGHT,
            self._header_height + len(self._rows),
        )

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def move_cursor(self, row: int, col: int) -> None:
        row = max(0, min(row, len(self._rows) - 1))
        col = max(0, min(col, len(self._cols) - 1))
        if (row, col) == (self.cursor_row, self.cursor_col):
            return
        old_row, old_col = self.cursor_row, self.cursor_col
        self.cursor_row, self.cursor_col = row, col
        self._repaint(old_row, old_col, name=row != old_row)
        self._repaint(row, col, name=row != old_row)
        if col != old_col:
            self._repaint_header(old_col)
            self._repaint_header(col)
        self._scroll_to_cursor()
        self._post_focus()

    def _scroll_to_cursor(self) -> None:
        if not self._rows:
            return
        view, _, body = self._viewport()
        x, y = self.scroll_offset
        left = self.cursor_col * STEP
        if left < x:
            x = left
        elif left + STEP > x + view:
            x = -(-(left + STEP - view) // STEP) * STEP
        if self.cursor_row < y:
            y = self.cursor_row
        elif self.cursor_row >= y + body:
            y = self.cursor_row - body + 1
        if (x, y) != tuple(self.scroll_offset):
            self.scroll_to(x, y, animate=False, force=True)

    def _post_focus(self) -> None:
        self.post_message(
            self.CellFocused(
                self.current_student_id,
                self.cursor_col if self._cols else None,
                self._refusal() or "",
            )
        )

    def _refusal(self, clear: bool = False) -> str | None:
        """Why the cell under the cursor cannot take a mark (None: it can)."""
        column, gb = self.current_column, self.gradebook
        if gb is None:
            return "Журнал ещё загружается."
        if gb.no_marks:
            return gb.no_marks_reason
        if column is None or not self._rows:
            return "Нет уроков в этом периоде."
        student = self._rows[self.cursor_row]
        return gb.cell_why_not(student.id, column.index, clear=clear) or None

    def action_move(self, rows: int, cols: int) -> None:
        self.move_cursor(self.cursor_row + rows, self.cursor_col + cols)

    def action_column(self, index: int) -> None:
        self.move_cursor(self.cursor_row, index if index >= 0 else len(self._cols) - 1)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._viewport()[2], self.cursor_col)

    def on_click(self, event: events.Click) -> None:
        x = event.x - self._left_width
        row = event.y - self._header_height + self.scroll_offset.y
        if event.y >= self._header_height and 0 <= x < self._viewport()[0]:
            col = (x + self.scroll_offset.x) // STEP
            if row < len(self._rows) and col < len(self._cols):
                self.move_cursor(row, col)

    # --- entry ---------------------------------------------------------------------

    def action_enter_mark(self, key: str) -> None:
        gb = self.gradebook
        value = key
        if key == "." and gb is not None and not gb.no_marks:
            if reason := gb.value_why_not(key):
                self._refuse(reason)
                return
            value = gb.mark_value(key)
        if self._enter(value):
            self.action_move(1, 0)

    def action_clear_mark(self) -> None:
        """Clear a mark; an empty cell (or one with an absence code only) stays as it is."""
        student_id = self.current_student_id
        if student_id is None or not self._cols:
            return
        key = (student_id, self.cursor_col)
        shows_mark = self._pending[key] if key in self._pending else self._marks.get(key)
        if shows_mark:
            self._enter(None)

    def _enter(self, value: str | None) -> bool:
        if (reason := self._refusal(clear=value is None)) is not None:
            self._refuse(reason)
            return False
        sid, col = self.current_student_id, self.cursor_col
        assert sid is not None
        cell = self._marks.get((sid, col))
        self._pending[(sid, col)] = value
        self._pending_count[(sid, col)] += 1
        self._refresh_cell(sid, col)
        self.post_message(self.MarkEntered(self, sid, col, value, cell.version if cell else 0))
        return True

    def _refuse(self, reason: str) -> None:
        self.app.bell()
        self.post_message(
            self.EntryRefused(
                self.current_student_id, self.cursor_col if self._cols else None, reason
            )
        )
