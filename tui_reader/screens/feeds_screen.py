"""Managing subscriptions: what each feed last did, and adding, removing, refreshing.

Every network call runs in a worker and reports back in the one-line status under the
table; a worker that fails anyway becomes a one-line notification, never a traceback.
Feed titles, URLs and errors come from the network, so they are shown as plain text.
The screen dismisses with True when anything changed, so the caller can reload.

Fetching goes through the app's services (the same parsing process as every refresh);
``core.subscribe`` and the HTTP libraries behind it are imported only inside the workers
that use them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from ..actions import bindings_for
from ..core.demo_mode import DEMO_REFUSAL
from ..core.errors import UserError
from ..core.feed_status import due_words, status_words
from ..core.http_url import address_without_scheme, display_url, is_http_url
from ..core.models import FeedInfo, FeedStatus, HeadlineFilter
from ..core.sanitize import clean_text
from ..guard import CACHE_ERRORS, cache_error_text
from ..services import ReaderServices
from ..text import plural
from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from ..core.refresh import RefreshReport

COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "Feed"),
    ("counts", "Unread/All"),
    ("tags", "Tags"),
    ("status", "Last fetch"),
    ("due", "Next"),
)


def _cell(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


class FeedTable(DataTable[Text]):
    """The subscriptions table, moved with the same keys as the headline list."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("feeds_table")


