"""«Переход на новый учебный год»: close the year, open the next, promote [000 §5.2.1].

| Key | Action |
| :- | :- |
| c | close the finished year (it becomes read-only; a verified archive copy is made) |
| n | create the next year from this one (dates a year later) |
| ↑ ↓ | move over the students |
| h | hold the student back (остаётся на повторное обучение) / undo |
| v | the student left (выбыл): the date and the order / undo |
| u | promote conditionally (условно переведён) / undo |
| x | remove the student's exception |
| a | apply the promotion: the order's number and date, then confirm |
| escape | back |

The table is the preview: every student of the finished year with their move (→ 6А,
выпуск, остаётся, выбывает) and, in «Замечание», why a move cannot be made.  Every
decision — who may, when, what moves where — is core's
(:mod:`zhurnal.core.services.rollover`, :mod:`zhurnal.core.archive`); a refusal is shown
as it was given and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.core.errors import DomainError
from zhurnal.core.readmodels.rollover import PromotionException, counts_text
from zhurnal.core.rules import fmt_date, parse_date
from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.rollover import Move, PromotionPreview, RolloverState

TITLE = "Переход на новый учебный год"


class PromotionTable(DataTable[Text]):
    pass


class RolloverScreen(ZhurnalScreen):
    """The year rollover, step by step, with the promotion preview as a table."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "close_year",
            "Закрыть год",
            show=False,
            tooltip="Закрыть учебный год (архивная копия)",
        ),
        Binding("n", "next_year", "Новый год", show=False, tooltip="Создать следующий учебный год"),
        Binding("h", "hold_back", "Повтор", tooltip="Оставить на повторное обучение"),
        Binding("v", "left", "Выбыл", tooltip="Выбыл: дата и приказ"),
        Binding("u", "conditional", "Условно", tooltip="Условно переведён"),
        Binding("x", "clear", "Снять исключение", show=False),
        Binding("a", "apply", "Перевод", tooltip="Провести перевод по приказу директора"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = TITLE

    class Loaded(Message, bubble=False):
        def __init__(
            self, state: RolloverState, preview: PromotionPreview | None, why: str
        ) -> None:
            super().__init__()
            self.state, self.preview, self.why = state, preview, why

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.state: RolloverState | None = None
        self.preview: PromotionPreview | None = None
        self.exceptions: dict[int, PromotionException] = {}

    def compose(self) -> ComposeResult:
        yield Static(TITLE, classes="screen-title")
        yield Static("", id="rollover-state", markup=False)
        yield PromotionTable(id="promotion", cursor_type="row", zebra_stripes=True)
        yield Static("", id="move-detail", markup=False)
        yield Static(
            "c — закрыть год, n — создать следующий; h — повторное обучение, v — выбыл, "
            "u — условно, x — снять; a — провести перевод по приказу.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(PromotionTable)
        rest = max(14, self.size.width - 56)
        for header, width in (("Класс", 5), ("Ученик", rest), ("Куда", 21), ("Замечание", 20)):
            table.add_column(header, width=width)
        table.focus()
        self._reload()

    def _reload(self, _: object = None) -> None:
        self.query_one(PromotionTable).loading = True
        self._load(tuple(self.exceptions.values()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, exceptions: tuple[PromotionException, ...]) -> None:
        from zhurnal.core.readmodels.rollover import promotion_preview, rollover_state

        db = self.register.database()
        state = rollover_state(db, self.actor)
        preview, why = None, ""
        try:
            preview = promotion_preview(db, self.actor, exceptions, state.year_id)
        except DomainError as error:
            why = error.message
        self.post_message(self.Loaded(state, preview, why))

    @on(Loaded)
    def _loaded(self, event: RolloverScreen.Loaded) -> None:
        self.state, self.preview = event.state, event.preview
        self.query_one("#rollover-state", Static).update(self._state_text(event.why))
        table = self.query_one(PromotionTable)
        row = table.cursor_row
        table.clear()
        for n, m in enumerate(self.preview.moves if self.preview else ()):
            style = "bold" if m.student_id in self.exceptions else ""
            table.add_row(
                Text(m.from_class),
                Text(m.student, no_wrap=True, overflow="ellipsis", style=style),
                Text(m.text, style=style),
                Text(m.problem, style="red", no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        table.loading = False
        if table.row_count:
            table.move_cursor(row=max(0, min(row, table.row_count - 1)))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _show_detail(self, _: object = None) -> None:
        """The highlighted student's whole remark (the column shows its beginning)."""
        move = self._current()
        text = f"{move.student}: {move.problem}" if move is not None and move.problem else ""
        self.query_one("#move-detail", Static).update(text)

    def _state_text(self, why: str) -> str:
        s, p = self.state, self.preview
        if s is None:
            return ""
        period = f"{fmt_date(s.start)}–{fmt_date(s.end)}"
        lines = [
            f"1. {s.year} ({period}): "
            + ("закрыт, только для чтения." if s.closed else f"не закрыт (c — после {period}).")
        ]
        if s.next_year and s.next_start and s.next_end:
            lines.append(
                f"2. {s.next_year} ({fmt_date(s.next_start)}–{fmt_date(s.next_end)}): создан."
            )
        else:
            lines.append("2. Следующий учебный год не создан (n).")
        if s.promoted_by:
            lines.append(f"3. Перевод проведён: {s.promoted_by}.")
        elif p is not None:
            lines.append(
                f"3. Перевод: учеников {len(p.moves)}, исключений {len(self.exceptions)}, "
                f"замечаний {len(p.problems)} (a — провести)."
            )
        else:
            lines.append(f"3. Перевод: {why}")
        return "\n".join(lines)

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(PromotionTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    def _current(self) -> Move | None:
        table = self.query_one(PromotionTable)
        if self.preview is None or not self.preview.moves or table.cursor_row < 0:
            return None
        return self.preview.moves[min(table.cursor_row, len(self.preview.moves) - 1)]

    # --- writes: each a core call in a worker ----------------------------------------

    @work(thread=True, exit_on_error=False, group="write")
    def _run(self, call: Callable[[Database], str]) -> None:
        try:
            shown = call(self.register.database())
        except Exception as error:  # noqa: BLE001 - the refusal is shown as given
            self.app.call_from_thread(show_refusal, self, describe(error))
        else:
            self.app.call_from_thread(self._show, shown)
        self.app.call_from_thread(self._reload)

    def _show(self, text: str) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        self.app.push_screen(QuestionModal(text, [("ok", "Понятно")], title=TITLE))

    def _confirm(self, question: str, yes: str, call: Callable[[Database], str]) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._run(call)

        self.app.push_screen(
            QuestionModal(question, [("yes", yes), ("no", "Отмена")], title=TITLE), answered
        )

    def action_close_year(self) -> None:
        if self.state is None:
            return
        actor, year_id = self.actor, self.state.year_id

        def call(db: Database) -> str:
            from zhurnal.core.archive import close_year

            done = close_year(db, actor, year_id)
            if done.archive is None:
                return f"Учебный год {done.year} закрыт.\n{done.note}"
            a = done.archive
            return (
                f"Учебный год {done.year} закрыт: его журнал только для чтения.\n"
                f"Архивная копия: {a.path} ({a.size} байт) — проверена (целостность, "
                f"журнал аудита, отметки).\nSHA-256: {a.sha256}"
            )

        self._confirm(
            f"Закрыть учебный год {self.state.year}? Его отметки, пропуски и темы больше "
            "нельзя будет изменить, даже по заявке; будет сделана архивная копия.",
            "Закрыть",
            call,
        )

    def action_next_year(self) -> None:
        if self.state is None:
            return
        from zhurnal.core.services.rollover import next_date
        from zhurnal.tui.widgets.dates import DatesModal

        actor, year_id = self.actor, self.state.year_id

        def chosen(span: tuple[date | None, date | None] | None) -> None:
            if span is None:
                return

            def call(db: Database) -> str:
                from zhurnal.core.services.rollover import next_year

                made = next_year(db, actor, year_id, span[0], span[1])
                notes = "".join(f"\n{n}" for n in made.notes)
                return (
                    f"Создан учебный год {made.year.name}: классов {made.classes}, предметов "
                    f"классов {made.courses}, периодов {made.periods}. Даты периодов сдвинуты "
                    f"на год — проверьте их; первые классы добавьте сами.{notes}"
                )

            self._run(call)

        self.app.push_screen(
            DatesModal(
                next_date(self.state.start),
                next_date(self.state.end),
                title=f"Следующий учебный год после {self.state.year}",
                labels=("Начало:", "Конец:"),
            ),
            chosen,
        )

    def _mark(self, kind: str, day: date | None = None, order: str = "") -> None:
        move = self._current()
        if move is None:
            return
        if self.state is not None and self.state.promoted_by:
            show_refusal(self, f"Перевод уже проведён: {self.state.promoted_by}.")
            return
        old = self.exceptions.get(move.student_id)
        if old is not None and old.kind == kind and day is None:
            del self.exceptions[move.student_id]
        else:
            self.exceptions[move.student_id] = PromotionException(move.student_id, kind, day, order)
        self._reload()

    def action_hold_back(self) -> None:
        self._mark("hold_back")

    def action_conditional(self) -> None:
        self._mark("conditional")

    def action_clear(self) -> None:
        move = self._current()
        if move is not None and self.exceptions.pop(move.student_id, None) is not None:
            self._reload()

    def action_left(self) -> None:
        move = self._current()
        if move is None:
            return
        if (old := self.exceptions.get(move.student_id)) is not None and old.kind == "leave":
            self._mark("leave")  # the second v undoes it
            return
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def typed(text: str | None) -> None:
            if text is None:
                return
            day_text, _, order = text.partition(",")
            try:
                day = parse_date(day_text, "Дата выбытия") if day_text.strip() else None
            except DomainError as error:
                show_refusal(self, error.message)
                return
            self._mark("leave", day, order.strip())

        self.app.push_screen(
            TextPrompt(
                f"Выбыл: {move.student} ({move.from_class})",
                hint="Дата, с которой не в школе, и приказ: «20.08.2027, Приказ № 51». "
                "Пусто — после окончания года, по приказу о переводе. Esc — отмена.",
            ),
            typed,
        )

    def action_apply(self) -> None:
        state, preview = self.state, self.preview
        if state is None or preview is None:
            return
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        actor, exceptions = self.actor, tuple(self.exceptions.values())

        def with_order(order: str | None) -> None:
            if not order:
                return

            def with_date(text: str | None) -> None:
                if text is None:
                    return
                try:
                    day = parse_date(text, "Дата приказа")
                except DomainError as error:
                    show_refusal(self, error.message)
                    return

                def call(db: Database) -> str:
                    from zhurnal.core.services.rollover import apply_promotion

                    done = apply_promotion(db, actor, order, day, exceptions, state.year_id)
                    return (
                        f"Перевод {done.from_year} → {done.to_year} проведён ({done.order}).\n"
                        f"{counts_text(done.counts)}."
                    )

                self._confirm(
                    f"Провести перевод {preview.from_year} → {preview.to_year} по приказу "
                    f"«{order}» от {fmt_date(day)}: учеников {len(preview.moves)}, выпуск "
                    f"{preview.count('graduate')}, повторное обучение "
                    f"{preview.count('hold_back')}, выбывают {preview.count('leave')}?",
                    "Провести",
                    call,
                )

            self.app.push_screen(
                TextPrompt("Дата приказа", fmt_date(self.register.today())), with_date
            )

        self.app.push_screen(
            TextPrompt("Приказ директора о переводе", hint="Например: Приказ № 45-у"),
            with_order,
        )

    def action_back(self) -> None:
        self.dismiss()
