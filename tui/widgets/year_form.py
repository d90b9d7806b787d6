"""A setup form that stays open until core accepts it (the year, a period, a holiday,
the bells): the fields as typed go to one core call in a worker; a refusal is shown in
the form, under the fields, with everything typed kept, and nothing is written.

| Key | Action |
| :- | :- |
| tab / shift+tab | next / previous field |
| ctrl+s | save |
| escape | cancel |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from zhurnal.tui.errors import describe

if TYPE_CHECKING:
    from zhurnal.core.db import Database
    from zhurnal.tui.context import Register


@dataclass(frozen=True)
class FormField:
    """One field: an input line, a choice (``choices``: (label, value)) or, with
    ``lines``, a few lines of text."""

    key: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    lines: bool = False


Save = Callable[["Database", dict[str, str]], object]
"""Parses the typed values and makes the one core call (in a worker thread); raises the
core's refusal as it is."""


class YearFormModal(ModalScreen[object]):
    """Returns what ``save`` returned (True for None) once core accepted; None if cancelled."""

    HELP_TITLE = "Форма"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена"),
        Binding("tab", "app.focus_next", "Следующее поле", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Предыдущее поле", show=False, priority=True),
        Binding("ctrl+s", "save", "Сохранить", priority=True),
    ]
    DEFAULT_CSS = """
    YearFormModal { align: center middle; }
    YearFormModal > VerticalScroll {
        width: 100%; max-width: 78; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    YearFormModal .field { height: auto; }
    YearFormModal .field-label { width: 17; color: $text-muted; }
    YearFormModal .field Input, YearFormModal .field Select { width: 1fr; }
    YearFormModal TextArea { height: 9; }
    YearFormModal #form-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(self, title: str, fields: list[FormField], save: Save, *, note: str = "") -> None:
        super().__init__()
        self.title_text, self.fields, self.save, self.note = title, fields, save, note

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content(self.title_text), classes="form-title")
            for f in self.fields:
                wid = f"field-{f.key}"
                if f.lines:
                    yield Static(Content(f.label), classes="form-hint")
                    yield TextArea(f.value, id=wid, compact=True, placeholder=f.placeholder)
                    continue
                with Horizontal(classes="field"):
                    yield Static(Content(f.label), classes="field-label")
                    if f.choices:
                        yield Select(
                            f.choices, value=f.value, allow_blank=False, compact=True, id=wid
                        )
                    else:
                        yield Input(f.value, placeholder=f.placeholder, compact=True, id=wid)
            if self.note:
                yield Static(Content(self.note), classes="form-hint")
            yield Static(
                "Ctrl+S — сохранить, Tab — следующее поле, Esc — отмена", classes="form-hint"
            )
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}").focus()

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.key}")
            if isinstance(widget, TextArea):
                out[f.key] = widget.text
            elif isinstance(widget, Select):
                out[f.key] = str(widget.value)
            else:
                out[f.key] = cast(Input, widget).value.strip()
        return out

    def action_save(self) -> None:
        from zhurnal.tui.widgets.fields_form import after_keys

        self.query_one("#form-error", Static).update("")
        fields = [self.query_one(f"#field-{f.key}") for f in self.fields]
        after_keys(fields, lambda: self._save(self.values()))  # keys typed ahead first

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _save(self, values: dict[str, str]) -> None:
        try:
            result = self.save(cast("Register", self.app).database(), values)
        except Exception as error:  # noqa: BLE001 - the refusal is shown as given
            self.app.call_from_thread(self._refused, describe(error))
        else:
            self.app.call_from_thread(self.dismiss, True if result is None else result)

    def _refused(self, text: str) -> None:
        self.query_one("#form-error", Static).update(Content(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
