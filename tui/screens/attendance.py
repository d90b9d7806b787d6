"""«Посещаемость»: who was not at the lesson, one key per student.

| Key | Action |
| :- | :- |
| p / з / f5 | everyone present («Все присутствуют») |
| н / y | Н — absent |
| б / , | Б — ill |
| у / e | УП — valid reason |
| о / j | ОП — late |
| space / delete | present (clears the mark) |
| f6 | request a correction of a locked lesson's absence [004 §7] |
| up / down | move between students |
| escape | back |

The Latin keys are the ones in the same place on a QWERTY keyboard as the
Cyrillic letters on ЙЦУКЕН, so the keys work whatever the layout is.  Each key
commits at once through an :class:`~zhurnal.tui.sync.OrderedWriter` (in the
order typed, with the version it saw, or ``mark_all_present`` with the list it
saw) and the cursor moves to the next student without waiting.  A refusal (the
lesson has not begun, it is locked, someone else changed the row) shows the
core's Russian message, drops the keys typed after it, and shows the list as
stored.  At a locked lesson F6 asks the director to correct the highlighted student's
code (:class:`~zhurnal.tui.screens.attendance_requests.AttendanceRequests`).  Names
are ``rich.text.Text``: data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.attendance_requests import AttendanceRequests
from zhurnal.tui.sync import ChangeWatcher, OrderedWriter
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.lesson_info import attendance_state, lesson_heading, lesson_place

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import AttendanceRow, LessonCard

ALL_PRESENT = "*"
"""The queued request «everyone present» (a student id would be an int)."""
LEGEND = (
    "Н (y) — не был(а), Б (,) — болезнь, УП (e) — уважительная причина, "
    "ОП (j) — опоздание; Пробел — присутствует"
)
CODE_STYLES = {"Н": "bold red", "Б": "bold yellow", "УП": "bold cyan", "ОП": "bold magenta"}
PENDING = "…"
PRESENT = "✓"


class StudentTable(DataTable[Text]):
    """The lesson's class list: a row per student."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Предыдущий ученик", show=False),
        Binding("down", "cursor_down", "Следующий ученик", show=False),
    ]


