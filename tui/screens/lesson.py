"""«Урок»: the topic, homework and work types of one lesson.

| Key | Action |
| :- | :- |
| ctrl+s / f2 | save the topic and the homework |
| f3 / a (outside a text field) | «Посещаемость» |
| f4 / + / insert (on the list) | add a work type (assignment) |
| delete (on the list) | remove the work type under the cursor |
| tab / shift+tab | next / previous field |
| escape | back to the timetable (asks when something is not saved) |

The topic field holds the lesson's topic or, while it is empty, the next topic of
the calendar-thematic plan (КТП), marked «из КТП»; a saved topic that contains the
plan topic is linked to it.  Saving runs in a worker: ``set_topic`` then
``set_homework``, each with the version the screen read.  A refusal (conflict,
lock) leaves the fields exactly as typed.  Topics, homework and work-type titles
are shown as ``Content`` — data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from zhurnal.tui.screens.attendance import (
    AttendanceScreen,
    attendance_state,
    lesson_heading,
    lesson_place,
)
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.dialogs import ConfirmModal, WorkTypeModal

if TYPE_CHECKING:
    from datetime import datetime

    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import LessonCard

POLL_SECONDS = 3.0
UNSAVED_QUESTION = "Есть несохранённые изменения. Выйти без сохранения?"
NO_WORK_TYPES = "Видов работ нет (F4 — добавить)"


def fmt_dt(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M")


def deadline_text(card: LessonCard, now: datetime) -> str:
    """«Срок заполнения: до 25.11.2026 23:59; изменения закрываются 04.12.2026»."""
    lesson = card.lesson
    text = f"Срок заполнения: до {fmt_dt(lesson.entry_deadline)}"
    if lesson.homework_deadline is not None:
        text += f", Д/З до {fmt_dt(lesson.homework_deadline)}"
    closes = lesson.lock_at.strftime("%d.%m.%Y")
    verb = "закрыты с" if now >= lesson.lock_at else "закрываются"
    return f"{text}; изменения {verb} {closes}"


def late_text(card: LessonCard) -> str:
    late = [what for what, flag in (("тема", card.lesson.topic_late),
                                    ("Д/З", card.lesson.homework_late)) if flag]
    return f" ({', '.join(late)} — внесено с опозданием)" if late else ""


class AssignmentList(OptionList):
    """The lesson's work types; the option ids are assignment ids."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove", "Удалить вид работ"),
        Binding("plus,insert", "screen.add_work_type", "Добавить", show=False),
    ]

    class RemovalRequested(Message):
        def __init__(self, assignment_id: int) -> None:
            super().__init__()
            self.assignment_id = assignment_id

    def action_remove(self) -> None:
        if self.highlighted is not None:
            option_id = self.get_option_at_index(self.highlighted).id
            if option_id:
                self.post_message(self.RemovalRequested(int(option_id)))


