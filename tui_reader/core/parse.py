"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) to :class:`ParsedFeed`.

fastfeedparser does the XML work: on 200-item feeds it is over 100 times faster than
feedparser (``bench/bench_parse.py``). Item bodies are kept as sent, with their words for
search (:func:`search_text`); their Markdown is made when a story is first shown.

feedparser is the fallback for what fastfeedparser rejects or reads as empty (Netscape
RSS 0.90, upper-case RSS, RSS without a channel, CDF), and it also reads slash:comments
and thr:total, which fastfeedparser drops. JSON Feed is read here with :mod:`json`: it is
simple, and fastfeedparser's reader trusts the shape of every field, so a hostile
document could raise from deep inside it.

Everything that leaves this module has gone through the sanitize helpers. Parsing is
pure and synchronous; callers run it in a thread.
"""

from __future__ import annotations

import calendar
import html as html_lib
import io
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any
from urllib.parse import urljoin

import fastfeedparser
from lxml import etree

from tui_reader.core.html_to_md import (
    MAX_HTML_CHARS,
    html_to_text,
    search_text,
    text_to_markdown,
    with_base,
)
from tui_reader.core.http_url import is_http_url
from tui_reader.core.models import ParsedFeed, ParsedItem
from tui_reader.core.sanitize import clean_block, clean_optional, clean_text

try:  # a private helper, used only to spot dates fastfeedparser guessed from a guid
    from fastfeedparser.main import _parse_date as _ffp_parse_date
except ImportError:  # pragma: no cover - a future fastfeedparser may move it
    _ffp_parse_date = None

MAX_ITEMS = 1000
"""Items kept from one document (the first ones: feeds list newest first)."""
MAX_CATEGORIES = 8
SUMMARY_CHARS = 300
SUMMARY_SOURCE_CHARS = 4000
"""A summary is cut from the start of a body: this much HTML is read for it."""
TITLE_CHARS = 500

_SLASH_NS = "http://purl.org/rss/1.0/modules/slash/"
_THREAD_NS = "http://purl.org/syndication/thread/1.0"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf", b"channel"})
_HTML_ROOTS = frozenset({b"html", b"head", b"body", b"div", b"p", b"title", b"meta", b"script"})
_NAMED_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
"""HTML's named entities, not XML's own five (escaped HTML is full of those)."""
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_MARKUP = re.compile(r"<[A-Za-z/!]")
_DIGITS = re.compile(r"\s*(\d{1,9})\s*")
_STRICT_DATE = re.compile(
    r"\d{4}-\d\d-\d\d|\d{1,2} [A-Za-z]{3} \d{2,4}|[A-Za-z]{3}, \d{1,2} [A-Za-z]{3}"
)
_ABSOLUTE = ("http://", "https://")
_HTML_TYPES = ("html", "text/html", "xhtml", "application/xhtml+xml")


class FeedParseError(Exception):
    """The document is not a feed we can read; the message is one line for the status bar."""


# -- small helpers -----------------------------------------------------------------------


def parse_date(value: object) -> int | None:
    """RFC 822 or ISO 8601 to UTC epoch seconds; naive times count as UTC; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        stamp = int(when.timestamp())
    except (OverflowError, OSError, ValueError):
        return None
    return stamp if stamp >= 0 else None


def _struct_epoch(value: object) -> int | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) to epoch seconds."""
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        stamp = calendar.timegm(tuple(value[:6]) + (0, 0, 0))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return stamp if stamp >= 0 else None


def _str(value: object) -> str | None:
    """A string field from a parser dict or JSON, or None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _http_url(value: object, base: str | None) -> str | None:
    """``value`` made absolute against ``base``, kept only if it is http(s)."""
    text = clean_text(_str(value))
    if not text:
        return None
    try:
        absolute = urljoin(base, text) if base and not text.startswith(_ABSOLUTE) else text
    except ValueError:
        return None
    return absolute if is_http_url(absolute) else None


