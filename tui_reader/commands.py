"""The command palette (ctrl+p): the app's actions, plus one entry per feed and per tag.

The actions and their keys come from :mod:`tui_reader.keymap`; each entry's help ends
with the key that does the same, after the user's remapping.

Feed titles and tags are hostile text. The palette renders a plain ``str`` prompt as
markup, and ``Matcher.highlight`` parses its candidate as markup too, so every prompt
here is built as ``Content`` and highlighted by hand. Commands never embed feed text in
an action string: feeds are named by their integer id, tags go through a method call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.style import Style

from .core.models import FeedInfo
from .core.sanitize import clean_text
from .core.session import Session
from .guard import CACHE_ERRORS, report_cache_error
from .keymap import Action, Keymap


@dataclass(frozen=True, slots=True)
class Entry:
    """One palette command: its plain text, help and what choosing it does."""

    text: str
    help: str
    command: Callable[[], Any]


class ReaderApp(Protocol):
    """What the palette needs from the app (TuiReaderApp, or a test's stand-in)."""

    session: Session

    @property
    def keymap(self) -> Keymap: ...

    def show_tag(self, tag: str) -> None: ...

    async def run_command(self, action: Action) -> None: ...


def highlight(matcher: Matcher, text: str) -> Content:
    """``Matcher.highlight`` without parsing *text* as markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    style: Style = matcher.match_style
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


class TuiReaderCommands(Provider):
    """App actions, feeds ("Feed: World Desk") and tags ("Tag: #news")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._feeds: list[FeedInfo] = []
        self._tags: list[str] = []

    @property
    def reader(self) -> ReaderApp:
        """The app, as the palette uses it."""
        return cast(ReaderApp, self.app)

    async def startup(self) -> None:
        """Read feeds and tags once per palette opening, off the event loop.

        If the cache cannot be read, that is one notification and the palette still offers
        the app's actions.
        """
        store = self.reader.session.store
        try:
            self._feeds, self._tags = await asyncio.to_thread(
                lambda: (store.feeds(), store.tags())
            )
        except CACHE_ERRORS as exc:
            self._feeds, self._tags = [], []
            report_cache_error(self.app, exc)

    def entries(self) -> list[Entry]:
        """Everything the palette can offer, fixed actions first."""
        run = self.app.run_action
        # A tag goes to a method call, never through an action string.
        show_tag = self.reader.show_tag
        found = [
            Entry(action.palette_title, f"{action.palette_help or action.doc_text} · {key}",
                  partial(self.reader.run_command, action))
            for action, key in self.reader.keymap.palette_entries()
        ]
        for feed in self._feeds:
            name = clean_text(feed.display_title, 100)
            found.append(
                Entry(
                    f"Feed: {name}",
                    f"{feed.unread:,} unread",
                    partial(run, f"show_feed({int(feed.id)})"),
                )
            )
        for tag in self._tags:
            label = f"Tag: #{clean_text(tag, 40)}"
            found.append(Entry(label, "Feeds with this tag", partial(show_tag, tag)))
        return found

    async def discover(self) -> Hits:
        for entry in self.entries():
            yield DiscoveryHit(
                Content(entry.text), entry.command, text=entry.text, help=entry.help
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            score = matcher.match(entry.text)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, entry.text),
                    entry.command,
                    text=entry.text,
                    help=entry.help,
                )
