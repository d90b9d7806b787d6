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

Textual also repaints a changed region from the left edge of the widget that
holds it, so one changed cell of the mark grid costs most of a line, and a
status line rewritten with one other word costs both of its lines.  A
:class:`Mirror` keeps what the terminal shows and sends only the cells that
differ.

:func:`quiet_driver` wraps the driver class Textual picks (the Linux one over
SSH) so that its writes go through a mirror; the app uses it from
``get_driver_class``.  The picture on the terminal is the same cell for cell
(``tests/test_tui_wire.py`` replays recorded output through both paths).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import get_character_cell_size

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
            colours["fg" if token == "38" else "bg"] = ";".join(tokens[i : i + n])
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


# --- the mirror: only the cells that changed -------------------------------------------

_MOVE = re.compile(r"\x1b\[(\d*)(?:;(\d*))?H")
_CONTROL_CHARS = re.compile(r"([\x00-\x1f\x7f])")
_ALTERING = re.compile(r"\x1b\[[0-9;]*[JKLMPX@STr]|\x1bc|\x1b\[\?(?:1049|1047|47)[hl]")
_NARROW = re.compile(  # characters one cell wide, never combining: Latin, Cyrillic, № « » …
    "[\x20-\x7e\xa0-\xac\xae-\xff\u0400-\u0482\u048a-\u04ff\u2010-\u2027\u2030-\u205e"
    "\u2116\u2190-\u2199\u2500-\u259f]*"
)
Cell = tuple[str, Sgr]  # the character(s) shown in one cell ("" right of a wide one), style


@dataclass
class _Write:
    """One write of Textual, parsed: the cells it paints, in order, and its other sequences."""

    chars: list[tuple[int, int, Cell, int]] = field(default_factory=list)  # y, x, cell, width
    before: list[str] = field(default_factory=list)  # control sequences before any text
    after: list[str] = field(default_factory=list)  # control sequences after the text
    final_move: str = ""  # the cursor move after the last text (where the cursor rests)


def _parse(data: str) -> _Write | None:
    """Textual's output as cell writes; None for anything the mirror does not model."""
    write, wanted = _Write(), DEFAULT
    y = x = -1  # the cursor; -1: not known
    for i, token in enumerate(_TOKENS.split(data)):
        if not token:
            continue
        if i % 2 == 1:  # an escape sequence
            if (move := _MOVE.fullmatch(token)) is not None:
                y, x = int(move.group(1) or 1) - 1, int(move.group(2) or 1) - 1
                if write.chars:
                    write.final_move = token
                continue
            if token.startswith("\x1b[") and token.endswith("m") and "?" not in token:
                params = token[2:-1]
                style = DEFAULT if params in ("", "0") else parse_sgr(params)
                if style is None or (style != DEFAULT and wanted != DEFAULT):
                    return None  # a style on a style: as written
                wanted = style
                continue
            if _ALTERING.fullmatch(token):
                return None  # the screen changes in a way the mirror does not follow
            (write.after if write.chars else write.before).append(token)
            continue
        for part in _CONTROL_CHARS.split(token):  # text: cells, and maybe \n or a bell
            if not part:
                continue
            if _CONTROL_CHARS.fullmatch(part):
                if part in "\r\n":
                    y = x = -1  # Textual moves the cursor explicitly after a new line
                else:
                    (write.after if write.chars else write.before).append(part)
                continue
            if y < 0 or x < 0 or write.after:
                return None  # text at an unknown place, or after a control sequence
            if _NARROW.fullmatch(part):  # one cell per character (most text): quick
                write.chars += [(y, x + i, (char, wanted), 1) for i, char in enumerate(part)]
                x += len(part)
                write.final_move = ""
                continue
            for char in part:
                width = get_character_cell_size(char)
                if width == 0:  # a combining mark: part of the character written last
                    if not write.chars:
                        return None
                    y0, x0, (text, style), n = write.chars[-1]
                    write.chars[-1] = (y0, x0, (text + char, style), n)
                    continue
                write.chars.append((y, x, (char, wanted), width))
                x += width
            write.final_move = ""
    return write


def _wide(cell: Cell | None) -> bool:
    """The cell holds a wide character or the right half of one."""
    return cell is not None and (cell[0] == "" or get_character_cell_size(cell[0][0]) == 2)


