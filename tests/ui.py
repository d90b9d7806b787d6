"""Helpers for the Pilot tests of the screens."""

from __future__ import annotations

import html
import re

PASSWORD = "верный-пароль-1"
"""The password the UI tests give their users (tests.conftest.set_password)."""


async def settle(app, pilot, rounds: int = 4) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def poll(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """What the change watchers do every few seconds, now: look for other sessions'
    changes on every open screen, then let the reloads finish (no test sleeps)."""
    for screen in app.screen_stack:
        watcher = getattr(screen, "watcher", None)
        if watcher is not None:
            watcher.check()
    await settle(app, pilot)


async def sign_in(app, pilot, login: str = "uchitel", password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Type as a user does: login, Enter, password, Enter — with no pause between."""
    await settle(app, pilot, 1)
    await pilot.press(*login, "enter", *password, "enter")
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
