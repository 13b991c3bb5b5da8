"""Sync against a real Fever API server: coldsweat on loopback (see tests/coldsweat.py).

coldsweat fetches two loopback feeds once (a session's pristine database); each test
runs its own copy of that database and a fresh tui-reader home, and drives tui-reader
through its real CLI and its store, and coldsweat through its own Fever API as a second
client would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from coldsweat import EMAIL, PASSWORD, Coldsweat
from feedserver import FeedServer
from test_cli import one_line_error, run

from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session

ALPHA_ITEMS = 60  # more than one Fever page (50)
BETA_ITEMS = 3


def atom(name: str, count: int, icon: str) -> str:
    entries = "".join(
        f"""<entry><title>{name} story {n}</title><id>urn:{name}:{n}</id>
        <link href="http://127.0.0.1:9/{name}/{n}"/>
        <updated>2026-11-{1 + n % 28:02d}T{n % 24:02d}:00:00Z</updated>
        <content type="html">&lt;p&gt;Body of {name} {n}&lt;/p&gt;</content></entry>"""
        for n in range(count)
    )
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{name.title()} feed</title><id>urn:{name}</id>"
            f"<updated>2026-11-30T00:00:00Z</updated><icon>{icon}</icon>{entries}</feed>")


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coldsweat]:
    """coldsweat's database after importing and fetching the feeds (never served)."""
    root = tmp_path_factory.mktemp("coldsweat")
    with FeedServer() as feeds:
        feeds.route("/icon.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
        icon = feeds.url("/icon.png")
        feeds.route("/alpha.xml", atom("alpha", ALPHA_ITEMS, icon),
                    content_type="application/atom+xml")
        feeds.route("/beta.xml", atom("beta", BETA_ITEMS, icon),
                    content_type="application/atom+xml")
        opml = root / "subs.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
            f'<outline text="News" title="News"><outline type="rss" text="Alpha" '
            f'xmlUrl="{feeds.url("/alpha.xml")}"/></outline>'
            f'<outline text="Tech" title="Tech"><outline type="rss" text="Beta" '
            f'xmlUrl="{feeds.url("/beta.xml")}"/></outline></body></opml>'
        )
        server = Coldsweat(root / "db")
        server.create(opml)
        assert feeds.hits("/alpha.xml") == 1 and feeds.hits("/beta.xml") == 1
    yield server


@pytest.fixture
def server(pristine: Coldsweat, tmp_path: Path) -> Iterator[Coldsweat]:
    """A running coldsweat on a copy of the pristine database."""
    running = pristine.copy_to(tmp_path / "coldsweat").start()
    yield running
    running.stop()


def home_for(tmp_path: Path, url: str, *, password: str = PASSWORD) -> Path:
    """A tui-reader home whose config.toml has the account; the password comes from a
    password_command (a script printing it), as a user's `pass show` would."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    secret = tmp_path / "secret.sh"
    secret.write_text(f"#!/bin/sh\nprintf '%s\\nsecond line\\n' '{password}'\n")
    secret.chmod(0o700)
    (home / "config" / "config.toml").write_text(
        f'[sync]\nprotocol = "fever"\nurl = "{url}"\nuser = "{EMAIL}"\n'
        f'password_command = "{secret}"\n'
    )
    (home / "config" / "feeds.toml").write_text("")
    return home


def open_home(home: Path):  # type: ignore[no-untyped-def]
    return open_session(Paths.under(home))


def local_state(home: Path) -> dict[int, tuple[bool, bool]]:
    """Server id -> (read, bookmarked) of every synced story in the cache."""
    with sqlite3.connect(home / "data" / "cache.sqlite3") as db:
        rows = db.execute("SELECT server_id, read, bookmarked FROM articles "
                          "WHERE server_id IS NOT NULL").fetchall()
    return {r[0]: (bool(r[1]), bool(r[2])) for r in rows}


def cache_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a sync may write, to compare before and after."""
    with sqlite3.connect(home / "data" / "cache.sqlite3") as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("feeds", "feed_tags", "articles", "sync_queue", "sync_state")}


def article_id(home: Path, server_id: int) -> int:
    with sqlite3.connect(home / "data" / "cache.sqlite3") as db:
        return int(db.execute("SELECT id FROM articles WHERE server_id=?",
                              (server_id,)).fetchone()[0])


