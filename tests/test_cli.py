"""The ``tui-reader`` command as real subprocesses against a loopback feed server.

One server and one populated home are shared by the module (the feeds are added and
fetched once); tests that change things work on a copy of that home.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from feedserver import FeedServer

from tui_reader import __version__
from tui_reader.core.feeds_file import load_subscriptions
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(120)

PAGES = Path(__file__).parent / "pages"
NOW = int(time.time())


def rfc822(ts: int) -> str:
    return format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)


def rss(title: str, items: list[tuple[str, str, int]]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{t}</title><link>https://example.org/{guid}</link>"
        f"<description>About {t}</description><category>World</category>"
        f"<pubDate>{rfc822(ts)}</pubDate></item>"
        for guid, t, ts in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{body}</channel></rss>"
    )


ALPHA = rss("Alpha News", [
    ("a1", "Alpha one", NOW - 3600),
    ("a2", "Alpha two", NOW - 1800),
    ("a3", "Alpha &amp; three ../../etc/passwd", NOW - 600),
])
def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


BETA = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Beta Blog</title><id>urn:beta</id><updated>2024-01-01T00:00:00Z</updated>"
    '<link href="https://beta.example/"/>'
    f"<entry><id>urn:b1</id><title>Überschrift — 日本語 ✓</title>"
    f'<link href="https://beta.example/b1"/><updated>{iso(NOW - 900)}</updated>'
    "<content type=\"html\">&lt;p&gt;Grüße aus Köln&lt;/p&gt;</content></entry>"
    f"<entry><id>urn:b2</id><title>.hidden/slash\\back:colon</title>"
    f'<link href="https://beta.example/b2"/><updated>{iso(NOW - 7200)}</updated>'
    "<summary>Second</summary></entry></feed>"
)
HOME_PAGE = (
    "<!doctype html><html><head><title>Beta home</title>"
    '<link rel="alternate" type="application/atom+xml" title="Beta" href="/beta.atom">'
    "</head><body><p>Welcome</p></body></html>"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        srv.route("/alpha.xml", ALPHA)
        srv.route("/beta.atom", BETA, content_type="application/atom+xml")
        srv.route("/home", HOME_PAGE, content_type="text/html; charset=utf-8")
        srv.route("/broken.xml", "oops", status=500, content_type="text/plain")
        srv.route("/post.html", (PAGES / "blog_code.html").read_bytes(),
                  content_type="text/html; charset=utf-8")
        srv.route("/missing.html", "no", status=404, content_type="text/html")
        yield srv


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


def run_many(*calls: tuple[Path, tuple[str, ...]]) -> list[subprocess.CompletedProcess[str]]:
    """Several independent commands at once (each on its own home): the suite stays fast."""
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    procs = [
        (subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env=env,
        ), args)
        for home, args in calls
    ]
    results = []
    for proc, args in procs:
        out, err = proc.communicate(timeout=90)
        assert "Traceback" not in out + err, err
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tui-reader: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def populated(server: FeedServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home subscribed (via `add`, which keeps what it fetched) to Alpha and, through
    its home page, Beta."""
    home = tmp_path_factory.mktemp("cli") / "home"
    added = run(home, "add", server.url("/alpha.xml"), "--tag", "news")
    assert "Found feed: Alpha News" in added.stdout
    assert "Added Alpha News with 3 stories" in added.stdout
    assert server.url("/alpha.xml") in added.stdout
    found = run(home, "add", server.url("/home"))
    assert server.url("/beta.atom") in found.stdout
    refreshed = run(home, "refresh")  # each add's fetch counted as one
    assert refreshed.stdout.strip() == "Refreshed: no feeds were due", refreshed.stdout
    return home


