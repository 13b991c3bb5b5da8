"""newsboat's read state and flagged items, brought into tui-reader's cache.

Only feeds subscribed in tui-reader take part. In each, a newsboat item is matched to a
stored story by guid, then by link. What newsboat read (or deleted) is marked read here;
what it left unread stays as it is here (a story read in either reader stays read). A
flagged item becomes a bookmark: its full text is queued for the next refresh, as a
bookmark made with ``b`` is, and a bookmark whose story has no text gets newsboat's.

An item tui-reader never stored (the feed dropped it before tui-reader first fetched it)
is added as a story of its feed, with newsboat's text, so its read state and bookmark
are not lost; a later refresh that still lists it finds it by its guid or link. Such an
item older than ``retention_days`` is left out unless flagged (a refresh would purge it
at once), and so is one newsboat deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .http_url import is_http_url, normalise_url
from .models import FeedInfo, FeedState, ParsedFeed, ParsedItem
from .newsboat_cache import NewsboatCache, NewsboatItem
from .parse_item import imported_item
from .store import FeedWrite, Store, article_uid, now_ts


@dataclass(slots=True)
class StateReport:
    """What an import of newsboat's cache did, counted for the user."""

    items: int = 0
    feeds: int = 0
    by_guid: int = 0
    by_link: int = 0
    marked_read: int = 0
    bookmarks: int = 0
    new_bookmarks: int = 0
    added: int = 0
    too_old: int = 0
    deleted: int = 0
    elsewhere: int = 0
    """Items of feeds that are not subscribed in tui-reader."""
    elsewhere_feeds: int = 0

    @property
    def matched(self) -> int:
        return self.by_guid + self.by_link

    @property
    def not_matched(self) -> int:
        return self.items - self.matched


def import_newsboat_state(
    store: Store, cache: NewsboatCache, *, retention_days: int, now: int | None = None
) -> StateReport:
    """Bring *cache*'s read state and flags into *store*, feed by feed."""
    now = now or now_ts()
    report = StateReport()
    counts = cache.feeds()
    report.items, report.feeds = sum(counts.values()), len(counts)
    for feed_url, count in counts.items():
        feed = store.feed_by_url(normalise_url(feed_url)) if is_http_url(feed_url) else None
        if feed is None:
            report.elsewhere += count
            report.elsewhere_feeds += 1
            continue
        _import_feed(store, feed, list(cache.items(feed_url)), report,
                     min_ts=now - retention_days * 86400, now=now)
    return report


def _item(item: NewsboatItem, feed: FeedInfo) -> ParsedItem:
    return imported_item(guid=item.guid, link=item.url, title=item.title, author=item.author,
                         published=item.published, html=item.content, feed_url=feed.url)


def _import_feed(store: Store, feed: FeedInfo, items: list[NewsboatItem],
                 report: StateReport, *, min_ts: int, now: int) -> None:
    keys = store.article_keys(feed.id)
    by_uid = {k.uid: k for k in keys}
    by_url: dict[str, int] = {}
    for k in keys:
        if k.url:
            by_url.setdefault(k.url, k.id)
    found: list[tuple[int, NewsboatItem]] = []
    new: list[tuple[NewsboatItem, ParsedItem]] = []
    for item in items:
        if item.guid and item.guid in by_uid:
            found.append((by_uid[item.guid].id, item))
            report.by_guid += 1
        elif item.url and item.url in by_url:
            found.append((by_url[item.url], item))
            report.by_link += 1
        elif item.deleted:
            report.deleted += 1
        elif not item.flagged and (item.published or now) < min_ts:
            report.too_old += 1
        else:
            parsed = _item(item, feed)
            known = by_uid.get(article_uid(parsed))  # a guid spelled as the feed cleans it
            if known is not None:
                found.append((known.id, item))
                report.by_guid += 1
            else:
                new.append((item, parsed))
    if new:
        # Written as a refresh writes stories (search index, categories, the feed's
        # full-text setting); the feed's own state (its validators, when it is due) stays.
        store.write_feeds([FeedWrite(feed.id, FeedState(),
                                     ParsedFeed(None, None, [p for _i, p in new]), now=now)])
        by_uid = {k.uid: k for k in store.article_keys(feed.id)}
        for item, parsed in new:
            added = by_uid.get(article_uid(parsed))
            if added is not None:
                found.append((added.id, item))
                report.added += 1
    report.marked_read += store.set_read(
        article_id for article_id, item in found if item.read or item.deleted)
    keys_by_id = {k.id: k for k in by_uid.values()}
    done: set[int] = set()
    for article_id, item in found:
        if not item.flagged or article_id in done:
            continue  # two newsboat items of one story make one bookmark
        done.add(article_id)
        key = keys_by_id.get(article_id)
        if key is not None and not key.has_text and item.content:
            store.fill_missing_text(article_id, _item(item, feed))
        if key is None or not key.bookmarked:
            report.new_bookmarks += 1
        store.set_bookmark(article_id, now=now)
        report.bookmarks += 1
