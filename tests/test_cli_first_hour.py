"""Issue 12: what a new user met in their first hour with the command line.

Real ``tui-reader`` subprocesses against a loopback feed server (helpers from test_cli):
where refresh failures are printed, what ``bookmarks export`` says about a bad target,
counts agreeing with their nouns, ``add`` keeping the feed it fetched, and the shape of
the feeds.toml it writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from feedserver import FeedServer
from test_cli import BETA, HOME_PAGE, NOW, free_port, one_line_error, rss, run, run_many

from tui_reader.core.feeds_file import load_subscriptions
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


# -- 1. refresh: failures on stderr, one line -------------------------------------------------


def test_refresh_failures_are_one_summary_line_on_stderr(
    tmp_path: Path, server: FeedServer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/feed.xml"
    some, none = tmp_path / "some", tmp_path / "none"
    _feeds_toml(some, server.url("/quiet.xml"), server.url("/missing.xml"), closed)
    _feeds_toml(none, *(f"http://127.0.0.1:{free_port()}/{n}.xml" for n in range(3)),
                server.url("/missing.xml"))
    r_some, r_none = run_many((some, ("refresh",)), (none, ("refresh",)))

    # Some failed: the run did its job (exit 0); stdout is only the summary, as cron keeps it.
    assert r_some.returncode == 0, r_some.stderr
    assert r_some.stdout.splitlines() == ["Refreshed: 3 feeds, 3 new, 2 failed"]
    (line,) = _stderr_lines(r_some)
    assert line.startswith("tui-reader: 2 of 3 feeds failed (")
    assert "1 HTTP 404" in line and "1 connection refused" in line
    assert line.endswith("see `tui-reader feeds`, or run with --verbose")
    assert closed not in line  # the details are for --verbose

    # All failed: exit 1 and the kinds counted, the most common first.
    assert r_none.returncode == 1
    assert r_none.stdout.splitlines() == ["Refreshed: 4 feeds, 0 new, 4 failed"]
    (line,) = _stderr_lines(r_none)
    assert line.startswith("tui-reader: 4 of 4 feeds failed (3 connection refused, 1 HTTP 404)")


def test_refresh_verbose_lists_each_failed_feed_on_stderr(
    tmp_path: Path, server: FeedServer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/feed.xml"
    home = tmp_path / "home"
    _feeds_toml(home, server.url("/quiet.xml"), closed)
    with Paths.under(home).feeds_file.open("a", encoding="utf-8") as handle:
        handle.write(f'[[feed]]\nurl = "{server.url("/missing.xml")}"\ntitle = "Lost"\n')
    result = run(home, "refresh", "--verbose")
    assert result.stdout.splitlines() == ["Refreshed: 3 feeds, 3 new, 2 failed"]
    lines = _stderr_lines(result)
    assert len(lines) == 3, lines
    assert lines[0].startswith("tui-reader: 2 of 3 feeds failed (")
    assert "--verbose" not in lines[0]  # it was given
    details = "\n".join(lines[1:])
    assert f"  Lost: HTTP 404 Not Found ({server.url('/missing.xml')})" in details
    assert f"  {closed}: connection refused" in details  # never fetched: no title yet
    # -v is the short form; a refresh where nothing failed says nothing on stderr.
    quiet = run(home, "refresh", "-v")
    assert quiet.stdout.strip() == "Refreshed: no feeds were due" and quiet.stderr == ""


def test_refresh_offline_and_json(tmp_path: Path, server: FeedServer) -> None:
    offline, as_json = tmp_path / "offline", tmp_path / "json"
    _feeds_toml(offline, *(f"http://127.0.0.1:{free_port()}/{n}.xml" for n in range(5)))
    _feeds_toml(as_json, server.url("/quiet.xml"), server.url("/missing.xml"))
    r_offline, r_json = run_many((offline, ("refresh",)), (as_json, ("refresh", "--json")))
    assert r_offline.returncode == 1
    assert r_offline.stdout.splitlines() == [
        "Refreshed: 5 feeds, 0 new, 5 failed, no server could be reached (offline?)"]
    assert _stderr_lines(r_offline) == [
        "tui-reader: 5 of 5 feeds failed (5 connection refused) — see `tui-reader feeds`, "
        "or run with --verbose"
    ]
    # --json: every detail in the JSON on stdout, the same one line on stderr.
    assert r_json.returncode == 0
    data = json.loads(r_json.stdout)
    assert data["failed"] == 1 and data["feeds"] == 2
    assert [r["error"] for r in data["results"] if r["error"]] == ["HTTP 404 Not Found"]
    (line,) = _stderr_lines(r_json)
    assert line.startswith("tui-reader: 1 of 2 feeds failed (1 HTTP 404)")


# -- 2. bookmarks export: a bad target in words -----------------------------------------------


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


def test_bookmarks_export_to_a_file_says_so(marked: Path, tmp_path: Path) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n", encoding="utf-8")
    line = one_line_error(run(marked, "bookmarks", "export", str(target), ok=False))
    assert line == (f"tui-reader: {target} is a file, not a folder: give a folder to write "
                    "the Markdown files into")
    assert target.read_text(encoding="utf-8") == "root:x:0:0\n"


def test_bookmarks_export_needs_the_parent_folder(marked: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "notes"
    one_line_error(run(marked, "bookmarks", "export", str(target), ok=False),
                   f"{tmp_path / 'no'} does not exist")
    assert not (tmp_path / "no").exists()  # a typo does not grow a tree of folders
    # One level down is fine: the folder itself is made.
    fresh = tmp_path / "fresh"
    result = run(marked, "bookmarks", "export", str(fresh))
    assert result.stdout.strip() == f"Wrote 1 bookmark to {fresh}"
    assert len(list(fresh.iterdir())) == 1


@contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """*folder* made unwritable: immutable for root (who ignores modes), mode 555 otherwise."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip("cannot make a folder unwritable for root here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_bookmarks_export_to_a_read_only_folder(marked: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with _unwritable(locked):
        one_line_error(run(marked, "bookmarks", "export", str(locked), ok=False),
                       f"cannot write into {locked}", "permission")
        one_line_error(run(marked, "bookmarks", "export", str(locked / "sub"), ok=False),
                       f"cannot create {locked / 'sub'}", "permission")
    assert list(locked.iterdir()) == []


def test_bookmarks_list_takes_no_folder(marked: Path, tmp_path: Path) -> None:
    one_line_error(run(marked, "bookmarks", "list", str(tmp_path), ok=False),
                   "bookmarks export")


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


# -- 4. add keeps the feed it fetched -------------------------------------------------------


def test_add_stores_the_title_and_stories_it_fetched(tmp_path: Path, server: FeedServer) -> None:
    home = tmp_path / "home"
    url = server.url("/quiet.xml")
    added = run(home, "add", url)
    assert added.stdout.splitlines()[:2] == ["Found feed: Quiet Blog",
                                             "Added Quiet Blog with 3 stories"]
    assert url in added.stdout and "tui-reader refresh" not in added.stdout

    # The feed's own title is the cache's, not a user title in feeds.toml.
    (sub,) = load_subscriptions(Paths.under(home).feeds_file)
    assert sub.url == url and sub.title is None
    (feed,) = json.loads(run(home, "feeds", "--json").stdout)
    assert (feed["title"], feed["articles"], feed["unread"], feed["last_status"]) == \
        ("Quiet Blog", 3, 3, "ok")
    assert feed["next_due"] is not None
    table = run(home, "feeds").stdout.splitlines()
    assert table[1].startswith("Quiet Blog ")
    heads = json.loads(run(home, "headlines", "--json").stdout)
    assert [(h["feed"], h["title"]) for h in heads] == [
        ("Quiet Blog", "Quiet three"), ("Quiet Blog", "Quiet two"), ("Quiet Blog", "Quiet one")
    ]
    opml = run(home, "export").stdout
    assert f'text="Quiet Blog" title="Quiet Blog" xmlUrl="{url}"' in opml

    # The add's fetch counts as one: not due now, and the next one is conditional.
    assert run(home, "refresh").stdout.strip() == "Refreshed: no feeds were due"
    before = len(server.requests_for("/quiet.xml"))
    assert run(home, "refresh", "--all").stdout.strip() == "Refreshed: 1 feed, 0 new"
    (again,) = server.requests_for("/quiet.xml")[before:]
    assert again.headers.get("If-None-Match") == '"quiet-v1"'
    assert again.headers.get("If-Modified-Since") == "Mon, 01 Jan 2029 10:00:00 GMT"


def test_add_of_a_page_keeps_its_feed_and_a_given_title_wins(
    tmp_path: Path, server: FeedServer
) -> None:
    page, titled, unchecked = tmp_path / "page", tmp_path / "titled", tmp_path / "unchecked"
    r_page, r_titled, r_unchecked = run_many(
        (page, ("add", server.url("/home"))),
        (titled, ("add", server.url("/quiet.xml"), "--title", "Mine")),
        (unchecked, ("add", server.url("/quiet.xml"), "--no-check")),
    )
    assert r_page.returncode == 0 and "Added Beta Blog with 2 stories" in r_page.stdout
    (feed,) = json.loads(run(page, "feeds", "--json").stdout)
    assert (feed["title"], feed["url"], feed["articles"]) == \
        ("Beta Blog", server.url("/beta.atom"), 2)

    assert r_titled.returncode == 0 and "Added Mine with 3 stories" in r_titled.stdout
    (sub,) = load_subscriptions(Paths.under(titled).feeds_file)
    assert sub.title == "Mine"
    assert json.loads(run(titled, "feeds", "--json").stdout)[0]["title"] == "Mine"

    # --no-check fetches nothing, so there is nothing to keep yet.
    assert r_unchecked.returncode == 0
    assert "tui-reader refresh" in r_unchecked.stdout
    (feed,) = json.loads(run(unchecked, "feeds", "--json").stdout)
    assert feed["articles"] == 0 and feed["last_status"] is None


# -- 5. feeds.toml is written as [[feed]] tables ----------------------------------------------


def test_add_writes_feed_tables(tmp_path: Path, server: FeedServer) -> None:
    home = tmp_path / "home"
    run(home, "add", server.url("/quiet.xml"))  # short tables: tomli-w wrote them inline
    run(home, "add", server.url("/single.xml"), "--no-check", "--tag", "news",
        "--tag", 'say "hi"')
    text = Paths.under(home).feeds_file.read_text(encoding="utf-8")
    assert "feed = [" not in text
    assert text.count("\n[[feed]]\n") == 2
    body = text.split("\n\n", 1)[1]
    assert body.startswith(f'[[feed]]\nurl = "{server.url("/quiet.xml")}"\n')
    assert '\ntags = ["news", "say \\"hi\\""]\n' in text  # on one line, as README shows
    assert [f["url"] for f in tomllib.loads(text)["feed"]] == \
        [server.url("/quiet.xml"), server.url("/single.xml")]
    assert tomllib.loads(text)["feed"][1]["tags"] == ["news", 'say "hi"']
