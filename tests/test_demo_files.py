"""The bundled demo feeds: present as package data, well-formed, and rich enough to show off."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.resources import files
from typing import Any

import feedparser
import pytest

from tui_reader.demo.catalog import DEMO_ANCHOR, DEMO_FEEDS, read_demo_file

EXPECTED_COUNTS = {"world.xml": 20, "tech.atom": 10, "community.xml": 10, "notes.json": 6}
DEMO_HOST = "https://demo.tui-reader.invalid/"
ANCHOR = datetime.fromisoformat(DEMO_ANCHOR.replace("Z", "+00:00"))


def _feedparser(name: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(read_demo_file(name))
    assert not parsed.bozo, f"{name}: {parsed.get('bozo_exception')}"
    return parsed


def _json(name: str) -> dict[str, Any]:
    return json.loads(read_demo_file(name))


def test_catalog_lists_every_file_once() -> None:
    names = [name for name, _url, _tags in DEMO_FEEDS]
    assert sorted(names) == sorted(EXPECTED_COUNTS)
    for _name, url, tags in DEMO_FEEDS:
        assert url.startswith(DEMO_HOST)
        assert tags and all(isinstance(t, str) and t for t in tags)
    assert ANCHOR.tzinfo is not None


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_file_is_package_data(name: str) -> None:
    resource = files("tui_reader.demo").joinpath(name)
    assert resource.is_file()
    assert resource.read_bytes() == read_demo_file(name)


def test_demo_files_are_small() -> None:
    assert sum(len(read_demo_file(name)) for name in EXPECTED_COUNTS) < 150_000


def test_unknown_file_name_is_refused() -> None:
    with pytest.raises(KeyError):
        read_demo_file("../core/opml.py")


@pytest.mark.parametrize("name", ["world.xml", "tech.atom", "community.xml"])
def test_xml_feeds_parse_with_items_and_categories(name: str) -> None:
    parsed = _feedparser(name)
    assert parsed.feed.title
    assert len(parsed.entries) == EXPECTED_COUNTS[name]
    for entry in parsed.entries:
        assert entry.title and entry.link.startswith(DEMO_HOST)
        assert entry.get("id")
        assert entry.get("tags"), f"{entry.title} has no categories"
        assert entry.get("author")
        when = datetime(*entry.published_parsed[:6], tzinfo=UTC)
        assert when <= ANCHOR


def test_json_feed_parses_with_items_and_tags() -> None:
    feed = _json("notes.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Field Notes"
    assert len(feed["items"]) == EXPECTED_COUNTS["notes.json"]
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith(DEMO_HOST)
        assert item["tags"] and item["content_html"]
        assert datetime.fromisoformat(item["date_published"].replace("Z", "+00:00")) <= ANCHOR


def test_world_feed_spreads_over_five_days_with_recent_items() -> None:
    entries = _feedparser("world.xml").entries
    times = [parsedate_to_datetime(e.published) for e in entries]
    hours_before = [(ANCHOR - t).total_seconds() / 3600 for t in times]
    assert min(hours_before) >= 0
    assert sum(1 for h in hours_before if h <= 6) >= 4
    assert max(hours_before) < 5 * 24
    days = {t.date() for t in times}
    assert len(days) == 5


def test_world_newest_item_is_a_long_story() -> None:
    entries = _feedparser("world.xml").entries
    newest = max(entries, key=lambda e: parsedate_to_datetime(e.published))
    html = newest.content[0].value
    assert len(re.findall(r"<p>", html)) >= 6
    for tag in ("<h2>", "<blockquote>", "<ul>", "<strong>"):
        assert tag in html
    assert len(html) > 3000
    # Other stories with body text, and categories shared enough for "Read next".
    assert sum(1 for e in entries if e.get("content")) >= 4
    newest_tags = {t.term for t in newest.tags}
    related = [e for e in entries if e is not newest and newest_tags & {t.term for t in e.tags}]
    assert len(related) >= 10


def test_tech_feed_has_code_blocks() -> None:
    entries = _feedparser("tech.atom").entries
    with_code = [e for e in entries if "<pre><code>" in e.get("content", [{}])[0].get("value", "")]
    assert len(with_code) >= 2


def test_community_feed_has_comment_links_and_counts() -> None:
    entries = _feedparser("community.xml").entries
    for entry in entries:
        assert entry.comments.startswith(DEMO_HOST)
        assert int(entry.slash_comments) >= 0


def test_hostile_payloads_are_present_for_the_sanitiser_to_neutralise() -> None:
    community = [e.title for e in _feedparser("community.xml").entries]
    assert any("[bold red]" in title for title in community)
    assert any("&#27;[31m" in title for title in community)
    notes = [item["title"] for item in _json("notes.json")["items"]]
    assert any("\x1b[31m" in title and "\x07" in title for title in notes)


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_every_link_stays_on_the_invalid_demo_host(name: str) -> None:
    text = read_demo_file(name).decode("utf-8")
    for url in re.findall(r"https?://[^\s\"'<>\\)]+", text):
        if url.startswith(("http://purl.org/", "http://www.w3.org/", "https://jsonfeed.org/")):
            continue  # XML namespace and format identifiers, never fetched
        if url.startswith("https://example.invalid/"):
            continue  # inside a code sample
        assert url.startswith(DEMO_HOST), url
