"""Keys typed ahead over SSH land where the user meant: a form's Ctrl+S (or Enter) is a
priority binding and runs before the fields have handled the keys typed just before it
(``tests.ui.burst`` delivers them all at once, as a fast typist's keys arrive over SSH);
the form must read what was typed — the text and a pick in a list moved with ↓ — not
what was there a moment earlier."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import App
from textual.screen import ModalScreen

from tests.ui import burst, settle
from zhurnal.core.reports.table import Report, ReportColumn
from zhurnal.core.services.corrections import GROUNDS
from zhurnal.tui.widgets.correction_request import CorrectionRequestModal, RequestForm
from zhurnal.tui.widgets.dates import DatesModal
from zhurnal.tui.widgets.export import ExportModal
from zhurnal.tui.widgets.form import FormField, FormModal

DAY = date(2026, 11, 23)


class Host(App[None]):
    """A bare app that shows ``modal`` and keeps what it returned."""

    def __init__(self, modal: ModalScreen[Any]) -> None:
        super().__init__()
        self.modal = modal
        self.result: Any = "not closed"

    def on_mount(self) -> None:
        def done(result: Any) -> None:
            self.result = result

        self.push_screen(self.modal, done)


async def typed(modal: ModalScreen[Any], *keys: str, first: tuple[str, ...] = ()) -> Any:
    """The modal's result after ``keys`` typed at once (``first``: typed before them,
    then a pause — as a user reads a list)."""
    app = Host(modal)
    async with app.run_test(size=(80, 24)) as pilot:
        for burst_of in (first, keys):
            await settle(app, pilot, 1)
            await burst(app, pilot, *burst_of)
        await settle(app, pilot, 3)
    return app.result


async def test_two_enters_accept_both_offered_dates() -> None:
    assert await typed(DatesModal(DAY, date(2027, 5, 31)), "enter", "enter") == (
        DAY,
        date(2027, 5, 31),
    )
    span = await typed(DatesModal(DAY, None), *"01.12.2026", "enter", *"20.12.2026", "enter")
    assert span == (date(2026, 12, 1), date(2026, 12, 20))


async def test_a_setup_form_reads_the_text_and_the_pick_typed_before_ctrl_s() -> None:
    fields = [
        FormField("title", "Класс:"),
        FormField("teacher", "Классный руководитель:", choices=(("", "—"), ("7", "Иванова"))),
    ]
    got = await typed(FormModal("Новый класс", fields), *"5А", "tab", "down", "ctrl+s")
    assert got == {"title": "5А", "teacher": "7"}


async def test_a_correction_request_reads_what_was_typed_before_ctrl_s() -> None:
    sent: list[RequestForm] = []

    def send(form: RequestForm) -> int:
        sent.append(form)
        return 12

    modal = CorrectionRequestModal("отметка", "3", DAY, send)
    keys = ["tab", *"Справка № 5", "tab", "tab", *"болел", "ctrl+s"]
    assert await typed(modal, *keys, first=("4", "tab", "down")) == 12
    [form] = sent
    assert (form.new, form.document_number, form.reason) == ("4", "Справка № 5", "болел")
    assert form.ground == list(GROUNDS)[1]  # the second ground, picked with ↓


async def test_an_export_writes_the_format_picked_just_before_enter(tmp_path) -> None:
    report = Report("Отчёт", (ReportColumn("Класс"),), (("5А",),), name="otchet")
    keys = ["tab", *str(tmp_path / "otchet.xlsx"), "shift+tab", "down", "down", "enter"]
    written = await typed(ExportModal(report, DAY), *keys)
    assert written == tmp_path / "otchet.csv"  # CSV picked: the name follows the format
    assert "5А" in written.read_text(encoding="utf-8-sig")
