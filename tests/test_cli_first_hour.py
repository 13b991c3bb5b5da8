"""Issue 12: what a new user met in their first hour with the command line.

Real ``tui-reader`` subprocesses against a loopback feed server (helpers from test_cli):
where refresh failures are printed, what ``bookmarks export`` says about a bad target,
counts agreeing with their nouns, ``add`` keeping the feed it fetched, and the shape of
the feeds.toml it writes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer
from test_cli import BETA, HOME_PAGE, NOW, rss, run

from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(120)

QUIET = rss("Quiet Blog", [
    ("q1", "Quiet one", NOW - 7200),
    ("q2", "Quiet two", NOW - 3600),
    ("q3", "Quiet three", NOW - 600),
])
SINGLE = rss("Single", [("s1", "The only story", NOW - 60)])


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        srv.route("/quiet.xml", QUIET,
                  headers={"ETag": '"quiet-v1"', "Last-Modified": "Mon, 01 Jan 2029 10:00:00 GMT"})
        srv.route("/single.xml", SINGLE)
        srv.route("/beta.atom", BETA, content_type="application/atom+xml")
        srv.route("/home", HOME_PAGE, content_type="text/html; charset=utf-8")
        srv.route("/missing.xml", "gone", status=404, content_type="text/plain")
        yield srv


def _feeds_toml(home: Path, *urls: str) -> None:
    paths = Paths.under(home)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.feeds_file.write_text("".join(f'[[feed]]\nurl = "{u}"\n' for u in urls),
                                encoding="utf-8")


def _stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.strip().splitlines()


@pytest.fixture(scope="module")
def marked(server: FeedServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with one bookmarked story."""
    home = tmp_path_factory.mktemp("marked") / "home"
    run(home, "add", server.url("/single.xml"))
    run(home, "refresh", "--all")
    with open_store(Paths.under(home).database) as store:
        (story,) = store.headlines()
        store.set_bookmark(story.id)
    return home


# -- 3. counts agree with their nouns ---------------------------------------------------------


def test_plural() -> None:
    from tui_reader.core.words import plural

    assert plural(1, "feed") == "1 feed"
    assert plural(0, "feed") == "0 feeds"
    assert plural(2, "story") == "2 stories"
    assert plural(1, "story") == "1 story"
    assert plural(1204, "bookmark") == "1,204 bookmarks"
    assert plural(3, "day") == "3 days"
    assert plural(2, "bookmarked story is", "bookmarked stories are") == \
        "2 bookmarked stories are"


def test_cli_counts_agree(marked: Path, tmp_path: Path, server: FeedServer) -> None:
    opml = tmp_path / "one.opml"
    run(marked, "export", "-o", str(opml))
    other = tmp_path / "other"
    assert run(other, "import", str(opml)).stdout.startswith(
        "Imported 1 feed from")
    assert "(1 already subscribed)" in run(other, "import", str(opml)).stdout
    refreshed = run(other, "refresh", "--all")
    assert refreshed.stdout.startswith("Refreshed: 1 feed, 1 new")
