"""Text typed in an earlier session and not saved, offered back on «Расписание» after
login: a dropped connection or the idle lock's «Выйти» kept it as a draft; the teacher
opens the lesson to finish it (the text reaches the register only by Ctrl+S).

:class:`OfferDrafts` is a base of :class:`~zhurnal.tui.screens.timetable.TimetableScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.screens.lesson import LessonScreen

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import DraftView


def _changed_text(draft: DraftView) -> str:
    """What the teacher typed: the topic if they changed it, else the homework."""
    if draft.topic.strip() != draft.base_topic.strip():
        return draft.topic
    return draft.homework or draft.topic


def _snippet(text: str, width: int = 36) -> str:
    """The start of a typed text, cut at a word with «…» when it is longer."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0] + "…"


class OfferDrafts(ZhurnalScreen):
    """Finds the user's savable drafts once and offers to open their lessons."""

    actor: Actor

    def _reload_day(self, _: object = None) -> None:
        raise NotImplementedError

    # --- text typed in an earlier session and not saved -----------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="drafts")
    def _find_drafts(self) -> None:
        from zhurnal.core.readmodels import list_drafts

        # Only what can still be saved is offered; a draft of a lesson locked meanwhile
        # is shown (as a note) when that lesson is opened.
        drafts = [
            d for d in list_drafts(self.register.database(), self.actor) if not d.text_why_not
        ]
        if drafts:
            self.call_later(self._offer_drafts, drafts)

    def _offer_drafts(self, drafts: list[DraftView]) -> None:
        """After a dropped connection (or the idle lock's «Выйти»): open the lesson to
        finish it.  The text is not in the register until the teacher saves it."""
        from zhurnal.tui.widgets.dialogs import ChoiceModal

        options = [
            (
                str(d.lesson_id),
                f"{d.date:%d.%m}, {d.number}-й урок, {d.class_title} "
                f"{d.subject}: «{_snippet(_changed_text(d))}»",
            )
            for d in drafts
        ]
        options.append(("later", "Позже"))

        def chosen(choice: str | None) -> None:
            if choice and choice.isdigit():
                self.app.push_screen(LessonScreen(self.actor, int(choice)), self._reload_day)

        self.app.push_screen(
            ChoiceModal(
                "Есть несохранённый текст с прошлого сеанса",
                options,
                list_id="drafts",
                hint="Enter — открыть урок (в журнал текст попадёт только по Ctrl+S), Esc — позже",
            ),
            chosen,
        )