def test_first_sync_brings_the_same_feeds_groups_and_items(server: Coldsweat,
                                                           tmp_path: Path) -> None:
    home = home_for(tmp_path, server.url)
    out = run(home, "sync").stdout
    assert out.startswith(f"Synced with {server.url}: 2 feeds, {ALPHA_ITEMS + BETA_ITEMS} new")

    theirs = server.api("feeds&groups")
    feeds = run(home, "feeds", "--json")
    import json

    mine = json.loads(feeds.stdout)
    assert sorted(f["title"] for f in mine) == sorted(f["title"] for f in theirs["feeds"])
    assert all(f["source"] == "sync" for f in mine)
    assert {f["title"]: f["tags"] for f in mine} == {"Alpha": ["News"],
                                                     "Beta": ["Tech"]}
    items = server.items()
    assert len(items) == ALPHA_ITEMS + BETA_ITEMS
    headlines = json.loads(run(home, "headlines", "--limit", "1000", "--json").stdout)
    assert sorted(h["title"] for h in headlines) == sorted(i["title"] for i in items)
    assert sorted(h["url"] for h in headlines) == sorted(i["url"] for i in items)
    assert {h["title"] for h in run_json(home, "headlines", "--tag", "Tech")} == {
        f"beta story {n}" for n in range(BETA_ITEMS)}

    # A second sync pulls nothing again and changes nothing.
    before = cache_rows(home)
    assert ", 0 new, 0 changes sent, 0 from the server" in run(home, "sync").stdout
    assert cache_rows(home) == before
    # The server's feeds are not fetched by a refresh (tui-reader's own feeds are).
    assert "no feeds were due" in run(home, "refresh").stdout


def run_json(home: Path, *args: str) -> list[dict[str, object]]:
    import json

    result: list[dict[str, object]] = json.loads(run(home, *args, "--json").stdout)
    return result


def test_changes_made_here_reach_the_server(server: Coldsweat, tmp_path: Path) -> None:
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    items = server.items()
    first, second, third = (int(i["id"]) for i in items[:3])
    session = open_home(home)
    try:
        session.store.set_read([article_id(home, first), article_id(home, second)])
        session.store.set_bookmark(article_id(home, third))
        session.store.set_read([article_id(home, second)], False)  # changed mind
    finally:
        session.close()
    assert server.ids("unread") >= {first, second, third}
    out = run(home, "sync").stdout
    assert "2 changes sent" in out or "3 changes sent" in out, out
    unread, saved = server.ids("unread"), server.ids("saved")
    assert first not in unread and second in unread and third in unread
    assert saved == {third}
    # The bookmark is kept here with its full text waiting to be fetched, as any other.
    with sqlite3.connect(home / "data" / "cache.sqlite3") as db:
        row = db.execute("SELECT bookmarked, snapshot FROM articles WHERE server_id=?",
                         (third,)).fetchone()
        assert row == (1, "pending")
        assert db.execute("SELECT COUNT(*) FROM sync_queue").fetchone()[0] == 0

    session = open_home(home)
    try:
        session.store.set_bookmark(article_id(home, third), False)
    finally:
        session.close()
    run(home, "sync")
    assert server.ids("saved") == set()


def test_changes_made_on_the_server_show_here(server: Coldsweat, tmp_path: Path) -> None:
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    ids = [int(i["id"]) for i in server.items()]
    server.mark(ids[0], "read")
    server.mark(ids[1], "saved")
    out = run(home, "sync").stdout
    assert "2 from the server" in out, out
    state = local_state(home)
    assert state[ids[0]] == (True, False)
    assert state[ids[1]] == (False, True)
    assert all(state[i] == (False, False) for i in ids[2:])
    bookmarks = run_json(home, "bookmarks")
    assert [b["title"] for b in bookmarks] == [
        next(i["title"] for i in server.items() if int(i["id"]) == ids[1])]
    assert run(home, "unread").stdout.strip() == str(len(ids) - 1)

    server.mark(ids[0], "unread")
    server.mark(ids[1], "unsaved")
    run(home, "sync")
    assert local_state(home)[ids[0]] == (False, False)
    assert local_state(home)[ids[1]] == (False, False)


def test_a_change_queued_here_wins_over_the_server_at_the_next_sync(
        server: Coldsweat, tmp_path: Path) -> None:
    """Conflict rule: the change made here since the last sync wins."""
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    story = int(server.items()[5]["id"])
    session = open_home(home)
    try:
        session.store.set_bookmark(article_id(home, story))  # here: saved
    finally:
        session.close()
    server.mark(story, "read")  # there (another client): read, and not saved
    run(home, "sync")
    assert story in server.ids("saved")
    # Read on the server, unchanged here since the last sync: the server's state wins.
    assert local_state(home)[story] == (True, True)


def test_offline_changes_are_pushed_once_when_the_server_is_back(
        server: Coldsweat, tmp_path: Path) -> None:
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    ids = [int(i["id"]) for i in server.items()]
    server.stop()
    session = open_home(home)
    try:
        session.store.set_read([article_id(home, i) for i in ids[:4]])
        session.store.set_bookmark(article_id(home, ids[4]))
    finally:
        session.close()
    down = run(home, "sync", ok=False)
    one_line_error(down, "cannot reach the sync server", "connection refused")
    assert PASSWORD not in down.stderr
    queued = cache_rows(home)["sync_queue"]
    assert len(queued) == 5  # nothing lost while the server was away

    server.start()
    out = run(home, "sync").stdout
    assert "5 changes sent" in out, out
    assert not set(ids[:4]) & server.ids("unread")
    assert server.ids("saved") == {ids[4]}
    assert cache_rows(home)["sync_queue"] == []
    again = run(home, "sync").stdout
    assert "0 changes sent" in again  # nothing pushed twice
    log = (server.root / "server.log").read_text()
    assert log.count("POST /fever/?api HTTP") == 5  # one mark request per change, ever


