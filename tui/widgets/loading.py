"""«Загрузка…»: the register's loading indicator, painted once.

Textual's ``LoadingIndicator`` animates its dots sixteen times a second and
repaints the whole area it covers each time (a grid-sized area is tens of
kilobytes a second to an SSH terminal).  This one shows a still line of text;
the app returns it from ``get_loading_widget``, so ``widget.loading = True``
works as before.  Like the stock indicator it covers the widget (the
``-textual-loading-indicator`` class Textual adds) and keeps the mouse away.
"""

from __future__ import annotations

from textual import events, on
from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

LOADING_TEXT = "Загрузка…"


class LoadingNote(Widget):
    """A still «Загрузка…» over a widget whose data is being read."""

    DEFAULT_CSS = """
    LoadingNote {
        width: 100%;
        height: 100%;
        min-height: 1;
        content-align: center middle;
        color: $text-muted;
        text-style: not reverse;
        &.-textual-loading-indicator {
            layer: _loading;
            background: $boost;
            dock: top;
        }
    }
    """

    def render(self) -> RenderResult:
        return Content(LOADING_TEXT)

    @on(events.InputEvent)
    def _swallow_input(self, event: events.InputEvent) -> None:
        """The covered widget is not usable while it loads (as with the stock indicator)."""
        event.stop()
        event.prevent_default()
