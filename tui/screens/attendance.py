"""«Посещаемость»: who was not at the lesson, one key per student.

| Key | Action |
| :- | :- |
| p / з / f5 | everyone present («Все присутствуют») |
| н / y | Н — absent |
| б / , | Б — ill |
| у / e | УП — valid reason |
| о / j | ОП — late |
| space / delete | present (clears the mark) |
| up / down | move between students |
| escape | back |

The Latin keys are the ones in the same place on a QWERTY keyboard as the
Cyrillic letters on ЙЦУКЕН, so the keys work whatever the layout is.  Each key
commits at once: the screen queues it, a thread worker calls the core
(``set_absence`` with the version it saw, or ``mark_all_present``), and the
cursor moves to the next student without waiting.  A refusal (the lesson has not
begun, it is locked, someone else changed the row) shows the core's Russian
message and leaves the row as it was.  Names are ``rich.text.Text``: data, never
markup.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from zhurnal.tui.i18n import WEEKDAYS
from zhurnal.tui.screens.base import ZhurnalScreen

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import AttendanceRow, LessonCard, LessonView

ALL_PRESENT = "*"
"""The queued request «everyone present» (a student id would be an int)."""
LEGEND = ("Н (y) — не был(а), Б (,) — болезнь, УП (e) — уважительная причина, "
          "ОП (j) — опоздание; Пробел — присутствует")
CODE_STYLES = {"Н": "bold red", "Б": "bold yellow", "УП": "bold cyan", "ОП": "bold magenta"}
PENDING = "…"
POLL_SECONDS = 3.0
PRESENT = "✓"


def lesson_heading(card: LessonCard) -> str:
    """``понедельник, 23.11.2026, 1-й урок 08:30–09:15`` (not the server's locale)."""
    lesson = card.lesson
    return (f"{WEEKDAYS[lesson.date.weekday()]}, {lesson.date:%d.%m.%Y}, {lesson.number}-й урок "
            f"{card.starts_at:%H:%M}–{card.ends_at:%H:%M}")


def lesson_place(card: LessonCard) -> Content:
    """``5А · Математика · 2 гр. · каб. 12`` with a «замена» badge; names are data."""
    lesson = card.lesson
    parts = [lesson.class_title, lesson.subject, lesson.subgroup, lesson.room]
    place = " · ".join(p for p in parts if p)
    if lesson.substitute:
        return Content.from_markup("$place  [reverse $accent] замена [/]", place=place)
    return Content(place)


def attendance_state(lesson: LessonView, rows: list[AttendanceRow] | None = None) -> str:
    """«Посещаемость отмечена в 10:02: Н 1, ОП 1» / «… все присутствуют» / «… не отмечена».

    Without the list (the lesson screen) the marks are only counted.
    """
    taken = lesson.attendance_taken_at
    if taken is None:
        return "Посещаемость не отмечена"
    when = f"{taken:%H:%M}" if taken.date() == lesson.date else f"{taken:%d.%m.%Y %H:%M}"
    late = " (с опозданием)" if taken > lesson.entry_deadline else ""
    text = f"Посещаемость отмечена в {when}{late}"
    if not lesson.absences_count:
        return f"{text}: все присутствуют"
    if rows is None:
        return f"{text}, пропуски и опоздания: {lesson.absences_count}"
    codes = [row.absence_code for row in rows if row.absence_code]
    return f"{text}: " + ", ".join(f"{c} {codes.count(c)}" for c in CODE_STYLES if c in codes)


class AttendanceScreen(ZhurnalScreen):
    """The class list of one lesson with the absence codes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p,P,з,З,f5", "all_present", "Все присутствуют", key_display="p"),
        Binding("н,Н,y,Y", "set_code('Н')", "Н", key_display="н"),
        Binding("б,Б,comma", "set_code('Б')", "Б", key_display="б"),
        Binding("у,У,e,E", "set_code('УП')", "УП", key_display="у"),
        Binding("о,О,j,J", "set_code('ОП')", "ОП", key_display="о"),
        Binding("space,delete", "set_code('')", "Присутствует", show=False),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Посещаемость"
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("↑ / ↓", "Выбрать ученика"),
        ("p / з / F5", "Все присутствуют (обе раскладки)"),
        ("y , e j", "Н Б УП ОП в латинской раскладке"),
    ]

    @dataclass
    class Loaded(Message, bubble=False):
        """The list as the core has it; ``written``: after the queue's oldest key."""

        card: LessonCard
        rows: list[AttendanceRow]
        written: bool = False
        refusal: str | None = None
        counter: int | None = None

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__()
        self.actor = actor
        self.lesson_id = lesson_id
        self.card: LessonCard | None = None
        self.rows: dict[int, AttendanceRow] = {}
        self._order: list[int] = []
        self._queue: deque[tuple[int | str, str | None]] = deque()
        self._writing = False
        self._counter: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("Посещаемость", classes="screen-title", id="attendance-title")
        yield Static("", id="attendance-place")
        yield Static("", id="attendance-state")
        table: DataTable[Text] = DataTable(id="attendance", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(LEGEND, id="attendance-legend", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("№", key="n")
        table.add_column("ФИО", key="name")
        table.add_column("Отметка", key="mark")
        table.loading = True
        table.focus()
        self._load()
        self.set_interval(POLL_SECONDS, self._poll)

    # --- loading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, seen: int | None = None) -> None:
        """Load the list; with ``seen``, only if another session changed something."""
        from zhurnal.core.readmodels import change_counter, lesson_attendance, lesson_card

        db = self.zapp.database()
        counter = change_counter(db)  # read first: a change after it is noticed later
        if counter == seen:
            return
        card = lesson_card(db, self.actor, self.lesson_id)
        rows = lesson_attendance(db, self.actor, self.lesson_id)
        self.post_message(self.Loaded(card, rows, counter=counter))

    def _poll(self) -> None:
        idle = not (self._writing or self._queue) and self.app.screen is self
        if self._counter is not None and idle:
            self._load(self._counter)

    @on(Loaded)
    def _loaded(self, event: AttendanceScreen.Loaded) -> None:
        if event.counter is not None:
            self._counter = event.counter
        if event.written and self._queue:
            self._queue.popleft()
            self._writing = False
        elif self._writing:
            return  # a poll's list, older than the write under way: its result follows
        if event.refusal:
            self._queue.clear()  # the keys after a refused one assumed it had worked
        self.card = event.card
        self.rows = {row.student_id: row for row in event.rows}
        self.query_one("#attendance-title", Static).update(
            Content(f"Посещаемость: {lesson_heading(event.card)}"))
        self.query_one("#attendance-place", Static).update(lesson_place(event.card))
        state = self.query_one("#attendance-state", Static)
        reason = event.card.lesson.attendance_why_not
        state.set_class(bool(reason), "error-text")
        state.update(Content(reason or attendance_state(event.card.lesson, event.rows)))
        self._fill([row.student_id for row in event.rows])
        if event.refusal:
            self.notify(event.refusal, title="Отклонено", severity="error", markup=False,
                        timeout=10)
        self._next()

    def _fill(self, order: list[int]) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        if order != self._order:
            row = table.cursor_row
            table.clear()
            for n, student_id in enumerate(order, start=1):
                table.add_row(Text(str(n), justify="right"),
                              Text(self.rows[student_id].full_name),
                              self._mark_cell(student_id), key=str(student_id))
            self._order = order
            if order:
                table.move_cursor(row=min(row, len(order) - 1))
        else:
            for student_id in order:
                table.update_cell(str(student_id), "mark", self._mark_cell(student_id))

    def _mark_cell(self, student_id: int) -> Text:
        queued = [code for target, code in self._queue if target in (student_id, ALL_PRESENT)]
        if queued:
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

    def _enqueue(self, target: int | str, code: str | None) -> None:
        refusal = self._refusal()
        if refusal:
            self.notify(refusal, title="Отклонено", severity="error", markup=False)
            return
        self._queue.append((target, code))
        for student_id in self._order if target == ALL_PRESENT else [target]:
            self.query_one(DataTable).update_cell(str(student_id), "mark",
                                                  self._mark_cell(int(student_id)))
        self._next()

    def action_all_present(self) -> None:
        self._enqueue(ALL_PRESENT, None)

    def action_set_code(self, code: str) -> None:
        table = self.query_one(DataTable)
        if not self._order or self.card is None:
            return
        student_id = self._order[table.cursor_row]
        self._enqueue(student_id, code or None)
        if self._refusal() is None:
            table.move_cursor(row=table.cursor_row + 1)

    def _next(self) -> None:
        """Send the oldest queued key to the core; one write at a time, in order."""
        if self._writing or not self._queue:
            return
        self._writing = True
        target, code = self._queue[0]
        version = 0 if target == ALL_PRESENT else self.rows[int(target)].absence_version
        seen = {sid: row.absence_code for sid, row in self.rows.items() if row.absence_code}
        self._write(target, code, version, seen)

    @work(thread=True, exit_on_error=False, group="write")
    def _write(self, target: int | str, code: str | None, version: int,
               seen: dict[int, str]) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.readmodels import lesson_attendance, lesson_card
        from zhurnal.core.services.lessons import mark_all_present, set_absence

        db = self.zapp.database()
        refusal = None
        try:
            if target == ALL_PRESENT:
                mark_all_present(db, self.actor, self.lesson_id, expected_absences=seen)
            else:
                set_absence(db, self.actor, self.lesson_id, int(target), code,
                            expected_version=version)
        except DomainError as exc:
            refusal = exc.message
        card = lesson_card(db, self.actor, self.lesson_id)
        rows = lesson_attendance(db, self.actor, self.lesson_id)
        self.post_message(self.Loaded(card, rows, written=True, refusal=refusal))

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        self._queue.clear()
        self._writing = False
        if getattr(worker, "group", "") == "write":
            self._load()  # show the list as stored (once: a failing load does not retry)
        else:
            self._counter = None  # the list cannot be read (e.g. access withdrawn): stop polling
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    def action_back(self) -> None:
        self.dismiss()
