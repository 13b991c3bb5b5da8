"""Deterministic feeds for the refresh benchmark: RSS 2.0, Atom and JSON Feed.

Every item is a pure function of (seed, feed, serial), so tui-reader and newsboat are
given byte-identical documents, and an item keeps its guid and text from one generation to
the next (as on a real site) while each generation adds ~10% new items at the top and
drops the oldest. Dates fall in the week before ``anchor``; the anchor is passed in (the
benchmark's start time) so no item is ever older than the readers' retention window.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

WEEK = 7 * 24 * 3600
MAX_GENERATION = 3
"""Generations 0..3 all fit in the week before the anchor; the runner uses 0 and 1."""
FORMATS = ("rss", "atom", "json")
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

# Word pools: Latin with accents first (titles start with these, so a title's first
# characters are one terminal cell each), then CJK and emoji that come later in the title.
_LATIN = (
    "council café budget naïve Zürich São Paulo Kraków résumé élan façade piñata "
    "Ångström Málaga Besançon Łódź Reykjavík Škoda Göteborg crème brûlée déjà vu "
    "harbour railway election garden museum festival library bridge river market "
    "school hospital forecast weather energy climate science football concert"
).split()
_CJK = ("東京", "北京", "서울", "日本語", "大阪", "上海", "台北", "釜山", "京都", "香港")
_EMOJI = ("🚀", "📰", "🌍", "⚽", "🎉", "🔥", "🌧", "💡", "🎵", "📈")
_SENTENCE_WORDS = (
    "the city council met on Tuesday to discuss the budget for roads and schools while "
    "residents asked about a new library that has been promised for years and the mayor "
    "said the plan would be ready before the summer although critics doubt it"
).split()
_ENTITIES = ("&amp;", "&mdash;", "&nbsp;", "&#8217;", "&eacute;", "&lt;tag&gt;", "&copy;")


def _make_sentences(count: int) -> tuple[str, ...]:
    """A fixed pool of sentences: picking from it is ~10x faster than building each one,
    which matters when a benchmark case is 100 MB of feeds."""
    rng = random.Random(0)
    out = []
    for _ in range(count):
        words = rng.sample(_SENTENCE_WORDS, rng.randint(8, 16))
        words.insert(rng.randrange(len(words)), rng.choice(_LATIN))
        out.append(" ".join(words).capitalize() + ".")
    return tuple(out)


_SENTENCES = _make_sentences(2000)


@dataclass(frozen=True, slots=True)
class FeedSet:
    """The parameters that fix every byte the server sends."""

    feeds: int
    items: int
    seed: int
    anchor: int
    """Unix time; every item date is within the week before it."""
    formats: tuple[str, ...] = FORMATS
    """Feed i is in formats[i % len(formats)]."""

    @property
    def new_per_generation(self) -> int:
        """Items added at the top (and dropped at the bottom) per generation: ~10%."""
        return max(1, round(self.items * 0.1))

    def articles_after(self, generation: int) -> int:
        """Distinct items a reader has seen after fetching generations 0..generation."""
        return self.feeds * (self.items + generation * self.new_per_generation)


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    link: str
    title: str
    author: str
    summary: str
    html: str | None
    published: int


def feed_format(fs: FeedSet, feed: int) -> str:
    """Formats are mixed by feed index: rss, atom, json, rss, ..."""
    return fs.formats[feed % len(fs.formats)]


def feed_path(fs: FeedSet, feed: int) -> str:
    return f"/feed/{feed}.{'json' if feed_format(fs, feed) == 'json' else 'xml'}"


def feed_title(feed: int) -> str:
    """Starts with a fixed-width ASCII token so a screen scraper can find feed 0."""
    return f"Feed {feed:04d}: Nouvelles du café – 日本語 📰"


def _rng(*parts: int) -> random.Random:
    return random.Random("-".join(map(str, parts)))


def _date(fs: FeedSet, feed: int, serial: int) -> int:
    """Serial n+1 is newer than n; feeds interleave; generation MAX_GENERATION ends at the
    anchor, so no date is ever in the future."""
    step = WEEK / (fs.items + MAX_GENERATION * fs.new_per_generation)
    offset = (feed * 7919 % 1000) / 1000 * step
    return int(fs.anchor - WEEK + (serial + 1) * step - offset)


def _summary(rng: random.Random) -> str:
    """200-600 characters of plain text with an accent and a CJK word or two."""
    target = rng.randint(200, 600)
    parts: list[str] = []
    length = 0
    while length < target:
        part = rng.choice(_SENTENCES)
        if not parts:
            part = f"{rng.choice(_CJK)}: {part}"
        parts.append(part)
        length += len(part) + 1
    text = " ".join(parts)[:target]
    return text.rsplit(" ", 1)[0] if len(text) > 200 else text


def _html(rng: random.Random, base: str, feed: int, serial: int) -> str:
    """A 3-8 KB article body: paragraphs with links and entities, a list, a blockquote
    and an image, like a typical content:encoded."""
    target = rng.randint(3000, 8000)
    parts = [f"<h2>{escape(rng.choice(_LATIN).title())} {rng.choice(_CJK)}</h2>"]
    size = len(parts[0])
    p = 0
    while size < target:
        p += 1
        sentences = " ".join(rng.choices(_SENTENCES, k=rng.randint(2, 5)))
        link = f'<a href="{base}/story/{feed}/{serial}#p{p}">{rng.choice(_LATIN)}</a>'
        block = f"<p>{sentences} {link} {rng.choice(_ENTITIES)} <em>{rng.choice(_LATIN)}</em></p>"
        if p == 2:
            block += (
                "<ul>" + "".join(f"<li>{rng.choice(_LATIN)} {i}</li>" for i in range(4)) + "</ul>"
            )
        elif p == 3:
            block += f"<blockquote><p>{rng.choice(_SENTENCES)}</p></blockquote>"
        elif p == 4:
            block += f'<p><img src="/img/{feed}-{serial}.jpg" alt="{rng.choice(_LATIN)}"></p>'
        parts.append(block)
        size += len(block)
    return "".join(parts)


def make_item(fs: FeedSet, feed: int, serial: int, base: str) -> Item:
    """One item; the same (fs, feed, serial, base) always gives the same item."""
    rng = _rng(fs.seed, feed, serial)
    title = (
        f"{rng.choice(_LATIN).title()} {rng.choice(_LATIN)} {feed}.{serial}: "
        f"{' '.join(rng.sample(_LATIN, 3))} {rng.choice(_CJK)} {rng.choice(_EMOJI)}"
    )
    return Item(
        guid=f"bench-{fs.seed}-{feed}-{serial}",
        link=f"{base}/story/{feed}/{serial}",
        title=title,
        author=f"Rédaction {rng.randint(1, 9)}",
        summary=_summary(rng),
        html=_html(rng, base, feed, serial) if rng.random() < 0.25 else None,
        published=_date(fs, feed, serial),
    )


def serials(fs: FeedSet, generation: int) -> range:
    """The serials one generation of a feed lists (rendered newest first)."""
    if not 0 <= generation <= MAX_GENERATION:
        raise ValueError(f"generation must be 0..{MAX_GENERATION}")
    first = generation * fs.new_per_generation
    return range(first, first + fs.items)


def last_modified(fs: FeedSet, feed: int, generation: int) -> int:
    """The newest item's date: what a real server's Last-Modified would be."""
    return _date(fs, feed, serials(fs, generation)[-1])


def render(fs: FeedSet, feed: int, generation: int, base: str) -> bytes:
    """The document for one feed in one generation, UTF-8."""
    items = [make_item(fs, feed, s, base) for s in reversed(serials(fs, generation))]
    updated = last_modified(fs, feed, generation)
    kind = feed_format(fs, feed)
    if kind == "rss":
        return _rss(feed, items, updated, base)
    if kind == "atom":
        return _atom(feed, items, updated, base)
    return _json(feed, items, base, base + feed_path(fs, feed))


def _rfc822(ts: int) -> str:
    return format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss(feed: int, items: list[Item], updated: int, base: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(feed_title(feed))}</title><link>{base}/</link>"
        f"<description>Benchmark feed {feed}</description>"
        f"<lastBuildDate>{_rfc822(updated)}</lastBuildDate>"
    ]
    for it in items:
        out.append(
            f"<item><title>{escape(it.title)}</title><link>{it.link}</link>"
            f'<guid isPermaLink="false">{it.guid}</guid><pubDate>{_rfc822(it.published)}</pubDate>'
            f"<dc:creator>{escape(it.author)}</dc:creator>"
            f"<description>{escape(it.summary)}</description>"
        )
        if it.html is not None:
            out.append(f"<content:encoded><![CDATA[{it.html}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>\n")
    return "".join(out).encode()


def _atom(feed: int, items: list[Item], updated: int, base: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(feed_title(feed))}</title><id>urn:bench:feed:{feed}</id>"
        f'<link rel="alternate" href="{base}/"/><updated>{_iso(updated)}</updated>'
    ]
    for it in items:
        out.append(
            f"<entry><title>{escape(it.title)}</title><id>{it.guid}</id>"
            f'<link rel="alternate" href="{it.link}"/><published>{_iso(it.published)}</published>'
            f"<updated>{_iso(it.published)}</updated>"
            f"<author><name>{escape(it.author)}</name></author>"
            f"<summary>{escape(it.summary)}</summary>"
        )
        if it.html is not None:
            out.append(f'<content type="html">{escape(it.html)}</content>')
        out.append("</entry>")
    out.append("</feed>\n")
    return "".join(out).encode()


def _json(feed: int, items: list[Item], base: str, feed_url: str) -> bytes:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_title(feed),
        "home_page_url": f"{base}/",
        "feed_url": feed_url,
        "items": [
            {
                "id": it.guid,
                "url": it.link,
                "title": it.title,
                "summary": it.summary,
                **({"content_html": it.html} if it.html else {"content_text": it.summary}),
                "date_published": _iso(it.published),
                "authors": [{"name": it.author}],
            }
            for it in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False).encode()