class AttendanceScreen(AttendanceRequests):
    """The class list of one lesson with the absence codes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Cyrillic keys and the Latin ones in the same places: any keyboard layout works.
        Binding("p,P,з,З,f5", "all_present", "Все присутствуют"),
        Binding("н,Н,y,Y", "set_code('Н')", "Н", tooltip="Н — не был(а) без причины"),
        Binding("б,Б,comma", "set_code('Б')", "Б", tooltip="Б — по болезни"),
        Binding("у,У,e,E", "set_code('УП')", "УП", tooltip="УП — по уважительной причине"),
        Binding("о,О,j,J", "set_code('ОП')", "ОП", tooltip="ОП — опоздание"),
        Binding(
            "space,delete",
            "set_code('')",
            "Присутствует",
            show=False,
            tooltip="Присутствует (снять отметку)",
        ),
        Binding(
            "f6",
            "request_correction",
            "Корректировка",
            show=False,  # offered beside the lock's refusal
            tooltip="Запросить у директора исправление закрытой посещаемости [004 §7]",
        ),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Посещаемость"

    @dataclass
    class Loaded(Message, bubble=False):
        """The list as the core has it."""

        card: LessonCard
        rows: list[AttendanceRow]
        counter: int | None = None

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__()
        self.actor = actor
        self.lesson_id = lesson_id
        self.card: LessonCard | None = None
        self.rows: dict[int, AttendanceRow] = {}
        self._order: list[int] = []
        self._queued: list[int | str] = []  # targets typed and not answered yet, in order
        self._generation = 0  # bumped by a refusal: the keys queued before it are void
        self._refused = 0  # keys the core refused (counted in the writer's thread)
        self.writer = OrderedWriter(self, "attendance")
        self.watcher = ChangeWatcher(self, self._reload, paused=self._busy, course=self._course)

    def _course(self) -> int | None:
        """The lesson's course: only changes that may concern it make the screen reload."""
        card = getattr(self, "card", None)
        return card.lesson.course_id if card is not None else None

    def compose(self) -> ComposeResult:
        yield Static("Посещаемость", classes="screen-title", id="attendance-title")
        yield Static("", id="attendance-place")
        yield Static("", id="attendance-state")
        yield StudentTable(id="attendance", cursor_type="row", zebra_stripes=True)
        yield Static(LEGEND, id="attendance-legend", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("№", key="n")
        table.add_column("ФИО", key="name")
        table.add_column("Отметка", key="mark")
        table.loading = True
        table.focus()
        self._load()

    def _reload(self) -> None:
        self._load()

    def _busy(self) -> bool:
        return self.writer.busy or self.app.screen is not self

    def write_refusals(self) -> int:
        return self.writer.refusals + self._refused

    def wait_writes(self, timeout: float) -> bool:
        return self.writer.wait_idle(timeout)

    # --- loading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from zhurnal.core.readmodels import change_counter, lesson_attendance, lesson_card

        db = self.register.database()
        counter = change_counter(db)  # read first: a change after it is noticed later
        card = lesson_card(db, self.actor, self.lesson_id)
        rows = lesson_attendance(db, self.actor, self.lesson_id)
        self.post_message(self.Loaded(card, rows, counter=counter))

    def _fetch(self) -> tuple[int, LessonCard, list[AttendanceRow]]:
        """After a write: the change counter, then the list as stored (the screen's own
        events are then behind what it shows: the next poll does not reload for them)."""
        from zhurnal.core.readmodels import change_counter, lesson_attendance, lesson_card

        db = self.register.database()
        return (
            change_counter(db),  # read first: a change after it is noticed later
            lesson_card(db, self.actor, self.lesson_id),
            lesson_attendance(db, self.actor, self.lesson_id),
        )

    @on(Loaded)
    def _loaded(self, event: AttendanceScreen.Loaded) -> None:
        if self.writer.busy:
            return  # a list read before the keys under way: their answers bring a newer one
        self._show(event.card, event.rows)
        if event.counter is not None:
            self.watcher.start(event.counter, event.card.lesson.valid_until)

    def _show(self, card: LessonCard, rows: list[AttendanceRow]) -> None:
        self.card = card
        self.rows = {row.student_id: row for row in rows}
        self.query_one("#attendance-title", Static).update(
            Content(f"Посещаемость: {lesson_heading(card)}")
        )
        self.query_one("#attendance-place", Static).update(lesson_place(card))
        state = self.query_one("#attendance-state", Static)
        reason = card.lesson.attendance_why_not
        state.set_class(bool(reason), "error-text")
        note = " F6 — запросить корректировку." if reason and card.lesson.locked else ""
        state.update(Content((reason + note) if reason else attendance_state(card.lesson, rows)))
        self._fill([row.student_id for row in rows])

    def _fill(self, order: list[int]) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        if order != self._order:
            row = table.cursor_row
            table.clear()
            for n, student_id in enumerate(order, start=1):
                table.add_row(
                    Text(str(n), justify="right"),
                    Text(self.rows[student_id].full_name),
                    self._mark_cell(student_id),
                    key=str(student_id),
                )
            self._order = order
            if order:
                table.move_cursor(row=min(row, len(order) - 1))
        else:
            for student_id in order:
                table.update_cell(str(student_id), "mark", self._mark_cell(student_id))

    def _mark_cell(self, student_id: int) -> Text:
        if any(target in (student_id, ALL_PRESENT) for target in self._queued):
            return Text(PENDING)
        code = self.rows[student_id].absence_code
        if code:
            return Text(code, style=CODE_STYLES.get(code, "bold"))
        taken = self.card is not None and self.card.lesson.attendance_taken_at is not None
        return Text(PRESENT if taken else "", style="green")

    # --- marking --------------------------------------------------------------------

    def _refusal(self) -> str | None:
        if self.card is None:
            return "Список ещё загружается."
        return self.card.lesson.attendance_why_not or None

    def _enqueue(self, target: int | str, code: str | None) -> bool:
        refusal = self._refusal()
        if refusal:
            show_refusal(self, refusal)
            return False
        version = 0 if target == ALL_PRESENT else self.rows[int(target)].absence_version
        seen = {sid: row.absence_code for sid, row in self.rows.items() if row.absence_code}
        self._queued.append(target)
        generation = self._generation
        self.writer.submit(
            lambda: self._write(generation, target, code, version, seen),
            lambda answer: self._answered(target, answer),
            lambda error: self._failed(target, error),
        )
        for student_id in self._order if target == ALL_PRESENT else [int(target)]:
            self.query_one(DataTable).update_cell(
                str(student_id), "mark", self._mark_cell(student_id)
            )
        return True

    def _write(
        self,
        generation: int,
        target: int | str,
        code: str | None,
        version: int,
        seen: dict[int, str],
    ) -> tuple[str | None, Any]:
        """In the writer's thread: one key to the core, then the list as stored (``_fetch``)."""
        from zhurnal.core.errors import DomainError
        from zhurnal.core.services.lessons import mark_all_present, set_absence

        refusal = None
        if generation == self._generation:  # not typed after a refused key
            db = self.register.database()
            try:
                if target == ALL_PRESENT:
                    mark_all_present(db, self.actor, self.lesson_id, expected_absences=seen)
                else:
                    set_absence(
                        db, self.actor, self.lesson_id, int(target), code, expected_version=version
                    )
            except DomainError as exc:
                refusal = exc.message
                self._refused += 1
                self._generation += 1
        return refusal, self._fetch()

    def _answered(self, target: int | str, answer: tuple[str | None, Any]) -> None:
        refusal, (counter, card, rows) = answer
        if target in self._queued:
            self._queued.remove(target)
        if refusal:
            self._queued.clear()  # the keys after a refused one assumed it had worked
            show_refusal(self, refusal)
        if not self._queued:
            self._show(card, rows)
            self.watcher.start(counter, card.lesson.valid_until)
        else:  # later keys are still on their way: only the answered rows change
            self.card = card
            self.rows.update({row.student_id: row for row in rows})
            self._fill(self._order)

    def _failed(self, target: int | str, error: BaseException) -> None:
        """An unexpected failure of a write: drop the keys after it, show the list as stored."""
        self._generation += 1
        self._queued.clear()
        super().worker_failed(None, error)  # type: ignore[arg-type]
        self._load()  # once: a failing load stops the polling (worker_failed)

    def action_all_present(self) -> None:
        self._enqueue(ALL_PRESENT, None)

    def highlighted_student(self) -> int | None:
        table = self.query_one(DataTable)
        if not self._order or not 0 <= table.cursor_row < len(self._order):
            return None
        return self._order[table.cursor_row]

    def action_set_code(self, code: str) -> None:
        table = self.query_one(DataTable)
        if not self._order or self.card is None:
            return
        student_id = self._order[table.cursor_row]
        if self._enqueue(student_id, code or None):
            table.move_cursor(row=table.cursor_row + 1)

    def worker_failed(self, worker: Any, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        self.watcher.stop()  # the list cannot be read (e.g. access withdrawn): stop polling
        super().worker_failed(worker, error)

    def action_back(self) -> None:
        self.dismiss()


__all__ = ["AttendanceScreen", "StudentTable"]