class LessonScreen(ZhurnalScreen):
    """One lesson of the signed-in teacher: what was done and what is due."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,f2", "save", "Сохранить"),
        Binding("f3,a", "attendance", "Посещаемость"),
        Binding("f4", "add_work_type", "Вид работы"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Урок"
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("Tab / Shift+Tab", "Следующее / предыдущее поле"),
        ("a", "Посещаемость (вне текстового поля)"),
        ("+ / Insert / Delete", "Добавить / удалить вид работ (в списке)"),
    ]

    @dataclass
    class CardLoaded(Message, bubble=False):
        card: LessonCard
        types: list[tuple[str, str, float]] | None
        keep_inputs: bool
        """True: refresh what the core has, leave the fields as typed."""
        counter: int | None = None
        """The change counter read before the card (None: not read)."""
        refresh: bool = False
        """Another session changed something: refill the fields unless edited."""

    @dataclass
    class SaveFinished(Message, bubble=False):
        """A save ran: what was written (``saved``), and the refusal if any."""

        card: LessonCard
        topic: str
        homework: str
        saved: set[str]
        error: str | None

    @dataclass
    class ActionRefused(Message, bubble=False):
        message: str

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__()
        self.actor = actor
        self.lesson_id = lesson_id
        self.card: LessonCard | None = None
        self._types: list[tuple[str, str, float]] = []
        self._shown = ("", "")  # (topic, homework) as last loaded or saved: "unsaved" is relative
        self._saving = False
        self._failed = False  # the last save was refused: its message stays
        self._status = ""
        self._counter: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("Урок", classes="screen-title", id="lesson-title")
        yield Static("", id="lesson-place")
        yield Static("", id="lesson-state")
        with VerticalScroll(id="lesson-form"):
            yield Label("Тема урока", id="topic-label")
            yield Input(id="topic", max_length=500, placeholder="тема урока",
                        select_on_focus=False)
            yield Static("", id="plan-hint")
            yield Label("Домашнее задание", id="homework-label")
            yield TextArea(id="homework", soft_wrap=True, placeholder="домашнее задание")
            yield Static("", id="homework-hint", classes="hint")
            yield Label("Виды работ на уроке", id="work-label")
            yield AssignmentList(id="assignments")
            yield Static("", id="work-hint", classes="hint")
        yield Static("", id="lesson-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()
        self._load(keep_inputs=False)
        self.set_interval(POLL_SECONDS, self._poll)

    # --- loading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, keep_inputs: bool) -> None:
        from zhurnal.core.readmodels import change_counter, lesson_card, work_types

        db = self.zapp.database()
        counter = change_counter(db)  # read first: a change after it is noticed later
        card = lesson_card(db, self.actor, self.lesson_id)
        types = None if self._types else work_types(db)
        self.post_message(self.CardLoaded(card, types, keep_inputs, counter))

    def _poll(self) -> None:
        if self._counter is not None and not self._saving and self.app.screen is self:
            self._check_changes(self._counter)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def _check_changes(self, seen: int) -> None:
        from zhurnal.core.readmodels import change_counter, lesson_card

        db = self.zapp.database()
        counter = change_counter(db)
        if counter != seen:
            card = lesson_card(db, self.actor, self.lesson_id)
            self.post_message(self.CardLoaded(card, None, True, counter, refresh=True))

    @on(CardLoaded)
    def _card_loaded(self, event: LessonScreen.CardLoaded) -> None:
        if event.types is not None:
            self._types = event.types
        if event.counter is not None:
            self._counter = event.counter
        keep = event.keep_inputs and not (event.refresh and not self.is_dirty())
        self._show_card(event.card, keep_inputs=keep)

    def _show_card(self, card: LessonCard, *, keep_inputs: bool) -> None:
        first = self.card is None
        self.card = card
        lesson = card.lesson
        self.query_one("#lesson-title", Static).update(Content(f"Урок: {lesson_heading(card)}"))
        self.query_one("#lesson-place", Static).update(lesson_place(card))
        self._show_state()
        topic, homework = self.query_one("#topic", Input), self.query_one("#homework", TextArea)
        if not keep_inputs:
            shown_topic = lesson.topic or (card.plan.topic if card.plan else "")
            shown_homework = lesson.forced_homework or lesson.homework
            if not (first and topic.value):  # never replace what was typed before the load
                topic.value = shown_topic
                topic.cursor_position = len(shown_topic)  # typing adds, never replaces
            if not (first and homework.text):
                homework.load_text(shown_homework)
            self._shown = (shown_topic, shown_homework)
        read_only = not lesson.text_editable
        topic.disabled = read_only
        homework.read_only = read_only or lesson.forced_homework is not None
        self._hint("#homework-hint", lesson.forced_homework_why)
        self._show_assignments(card)
        self._update_plan_hint()
        self._show_status()

    def _show_state(self) -> None:
        card = self.card
        if card is None:
            return
        state = self.query_one("#lesson-state", Static)
        state.set_class(not card.lesson.text_editable, "error-text")
        state.update(Content(card.lesson.text_why_not or attendance_state(card.lesson)))

    def _hint(self, selector: str, text: str) -> None:
        hint = self.query_one(selector, Static)
        hint.update(Content(text))
        hint.display = bool(text)

    def _show_assignments(self, card: LessonCard) -> None:
        assignments = self.query_one(AssignmentList)
        assignments.display = card.lesson.marks_allowed and bool(card.assignments)
        highlighted = assignments.highlighted
        assignments.clear_options()
        assignments.add_options([
            Option(Content(f"{a.work_type_name} (вес {a.weight:g})"
                           + (f": {a.title}" if a.title else "")), id=str(a.id))
            for a in card.assignments
        ])
        if card.assignments:
            assignments.highlighted = min(highlighted or 0, len(card.assignments) - 1)
        self._hint("#work-hint", card.lesson.marks_why_not or (
            "" if card.assignments else NO_WORK_TYPES))

    @on(Input.Changed, "#topic")
    def _update_plan_hint(self) -> None:
        hint = self.query_one("#plan-hint", Static)
        plan = self.card.plan if self.card else None
        if plan is None:
            hint.display = False
        else:
            hint.display = True
            if self._plan_item_id() is not None:
                hint.update(Content.from_markup("[b $accent]из КТП[/]: тема № $n плана",
                                                n=plan.position))
            else:
                hint.update(Content.from_markup("КТП, тема № $n: $topic",
                                                n=plan.position, topic=plan.topic))
        self._show_status()

    @on(TextArea.Changed)
    def _homework_changed(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        card = self.card
        if card is None:
            return
        message = self._status
        if self.is_dirty() and not (self._saving or self._failed):
            message = "Есть несохранённые изменения (Ctrl+S — сохранить)"
        elif not message and card.lesson.text_editable and card.plan and not card.plan_linked \
                and self._typed()[0] != card.lesson.topic:
            message = "Тема из КТП ещё не записана в журнал (Ctrl+S — сохранить)"
        status = self.query_one("#lesson-status", Static)
        status.update(Content("\n".join(filter(None, [message, deadline_text(
            card, self.zapp.now())]))))

    # --- what is typed --------------------------------------------------------------

    def _typed(self) -> tuple[str, str]:
        return (self.query_one("#topic", Input).value.strip(),
                self.query_one("#homework", TextArea).text.strip())

    def is_dirty(self) -> bool:
        """Typed text differs from what was loaded or saved last."""
        if self.card is None or not self.card.lesson.text_editable:
            return False
        return self._typed() != (self._shown[0].strip(), self._shown[1].strip())

    def _plan_item_id(self) -> int | None:
        """The КТП item the typed topic belongs to: it contains the plan topic."""
        plan = self.card.plan if self.card else None
        topic = self._typed()[0]
        if plan is None or not topic or plan.topic.casefold() not in topic.casefold():
            return None
        return plan.plan_item_id

    # --- saving ----------------------------------------------------------------------

    def action_save(self) -> None:
        card = self.card
        if card is None or self._saving:
            return
        if card.lesson.text_why_not:
            self.notify(card.lesson.text_why_not, severity="error", markup=False)
            return
        topic, homework = self._typed()
        plan_item_id = self._plan_item_id()
        was_linked = card.plan_linked and card.plan is not None
        need_topic = topic != card.lesson.topic or (plan_item_id is not None) != was_linked
        need_homework = homework != card.lesson.homework
        if not (need_topic or need_homework):
            self._shown = (topic, homework)
            self._status = "Изменений нет."
            self._show_status()
            return
        self._saving = True
        self._status = "Сохранение…"
        self._show_status()
        self._save(topic if need_topic else None, homework if need_homework else None,
                   plan_item_id, card.lesson.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _save(self, topic: str | None, homework: str | None, plan_item_id: int | None,
              version: int) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.readmodels import lesson_card
        from zhurnal.core.services.lessons import set_homework, set_topic

        db = self.zapp.database()
        saved: set[str] = set()
        error = None
        try:
            if topic is not None:
                version = set_topic(db, self.actor, self.lesson_id, topic,
                                    plan_item_id=plan_item_id, expected_version=version).version
                saved.add("topic")
            if homework is not None:
                set_homework(db, self.actor, self.lesson_id, homework, expected_version=version)
                saved.add("homework")
        except DomainError as exc:
            error = exc.message
        card = lesson_card(db, self.actor, self.lesson_id)
        self.post_message(self.SaveFinished(card, topic or "", homework or "", saved, error))

    @on(SaveFinished)
    def _save_finished(self, event: LessonScreen.SaveFinished) -> None:
        self._saving = False
        shown_topic, shown_homework = self._shown
        if "topic" in event.saved:
            shown_topic = event.topic
        if "homework" in event.saved:
            shown_homework = event.homework
        self._shown = (shown_topic, shown_homework)
        self._failed = event.error is not None
        if event.error is None:
            self._status = "Сохранено" + late_text(event.card) + "."
        else:
            done = " (тема сохранена)" if event.saved else ""
            self._status = f"Не сохранено{done}: текст остался в полях."
            self.notify(event.error, title="Не сохранено", severity="error", markup=False,
                        timeout=10)
        self._show_card(event.card, keep_inputs=True)  # a conflict reloads; the typed text stays

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self._saving = False
        self._failed = self.card is not None
        self._status = "Не сохранено: текст остался в полях." if self.card else ""
        self._show_status()
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    # --- work types --------------------------------------------------------------------

    def _refusal(self) -> str | None:
        card = self.card
        if card is None:
            return "Урок ещё загружается."
        return card.lesson.work_types_why_not or None

    def action_add_work_type(self) -> None:
        refusal = self._refusal()
        if refusal:
            self.notify(refusal, severity="error", markup=False)
            return

        def chosen(code: str | None) -> None:
            if code:
                self._change_assignments(add=code)

        self.app.push_screen(WorkTypeModal("Вид работы на уроке", self._types), chosen)

    @on(AssignmentList.RemovalRequested)
    def _remove_requested(self, event: AssignmentList.RemovalRequested) -> None:
        refusal = self._refusal()
        if refusal:
            self.notify(refusal, severity="error", markup=False)
        else:
            self._change_assignments(remove=event.assignment_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="assignments")
    def _change_assignments(self, add: str | None = None, remove: int | None = None) -> None:
        from zhurnal.core.errors import DomainError
        from zhurnal.core.readmodels import lesson_card
        from zhurnal.core.services.marks import add_assignment, remove_assignment

        db = self.zapp.database()
        try:
            if add is not None:
                add_assignment(db, self.actor, self.lesson_id, add)
            if remove is not None:
                remove_assignment(db, self.actor, remove)
        except DomainError as exc:
            self.post_message(self.ActionRefused(exc.message))
        self.post_message(self.CardLoaded(lesson_card(db, self.actor, self.lesson_id), None,
                                          keep_inputs=True))

    @on(ActionRefused)
    def _action_refused(self, event: LessonScreen.ActionRefused) -> None:
        self.notify(event.message, title="Отклонено", severity="error", markup=False)

    # --- leaving -------------------------------------------------------------------

    def action_attendance(self) -> None:
        self.app.push_screen(AttendanceScreen(self.actor, self.lesson_id),
                             lambda _: self._load(keep_inputs=True))

    def action_back(self) -> None:
        if not self.is_dirty():
            self.dismiss()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        self.app.push_screen(ConfirmModal(UNSAVED_QUESTION, "Выйти без сохранения",
                                          "Остаться"), answered)


__all__ = ["AssignmentList", "ConfirmModal", "LessonScreen", "WorkTypeModal"]
