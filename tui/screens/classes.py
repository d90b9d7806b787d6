"""«Классы и предметы»: the school's subjects and the classes of the year with their
class teachers [004 §5 «Заместитель директора»].

| Key | Action |
| :- | :- |
| tab | the other list (subjects / classes) |
| n | add a subject or a class (to the list in focus) |
| r | rename the highlighted subject |
| k | the highlighted class's class teacher |
| enter | the class's subjects and teachers («Предметы классов и нагрузка») |
| escape | back |

A new class is typed as people write it («5А»), with its scheme of periods (четверти
or полугодия) and its class teacher picked from the school's teachers.  Every decision
— a duplicate subject or class, a class teacher who is not an active teacher — is made
by the core; the form shows the refusal and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from zhurnal.core.readmodels.audit_text import short_name
from zhurnal.tui.screens.setup_base import Outcome, SetupScreen
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.catalog import ClassRow, SubjectRow, TeacherRef, YearRef
    from zhurnal.tui.widgets.form import Values

NO_TEACHER = ("", "— не назначен —")
SCHEMES = (("quarters", "четверти"), ("halves", "полугодия"))


@dataclass(frozen=True)
class Catalog:
    year: YearRef | None
    subjects: tuple[SubjectRow, ...]
    classes: tuple[ClassRow, ...]
    teachers: tuple[TeacherRef, ...]


def load_catalog(db: Database, actor: Actor) -> Catalog:
    from zhurnal.core.readmodels.catalog import (
        active_teachers,
        class_rows,
        setup_year,
        subject_rows,
    )

    year = setup_year(db, actor)
    classes = class_rows(db, actor, year.id) if year else ()
    return Catalog(year, subject_rows(db, actor), classes, active_teachers(db, actor))


def teacher_choices(teachers: tuple[TeacherRef, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((str(t.id), f"{t.full_name} ({t.login})") for t in teachers)


class SubjectsTable(DataTable[Text]):
    pass


class ClassesTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Предметы класса", show=False),
    ]


class ClassesScreen(SetupScreen):
    """The subjects and the classes of the current year."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Добавить"),
        Binding("r", "rename", "Переименовать", show=False),
        Binding("k", "class_teacher", "Кл. руководитель"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Классы и предметы"
    DEFAULT_CSS = """
    ClassesScreen #catalog { height: 1fr; }
    ClassesScreen #subjects-pane { width: 32; }
    ClassesScreen #classes-pane { width: 1fr; }
    ClassesScreen .pane-title { padding: 0 1; text-style: bold; }
    ClassesScreen DataTable { height: 1fr; }
    """

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.catalog = Catalog(None, (), (), ())

    def compose(self) -> ComposeResult:
        yield Static("Классы и предметы", classes="screen-title")
        with Horizontal(id="catalog"):
            with Vertical(id="subjects-pane"):
                yield Static("Предметы", classes="pane-title")
                yield SubjectsTable(id="subjects", cursor_type="row", zebra_stripes=True)
            with Vertical(id="classes-pane"):
                yield Static("Классы", id="classes-title", classes="pane-title")
                yield ClassesTable(id="classes", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Tab — другой список; n — добавить, r — переименовать предмет, "
            "k — классный руководитель, Enter — предметы и учителя класса.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        subjects = self.query_one(SubjectsTable)
        subjects.add_column("Предмет", width=20)
        subjects.add_column("Кл.", width=4)
        classes = self.query_one(ClassesTable)
        rest = max(14, self.size.width - 32 - 28)
        for header, width in (("Класс", 5), ("Периоды", 9), ("Кл. руководитель", rest), ("Уч.", 4)):
            classes.add_column(header, width=width)
        classes.focus()
        self.reload()

    def fetch(self, db: Database) -> Catalog:
        return load_catalog(db, self.actor)

    def show(self, data: Catalog) -> None:
        self.catalog = c = data
        year = f"Классы {c.year.name}" if c.year else "Классы: учебный год не задан"
        self.query_one("#classes-title", Static).update(Content(year))
        self._fill(self.query_one(SubjectsTable), [(s.name, str(s.courses)) for s in c.subjects])
        self._fill(
            self.query_one(ClassesTable),
            [
                (k.title, k.scheme_name, short_name(k.class_teacher) or "—", str(k.students))
                for k in c.classes
            ],
        )

    @staticmethod
    def _fill(table: DataTable[Text], rows: list[tuple[str, ...]]) -> None:
        row = table.cursor_row
        table.clear()
        for n, cells in enumerate(rows):
            table.add_row(*(Text(x, no_wrap=True, overflow="ellipsis") for x in cells), key=str(n))
        if rows:
            table.move_cursor(row=max(0, min(row, len(rows) - 1)))

    def _subject(self) -> SubjectRow | None:
        table, rows = self.query_one(SubjectsTable), self.catalog.subjects
        return rows[min(table.cursor_row, len(rows) - 1)] if rows else None

    def _class(self) -> ClassRow | None:
        table, rows = self.query_one(ClassesTable), self.catalog.classes
        return rows[min(table.cursor_row, len(rows) - 1)] if rows else None

    # --- actions ----------------------------------------------------------------------

    def action_new(self) -> None:
        if self.query_one(SubjectsTable).has_focus:
            self._new_subject()
        else:
            self._new_class()

    def _new_subject(self) -> None:
        actor = self.actor

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.services.school import add_subject

            made = add_subject(db, actor, v["name"], v["short"])
            return f"Предмет «{made.name}» добавлен.", []

        fields = [
            FormField("name", "Название предмета:", placeholder="Математика"),
            FormField("short", "Краткое название (необязательно):", placeholder="Мат"),
        ]
        self.open_form("Новый предмет", fields, call)

    def _new_class(self) -> None:
        year, actor = self.catalog.year, self.actor
        if year is None:
            self.notify("Сначала задайте учебный год.", severity="error", markup=False)
            return

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.context import parse_class_title
            from zhurnal.core.errors import ValidationError
            from zhurnal.core.services.school import create_class

            parsed = parse_class_title(v["title"])
            if parsed is None:
                raise ValidationError(
                    f"Класс «{v['title']}»: введите параллель и литеру, например 5А."
                )
            teacher = int(v["teacher"]) if v["teacher"] else None
            made = create_class(db, actor, year.id, parsed[0], parsed[1], teacher, v["scheme"])
            return f"Класс {made.title} добавлен в {year.name}.", []

        fields = [
            FormField("title", "Класс (параллель и литера):", placeholder="5А"),
            FormField("scheme", "Оценивание по:", "quarters", choices=SCHEMES),
            FormField(
                "teacher",
                "Классный руководитель:",
                choices=(NO_TEACHER, *teacher_choices(self.catalog.teachers)),
            ),
        ]
        self.open_form(f"Новый класс, {year.name}", fields, call)

    def action_rename(self) -> None:
        subject, actor = self._subject(), self.actor
        if subject is None:
            return

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.services.courses import rename_subject

            made = rename_subject(db, actor, subject.id, v["name"], v["short"])
            return f"Предмет «{subject.name}» теперь называется «{made.name}».", []

        fields = [
            FormField("name", "Название предмета:", subject.name),
            FormField("short", "Краткое название:", subject.short),
        ]
        self.open_form(f"Переименовать: {subject.name}", fields, call)

    def action_class_teacher(self) -> None:
        klass, actor = self._class(), self.actor
        if klass is None:
            return

        def call(db: Database, v: Values) -> Outcome:
            from zhurnal.core.services.school import set_class_teacher

            teacher = int(v["teacher"]) if v["teacher"] else None
            set_class_teacher(db, actor, klass.id, teacher, expected_version=klass.version)
            names = {str(t.id): t.full_name for t in self.catalog.teachers}
            who = names.get(v["teacher"], "не назначен")
            return f"{klass.title}: классный руководитель — {who}.", []

        current = str(klass.class_teacher_id) if klass.class_teacher_id else ""
        choices = (NO_TEACHER, *teacher_choices(self.catalog.teachers))
        fields = [FormField("teacher", "Классный руководитель:", current, choices=choices)]
        self.open_form(f"Классный руководитель {klass.title}", fields, call)

    @on(ClassesTable.RowSelected)
    def _open_class(self) -> None:
        klass = self._class()
        if klass is None:
            return
        from zhurnal.tui.screens.courses import CoursesScreen

        self.app.push_screen(CoursesScreen(self.actor, class_id=klass.id))
