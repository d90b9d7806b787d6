"""Keeping what a teacher types on the «Урок» screen: drafts and conflicts.

:class:`LessonTexts` is the base of :class:`~zhurnal.tui.screens.lesson.LessonScreen`
and owns the topic and homework as typed:

- what the fields showed when loaded or saved (``_shown``: "unsaved" is relative to
  it) and the register's texts the typing started from (``_stored``);
- the draft: a second after typing stops the text is kept (per user, per lesson,
  never in the register without Ctrl+S), and offered back when the lesson opens;
- conflicts: per field, what the typing started from, the register now and what
  is typed.  A field only the other session changed takes their text; a field both
  changed differently goes to :class:`~zhurnal.tui.widgets.conflict.TextConflictModal`
  and the teacher decides — nothing is overwritten silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer
from textual.widgets import Input, TextArea

from zhurnal.tui.screens.base import ZhurnalScreen
from zhurnal.tui.widgets.conflict import TextConflictModal, merged
from zhurnal.tui.widgets.lesson_info import lesson_short

if TYPE_CHECKING:
    from zhurnal.core.actor import Actor
    from zhurnal.core.readmodels import DraftView, LessonCard

DRAFT_DELAY = 1.0
"""Seconds after the last key before the typed text is kept as a draft."""
FIELDS = ("Тема урока", "Домашнее задание")
SEPARATORS = ("; ", "\n")


class LessonTexts(ZhurnalScreen):
    """The topic and homework fields of a lesson as typed (see the module docstring)."""

    def __init__(self, actor: Actor, lesson_id: int) -> None:
        super().__init__()
        self.actor = actor
        self.lesson_id = lesson_id
        self.card: LessonCard | None = None
        self._shown = ("", "")  # (topic, homework) as last loaded or saved
        self._stored = ("", "")  # the register's texts the typing started from (3-way base)
        self._failed = False  # the last save was refused: its message stays
        self._status = ""
        self._draft: tuple[str, str] | None = None  # what the stored draft holds
        self._draft_timer: Timer | None = None

    # What the screen provides.

    def action_save(self) -> None:
        raise NotImplementedError

    def _show_status(self) -> None:
        raise NotImplementedError

    def _answer_exit(self, ok: bool) -> None:
        raise NotImplementedError

    def _show_card(self, card: LessonCard, *, keep_inputs: bool) -> None:
        raise NotImplementedError

    def _fill(self, topic: str | None, homework: str | None) -> None:
        """Set the fields from the screen's side (None: leave that field as it is)."""
        if topic is not None:
            field = self.query_one("#topic", Input)
            field.value = topic
            field.cursor_position = len(topic)  # typing adds, never replaces
        if homework is not None:
            area = self.query_one("#homework", TextArea)
            area.load_text(homework)
            area.move_cursor(area.document.end)  # typing adds, never replaces

    # --- what is typed --------------------------------------------------------------

    def _typed(self, raw: bool = False) -> tuple[str, str]:
        topic = self.query_one("#topic", Input).value
        homework = self.query_one("#homework", TextArea).text
        return (topic, homework) if raw else (topic.strip(), homework.strip())

    def is_dirty(self) -> bool:
        """Typed text differs from what was loaded or saved last — also when the lesson
        got locked meanwhile: the text is still the teacher's, kept or asked about."""
        if self.card is None:
            return False
        return self._typed() != (self._shown[0].strip(), self._shown[1].strip())

    def _typed_changed_later(self) -> None:
        """A key changed a field: keep a draft a second after the last key."""
        if self.card is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()  # a new second from this key on
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._autosave, name="draft")

    # --- drafts --------------------------------------------------------------------------

    def _autosave(self) -> None:
        """A second after typing stopped: keep the text as a draft (or drop a stale one)."""
        typed = self._typed()
        if self.is_dirty() and typed != self._draft:
            self._draft = typed
            self._write_draft(typed)
        elif not self.is_dirty() and self._draft is not None:
            self._draft = None
            self._write_draft(None)

    @work(thread=True, exit_on_error=False, group="draft")
    def _write_draft(self, typed: tuple[str, str] | None) -> None:
        self._store_draft(typed)

    def _store_draft(self, typed: tuple[str, str] | None) -> None:
        """The draft as typed over ``_stored`` (so a later session knows which fields the
        teacher changed), or none."""
        from zhurnal.core.services.drafts import discard_draft, save_draft

        db = self.register.database()
        if typed is None:
            discard_draft(db, self.actor, self.lesson_id)
        else:
            save_draft(db, self.actor, self.lesson_id, typed[0], typed[1], base=self._stored)

    def _restore(self, draft: DraftView) -> None:
        """The draft kept from an earlier session: the fields the teacher changed are
        filled in (not saved); the others show the register as it is now.  Saving then
        compares with what the typing started from, so another session's change is kept
        or both versions are shown.  A draft of a lesson that cannot be written any more
        is shown as a note to read."""
        card = self.card
        if card is None:
            return
        base = (draft.base_topic, draft.base_homework)
        typed = (draft.topic, draft.homework)
        changed = [i for i in (0, 1) if typed[i].strip() != base[i].strip()]
        when = f"{draft.saved_at:%d.%m %H:%M}"
        if draft.text_why_not:
            texts = "; ".join(f"{FIELDS[i]}: «{typed[i]}»" for i in changed)
            self._status = (
                f"Несохранённый текст от {when} ({texts}) записать нельзя: {draft.text_why_not}"
            )
            self._show_status()
            return
        self._stored = base
        self._fill(*(typed[i] if i in changed else None for i in (0, 1)))
        self._draft = typed
        if not self.is_dirty():
            self._autosave()  # it says what the register says: not needed any more
            return
        self._status = (
            f"Восстановлен несохранённый текст от {when}: Ctrl+S — записать в журнал, Esc — решить"
        )
        self._show_status()

    def unsaved(self) -> str | None:
        if not self.is_dirty() or self.card is None:
            return None
        return f"тема или Д/З урока {lesson_short(self.card)}"

    def keep_draft(self, wait: bool = False) -> None:
        """Keep the typed text as the draft now — always written, as another session of
        the same teacher may have replaced the one draft of this lesson meanwhile.
        ``wait``: in this thread (a hangup: the process ends next); else in a worker."""
        typed = self._typed()
        if not self.is_dirty():
            return
        self._draft = typed
        if wait:
            self._store_draft(typed)
        else:
            self._write_draft(typed)

    def discard_unsaved(self) -> None:
        self._fill(*self._shown)
        if self._draft is not None:
            self._draft = None
            self._write_draft(None)

    # --- another session changed the text ----------------------------------------------

    def _clashes(self, card: LessonCard, headline: str) -> bool:
        """Compare per field what the typing started from (``_stored``), the register now
        (``card``) and what is typed.  A field only they changed takes their text; a field
        both changed differently is a conflict the teacher decides (True: asked)."""
        base, mine = self._stored, self._typed()
        theirs = (card.lesson.topic, card.lesson.homework)
        untouched = [i for i in (0, 1) if mine[i] == base[i].strip() and theirs[i] != base[i]]
        if untouched:
            self._fill(*(theirs[i] if i in untouched else None for i in (0, 1)))
            self._shown = tuple(theirs[i] if i in untouched else self._shown[i] for i in (0, 1))  # type: ignore[assignment]
            self._stored = tuple(theirs[i] if i in untouched else base[i] for i in (0, 1))  # type: ignore[assignment]
        clashes = [
            i
            for i in (0, 1)
            if mine[i] != base[i].strip() and theirs[i] != base[i] and theirs[i] != mine[i]
        ]
        if not clashes:
            return False
        self._failed = True
        self._status = "Изменено в другом сеансе: выберите версию."
        self._show_status()
        fields = [(FIELDS[i], theirs[i], mine[i]) for i in clashes]

        def chosen(answer: str | None) -> None:
            self._failed = False
            if answer in ("theirs", "mine", "merge"):
                self._stored = theirs  # decided: the typing now starts from their version
            if answer == "theirs":
                self._fill(*(theirs[i] if i in clashes else None for i in (0, 1)))
                self._shown = tuple(theirs[i] if i in clashes else self._shown[i] for i in (0, 1))  # type: ignore[assignment]
                self._status = "Взята версия другого сеанса."
                self._autosave()
            elif answer == "mine":
                self._status = ""
                self.action_save()
                return
            elif answer == "merge":
                self._fill(
                    *(
                        merged(theirs[i], mine[i], SEPARATORS[i]) if i in clashes else None
                        for i in (0, 1)
                    )
                )
                self._status = "Обе версии в поле: проверьте текст и сохраните (Ctrl+S)."
            else:
                self._status = "Не сохранено: ваш текст остался в полях."
            self._show_status()
            self._answer_exit(False)

        self.app.push_screen(TextConflictModal(headline, fields), chosen)
        return True

    def _conflict(self, card: LessonCard, headline: str) -> None:
        """The core refused a stale save: look at the register now, ask or save again."""
        self._show_card(card, keep_inputs=True)  # the new version; the fields stay as typed
        if not self._clashes(card, headline):
            self._status = "Изменено в другом сеансе; ваши поля записываются поверх их версии."
            self.call_after_refresh(self.action_save)  # different fields: nothing lost