class Mirror:
    """What the terminal shows, cell by cell; a write of Textual becomes what changed.

    Textual repaints a changed region from the left edge of the widget that
    holds it to the region's right edge, so one changed cell of the mark grid
    costs most of a line.  The mirror keeps the cells as written and sends only
    the runs of cells that differ (runs closer than :attr:`GAP` cells are joined:
    a cursor move costs more than a few cells).  A write that paints the whole
    screen (a new screen, a resize) goes out as written, so anything that
    disturbed the terminal is repainted at the next screen change.  Anything
    the mirror does not model (a style on a style, a sequence that erases or
    scrolls, text at an unknown place) goes out as written and the mirror
    forgets the screen, so the next writes are sent whole until it is known again.
    A line with a wide character (a second, hidden cell) is sent as Textual
    wrote it.
    """

    GAP = 3

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.size: tuple[int, int] | None = None  # (width, height)
        self.cursor = ""  # the last cursor move sent after text

    def forget(self) -> None:
        self.cells.clear()
        self.cursor = ""

    def update(self, data: str, size: tuple[int, int] | None) -> str:
        """What to send for ``data`` (Textual's output); the mirror takes its cells."""
        if size != self.size:
            self.forget()
            self.size = size
        write = _parse(data) if size is not None else None
        if write is None:
            self.forget()
            return squeeze_sgr(data)
        if not write.chars:
            return squeeze_sgr(data)  # only control sequences
        old, new = self.cells, dict(self.cells)
        written: dict[int, set[int]] = {}
        for y, x, cell, width in write.chars:
            self._put(new, y, x, cell, width)
            written.setdefault(y, set()).update(range(x, x + width))
        self.cells = new
        width, height = size  # type: ignore[misc]
        if (
            sum(len({x for x in xs if x < width}) for y, xs in written.items() if y < height)
            >= width * height
        ):
            self.cursor = write.final_move
            return squeeze_sgr(data)  # the whole screen: as written
        out = list(write.before)
        actual = DEFAULT
        for y in sorted(written):
            xs = sorted(written[y])
            if any(_wide(old.get((y, x))) or _wide(new.get((y, x))) for x in xs):
                runs = self._runs(y, xs, 0)  # a wide character: all that Textual wrote
            else:
                runs = self._runs(y, [x for x in xs if new[(y, x)] != old.get((y, x))])
            for run in runs:
                out.append(f"\x1b[{y + 1};{run[0] + 1}H")
                for x in run:
                    text, style = new[(y, x)]
                    if style != actual:
                        out.append(actual.change_to(style))
                        actual = style
                    out.append(text)
        if actual != DEFAULT:
            out.append(RESET)
        out += write.after
        if len(out) > len(write.before) + len(write.after) or write.final_move != self.cursor:
            out.append(write.final_move)
            self.cursor = write.final_move or self.cursor
        return "".join(out)

    @staticmethod
    def _put(cells: dict[tuple[int, int], Cell], y: int, x: int, cell: Cell, width: int) -> None:
        """Write a character as a terminal does: half of a wide one left over turns blank."""
        left, right = cells.get((y, x)), cells.get((y, x + width - 1))
        if left is not None and left[0] == "" and (y, x - 1) in cells:
            cells[(y, x - 1)] = (" ", cells[(y, x - 1)][1])
        if right is not None and right[0] != "" and _wide(right) and (y, x + width) in cells:
            cells[(y, x + width)] = (" ", cells[(y, x + width)][1])
        cells[(y, x)] = cell
        if width == 2:
            cells[(y, x + 1)] = ("", cell[1])

    def _runs(self, y: int, xs: list[int], gap: int = GAP) -> list[list[int]]:
        """Cells of a row as runs to write, gaps of up to ``gap`` known cells joined."""
        runs: list[list[int]] = []
        for x in xs:
            if (
                runs
                and x - runs[-1][-1] - 1 <= gap
                and all((y, between) in self.cells for between in range(runs[-1][-1] + 1, x))
            ):
                runs[-1].extend(range(runs[-1][-1] + 1, x + 1))
            else:
                runs.append([x])
        return runs


def quiet_driver(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class`` whose writes go through a :class:`Mirror` (and :func:`squeeze_sgr`)."""

    class QuietDriver(driver_class):  # type: ignore[valid-type, misc]
        _mirror: Mirror | None = None

        def write(self, data: str) -> None:
            if self._mirror is None:
                self._mirror = Mirror()
            super().write(self._mirror.update(data, self._terminal_size()))

        def _terminal_size(self) -> tuple[int, int] | None:
            """The terminal's size now (a resize makes the mirror forget the screen)."""
            try:
                columns, lines = os.get_terminal_size(self._file.fileno())
            except (AttributeError, OSError, ValueError):
                return None  # not a terminal: styles are squeezed, nothing is mirrored
            return columns, lines

    QuietDriver.__name__ = QuietDriver.__qualname__ = f"Quiet{driver_class.__name__}"
    return QuietDriver