def copy_home(populated: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(populated, home)
    return home


# -- add ------------------------------------------------------------------------------------


def test_add_writes_feeds_toml_and_discovers_page_feeds(
    populated: Path, server: FeedServer
) -> None:
    subs = load_subscriptions(Paths.under(populated).feeds_file)
    assert [s.url for s in subs] == [server.url("/alpha.xml"), server.url("/beta.atom")]
    assert subs[0].tags == ("news",)


def test_add_twice_adds_no_duplicate(populated: Path, server: FeedServer,
                                     tmp_path: Path) -> None:
    home = copy_home(populated, tmp_path)
    again = run(home, "add", server.url("/alpha.xml"), "--tag", "extra", "--title", "Mine")
    assert again.stdout.strip().endswith("Already subscribed to Mine (title and tags updated)")
    assert "Added" not in again.stdout
    subs = load_subscriptions(Paths.under(home).feeds_file)
    assert len(subs) == 2
    assert subs[0].title == "Mine" and subs[0].tags == ("news", "extra")
    plain = run(home, "add", server.url("/home"))  # the page whose feed is Beta
    assert plain.stdout.strip().endswith("Already subscribed to Beta Blog")  # its own title


def test_add_errors_are_one_line(tmp_path: Path, server: FeedServer) -> None:
    home = tmp_path / "home"
    cases = [
        (("add", "file:///etc/passwd"), "http"),
        (("add", f"http://127.0.0.1:{free_port()}/feed"), "connection refused"),
        (("add", server.url("/broken.xml")), "500"),
        (("add", server.url("/post.html")), "no feed found"),
        (("add", "javascript:alert(1)", "--no-check"), "http"),
    ]
    results = run_many(*[(home / str(n), args) for n, (args, _) in enumerate(cases)])
    for n, ((_args, fragment), result) in enumerate(zip(cases, results, strict=True)):
        one_line_error(result, fragment)
        assert load_subscriptions(Paths.under(home / str(n)).feeds_file) == []


# -- refresh --------------------------------------------------------------------------------


def test_refresh_json_and_not_due(populated: Path, tmp_path: Path) -> None:
    home = copy_home(populated, tmp_path)
    result = run(home, "refresh", "--json")
    data = json.loads(result.stdout)
    assert data["feeds"] == 0 and data["new_articles"] == 0 and data["results"] == []
    result = run(home, "refresh", "--all", "--json")
    data = json.loads(result.stdout)
    assert data["feeds"] == 2 and data["failed"] == 0 and data["offline"] is False
    assert {r["status"] for r in data["results"]} <= {"ok", "not modified"}
    assert {r["title"] for r in data["results"]} == {"Alpha News", "Beta Blog"}


def _write_feeds(home: Path, *urls: str) -> None:
    paths = Paths.under(home)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.feeds_file.write_text(
        "".join(f'[[feed]]\nurl = "{u}"\n' for u in urls), encoding="utf-8"
    )


def test_refresh_exit_codes(tmp_path: Path, server: FeedServer) -> None:
    some, none, offline, empty = (tmp_path / n for n in ("some", "none", "offline", "empty"))
    _write_feeds(some, server.url("/alpha.xml"), server.url("/broken.xml"))
    _write_feeds(none, server.url("/broken.xml"), f"http://127.0.0.1:{free_port()}/x")
    _write_feeds(offline, f"http://127.0.0.1:{free_port()}/x")
    r_some, r_none, r_offline, r_empty = run_many(
        (some, ("refresh",)), (none, ("refresh", "--json")), (offline, ("refresh",)),
        (empty, ("refresh",)),
    )
    # One of two failing is still a refresh that did its job.
    assert r_some.returncode == 0, r_some.stderr
    assert "Refreshed: 2 feeds, 3 new, 1 failed" in r_some.stdout
    assert "(1 HTTP 500)" in r_some.stderr  # failures are on stderr (cron mails them)
    # Every feed failing is not.
    assert r_none.returncode != 0
    data = json.loads(r_none.stdout)
    assert data["feeds"] == 2 and data["failed"] == 2 and data["offline"] is False
    assert {r["status"] for r in data["results"]} == {"error"}
    assert r_offline.returncode != 0
    assert r_offline.stdout.startswith(
        "Refreshed: 1 feed, 0 new, 1 failed, no server could be reached (offline?)")
    assert "connection refused" in r_offline.stderr
    assert r_empty.returncode == 0 and "no feeds were due" in r_empty.stdout


# -- listing --------------------------------------------------------------------------------


def test_feeds_table_and_json(populated: Path, server: FeedServer) -> None:
    table = run(populated, "feeds").stdout.splitlines()
    assert table[0].split() == ["TITLE", "URL", "ARTICLES", "UNREAD", "STATUS"]
    assert table[1].startswith("Alpha News") and table[2].startswith("Beta Blog")
    assert "ok " in table[1]
    data = json.loads(run(populated, "feeds", "--json").stdout)
    assert [(f["title"], f["url"], f["articles"], f["unread"], f["tags"]) for f in data] == [
        ("Alpha News", server.url("/alpha.xml"), 3, 3, ["news"]),
        ("Beta Blog", server.url("/beta.atom"), 2, 2, []),
    ]
    assert data[0]["last_status"] == "ok" and data[0]["dead"] is False
    assert data[0]["last_fetched"].endswith("Z")


def test_headlines(populated: Path, server: FeedServer) -> None:
    lines = run(populated, "headlines", "--limit", "2").stdout.splitlines()
    assert len(lines) == 3 and lines[0].split()[:3] == ["TIME", "FL", "FEED"]
    assert "Alpha & three" in lines[1] and "Überschrift" in lines[2]

    data = json.loads(run(populated, "headlines", "--json").stdout)
    assert [h["title"] for h in data] == [
        "Alpha & three ../../etc/passwd", "Überschrift — 日本語 ✓", "Alpha two", "Alpha one",
        ".hidden/slash\\back:colon",
    ]
    assert all(h["read"] is False for h in data)
    assert data[0]["categories"] == ["World"] and data[0]["feed"] == "Alpha News"
    stamps = [h["time"] for h in data]
    assert stamps == sorted(stamps, reverse=True)

    beta = json.loads(run(populated, "headlines", "--feed", server.url("/beta.atom"),
                          "--json").stdout)
    assert {h["feed"] for h in beta} == {"Beta Blog"} and len(beta) == 2
    tagged = json.loads(run(populated, "headlines", "--tag", "news", "--json").stdout)
    assert len(tagged) == 3
    found = json.loads(run(populated, "headlines", "--search", "grüße", "--json").stdout)
    assert [h["title"] for h in found] == ["Überschrift — 日本語 ✓"]
    assert run(populated, "headlines", "--search", "zzzzqqq").stdout.strip() == \
        "No headlines match."
    one_line_error(run(populated, "headlines", "--feed", "http://nope.example/", ok=False),
                   "not subscribed")
    bad = run(populated, "headlines", "--limit", "0", ok=False)
    assert bad.returncode == 2


def test_unread_and_headlines_unread(populated: Path, tmp_path: Path,
                                     server: FeedServer) -> None:
    home = copy_home(populated, tmp_path)
    assert run(home, "unread").stdout.strip() == "5"
    with open_store(Paths.under(home).database) as store:
        alpha = store.feed_by_url(server.url("/alpha.xml"))
        assert alpha is not None
        store.mark_all_read(HeadlineFilter(feed_id=alpha.id))
    assert run(home, "unread").stdout.strip() == "2"
    data = json.loads(run(home, "unread", "--json").stdout)
    assert data == {"unread": 2, "feeds": {server.url("/alpha.xml"): 0,
                                           server.url("/beta.atom"): 2}}
    unread = json.loads(run(home, "headlines", "--unread", "--json").stdout)
    assert {h["feed"] for h in unread} == {"Beta Blog"} and len(unread) == 2
    fresh = tmp_path / "fresh"
    assert run(fresh, "unread").stdout.strip() == "0"
    assert not Paths.under(fresh).database.exists()


def test_remove(populated: Path, tmp_path: Path, server: FeedServer) -> None:
    home = copy_home(populated, tmp_path)
    with open_store(Paths.under(home).database) as store:
        (kept,) = [h for h in store.headlines() if h.title == "Alpha two"]
        store.set_bookmark(kept.id)
    result = run(home, "remove", server.url("/alpha.xml"))
    assert "Removed" in result.stdout
    assert [s.url for s in load_subscriptions(Paths.under(home).feeds_file)] == [
        server.url("/beta.atom")
    ]
    data = json.loads(run(home, "headlines", "--json").stdout)
    assert len(data) == 3
    assert {(h["title"], h["feed"]) for h in data if h["bookmarked"]} == {
        ("Alpha two", "Alpha News")
    }
    one_line_error(run(home, "remove", server.url("/alpha.xml"), ok=False), "not subscribed")
    one_line_error(run(home, "remove", "http://unknown.example/feed", ok=False),
                   "not subscribed", "http://unknown.example/feed")


# -- OPML -----------------------------------------------------------------------------------


def test_import_export_round_trip(populated: Path, tmp_path: Path, server: FeedServer) -> None:
    opml = tmp_path / "subs.opml"
    result = run(populated, "export", "-o", str(opml))
    assert opml.read_text(encoding="utf-8").startswith('<?xml version="1.0"')
    stdout_copy = run(populated, "export").stdout
    assert server.url("/alpha.xml") in stdout_copy

    other = tmp_path / "other"
    result = run(other, "import", str(opml))
    assert "Imported 2 feeds" in result.stdout
    original = load_subscriptions(Paths.under(populated).feeds_file)
    imported = load_subscriptions(Paths.under(other).feeds_file)
    assert [(s.url, s.tags) for s in imported] == [(s.url, s.tags) for s in original]
    again = run(other, "import", str(opml))
    assert "Imported 0 feeds" in again.stdout and "2 already subscribed" in again.stdout
    assert len(load_subscriptions(Paths.under(other).feeds_file)) == 2
    feeds = json.loads(run(other, "feeds", "--json").stdout)
    assert sorted(f["url"] for f in feeds) == sorted(s.url for s in original)

    one_line_error(run(other, "import", str(tmp_path / "nope.opml"), ok=False), "nope.opml")
    not_opml = tmp_path / "bad.opml"
    not_opml.write_text("<html><body/></html>", encoding="utf-8")
    one_line_error(run(other, "import", str(not_opml), ok=False), "bad.opml")
    one_line_error(run(other, "export", "-o", str(tmp_path / "no" / "dir" / "x.opml"),
                       ok=False), "x.opml")


# -- article --------------------------------------------------------------------------------


def test_article_prints_markdown(tmp_path: Path, server: FeedServer) -> None:
    home = tmp_path / "home"
    good, missing, feed, local = run_many(
        (home, ("article", server.url("/post.html"))),
        (home, ("article", server.url("/missing.html"))),
        (home, ("article", server.url("/alpha.xml"))),
        (home, ("article", "file:///etc/passwd")),
    )
    assert good.returncode == 0, good.stderr
    out = good.stdout
    assert out.startswith("# Debouncing filesystem events without losing the last one")
    assert "Priya Raman" in out
    assert "The usual fix is to" in out and "## The first attempt" in out
    assert "Projects" not in out  # the site's navigation is not the article
    one_line_error(missing, "404")
    one_line_error(feed, "not an HTML page")
    one_line_error(local, "http")


# -- bookmarks ------------------------------------------------------------------------------


def test_bookmarks_list_json_and_export(populated: Path, tmp_path: Path) -> None:
    home = copy_home(populated, tmp_path)
    assert "No bookmarks yet" in run(home, "bookmarks").stdout
    assert json.loads(run(home, "bookmarks", "--json").stdout) == []
    with open_store(Paths.under(home).database) as store:
        heads = {h.title: h for h in store.headlines()}
        for n, title in enumerate(["Alpha & three ../../etc/passwd", "Überschrift — 日本語 ✓",
                                   ".hidden/slash\\back:colon"]):
            store.set_bookmark(heads[title].id, now=NOW + n)
        store.save_snapshot(heads["Überschrift — 日本語 ✓"].id, "Volltext: Grüße aus Köln")

    table = run(home, "bookmarks").stdout.splitlines()
    assert table[0].split()[:3] == ["BOOKMARKED", "OFFLINE", "FEED"]
    assert len(table) == 4 and ".hidden" in table[1] and "full text" in table[2]
    marks = json.loads(run(home, "bookmarks", "--json").stdout)
    assert [m["title"] for m in marks] == [
        ".hidden/slash\\back:colon", "Überschrift — 日本語 ✓", "Alpha & three ../../etc/passwd"
    ]
    assert marks[1]["snapshot"] == "ok" and marks[0]["snapshot"] == "pending"
    assert marks[2]["feed"] == "Alpha News" and marks[2]["url"] == "https://example.org/a3"
    assert marks[0]["bookmarked"].endswith("Z")

    out = tmp_path / "export"
    result = run(home, "bookmarks", "export", str(out))
    assert "Wrote 3 bookmarks" in result.stdout
    files = sorted(out.iterdir())
    assert len(files) == 3
    for path in files:
        assert path.parent == out
        assert not path.name.startswith(".")
        assert path.suffix == ".md"
        assert all(c.isascii() and (c.isalnum() or c in "-.") for c in path.name), path.name
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    (german,) = [t for t in texts.values() if "Überschrift" in t]
    front, body = german.split("\n---\n", 1)
    assert front.startswith("---\n")
    fields = dict(line.split(": ", 1) for line in front.splitlines()[1:])
    assert json.loads(fields["title"]) == "Überschrift — 日本語 ✓"
    assert json.loads(fields["url"]) == "https://beta.example/b1"
    assert json.loads(fields["feed"]) == "Beta Blog"
    assert fields["snapshot"] == '"ok"'
    assert "Volltext: Grüße aus Köln" in body
    (evil,) = [t for t in texts.values() if "etc/passwd" in t]
    assert json.loads(dict(line.split(": ", 1) for line in
                           evil.split("\n---\n")[0].splitlines()[1:])["title"]) == \
        "Alpha & three ../../etc/passwd"
    assert not (tmp_path / "etc").exists()
    one_line_error(run(home, "bookmarks", "export", ok=False), "folder")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    one_line_error(run(home, "bookmarks", "export", str(blocker / "sub"), ok=False), "a-file")


# -- help and version -----------------------------------------------------------------------


def test_version_and_help(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "--version").stdout.strip() == f"tui-reader {__version__}"
    text = run(home, "--help").stdout
    for command in ("add", "remove", "feeds", "headlines", "refresh", "unread", "import",
                    "export", "article", "bookmarks", "--demo", "--home"):
        assert command in text
    assert "--unread" in run(home, "headlines", "--help").stdout
    assert not home.exists()  # asking for help touches nothing


def test_keys_lists_every_action_with_the_keys_in_force(tmp_path: Path) -> None:
    """`tui-reader keys` reads [keys] as the app does: remaps, clashes and unknown names."""
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[keys]\nbookmark = "x"\ntoggle_read = "n"\nbogus = "q"\n',
                      encoding="utf-8")
    result = run(home, "keys")
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert rows["bookmark"].split()[1] == "x"
    assert rows["toggle_read"].split()[1] == "n"
    assert rows["next_unread"].split()[1] == "—"  # toggle_read took its only key
    assert "feeds.add" in rows and "headlines, timeline" in rows["cursor_down"]
    assert result.stderr.splitlines() == [
        "config.toml [keys]: unknown action(s) bogus (tui-reader keys lists them)",
        "config.toml [keys]: key n is bound to both toggle_read and next_unread; toggle_read "
        "wins (next_unread has no key now)",
    ]
    data = json.loads(run(home, "keys", "--json").stdout)
    by_id = {row["action"]: row for row in data}
    assert by_id["bookmark"] == {"action": "bookmark", "keys": ["x"], "shown": "x",
                                 "where": "main screen",
                                 "does": "bookmark (saves full text offline)"}
    assert by_id["next_unread"]["keys"] == [] and by_id["search"]["keys"] == ["slash"]
    assert len(by_id) == len(data)  # one row per action id


