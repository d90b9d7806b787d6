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
``set_homework``, each with the version the screen read.

Nothing typed is lost: a second after typing stops, the text is kept as a
draft (per user, per lesson; never in the register without Ctrl+S) and offered
back when the lesson is opened again — after a dropped connection too.  If another
session changed the text meanwhile, saving shows both versions
(:class:`~zhurnal.tui.widgets.conflict.TextConflictModal`) and the teacher
chooses; nothing is overwritten silently.  Topics and homework are ``Content``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static, TextArea

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.lesson_requests import LessonRequests
from zhurnal.tui.sync import ChangeWatcher
from zhurnal.tui.widgets.assignments import AssignmentList
from zhurnal.tui.widgets.dialogs import QuestionModal
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.lesson_info import (
    attendance_state,
    deadline_text,
    late_text,
    lesson_heading,
    lesson_place,
)

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import DraftView, LessonCard

NO_WORK_TYPES = "Видов работ нет (F4 — добавить)"
BACK_ANSWERS = [("save", "Сохранить"), ("discard", "Не сохранять"), ("stay", "Остаться")]


class LessonScreen(LessonRequests):
    """One lesson of the signed-in teacher: what was done and what is due."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,f2", "save", "Сохранить"),
        Binding("f3,a", "attendance", "Посещаемость"),
        Binding("f4", "add_work_type", "Вид работы"),
        Binding(
            "f6",
            "request_correction",
            "Корректировка",
            show=False,  # named in the lock's refusal on the card
            tooltip="Запросить у директора исправление закрытой темы или Д/З [004 §7]",
        ),
        Binding("escape", "back", "Назад"),
        # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
        # field the teacher meant.
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
    ]
    HELP_TITLE = "Урок"

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
        draft: DraftView | None = None
        """The user's draft of this lesson (first load only)."""

    @dataclass
    class SaveFinished(Message, bubble=False):
        """A save ran: what was written (``saved``), and the refusal if any."""

        card: LessonCard
        typed: tuple[str, str]
        saved: set[str]
        error: str | None
        conflict: bool = False
        counter: int | None = None
        """The change counter read after the save, before the card: after a save that
        went through, the screen's own events are behind what it shows, and the next
        poll does not reload for them."""

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__(actor, lesson_id)
        self._saving = False
        self._after_save: Callable[[bool], None] | None = None
        self.watcher = ChangeWatcher(
            self, self._check_changes, paused=self._busy, course=self._course
        )

    def _course(self) -> int | None:
        """The lesson's course: only changes that may concern it make the screen reload."""
        card = getattr(self, "card", None)
        return card.lesson.course_id if card is not None else None

    def compose(self) -> ComposeResult:
        yield Static("Урок", classes="screen-title", id="lesson-title")
        yield Static("", id="lesson-place")
        yield Static("", id="lesson-state")
        with VerticalScroll(id="lesson-form"):
            yield Label("Тема урока", id="topic-label")
            yield Input(id="topic", max_length=500, placeholder="тема урока", select_on_focus=False)
            yield Static("", id="plan-hint")
            yield Label("Домашнее задание", id="homework-label")
            yield TextArea(id="homework", soft_wrap=True, placeholder="домашнее задание")
            yield Static("", id="homework-hint", classes="hint")
            yield Label("Виды работ на уроке", id="work-label")
            yield AssignmentList(id="assignments")
            yield Static("", id="work-hint", classes="hint")
        yield Static("", id="lesson-status")
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()
        self._load(keep_inputs=False, with_draft=True)

    def _busy(self) -> bool:
        return self._saving or self.app.screen is not self

    # --- loading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, keep_inputs: bool, with_draft: bool = False) -> None:
        from zhurnal.core.readmodels import change_counter, lesson_card, work_types

        db = self.register.database()
        counter = change_counter(db)  # read first: a change after it is noticed later
        card = lesson_card(db, self.actor, self.lesson_id)
        types = None if self._types else work_types(db)
        draft = self._read_draft(db) if with_draft else None
        self.post_message(self.CardLoaded(card, types, keep_inputs, counter, draft=draft))

    def _read_draft(self, db: Any) -> DraftView | None:
        from zhurnal.core.readmodels import get_draft

        return get_draft(db, self.actor, self.lesson_id)

    def _check_changes(self) -> None:
        self._load(keep_inputs=True)

    @on(CardLoaded)
    def _card_loaded(self, event: LessonScreen.CardLoaded) -> None:
        if event.types is not None:
            self._types = event.types
        if event.counter is not None:
            self.watcher.start(event.counter, event.card.lesson.valid_until)
        keep = event.keep_inputs and self.is_dirty()
        self._show_card(event.card, keep_inputs=keep)
        if event.draft is not None:
            self._restore(event.draft)

    def _show_card(self, card: LessonCard, *, keep_inputs: bool) -> None:
        first = self.card is None
        self.card = card
        lesson = card.lesson
        self.query_one("#lesson-title", Static).update(Content(f"Урок: {lesson_heading(card)}"))
        self.query_one("#lesson-place", Static).update(lesson_place(card))
        self._show_state()
        if not keep_inputs:
            shown_topic = lesson.topic or (card.plan.topic if card.plan else "")
            shown_homework = card.lesson.forced_homework or lesson.homework
            topic, homework = self._typed(raw=True)
            self._fill(
                None if first and topic else shown_topic,  # typed before the load stays
                None if first and homework else shown_homework,
            )
            self._shown = (shown_topic, shown_homework)
            self._stored = (lesson.topic, lesson.homework)
        read_only = not card.lesson.text_editable
        self.query_one("#topic", Input).disabled = read_only
        self.query_one("#homework", TextArea).read_only = (
            read_only or card.lesson.forced_homework is not None
        )
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
        locked = card.lesson.locked and card.lesson.text_why_not
        note = " F6 — запросить корректировку." if locked else ""
        state.update(Content((card.lesson.text_why_not + note) or attendance_state(card.lesson)))

    def _hint(self, selector: str, text: str) -> None:
        hint = self.query_one(selector, Static)
        hint.update(Content(text))
        hint.display = bool(text)

    def _show_assignments(self, card: LessonCard) -> None:
        assignments = self.query_one(AssignmentList)
        assignments.display = card.lesson.marks_allowed and bool(card.assignments)
        assignments.show(card.assignments)
        self._hint(
            "#work-hint", card.lesson.marks_why_not or ("" if card.assignments else NO_WORK_TYPES)
        )

    @on(Input.Changed, "#topic")
    def _update_plan_hint(self) -> None:
        hint = self.query_one("#plan-hint", Static)
        plan = self.card.plan if self.card else None
        if plan is None:
            hint.display = False
        else:
            hint.display = True
            if self._plan_item_id() is not None:
                hint.update(
                    Content.from_markup("[b $accent]из КТП[/]: тема № $n плана", n=plan.position)
                )
            else:
                hint.update(
                    Content.from_markup("КТП, тема № $n: $topic", n=plan.position, topic=plan.topic)
                )
        self._typed_changed()

    @on(TextArea.Changed)
    def _typed_changed(self) -> None:
        self._show_status()
        self._typed_changed_later()

    def _show_status(self) -> None:
        card = self.card
        if card is None:
            return
        message = self._status
        if self.is_dirty() and not (self._saving or self._failed):
            message = (
                message
                if message.startswith("Восстановлен")
                else "Есть несохранённые изменения (Ctrl+S — сохранить)"
            )
        elif (
            not message
            and card.lesson.text_editable
            and card.plan
            and not card.plan_linked
            and self._typed()[0] != card.lesson.topic
        ):
            message = "Тема из КТП ещё не записана в журнал (Ctrl+S — сохранить)"
        status = self.query_one("#lesson-status", Static)
        status.update(Content("\n".join(filter(None, [message, deadline_text(card)]))))

    def _plan_item_id(self) -> int | None:
        """The КТП item the typed topic belongs to: it contains the plan topic."""
        plan = self.card.plan if self.card else None
        topic = self._typed()[0]
        if plan is None or not topic or plan.topic.casefold() not in topic.casefold():
            return None
        return plan.plan_item_id

    def save_for_exit(self, answer: Callable[[bool], None]) -> None:
        self._after_save = answer
        self.action_save()

    # --- saving ----------------------------------------------------------------------

    def action_save(self) -> None:
        card = self.card
        if card is None or self._saving:
            return
        if card.lesson.text_why_not:
            show_refusal(self, card.lesson.text_why_not)
            self._answer_exit(False)
            return
        if self._clashes(card, "Текст урока изменили в другом сеансе, пока вы печатали."):
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
            self._answer_exit(True)
            return
        self._saving = True
        self._status = "Сохранение…"
        self._show_status()
        self._save(
            topic if need_topic else None,
            homework if need_homework else None,
            plan_item_id,
            card.lesson.version,
            (topic, homework),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _save(
        self,
        topic: str | None,
        homework: str | None,
        plan_item_id: int | None,
        version: int,
        typed: tuple[str, str],
    ) -> None:
        from zhurnal.core.errors import ConflictError, DomainError
        from zhurnal.core.readmodels import lesson_card
        from zhurnal.core.services.lessons import set_homework, set_topic

        db = self.register.database()
        saved: set[str] = set()
        error, conflict = None, False
        try:
            if topic is not None:
                version = set_topic(
                    db,
                    self.actor,
                    self.lesson_id,
                    topic,
                    plan_item_id=plan_item_id,
                    expected_version=version,
                ).version
                saved.add("topic")
            if homework is not None:
                set_homework(db, self.actor, self.lesson_id, homework, expected_version=version)
                saved.add("homework")
        except DomainError as exc:
            error, conflict = exc.message, isinstance(exc, ConflictError)
        if error is None:
            from zhurnal.core.readmodels import get_draft

            kept = get_draft(db, self.actor, self.lesson_id)
            if kept is None or (kept.topic.strip(), kept.homework.strip()) == typed:
                self._store_draft(None)  # ours: saved now (another session's stays)
        from zhurnal.core.readmodels import change_counter

        counter = change_counter(db)  # read first: a change after it is noticed later
        card = lesson_card(db, self.actor, self.lesson_id)
        self.post_message(self.SaveFinished(card, typed, saved, error, conflict, counter))

    @on(SaveFinished)
    def _save_finished(self, event: LessonScreen.SaveFinished) -> None:
        self._saving = False
        topic, homework = self._shown
        if "topic" in event.saved:
            topic = event.typed[0]
        if "homework" in event.saved:
            homework = event.typed[1]
        self._shown = (topic, homework)
        self._stored = (
            (event.card.lesson.topic, event.card.lesson.homework)
            if event.error is None
            else self._stored
        )
        if event.error is None:
            self._draft = None
            self._failed = False
            self._status = "Сохранено" + late_text(event.card) + "."
            # shown as the watcher's reload would show it, which it then need not make: the
            # fields refilled from the card unless typed into meanwhile (a change another
            # session made just before the card was read then shows too)
            self._show_card(event.card, keep_inputs=self.is_dirty())
            if event.counter is not None:
                self.watcher.start(event.counter, event.card.lesson.valid_until)
            self._answer_exit(True)
        elif event.conflict:
            self._conflict(event.card, event.error)
        else:
            self._failed = True
            done = " (тема сохранена)" if event.saved else ""
            self._status = f"Не сохранено{done}: текст остался в полях."
            show_refusal(self, event.error, title="Не сохранено")
            self._show_card(event.card, keep_inputs=True)
            self._answer_exit(False)

    def _answer_exit(self, ok: bool) -> None:
        answer, self._after_save = self._after_save, None
        if answer is not None:
            answer(ok)

    def worker_failed(self, worker: Any, error: BaseException) -> None:
        self._saving = False
        self._failed = self.card is not None
        self._status = "Не сохранено: текст остался в полях." if self.card else ""
        self._show_status()
        self._answer_exit(False)
        super().worker_failed(worker, error)

    # --- leaving -------------------------------------------------------------------

    def action_attendance(self) -> None:
        from zhurnal.tui.screens.attendance import AttendanceScreen

        self.app.push_screen(
            AttendanceScreen(self.actor, self.lesson_id), self._back_from_attendance
        )

    def _leave_if_saved(self, saved: bool) -> None:
        if saved:
            self.dismiss()

    def _card_changed(self, card: LessonCard, counter: int) -> None:
        self.post_message(self.CardLoaded(card, None, keep_inputs=True, counter=counter))

    def _back_from_attendance(self, _: object = None) -> None:
        self._load(keep_inputs=True)

    def action_back(self) -> None:
        if not self.is_dirty():
            self.dismiss()
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self.save_for_exit(self._leave_if_saved)
            elif answer == "discard":
                self.discard_unsaved()
                self.dismiss()

        self.app.push_screen(
            QuestionModal(
                f"Не сохранено: {self.unsaved()}.", BACK_ANSWERS, focus="save", cancel="stay"
            ),
            answered,
        )


__all__ = ["AssignmentList", "LessonScreen"]
