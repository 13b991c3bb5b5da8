"""``tui-reader show ID`` and the ids and summaries of ``headlines --json``, as real
subprocesses against a loopback feed server and a real cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedserver import FeedServer

from tui_reader.core.models import ParsedFeed, ParsedItem
from tui_reader.core.session import session_for_home

pytestmark = pytest.mark.timeout(120)

NOW = int(time.time())  # the stories must be newer than the cache's retention
FIRST, SECOND = NOW - 3600, NOW - 7200


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Markup Notes</title><id>urn:m</id>
<updated>{iso(FIRST)}</updated><link href="https://m.example.test/"/>
<entry><id>urn:m:1</id><title type="text">Using the &lt;video&gt; element</title>
  <link href="https://m.example.test/video"/><updated>{iso(FIRST)}</updated>
  <author><name>Ada</name></author><category term="html"/><category term="media"/>
  <summary>Why &lt;video&gt; beats plugins</summary>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"
><p>Use <code>&lt;video controls&gt;</code> and <a href="/docs">read the docs</a> first.</p></div>
  </content></entry>
<entry><id>urn:m:2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An
  <em>XHTML</em> title</div></title><link href="https://m.example.test/xhtml"/>
  <updated>{iso(SECOND)}</updated>
  <content type="html">&lt;p&gt;Second body&lt;/p&gt;</content></entry>
</feed>"""


def run(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=90, env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home subscribed (by `add`, which keeps what it fetched) to the Atom feed above."""
    with FeedServer() as server:
        server.route("/notes.atom", ATOM, content_type="application/atom+xml")
        home = tmp_path_factory.mktemp("show") / "home"
        run(home, "add", server.url("/notes.atom"))
        yield home


def headlines(home: Path) -> list[dict[str, object]]:
    data = json.loads(run(home, "headlines", "--json").stdout)
    assert isinstance(data, list)
    return data


def test_headlines_json_has_each_storys_id_and_summary(home: Path) -> None:
    first, second = headlines(home)
    assert first["title"] == "Using the <video> element"
    assert first["summary"] == "Why <video> beats plugins"
    assert second["title"] == "An XHTML title"
    assert isinstance(first["id"], int) and isinstance(second["id"], int)


def test_show_prints_the_story_and_its_body_as_markdown(home: Path) -> None:
    first, second = headlines(home)
    shown = run(home, "show", str(first["id"])).stdout
    lines = shown.splitlines()
    assert lines[0] == "# Using the <video> element"
    when = datetime.fromtimestamp(FIRST).strftime("%Y-%m-%d %H:%M")
    assert lines[2] == f"Markup Notes · Ada · {when}"
    assert lines[3] == "https://m.example.test/video"
    assert lines[4] == "Categories: html, media"
    body = "\n".join(lines[6:])
    assert body == "Use `<video controls>` and [read the docs](https://m.example.test/docs) first."
    assert run(home, "show", str(second["id"])).stdout.splitlines()[-1] == "Second body"


def test_show_json(home: Path) -> None:
    first = headlines(home)[0]
    record = json.loads(run(home, "show", str(first["id"]), "--json").stdout)
    assert record["id"] == first["id"]
    assert record["title"] == "Using the <video> element"
    assert record["feed"] == "Markup Notes" and record["author"] == "Ada"
    assert record["time"] == record["updated"] == iso(FIRST)
    assert record["url"] == "https://m.example.test/video"
    assert record["categories"] == ["html", "media"]
    assert record["summary"] == "Why <video> beats plugins"
    assert record["full_text"] is False
    assert record["body"].startswith("Use `<video controls>` and [read the docs]")


def test_show_unknown_or_bad_id_is_one_line(home: Path) -> None:
    missing = run(home, "show", "987654", ok=False)
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.strip().splitlines() == [
        "tui-reader: no story with id 987654 (the ids are in `tui-reader headlines --json`)"
    ]
    assert run(home, "show", "seven", ok=False).returncode == 2


def test_show_cleans_stored_text_for_the_terminal(tmp_path: Path) -> None:
    """Whatever reached the cache, nothing that drives the terminal leaves `show`."""
    home = tmp_path / "home"
    session = session_for_home(home)
    try:
        from tui_reader.core.feeds_file import Subscription

        session.save_subscriptions([Subscription("http://127.0.0.1:9/feed.xml", "F", ())])
        feed = session.store.feed_by_url("http://127.0.0.1:9/feed.xml")
        assert feed is not None
        item = ParsedItem(
            guid="x", url="https://h.example.test/\x1b[2J", title="Clear\x1b[2J \u202eme",
            author="\x07Bell", summary="s\x1b]0;t\x07", categories=("\x1b[31mred",),
            content_text="Body \x1b[31mred\x1b[0m \u202eflip\nnext",
        )
        session.store.save_feed(feed.id, ParsedFeed("Feed\x1b[1m", None, [item]), {}, now=1)
        (headline,) = session.store.headlines(limit=5)
    finally:
        session.close()
    for args in (("show", str(headline.id)), ("show", str(headline.id), "--json")):
        out = run(home, *args).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, repr(out)
    text = run(home, "show", str(headline.id)).stdout
    assert text.startswith("# Clear[2J me\n")
    assert "Body [31mred[0m flip\nnext" in text
