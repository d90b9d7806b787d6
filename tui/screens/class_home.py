"""«Классный руководитель 5А»: one class's register as its class teacher keeps it
[004 §3.7, §3.9, §5; 000 §5.2.5]; the deputy and the director open it from «Классы».

| Key | Action |
| :- | :- |
| ↑ ↓ | move |
| enter | open the task |
| t | the timetable (a class teacher who teaches) |
| l | log out (when this is the screen the user landed on) |
| escape | back (when opened from another screen) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType

from zhurnal.tui.screens.menu import MenuScreen

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.db import Database
    from zhurnal.core.readmodels import CourseRef, Span
    from zhurnal.core.reports.table import Report

TASKS = (
    ("completeness", "Заполнение журнала класса"),
    ("journal", "Журнал класса: все предметы"),
    ("absences", "Причины пропусков"),
    ("period_marks", "Итоговые отметки"),
    ("progress", "Сводная ведомость успеваемости"),
    ("attendance", "Посещаемость класса по месяцам"),
    ("results", "Итоги периода (отчёт классного руководителя)"),
)
HINTS = {
    "completeness": "Кто что не заполнил: по предметам и учителям, худшие сверху; "
    "Enter — к первому пропуску [000 §5.2.5].",
    "journal": "Страница журнала любого предмета класса; менять можно то, что "
    "разрешают правила школы [002 §2.4, 004 §3.9].",
    "absences": "Исправить причину пропуска (Н → Б, УП) по документу [004 §3.7].",
    "period_marks": "Четвертные (полугодовые) отметки со средним баллом и "
    "предлагаемой отметкой [004 §3.9].",
    "progress": "Ученики × предметы: итоговые отметки периода, успеваемость и качество.",
    "attendance": "Пропущено уроков по месяцам: по болезни, по уважительной причине, без причины.",
    "results": "Итоги класса за период: успеваемость, качество, пропуски.",
}


class ClassScreen(MenuScreen):
    """The tasks of one class."""

    HELP_TITLE = "Класс"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Назад"),
    ]

    def __init__(self, actor: Actor, class_id: int, title: str, *, landing: bool = False) -> None:
        super().__init__(actor, landing=landing)
        self.class_id = class_id
        self.class_title = title
        self.TITLE_TEXT = f"Класс {title}"

    def tasks(self) -> list[tuple[str, str]]:
        return list(TASKS)

    def task_hints(self) -> dict[str, str]:
        return HINTS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.landing
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        self.dismiss()

    def open_task(self, key: str) -> None:
        actor, class_id = self.actor, self.class_id
        if key == "completeness":
            from zhurnal.tui.screens.completeness import CompletenessScreen

            self.app.push_screen(CompletenessScreen(actor, class_id))
        elif key == "journal":
            self._load_courses()
        elif key == "absences":
            from zhurnal.tui.screens.absences import AbsencesScreen

            self.app.push_screen(AbsencesScreen(actor, class_id, self.class_title))
        elif key == "period_marks":
            from zhurnal.tui.screens.period_marks import PeriodMarksScreen

            self.app.push_screen(PeriodMarksScreen(actor, class_id, self.class_title))
        elif key in ("progress", "attendance", "results"):
            self._pick_span(key)

    # --- the class's journal: a subject, then the same grid a teacher uses ----------

    @work(thread=True, exit_on_error=False, group="courses")
    def _load_courses(self) -> None:
        from zhurnal.core.readmodels import class_courses

        courses = class_courses(self.register.database(), self.actor, self.class_id)
        self.call_later(self._offer_courses, courses)

    def _offer_courses(self, courses: tuple[CourseRef, ...]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        if not courses:
            self.notify(f"У класса {self.class_title} нет предметов.", markup=False)
            return
        options = [(str(c.id), f"{c.title} — {c.teacher}") for c in courses]

        def chosen(key: str | None) -> None:
            if key and key.isdigit():
                from zhurnal.tui.screens.grid import GridScreen

                self.app.push_screen(GridScreen(self.actor, int(key), None))

        self.app.push_screen(
            ChoiceModal(
                f"Журнал {self.class_title}: предмет",
                options,
                hint="Enter — открыть страницу журнала, Esc — отмена",
                list_id="courses",
            ),
            chosen,
        )

    # --- the class's sheets: a span, then the report ------------------------------

    @work(thread=True, exit_on_error=False, group="spans")
    def _pick_span(self, key: str) -> None:
        from zhurnal.core.readmodels import report_spans

        spans = report_spans(
            self.register.database(), self.actor, self.register.today(), self.class_id
        )
        if key != "attendance":
            spans = tuple(s for s in spans if s.period_id is not None)
        self.call_later(self._offer_spans, key, spans)

    def _offer_spans(self, key: str, spans: tuple[Span, ...]) -> None:
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        by_key = {str(i): s for i, s in enumerate(spans)}
        options = [
            (str(i), f"{s.label} ({s.start:%d.%m}–{s.end:%d.%m.%Y})") for i, s in enumerate(spans)
        ]

        def chosen(choice: str | None) -> None:
            if choice in by_key:
                self._open_sheet(key, by_key[choice])

        self.app.push_screen(
            ChoiceModal("Период", options, hint="Enter — открыть, Esc — отмена", list_id="spans"),
            chosen,
        )

    def _open_sheet(self, key: str, span: Span) -> None:
        from zhurnal.tui.screens.report_view import ReportScreen

        actor, class_id = self.actor, self.class_id

        def load(db: Database) -> Report:
            from zhurnal.core.reports import sheets

            if key == "progress":
                assert span.period_id is not None
                return sheets.progress_report(db, actor, class_id, span.period_id)
            if key == "results":
                assert span.period_id is not None
                return sheets.class_results_report(db, actor, class_id, span.period_id)
            return sheets.attendance_report(db, actor, class_id, span.start, span.end)

        title = dict(TASKS)[key]
        self.app.push_screen(ReportScreen(f"{title}: {self.class_title}, {span.label}", load))