class FeedsScreen(Screen[bool]):
    """The subscriptions table. Dismisses with True if feeds were added, removed or fetched."""

    CSS_PATH = "../styles/feeds.tcss"

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("feeds")

    def __init__(self, services: ReaderServices) -> None:
        super().__init__()
        self.services = services
        self.session = services.session
        self.clock = services.clock
        self.demo = services.demo
        """In ``--demo`` the bundled feeds are never fetched."""
        self.changed = False
        self.retry_url = ""  # the address of an add that failed: the next add starts there
        self.feeds: list[FeedInfo] = []
        self._busy: set[int] = set()
        self._widths: tuple[int, ...] = ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An action [keys] left with no key leaves the footer."""
        return action not in self.services.keymap.hidden("feeds")

    def compose(self) -> ComposeResult:
        yield Static(Content("Feeds"), id="feeds-title")
        yield FeedTable(id="feeds-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="feeds-detail")
        yield Static(id="feeds-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.focus()
        try:
            feeds = self.session.store.feeds()
        except CACHE_ERRORS as exc:
            self._show([])
            self.query_one("#feeds-detail", Static).update(
                Content("The subscriptions could not be read from the cache.")
            )
            self._cache_failed(exc)
            return
        self._show(feeds)

    # -- the table ----------------------------------------------------------------------

    @property
    def table(self) -> FeedTable:
        return self.query_one("#feeds-table", FeedTable)

    def _column_widths(self) -> tuple[int, ...]:
        width = max(self.size.width or self.app.size.width, 60)
        tags, status = (10, 18) if width < 100 else (16, 30)
        counts, due = 11, 8
        padding = 2 * len(COLUMNS) + 2
        title = max(16, width - padding - counts - tags - status - due)
        return (title, counts, tags, status, due)

    def _show(self, feeds: list[FeedInfo], select_id: int | None = None) -> None:
        """Fill the table, keeping the cursor on the same feed where possible."""
        table = self.table
        if select_id is None:
            current = self.highlighted
            select_id = current.id if current else None
        old_row = table.cursor_row
        self.feeds = feeds
        widths = self._column_widths()
        table.clear(columns=widths != self._widths)
        if widths != self._widths:
            for (key, label), width in zip(COLUMNS, widths, strict=True):
                table.add_column(label, key=key, width=width)
            self._widths = widths
        now = self.clock()
        for feed in feeds:
            status = status_words(feed, now)
            style = ""
            if feed.dead:
                style = "bold red"
            elif feed.last_status == FeedStatus.ERROR:
                style = "red"
            elif feed.last_status is None:
                style = "dim"
            table.add_row(
                _cell(clean_text(feed.display_title, 200), "bold" if feed.unread else ""),
                _cell(f"{feed.unread:,}/{feed.total:,}"),
                _cell(" ".join(f"#{clean_text(t, 40)}" for t in feed.tags), "dim"),
                _cell(status, style),
                # The demo's feeds are never fetched ("Nov 2036" read like a bug).
                _cell("never" if self.demo else due_words(feed, now), "dim"),
                key=str(feed.id),
            )
        title = f"Feeds · {plural(len(feeds), 'subscription')}"
        self.query_one("#feeds-title", Static).update(Content(title))
        if feeds:
            index = next((i for i, f in enumerate(feeds) if f.id == select_id), None)
            table.move_cursor(row=index if index is not None else min(old_row, len(feeds) - 1))
        self._update_detail()

    async def _reload(self, select_id: int | None = None) -> bool:
        """Read the feeds again; False (and said so) when the cache cannot be read."""
        try:
            feeds = await asyncio.to_thread(self.session.store.feeds)
        except CACHE_ERRORS as exc:
            self._cache_failed(exc)
            return False
        self._show(feeds, select_id)
        return True

    def on_resize(self) -> None:
        if self.is_mounted and self._column_widths() != self._widths:
            self._show(self.feeds)

    @property
    def highlighted(self) -> FeedInfo | None:
        """The feed under the cursor."""
        row = self.table.cursor_row
        if not self.feeds or not 0 <= row < len(self.feeds):
            return None
        return self.feeds[row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def _update_detail(self) -> None:
        detail = self.query_one("#feeds-detail", Static)
        feed = self.highlighted
        if feed is None:
            add = self.services.keymap.hint("feeds.add")
            detail.update(
                Content(f"No subscriptions yet: press {add} to add a feed or a web page.")
            )
            return
        lines = [Content.assemble(("URL    ", "bold"), display_url(feed.url))]
        if feed.last_error:
            label = "Dead   " if feed.dead else "Error  "
            words = clean_text(feed.last_error)
            if feed.poll_reason and not feed.dead:
                words += f" · next {due_words(feed, self.clock())}: {feed.poll_reason}"
            lines.append(Content.assemble((label, "bold $error"), words))
        else:
            words = status_words(feed, self.clock())
            if feed.site_url:
                words += f" · site {clean_text(feed.site_url)}"
            if feed.poll_reason and not feed.dead:
                words += f" · next {due_words(feed, self.clock())}: {feed.poll_reason}"
            lines.append(Content.assemble(("Status ", "bold"), words))
        detail.update(Content("\n").join(lines))

    def _say(self, text: str, *, error: bool = False) -> None:
        """The one-line progress/result message under the table."""
        status = self.query_one("#feeds-status", Static)
        status.update(Content(clean_text(text, 300)))
        status.set_class(error, "-error")

    def _cache_failed(self, error: BaseException) -> None:
        self._say(f"Cache problem: {cache_error_text(error)}", error=True)

    def _refuse_in_demo(self) -> bool:
        """In demo mode, say that nothing is fetched and return True."""
        if self.demo:
            self._say(DEMO_REFUSAL)
        return self.demo

    # -- actions ------------------------------------------------------------------------

    def action_help(self) -> None:
        from .help_screen import show_help

        show_help(self.app, self.services.keymap, page="feeds", title="Feeds keys")

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        from .search_dialog import InputDialog

        if self._refuse_in_demo():
            return

        dialog = InputDialog(
            "Add a feed: paste its URL, or a web page that links to one",
            self.retry_url,  # what failed last time, to correct rather than type again
            placeholder="https://example.org/feed.xml",
        )
        self.app.push_screen(dialog, self._add_url)

    def _add_url(self, url: str | None) -> None:
        if not url:
            return
        self.retry_url = url
        if not is_http_url(url) and not address_without_scheme(url):  # example.org/feed
            self._say(f"Not an http(s) URL: {display_url(url)}", error=True)
            return
        self.add_feed(url)

    @work(exclusive=True, group="feeds-add", exit_on_error=False)
    async def add_feed(self, url: str) -> None:
        """Find the feed behind *url*, subscribe, then fetch it once."""
        if self._refuse_in_demo():
            return
        from ..core.subscribe import add_subscription, already_subscribed, resolve_with_settings

        session = self.session
        try:
            if said := await asyncio.to_thread(already_subscribed, session, url):
                self._say(said)
                return
            self._say(f"Looking for a feed at {display_url(url)}…")
            feed_url, title = await resolve_with_settings(session.settings, url)
            if said := await asyncio.to_thread(already_subscribed, session, feed_url):
                self._say(said)
                return
            sub = await asyncio.to_thread(add_subscription, session, feed_url)
            self.changed = True
            self.retry_url = ""
            info = await asyncio.to_thread(session.store.feed_by_url, sub.url)
        except UserError as exc:
            self._say(str(exc), error=True)
            return
        except CACHE_ERRORS as exc:
            self._cache_failed(exc)
            return
        if not await self._reload(info.id if info else None):
            return
        if info is None:
            self._say(f"Added {title or display_url(sub.url)}")
            return
        self._say(f"Added {title or display_url(sub.url)}; fetching it…")
        await self._refresh(info)

    def action_refresh_feed(self) -> None:
        if self._refuse_in_demo():
            return
        feed = self.highlighted
        if feed is None:
            self._say("No feed to refresh")
            return
        if feed.id in self._busy:
            self._say(f"Already fetching {clean_text(feed.display_title, 80)}")
            return
        self.refresh_feed(feed)

    @work(group="feeds-refresh", exit_on_error=False)
    async def refresh_feed(self, feed: FeedInfo) -> None:
        """Fetch one feed now, whatever its schedule."""
        if self._refuse_in_demo():
            return
        self._say(f"Fetching {clean_text(feed.display_title, 80)}…")
        await self._refresh(feed)

    async def _refresh(self, feed: FeedInfo) -> None:
        """Fetch *feed*, then show the table as it is now and say how it went."""
        self._busy.add(feed.id)
        try:
            report = await self.services.refresh_feeds([feed.id])
        except UserError as exc:
            self._say(str(exc), error=True)
            await self._reload(feed.id)
            return
        except CACHE_ERRORS as exc:
            self._cache_failed(exc)
            return
        finally:
            self._busy.discard(feed.id)
        self.changed = True
        if await self._reload(feed.id):
            self._report(feed, report)

    def _report(self, feed: FeedInfo, report: RefreshReport) -> None:
        if not report.outcomes:
            self._say(f"{clean_text(feed.display_title, 80)} is no longer subscribed")
            return
        outcome = report.outcomes[0]
        name = clean_text(outcome.title, 80)
        if outcome.error:
            self._say(f"{name}: {outcome.status}: {outcome.error}", error=True)
        elif outcome.status == FeedStatus.NOT_MODIFIED:
            self._say(f"{name}: not modified")
        else:
            self._say(f"{name}: {outcome.new} new, {outcome.updated} updated")

    def action_remove(self) -> None:
        from .confirm import ConfirmDialog

        feed = self.highlighted
        if feed is None:
            return
        try:
            kept = self.session.store.count(HeadlineFilter(feed_id=feed.id, bookmarked=True))
        except CACHE_ERRORS as exc:
            self._cache_failed(exc)
            return
        if kept:
            keep = f"Its {plural(kept, 'bookmarked story is', 'bookmarked stories are')} kept."
        else:
            keep = "Bookmarked stories are always kept."
        question = (
            f"Unsubscribe from “{clean_text(feed.display_title, 120)}”?\n"
            f"{display_url(feed.url, 200)}\n\n"
            f"Its stories are removed from the cache. {keep}"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_feed(feed)

        self.app.push_screen(ConfirmDialog(question, yes="Remove", no="Keep"), answered)

    @work(group="feeds-remove", exit_on_error=False)
    async def remove_feed(self, feed: FeedInfo) -> None:
        """Drop the feed from feeds.toml and the cache (bookmarks stay)."""
        from ..core.subscribe import remove_subscription

        try:
            removed = await asyncio.to_thread(remove_subscription, self.session, feed.url)
        except UserError as exc:
            self._say(str(exc), error=True)
            return
        except CACHE_ERRORS as exc:
            self._cache_failed(exc)
            return
        name = clean_text(feed.display_title, 80)
        if removed:
            self.changed = True
        if not await self._reload():
            return
        if removed:
            self._say(f"Removed {name}; bookmarked stories are kept")
        else:
            self._say(f"{name} was already gone")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Last line of defence: a failed worker becomes one line, not a traceback."""
        if event.state != WorkerState.ERROR:
            return
        event.stop()  # reported here; the app would otherwise notify it a second time
        error = event.worker.error
        text = clean_text(f"{type(error).__name__}: {error}" if error else "unknown error", 200)
        self._say(f"Failed: {text}", error=True)
        self.notify(text, title="Feeds", severity="error", markup=False)
