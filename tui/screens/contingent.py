"""«Контингент»: a class's list and the movement of students, as the secretary keeps
them [004 §5 «Секретарь»; 000 §5.2.1].

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| pageup / pagedown | previous / next class |
| k | a class from the list |
| i | import a class list from a CSV or XLSX file (all rows or none) |
| a | arrival of one student by an order |
| d | departure of the highlighted student: date, order, reason |
| t | transfer of the highlighted student to another class |
| escape | back |

Nothing is ever deleted: a student who left stays on the list, dimmed, with the date and
the order, and leaves the grids from that date.  A list with a bad row (a duplicate, an
impossible date, an unknown class) is refused whole, every such row named by its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from zhurnal.core.rules import fmt_date
from zhurnal.tui.screens.setup_base import (
    ClassStepScreen,
    Outcome,
    read_date,
    read_file,
    read_required,
)
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.class_roster import ClassRoster, RosterLine
    from zhurnal.tui.widgets.form import Values


def line_details(x: RosterLine) -> str:
    text = f"{x.full_name}: в классе с {fmt_date(x.start)}, {x.order_in or 'приказ не указан'}"
    if x.left_on:
        text += f"; нет в классе с {fmt_date(x.left_on)}, {x.order_out} ({x.out_reason})"
    return text


class RosterTable(DataTable[Text]):
    pass


class ContingentScreen(ClassStepScreen):
    """One class's pupils, current and departed, and the orders that moved them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_list", "Список", tooltip="Загрузить список класса из файла"),
        Binding("a", "arrive", "Прибытие"),
        Binding("d", "leave", "Выбытие"),
        Binding("t", "transfer", "Перевод"),
    ]
    HELP_TITLE = "Контингент"

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.roster: ClassRoster | None = None

    def compose(self) -> ComposeResult:
        yield Static("Контингент", classes="screen-title")
        yield Static("", id="roster-title", markup=False)
        yield RosterTable(id="roster", cursor_type="row", zebra_stripes=True)
        yield Static("", id="roster-line", markup=False)
        yield Static(
            "i — список из файла, a — прибытие, d — выбытие, t — перевод, PgUp/PgDn или k — класс",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(RosterTable)
        rest = max(16, self.size.width - 49)
        for header, width in (("№", 3), ("ФИО", rest), ("Рожд.", 10), ("С", 10), ("Выбыл(а)", 12)):
            table.add_column(header, width=width)
        table.focus()
        self.reload()

    def fetch(self, db: Database) -> ClassRoster | None:
        from zhurnal.core.readmodels.class_roster import class_roster

        self.load_classes(db)
        class_id = self.class_id
        return class_roster(db, self.actor, class_id) if class_id else None

    def show(self, data: ClassRoster | None) -> None:
        self.roster = roster = data
        table = self.query_one(RosterTable)
        row = table.cursor_row
        table.clear()
        title = self.query_one("#roster-title", Static)
        if roster is None:
            title.update("Классов в текущем учебном году нет.")
            return
        self.class_id = roster.class_id
        title.update(f"{roster.title}: {roster.current} уч. на {fmt_date(roster.day)}")
        n = 0
        for x in roster.lines:
            here = x.current(roster.day)
            n += here
            style = "" if here else "dim"
            table.add_row(
                Text(str(n) if here else ""),
                Text(x.full_name, style=style, no_wrap=True, overflow="ellipsis"),
                Text(fmt_date(x.birth_date) if x.birth_date else "—", style=style),
                Text(fmt_date(x.start), style=style),
                Text(f"с {fmt_date(x.left_on)}" if x.left_on else "", style=style),
            )
        if roster.lines:
            table.move_cursor(row=max(0, min(row, len(roster.lines) - 1)))
        self._show_line()

    def _current(self) -> RosterLine | None:
        table = self.query_one(RosterTable)
        if self.roster is None or not self.roster.lines or table.cursor_row < 0:
            return None
        return self.roster.lines[min(table.cursor_row, len(self.roster.lines) - 1)]

    @on(DataTable.RowHighlighted)
    def _show_line(self) -> None:
        x = self._current()
        self.query_one("#roster-line", Static).update(Content(line_details(x) if x else ""))

    # --- the list from a file, one arrival ---------------------------------------------

    def action_import_list(self) -> None:
        fields = [
            FormField("path", "Файл на сервере (CSV или XLSX):", read=read_required("Файл")),
            FormField("order", "Приказ о зачислении:", placeholder="Приказ № 12-у от 20.11.2026"),
            FormField(
                "start", "Дата зачисления (пусто — сегодня):", read=read_date("С", optional=True)
            ),
            FormField("klass", "Класс (пусто — из столбца «Класс» файла):", self.class_title),
        ]
        actor = self.actor

        def load(db: Database, values: Values) -> Outcome:
            from zhurnal.core.roster_file import read_roster
            from zhurnal.core.services.class_lists import import_class_list

            roster = read_roster(read_file(values["path"]), values["path"])
            result = import_class_list(
                db, actor, roster.rows, values["order"], values["start"], values["klass"],
                roster.errors,
            )  # fmt: skip
            if result.ok:
                return f"Зачислено учеников: {result.imported}.", []
            return (
                "Загрузка отменена: ни один ученик не зачислен. "
                f"Отклонено строк: {len(result.refused)}.",
                [f"Строка {line}: {why}" for line, why in result.refused],
            )

        self.open_form("Список класса из файла", fields, load)

    def action_arrive(self) -> None:
        title = self.class_title
        if not title:
            return
        today = fmt_date(self.register.today())
        fields = [
            FormField("name", "Фамилия Имя Отчество:", read=read_required("ФИО")),
            FormField("birth", "Дата рождения (ДД.ММ.ГГГГ):", read=read_required("Дата рождения")),
            FormField("start", "В классе с (ДД.ММ.ГГГГ):", today, read=read_date("С")),
            FormField("order", "Приказ о зачислении:", placeholder="Приказ № 12-у от 20.11.2026"),
        ]
        actor = self.actor

        def arrive(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.class_lists import arrive

            arrive(
                db, actor, values["name"], values["birth"], title, values["order"],
                values["start"],
            )  # fmt: skip
            return f"Зачислен(а) в {title} с {fmt_date(values['start'])}: {values['name']}.", []

        self.open_form(f"Прибытие в {title}", fields, arrive)

    # --- departure and transfer of the highlighted student -------------------------------

    def _movable(self) -> RosterLine | None:
        x = self._current()
        if x is not None and x.left_on is not None:
            self.notify(
                f"{x.full_name}: выбытие из класса уже оформлено (с {fmt_date(x.left_on)}).",
                markup=False,
            )
            return None
        return x

    def action_leave(self) -> None:
        x = self._movable()
        if x is None:
            return
        fields = [
            self._day_field("Нет в классе с (ДД.ММ.ГГГГ):"),
            FormField("order", "Приказ о выбытии:", placeholder="Приказ № 15-у от 01.12.2026"),
            FormField("reason", "Причина:", placeholder="переезд"),
        ]
        actor = self.actor

        def leave(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.contingent import leave

            leave(db, actor, x.student_id, values["day"], values["order"], values["reason"])
            return f"Выбытие оформлено: {x.full_name}, с {fmt_date(values['day'])}.", []

        note = "Ученик остаётся в истории класса и уходит из журнала с этой даты."
        self.open_form(f"Выбытие: {x.full_name}", fields, leave, note=note)

    def _day_field(self, label: str) -> FormField:
        return FormField("day", label, fmt_date(self.register.today()), read=read_date("С"))

    def action_transfer(self) -> None:
        x = self._movable()
        if x is None:
            return
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        others = {str(k.id): k.title for k in self.class_refs if k.id != self.class_id}
        self.ask(
            ChoiceModal(
                f"Перевод: {x.full_name} — в какой класс?",
                list(others.items()),
                hint="Enter — выбрать, Esc — отмена",
            ),
            lambda key: self._transfer_form(x, int(key), others[key]),
        )

    def _transfer_form(self, x: RosterLine, class_id: int, title: str) -> None:
        fields = [
            self._day_field(f"В {title} с (ДД.ММ.ГГГГ):"),
            FormField("order", "Приказ о переводе:", placeholder="Приказ № 16-у от 01.12.2026"),
        ]
        actor = self.actor

        def transfer(db: Database, values: Values) -> Outcome:
            from zhurnal.core.services.contingent import transfer

            transfer(db, actor, x.student_id, class_id, values["day"], values["order"])
            return f"Переведён(а) в {title} с {fmt_date(values['day'])}: {x.full_name}.", []

        self.open_form(f"Перевод в {title}: {x.full_name}", fields, transfer)
