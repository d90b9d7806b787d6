"""«Итоговые отметки»: a period's marks of one class, subject by subject, with the
weighted average and the suggested mark beside each student [004 §3.9, §3.5].

| Key | Action |
| :- | :- |
| ← → | previous / next subject of the class |
| [ ] | previous / next period |
| enter | set the highlighted student's period mark |
| k | request a correction of a locked period mark from the director [004 §7.2] |
| escape | back |

The figures, the choices («н/а», «осв», «н/оц» where the rules allow) and whether the
user may set a mark now (the window before the period ends, the lock after it, the
class teacher's right in every subject) come from the course's
:class:`~zhurnal.core.readmodels.Gradebook`; the screen only shows them.  After the
lock, ``k`` asks the director to change the highlighted student's mark
(``Gradebook.period_mark_correction_why_not`` decides whether this user may;
:func:`zhurnal.core.services.corrections.request_correction` checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import CourseRef, Gradebook, PeriodInfo


REQUEST_NOTE = " k — запросить корректировку."
SUBJECT_KEYS = Binding.Group("Предмет", compact=True)
"""← and → share one footer label: «←→ Предмет»."""


class PeriodMarksTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Выставить", show=False),
    ]


class PeriodMarksScreen(ZhurnalScreen):
    """One subject of the class at a time; ← → walks through all of them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "course(-1)", "Пред. предмет", priority=True, group=SUBJECT_KEYS),
        Binding("right", "course(1)", "След. предмет", priority=True, group=SUBJECT_KEYS),
        Binding("left_square_bracket", "period(-1)", "Пред. период", show=False),
        Binding("right_square_bracket", "period(1)", "След. период", show=False),
        Binding(
            "k",
            "request_correction",
            "Корректировка",
            show=False,  # offered beside the lock's refusal
            tooltip="Запросить у директора исправление закрытой итоговой отметки [004 §7]",
        ),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Итоговые отметки"

    class Loaded(Message, bubble=False):
        def __init__(
            self, courses: tuple[CourseRef, ...], periods: list[PeriodInfo], book: Gradebook
        ) -> None:
            super().__init__()
            self.courses, self.periods, self.book = courses, periods, book

    def __init__(self, actor: Actor, class_id: int, title: str) -> None:
        super().__init__()
        self.actor, self.class_id, self.class_title = actor, class_id, title
        self.courses: tuple[CourseRef, ...] = ()
        self.periods: list[PeriodInfo] = []
        self.course_index = 0
        self.period_id: int | None = None
        self.book: Gradebook | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Итоговые отметки: {self.class_title}"), classes="screen-title")
        yield Static("", id="pm-course")
        yield PeriodMarksTable(id="period-marks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pm-detail", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Ученик", width=max(20, self.size.width - 40))
        table.add_column("Отметок", width=7)
        table.add_column("Ср. балл", width=8)
        table.add_column("Предл.", width=6)
        table.add_column("Итог", width=5)
        table.focus()
        self._reload()

    def _reload(self) -> None:
        self.query_one(DataTable).loading = True
        self._load(self.course_index, self.period_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, index: int, period_id: int | None) -> None:
        from zhurnal.core.readmodels import (
            class_courses,
            course_periods,
            current_period_id,
            load_gradebook,
        )

        db = self.register.database()
        courses = self.courses or class_courses(db, self.actor, self.class_id)
        if not courses:
            self.app.call_from_thread(
                self.notify, f"У класса {self.class_title} нет предметов.", markup=False
            )
            return
        course = courses[max(0, min(index, len(courses) - 1))]
        periods = course_periods(db, self.actor, course.id)
        if period_id is None or period_id not in {p.id for p in periods}:
            period_id = current_period_id(db, self.actor, course.id, self.register.today())
        if period_id is None:
            raise LookupError("У класса нет учебных периодов.")
        book = load_gradebook(db, self.actor, course.id, period_id)
        self.post_message(self.Loaded(courses, periods, book))

    @on(Loaded)
    def _loaded(self, event: PeriodMarksScreen.Loaded) -> None:
        self.courses, self.periods, self.book = event.courses, event.periods, event.book
        book = event.book
        self.period_id = book.period.id
        self.course_index = next(
            (i for i, c in enumerate(self.courses) if c.id == book.course_id), 0
        )
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for s in book.students:
            count = sum(1 for (sid, _) in book.marks if sid == s.id)
            average = book.averages.get(s.id)
            pm = book.period_marks.get(s.id)
            table.add_row(
                Text(s.name, no_wrap=True, overflow="ellipsis"),
                Text(str(count), justify="right"),
                Text("—" if average is None else f"{average:.2f}", justify="right"),
                Text(book.suggested.get(s.id) or "—", justify="center"),
                Text(pm.value if pm else "", justify="center", style="bold"),
                key=str(s.id),
            )
        table.loading = False
        if book.students:
            table.move_cursor(row=max(0, min(row, len(book.students) - 1)))
        n = len(self.courses)
        self.query_one("#pm-course", Static).update(
            Content(
                f"{book.subject}{' (' + book.subgroup + ')' if book.subgroup else ''} — "
                f"{book.teacher_name} · {book.period.name} "
                f"({book.period.start:%d.%m}–{book.period.end:%d.%m.%Y}) · "
                f"предмет {self.course_index + 1} из {n}: ← →, период: [ ]"
            )
        )
        given = len(book.period_marks)
        state = book.period_mark_refusal or "Enter — выставить отметку выбранному ученику."
        if book.period_mark_locked and not book.correction_refusal:
            state += REQUEST_NOTE
        self.query_one("#pm-detail", Static).update(
            Content(f"Выставлено {given} из {len(book.students)}. {state}")
        )

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        book = self.book
        if book is None or event.row_key.value is None:
            return
        student_id = int(event.row_key.value)
        refusal = book.period_mark_why_not(student_id)
        if refusal:
            if not book.period_mark_correction_why_not(student_id):
                refusal += REQUEST_NOTE
            show_refusal(self, refusal)
            return
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        suggested = book.suggested.get(student_id)
        current = book.period_marks.get(student_id)
        options = [
            (v, f"{v}{'  — предлагается' if v == suggested else ''}")
            for v in book.period_mark_choices
        ]
        if current is not None:
            options.append(("", "Убрать отметку"))
        name = next((s.name for s in book.students if s.id == student_id), "")

        def chosen(value: str | None) -> None:
            if value is not None:
                self._save(book, student_id, value or None, current.version if current else None)

        self.app.push_screen(
            ChoiceModal(
                f"{name}: {book.period.name}, {book.subject}",
                options,
                hint="Enter — выставить, Esc — отмена",
                selected=current.value if current else suggested,
                list_id="period-mark-choice",
            ),
            chosen,
        )

    @work(thread=True, exit_on_error=False, group="save")
    def _save(
        self, book: Gradebook, student_id: int, value: str | None, version: int | None
    ) -> None:
        from zhurnal.core.services.marks import set_period_mark

        try:
            set_period_mark(
                self.register.database(),
                self.actor,
                book.course_id,
                student_id,
                book.period.id,
                value,
                expected_version=version,
            )
        except Exception as error:  # noqa: BLE001 - shown as the refusal
            self.app.call_from_thread(show_refusal, self, describe(error))
        self.app.call_from_thread(self._reload)

    def action_request_correction(self) -> None:
        """Ask the director to change the highlighted student's locked period mark."""
        book, table = self.book, self.query_one(DataTable)
        if book is None or not book.students or not 0 <= table.cursor_row < len(book.students):
            return
        student = book.students[table.cursor_row]
        if refusal := book.period_mark_correction_why_not(student.id):
            show_refusal(self, refusal)
            return
        from zhurnal.core.services.correction_cells import CellChange
        from zhurnal.tui.widgets.correction_request import ask_correction

        current = book.period_marks.get(student.id)
        old = current.value if current else ""
        period_id, student_id = book.period.id, student.id
        values = ", ".join(book.period_mark_choices)
        ask_correction(
            self,
            self.register,
            self.actor,
            book.course_id,
            f"{student.name}, {book.period.name}, {book.subject}: итоговая отметка",
            old,
            lambda new: CellChange.period_mark(period_id, student_id, new, old),
            value_hint=f"({values}; пусто — стереть)",
        )

    def action_course(self, step: int) -> None:
        if self.courses:
            self.course_index = (self.course_index + step) % len(self.courses)
            self._reload()

    def action_period(self, step: int) -> None:
        ids = [p.id for p in self.periods]
        if self.period_id in ids:
            index = ids.index(self.period_id) + step
            if 0 <= index < len(ids):
                self.period_id = ids[index]
                self._reload()

    def action_back(self) -> None:
        self.dismiss()
