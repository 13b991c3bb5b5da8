"""Driving the command palette from a test, as a person types into it."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import OptionList


async def palette_prompts(app: App[Any], pilot: Any, query: str, expect: str) -> list[str]:
    """Open the palette, type *query*, and wait until an entry starts with *expect*; the
    entries as "text\\nhelp", best match first."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    options = app.screen.query_one(OptionList)
    prompts: list[str] = []
    for _ in range(60):
        await pilot.pause(0.05)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        if any(p.startswith(expect) for p in prompts):
            break
    return prompts
