"""Quiet on the wire (issue 7): what the app sends to the terminal, and that it shows the same.

``tui.wire`` rewrites Textual's output (styles squeezed; only the cells that
changed, through a mirror of the screen).  A small reference terminal here
plays the original and the rewritten output; after every write the two screens
must be the same, cell for cell and style for style.  The byte counts of a real
session are in ``bench/bench_wire.py``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import get_character_cell_size
from textual._compositor import CompositorUpdate
from textual.geometry import Region
from textual.widgets import Input

from tests.conftest import make_db, set_password
from tests.school import NOW, build
from tests.ui import PASSWORD, burst, settle
from zhurnal.tui.app import make_app
from zhurnal.tui.screens.grid import GridScreen
from zhurnal.tui.widgets import MarkGrid
from zhurnal.tui.widgets.loading import LoadingNote
from zhurnal.tui.wire import DEFAULT, Mirror, parse_sgr, squeeze_sgr

TODAY = date(2026, 11, 23)
TOKENS = re.compile(r"(\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.)")


class Terminal:
    """A reference terminal: cells of (text, attributes, foreground, background)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        blank = ("", frozenset(), None, None)
        self.cells = [[(" ", *blank[1:]) for _ in range(width)] for _ in range(height)]
        self.y = self.x = 0
        self.attributes: frozenset[str] = frozenset()
        self.fg: str | None = None
        self.bg: str | None = None

    def feed(self, data: str) -> None:
        for i, token in enumerate(TOKENS.split(data)):
            if i % 2:
                self._sequence(token)
            else:
                for char in token:
                    self._char(char)

    def _sequence(self, token: str) -> None:
        if token.endswith("H") and token.startswith("\x1b[") and "?" not in token:
            y, _, x = token[2:-1].partition(";")
            self.y, self.x = int(y or 1) - 1, int(x or 1) - 1
        elif token.endswith("m") and token.startswith("\x1b[") and "?" not in token:
            params = token[2:-1].split(";")
            i = 0
            while i < len(params):
                p = params[i]
                if p in ("", "0"):
                    self.attributes, self.fg, self.bg = frozenset(), None, None
                elif p in ("38", "48"):
                    n = 3 if params[i + 1] == "5" else 5
                    colour = ";".join(params[i : i + n])
                    self.fg, self.bg = (colour, self.bg) if p == "38" else (self.fg, colour)
                    i += n
                    continue
                elif p == "39":
                    self.fg = None
                elif p == "49":
                    self.bg = None
                elif 30 <= int(p) <= 37 or 90 <= int(p) <= 97:
                    self.fg = p
                elif 40 <= int(p) <= 47 or 100 <= int(p) <= 107:
                    self.bg = p
                else:
                    self.attributes |= {p}
                i += 1

    def _char(self, char: str) -> None:
        if char == "\n":
            self.y += 1
            return
        if char == "\r":
            self.x = 0
            return
        width = get_character_cell_size(char)
        if width == 0:  # a combining mark joins the character before
            x = self.x - 1 if self.cells[self.y][self.x - 1][0] else self.x - 2
            text, *style = self.cells[self.y][x]
            self.cells[self.y][x] = (text + char, *style)
            return
        for dx in range(width):
            self._clear_wide(self.x + dx)
        cell = (self.attributes, self.fg, self.bg)
        self.cells[self.y][self.x] = (char, *cell)
        if width == 2:
            self.cells[self.y][self.x + 1] = ("", *cell)
        self.x += width

    def _clear_wide(self, x: int) -> None:
        """Writing over half of a wide character blanks its other half."""
        row = self.cells[self.y]
        if row[x][0] == "" and x > 0:
            row[x - 1] = (" ", *row[x - 1][1:])
        elif x + 1 < self.width and get_character_cell_size(row[x][0][:1] or " ") == 2:
            row[x + 1] = (" ", *row[x + 1][1:])

    def screen(self) -> list[list[tuple[object, ...]]]:
        return [list(row) for row in self.cells]


def played(writes: list[str], size: tuple[int, int]) -> None:
    """The writes as Textual sent them and as the mirror sends them show the same."""
    plain, quiet, mirror = Terminal(*size), Terminal(*size), Mirror()
    for n, data in enumerate(writes):
        plain.feed(data)
        quiet.feed(mirror.update(data, size))
        assert quiet.screen() == plain.screen(), f"write {n}: {data!r}"


# --- styles squeezed ---------------------------------------------------------------------


def test_a_run_of_one_style_is_set_once() -> None:
    data = "\x1b[1;31mab\x1b[0m\x1b[1;31mcd\x1b[0m"
    assert squeeze_sgr(data) == "\x1b[1;31mabcd\x1b[0m"


