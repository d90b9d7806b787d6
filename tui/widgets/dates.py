"""«Даты»: a span typed as two dates, either left empty (no bound).

| Key | Action |
| :- | :- |
| tab | next field |
| enter | the second date; on it, apply |
| escape | cancel |

The dates are read by :func:`zhurnal.core.rules.parse_date`; a wrong one is named in
the dialog and nothing changes.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from zhurnal.core.errors import DomainError
from zhurnal.tui.widgets.form import after_pending_keys

Span = tuple[date | None, date | None]


class DatesModal(ModalScreen[Span | None]):
    """Returns (start, end), each None when left empty; None when cancelled."""

    HELP_TITLE = "Даты"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        # Priority, as on the login form: keys typed ahead (an SSH burst) land in the
        # field the user meant.
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("enter", "enter", "Дальше / применить", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    DatesModal { align: center middle; }
    DatesModal > Vertical {
        width: 100%; max-width: 60; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    DatesModal #dates-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self,
        start: date | None,
        end: date | None,
        *,
        title: str = "Даты (ДД.ММ.ГГГГ; пусто — без границы)",
        labels: tuple[str, str] = ("С:", "По:"),
    ) -> None:
        super().__init__()
        self.start, self.end = start, end
        self.title_text, self.labels = title, labels

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="form-title")
            yield Static(Content(self.labels[0]), classes="form-hint")
            yield Input(
                f"{self.start:%d.%m.%Y}" if self.start else "", id="date-from", compact=True
            )
            yield Static(Content(self.labels[1]), classes="form-hint")
            yield Input(f"{self.end:%d.%m.%Y}" if self.end else "", id="date-to", compact=True)
            yield Static("Enter — применить, Esc — отмена", classes="form-hint")
            yield Static("", id="dates-error")

    def action_enter(self) -> None:
        """Enter on the first date: the second (at once: a second Enter typed ahead lands
        there); on the second: apply, once the keys typed ahead are in the fields."""
        if self.focused is self.query_one("#date-from", Input):
            self.set_focus(self.query_one("#date-to", Input))
        else:
            after_pending_keys(self.query(Input), self._apply)

    def _apply(self) -> None:
        from zhurnal.core.rules import parse_date

        try:
            raw_from = self.query_one("#date-from", Input).value.strip()
            raw_to = self.query_one("#date-to", Input).value.strip()
            start = parse_date(raw_from, "Дата «с»") if raw_from else None
            end = parse_date(raw_to, "Дата «по»") if raw_to else None
            if start and end and end < start:
                raise DomainError("Дата «по» раньше даты «с».")
        except DomainError as error:
            self.query_one("#dates-error", Static).update(Content(error.message))
            return
        self.dismiss((start, end))

    def action_cancel(self) -> None:
        self.dismiss(None)
