"""«Сохранить отчёт»: a report shown on screen, written as CSV, XLSX or PDF.

| Key | Action |
| :- | :- |
| ↑ ↓ | format |
| tab | the file name |
| enter | save |
| escape | cancel |

The file is written on the machine the register runs on (the school's server over
SSH): the dialog says the full path, so the administrator can hand it over.
The writing runs in a worker (:func:`zhurnal.core.reports.writers.write_report`);
a refusal (no such folder, no right to write) is shown in the dialog.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from zhurnal.tui.errors import describe

if TYPE_CHECKING:
    from zhurnal.core.reports.table import Report
    from zhurnal.tui.context import Register

FORMATS = (
    ("xlsx", "XLSX — таблица Excel / LibreOffice"),
    ("pdf", "PDF — для печати и подписи"),
    ("csv", "CSV — текст с разделителем «;»"),
)


def default_folder() -> Path:
    """Where reports go unless the user types another path: ``~/Отчёты журнала``."""
    return Path.home() / "Отчёты журнала"


def default_path(report: Report, fmt: str, today: date) -> Path:
    return default_folder() / f"{report.name}-{today:%Y-%m-%d}.{fmt}"


class ExportModal(ModalScreen[Path | None]):
    """Choose a format and a file; returns the written path (None: cancelled)."""

    HELP_TITLE = "Сохранить отчёт"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
        # field the user meant.
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("enter", "save", "Сохранить", priority=True),
    ]
    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > Vertical {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ExportModal OptionList { height: auto; max-height: 5; }
    ExportModal #export-result { height: auto; }
    ExportModal #export-result.error { color: $error; text-style: bold; }
    """

    def __init__(self, report: Report, today: date | None = None) -> None:
        super().__init__()
        self.report = report
        self._today = today
        self.fmt = FORMATS[0][0]
        self._busy = False

    @property
    def today(self) -> date:
        """The day in the default file name: the caller's, else the school's today."""
        return self._today or cast("Register", self.app).today()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(f"Сохранить: {self.report.title}"), classes="form-title")
            yield OptionList(
                *[Option(label, id=key) for key, label in FORMATS], id="formats", compact=True
            )
            yield Static("Файл:", classes="form-hint")
            yield Input(str(default_path(self.report, self.fmt, self.today)), id="export-path")
            yield Static(
                "Enter — сохранить, Tab — к имени файла, Esc — отмена", classes="form-hint"
            )
            yield Static("", id="export-result")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted)
    def _format_chosen(self, event: OptionList.OptionHighlighted) -> None:
        fmt = event.option.id or "xlsx"
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value)
        if path.suffix.lstrip(".").lower() in {k for k, _ in FORMATS}:
            path_input.value = str(path.with_suffix(f".{fmt}"))
        self.fmt = fmt

    @on(OptionList.OptionSelected)
    def _format_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_save()

    def action_save(self) -> None:
        from zhurnal.tui.widgets.form import after_pending_keys

        after_pending_keys(self.query("OptionList, Input"), self._save)  # keys typed ahead first

    def _save(self) -> None:
        if self._busy:
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._show("Укажите имя файла.", error=True)
            return
        self._busy = True
        self._show("Сохраняю…")
        self._write(Path(raw).expanduser(), self.fmt)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _write(self, path: Path, fmt: str) -> None:
        from zhurnal.core.reports.writers import write_report

        try:
            if path.parent == default_folder():
                path.parent.mkdir(parents=True, exist_ok=True)
            written = write_report(self.report, path, fmt)
        except Exception as error:  # noqa: BLE001 - shown in place; describe() logs it
            self.app.call_from_thread(self._failed, describe(error))
            return
        self.app.call_from_thread(self._written, written)

    def _failed(self, message: str) -> None:
        self._busy = False
        self._show(message, error=True)

    def _written(self, path: Path) -> None:
        self._busy = False
        self.notify(f"Сохранено: {path}", markup=False, timeout=8)
        self.dismiss(path)

    def _show(self, text: str, error: bool = False) -> None:
        result = self.query_one("#export-result", Static)
        result.set_class(error, "error")
        result.update(Content(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
