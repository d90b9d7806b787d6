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
read-only column is dim with «×» after the day; a cell without a mark shows the
absence code (Н, Б, УП, ОП) dim; «·» is a day the student was not in the class.

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
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from core.services.gradebook import Cell, Column, Gradebook, StudentRow

CELL = 3  # characters of a cell's value; one more for the gap after it
STEP = CELL + 1
RIGHT = 11  # "│" + «Ср.» (5) + «Итог» (5)
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
          "сентябрь", "октябрь", "ноябрь", "декабрь")
SHORT_TYPES = {"answer": "отв", "homework": "дз", "independent": "сам", "practical": "пр",
               "test": "кр", "essay": "соч"}
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
        candidates += [f"{parts[0]} {parts[1]}{initials}",
                       f"{parts[0]} {parts[1][0]}.{initials}"]
    return next((c for c in candidates if len(c) <= width), name[:width - 1] + "…")


def centred(text: str, width: int = CELL) -> str:
    return text[:width].center(width)


class MarkGrid(ScrollView, can_focus=True, inherit_bindings=False):
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
        f"mark-grid--{n}" for n in ("header", "header-cursor", "name", "name-cursor", "cursor",
                                    "locked", "absence", "pending", "low", "outside", "rule",
                                    "suggested", "left", "notice")}
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
        """A key on a cell that cannot take it (locked, read-only, grade 1, ...)."""

        student_id: int | None
        column_index: int | None
        reason: str

    @dataclass
    class CellFocused(Message):
        """The cursor moved; ``reason`` says why the cell cannot be written ("" if it can)."""

        student_id: int | None
        column_index: int | None
        reason: str

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
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
        """Show a (re)loaded gradebook; values typed and still in flight stay pending."""
        old_student, old_col = self.current_student_id, self.cursor_col
        same = self.gradebook is not None and (self.gradebook.course_id, self.gradebook.period) \
            == (gradebook.course_id, gradebook.period)
        if not same:
            self._pending.clear()
            self._pending_count.clear()
        self.gradebook, self._rows, self._cols = gradebook, gradebook.students, gradebook.columns
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._marks = dict(gradebook.marks)
        self._summary = {s.id: (gradebook.averages.get(s.id), gradebook.suggested.get(s.id))
                         for s in self._rows}
        self._name_width = max(16, min(25, max((len(s.name) for s in self._rows),
                                               default=10) + 4))
        self._row_cache.clear()
        self._header_cache.clear()
        if keep_cursor and old_student in self._row_of:
            self.cursor_row = self._row_of[old_student]  # type: ignore[index]
            self.cursor_col = min(old_col, max(0, len(self._cols) - 1))
        else:  # the last lesson begun: where today's marks go
            started = [c.index for c in self._cols if c.started]
            self.cursor_row, self.cursor_col = 0, (started[-1] if started else 0)
        self._update_virtual_size()
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)
        self._post_focus()

    def set_cell(self, student_id: int, column_index: int, value: str | None,
                 mark_id: int = 0, version: int = 0, *, late: bool = False) -> None:
        """The core stored an entry: show the stored value, update «Ср.», repaint the row."""
        from core.services.gradebook import Cell  # loaded with the gradebook already

        key = (student_id, column_index)
        self._settle(key)
        if value is None:
            self._marks.pop(key, None)
        else:
            self._marks[key] = Cell(value, mark_id, version, late)
        if self.gradebook is not None:
            pairs = [(cell.value, c.weight) for c in self._cols
                     if (cell := self._marks.get((student_id, c.index))) is not None]
            self._summary[student_id] = self.gradebook.summary(pairs)
        self.refresh_student(student_id)

    def revert_cell(self, student_id: int, column_index: int) -> None:
        """The core refused an entry: show the cell as it was."""
        self._settle((student_id, column_index))
        self.refresh_student(student_id)

    def _settle(self, key: tuple[int, int]) -> None:
        self._pending_count[key] -= 1
        if self._pending_count[key] <= 0:
            del self._pending_count[key]
            self._pending.pop(key, None)

    def cell(self, student_id: int, column_index: int) -> Cell | None:
        return self._marks.get((student_id, column_index))

    def shown_value(self, student_id: int, column_index: int) -> str:
        """What the cell shows: the pending value, the mark, the absence code or ""."""
        key = (student_id, column_index)
        if key in self._pending:
            return self._pending[key] or ""
        if (cell := self._marks.get(key)) is not None:
            return cell.value
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

    def _update_virtual_size(self) -> None:
        _, pad, _ = self._viewport()
        self.virtual_size = Size(self._left_width + len(self._cols) * STEP + pad + RIGHT,
                                 self._header_height + len(self._rows))

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def refresh_student(self, student_id: int) -> None:
        """Rebuild and repaint one student's line (only that line region)."""
        row = self._row_of.get(student_id)
        if row is not None:
            self._row_cache.pop(row, None)
            self._refresh_row(row)

    def _refresh_row(self, row: int) -> None:
        y = self._header_height + row - self.scroll_offset.y
        if self._header_height <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._row_cache.clear()
        self._header_cache.clear()

    def _style(self, name: str) -> Style:
        """A component style, kept until the CSS changes (``refresh`` drops Textual's cache)."""
        if (style := self._styles.get(name)) is None:
            style = self._styles[name] = (self.rich_style if name == "base" else
                                          self.get_component_rich_style(f"mark-grid--{name}"))
        return style

    def _cell_style(self, writable: bool, kind: str) -> Style:
        key = f"{kind}:{writable}"
        if (style := self._styles.get(key)) is None:
            style = self._style("base" if writable else "locked")
            self._styles[key] = style + self._style(kind) if kind else style
        return self._styles[key]

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
        """The columns in view of one row's segments (two per column: cell, gap)."""
        first, last, offset = self._in_view()
        view, pad, _ = self._viewport()
        strip = Strip(segments[2 * first:2 * last], (last - first) * STEP)
        return strip.crop_extend(offset, offset + view, style).extend_cell_length(view + pad,
                                                                                 style)

    def _header_line(self, y: int) -> Strip:
        gb, header = self.gradebook, self._style("header")
        if gb is not None and gb.no_marks and y == 0:
            return Strip([Segment(f" {gb.no_marks_reason}", self._style("notice"))])
        level = y - (self._header_height - 3)
        if level == 0:
            cells = self._month_line(header)
        elif (cells := self._header_cache.get((level, self.cursor_col))) is None:
            cells = self._header_cache[(level, self.cursor_col)] = self._header_cells(level)
        left, right = ("  № Ученик", "│ Ср.  Итог") if level == 2 else ("", "")
        return Strip.join([Strip([Segment(left, header)]).crop_extend(0, self._left_width, header),
                           self._visible(cells, header),
                           Strip([Segment(right, header)]).crop_extend(0, RIGHT, header)])

    def _header_cells(self, level: int) -> list[Segment]:
        header, cursor = self._style("header"), self._style("header-cursor")
        locked, cols = header + self._style("locked"), self._cols
        marks = self.gradebook is not None and not self.gradebook.no_marks
        segments: list[Segment] = []
        for c in cols:
            if level == 1:
                first_of_lesson = c.index == 0 or cols[c.index - 1].lesson_id != c.lesson_id
                text = (f"{c.date.day:02d}" if first_of_lesson else "  ") + (
                    LOCK if marks and not c.writable and c.started else " ")
            else:  # grade 1: no work types to show
                text = centred(SHORT_TYPES.get(c.work_type_code, c.work_type_code[:CELL])
                               if marks else "")
            style = cursor if c.index == self.cursor_col else header if c.writable else locked
            segments += [Segment(text, style), Segment(self._gap(c), header)]
        return segments

    def _gap(self, c: Column) -> str:
        """A rule after a lesson's last column; a space between columns of one lesson."""
        last_of_lesson = c.index + 1 == len(self._cols) or \
            self._cols[c.index + 1].lesson_id != c.lesson_id
        return "│" if last_of_lesson else " "

    def _month_line(self, style: Style) -> list[Segment]:
        """Month names over the columns in view (the first one sticks to the left edge)."""
        first, last, _ = self._in_view()
        cols, text = self._cols, ""
        for j in range(first, last):
            month = (cols[j].date.year, cols[j].date.month)
            if j == first or (cols[j - 1].date.year, cols[j - 1].date.month) != month:
                span = STEP * sum(1 for c in cols[j:last] if (c.date.year, c.date.month) == month)
                text += MONTHS[month[1] - 1][:span - 1].ljust(span)
        return [Segment("")] * (2 * first) + [
            Segment(text[i:i + n], style) for j in range(last - first)
            for i, n in ((j * STEP, CELL), (j * STEP + CELL, 1))]

    def _row_segments(self, row: int) -> list[Segment]:
        """The row's segments, two per column, built for the columns in view only."""
        if (cached := self._row_cache.get(row)) is None:
            cached = self._row_cache[row] = ([Segment("")] * (2 * len(self._cols)),
                                             bytearray(len(self._cols)))
        segments, built = cached
        first, last, _ = self._in_view()
        if all(built[first:last]):
            return segments
        gb, student, rule = self.gradebook, self._rows[row], self._style("rule")
        for c in self._cols[first:last]:
            if built[c.index]:
                continue
            key = (student.id, c.index)
            if key in self._pending:
                text, kind = self._pending[key] or "", "pending"
            elif (cell := self._marks.get(key)) is not None:
                text, kind = cell.value, ("low" if cell.value in ("1", "2") else "")
            elif c.index in student.outside:
                text, kind = "·", "outside"
            else:
                text = gb.absences.get((student.id, c.lesson_id), "") if gb else ""
                kind = "absence"
            if gb is not None and text and text == gb.debt_mark:
                text = DEBT_SHOWN
            segments[2 * c.index] = Segment(centred(text), self._cell_style(c.writable, kind))
            segments[2 * c.index + 1] = Segment(self._gap(c), rule)
            built[c.index] = 1
        return segments

    def _student_line(self, row: int) -> Strip:
        student, base = self._rows[row], self._style("base")
        segments = self._row_segments(row)
        name_style = self._style("left" if student.left else "name")
        if row == self.cursor_row:
            name_style += self._style("name-cursor")
            if self._cols:
                segments = list(segments)
                cell = segments[2 * self.cursor_col]
                segments[2 * self.cursor_col] = Segment(cell.text, (cell.style or base)
                                                        + self._style("cursor"))
        label = f"{row + 1:>3} {fit_name(student.name, self._name_width - 4)}"
        average, suggested = self._summary.get(student.id, (None, None))
        final = self.gradebook.period_marks.get(student.id) if self.gradebook else None
        if final is not None:
            final_text, final_style = final.value, base
        else:
            final_text, final_style = (f"({suggested})" if suggested else ""), \
                self._style("suggested")
        summary = [Segment("│", self._style("rule")),
                   Segment(f"{average:4.2f} " if average is not None else " " * 5, base),
                   Segment(centred(final_text, 5), final_style)]
        return Strip.join([
            Strip([Segment(label, name_style)]).crop_extend(0, self._name_width, name_style),
            Strip([Segment("│", self._style("rule"))]),
            self._visible(segments, base),
            Strip(summary).crop_extend(0, RIGHT, base)])

    # --- cursor --------------------------------------------------------------------

    def move_cursor(self, row: int, col: int) -> None:
        row = max(0, min(row, len(self._rows) - 1))
        col = max(0, min(col, len(self._cols) - 1))
        if (row, col) == (self.cursor_row, self.cursor_col):
            return
        old_row, old_col = self.cursor_row, self.cursor_col
        self.cursor_row, self.cursor_col = row, col
        self._refresh_row(old_row)
        self._refresh_row(row)
        if col != old_col:
            self.refresh(Region(0, 0, self.size.width, self._header_height))
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
        self.post_message(self.CellFocused(self.current_student_id,
                                           self.cursor_col if self._cols else None,
                                           self._refusal() or ""))

    def _refusal(self) -> str | None:
        """Why the cell under the cursor cannot take a mark (None: it can)."""
        column, gb = self.current_column, self.gradebook
        if gb is None:
            return "Журнал ещё загружается."
        if gb.no_marks:
            return gb.no_marks_reason
        if column is None or not self._rows:
            return "Нет уроков в этом периоде."
        if not column.writable:
            return column.reason
        student = self._rows[self.cursor_row]
        if column.index in student.outside:
            return f"{student.name} не числится в классе на {column.date:%d.%m.%Y}."
        return None

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
            if not gb.debt_mark:
                self._refuse("Отметка «точка» не предусмотрена положением школы.")
                return
            value = gb.debt_mark
        if self._enter(value):
            self.action_move(1, 0)

    def action_clear_mark(self) -> None:
        """Clear a mark; an empty cell (or one with an absence code only) stays as it is."""
        key = (self.current_student_id, self.cursor_col)
        shows_mark = self._pending[key] if key in self._pending else self._marks.get(key)
        if key[0] is not None and self._cols and shows_mark:
            self._enter(None)

    def _enter(self, value: str | None) -> bool:
        if (reason := self._refusal()) is not None:
            self._refuse(reason)
            return False
        sid, col = self.current_student_id, self.cursor_col
        assert sid is not None
        cell = self._marks.get((sid, col))
        self._pending[(sid, col)] = value
        self._pending_count[(sid, col)] += 1
        self.refresh_student(sid)
        self.post_message(self.MarkEntered(self, sid, col, value, cell.version if cell else 0))
        return True

    def _refuse(self, reason: str) -> None:
        self.app.bell()
        self.post_message(self.EntryRefused(self.current_student_id,
                                            self.cursor_col if self._cols else None, reason))
