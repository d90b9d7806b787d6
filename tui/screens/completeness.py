"""«Заполнение журнала»: who has not filled what, for a class or the whole school
[000 §5.2.5, §6.2; 004 §3.11, §5].

| Key | Action |
| :- | :- |
| ← → | the span before / after, of the same kind: week, month, quarter (the year stays) |
| p | the kind of span: week, month, quarter or half-year, the year |
| v | rows: by subject, by teacher, by class (school) |
| enter | a subject: its first gap (the lesson); a class: that class; a teacher: their subjects |
| g | the subject's register page (mark grid) |
| e | save as CSV, XLSX or PDF |
| escape | back |

The figures and their order (worst first) come from core
(:mod:`zhurnal.core.readmodels.completeness`), and so do the spans and their steps
(``span_choices``, ``step_span``); the screen shows them.
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

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import Span
    from zhurnal.core.readmodels.completeness import Completeness, CompletenessRow

DASH = "—"
# (header, width, value of a row); the name columns come first and depend on the view
FIGURES = (
    ("Ур", 3, lambda r: r.lessons),
    ("Тем", 3, lambda r: r.no_topic),
    ("Д/З", 3, lambda r: r.no_homework),
    ("Пос", 3, lambda r: r.no_attendance),
    ("0о%", 3, lambda r: r.no_marks_pct if r.lessons else None),
    ("1о%", 3, lambda r: r.one_mark_pct if r.lessons else None),
    ("Поз", 3, lambda r: r.late),
    ("Зак", 3, lambda r: r.locking_soon),
)
LEGEND = (
    "Ур — уроков; без темы (Тем), без Д/З, без посещаемости (Пос); 0о% и 1о% — учеников "
    "без отметок и с одной; Поз — записано после срока; Зак — незаполненных, "
    "закроются в ближайшие 3 дня."
)
VIEWS = {"courses": "по предметам", "teachers": "по учителям", "classes": "по классам"}


def figure(value: int | float | None, percent: bool) -> Text:
    if value is None:
        return Text(DASH, justify="right", style="dim")
    text = f"{value:.0f}" if percent else str(value)
    style = "bold red" if value and not percent else ""
    if percent and value >= 50:
        style = "bold red"
    return Text(text, justify="right", style=style)


SPAN_KEYS = Binding.Group("Период", compact=True)
"""← and → share one footer label."""


class CompletenessTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Открыть", show=False),
    ]


class CompletenessScreen(ZhurnalScreen):
    """The fill completeness of one class (``class_id``) or of the school (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left,left_square_bracket", "span(-1)", "Пред. период", priority=True, group=SPAN_KEYS
        ),
        Binding(
            "right,right_square_bracket", "span(1)", "След. период", priority=True, group=SPAN_KEYS
        ),
        Binding("p", "pick_span", "Вид периода", show=False),  # named on the span line
        Binding("v", "view", "Вид"),
        Binding("g", "grid", "Журнал"),
        Binding("e", "export", "В файл"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Заполнение журнала"

    class Loaded(Message, bubble=False):
        def __init__(self, serial: int, span: Span, result: Completeness) -> None:
            super().__init__()
            self.serial, self.span, self.result = serial, span, result

    class NoStep(Message, bubble=False):
        """No span that far: ``why`` (from core) for the user."""

        def __init__(self, serial: int, why: str) -> None:
            super().__init__()
            self.serial, self.why = serial, why

    def __init__(self, actor: Actor, class_id: int | None, *, span: Span | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.class_id = class_id
        self.span: Span | None = span  # shown (None: this week, until loaded)
        self._asked: tuple[Span | None, int] = (span, 0)  # the latest request: span, step
        self._serial = 0
        self.view = "courses" if class_id is not None else "classes"
        self.result: Completeness | None = None
        self.shown: list[CompletenessRow] = []

    def compose(self) -> ComposeResult:
        title = "Заполнение журнала" + ("" if self.class_id else ": вся школа")
        yield Static(Content(title), classes="screen-title", id="c-title")
        yield Static("", id="c-span")
        yield CompletenessTable(id="completeness", cursor_type="row", zebra_stripes=True)
        yield Static("", id="c-detail")
        yield Static(LEGEND, id="c-legend", classes="form-hint", markup=False)
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._reload()

    def _reload(self) -> None:
        self._request(self.span, 0)

    def _request(self, span: Span | None, step: int) -> None:
        """Load the span ``step`` spans of its kind from ``span`` (this week if None).
        Steps typed before a load ends add up: ← ← is two weeks back."""
        self._asked = (span, step)
        self._serial += 1
        self.query_one(DataTable).loading = True
        self._load(self._serial, span, step)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, serial: int, span: Span | None, step: int) -> None:
        from zhurnal.core.readmodels import span_choices, step_span, why_no_step
        from zhurnal.core.readmodels.completeness import class_completeness, school_completeness

        db = self.register.database()
        if span is None:
            span = span_choices(db, self.actor, self.register.today(), self.class_id)[0]
        elif step:
            target = step_span(db, self.actor, span, step, self.class_id)
            if target is None:
                self.post_message(self.NoStep(serial, why_no_step(span, step)))
                return
            span = target
        if self.class_id is None:
            result = school_completeness(db, self.actor, span.start, span.end)
        else:
            result = class_completeness(db, self.actor, self.class_id, span.start, span.end)
        self.post_message(self.Loaded(serial, span, result))

    @on(NoStep)
    def _no_step(self, event: CompletenessScreen.NoStep) -> None:
        if event.serial != self._serial:
            return
        self._asked = (self.span, 0)
        self.query_one(DataTable).loading = False
        self.notify(event.why, markup=False)

    @on(Loaded)
    def _loaded(self, event: CompletenessScreen.Loaded) -> None:
        if event.serial != self._serial:
            return  # a later step or pick is on its way
        self.span, self.result, self._asked = event.span, event.result, (event.span, 0)
        self.query_one("#c-title", Static).update(
            Content(f"Заполнение журнала: {event.result.title}")
        )
        self._show_span()
        self._fill()
        self.query_one(DataTable).loading = False

    def _show_span(self) -> None:
        if self.span is None:
            return
        text = f"{self.span.label} · {VIEWS[self.view]} · ← → листать, p — период, v — вид"
        self.query_one("#c-span", Static).update(Content(text))

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    def _rows(self) -> list[CompletenessRow]:
        assert self.result is not None
        if self.view == "teachers":
            return list(self.result.by_teacher)
        if self.view == "classes":
            return list(self.result.by_class)
        return list(self.result.rows)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        names: list[tuple[str, int, str]] = []  # header, width, attribute
        figures_width = sum(w + 2 for _, w, _ in FIGURES)
        room = max(16, self.size.width - figures_width - 4)
        if self.view == "classes":
            names = [("Класс", 6, "class_title"), ("Кл. руководитель", room - 8, "teacher")]
        elif self.view == "teachers":
            names = [("Учитель", room, "teacher")]
        else:
            if self.class_id is None:
                names.append(("Кл.", 4, "class_title"))
            rest = room - sum(w + 2 for _, w, _ in names)
            names += [
                ("Предмет", rest // 2, "subject"),
                ("Учитель", rest - rest // 2 - 2, "teacher"),
            ]
        for header, width, _ in names:
            table.add_column(header, width=max(4, width))
        for header, width, _ in FIGURES:
            table.add_column(header, width=width)
        self.shown = self._rows()
        for n, r in enumerate(self.shown):
            cells = [
                Text(str(getattr(r, attr)), no_wrap=True, overflow="ellipsis")
                for _, _, attr in names
            ]
            cells += [figure(get(r), h.endswith("%")) for h, _, get in FIGURES]
            table.add_row(*cells, key=str(n))
        if self.result is not None:
            total = self.result.total
            self.query_one("#c-detail", Static).update(
                Content(
                    f"Всего: уроков {total.lessons}, без темы {total.no_topic}, без Д/З "
                    f"{total.no_homework}, без посещаемости {total.no_attendance}, "
                    f"после срока {total.late}"
                    + (
                        f", итоговых отметок не выставлено в срок {total.period_marks_overdue}"
                        if total.period_marks_overdue
                        else ""
                    )
                )
            )
        if self.shown:
            table.move_cursor(row=max(0, min(row, len(self.shown) - 1)))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        r = self._row(event.row_key.value)
        if r is None:
            return
        if r.course_id is not None and r.first_gap_date is not None:
            text = (
                f"{r.class_title} {r.subject}: первый незаполненный урок "
                f"{r.first_gap_date:%d.%m.%Y} — Enter; g — страница журнала"
            )
        elif r.course_id is not None:
            text = f"{r.class_title} {r.subject}: пропусков нет; g — страница журнала"
        elif self.view == "classes":
            text = f"{r.class_title}: Enter — заполнение класса по предметам"
        else:
            text = f"{r.teacher}: Enter — предметы учителя"
        self.query_one("#c-detail", Static).update(Content(text))

    def _row(self, key: str | None) -> CompletenessRow | None:
        if key is None or not key.isdigit() or int(key) >= len(self.shown):
            return None
        return self.shown[int(key)]

    def _current(self) -> CompletenessRow | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        r = self._row(event.row_key.value)
        if r is None:
            return
        if r.course_id is not None:
            if r.first_gap_lesson_id is not None:
                from zhurnal.tui.screens.lesson import LessonScreen

                self.app.push_screen(LessonScreen(self.actor, r.first_gap_lesson_id), self._back)
            else:
                self.action_grid()
        elif self.view == "classes" and r.class_id is not None:
            self.app.push_screen(CompletenessScreen(self.actor, r.class_id, span=self.span))
        elif self.view == "teachers" and self.result is not None:
            self.view = "courses"
            self._fill()
            mine = [i for i, x in enumerate(self.shown) if x.teacher_id == r.teacher_id]
            if mine:
                self.query_one(DataTable).move_cursor(row=mine[0])

    def _back(self, _: object = None) -> None:
        self._reload()

    def action_span(self, step: int) -> None:
        span, asked = self._asked
        if span is not None:
            self._request(span, asked + step)

    def action_pick_span(self) -> None:
        self._pick_span(self.span)

    @work(thread=True, exit_on_error=False, group="spans")
    def _pick_span(self, around: Span | None) -> None:
        from zhurnal.core.readmodels import span_choices

        db = self.register.database()
        today = self.register.today()
        spans = span_choices(db, self.actor, today, self.class_id, around=around)
        self.app.call_from_thread(self._offer_spans, spans)

    def _offer_spans(self, spans: tuple[Span, ...]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        by_key = {str(i): s for i, s in enumerate(spans)}
        kind = self.span.kind if self.span is not None else None
        mine = next((k for k, s in by_key.items() if s.kind == kind), None)

        def chosen(choice: str | None) -> None:
            if choice in by_key:
                self._request(by_key[choice], 0)

        self.app.push_screen(
            ChoiceModal(
                "Период отчёта",
                [(k, s.choice) for k, s in by_key.items()],
                hint="Enter — показать, Esc — отмена; ← → листают выбранный вид",
                selected=mine,
                list_id="span-kinds",
            ),
            chosen,
        )

    def action_view(self) -> None:
        order = (["classes"] if self.class_id is None else []) + ["courses", "teachers"]
        self.view = order[(order.index(self.view) + 1) % len(order)]
        if self.result is not None:
            self._fill()
            self._show_span()

    def action_grid(self) -> None:
        r = self._current()
        if r is None or r.course_id is None:
            self.notify("Выберите строку предмета.", markup=False)
            return
        from zhurnal.tui.screens.grid import GridScreen

        period_id = self.span.period_id if self.span is not None else None
        self.app.push_screen(GridScreen(self.actor, r.course_id, period_id), self._back)

    def action_export(self) -> None:
        if self.result is None:
            return
        from zhurnal.core.reports.completeness import completeness_report
        from zhurnal.tui.widgets.export import ExportModal

        report = completeness_report(self.result, self.view)
        self.app.push_screen(ExportModal(report, self.register.today()))

    def action_back(self) -> None:
        self.dismiss()
