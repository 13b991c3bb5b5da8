"""Managing subscriptions: what each feed last did, and adding, removing, refreshing.

Every network call runs in a worker and reports back in the one-line status under the
table; a worker that fails anyway becomes a one-line notification, never a traceback.
Feed titles, URLs and errors come from the network, so they are shown as plain text.
The screen dismisses with True when anything changed, so the caller can reload.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from ..core.errors import UserError
from ..core.http_url import is_http_url
from ..core.models import FeedInfo, HeadlineFilter
from ..core.refresh import RefreshReport, RefreshService
from ..core.sanitize import clean_text
from ..core.session import Session

Clock = Callable[[], float]

COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "Feed"),
    ("counts", "Unread/All"),
    ("tags", "Tags"),
    ("status", "Last fetch"),
    ("due", "Next"),
)


def _when(ts: float, now: float) -> str:
    then, today = datetime.fromtimestamp(ts), datetime.fromtimestamp(now)
    if then.date() == today.date():
        return f"{then:%H:%M}"
    return f"{then.day} {then:%b}"


def _reason(error: str | None) -> str:
    """ "HTTP 410 Gone: the feed was removed" -> "410 Gone"."""
    text = clean_text(error or "")
    if text.startswith("HTTP "):
        text = text[5:].split(":", 1)[0]
    return text


def status_words(feed: FeedInfo, now: float) -> str:
    """The last fetch in a few words: "ok 10:42", "not modified", "error: …", "dead: …"."""
    if feed.dead or feed.last_status == "dead":
        return f"dead: {_reason(feed.last_error) or 'gone'}"
    if feed.last_status is None:
        return "never fetched"
    if feed.last_status == "ok":
        return f"ok {_when(feed.last_fetched, now)}" if feed.last_fetched else "ok"
    if feed.last_status == "error":
        return f"error: {clean_text(feed.last_error) or 'unknown'}"
    return clean_text(feed.last_status)


def due_words(feed: FeedInfo, now: float) -> str:
    """When the next background refresh will fetch this feed."""
    if feed.dead:
        return "never"
    if not feed.next_due or feed.next_due <= now:
        return "now"
    wait = int(feed.next_due - now)
    if wait < 3600:
        return f"in {max(wait // 60, 1)}m"
    if wait < 86400:
        return f"in {wait // 3600}h"
    return f"in {wait // 86400}d"


def _cell(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


class FeedsScreen(Screen[bool]):
    """The subscriptions table. Dismisses with True if feeds were added, removed or fetched."""

    CSS_PATH = "../styles/feeds.tcss"

    BINDINGS: list[BindingType] = [
        Binding("a", "add", "Add feed", id="feeds.add"),
        Binding("d", "remove", "Remove", id="feeds.remove"),
        Binding("r", "refresh_feed", "Refresh", id="feeds.refresh"),
        Binding("escape,q", "back", "Back", id="feeds.back"),
    ]

    def __init__(self, session: Session, *, clock: Clock = time.time) -> None:
        super().__init__()
        self.session = session
        self.clock = clock
        self.changed = False
        self.feeds: list[FeedInfo] = []
        self._busy: set[int] = set()
        self._widths: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(Content("Feeds"), id="feeds-title")
        yield DataTable(id="feeds-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="feeds-detail")
        yield Static(id="feeds-status")
        yield Footer()

    def on_mount(self) -> None:
        self._show(self.session.store.feeds())
        self.query_one(DataTable).focus()

    # -- the table ----------------------------------------------------------------------

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#feeds-table", DataTable)

    def _column_widths(self) -> tuple[int, ...]:
        width = max(self.size.width or self.app.size.width, 60)
        tags, status = (10, 18) if width < 100 else (16, 30)
        counts, due = 11, 7
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
            elif feed.last_status == "error":
                style = "red"
            elif feed.last_status is None:
                style = "dim"
            table.add_row(
                _cell(clean_text(feed.display_title, 200), "bold" if feed.unread else ""),
                _cell(f"{feed.unread:,}/{feed.total:,}"),
                _cell(" ".join(f"#{clean_text(t, 40)}" for t in feed.tags), "dim"),
                _cell(status, style),
                _cell(due_words(feed, now), "dim"),
                key=str(feed.id),
            )
        title = f"Feeds · {len(feeds)} subscription{'s' if len(feeds) != 1 else ''}"
        self.query_one("#feeds-title", Static).update(Content(title))
        if feeds:
            index = next((i for i, f in enumerate(feeds) if f.id == select_id), None)
            table.move_cursor(row=index if index is not None else min(old_row, len(feeds) - 1))
        self._update_detail()

    async def _reload(self, select_id: int | None = None) -> None:
        feeds = await asyncio.to_thread(self.session.store.feeds)
        self._show(feeds, select_id)

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
            detail.update(Content("No subscriptions yet: press a to add a feed or a web page."))
            return
        lines = [Content.assemble(("URL    ", "bold"), clean_text(feed.url))]
        if feed.last_error:
            label = "Dead   " if feed.dead else "Error  "
            lines.append(Content.assemble((label, "bold $error"), clean_text(feed.last_error)))
        else:
            words = status_words(feed, self.clock())
            if feed.site_url:
                words += f" · site {clean_text(feed.site_url)}"
            lines.append(Content.assemble(("Status ", "bold"), words))
        detail.update(Content("\n").join(lines))

    def _say(self, text: str, *, error: bool = False) -> None:
        """The one-line progress/result message under the table."""
        status = self.query_one("#feeds-status", Static)
        status.update(Content(clean_text(text, 300)))
        status.set_class(error, "-error")

    # -- actions ------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        from .search_dialog import InputDialog

        dialog = InputDialog(
            "Add a feed: paste its URL, or a web page that links to one",
            placeholder="https://example.org/feed.xml",
        )
        self.app.push_screen(dialog, self._add_url)

    def _add_url(self, url: str | None) -> None:
        if not url:
            return
        if not is_http_url(url):
            self._say(f"Not an http(s) URL: {url}", error=True)
            return
        self.add_feed(url)

    @work(exclusive=True, group="feeds-add", exit_on_error=False)
    async def add_feed(self, url: str) -> None:
        """Find the feed behind *url*, subscribe, then fetch it once."""
        from ..core.subscribe import add_subscription, find_subscription, resolve_with_settings

        session = self.session
        known = await asyncio.to_thread(find_subscription, session, url)
        if known is not None:
            self._say(f"Already subscribed to {known.title or known.url}")
            return
        self._say(f"Looking for a feed at {url}…")
        try:
            feed_url, title = await resolve_with_settings(session.settings, url)
            known = await asyncio.to_thread(find_subscription, session, feed_url)
            if known is not None:
                self._say(f"Already subscribed to {known.title or known.url}")
                return
            await asyncio.to_thread(add_subscription, session, feed_url)
        except UserError as exc:
            self._say(str(exc), error=True)
            return
        self.changed = True
        info = await asyncio.to_thread(session.store.feed_by_url, feed_url)
        await self._reload(info.id if info else None)
        if info is None:
            self._say(f"Added {title or feed_url}")
            return
        self._say(f"Added {title or feed_url}; fetching it…")
        await self._refresh(info)

    def action_refresh_feed(self) -> None:
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
        self._say(f"Fetching {clean_text(feed.display_title, 80)}…")
        await self._refresh(feed)

    async def _refresh(self, feed: FeedInfo) -> None:
        self._busy.add(feed.id)
        try:
            service = RefreshService(
                self.session.store, self.session.settings, feeds_file=self.session.paths.feeds_file
            )
            report = await service.refresh(feed_ids=[feed.id], snapshots=False)
        except UserError as exc:
            self._say(str(exc), error=True)
            return
        finally:
            self._busy.discard(feed.id)
        self.changed = True
        await self._reload(feed.id)
        self._report(feed, report)

    def _report(self, feed: FeedInfo, report: RefreshReport) -> None:
        if not report.outcomes:
            self._say(f"{clean_text(feed.display_title, 80)} is no longer subscribed")
            return
        outcome = report.outcomes[0]
        name = clean_text(outcome.title, 80)
        if outcome.error:
            self._say(f"{name}: {outcome.status}: {outcome.error}", error=True)
        elif outcome.status == "not modified":
            self._say(f"{name}: not modified")
        else:
            self._say(f"{name}: {outcome.new} new, {outcome.updated} updated")

    def action_remove(self) -> None:
        from .confirm import ConfirmDialog

        feed = self.highlighted
        if feed is None:
            return
        kept = self.session.store.count(HeadlineFilter(feed_id=feed.id, bookmarked=True))
        if kept:
            stories = "bookmarked story is" if kept == 1 else "bookmarked stories are"
            keep = f"Its {kept} {stories} kept."
        else:
            keep = "Bookmarked stories are always kept."
        question = (
            f"Unsubscribe from “{clean_text(feed.display_title, 120)}”?\n"
            f"{clean_text(feed.url, 200)}\n\n"
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
        name = clean_text(feed.display_title, 80)
        if removed:
            self.changed = True
            self._say(f"Removed {name}; bookmarked stories are kept")
        else:
            self._say(f"{name} was already gone")
        await self._reload()

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
