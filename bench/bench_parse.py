"""Time fastfeedparser against feedparser on generated feeds, and our full pipeline.

Run by hand: ``uv run python bench/bench_parse.py [items] [repeats]``. Prints the median
wall time per document for each parser and format, and for ``parse_feed`` (which also
converts every body to Markdown and sanitises it). No network is used.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import fastfeedparser
import feedparser

from tui_reader.core.html_to_md import html_to_markdown, search_text
from tui_reader.core.parse import parse_feed

BASE = "https://bench.example.invalid"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _body(i: int) -> str:
    """About 2.5 KB of typical article HTML."""
    paras = "".join(
        f"<p>Paragraph {p} of story {i}: the <a href='/story/{i}#p{p}'>council</a> met on "
        f"<em>Tuesday</em> to discuss the <strong>budget</strong>, roads &amp; schools, and "
        f"a proposal for a new library that residents have asked about for years.</p>"
        for p in range(6)
    )
    return (
        f"<h2>Story {i}</h2>{paras}<ul><li>one</li><li>two</li><li>three</li></ul>"
        f"<blockquote>A quote from someone.</blockquote><img src='/img/{i}.jpg' alt='photo'>"
    )


def make_rss(n: int) -> bytes:
    items = []
    for i in range(n):
        when = format_datetime(START - timedelta(hours=i), usegmt=True)
        items.append(
            f"<item><title>Story number {i} &amp; more</title>"
            f"<link>{BASE}/story/{i}</link><guid isPermaLink='false'>story-{i}</guid>"
            f"<pubDate>{when}</pubDate><dc:creator>Writer {i % 7}</dc:creator>"
            f"<category>news</category><category>topic-{i % 5}</category>"
            f"<comments>{BASE}/story/{i}/comments</comments>"
            f"<slash:comments>{i * 3}</slash:comments>"
            f"<description>{escape(f'<p>Short summary of story {i}.</p>')}</description>"
            f"<content:encoded><![CDATA[{_body(i)}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
        f"<title>Bench RSS</title><link>{BASE}/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def make_atom(n: int) -> bytes:
    entries = []
    for i in range(n):
        when = (START - timedelta(hours=i)).isoformat().replace("+00:00", "Z")
        entries.append(
            f"<entry><title>Story number {i}</title><id>tag:bench,2026:{i}</id>"
            f"<link href='{BASE}/story/{i}'/><updated>{when}</updated>"
            f"<published>{when}</published><author><name>Writer {i % 7}</name></author>"
            f"<category term='news'/><category term='topic-{i % 5}'/>"
            f"<summary>Short summary of story {i}.</summary>"
            f"<content type='html'>{escape(_body(i))}</content></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Bench Atom</title><id>tag:bench,2026:feed</id><link href='{BASE}/'/>"
        f"<updated>{START.isoformat()}</updated>" + "".join(entries) + "</feed>"
    ).encode()


def make_json(n: int) -> bytes:
    items = [
        {
            "id": f"story-{i}",
            "url": f"{BASE}/story/{i}",
            "title": f"Story number {i}",
            "summary": f"Short summary of story {i}.",
            "content_html": _body(i),
            "date_published": (START - timedelta(hours=i)).isoformat(),
            "authors": [{"name": f"Writer {i % 7}"}],
            "tags": ["news", f"topic-{i % 5}"],
        }
        for i in range(n)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Bench JSON", "items": items}
    return json.dumps(doc).encode()


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    docs = {"RSS 2.0": make_rss(n), "Atom 1.0": make_atom(n), "JSON Feed": make_json(n)}
    print(f"{n} items per feed, median of {repeats} runs, times in ms per document\n")
    print(f"{'format':<10} {'KB':>6} {'fastfeedparser':>15} {'feedparser':>11} "
          f"{'ratio':>6} {'json.loads':>11} {'parse_feed':>11}")  # fmt: skip
    for name, data in docs.items():
        ffp = median_ms(lambda d=data: fastfeedparser.parse(d), repeats)
        is_json = name == "JSON Feed"
        fp = float("nan") if is_json else median_ms(lambda d=data: feedparser.parse(d), repeats)
        js = median_ms(lambda d=data: json.loads(d), repeats) if is_json else float("nan")
        full = median_ms(lambda d=data: parse_feed(d, BASE + "/feed"), max(3, repeats // 2))
        ratio = fp / ffp if not is_json else float("nan")
        print(
            f"{name:<10} {len(data) / 1024:>6.0f} {ffp:>15.1f} {fp:>11.1f} {ratio:>6.1f} "
            f"{js:>11.1f} {full:>11.1f}"
        )
    body = _body(1)
    md = median_ms(lambda: html_to_markdown(body, BASE + "/"), 50)
    words = median_ms(lambda: search_text(body), 50)
    print(f"\nhtml_to_markdown on one {len(body)}-char body: {md:.2f} ms (when it is shown)")
    print(f"search_text on the same body: {words:.2f} ms (what a refresh does)")


if __name__ == "__main__":
    main()