def _title_text(value: object, limit: int = TITLE_CHARS) -> str:
    """A title that may be plain text, entity-escaped or HTML, as one clean line."""
    text = _str(value)
    if not text:
        return ""
    if _MARKUP.search(text):
        return html_to_text(text, limit)
    if "&" in text:
        text = html_lib.unescape(text)
    return clean_text(text, limit)


def _count(value: object) -> int | None:
    text = _str(value)
    if text is None:
        return None
    match = _DIGITS.fullmatch(text)
    return int(match.group(1)) if match else None


def _categories(terms: Iterable[object]) -> tuple[str, ...]:
    seen: set[str] = set()
    result: list[str] = []
    for term in terms:
        text = clean_text(_str(term), 60)
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            result.append(text)
            if len(result) >= MAX_CATEGORIES:
                break
    return tuple(result)


@dataclass
class _Raw:
    """An entry as any of the three readers saw it, before cleaning."""

    guid: object = None
    link: object = None
    title: object = None
    title_is_html: bool = True
    author: object = None
    published: int | None = None
    updated: int | None = None
    content: str = ""
    content_is_html: bool = True
    description: str = ""
    description_is_html: bool = True
    tags: list[object] = field(default_factory=list)
    comments_url: object = None
    comments_count: int | None = None


def _build_item(raw: _Raw, feed_url: str) -> ParsedItem:
    url = _http_url(raw.link, feed_url)
    base = url or feed_url
    content, description = raw.content or "", raw.description or ""
    # The body is the content, else the description; the summary the other way round.
    body, body_is_html = (
        (content, raw.content_is_html) if content else (description, raw.description_is_html)
    )
    body_html: str | None = None
    if not body:
        content_text = ""
    elif body_is_html:
        # Kept as the feed sent it (cut to what conversion reads): cleaning it now would
        # be done again when it is shown, and most stories never are.
        body_html = body[:MAX_HTML_CHARS] if url else with_base(body, feed_url)
        content_text = search_text(body)
    else:
        content_text = text_to_markdown(clean_block(body))  # shown as written
    if description and description is not body:
        summary = (
            html_to_text(description, SUMMARY_CHARS)
            if raw.description_is_html
            else clean_text(description, SUMMARY_CHARS)
        )
    elif body_is_html:
        summary = html_to_text(body[:SUMMARY_SOURCE_CHARS], SUMMARY_CHARS)
        if len(summary) < SUMMARY_CHARS and len(body) > SUMMARY_SOURCE_CHARS:
            summary = html_to_text(body, SUMMARY_CHARS)  # words start late in this one
    else:
        summary = clean_text(body, SUMMARY_CHARS)
    if raw.title_is_html:
        title = _title_text(raw.title)
    else:
        title = clean_text(_str(raw.title), TITLE_CHARS)
    if not title:
        title = clean_text(summary, 80) or "(untitled)"
    count = raw.comments_count
    return ParsedItem(
        guid=clean_optional(_str(raw.guid)),
        url=url,
        title=title,
        author=clean_optional(_title_text(raw.author, 200)),
        published=raw.published,
        updated=raw.updated,
        summary=summary,
        content_text=content_text,
        body_html=body_html,
        categories=_categories(raw.tags),
        comments_url=_http_url(raw.comments_url, base),
        comments_count=count if count is not None and 0 <= count < 10**9 else None,
    )


# -- sniffing ----------------------------------------------------------------------------


def _head(data: bytes, size: int = 4096) -> bytes:
    """The start of the document as ASCII-ish bytes, without BOM or leading space."""
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _first_element(head: bytes) -> tuple[bytes, bool]:
    """The first element's lower-cased name, and whether an HTML doctype came first."""
    pos, html_doctype = 0, False
    while True:
        start = head.find(b"<", pos)
        if start < 0 or start + 1 >= len(head):
            return b"", html_doctype
        if head.startswith(b"<?", start):
            end = head.find(b"?>", start)
            pos = end + 2 if end >= 0 else len(head)
        elif head.startswith(b"<!--", start):
            end = head.find(b"-->", start)
            pos = end + 3 if end >= 0 else len(head)
        elif head.startswith(b"<!", start):
            html_doctype = html_doctype or head[start : start + 14].lower().startswith(
                b"<!doctype html"
            )
            end = head.find(b">", start)
            pos = end + 1 if end >= 0 else len(head)
        else:
            match = re.match(rb"<([A-Za-z][\w:.-]{0,40})", head[start:])
            return (match.group(1).lower() if match else b""), html_doctype


