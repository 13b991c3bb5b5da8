"""Feed URLs with credentials (``https://user:password@host/feed``, as newsboat allows).

The password is used for fetching (as HTTP Basic auth, never sent to another host) and
kept in feeds.toml (mode 0600) only: it is never shown, exported or put in the cache, and
the feed is the same feed as its URL without credentials. Real loopback servers that
require Basic auth; the real CLI as subprocesses.
"""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer, Handler, RequestInfo, Response
from test_cli import one_line_error, run
from test_dialogs import Host, settle, table_rows
from textual.widgets import Input, Static

from tui_reader.core.config import Settings
from tui_reader.core.errors import ConfigError
from tui_reader.core.feeds_file import Subscription, load_subscriptions, save_subscriptions
from tui_reader.core.http import FetchError, PoliteClient
from tui_reader.core.opml import build_opml, parse_opml
from tui_reader.core.paths import Paths
from tui_reader.core.refresh import RefreshService
from tui_reader.core.session import Session, session_for_home
from tui_reader.core.store import open_store
from tui_reader.core.subscribe import add_subscription, find_subscription, remove_subscription

pytestmark = pytest.mark.timeout(60)

USER, PASSWORD = "alice", "Hunter2-s3cret"
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Private Desk</title><link>http://127.0.0.1/</link>
  <item><title>Members only</title><link>http://127.0.0.1/m/1</link><guid>m1</guid>
    <pubDate>Fri, 27 Nov 2026 11:20:00 GMT</pubDate></item>
