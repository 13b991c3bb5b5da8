"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) to :class:`ParsedFeed`.

fastfeedparser does the XML work: on 200-item feeds it is over 100 times faster than
feedparser (``bench/bench_parse.py``). Item bodies are kept as sent, with their words for
search (:func:`search_text`); their Markdown is made when a story is first shown.

feedparser is the fallback for what fastfeedparser rejects or reads as empty (Netscape
RSS 0.90, upper-case RSS, RSS without a channel, CDF), and it also reads slash:comments
and thr:total, which fastfeedparser drops. JSON Feed is read with :mod:`json`: it is
simple, and fastfeedparser's reader trusts the shape of every field, so a hostile
document could raise from deep inside it.

This module sniffs and dispatches; the parts live beside it: ``parse_sniff`` (what a
document is, XML clean-up, why it is not a feed), ``parse_xml`` (the two RSS/Atom
readers), ``parse_json`` (JSON Feed), ``parse_item`` (one entry to a clean item) and
``parse_dates``. Callers import from here only.

Everything that leaves these modules has gone through the sanitize helpers. Parsing is
pure and synchronous; callers run it in a thread.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tui_reader.core.models import ParsedFeed
from tui_reader.core.parse_dates import parse_date
from tui_reader.core.parse_item import (
    MAX_CATEGORIES,
    MAX_ITEMS,
    SUMMARY_CHARS,
    SUMMARY_SOURCE_CHARS,
    TITLE_CHARS,
)
from tui_reader.core.parse_json import _read_json_feed
from tui_reader.core.parse_sniff import (
    FeedParseError,
    _diagnose,
    _first_element,
    _head,
    _prepare_xml,
    looks_like_html,
)
from tui_reader.core.parse_xml import _read_fastfeedparser, _read_feedparser

__all__ = [
    "MAX_CATEGORIES",
    "MAX_ITEMS",
    "SUMMARY_CHARS",
    "SUMMARY_SOURCE_CHARS",
    "TITLE_CHARS",
    "FeedParseError",
    "declared_wait",
    "looks_like_html",
    "parse_date",
    "parse_feed",
]

# -- how often the feed asks to be fetched -----------------------------------------------

_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)
_SY_PERIOD = re.compile(rb"<(?:\w+:)?updatePeriod>\s*([A-Za-z]{4,8})\s*<", re.IGNORECASE)
_SY_FREQUENCY = re.compile(rb"<(?:\w+:)?updateFrequency>\s*(\d{1,6})\s*<", re.IGNORECASE)
_SY_SECONDS = {b"hourly": 3600, b"daily": 86400, b"weekly": 7 * 86400,
               b"monthly": 30 * 86400, b"yearly": 365 * 86400}
_ITEM_START = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")


def declared_wait(data: bytes) -> int | None:
    """Seconds between fetches the channel asks for: RSS ``<ttl>`` (minutes), or the
    syndication module's period divided by its frequency; the longer if both."""
    first_item = _ITEM_START.search(data, 0, 65536)
    head = data[: first_item.start() if first_item else 65536]
    waits: list[int] = []
    if ttl := _TTL.search(head):
        waits.append(int(ttl.group(1)) * 60)
    if period := _SY_PERIOD.search(head):
        seconds = _SY_SECONDS.get(period.group(1).lower())
        frequency = _SY_FREQUENCY.search(head)
        times = int(frequency.group(1)) if frequency else 1
        if seconds and times > 0:
            waits.append(seconds // times)
    found = [w for w in waits if w > 0]
    return max(found) if found else None


# -- entry point -------------------------------------------------------------------------


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed; raises :class:`FeedParseError` when it isn't one we can read.

    ``url`` is where the document came from (after redirects): relative links resolve
    against it. ``content_type`` helps with the charset and with telling pages apart.
    """
    if isinstance(data, str):  # be forgiving: the caller may have decoded it already
        data = data.encode("utf-8")
    head = _head(data)
    if not head:
        raise FeedParseError("empty document")
    if head.startswith((b"{", b"[")):
        return _read_json_feed(data, url)
    if looks_like_html(data, content_type):
        raise FeedParseError("not a feed: looks like an HTML page")
    prepared = _prepare_xml(data, content_type)
    root, _doctype = _first_element(head)
    atom = root == b"feed" or root.endswith(b":feed")
    feed = _read_fastfeedparser(prepared, url, atom=atom) or _read_feedparser(prepared, url)
    if feed is None:
        raise FeedParseError(_diagnose(prepared))
    wait = declared_wait(prepared)
    return replace(feed, wait=wait) if wait is not None else feed