def test_tables_line_up_by_terminal_cells_with_wide_characters() -> None:
    """A CJK title takes two cells a character: padding and cutting by characters left
    the next column out of line."""
    from tui_reader.cli_format import _table

    out = _table([["データベース入門ガイド", "x"], ["abc", "y"], ["e\u0301te", "z"]],
                 ["TITLE", "U"], [10, None]).splitlines()
    assert out[1] == "データベ…   x"  # 9 cells of title, padded to 10, then two spaces
    assert out[2] == "abc         y"
    assert out[3] == "e\u0301te         z"  # a combining accent takes no cell


def test_demo_with_a_command_is_refused_rather_than_run_on_the_real_home(
    tmp_path: Path,
) -> None:
    """`tui-reader --demo headlines` once listed the user's own (here: empty) cache and
    `--demo add URL` subscribed for real: --demo only opens the reader."""
    home = tmp_path / "home"
    for command in (["headlines"], ["add", "--no-check", "http://127.0.0.1:9/feed.xml"]):
        done = subprocess.run(
            [sys.executable, "-m", "tui_reader", "--home", str(home), "--demo", *command],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 2
        assert done.stderr.startswith("tui-reader: --demo opens the reader on sample feeds")
        assert len(done.stderr.strip().splitlines()) == 1  # one line, no usage lines
        assert "Traceback" not in done.stderr
    assert not (home / "config" / "feeds.toml").exists()


def test_headlines_says_when_it_stopped_at_the_limit_and_keys_are_never_cut(
    tmp_path: Path,
) -> None:
    """`headlines` stopped at 30 rows without a word; `keys` cut the column to copy into
    [keys] ("greater_than_…")."""
    from tui_reader.core.demo import build_demo_home

    home = tmp_path / "home"
    build_demo_home(home)
    capped = run(home, "headlines")
    assert len(capped.stdout.splitlines()) == 31  # the header and 30 rows
    assert "30 of 46 shown; --limit N shows more" in capped.stderr
    everything = run(home, "headlines", "--limit", "100")
    assert everything.stderr == "" and len(everything.stdout.splitlines()) == 47
    keys = run(home, "keys").stdout
    assert "greater_than_sign" in keys and "wider_list" in keys and "…" not in keys.split(
        "\n")[0]


def test_an_unknown_tag_is_an_error_as_an_unknown_feed_is(tmp_path: Path) -> None:
    from tui_reader.core.demo import build_demo_home

    home = tmp_path / "home"
    build_demo_home(home)
    assert "Tech Feed" in run(home, "headlines", "--tag", "tech").stdout
    typo = run(home, "headlines", "--tag", "tecj", ok=False)
    assert typo.returncode == 1
    assert typo.stderr.startswith("tui-reader: no feed has the tag tecj (tags: ")
    assert "tech" in typo.stderr
