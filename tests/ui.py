"""Helpers for the Pilot tests of the screens."""

from __future__ import annotations

import html
import re

PASSWORD = "верный-пароль-1"
"""The password the UI tests give their users (tests.conftest.set_password)."""


async def settle(app, pilot, rounds: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages be handled: ``rounds`` quiet rounds in a row
    (no worker left running after the messages were handled), at most 50 rounds."""
    from textual.worker import WorkerCancelled, WorkerFailed

    quiet = 0
    for _ in range(50):
        for worker in list(app.workers):
            try:
                await worker.wait()
            except WorkerCancelled:  # e.g. the load of a screen closed meanwhile: it is over
                pass
            except WorkerFailed:  # over too; its failure is the screen's to show
                if worker.exit_on_error:  # not meant to fail: the app ends with the error
                    raise
        await pilot.pause()
        if any(not worker.is_finished for worker in app.workers):
            quiet = 0
            continue
        quiet += 1
        if quiet >= rounds:
            return


async def poll(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """What the change watchers do every few seconds, now: look for other sessions'
    changes on every open screen, then let the reloads finish (no test sleeps)."""
    for screen in app.screen_stack:
        watcher = getattr(screen, "watcher", None)
        if watcher is not None:
            watcher.check()
    await settle(app, pilot)


async def burst(app, pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a fast typist over SSH: every key arrives at once, then the app catches
    up.  (``pilot.press`` waits for the app to go idle after each key: 40 ms a key.)"""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    for key in keys:  # the key events Pilot.press makes, without its waits
        char: str | None = key if len(key) == 1 else None  # as the terminal's parser: «№»
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        if char is None:
            try:
                char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
            except KeyError:
                char = None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


async def sign_in(app, pilot, login: str = "uchitel", password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Type as a user does: login, Enter, password, Enter — with no pause between."""
    await settle(app, pilot, 1)
    await burst(app, pilot, *login, "enter", *password, "enter")
    await settle(app, pilot)


async def toast_text(app, pilot) -> str:  # type: ignore[no-untyped-def]
    """The text of the notifications on screen (toasts mount a moment after notify)."""
    for _ in range(50):
        await pilot.pause(0.05)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        if toasts:
            return "\n".join(toasts)
    return ""


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """The painted screen as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def screen_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The terminal as the user sees it, line by line (the top screen composited)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def open_menu_task(app, pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    """From the menu the user landed on (past the setup checklist the administrator of an
    unfinished school lands on), open the task ``key`` as the user would: highlight, Enter."""
    from textual.widgets import OptionList

    from zhurnal.tui.screens.checklist import ChecklistScreen

    if isinstance(app.screen, ChecklistScreen):
        await pilot.press("escape")
        await settle(app, pilot)
    options = app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(key)
    await pilot.press("enter")
    await settle(app, pilot, 3)


def set_field(app, key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Leave ``value`` in the open form's field ``key``: typed into a line or a text
    area, or, in a list, the option of that value highlighted."""
    from textual.widgets import Input, OptionList, TextArea

    widget = app.screen.query_one(f"#field-{key}")
    if isinstance(widget, OptionList):
        widget.highlighted = widget.get_option_index(value)
    elif isinstance(widget, TextArea):
        widget.text = value
    else:
        assert isinstance(widget, Input)
        widget.value = value


def form_error(app) -> str:  # type: ignore[no-untyped-def]
    """The refusal shown in the open form (as painted: it is on screen)."""
    from textual.widgets import Static

    error = app.screen.query_one("#form-error", Static)
    region = error.region
    assert region.height > 0 and region.y >= 0 and region.bottom <= app.size.height
    return str(error.content)
