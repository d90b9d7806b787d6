"""A report on screen: the same :class:`~zhurnal.core.reports.table.Report` the files print.

| Key | Action |
| :- | :- |
| ↑ ↓ ← → | move |
| e | save as CSV, XLSX or PDF |
| r | reload |
| escape | back |

The table is built in a worker by ``load(database) -> Report``; every cell is a
``rich.text.Text`` (names and topics are data, never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
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
    from zhurnal.core.db import Database
    from zhurnal.core.reports.table import Report, ReportColumn, Value

NUMERIC = ("int", "float", "percent")


def cell_text(value: Value, column: ReportColumn) -> Text:
    """A report value as the screen shows it (the files keep the typed value)."""
    if value is None or value == "":
        return Text("—", justify="center", style="dim")
    if isinstance(value, datetime):
        return Text(f"{value:%d.%m.%Y %H:%M}")
    if isinstance(value, date):
        return Text(f"{value:%d.%m.%Y}")
    if column.kind == "percent" and isinstance(value, int | float):
        return Text(f"{value:.0f}%", justify="right")
    if column.kind == "float" and isinstance(value, int | float):
        return Text(f"{value:.2f}", justify="right")
    if column.kind in NUMERIC:
        return Text(str(value), justify="right")
    return Text(str(value), no_wrap=True, overflow="ellipsis")


class ReportTable(DataTable[Text]):
    """The rows of a report."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Открыть", show=False),
    ]


def column_widths(report: Report, width: int) -> list[int]:
    """Dates and numbers keep their width; text columns shrink (not below 8), the
    rightmost first, to fit ``width`` where they can — the rest scrolls sideways."""
    fixed = {"date": 10, "datetime": 16}
    widths = []
    for c in report.columns:
        if c.kind in fixed:
            widths.append(fixed[c.kind])
        elif c.kind in NUMERIC:
            widths.append(max(4, min(len(c.title), c.width)))
        else:
            widths.append(c.width)
    room = width - 2 - 2 * len(widths)
    excess = sum(widths) - room
    # The first columns say what a row is (date, class, subject, student): the text
    # columns on the right give way first, down to 8; the rest scrolls sideways.
    for i in reversed([i for i, c in enumerate(report.columns) if c.kind == "text"]):
        if excess <= 0:
            break
        give = min(excess, max(0, widths[i] - 8))
        widths[i] -= give
        excess -= give
    return widths


def fill_table(table: DataTable[Text], report: Report, width: int) -> None:
    """The report's columns and rows (see :func:`column_widths`)."""
    table.clear(columns=True)
    for i, (column, w) in enumerate(zip(report.columns, column_widths(report, width), strict=True)):
        table.add_column(column.title, key=str(i), width=w)
    for n, row in enumerate(report.rows):
        table.add_row(
            *(cell_text(v, c) for v, c in zip(row, report.columns, strict=True)), key=str(n)
        )


class ReportScreen(ZhurnalScreen):
    """A titled report with export; ``on_open(row_index)`` (optional) drills into a row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Сохранить в файл"),
        Binding("r", "reload", "Обновить"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Отчёт"

    class Loaded(Message, bubble=False):
        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    def __init__(
        self,
        title: str,
        load: Callable[[Database], Report],
        *,
        on_open: Callable[[Report, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.on_open = on_open
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title_text), classes="screen-title", id="report-title")
        yield Static("", id="report-subtitle")
        yield ReportTable(id="report", cursor_type="row", zebra_stripes=True)
        yield Static("", id="report-row")
        yield Static("", id="report-footer", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one(DataTable).loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.load(self.register.database())))

    @on(Loaded)
    def _loaded(self, event: ReportScreen.Loaded) -> None:
        self.report = event.report
        table = self.query_one(DataTable)
        fill_table(table, event.report, self.size.width)
        table.loading = False
        self.query_one("#report-title", Static).update(Content(event.report.title))
        self.query_one("#report-subtitle", Static).update(Content("\n".join(event.report.subtitle)))
        lines = list(event.report.footer) or []
        if not event.report.rows:
            lines.insert(0, "Записей нет.")
        self.query_one("#report-footer", Static).update(Content("\n".join(lines)))

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole highlighted row, wrapped: at 80 columns the table cuts it."""
        report, key = self.report, event.row_key.value
        if report is None or key is None or int(key) >= len(report.rows):
            return
        row = report.rows[int(key)]
        parts = [
            f"{c.title}: {cell_text(v, c).plain.strip()}"
            for c, v in zip(report.columns, row, strict=True)
            if v not in (None, "")
        ]
        self.query_one("#report-row", Static).update(Content(" · ".join(parts)))

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if self.on_open is not None and self.report is not None and event.row_key.value:
            self.on_open(self.report, int(event.row_key.value))

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Отчёт ещё загружается.", markup=False)
            return
        from zhurnal.tui.widgets.export import ExportModal

        self.app.push_screen(ExportModal(self.report, self.register.today()))

    def action_back(self) -> None:
        self.dismiss()
