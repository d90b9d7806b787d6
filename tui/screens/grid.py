"""«Журнал»: the mark grid of one course for one period.

| Key | Action |
| :- | :- |
| 1–5, ., Del, arrows, Enter | see :class:`tui.widgets.MarkGrid` |
| + | a second work-type column for the current lesson |
| i | the student's period mark |
| k | request a correction of a locked mark (after «i» refused: the period mark) [004 §7] |
| p / n | previous / next period |
| escape | back |

Loading and every entry run in thread workers.  Entries go through an
:class:`~zhurnal.tui.sync.OrderedWriter`, committed in the order typed, so fast
typing is never cancelled or reordered; a refused entry reverts its cell and
shows the core's Russian message.  A :class:`~zhurnal.tui.sync.ChangeWatcher`
reloads (keeping the cursor) when another session changed something; a reload
waits until the entries in flight are answered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.grid_requests import GridRequests
from zhurnal.tui.sync import ChangeWatcher, OrderedWriter
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.mark_grid import MarkGrid

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import Column, Gradebook, MarkView, PeriodInfo

ABSENCE_NAMES = {"Н": "не был(а)", "Б": "болел(а)", "УП": "уважительная причина", "ОП": "опоздание"}


@dataclass(frozen=True)
class Entry:
    period_id: int
    student_id: int
    column: Column
    value: str | None
    expected_version: int
    follows: bool  # typed while an earlier entry for the same cell was in flight

    @property
    def key(self) -> tuple[int, int]:
        return (self.student_id, self.column.index)


def is_conflict(error: BaseException) -> bool:
    from zhurnal.core.errors import ConflictError

    return isinstance(error, ConflictError)


class GridScreen(GridRequests):
    """The register page of a course: students × lessons, with averages and period marks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "plus",
            "add_column",
            "Графа",
            key_display="+",
            tooltip="Новая графа: ещё один вид работы на уроке",
        ),
        Binding(
            "i",
            "period_mark",
            "Итоговая",
            tooltip="Итоговая отметка ученика за период (предложена по среднему)",
        ),
        Binding(
            "k",
            "request_correction",
            "Корректировка",
            show=False,  # offered in the status line where a lock's refusal is shown
            tooltip="Запросить у директора исправление закрытой отметки [004 §7]",
        ),
        Binding("p", "period(-1)", "Пред. период", show=False),
        Binding("n", "period(1)", "След. период", show=False),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Журнал"
    DEFAULT_CSS = """
    GridScreen #grid-status {
        height: 3; padding: 0 1; color: $text-muted; overflow: hidden;
    }
    """

    @dataclass
    class GradebookLoaded(Message, bubble=False):
        gradebook: Gradebook
        periods: list[PeriodInfo]
        keep: bool  # keep the cursor where it is
        commits: int  # entries answered when the load began

    @dataclass
    class LoadFailed(Message, bubble=False):
        message: str

    def __init__(self, actor: Actor, course_id: int, period_id: int | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.course_id = course_id
        self.period_id = period_id
        self.gradebook: Gradebook | None = None
        self.periods: list[PeriodInfo] = []
        self.writer = OrderedWriter(self, "entries")
        self.watcher = ChangeWatcher(
            self, self._changed, paused=self._busy, course=lambda: self.course_id
        )
        self._inflight: Counter[tuple[int, int]] = Counter()
        self._versions: dict[tuple[int, int], int] = {}  # written by the entry worker
        self._commits = 0
        self._loading = False
        self._reload_wanted = False

    def compose(self) -> ComposeResult:
        yield Static("Журнал", classes="screen-title", id="grid-title")
        yield MarkGrid(id="grid")
        yield Static("", id="grid-status", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.grid.focus()
        self.grid.loading = True
        self._reload(keep=False)

    def _busy(self) -> bool:
        return self.gradebook is None or self._loading or bool(self._inflight)

    def write_refusals(self) -> int:
        return self.writer.refusals

    def wait_writes(self, timeout: float) -> bool:
        return self.writer.wait_idle(timeout)

    # --- loading -----------------------------------------------------------------

    def _reload(self, keep: bool = True) -> None:
        self._loading = True
        self._load(self.period_id, keep, self._commits)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, period_id: int | None, keep: bool, commits: int) -> None:
        from zhurnal.core.readmodels import (
            course_periods,
            current_period_id,
            load_gradebook,
        )

        try:
            db = self.register.database()
            if period_id is None:
                period_id = current_period_id(db, self.actor, self.course_id)
            if period_id is None:
                raise LookupError("Для класса не заданы учебные периоды.")
            periods = self.periods or course_periods(db, self.actor, self.course_id)
            gradebook = load_gradebook(db, self.actor, self.course_id, period_id)
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(
                self.LoadFailed(
                    str(exc) if isinstance(exc, LookupError) else self.describe_error(exc)
                )
            )
            return
        self.post_message(self.GradebookLoaded(gradebook, periods, keep, commits))

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self.grid.loading = False
        self._loading = False
        self._refusal(event.message)

    @on(GradebookLoaded)
    def _loaded(self, event: GradebookLoaded) -> None:
        if self.period_id not in (None, event.gradebook.period.id):
            return  # the user has moved to another period; its load is running
        if self._inflight or event.commits != self._commits:
            self._reload_wanted = True  # own entries moved on meanwhile: load again after them
            self._loading = False
            self._maybe_reload()
            return
        self._loading = False
        same = self.gradebook is not None and self.gradebook.period.id == event.gradebook.period.id
        self.gradebook = event.gradebook
        self.periods = event.periods
        self.period_id = event.gradebook.period.id
        self._versions.clear()
        self.watcher.start(event.gradebook.counter, event.gradebook.valid_until)
        grid = self.grid
        grid.loading = False
        grid.load(event.gradebook, keep_cursor=event.keep and same)
        if not same:
            self.refresh_bindings()  # the Footer was composed while the grid was loading
        gb = event.gradebook
        period = f"{gb.period.name}, {gb.period.start:%d.%m}–{gb.period.end:%d.%m.%Y}"
        group = f" ({gb.subgroup})" if gb.subgroup else ""
        title = Content(f"Журнал · {gb.class_title}{group} · {gb.subject} · {period}")
        if self.query_one("#grid-title", Static).content != title:  # a poll's reload: unchanged
            self.query_one("#grid-title", Static).update(title)
        for column in gb.columns:  # a column just added (once a load has it)
            if (column.lesson_id, column.work_type_code) == self._focus_after_load:
                self._focus_after_load = None
                grid.move_cursor(grid.cursor_row, column.index)
        self._maybe_reload()

    # --- the status line --------------------------------------------------------

    @on(MarkGrid.CellFocused)
    def _cell_focused(self, event: MarkGrid.CellFocused) -> None:
        self.forget_period_target(event.student_id, event.column_index)
        gb, col = self.grid.gradebook, event.column_index
        student = next((s for s in gb.students if s.id == event.student_id), None) if gb else None
        if gb is None or student is None or col is None or col >= len(gb.columns):
            self._status(event.reason, error=bool(event.reason))
            return
        column = gb.columns[col]
        who = Text(student.name)
        if absence := gb.absences.get((student.id, column.lesson_id)):
            who.append(f" · {absence} — {ABSENCE_NAMES.get(absence, '')}")
        if student.arrived:
            who.append(f" · прибыл(а) {student.arrived:%d.%m.%Y}")
        if student.left:
            who.append(f" · выбыл(а) {student.left:%d.%m.%Y}")
        if event.reason:  # why the cell is closed, whole (it may take two lines)
            reason = Text(event.reason, style="bold")
            if not gb.correction_why_not(student.id, col):
                reason.append(" · k — запросить корректировку", style="")
            self._show_status(Text("\n").join([who, reason]))
            return
        about = f"{column.date:%d.%m.%Y}, {column.number}-й урок"
        if not gb.no_marks:
            about += f" · {column.work_type_name} (вес {column.weight:g})"
        topic = Text(f"{about} · {column.topic or 'тема не записана'}")
        self._show_status(Text("\n").join([who, topic]))  # a long topic takes lines 2–3

    def _status(self, message: str, *, error: bool = False) -> None:
        self._show_status(Text(message, style="bold" if error else ""))

    def _show_status(self, line: Text) -> None:
        """The status lines (a fixed height of three, wrapped: no layout, nothing cut at 80
        columns); the same text is not sent again."""
        status, shown = self.query_one("#grid-status", Static), None
        if isinstance(status.content, Text):
            shown = (status.content.plain, str(status.content.style), status.content.spans)
        if shown != (line.plain, str(line.style), line.spans):
            status.update(line, layout=False)

    @on(MarkGrid.EntryRefused)
    def _refused(self, event: MarkGrid.EntryRefused) -> None:
        self._refusal(event.reason)

    def _refusal(self, message: str) -> None:
        show_refusal(self, message)
        self._status(message, error=True)

    # --- entries -------------------------------------------------------------------

    @on(MarkGrid.MarkEntered)
    def _mark_entered(self, event: MarkGrid.MarkEntered) -> None:
        gb, key = event.grid.gradebook, (event.student_id, event.column_index)
        assert gb is not None
        entry = Entry(
            gb.period.id,
            event.student_id,
            gb.columns[event.column_index],
            event.value,
            event.expected_version,
            self._inflight[key] > 0,
        )
        self._inflight[key] += 1
        self.writer.submit(
            lambda: self._commit(entry),
            lambda view: self._committed(entry, view),
            lambda error: self._failed(entry, self.describe_error(error), is_conflict(error)),
        )

    def _commit(self, entry: Entry) -> MarkView | None:
        """In the writer's thread: one entry to the core."""
        from zhurnal.core.services.marks import set_lesson_mark, set_mark

        db = self.register.database()
        expected = entry.expected_version
        if entry.follows:
            expected = self._versions.get(entry.key, expected)
        column = entry.column
        if column.assignment_id is not None:
            view = set_mark(
                db,
                self.actor,
                column.assignment_id,
                entry.student_id,
                entry.value,
                expected_version=expected,
            )
        else:
            view = set_lesson_mark(
                db,
                self.actor,
                column.lesson_id,
                entry.student_id,
                column.work_type_code,
                entry.value,
                expected_version=expected,
            )
        self._versions[entry.key] = view.version if view else 0
        return view

    def _answered(self, entry: Entry) -> bool:
        """Count an entry as answered; True if the grid still shows its period."""
        self._inflight[entry.key] -= 1
        if self._inflight[entry.key] <= 0:
            del self._inflight[entry.key]
        self._commits += 1
        return self.gradebook is not None and self.gradebook.period.id == entry.period_id

    def _committed(self, entry: Entry, view: MarkView | None) -> None:
        self.watcher.applied_save()  # shown below from the answer: no reload for it
        if self._answered(entry):
            if view is None:
                self.grid.set_cell(entry.student_id, entry.column.index, None)
            else:
                self.grid.set_cell(
                    entry.student_id,
                    entry.column.index,
                    view.value,
                    view.id,
                    view.version,
                    late=view.late,
                )
        self._maybe_reload()

    def _failed(self, entry: Entry, message: str, conflict: bool) -> None:
        if self._answered(entry):
            self.grid.revert_cell(entry.student_id, entry.column.index)
        self._refusal(message)
        if conflict:
            self._reload_wanted = True
        self._maybe_reload()

    def _maybe_reload(self) -> None:
        if self._reload_wanted and not self._inflight and not self._loading:
            self._reload_wanted = False
            self._reload(keep=True)

    # --- other sessions --------------------------------------------------------------

    def _changed(self) -> None:
        self._reload_wanted = True
        self._maybe_reload()

    # --- actions -------------------------------------------------------------------

    def action_period(self, step: int) -> None:
        ids = [p.id for p in self.periods]
        if self.period_id not in ids:
            return
        index = ids.index(self.period_id) + step
        if not 0 <= index < len(ids):
            self.notify("Это первый период." if step < 0 else "Это последний период.", markup=False)
            return
        self.period_id = ids[index]
        self.grid.loading = True
        self._reload(keep=False)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
