"""What goes on the wire: fewer bytes for the same picture (issue 7, «Quiet on the wire»).

Textual writes every segment of a line as ``ESC[<style>m text ESC[0m``: a row of
cells that share a style costs a reset and the same style again per cell, and
a change of colour costs a reset and the whole style.  Over SSH that is most of
what a repaint sends.  :func:`squeeze_sgr` rewrites one write of the driver so
that the terminal ends in exactly the same state with fewer bytes:

- a style is set only when text is about to be written in it (a reset and the
  same style again around a cursor move or between two segments disappear);
- a change between two styles sends only what differs (another colour; added
  attributes) when no attribute has to be switched off, else a reset and the
  new style, as before.

Cursor moves (``ESC[row;colH``) do not touch the style, so a style may stay set
across them; any other control sequence is written after the style has been
brought up to date.  At the end of a write the terminal is in the state
Textual's own output would have left.

:func:`quiet_driver` wraps the driver class Textual picks (the Linux one over
SSH) so that its ``write`` squeezes; the app uses it from ``get_driver_class``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from textual.driver import Driver

RESET = "\x1b[0m"
_TOKENS = re.compile(r"(\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.)")
_ATTRIBUTES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53"})
_FOREGROUND = frozenset([*map(str, range(30, 38)), *map(str, range(90, 98)), "39"])
_BACKGROUND = frozenset([*map(str, range(40, 48)), *map(str, range(100, 108)), "49"])


class Sgr(NamedTuple):
    """A style as select-graphic-rendition parameters: attributes, foreground, background."""

    attributes: frozenset[str]
    foreground: str | None
    background: str | None

    def sequence(self) -> str:
        parts = sorted(self.attributes, key=int)
        parts += [c for c in (self.foreground, self.background) if c is not None]
        return f"\x1b[{';'.join(parts)}m" if parts else RESET

    def change_to(self, other: Sgr) -> str:
        """The shortest sequence from this style to ``other`` (from the default: all of it)."""
        if other == DEFAULT:
            return RESET
        if not self.attributes <= other.attributes:
            return RESET + other.sequence()
        parts = sorted(other.attributes - self.attributes, key=int)
        if other.foreground != self.foreground:
            parts.append(other.foreground or "39")
        if other.background != self.background:
            parts.append(other.background or "49")
        return f"\x1b[{';'.join(parts)}m" if parts else ""


DEFAULT = Sgr(frozenset(), None, None)
_parsed: dict[str, Sgr | None] = {}


def parse_sgr(params: str) -> Sgr | None:
    """The style of ``ESC[<params>m`` as Textual writes it; None for anything else."""
    if params in _parsed:
        return _parsed[params]
    tokens, attributes = params.split(";"), set()
    colours: dict[str, str] = {}
    result: Sgr | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("38", "48") and i + 1 < len(tokens) and tokens[i + 1] in ("5", "2"):
            n = 3 if tokens[i + 1] == "5" else 5
            colours["fg" if token == "38" else "bg"] = ";".join(tokens[i:i + n])
            i += n
            continue
        if token in _ATTRIBUTES:
            attributes.add(token)
        elif token in _FOREGROUND:
            colours["fg"] = token
        elif token in _BACKGROUND:
            colours["bg"] = token
        else:
            break  # a reset inside, or something Textual does not write: leave it alone
        i += 1
    else:
        if params:
            result = Sgr(frozenset(attributes), colours.get("fg"), colours.get("bg"))
    if len(_parsed) < 4096:
        _parsed[params] = result
    return result


def squeeze_sgr(data: str) -> str:
    """``data`` with the same effect on the terminal and fewer style sequences."""
    if "\x1b[" not in data:
        return data
    out: list[str] = []
    actual: Sgr | None = DEFAULT  # what the terminal has (None: unknown)
    wanted: Sgr | None = DEFAULT  # what Textual's stream has set at this point

    def sync() -> None:
        nonlocal actual
        if actual == wanted or wanted is None:  # None: both unknown, as written
            return
        if actual is None:
            out.append(RESET + (wanted.sequence() if wanted != DEFAULT else ""))
        else:
            out.append(actual.change_to(wanted))
        actual = wanted

    for i, token in enumerate(_TOKENS.split(data)):
        if not token:
            continue
        if i % 2 == 0:  # text
            sync()
            out.append(token)
            continue
        final = token[-1]
        if token.startswith("\x1b[") and final == "m":
            params = token[2:-1]
            if params in ("", "0"):
                wanted = DEFAULT
                continue
            style = parse_sgr(params)
            if style is not None and wanted == DEFAULT:
                wanted = style
                continue
            sync()  # a style on top of a style, or one we do not parse: as written
            out.append(token)
            actual = wanted = None
        elif token.startswith("\x1b[") and final == "H" and "?" not in token:
            out.append(token)  # a cursor move keeps the style
        else:
            sync()
            out.append(token)
    sync()
    return "".join(out)


def quiet_driver(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class`` whose writes go through :func:`squeeze_sgr`."""

    class QuietDriver(driver_class):  # type: ignore[valid-type, misc]
        def write(self, data: str) -> None:
            super().write(squeeze_sgr(data))

    QuietDriver.__name__ = QuietDriver.__qualname__ = f"Quiet{driver_class.__name__}"
    return QuietDriver
