"""What the setup screens share (the year, the classes and courses, the timetable, the
КТП, the contingent).

- :meth:`SetupScreen.reload`: :meth:`~SetupScreen.fetch` in a thread worker, then
  :meth:`~SetupScreen.show` of what it fetched.
- :meth:`SetupScreen.open_form`: a :class:`~zhurnal.tui.widgets.form.FormModal` whose
  ``send`` makes one service call (a refusal is shown in the form); its outcome is shown
  as by ``run_call`` and the screen reloads.
- :meth:`SetupScreen.run_call`: one service call in a thread worker; a refusal is shown
  as given, an outcome (a heading and its lines) as a notice or, with lines, a
  :class:`~zhurnal.tui.widgets.lines.LinesModal`; the screen then reloads.
- :meth:`SetupScreen.ask`: a modal whose answer (not None) goes on to ``then``.
- :class:`ClassStepScreen`: a screen about one class of the current year — PgUp/PgDn
  the previous or the next class, ``k`` a class from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen

from zhurnal.core.errors import ValidationError
from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels import ClassRef
    from zhurnal.tui.widgets.form import FormField, Values

Outcome = tuple[str, list[str]]
"""What a write did, to show: a heading and its lines (may be none)."""


def read_date(what: str, *, optional: bool = False) -> Callable[[str], date | None]:
    """A form field's reader: a date as people type it (``rules.parse_date``)."""
    from zhurnal.core.rules import parse_date

    def read(text: str) -> date | None:
        if not text and optional:
            return None
        if not text:
            raise ValidationError(f"{what}: укажите дату ДД.ММ.ГГГГ.")
        return parse_date(text, what)

    return read


def read_required(what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        if not text:
            raise ValidationError(f"Заполните поле «{what}».")
        return text

    return read


def read_file(path: str) -> bytes:
    """The bytes of a file on the server (in a worker), or a Russian refusal naming it."""
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ValidationError(f"Файл не открывается: {path}: {exc.strerror}.") from None


class SetupScreen(ZhurnalScreen):
    """A setup screen for ``actor``: what :meth:`fetch` reads is shown by :meth:`show`."""

    class Loaded(Message, bubble=False):
        def __init__(self, data: Any) -> None:
            super().__init__()
            self.data = data

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def fetch(self, db: Database) -> Any:
        """What the screen shows, read in a worker."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Show what :meth:`fetch` read."""
        raise NotImplementedError

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.fetch(self.register.database())))

    @on(Loaded)
    def _loaded(self, event: SetupScreen.Loaded) -> None:
        self.show(event.data)

    def open_form(
        self,
        title: str,
        fields: list[FormField],
        send: Callable[[Database, Values], Outcome | None],
        *,
        note: str = "",
    ) -> None:
        """The form; once the core has accepted ``send``, its outcome is shown (as by
        :meth:`run_call`) and the screen reloads."""
        from zhurnal.tui.widgets.form import FormModal

        def done(outcome: Outcome | bool | None) -> None:
            if isinstance(outcome, tuple):
                self.show_outcome(*outcome)
            if outcome is not None:
                self.reload()

        self.app.push_screen(FormModal(title, fields, send, note=note), done)

    @work(thread=True, exit_on_error=False, group="write")
    def run_call(self, call: Callable[[Database], Outcome | None]) -> None:
        try:
            outcome = call(self.register.database())
        except Exception as error:  # noqa: BLE001 - the refusal is shown as given
            self.app.call_from_thread(show_refusal, self, describe(error))
        else:
            if outcome is not None:
                self.app.call_from_thread(self.show_outcome, *outcome)
        self.app.call_from_thread(self.reload)

    def show_outcome(self, heading: str, lines: list[str]) -> None:
        from zhurnal.tui.widgets.lines import LinesModal

        if lines:
            self.app.push_screen(LinesModal(self.HELP_TITLE, heading, lines))
        else:
            self.notify(heading, title=self.HELP_TITLE, markup=False, timeout=8)

    def ask_date(self, title: str, shown: str, then: Callable[[date], None]) -> None:
        """A date typed in a form (refused in it when it is not one), to ``then``."""
        from zhurnal.tui.widgets.form import FormField, FormModal

        field = FormField("day", "Дата (ДД.ММ.ГГГГ):", shown, read=read_date("Дата"))
        self.ask(FormModal(title, [field]), lambda values: then(values["day"]))

    def ask(self, modal: ModalScreen[Any], then: Callable[[Any], None]) -> None:
        def answered(value: Any) -> None:
            if value is not None:
                then(value)

        self.app.push_screen(modal, answered)

    def action_back(self) -> None:
        self.dismiss()


class ClassStepScreen(SetupScreen):
    """A screen about one class at a time (``class_id``) of ``classes``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pageup", "step_class(-1)", "Пред. класс", show=False, priority=True),
        Binding("pagedown", "step_class(1)", "След. класс", show=False, priority=True),
        Binding("k", "pick_class", "Класс", show=False, tooltip="Выбрать класс из списка"),
        Binding("escape", "back", "Назад"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__(actor)
        self.class_refs: tuple[ClassRef, ...] = ()
        self.class_id: int | None = None

    def load_classes(self, db: Database) -> None:
        """In a worker: the classes, once; the first one is shown first."""
        if not self.class_refs:
            from zhurnal.core.readmodels.timetable_grid import setup_classes

            self.class_refs = setup_classes(db, self.actor)
        if self.class_id is None and self.class_refs:
            self.class_id = self.class_refs[0].id

    @property
    def class_title(self) -> str:
        return next((k.title for k in self.class_refs if k.id == self.class_id), "")

    def action_step_class(self, step: int) -> None:
        ids = [k.id for k in self.class_refs]
        if self.class_id not in ids:
            return
        at = ids.index(self.class_id) + step
        if 0 <= at < len(ids):
            self.class_id = ids[at]
            self.reload()
        else:
            self.notify("Это первый класс." if at < 0 else "Это последний класс.", markup=False)

    def action_pick_class(self) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        options = [(str(k.id), f"{k.title} — {k.students} уч.") for k in self.class_refs]

        def chosen(key: str) -> None:
            self.class_id = int(key)
            self.reload()

        self.ask(
            ChoiceModal(
                "Класс",
                options,
                hint="Enter — открыть, Esc — отмена",
                selected=str(self.class_id),
                list_id="classes",
            ),
            chosen,
        )
