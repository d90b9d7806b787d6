"""F1: the keys of the screen underneath, in Russian, generated from its bindings.

| Key | Action |
| :- | :- |
| escape / f1 / enter / q | close |

One source: the lines are the active bindings of the focused widget, its
screen and the app — the same bindings that handle the keys — that are ours
(defined in ``zhurnal.tui``) and have a description (the binding's ``tooltip``,
when it has one, is the longer text for the help; the footer shows the short
``description``).  Each key is listed once
(the binding that really handles it: the focused widget's before the screen's);
keys of one action share a line.  The box fits the terminal (80 columns and
narrower): long descriptions wrap under themselves.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.screen import Screen

KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Пробел",
    "delete": "Del",
    "backspace": "Backspace",
    "insert": "Ins",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "plus": "+",
    "minus": "-",
    "full_stop": ".",
    "comma": ",",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}
OURS = "zhurnal.tui."
KEYS_MAX = 22
"""The key column never takes more than this; longer key lists wrap."""


def key_name(key: str) -> str:
    """``ctrl+s`` → ``Ctrl+S``, ``f2`` → ``F2``, ``pageup`` → ``PgUp``, ``н`` → ``н``."""
    *mods, last = key.split("+")
    name = KEY_NAMES.get(last) or last
    if (last.startswith("f") and last[1:].isdigit()) or (mods and len(last) == 1):
        name = last.upper()
    return "+".join([m.capitalize() for m in mods] + [name])


def _ours(key: str, binding: Binding, node: object) -> bool:
    """The binding that handles ``key`` on ``node`` is declared in a class of ours."""
    for cls in type(node).__mro__:
        for declared in cls.__dict__.get("BINDINGS", []):
            if (
                isinstance(declared, Binding)
                and declared.action == binding.action
                and key in (k.strip() for k in declared.key.split(","))
            ):
                return cls.__module__.startswith(OURS)
    return False


def help_lines(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, what they do) for every key that works on ``screen`` now, each key once."""
    lines: dict[tuple[str, str], list[str]] = {}
    active_bindings = dict(screen.active_bindings)
    for key, binding in screen.app._bindings:  # the app's priority keys work over modals too
        if binding.priority and key not in active_bindings:
            active_bindings[key] = ActiveBinding(screen.app, binding, True)
    for key, active in active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description or not _ours(key, binding, active.node):
            continue
        twin = active_bindings.get(key.lower())
        if key != key.lower() and twin is not None and twin.binding.action == binding.action:
            continue  # the same letter with Shift (Caps Lock): not a key of its own
        shown = binding.key_display if binding.key_display else key_name(key)
        # The footer shows the short description; the help the longer tooltip if any.
        keys = lines.setdefault((binding.action, binding.tooltip or binding.description), [])
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), description) for (_, description), keys in lines.items()]


def layout(lines: list[tuple[str, str]], width: int) -> str:
    """Two columns within ``width`` characters; long entries wrap within their column."""
    keys_width = min(KEYS_MAX, max((len(k) for k, _ in lines), default=0))
    text_width = max(12, width - keys_width - 3)
    out = []
    for keys, what in lines:
        left = textwrap.wrap(keys, keys_width) or [""]
        right = textwrap.wrap(what, text_width) or [""]
        for i in range(max(len(left), len(right))):
            k = left[i] if i < len(left) else ""
            w = right[i] if i < len(right) else ""
            out.append(f"{k.ljust(keys_width)}   {w}".rstrip())
    return "\n".join(out)


class HelpModal(ModalScreen[None]):
    """The keys of the screen underneath (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Закрыть справку"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"), Vertical():
            yield Static(Content(f"Клавиши: {self._title}"), classes="form-title")
            yield Static(self._text(), id="help-keys")
            yield Static("Esc — закрыть", classes="form-hint")

    def _text(self) -> Content:
        # The box: at most 80 columns, less its border (2), padding (4) and a scrollbar (2).
        inner = max(24, min(80, self.app.size.width) - 8)
        return Content(layout(self._keys, inner) or "Нет клавиш")

    def on_resize(self) -> None:
        self.query_one("#help-keys", Static).update(self._text())

    def action_close(self) -> None:
        self.dismiss()
