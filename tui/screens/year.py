"""«Учебный год»: the year, its periods, holidays and bells, set up by the administrator or
the deputy [004 §5 «Администратор», «Заместитель директора»].

| Key | Action |
| :- | :- |
| 1 / 2 / 3 | periods / holidays / bells |
| n | add a period or a holiday (on «Звонки»: edit the bells) |
| e / enter | change the highlighted one |
| d | remove the highlighted one |
| b | the bell schedule |
| y | a new school year |
| u | correct this year's name or dates |
| c | make another year current |
| escape | back |

Every check — dates inside the year, periods of a scheme never overlapping, what depends
on a period or a holiday already — is made by :mod:`zhurnal.core.services`; a refusal is
shown in the form, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from zhurnal.tui.errors import show_refusal
from zhurnal.tui.screens.setup_base import SetupScreen
from zhurnal.tui.widgets.footer import RegisterFooter
from zhurnal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels.year_setup import HolidayRow, PeriodRow, YearSetup
    from zhurnal.tui.widgets.form import Values

TYPICAL_BELLS = (
    "1 08:30-09:15\n2 09:25-10:10\n3 10:30-11:15\n4 11:35-12:20\n"
    "5 12:30-13:15\n6 13:25-14:10\n7 14:20-15:05\n"
)
SCHEME_CHOICES = (("quarters", "четверти"), ("halves", "полугодия"))
KIND_CHOICES = (
    ("term", "четверть / полугодие"),
    ("year", "год (годовые отметки)"),
    ("exam", "экзамены"),
    ("final", "итоговые"),
)
HOLIDAY_CHOICES = (("vacation", "каникулы"), ("public", "праздник (выходной)"))
PANES = ("periods-pane", "holidays-pane", "bells-pane")


def _d(d: date) -> str:
    return f"{d:%d.%m.%Y}"


def _span_fields(name: str, start: str, end: str) -> list[FormField]:
    """Name, «с» and «по» of a year or a period, as the form shows them."""
    return [
        FormField("name", "Название:", name),
        FormField("start", "С (ДД.ММ.ГГГГ):", start),
        FormField("end", "По (ДД.ММ.ГГГГ):", end),
    ]


def _dates(values: dict[str, str]) -> tuple[date, date]:
    from zhurnal.core.rules import parse_date

    return parse_date(values["start"], "Дата «с»"), parse_date(values["end"], "Дата «по»")


class YearScreen(SetupScreen):
    """The year shown (the current one) with its periods, holidays and bells."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Новый", tooltip="Новый период, каникулы или праздник; звонки"),
        Binding("e", "change", "Изменить", tooltip="Изменить выделенное (или Enter)"),
        Binding("d", "remove", "Удалить"),
        Binding("b", "bells", "Звонки", show=False, tooltip="Изменить расписание звонков"),
        Binding("y", "new_year", "Новый год", tooltip="Новый учебный год"),
        Binding("u", "change_year", "Даты года", show=False, tooltip="Исправить даты года"),
        Binding("c", "current", "Текущий год", show=False, tooltip="Сделать текущим другой год"),
        Binding("1", "pane(0)", "Периоды", show=False),
        Binding("2", "pane(1)", "Каникулы", show=False),
        Binding("3", "pane(2)", "Звонки (таблица)", show=False),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Учебный год"

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.setup: YearSetup | None = None
        self.year_id: int | None = None  # None: the current year
        self.periods: list[PeriodRow] = []

    def compose(self) -> ComposeResult:
        yield Static("Учебный год", classes="screen-title")
        yield Static("", id="year-line")
        with TabbedContent(id="year-tabs"):
            with TabPane("1 Периоды", id=PANES[0]):
                yield DataTable(id="year-periods", cursor_type="row", zebra_stripes=True)
            with TabPane("2 Каникулы и праздники", id=PANES[1]):
                yield DataTable(id="year-holidays", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Звонки", id=PANES[2]):
                yield DataTable(id="year-bells", cursor_type="row", zebra_stripes=True)
        yield Static("", id="year-hint", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        rest = max(12, self.size.width - 54)
        columns = {
            "#year-periods": (
                ("Схема", 10),
                ("Период", rest),
                ("С", 10),
                ("По", 10),
                ("Классы", 8),
            ),
            "#year-holidays": (
                ("Название", rest),
                ("С", 10),
                ("По", 10),
                ("Вид", 9),
                ("Классы", 8),
            ),
            "#year-bells": (("Урок", 5), ("Начало", 7), ("Конец", 7)),
        }
        for selector, cols in columns.items():
            table = self.query_one(selector, DataTable)
            for header, width in cols:
                table.add_column(header, width=width)
        self.query_one("#year-periods").focus()
        self.reload()

    def fetch(self, db: Database) -> YearSetup:
        from zhurnal.core.readmodels import year_setup

        return year_setup(db, self.actor, self.year_id)

    def show(self, data: YearSetup) -> None:
        from zhurnal.core.readmodels.year_setup import HOLIDAY_KIND_NAMES, grades_label

        setup = self.setup = data
        year = setup.year
        line = self.query_one("#year-line", Static)
        if year is None:
            line.update("Учебного года ещё нет: y — создать (название, даты начала и конца).")
        else:
            state = "текущий" if year.is_current else "не текущий"
            state += ", закрыт" if year.closed else ""
            line.update(Content(f"{year.name} ({state}): {_d(year.start)} – {_d(year.end)}"))
        self.periods = [p for scheme in setup.schemes for p in scheme.periods]
        grades = {s.scheme: s.grades_text for s in setup.schemes}
        names = {s.scheme: s.name for s in setup.schemes}
        self._fill(
            "#year-periods",
            [
                (names[p.scheme], p.name, _d(p.start), _d(p.end), grades[p.scheme])
                for p in self.periods
            ],
        )
        self._fill(
            "#year-holidays",
            [
                (h.name, _d(h.start), _d(h.end), HOLIDAY_KIND_NAMES[h.kind], grades_label(h.grades))
                for h in setup.holidays
            ],
        )
        self._fill(
            "#year-bells",
            [(str(b.number), f"{b.start:%H:%M}", f"{b.end:%H:%M}") for b in setup.bells],
        )
        schemes = ", ".join(f"{s.name} — {s.grades_text}" for s in setup.schemes)
        hint = setup.why_not or (
            "Схему (четверти или полугодия) выбирают у класса"
            + (f": {schemes}" if schemes else " в «Классы и предметы»")
            + (" (обычно)." if any(s.typical for s in setup.schemes) else ".")
        )
        self.query_one("#year-hint", Static).update(Content(hint))

    def _fill(self, selector: str, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(selector, DataTable)
        row = table.cursor_row
        table.clear()
        for n, cells in enumerate(rows):
            table.add_row(*(Text(c, no_wrap=True, overflow="ellipsis") for c in cells), key=str(n))
        if rows:
            table.move_cursor(row=max(0, min(row, len(rows) - 1)))

    # --- what is highlighted ------------------------------------------------------------

    def _pane(self) -> int:
        return PANES.index(self.query_one(TabbedContent).active or PANES[0])

    def _row(self, selector: str, count: int) -> int | None:
        table = self.query_one(selector, DataTable)
        if not count or table.cursor_row < 0:
            return None
        return min(table.cursor_row, count - 1)

    def _period(self) -> PeriodRow | None:
        n = self._row("#year-periods", len(self.periods))
        return None if n is None else self.periods[n]

    def _holiday(self) -> HolidayRow | None:
        holidays = self.setup.holidays if self.setup else ()
        n = self._row("#year-holidays", len(holidays))
        return None if n is None else holidays[n]

    def _year_id(self) -> int | None:
        if self.setup is None or self.setup.year is None:
            show_refusal(self, "Учебного года ещё нет: сначала создайте его (y).")
            return None
        return self.setup.year.id

    # --- actions --------------------------------------------------------------------------

    def action_pane(self, index: int) -> None:
        self.query_one(TabbedContent).active = PANES[index]
        self.query_one(("#year-periods", "#year-holidays", "#year-bells")[index]).focus()

    @on(DataTable.RowSelected)
    def _selected(self, _: DataTable.RowSelected) -> None:
        self.action_change()

    def action_add(self) -> None:
        pane = self._pane()
        if pane == 2:
            self.action_bells()
            return
        year_id = self._year_id()
        if year_id is None:
            return
        if pane == 0:
            self._period_form(year_id)
        else:
            self._holiday_form(year_id, None)

    def action_change(self) -> None:
        pane = self._pane()
        if pane == 2:
            self.action_bells()
        elif pane == 0 and (period := self._period()) is not None:
            self._change_period(period)
        elif pane == 1 and (holiday := self._holiday()) is not None:
            year_id = self._year_id()
            if year_id is not None:
                self._holiday_form(year_id, holiday)

    def _period_form(self, year_id: int) -> None:
        actor = self.actor
        quarters = [p for p in self.periods if p.scheme == "quarters" and p.kind == "quarter"]

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.readmodels.year_setup import default_period_name, parse_number
            from zhurnal.core.services import school

            scheme = v["scheme"]
            kind = v["kind"]
            if kind == "term":
                kind = "quarter" if scheme == "quarters" else "half"
            number = parse_number(v["number"], "Номер")
            start, end = _dates(v)
            name = v["name"] or default_period_name(kind, number)
            school.add_period(db, actor, year_id, scheme, kind, number, name, start, end)

        self.open_form(
            "Новый учебный период",
            [
                FormField("scheme", "Схема:", "quarters", choices=SCHEME_CHOICES),
                FormField("kind", "Вид:", "term", choices=KIND_CHOICES),
                FormField("number", "Номер:", str(len(quarters) + 1)),
                FormField("name", "Название:", placeholder="пусто — «N четверть»"),
                FormField("start", "С (ДД.ММ.ГГГГ):", placeholder="ДД.ММ.ГГГГ"),
                FormField("end", "По (ДД.ММ.ГГГГ):", placeholder="ДД.ММ.ГГГГ"),
            ],
            save,
            note="Классы: по схеме, выбранной у класса (обычно четверти 1–9, полугодия 10–11).",
        )

    def _change_period(self, period: PeriodRow) -> None:
        actor = self.actor

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.services import year_setup

            start, end = _dates(v)
            year_setup.change_period(db, actor, period.id, v["name"], start, end)

        self.open_form(
            f"Период «{period.name}»",
            _span_fields(period.name, _d(period.start), _d(period.end)),
            save,
            note=period.in_use,
        )

    def _holiday_form(self, year_id: int, holiday: HolidayRow | None) -> None:
        actor = self.actor

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.readmodels.year_setup import parse_grades_text
            from zhurnal.core.services import school, year_setup

            start, end = _dates(v)
            grades = parse_grades_text(v["grades"])
            if holiday is None:
                school.add_holiday(db, actor, year_id, v["name"], start, end, v["kind"], grades)
            else:
                year_setup.change_holiday(
                    db, actor, holiday.id, v["name"], start, end, v["kind"], grades
                )

        h = holiday
        self.open_form(
            "Новые каникулы или праздник" if h is None else f"«{h.name}»",
            [
                FormField(
                    "name",
                    "Название:",
                    h.name if h else "",
                    placeholder="например, Осенние каникулы",
                ),
                FormField("start", "С (ДД.ММ.ГГГГ):", _d(h.start) if h else ""),
                FormField("end", "По (ДД.ММ.ГГГГ):", _d(h.end) if h else ""),
                FormField("kind", "Вид:", h.kind if h else "vacation", choices=HOLIDAY_CHOICES),
                FormField(
                    "grades", "Классы:", h.grades if h else "", placeholder="пусто — все; 1 или 2-9"
                ),
            ],
            save,
        )

    def action_remove(self) -> None:
        pane = self._pane()
        actor = self.actor
        if pane == 0 and (period := self._period()) is not None:
            pid = period.id

            def call(db: Database) -> None:
                from zhurnal.core.services.year_setup import remove_period

                remove_period(db, actor, pid)

            self._confirm(f"Удалить период «{period.name}»?", call)
        elif pane == 1 and (holiday := self._holiday()) is not None:
            hid = holiday.id

            def call(db: Database) -> None:
                from zhurnal.core.services.year_setup import remove_holiday

                remove_holiday(db, actor, hid)

            self._confirm(f"Удалить «{holiday.name}»?", call)

    def _confirm(self, question: str, call: Callable[[Database], None]) -> None:
        from zhurnal.tui.widgets.dialogs import QuestionModal

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.run_call(call)

        self.app.push_screen(
            QuestionModal(question, [("yes", "Удалить"), ("no", "Отмена")], title="Учебный год"),
            answered,
        )

    def action_bells(self) -> None:
        actor = self.actor
        bells = self.setup.bells if self.setup else ()
        text = "".join(f"{b.number} {b.start:%H:%M}-{b.end:%H:%M}\n" for b in bells)

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.readmodels.year_setup import parse_bells_text
            from zhurnal.core.services import school

            school.set_bells(db, actor, parse_bells_text(v["bells"]))

        self.open_form(
            "Расписание звонков",
            [
                FormField(
                    "bells",
                    "По уроку в строке: номер, начало-конец",
                    text or TYPICAL_BELLS,
                    lines=True,
                )
            ],
            save,
            note="" if bells else "Это обычное расписание: исправьте его под свою школу.",
        )

    def action_new_year(self) -> None:
        actor = self.actor
        years = self.setup.years if self.setup else ()
        today = self.register.today()
        y = years[0].end.year if years else (today.year if today.month >= 6 else today.year - 1)

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.services import school

            start, end = _dates(v)
            school.create_year(db, actor, v["name"], start, end, v["current"] == "yes")

        self.open_form(
            "Новый учебный год",
            [
                *_span_fields(f"{y}/{y + 1}", f"01.09.{y}", f"31.05.{y + 1}"),
                FormField("current", "Текущий:", "yes", choices=(("yes", "да"), ("no", "нет"))),
            ],
            save,
        )

    def action_change_year(self) -> None:
        actor = self.actor
        year = self.setup.year if self.setup else None
        if year is None:
            self._year_id()
            return

        def save(db: Database, v: Values) -> None:
            from zhurnal.core.services import year_setup

            start, end = _dates(v)
            year_setup.change_year(
                db, actor, year.id, v["name"], start, end, expected_version=year.version
            )

        self.open_form(
            f"Учебный год {year.name}",
            _span_fields(year.name, _d(year.start), _d(year.end)),
            save,
        )

    def action_current(self) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        years = self.setup.years if self.setup else ()
        if not years:
            self._year_id()
            return
        actor = self.actor

        def chosen(key: str | None) -> None:
            if key is None:
                return
            year_id = int(key)

            def call(db: Database) -> None:
                from zhurnal.core.services.year_setup import set_current_year

                set_current_year(db, actor, year_id)

            self.year_id = None
            self.run_call(call)

        options = [
            (
                str(y.id),
                f"{y.name}: {_d(y.start)} – {_d(y.end)}" + (" (текущий)" if y.is_current else ""),
            )
            for y in years
        ]
        self.app.push_screen(
            ChoiceModal(
                "Сделать текущим учебный год", options, hint="Enter — сделать текущим, Esc — отмена"
            ),
            chosen,
        )
