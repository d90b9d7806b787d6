"""«Нарушение конфиденциальности»: a compromised login is locked and its operations since
then are reverted [002 §4.3–4.4].

| Key | Action |
| :- | :- |
| n | record a new incident: the user, since when, a note |
| enter | the incident's operations |
| r | revert them (in the operations list; asks first) |
| escape | back |

Which operations can be reverted, and why the others cannot (changed since by someone
else, not a change of the register), comes from core with each operation; the revert is
one transaction of compensating, audited changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from zhurnal.tui.errors import describe, show_refusal
from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.footer import RegisterFooter

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.services.incidents import IncidentView


def parse_moment(text: str) -> datetime:
    """«01.12.2026 08:30» (the time may be left out: from the start of the day)."""
    from zhurnal.core.errors import ValidationError
    from zhurnal.core.rules import parse_date

    parts = text.split()
    day = parse_date(parts[0] if parts else "", "Дата")
    if len(parts) < 2:
        return datetime.combine(day, datetime.min.time())
    try:
        moment = datetime.strptime(parts[1], "%H:%M").time()
    except ValueError:
        raise ValidationError(f"Время «{parts[1]}» не распознано: введите ЧЧ:ММ.") from None
    return datetime.combine(day, moment)


class IncidentsTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Открыть", show=False),
    ]


class IncidentScreen(ZhurnalScreen):
    """The incidents recorded, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Новый инцидент"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Инциденты"

    class Loaded(Message, bubble=False):
        def __init__(self, rows: tuple[IncidentView, ...]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.rows: tuple[IncidentView, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("Нарушение конфиденциальности: инциденты", classes="screen-title")
        yield IncidentsTable(id="incidents", cursor_type="row", zebra_stripes=True)
        yield Static(
            "n — записать новый: логин блокируется сразу, его операции с указанного времени "
            "недействительны [002 §4.3–4.4]; Enter — операции инцидента.",
            classes="form-hint",
            markup=False,
        )
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rest = max(16, self.size.width - 50)
        for header, width in (("№", 3), ("Пользователь", rest), ("С какого времени", 16)):
            table.add_column(header, width=width)
        table.add_column("Опер.", width=5)
        table.add_column("Отменены", width=10)
        table.focus()
        self._reload()

    def _reload(self, _: object = None) -> None:
        self.query_one(DataTable).loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from zhurnal.core.services.incidents import list_incidents

        self.post_message(self.Loaded(list_incidents(self.register.database(), self.actor)))

    @on(Loaded)
    def _loaded(self, event: IncidentScreen.Loaded) -> None:
        self.rows = event.rows
        table = self.query_one(DataTable)
        table.clear()
        for n, i in enumerate(self.rows):
            table.add_row(
                Text(str(i.id), justify="right"),
                Text(f"{i.user} ({i.login})", no_wrap=True, overflow="ellipsis"),
                Text(f"{i.known_since:%d.%m.%Y %H:%M}"),
                Text(str(len(i.operations)), justify="right"),
                Text(f"{i.reverted_at:%d.%m %H:%M}" if i.reverted_at else "нет"),
                key=str(n),
            )
        table.loading = False

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            incident = self.rows[int(event.row_key.value)]
            self.app.push_screen(IncidentOpsScreen(self.actor, incident.id), self._reload)

    # --- a new incident: the user, since when, a note ------------------------------

    def action_new(self) -> None:
        self._users()

    @work(thread=True, exclusive=True, exit_on_error=False, group="users")
    def _users(self) -> None:
        from zhurnal.core.readmodels.audit_log import filter_choices

        users = filter_choices(self.register.database(), self.actor).users
        self.app.call_from_thread(self._pick_user, users)

    def _pick_user(self, users: tuple[tuple[int, str], ...]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        names = {str(i): name for i, name in users}

        def chosen(key: str | None) -> None:
            if key in names:
                self._ask_since(int(key), names[key])

        self.app.push_screen(
            ChoiceModal(
                "Чей логин скомпрометирован",
                list(names.items()),
                hint="Enter — выбрать, Esc — отмена",
                list_id="incident-user",
            ),
            chosen,
        )

    def _ask_since(self, user_id: int, name: str) -> None:
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def typed(text: str | None) -> None:
            if text is None:
                return
            try:
                since = parse_moment(text)
            except Exception as error:  # noqa: BLE001 - a ValidationError, shown
                show_refusal(self, describe(error))
                return
            self._ask_note(user_id, name, since)

        now = self.register.now()
        self.app.push_screen(
            TextPrompt(
                f"{name}: с какого времени известно о нарушении",
                f"{now:%d.%m.%Y} 00:00",
                hint="ДД.ММ.ГГГГ ЧЧ:ММ; Enter — далее, Esc — отмена",
            ),
            typed,
        )

    def _ask_note(self, user_id: int, name: str, since: datetime) -> None:
        from zhurnal.tui.widgets.text_prompt import TextPrompt

        def typed(note: str | None) -> None:
            if note is not None:
                self._report(user_id, since, note)

        self.app.push_screen(TextPrompt(f"{name}: что произошло (служебная записка)", ""), typed)

    @work(thread=True, exit_on_error=False, group="report")
    def _report(self, user_id: int, since: datetime, note: str) -> None:
        from zhurnal.core.services.incidents import report_incident

        try:
            view = report_incident(self.register.database(), self.actor, user_id, since, note)
        except Exception as error:  # noqa: BLE001 - the refusal is shown
            self.app.call_from_thread(show_refusal, self, describe(error))
            return
        self.app.call_from_thread(self._reported, view)

    def _reported(self, view: IncidentView) -> None:
        self.notify(
            f"Инцидент № {view.id}: логин {view.login} заблокирован; "
            f"операций с {view.known_since:%d.%m.%Y %H:%M}: {len(view.operations)}.",
            markup=False,
            timeout=8,
        )
        self._reload()
        self.app.push_screen(IncidentOpsScreen(self.actor, view.id), self._reload)

    def action_back(self) -> None:
        self.dismiss()


class IncidentOpsScreen(ZhurnalScreen):
    """The operations of one incident, with what core says of reverting each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "revert", "Отменить операции"),
        Binding("escape", "back", "Назад"),
    ]
    HELP_TITLE = "Операции инцидента"

    class Loaded(Message, bubble=False):
        def __init__(self, view: IncidentView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, actor: Actor, incident_id: int) -> None:
        super().__init__()
        self.actor, self.incident_id = actor, incident_id
        self.view: IncidentView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Инцидент № {self.incident_id}", classes="screen-title", id="ops-title")
        yield Static("", id="ops-head")
        yield DataTable[Text](id="ops", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ops-detail", classes="form-hint")
        yield RegisterFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rest = max(20, self.size.width - 46)
        for header, width in (("Когда", 11), ("Операция", rest), ("Было→стало", 11)):
            table.add_column(header, width=width)
        table.add_column("Отмена", width=14)
        table.focus()
        self._reload()

    def _reload(self) -> None:
        self.query_one(DataTable).loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from zhurnal.core.services.incidents import incident_operations

        db = self.register.database()
        self.post_message(self.Loaded(incident_operations(db, self.actor, self.incident_id)))

    @on(Loaded)
    def _loaded(self, event: IncidentOpsScreen.Loaded) -> None:
        self.view = v = event.view
        table = self.query_one(DataTable)
        table.clear()
        for n, op in enumerate(v.operations):
            change = f"{op.old or '∅'}→{op.new or '∅'}" if (op.old or op.new) else ""
            verdict = "отменяется" if op.revertible else op.why_not
            table.add_row(
                Text(f"{op.ts:%d.%m %H:%M}"),
                Text(op.what, no_wrap=True, overflow="ellipsis"),
                Text(change, no_wrap=True, overflow="ellipsis"),
                Text(verdict, no_wrap=True, overflow="ellipsis"),
                key=str(n),
            )
        table.loading = False
        state = (
            f"операции отменены {v.reverted_at:%d.%m.%Y %H:%M}"
            if v.reverted_at
            else f"к отмене: {v.revertible} из {len(v.operations)} — r"
        )
        self.query_one("#ops-head", Static).update(
            Content(
                f"{v.user} ({v.login}) с {v.known_since:%d.%m.%Y %H:%M}; записал(а) "
                f"{v.reported_by} {v.reported_at:%d.%m.%Y %H:%M}; {state}"
            )
        )

    def worker_failed(self, worker: object, error: BaseException) -> None:
        self.query_one(DataTable).loading = False
        super().worker_failed(worker, error)  # type: ignore[arg-type]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.view is None or event.row_key.value is None:
            return
        op = self.view.operations[int(event.row_key.value)]
        verdict = "будет отменена" if op.revertible else f"не отменяется: {op.why_not}"
        self.query_one("#ops-detail", Static).update(
            Content(f"{op.ts:%d.%m.%Y %H:%M} {op.what}: «{op.old}» → «{op.new}»; {verdict}")
        )

    def action_revert(self) -> None:
        v = self.view
        if v is None:
            return
        if v.reverted_at is not None or not v.revertible:
            show_refusal(
                self,
                "Операции этого инцидента уже отменены."
                if v.reverted_at
                else "Отменять нечего: операций, изменяющих журнал, нет.",
            )
            return
        from zhurnal.tui.widgets.dialogs import QuestionModal

        left = len(v.operations) - v.revertible
        question = (
            f"Отменить {v.revertible} операций {v.login} с {v.known_since:%d.%m.%Y %H:%M}? "
            "Каждая будет заменена прежним значением, с записью в журнале действий."
            + (f" Не отменяются (см. список): {left}." if left else "")
        )

        def answered(answer: str | None) -> None:
            if answer == "revert":
                self._revert(v.revertible)

        self.app.push_screen(
            QuestionModal(
                question,
                [("revert", "Отменить операции"), ("cancel", "Не отменять")],
                title=f"Инцидент № {v.id}",
            ),
            answered,
        )

    @work(thread=True, exit_on_error=False, group="revert")
    def _revert(self, expected: int) -> None:
        from zhurnal.core.services.incidents import revert_incident

        try:
            result = revert_incident(
                self.register.database(), self.actor, self.incident_id, expected
            )
        except Exception as error:  # noqa: BLE001 - the refusal is shown
            self.app.call_from_thread(show_refusal, self, describe(error))
        else:
            self.app.call_from_thread(
                self.notify,
                f"Отменено операций: {len(result.reverted)}; оставлено: {len(result.left)}.",
                markup=False,
                timeout=8,
            )
        self.app.call_from_thread(self._reload)

    def action_back(self) -> None:
        self.dismiss()
