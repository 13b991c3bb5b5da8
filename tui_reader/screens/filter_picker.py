"""Choosing what the headline list shows: everything, unread, bookmarks, a tag or a feed.

Typing narrows the list (the Input keeps focus; up/down move the highlight), which is
quicker than scrolling once there are dozens of feeds. An OptionList is fine here: it
holds feeds and tags, never headlines. Feed titles are hostile, so every option is
built as ``Content`` from plain text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..core.models import FeedInfo, HeadlineFilter
from ..core.sanitize import clean_text
from ..core.store import Store
from ..guard import CACHE_ERRORS, report_cache_error

REVERSE = Style(reverse=True)


class PickerOptions(OptionList):
    """The choices; with 16 colours or none the highlighted one is in reverse video.

    The highlight is a background shade that NO_COLOR drops (and the Linux console may
    show as black), and Textual's option styles leave out reverse, so it is added here.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        highlighted = self.highlighted
        if highlighted is None or not self.app.has_class("-few-colors"):
            return strip
        for segment in strip:  # each option's lines carry its index in their meta
            if segment.style is not None and segment.style.meta.get("option") == highlighted:
                return strip.apply_style(REVERSE)
        return strip


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the picker: what it reads as, what it selects, and its counts."""

    key: str
    label: str
    filter: HeadlineFilter
    detail: str = ""


def _unread(n: int) -> str:
    return f"({n:,} unread)"


def build_choices(
    feeds: list[FeedInfo], tags: list[str], current: HeadlineFilter
) -> list[Choice]:
    """Fixed views first, then tags, then feeds.

    A tag or feed keeps the current "unread only" setting; the three fixed views reset it.
    """
    total_unread = sum(f.unread for f in feeds)
    tag_unread: Counter[str] = Counter()
    for feed in feeds:
        for tag in feed.tags:
            tag_unread[tag] += feed.unread
    unread_only = current.unread_only
    choices = [
        Choice("all", "All feeds", HeadlineFilter(), _unread(total_unread)),
        Choice("unread", "Unread only", HeadlineFilter(unread_only=True)),
        Choice("bookmarks", "Bookmarks", HeadlineFilter(bookmarked=True)),
    ]
    for index, tag in enumerate(tags):
        choices.append(
            Choice(
                f"tag-{index}",
                f"#{clean_text(tag, 40)}",
                HeadlineFilter(tag=tag, unread_only=unread_only),
                _unread(tag_unread.get(tag, 0)),
            )
        )
    for feed in feeds:
        detail = _unread(feed.unread)
        if feed.dead:
            detail += " · dead"
        elif feed.last_status == "error":
            detail += " · failing"
        choices.append(
            Choice(
                f"feed-{feed.id}",
                clean_text(feed.display_title, 80),
                HeadlineFilter(feed_id=feed.id, unread_only=unread_only),
                detail,
            )
        )
    return choices


def _is_current(choice: Choice, current: HeadlineFilter) -> bool:
    wanted = choice.filter
    if current.feed_id is not None or current.tag:
        return wanted.feed_id == current.feed_id and wanted.tag == current.tag
    if current.bookmarked:
        return choice.key == "bookmarks"
    if current.unread_only:
        return choice.key == "unread"
    return choice.key == "all"


class FilterPicker(ModalScreen[HeadlineFilter | None]):
    """Returns the chosen :class:`HeadlineFilter`, or None when cancelled."""

    CSS_PATH = "../styles/dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
    ]

    def __init__(self, store: Store, current: HeadlineFilter) -> None:
        super().__init__()
        self.store = store
        self.current = current
        self.choices: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog picker"):
            yield Static(Content("Show headlines from…"), id="picker-title")
            yield Input(placeholder="type to filter", id="picker-input")
            yield PickerOptions(id="picker-options")
            yield Static(
                Content("enter to choose · ↑↓ to move · escape to cancel"), id="picker-hint"
            )

    def on_mount(self) -> None:
        try:
            feeds, tags = self.store.feeds(), self.store.tags()
        except CACHE_ERRORS as exc:
            # The fixed views still work as choices; the feeds and tags are left out.
            feeds, tags = [], []
            report_cache_error(self, exc)
        self.choices = build_choices(feeds, tags, self.current)
        self._show("")
        self.query_one(Input).focus()

    def _show(self, text: str) -> None:
        words = text.lower().split()
        shown = [
            c for c in self.choices if all(w in c.label.lower() for w in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(
                Content.assemble(c.label, (f"  {c.detail}" if c.detail else "", "dim")),
                id=c.key,
            )
            for c in shown
        )
        if not shown:
            return
        highlight = 0
        if not words:
            highlight = next(
                (i for i, c in enumerate(shown) if _is_current(c, self.current)), 0
            )
        options.highlighted = highlight

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, key: str | None) -> None:
        choice = next((c for c in self.choices if c.key == key), None)
        if choice is not None:
            self.dismiss(choice.filter)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count == 0:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)