def looks_like_html(data: bytes, content_type: str | None) -> bool:
    """True when ``data`` is a web page rather than a feed: time to try feed discovery."""
    head = _head(data)
    if not head or head.startswith((b"{", b"[")):
        return False
    name, html_doctype = _first_element(head)
    if name in _FEED_ROOTS:
        return False
    if html_doctype or name in _HTML_ROOTS:
        return True
    return bool(content_type) and "html" in (content_type or "").lower()


# -- XML preparation ---------------------------------------------------------------------


def _prepare_xml(data: bytes, content_type: str | None) -> bytes:
    """Fix what trips XML parsers but not browsers: a wrong charset and HTML entities."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16 with a BOM: the parsers cope, and our byte tweaks would not
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    declared = _XML_ENCODING.match(data)
    label = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if label.replace("_", "-") in ("utf-8", "utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Undeclared legacy encoding: trust the HTTP charset, else guess cp1252 as
            # browsers do, and hand the parsers UTF-8.
            match = _CHARSET.search(content_type or "")
            charset = match.group(1) if match else "windows-1252"
            try:
                text = data.decode(charset, "replace")
            except LookupError:
                text = data.decode("windows-1252", "replace")
            data = text.encode("utf-8")
    if b"&" in data and _NAMED_ENTITY.search(data):
        data = _NAMED_ENTITY.sub(_entity_to_reference, data)
    return data


def _entity_to_reference(match: re.Match[bytes]) -> bytes:
    """HTML's named entities are undefined in XML and make fastfeedparser drop text."""
    name = match.group(1)
    chars = _HTML5_ENTITIES.get(name.decode("ascii") + ";")
    if chars is None:
        return b"&amp;" + name + b";"  # unknown: show it as written
    return b"".join(b"&#%d;" % ord(ch) for ch in chars)


