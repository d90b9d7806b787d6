"""«КТП»: a course's calendar-thematic plan loaded from a file [004 §5
«Учитель-предметник», «Заместитель директора»].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter / i | load the highlighted course's КТП from a CSV or XLSX file |
| escape | back |

The file («тема;часы» rows, or an XLSX sheet «тема», «часы») is read and checked first:
a row that cannot be read is named by its line and nothing is loaded.  Then the hours
are compared with the curriculum: when they differ, the question says by how much, and
the plan is loaded only on the explicit «Загрузить всё же» (as ``--allow-mismatch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from zhurnal.tui.screens.setup_base import Outcome, SetupScreen, read_file, read_required
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField, FormModal

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.services.plan_preview import PlanCourse, PlanPreview
    from zhurnal.tui.widgets.form import Values

    Preview = tuple[PlanPreview, list[tuple[str, int]]]


class PlanTable(DataTable[Text]):
    pass


class PlanImportScreen(SetupScreen):
    """The courses whose КТП the user may load, with the hours so far and expected."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "load_plan", "Загрузить КТП"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "КТП"

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.courses: tuple[PlanCourse, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("КТП: календарно-тематические планы", classes="screen-title")
        yield PlanTable(id="plans", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Enter — загрузить КТП предмета из файла CSV («тема;часы») или XLSX.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(PlanTable)
        rest = max(14, self.size.width - 58)
        for header, width in (
            ("Класс", 5),
            ("Предмет", rest),
            ("Учитель", 20),
            ("КТП", 13),
            ("План", 6),
        ):
            table.add_column(header, width=width)
        table.focus()
        self.reload()

    def fetch(self, db: Database) -> tuple[PlanCourse, ...]:
        from zhurnal.core.services.plan_preview import plan_courses

        return plan_courses(db, self.actor)

    def show(self, data: tuple[PlanCourse, ...]) -> None:
        self.courses = data
        table = self.query_one(PlanTable)
        row = table.cursor_row
        table.clear()
        for c in self.courses:
            group = f" ({c.subgroup})" if c.subgroup else ""
            plan = f"{c.topics} тем, {c.hours} ч" if c.topics else "не загружен"
            table.add_row(
                Text(c.class_title),
                Text(c.subject + group, no_wrap=True, overflow="ellipsis"),
                Text(c.teacher, no_wrap=True, overflow="ellipsis"),
                Text(plan, style="" if c.topics and c.hours == c.expected else "bold"),
                Text(f"{c.expected} ч"),
            )
        if self.courses:
            table.move_cursor(row=max(0, min(row, len(self.courses) - 1)))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_load_plan()

    def action_load_plan(self) -> None:
        table = self.query_one(PlanTable)
        if not self.courses or table.cursor_row < 0:
            return
        course = self.courses[min(table.cursor_row, len(self.courses) - 1)]
        field = FormField(
            "path",
            "Файл на сервере (CSV или XLSX):",
            placeholder="~/КТП/5А математика.xlsx",
            read=read_required("Файл"),
        )
        actor = self.actor

        def preview(db: Database, values: Values) -> Preview:
            """The file read and checked: a bad row is refused in the form."""
            from zhurnal.core.services.plan_preview import plan_preview, read_plan_file

            path = values["path"]
            rows = read_plan_file(read_file(path), path)
            return plan_preview(db, actor, course.id, rows), rows

        form = FormModal(
            f"КТП: {course.title}", [field], preview, note="Прежний КТП будет заменён."
        )
        self.ask(form, lambda found: self._confirm(*found))

    def _confirm(self, preview: PlanPreview, rows: list[tuple[str, int]]) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        what = f"{preview.course.title}: в файле {preview.topics} тем, {preview.hours} ч."
        if preview.mismatch:
            question = f"{what}\n{preview.mismatch}\nЗагрузить план с этим расхождением?"
            answers = [("yes", "Загрузить всё же"), ("no", "Отмена")]
        else:
            question = f"{what} Часы совпадают с учебным планом. Загрузить?"
            answers = [("yes", "Загрузить"), ("no", "Отмена")]
        allow, actor, course_id = bool(preview.mismatch), self.actor, preview.course.id

        def answered(answer: str) -> None:
            if answer != "yes":
                return

            def call(db: Database) -> Outcome:
                from zhurnal.core.services.timetable import import_plan

                count = import_plan(db, actor, course_id, rows, allow_mismatch=allow)
                return f"КТП загружен: {preview.course.title} — тем: {count}.", []

            self.run_call(call)

        self.ask(QuestionModal(question, answers, title="КТП"), answered)