def test_a_cursor_move_keeps_the_style() -> None:
    data = "\x1b[31ma\x1b[0m\x1b[3;4H\x1b[31mb\x1b[0m"
    assert squeeze_sgr(data) == "\x1b[31ma\x1b[3;4Hb\x1b[0m"


def test_a_change_of_colour_sends_only_the_colour() -> None:
    data = "\x1b[38;5;253;48;5;234ma\x1b[0m\x1b[38;5;247;48;5;234mb\x1b[0m"
    assert squeeze_sgr(data) == "\x1b[38;5;253;48;5;234ma\x1b[38;5;247mb\x1b[0m"


def test_an_attribute_switched_off_needs_a_reset() -> None:
    data = "\x1b[1;31ma\x1b[0m\x1b[31mb\x1b[0m"
    assert squeeze_sgr(data) == data


def test_other_sequences_pass_in_order() -> None:
    data = "\x1b[31ma\x1b[0m\x1b[?25l\x07b"
    assert squeeze_sgr(data) == "\x1b[31ma\x1b[0m\x1b[?25l\x07b"


def test_parse_sgr() -> None:
    style = parse_sgr("1;38;2;10;20;30;48;5;17")
    assert style is not None
    assert (style.attributes, style.foreground, style.background) == (
        frozenset({"1"}),
        "38;2;10;20;30",
        "48;5;17",
    )
    assert parse_sgr("0;1") is None  # a reset inside: written as it is
    assert DEFAULT.change_to(style) == style.sequence()


# --- the mirror -------------------------------------------------------------------------


def test_only_the_changed_cells_go_out() -> None:
    mirror, size = Mirror(), (10, 2)
    full = "\x1b[1;1H\x1b[31mabcdefghij\x1b[0m\n\x1b[2;1H\x1b[32mklmnopqrst\x1b[0m\x1b[1;1H"
    assert mirror.update(full, size) == squeeze_sgr(full)  # a whole screen: as written
    line = "\x1b[2;1H\x1b[32mklmnoXqrst\x1b[0m\x1b[1;1H"
    assert mirror.update(line, size) == "\x1b[2;6H\x1b[32mX\x1b[0m\x1b[1;1H"  # and the cursor
    assert mirror.update(line, size) == ""  # the same again: nothing


def test_what_the_mirror_cannot_follow_goes_out_as_written() -> None:
    mirror, size = Mirror(), (4, 1)
    mirror.update("\x1b[1;1Habcd", size)
    data = "\x1b[1;1Habcd\x1b[2J"
    assert mirror.update(data, size) == data
    assert mirror.update("\x1b[1;1Habcd", size) == "\x1b[1;1Habcd"  # the screen is forgotten


def test_a_resize_forgets_the_screen() -> None:
    mirror = Mirror()
    mirror.update("\x1b[1;1Habcd", (4, 1))
    assert mirror.update("\x1b[1;1Habcd", (5, 1)) == "\x1b[1;1Habcd"


STYLES = [
    None,
    "31",
    "1;31",
    "38;5;253;48;5;234",
    "38;5;247;48;5;234",
    "7;38;5;23;48;5;234",
    "3;4;38;2;250;200;0",
    "48;5;17",
    "1;38;5;253;48;5;17",
    "2",
]
CHARS = "ab │·Жё5×中😀\u0301"


@st.composite
def textual_writes(draw: st.DrawFn) -> tuple[tuple[int, int], list[str]]:
    """Writes shaped like Textual's: whole screens, and spans of lines (a line may have two)."""
    width, height = draw(st.integers(4, 12)), draw(st.integers(1, 4))
    writes = []
    for n in range(draw(st.integers(1, 8))):
        full = n == 0 or draw(st.booleans())
        rows = (
            range(height)
            if full
            else draw(st.lists(st.integers(0, height - 1), min_size=1, max_size=height + 2))
        )
        parts = []
        for y in rows:
            start = 0 if full else draw(st.integers(0, width - 1))
            end = width if full else draw(st.integers(start + 1, width))
            parts.append(f"\x1b[{y + 1};{start + 1}H" + segments(draw, end - start))
        writes.append("\n".join(parts) + f"\x1b[{draw(st.integers(1, height))};1H")
    return (width, height), writes