def _hardened_parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _comment_counts(data: bytes) -> list[tuple[set[str], int | None]]:
    """Per item, in order: its identifying strings and its slash:comments / thr:total.

    fastfeedparser drops these extensions, so a second, cheap pass reads them, only when
    the document mentions their namespaces.
    """
    if _SLASH_NS.encode() not in data and _THREAD_NS.encode() not in data:
        return []
    try:
        root = etree.fromstring(data, _hardened_parser(recover=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    result: list[tuple[set[str], int | None]] = []
    for el in root.iter("{*}item", "{*}entry"):
        keys: set[str] = set()
        count: int | None = None
        about = el.get(_RDF_ABOUT)
        if about:
            keys.add(about.strip())
        for child in el:
            name = _local(child.tag)
            ns = child.tag[1:].split("}", 1)[0] if str(child.tag).startswith("{") else ""
            if name in ("guid", "id", "link"):
                text = (child.text or child.get("href") or "").strip()
                if text:
                    keys.add(text)
            if name == "comments" and ns == _SLASH_NS and count is None:
                count = _count(child.text)
            elif name == "total" and ns == _THREAD_NS:
                count = _count(child.text)
            elif name == "link" and child.get("rel") == "replies" and count is None:
                count = _count(child.get(f"{{{_THREAD_NS}}}count"))
        result.append((keys, count))
    return result


def _counts_for(entries: list[Any], data: bytes) -> list[int | None]:
    scanned = _comment_counts(data)
    if not scanned:
        return [None] * len(entries)
    if len(scanned) == len(entries):
        return [count for _keys, count in scanned]
    by_key = {key: count for keys, count in scanned for key in keys}
    result: list[int | None] = []
    for entry in entries:
        found = None
        for key in (_str(entry.get("id")), _str(entry.get("link"))):
            if key and key.strip() in by_key:
                found = by_key[key.strip()]
                break
        result.append(found)
    return result


def _diagnose(data: bytes) -> str:
    """Why nothing usable came out: a line for the user, not a parser dump."""
    head = _head(data)
    if not head.startswith(b"<"):
        return "not a feed: neither XML nor JSON"
    try:
        root = etree.fromstring(data, _hardened_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        return f"malformed XML at line {line}" if line else "malformed XML"
    except ValueError:
        return "malformed XML"
    name = _local(root.tag)
    if name == "html":
        return "not a feed: looks like an HTML page"
    if name == "opml":
        return "not a feed: an OPML subscription list (import it instead)"
    if name in ("urlset", "sitemapindex"):
        return "not a feed: an XML sitemap"
    if name in ("rss", "feed", "rdf", "channel"):
        return "feed has no title and no items"
    return f"not a feed: an XML document of type <{clean_text(name, 30)}>"


# -- the three readers -------------------------------------------------------------------


def _links(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    links = entry.get("links")
    return [ln for ln in links if isinstance(ln, Mapping)] if isinstance(links, list) else []


def _alternate_link(entry: Mapping[str, Any]) -> object:
    link = entry.get("link")
    if _str(link):
        return link
    for candidate in _links(entry):
        if candidate.get("rel") in (None, "alternate") and candidate.get("href"):
            return candidate.get("href")
    return None


def _replies_link(entry: Mapping[str, Any]) -> object:
    if _str(entry.get("comments")):
        return entry.get("comments")
    for candidate in _links(entry):
        if candidate.get("rel") == "replies" and "html" in str(candidate.get("type") or "html"):
            return candidate.get("href")
    return None


def _content(entry: Mapping[str, Any]) -> tuple[str, bool]:
    """The first non-empty content block and whether it is HTML."""
    blocks = entry.get("content")
    if isinstance(blocks, list):
        for block in blocks:
            if isinstance(block, Mapping) and _str(block.get("value")):
                kind = str(block.get("type") or "html").lower()
                return str(block["value"]), kind in _HTML_TYPES or "html" in kind
    return "", True


def _tags(entry: Mapping[str, Any]) -> list[object]:
    tags = entry.get("tags")
    if not isinstance(tags, list):
        return []
    return [t.get("term") or t.get("label") for t in tags if isinstance(t, Mapping)]


def _guessed_from_guid(entry: Mapping[str, Any], iso: str) -> bool:
    """fastfeedparser dates an undated item by parsing its guid ("42" → 2042): undo that."""
    guid = _str(entry.get("id"))
    if not guid or _ffp_parse_date is None or _STRICT_DATE.search(guid):
        return False
    if guid.startswith(("http://", "https://")):
        return False  # fastfeedparser never reads a date from those
    try:
        return bool(_ffp_parse_date(guid) == iso)
    except Exception:
        return False


_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?item[\s>/]")
_DATE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:pubDate|published|issued|date)[\s>]", re.IGNORECASE)


def _undated_items(data: bytes, entries: int) -> list[bool] | None:
    """Per RSS item, in order, whether it has no date element: only those can carry a
    date guessed from the guid. Checking every item instead costs up to a millisecond
    each (the guess fails slowly). None when the items cannot be matched up."""
    chunks = _ITEM_TAG.split(data)[1:]
    if len(chunks) != entries:
        return None
    return [_DATE_TAG.search(chunk) is None for chunk in chunks]


def _ffp_date(entry: Mapping[str, Any], key: str, may_be_guessed: bool) -> int | None:
    iso = _str(entry.get(key))
    if not iso or (may_be_guessed and _guessed_from_guid(entry, iso)):
        return None
    return parse_date(iso)


def _read_fastfeedparser(data: bytes, url: str, *, atom: bool = False) -> ParsedFeed | None:
    try:
        doc = fastfeedparser.parse(data, include_media=False, include_enclosures=False)
    except Exception:  # it raises ValueError mostly, but the input is hostile
        return None
    info = doc.get("feed") if isinstance(doc.get("feed"), Mapping) else {}
    entries = [e for e in doc.get("entries") or [] if isinstance(e, Mapping)]
    if not entries and not _str(info.get("title")) and not _str(info.get("link")):
        return None
    counts = _counts_for(entries, data)
    # An Atom feed's author is every entry's author unless the entry names its own;
    # RSS's managingEditor is an address, not a byline.
    feed_author = info.get("author") if atom else None
    # Atom entries have no guid to guess from; RSS items with a date element keep it.
    undated = [False] * len(entries) if atom else _undated_items(data, len(entries))
    if undated is None:
        undated = [True] * len(entries)
    items = []
    for entry, count, guessable in zip(entries[:MAX_ITEMS], counts, undated, strict=False):
        content, content_html = _content(entry)
        raw = _Raw(
            guid=entry.get("id"),
            link=_alternate_link(entry),
            title=entry.get("title"),
            author=entry.get("author") or feed_author,
            published=_ffp_date(entry, "published", guessable),
            updated=_ffp_date(entry, "updated", guessable),
            content=content,
            content_is_html=content_html,
            description=_str(entry.get("description")) or "",
            tags=_tags(entry),
            comments_url=_replies_link(entry),
            comments_count=count,
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_title_text(info.get("title"), 200)),
        site_url=_http_url(info.get("link"), url),
        items=items,
    )


def _read_feedparser(data: bytes, url: str) -> ParsedFeed | None:
    import feedparser  # the fallback: 0.1 s to import, needed for few feeds

    try:
        # A file object, never bytes: feedparser opens bytes that name a local path.
        doc = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    except Exception:
        return None
    info = doc.get("feed") or {}
    entries = list(doc.get("entries") or [])[:MAX_ITEMS]
    if not entries and not _str(info.get("title")) and not _str(info.get("link")):
        return None
    items = []
    for entry in entries:
        content, content_html = _content(entry)
        detail = entry.get("summary_detail") or {}
        raw = _Raw(
            guid=entry.get("id"),
            link=_alternate_link(entry),
            title=entry.get("title"),
            author=entry.get("author"),
            published=_struct_epoch(entry.get("published_parsed")),
            updated=_struct_epoch(entry.get("updated_parsed")),
            content=content,
            content_is_html=content_html,
            description=_str(entry.get("summary")) or "",
            description_is_html="html" in str(detail.get("type") or "html"),
            tags=_tags(entry),
            comments_url=_replies_link(entry),
            comments_count=_count(entry.get("slash_comments"))
            if entry.get("slash_comments") is not None
            else _count(entry.get("thr_total")),
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_title_text(info.get("title"), 200)),
        site_url=_http_url(info.get("link"), url),
        items=items,
    )


def _json_author(item: Mapping[str, Any]) -> object:
    """The first named author (1.1 ``authors``, 1.0 ``author``); feeds pass it down."""
    authors = item.get("authors")
    if isinstance(authors, list):
        for author in authors:
            if isinstance(author, Mapping) and _str(author.get("name")):
                return author["name"]
    author = item.get("author")
    if isinstance(author, Mapping):
        return author.get("name")
    return None


def _read_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8-sig", "replace"))
    except json.JSONDecodeError as exc:
        raise FeedParseError(f"malformed JSON at line {exc.lineno}") from None
    except RecursionError:
        raise FeedParseError("malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedParseError("not a feed: JSON without a list of items")
    feed_author = _json_author(doc)
    items = []
    for item in doc["items"][:MAX_ITEMS]:
        if not isinstance(item, Mapping):
            continue
        tags = item.get("tags")
        html_body = _str(item.get("content_html")) or ""
        text_body = _str(item.get("content_text")) or ""
        raw = _Raw(
            guid=item.get("id"),
            link=_str(item.get("url")) or item.get("external_url"),
            title=item.get("title"),
            title_is_html=False,
            author=_json_author(item) or feed_author,
            published=parse_date(item.get("date_published")),
            updated=parse_date(item.get("date_modified")),
            content=html_body or text_body,
            content_is_html=bool(html_body),
            description=_str(item.get("summary")) or "",
            description_is_html=False,
            tags=list(tags) if isinstance(tags, list) else [],
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_str(doc.get("title")), 200),
        site_url=_http_url(doc.get("home_page_url"), url),
        items=items,
    )


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