@pytest.mark.parametrize("problem", ["wrong password", "server down", "garbage"])
def test_a_server_that_cannot_be_used_is_one_line_and_changes_nothing(
        problem: str, server: Coldsweat, tmp_path: Path, feed_server: FeedServer) -> None:
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    session = open_home(home)
    try:
        session.store.set_read([article_id(home, int(server.items()[0]["id"]))])
    finally:
        session.close()
    before = cache_rows(home)
    if problem == "wrong password":
        home_for(tmp_path / "other", server.url)  # same account, another password:
        config = home / "config" / "config.toml"
        secret = tmp_path / "other" / "secret.sh"
        secret.write_text("#!/bin/sh\necho 'not the password'\n")
        secret.chmod(0o700)
        config.write_text(config.read_text().replace(str(tmp_path / "secret.sh"), str(secret)))
        fragments: tuple[str, ...] = ("refused user", EMAIL, "wrong user or password")
    elif problem == "server down":
        server.stop()
        fragments = ("cannot reach the sync server", server.url)
    else:
        feed_server.route("/fever/", "<html><body>Welcome to nginx!</body></html>",
                          content_type="text/html")
        config = home / "config" / "config.toml"
        config.write_text(config.read_text().replace(server.url, feed_server.url("/fever/")))
        fragments = ("does not answer as a Fever API", "not JSON")
    result = run(home, "sync", ok=False)
    line = one_line_error(result, *fragments)
    assert PASSWORD not in line and "not the password" not in line
    assert cache_rows(home) == before
    refreshed = run(home, "refresh", ok=False)
    assert refreshed.returncode == 1
    assert "tui-reader: sync: " in refreshed.stderr
    assert cache_rows(home)["articles"] == before["articles"]


def test_remove_on_a_server_feed_says_where_to_remove_it(server: Coldsweat,
                                                          tmp_path: Path) -> None:
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    url = server.api("feeds")["feeds"][0]["url"]
    line = one_line_error(run(home, "remove", url, ok=False), "comes from your sync server",
                          server.url, "remove it there")
    assert line


def test_a_later_sync_pulls_only_what_is_new(server: Coldsweat, tmp_path: Path,
                                            feed_server: FeedServer) -> None:
    """A feed subscribed on the server after the first sync: its items (and only they)
    come in at the next one, with its group as a tag."""
    home = home_for(tmp_path, server.url)
    run(home, "sync")
    feed_server.route("/gamma.xml", atom("gamma", 4, feed_server.url("/icon.png")),
                      content_type="application/atom+xml")
    opml = tmp_path / "more.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>m</title></head><body>'
        f'<outline text="Science" title="Science"><outline type="rss" text="Gamma" '
        f'xmlUrl="{feed_server.url("/gamma.xml")}"/></outline></body></opml>')
    server.manage("import", str(opml), EMAIL, "--fetch")
    report = run_json_object(home, "sync")
    assert (report["new_articles"], report["feeds"], report["feeds_added"]) == (4, 3, 1)
    # Feeds, one page of the 4 new items, the end of the items, unread and saved ids.
    assert report["requests"] == 5
    assert {h["title"] for h in run_json(home, "headlines", "--tag", "Science")} == {
        f"gamma story {n}" for n in range(4)}


def run_json_object(home: Path, *args: str) -> dict[str, object]:
    import json

    result: dict[str, object] = json.loads(run(home, *args, "--json").stdout)
    return result


# -- the app ------------------------------------------------------------------------------


async def test_the_app_syncs_on_start_and_on_r_with_one_status_line(
        server: Coldsweat, tmp_path: Path) -> None:
    from test_app import make_app, wait_until

    from tui_reader.widgets import HeadlineList

    home = home_for(tmp_path, server.url)
    session = open_home(home)
    app = make_app(session, refresh_on_start=True)
    try:
        async with app.run_test() as pilot:
            status = app.main.status
            await wait_until(pilot, lambda: f"synced, {ALPHA_ITEMS + BETA_ITEMS} new"
                             in status.refresh_text, tries=1000)
            assert app.query_one(HeadlineList).total == ALPHA_ITEMS + BETA_ITEMS
            items = server.items()
            server.mark(int(items[0]["id"]), "saved")
            await pilot.press("r")
            await wait_until(pilot, lambda: local_state(home)[int(items[0]["id"])][1],
                             tries=1000)
            await wait_until(pilot, lambda: "synced" in status.refresh_text, tries=1000)
            server.stop()
            await pilot.press("r")
            await wait_until(pilot, lambda: "sync failed: cannot reach the sync server"
                             in status.refresh_text, tries=1000)
            assert "\n" not in status.refresh_text
            assert PASSWORD not in status.refresh_text
    finally:
        session.close()