</channel></rss>
"""


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def requires_auth(body: str = RSS, user: str = USER, password: str = PASSWORD) -> Handler:
    """A handler answering 401 without the right Basic credentials and 200 with them."""

    def handle(req: RequestInfo) -> Response:
        if req.headers.get("Authorization") != basic(user, password):
            return 401, {"WWW-Authenticate": 'Basic realm="feeds"',
                         "Content-Type": "text/plain"}, "who are you?"
        return 200, {"Content-Type": "application/rss+xml"}, body

    return handle


def with_creds(url: str, user: str = USER, password: str = PASSWORD) -> str:
    return url.replace("http://", f"http://{user}:{password}@", 1)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = session_for_home(tmp_path / "home")
    yield s
    s.close()


# -- the URL helpers ------------------------------------------------------------------------


def test_credentials_are_not_part_of_the_identity_nor_shown() -> None:
    from tui_reader.core.http_url import display_url, normalise_url, without_credentials

    assert normalise_url("HTTPS://Alice:PW@Example.ORG/Feed") == "https://example.org/Feed"
    assert normalise_url("https://example.org/@user.rss") == "https://example.org/@user.rss"
    assert without_credentials("https://a:b@c@host:8080/x?y=@z") == "https://host:8080/x?y=@z"
    assert display_url("https://u:p%40ss@host/feed\x1b[2J") == "https://host/feed[2J"
    assert display_url("not a url u:p@x") == "not a url u:p@x"


# -- the HTTP client --------------------------------------------------------------------------


async def test_client_sends_credentials_as_basic_auth_and_returns_the_bare_url(
    feed_server: FeedServer,
) -> None:
    feed_server.route_fn("/feed.xml", requires_auth(password="p@ss:word"))
    async with PoliteClient() as client:
        refused = await client.get(feed_server.url("/feed.xml"))
        result = await client.get(with_creds(feed_server.url("/feed.xml"), password="p%40ss:word"))
    assert refused.status == 401
    assert result.status == 200 and b"Members only" in result.content
    assert result.url == feed_server.url("/feed.xml")


async def test_credentials_follow_a_redirect_on_the_same_origin_only(
    feed_server: FeedServer,
) -> None:
    with FeedServer() as other:
        other.route("/feed.xml", RSS)
        feed_server.route_fn("/feed.xml", requires_auth())
        # An absolute Location on the same host and port: still the origin the user trusts.
        feed_server.redirect("/moved", feed_server.url("/feed.xml"), status=301)
        feed_server.redirect("/away", other.url("/feed.xml"), status=302)
        feed_server.redirect("/away-with-userinfo",
                             with_creds(other.url("/feed.xml"), "mallory", "x"), status=302)
        async with PoliteClient() as client:
            moved = await client.get(with_creds(feed_server.url("/moved")))
            away = await client.get(with_creds(feed_server.url("/away")))
            sneaky = await client.get(with_creds(feed_server.url("/away-with-userinfo")))
        assert moved.status == 200 and moved.permanent_url == feed_server.url("/feed.xml")
        assert away.status == 200 and away.url == other.url("/feed.xml")
        assert sneaky.status == 200 and sneaky.url == other.url("/feed.xml")
        assert other.hits("/feed.xml") == 2
        for request in other.requests:
            assert "Authorization" not in request.headers


async def test_fetch_errors_name_the_url_without_credentials() -> None:
    async with PoliteClient() as client:
        with pytest.raises(FetchError) as caught:
            await client.get(f"http://{USER}:{PASSWORD}@127.0.0.1:99999/feed")
    assert "invalid URL: http://127.0.0.1:99999/feed" in str(caught.value)
    assert PASSWORD not in str(caught.value)


# -- feeds.toml and subscribing -------------------------------------------------------------


def test_feeds_toml_with_and_without_credentials_is_one_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feed]]\nurl = "https://host.example/feed"\ntitle = "Mine"\n\n'
        f'[[feed]]\nurl = "https://{USER}:{PASSWORD}@HOST.example/feed"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as twice:  # the same feed: listed twice, one line
        load_subscriptions(path)
    assert "is listed twice (first at line 1)" in str(twice.value)
    assert PASSWORD not in str(twice.value)
    path.write_text(
        f'[[feed]]\nurl = "https://{USER}:{PASSWORD}@HOST.example/feed"\ntitle = "Mine"\n',
        encoding="utf-8",
    )
    (sub,) = load_subscriptions(path)
    assert sub.url == "https://host.example/feed" and sub.title == "Mine"
    assert sub.credentials == f"{USER}:{PASSWORD}"
    assert PASSWORD not in repr(sub)
    save_subscriptions(path, [sub])
    text = path.read_text(encoding="utf-8")
    assert f'url = "https://{USER}:{PASSWORD}@host.example/feed"' in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_adding_with_or_without_credentials_is_the_same_feed(session: Session) -> None:
    bare = "https://host.example/feed"
    add_subscription(session, bare, title="Mine")
    added = add_subscription(session, f"https://{USER}:{PASSWORD}@Host.Example/feed")
    assert added.url == bare and added.title == "Mine"
    assert added.credentials == f"{USER}:{PASSWORD}"
    again = add_subscription(session, bare)  # no credentials given: the stored ones stay
    assert again.credentials == f"{USER}:{PASSWORD}"
    changed = add_subscription(session, f"https://{USER}:new-pw@host.example/feed")
    assert changed.credentials == f"{USER}:new-pw"
    (sub,) = load_subscriptions(session.paths.feeds_file)
    assert sub.credentials == f"{USER}:new-pw"
    assert [f.url for f in session.store.feeds()] == [bare]
    found = find_subscription(session, "https://x:y@host.example/feed")
    assert found is not None and found.url == bare
    assert remove_subscription(session, "https://x:y@host.example/feed")
    assert session.store.feeds() == [] and load_subscriptions(session.paths.feeds_file) == []


def test_a_cache_written_with_credentials_in_feed_urls_is_cleaned(tmp_path: Path) -> None:
    """A cache from before: the feed (and its stories) stays, its URL loses the password."""
    db = tmp_path / "cache.sqlite3"
    secret = f"https://{USER}:{PASSWORD}@host.example/feed"
    with open_store(db) as store:
        with store._write() as tx:
            tx.execute("INSERT INTO feeds (url, title) VALUES (?, 'Old')", (secret,))
        fid = store.feeds()[0].id
        store.sync_subscriptions([Subscription(secret)])
        (feed,) = store.feeds()
        assert feed.id == fid and feed.url == "https://host.example/feed"
    assert PASSWORD.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_opml_keeps_credentials_on_import_and_leaves_them_out_on_export() -> None:
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="P" xmlUrl="https://{USER}:{PASSWORD}@host.example/feed"/>'
        "</body></opml>"
    ).encode()
    (sub,) = parse_opml(opml, "in.opml").subscriptions
    assert sub.url == "https://host.example/feed" and sub.credentials == f"{USER}:{PASSWORD}"
    out = build_opml([sub])
    assert PASSWORD not in out and 'xmlUrl="https://host.example/feed"' in out


async def test_a_permanent_move_to_another_host_does_not_take_the_password_along(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    with FeedServer() as other:
        other.route("/feed.xml", RSS)
        feed_server.redirect("/feed.xml", other.url("/feed.xml"), status=301)
        feeds_file = tmp_path / "feeds.toml"
        save_subscriptions(feeds_file, [Subscription(with_creds(feed_server.url("/feed.xml")))])
        with open_store(tmp_path / "cache.sqlite3") as store:
            store.sync_subscriptions(load_subscriptions(feeds_file))
            service = RefreshService(store, Settings(timeout_seconds=5, full_text_per_refresh=0),
                                     feeds_file=feeds_file)
            for _ in range(2):
                report = await service.refresh(force=True)
                assert not report.failed, report.failed
        assert other.hits("/feed.xml") == 2
        assert all("Authorization" not in r.headers for r in other.requests)
        (sub,) = load_subscriptions(feeds_file)  # still the old address, password kept
        assert sub.url == feed_server.url("/feed.xml") and sub.credentials


# -- the real CLI ---------------------------------------------------------------------------


def test_cli_add_with_credentials_fetches_and_never_shows_the_password(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route_fn("/feed.xml", requires_auth())
    feed_server.route_fn("/other.xml", requires_auth(password="right"))
    home = tmp_path / "home"
    bare = feed_server.url("/feed.xml")
    shown: list[str] = []

    def cli(*args: str, ok: bool = True) -> str:
        result = run(home, *args, ok=ok)
        shown.append(result.stdout + result.stderr)
        return result.stdout + result.stderr

    added = cli("add", with_creds(bare), "--tag", "private")
    assert "Found feed: Private Desk" in added and bare in added
    assert "Already subscribed to Private Desk" in cli("add", bare)  # its own title
    assert "Added Private Desk with 1 story" in added  # fetched with the password, kept
    assert "Refreshed: 1 feed" in cli("refresh", "--all")  # and fetched again with it
    (feed,) = json.loads(cli("feeds", "--json"))
    assert feed["url"] == bare and feed["articles"] == 1 and feed["last_status"] == "ok"
    assert bare in cli("feeds")
    exported = run(home, "export")
    assert f'xmlUrl="{bare}"' in exported.stdout  # and it says the password stayed home
    assert exported.stderr.startswith("The password of 1 feed was left out")
    shown.append(exported.stdout + exported.stderr)
    cli("unread", "--json")
    assert json.loads(cli("headlines", "--feed", with_creds(bare), "--json"))[0]["title"] == \
        "Members only"

    # Errors that name the URL name it without the password.
    missing = with_creds(feed_server.url("/missing.xml"))
    one_line_error(run(home, "add", missing, ok=False),
                   f"HTTP 404 Not Found at {feed_server.url('/missing.xml')}")
    shown.append(run(home, "add", missing, ok=False).stderr)
    shown.append(run(home, "remove", missing, ok=False).stderr)
    shown.append(run(home, "headlines", "--feed", missing, ok=False).stderr)
    cli("add", "--no-check", with_creds(feed_server.url("/other.xml"), password=PASSWORD))
    failed = cli("refresh", "--all", "--verbose")  # the failed feed's line on stderr
    assert "HTTP 401 Unauthorized" in failed and feed_server.url("/other.xml") in failed
    assert "HTTP 401" in cli("feeds")
    assert "Removed" in cli("remove", with_creds(feed_server.url("/other.xml")))

    for output in shown:
        assert PASSWORD not in output, output
    paths = Paths.under(home)
    assert f"{USER}:{PASSWORD}@" in paths.feeds_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(paths.feeds_file.stat().st_mode) == 0o600
    cache = b"".join(p.read_bytes() for p in paths.database.parent.glob("cache.sqlite3*"))
    assert PASSWORD.encode() not in cache


def test_feeds_toml_written_by_hand_with_credentials_becomes_private_on_rewrite(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route_fn("/feed.xml", requires_auth())
    paths = Paths.under(tmp_path / "home")
    paths.config_dir.mkdir(parents=True)
    paths.feeds_file.write_text(f'[[feed]]\nurl = "{with_creds(feed_server.url("/feed.xml"))}"\n',
                                encoding="utf-8")
    paths.feeds_file.chmod(0o644)
    assert run(tmp_path / "home", "refresh").stdout.startswith("Refreshed: 1 feed, 1 new")
    run(tmp_path / "home", "add", "--no-check", "--tag", "x", feed_server.url("/feed.xml"))
    assert stat.S_IMODE(paths.feeds_file.stat().st_mode) == 0o600


# -- the feeds screen -----------------------------------------------------------------------


async def test_feeds_screen_adds_with_credentials_and_shows_no_password(
    session: Session, feed_server: FeedServer
) -> None:
    feed_server.route_fn("/feed.xml", requires_auth())
    bare = feed_server.url("/feed.xml")
    app = Host(session)
    said: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen, app.record)
        await pilot.pause()
        for url in (with_creds(bare), bare, with_creds(bare, password="changed-pw"),
                    with_creds(feed_server.url("/nothing"))):
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one(Input).value = url
            await pilot.press("enter")
            await settle(app, pilot)
            said.append(str(screen.query_one("#feeds-status", Static).render()))
            said.append(str(screen.query_one("#feeds-detail", Static).render()))
            said.extend(" ".join(row) for row in table_rows(screen))
        assert said[0] == "Private Desk: 1 new, 0 updated"
        assert bare in said[1]
        assert f"Already subscribed to {bare}" in said
        assert f"Already subscribed to {bare} (password updated)" in said
        assert f"HTTP 404 Not Found at {feed_server.url('/nothing')}" in said
    for text in said:
        assert PASSWORD not in text and "changed-pw" not in text, text
    (sub,) = load_subscriptions(session.paths.feeds_file)
    assert sub.credentials == f"{USER}:changed-pw"
