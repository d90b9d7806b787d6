"""Painting of the mark grid: one Strip per visible line, from cached row segments.

Split from ``mark_grid.py``: :class:`GridPainting` is the base of ``MarkGrid``: it
declares the state ``MarkGrid`` keeps (the gradebook, caches, cursor) and paints it,
never changing it, with the geometry of the grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from zhurnal.core.readmodels import Cell, Column, Gradebook, StudentRow

CELL = 3  # characters of a cell's value; one more for the gap after it
STEP = CELL + 1
PER = 3  # segments per column in a line: the value, an absence code beside it, the gap
RIGHT = 11  # "│" + «Ср.» (5) + «Итог» (5)
MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
SHORT_TYPES = {
    "answer": "отв",
    "homework": "дз",
    "independent": "сам",
    "practical": "пр",
    "test": "кр",
    "essay": "соч",
}
LOCK = "×"
DEBT_SHOWN = "•"


def plain(text: str) -> str:
    """User text as data: control characters never reach the terminal."""
    return "".join(c if c.isprintable() else "?" for c in text)


def fit_name(name: str, width: int) -> str:
    """«Фамилия Имя Отчество», shortened to «Фамилия Имя О.» or «Фамилия И. О.» to fit."""
    name = plain(name)
    parts = name.split()
    candidates = [name]
    if len(parts) >= 2:
        initials = "".join(f" {p[0]}." for p in parts[2:])
        candidates += [f"{parts[0]} {parts[1]}{initials}", f"{parts[0]} {parts[1][0]}.{initials}"]
    return next((c for c in candidates if len(c) <= width), name[: width - 1] + "…")


def centred(text: str, width: int = CELL) -> str:
    return text[:width].center(width)


class GridPainting(ScrollView):
    """Line rendering for :class:`~zhurnal.tui.widgets.mark_grid.MarkGrid`."""

    # The state MarkGrid keeps (set in its ``__init__`` and ``load``).
    gradebook: Gradebook | None
    cursor_row: int
    cursor_col: int
    _rows: tuple[StudentRow, ...]
    _cols: tuple[Column, ...]
    _marks: dict[tuple[int, int], Cell]
    _pending: dict[tuple[int, int], str | None]
    _summary: dict[int, tuple[float | None, str | None]]
    _row_cache: dict[int, tuple[list[Segment], bytearray]]
    _header_cache: dict[tuple[int, int], list[Segment]]
    _styles: dict[str, Style]
    _name_width: int
    _row_of: dict[int, int]

    # --- geometry --------------------------------------------------------------------

    @property
    def _left_width(self) -> int:
        return self._name_width + 1

    @property
    def _header_height(self) -> int:
        return 4 if self.gradebook is not None and self.gradebook.no_marks else 3

    def _viewport(self) -> tuple[int, int, int]:
        """(width of the whole lesson columns in view, blank after them, rows in view)."""
        width, height = self.scrollable_content_region.size
        free = max(STEP, width - self._left_width - RIGHT)
        return free // STEP * STEP, free % STEP, max(1, height - self._header_height)

    def _style(self, name: str) -> Style:
        """A component style, kept until the CSS changes (``refresh`` drops Textual's cache)."""
        if (style := self._styles.get(name)) is None:
            style = self._styles[name] = (
                self.rich_style
                if name == "base"
                else self.get_component_rich_style(f"mark-grid--{name}")
            )
        return style

    def _cell_style(self, writable: bool, kind: str) -> Style:
        key = f"{kind}:{writable}"
        if (style := self._styles.get(key)) is None:
            style = self._style("base" if writable else "locked")
            self._styles[key] = style + self._style(kind) if kind else style
        return self._styles[key]

    # --- repainting what changed --------------------------------------------------------

    def refresh_student(self, student_id: int) -> None:
        """Rebuild and repaint one student's line (only that line region)."""
        row = self._row_of.get(student_id)
        if row is not None:
            self._row_cache.pop(row, None)
            self._refresh_row(row)

    def _refresh_row(self, row: int) -> None:
        if (y := self._line_of(row)) is not None:
            self.refresh(Region(0, y, self.size.width, 1))

    # Over SSH every repainted cell is bytes on the wire (issue 7): a change repaints
    # only the regions it touches — a cell, a name, a column's header cells, «Ср.».

    def _line_of(self, row: int) -> int | None:
        """The widget line of a student's row, None when it is scrolled out of view."""
        y = self._header_height + row - self.scroll_offset.y
        return y if self._header_height <= y < self.scrollable_content_region.height else None

    def _column_span(self, col: int) -> Region | None:
        """The columns (x, width as a one-line region) of a lesson cell in view."""
        view, _, _ = self._viewport()
        body = Region(self._left_width, 0, view, 1)
        return (
            body.intersection(
                Region(self._left_width + col * STEP - self.scroll_offset.x, 0, CELL, 1)
            )
            or None
        )

    def _refresh_cell(self, student_id: int, col: int, *, summary: bool = False) -> None:
        """Rebuild a student's cells; repaint one cell (and «Ср.», «Итог»)."""
        row = self._row_of.get(student_id)
        if row is None:
            return
        self._row_cache.pop(row, None)
        self._repaint(row, col)
        if summary and (y := self._line_of(row)) is not None:
            view, pad, _ = self._viewport()
            self.refresh(Region(self._left_width + view + pad, y, RIGHT, 1))

    def _repaint(self, row: int, col: int, *, name: bool = False) -> None:
        """Repaint a cell as it is now (its row's segments are up to date), and the name."""
        y = self._line_of(row)
        if y is None:
            return
        if (span := self._column_span(col)) is not None:
            self.refresh(Region(span.x, y, span.width, 1))
        if name:
            self.refresh(Region(0, y, self._name_width, 1))

    def _repaint_header(self, col: int) -> None:
        """The day and work-type cells over a column (their style follows the cursor)."""
        if (span := self._column_span(col)) is not None:
            self.refresh(Region(span.x, self._header_height - 2, span.width, 2))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._row_cache.clear()
        self._header_cache.clear()

    # --- painting ------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width, base = self.scrollable_content_region.width, self._style("base")
        if y < self._header_height:
            line = self._header_line(y)
        elif (row := y - self._header_height + self.scroll_offset.y) < len(self._rows):
            line = self._student_line(row)
        else:
            return Strip.blank(width, base)
        return line.adjust_cell_length(width, base)

    def _in_view(self) -> tuple[int, int, int]:
        """(first and end column in view, crop offset into the first)."""
        view, _, _ = self._viewport()
        x = self.scroll_offset.x
        first = min(x // STEP, len(self._cols))
        return first, min(len(self._cols), -(-(x + view) // STEP)), x - first * STEP

    def _visible(self, segments: list[Segment], style: Style) -> Strip:
        """The columns in view of one row's segments (:data:`PER` per column)."""
        first, last, offset = self._in_view()
        view, pad, _ = self._viewport()
        strip = Strip(
            [s for s in segments[PER * first : PER * last] if s.text], (last - first) * STEP
        )
        return strip.crop_extend(offset, offset + view, style).extend_cell_length(view + pad, style)

    def _header_line(self, y: int) -> Strip:
        gb, header = self.gradebook, self._style("header")
        if gb is not None and gb.no_marks and y == 0:
            return Strip([Segment(f" {gb.no_marks_reason}", self._style("notice"))])
        level = y - (self._header_height - 3)
        if level == 0:
            cells = self._month_line(header)
        else:
            cached = self._header_cache.get((level, self.cursor_col))
            if cached is None:
                cached = self._header_cache[(level, self.cursor_col)] = self._header_cells(level)
            cells = cached
        left, right = ("  № Ученик", "│ Ср.  Итог") if level == 2 else ("", "")
        return Strip.join(
            [
                Strip([Segment(left, header)]).crop_extend(0, self._left_width, header),
                self._visible(cells, header),
                Strip([Segment(right, header)]).crop_extend(0, RIGHT, header),
            ]
        )

    def _header_cells(self, level: int) -> list[Segment]:
        header, cursor = self._style("header"), self._style("header-cursor")
        locked, cols = header + self._style("locked"), self._cols
        marks = self.gradebook is not None and not self.gradebook.no_marks
        segments: list[Segment] = []
        for c in cols:
            if level == 1:
                first_of_lesson = c.index == 0 or cols[c.index - 1].lesson_id != c.lesson_id
                text = (f"{c.date.day:02d}" if first_of_lesson else "  ") + (
                    LOCK if marks and not c.editable and c.started else " "
                )
            else:  # no marks in the class: no work types to show
                text = centred(
                    SHORT_TYPES.get(c.work_type_code, c.work_type_code[:CELL]) if marks else ""
                )
            style = cursor if c.index == self.cursor_col else header if c.editable else locked
            segments += [Segment(text, style), Segment(""), Segment(self._gap(c), header)]
        return segments

    def _gap(self, c: Column) -> str:
        """A rule after a lesson's last column; a space between columns of one lesson."""
        last_of_lesson = (
            c.index + 1 == len(self._cols) or self._cols[c.index + 1].lesson_id != c.lesson_id
        )
        return "│" if last_of_lesson else " "

    def _month_line(self, style: Style) -> list[Segment]:
        """Month names over the columns in view (the first one sticks to the left edge)."""
        first, last, _ = self._in_view()
        cols, text = self._cols, ""
        for j in range(first, last):
            month = (cols[j].date.year, cols[j].date.month)
            if j == first or (cols[j - 1].date.year, cols[j - 1].date.month) != month:
                span = STEP * sum(1 for c in cols[j:last] if (c.date.year, c.date.month) == month)
                text += MONTHS[month[1] - 1][: span - 1].ljust(span)
        return [Segment("")] * (PER * first) + [
            Segment(text[i : i + n], style)
            for j in range(last - first)
            for i, n in ((j * STEP, CELL), (j * STEP + CELL, 0), (j * STEP + CELL, 1))
        ]

    def _row_segments(self, row: int) -> list[Segment]:
        """The row's segments (:data:`PER` per column), built for the columns in view only."""
        if (cached := self._row_cache.get(row)) is None:
            cached = self._row_cache[row] = (
                [Segment("")] * (PER * len(self._cols)),
                bytearray(len(self._cols)),
            )
        segments, built = cached
        first, last, _ = self._in_view()
        if all(built[first:last]):
            return segments
        gb, student, rule = self.gradebook, self._rows[row], self._style("rule")
        for c in self._cols[first:last]:
            if built[c.index]:
                continue
            key = (student.id, c.index)
            code = gb.absences.get((student.id, c.lesson_id), "") if gb else ""
            if key in self._pending:
                text, kind = self._pending[key] or "", "pending"
            elif (cell := self._marks.get(key)) is not None:
                text, kind = cell.value, ("low" if cell.value in ("1", "2") else "")
            elif c.index in student.outside:
                text, kind, code = "·", "outside", ""
            else:
                text, kind = "", "absence"
            if not text:  # no mark: the absence code alone
                text, code = code, ""
            if gb is not None and text and text == gb.debt_mark:
                text = DEBT_SHOWN
            segments[PER * c.index : PER * c.index + PER] = [
                *self._value_and_code(text, code, c.editable, kind),
                Segment(self._gap(c), rule),
            ]
            built[c.index] = 1
        return segments

    def _value_and_code(
        self, text: str, code: str, writable: bool, kind: str
    ) -> tuple[Segment, Segment]:
        """A mark and the lesson's absence code in one cell: « 5Б», « 4Н», «5УП».

        The mark keeps its place and style; the code follows it, dim like an
        absence code alone.  Without a code the value is centred.
        """
        style = self._cell_style(writable, kind)
        code = code[: max(0, CELL - len(text))]
        if not code:
            return Segment(centred(text), style), Segment("")
        return (
            Segment(text.rjust(CELL - len(code)), style),
            Segment(code, self._cell_style(writable, "absence")),
        )

    def _student_line(self, row: int) -> Strip:
        student, base = self._rows[row], self._style("base")
        segments = self._row_segments(row)
        name_style = self._style("left" if student.left else "name")
        if row == self.cursor_row:
            name_style += self._style("name-cursor")
            if self._cols:
                segments, cursor = list(segments), self._style("cursor")
                for i in range(PER * self.cursor_col, PER * self.cursor_col + PER - 1):
                    segments[i] = Segment(segments[i].text, (segments[i].style or base) + cursor)
        label = f"{row + 1:>3} {fit_name(student.name, self._name_width - 4)}"
        average, suggested = self._summary.get(student.id, (None, None))
        final = self.gradebook.period_marks.get(student.id) if self.gradebook else None
        if final is not None:
            final_text, final_style = final.value, base
        else:
            final_text, final_style = (
                (f"({suggested})" if suggested else ""),
                self._style("suggested"),
            )
        summary = [
            Segment("│", self._style("rule")),
            Segment(f"{average:4.2f} " if average is not None else " " * 5, base),
            Segment(centred(final_text, 5), final_style),
        ]
        return Strip.join(
            [
                Strip([Segment(label, name_style)]).crop_extend(0, self._name_width, name_style),
                Strip([Segment("│", self._style("rule"))]),
                self._visible(segments, base),
                Strip(summary).crop_extend(0, RIGHT, base),
            ]
        )

    # --- cursor --------------------------------------------------------------------
