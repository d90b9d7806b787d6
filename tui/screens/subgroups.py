"""«Подгруппы»: which pupil of a class is in which subgroup of a subject, from a date
[004 §5 «Заместитель директора»: «в начале каждого учебного периода … проводит
разделение классов на подгруппы»].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| 1–9 | put the pupil into that group (and move down) |
| 0 | the pupil in no group |
| f | the date the split applies from |
| escape | back |

Each key is saved at once, from the date shown (today by default; the start of a term
for a new split): a pupil moved to another group leaves the old one the day before, so
the marks already in the old group's register stay there (``core.services.subgroups``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.setup_base import SetupScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.catalog import SubgroupSplit

NO_GROUP = "— нет —"


class PupilsTable(DataTable[Text]):
    pass


class SubgroupsScreen(SetupScreen):
    """The pupils of a class with their subgroup of one subject on a date."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "group(1)", "В группу 1–9", key_display="1–9"),
        *(Binding(str(n), f"group({n})", "", show=False) for n in range(2, 10)),
        Binding("0", "group(0)", "Без группы"),
        Binding("f", "date", "С даты"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Подгруппы"
    DEFAULT_CSS = """
    SubgroupsScreen #split-groups { padding: 0 1; }
    SubgroupsScreen PupilsTable { height: 1fr; }
    """

    def __init__(self, actor: Actor, class_id: int, subject_id: int) -> None:
        super().__init__(actor)
        self.class_id, self.subject_id = class_id, subject_id
        self.day: date | None = None
        self.split: SubgroupSplit | None = None

    def compose(self) -> ComposeResult:
        yield Static("Подгруппы", id="split-title", classes="screen-title")
        yield Static("", id="split-groups")
        yield PupilsTable(id="pupils", cursor_type="row", zebra_stripes=True)
        yield Static("", id="split-summary", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.day = self.register.today()
        table = self.query_one(PupilsTable)
        table.add_column("№", width=3)
        table.add_column("Ученик", width=max(20, self.size.width - 30))
        table.add_column("Группа", width=12)
        table.focus()
        self.reload()

    def fetch(self, db: Database) -> SubgroupSplit:
        from zhurnal.core.readmodels.catalog import subgroup_split

        day = self.day or self.register.today()
        return subgroup_split(db, self.actor, self.class_id, self.subject_id, day)

    def show(self, data: SubgroupSplit) -> None:
        self.split = split = data
        self.query_one("#split-title", Static).update(
            Content(f"Подгруппы: {split.class_title}, {split.subject} — с {split.day:%d.%m.%Y}")
        )
        groups = "; ".join(
            f"{n} — {g.subgroup} ({g.teacher})" for n, g in enumerate(split.groups, 1)
        )
        self.query_one("#split-groups", Static).update(
            Content(groups or "У предмета нет подгрупп: добавьте предметы класса «1 гр.», «2 гр.».")
        )
        names = {g.course_id: g.subgroup for g in split.groups}
        table = self.query_one(PupilsTable)
        row = table.cursor_row
        table.clear()
        for n, p in enumerate(split.pupils, 1):
            group = names.get(p.course_id or 0, NO_GROUP)
            table.add_row(
                Text(str(n), justify="right"),
                Text(p.name, no_wrap=True, overflow="ellipsis"),
                Text(group, style="" if p.course_id else "dim"),
                key=str(n),
            )
        if split.pupils:
            table.move_cursor(row=max(0, min(row, len(split.pupils) - 1)))
        counts = [
            f"{g.subgroup}: {sum(p.course_id == g.course_id for p in split.pupils)}"
            for g in split.groups
        ]
        none = sum(p.course_id is None for p in split.pupils)
        counts.append(f"без группы: {none}")
        self.query_one("#split-summary", Static).update(Content(", ".join(counts)))

    def action_group(self, number: int) -> None:
        split = self.split
        table = self.query_one(PupilsTable)
        if split is None or not split.pupils or split.day is None:
            return
        if number > len(split.groups):
            show_refusal(
                self, f"Групп у предмета {len(split.groups)}: нажмите 1–{len(split.groups)} или 0."
            )
            return
        pupil = split.pupils[min(max(table.cursor_row, 0), len(split.pupils) - 1)]
        target = split.groups[number - 1].course_id if number else None
        table.move_cursor(row=table.cursor_row + 1)
        actor, class_id, subject_id, day = self.actor, self.class_id, self.subject_id, split.day

        def save(db: Database) -> None:
            from zhurnal.core.services.subgroups import set_subgroups

            set_subgroups(db, actor, class_id, subject_id, {pupil.student_id: target}, day)

        self.run_call(save)

    def action_date(self) -> None:
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def entered(text: str | None) -> None:
            if not text:
                return
            from zhurnal.core.errors import DomainError
            from zhurnal.core.rules import parse_date

            try:
                self.day = parse_date(text, "С даты")
            except DomainError as error:
                show_refusal(self, error.message)
                return
            self.reload()

        shown = f"{self.day:%d.%m.%Y}" if self.day else ""
        self.app.push_screen(
            TextPrompt(
                "Деление на подгруппы с даты (ДД.ММ.ГГГГ)",
                shown,
                hint="Обычно — первый день четверти или полугодия. Enter — готово, Esc — отмена",
            ),
            entered,
        )