def segments(draw: st.DrawFn, cells: int) -> str:
    out, text, style = [], "", draw(st.sampled_from(STYLES))
    while cells:
        char = draw(st.sampled_from(CHARS))
        width = get_character_cell_size(char)
        if width == 0 and not text:
            continue
        if width > cells:
            char, width = "x", 1
        text += char
        cells -= width
        if draw(st.integers(0, 3)) == 0 or not cells:
            out.append(text if style is None else f"\x1b[{style}m{text}\x1b[0m")
            text, style = "", draw(st.sampled_from(STYLES))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(textual_writes())
def test_the_mirror_shows_what_textual_wrote(case: tuple[tuple[int, int], list[str]]) -> None:
    size, writes = case
    played(writes, size)


# --- the app --------------------------------------------------------------------------


@pytest.fixture
def school(tmp_path, fast_argon2):
    db = make_db(tmp_path / "s.db")
    world = build(db)
    set_password(db, "uchitel", PASSWORD)
    yield world
    db.dispose()


def record_output(app) -> list[str]:  # type: ignore[no-untyped-def]
    """What the app would write to a terminal (a headless app renders it, then drops it)."""
    writes: list[str] = []
    display = app._display

    def recording(screen, renderable):  # type: ignore[no-untyped-def]
        if isinstance(renderable, CompositorUpdate):
            writes.append(renderable.render_segments(app.console) + "\x1b[1;1H")
        return display(screen, renderable)

    app._display = recording
    return writes


async def test_the_grid_through_the_mirror_shows_what_textual_wrote(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        writes = record_output(app)
        app.actor = school.teacher.at(NOW)
        await app.push_screen(GridScreen(app.actor, school.course5, None))
        await settle(app, pilot)
        for key in ("left", "down", "5", "right", "up", "delete", "end", "home"):
            await pilot.press(key)
            await settle(app, pilot, 2)
        app.screen.refresh()  # a whole screen again
        await settle(app, pilot, 1)
    assert len(writes) > 8
    played(writes, (80, 24))


async def test_text_cursors_do_not_blink_and_loading_is_still(school) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        login = app.screen.query_one("#login", Input)
        assert login.has_focus and not login.cursor_blink
        await burst(app, pilot, *"uchitel", "enter")
        await settle(app, pilot, 1)
        assert not app.screen.query_one("#password", Input).cursor_blink
        assert isinstance(app.get_loading_widget(), LoadingNote)
        assert app.get_driver_class().__name__.startswith("Quiet")


async def test_a_covered_screen_does_not_repaint_the_top_one(school) -> None:
    """Under the grid the timetable polls every 3 s; it must not repaint the grid."""
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, *"uchitel", "enter", *PASSWORD, "enter")
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, GridScreen)
        assert app._background_screens == []


async def test_the_grid_repaints_only_what_changed(school, monkeypatch) -> None:
    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.actor = school.teacher.at(NOW)
        await app.push_screen(GridScreen(app.actor, school.course5, None))
        await settle(app, pilot)
        grid = app.screen.query_one(MarkGrid)
        regions: list[Region] = []
        refresh = grid.refresh

        def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
            regions.extend(args or [Region(0, 0, *grid.size)])
            return refresh(*args, **kwargs)

        monkeypatch.setattr(grid, "refresh", recording)
        gradebook = grid.gradebook
        assert gradebook is not None
        grid.load(gradebook)  # a poll's reload of the same page
        for _ in range(3):  # the watcher's looks with nothing changed
            app.screen.watcher.check()
            await settle(app, pilot)
        assert regions == []
        columns = tuple(
            replace(c, assignment_id=c.assignment_id or 999) for c in gradebook.columns
        )  # a first mark creates the assignment
        grid.load(replace(gradebook, columns=columns))
        assert regions == []
        await pilot.press("left")
        assert regions and all(r.width <= 3 and r.height <= 2 for r in regions)
        regions.clear()
        await pilot.press("down")
        assert {r.width for r in regions} <= {3, grid._name_width}


async def test_ctrl_r_repaints_every_cell(school) -> None:
    """The driver sends only changed cells; Ctrl+R makes it forget what the terminal shows
    and paints the whole screen again (after a stray write, e.g. a ``wall`` message)."""
    from textual._compositor import LayoutUpdate

    from zhurnal.tui.wire import DEFAULT, Mirror

    app = make_app(database=school.db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        mirror = Mirror()
        mirror.cells[(0, 0)] = ("x", DEFAULT)  # something the terminal does not show
        app._driver._mirror = mirror  # type: ignore[union-attr]
        shown: list[object] = []
        display = app._display
        app._display = lambda screen, update: (shown.append(update), display(screen, update))[1]  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        assert mirror.cells == {}
        assert any(isinstance(u, LayoutUpdate) and u.region.size == app.size for u in shown)
