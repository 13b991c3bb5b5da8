"""The feed corpus (tests/feeds/): every feed read as its author wrote it, by parse_feed,
and a few end to end through a loopback server, `add` and `tui-reader show`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer

from tui_reader.core.article_body import item_markdown
from tui_reader.core.parse import parse_feed

pytestmark = pytest.mark.timeout(120)

FEEDS = Path(__file__).parent / "feeds"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads(
    (FEEDS / "expected.toml").read_text(encoding="utf-8")
)
URL = "http://corpus.example.test/feed"
THROUGH_SHOW = ["atom-title-xhtml.xml", "rss-title-escaped-video.xml",
                "enc-iso-8859-1-label.xml", "atom-content-xhtml.xml", "json-title-markup.json"]


def _iso(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z") if ts else ""


def test_every_feed_in_the_folder_has_expectations() -> None:
    on_disk = {p.name for p in FEEDS.iterdir() if p.suffix in (".xml", ".json")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 36


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_feed_reads_as_written(name: str) -> None:
    want = EXPECTED[name]
    feed = parse_feed((FEEDS / name).read_bytes(), URL, want.get("content_type"))
    item = feed.items[0]
    got = {"title": item.title, "link": item.url or "",
           "date": _iso(item.published or item.updated), "body": item_markdown(item)}
    if "summary" in want:
        got["summary"] = item.summary
    assert got == {key: want[key] for key in got}, want["about"]


def run(home: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=90, env=env,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_show_prints_what_the_corpus_expects(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    # The corpus is dated 2003: keep it rather than purge it.
    (home / "config" / "config.toml").write_text("retention_days = 36500\n")
    with FeedServer() as server:
        for name in THROUGH_SHOW:
            kind = "application/json" if name.endswith(".json") else "application/xml"
            server.route(f"/{name}", (FEEDS / name).read_bytes(), content_type=kind)
            run(home, "add", server.url(f"/{name}"))
    shown = {}
    for headline in json.loads(run(home, "headlines", "--json")):
        record = json.loads(run(home, "show", str(headline["id"]), "--json"))
        shown[record["title"]] = record
    for name in THROUGH_SHOW:
        want = EXPECTED[name]
        record = shown[want["title"]]
        assert (record["url"], record["body"]) == (want["link"], want["body"]), name
        assert (record["published"] or record["updated"]) == want["date"], name
