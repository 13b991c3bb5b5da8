"""Sync's parts without a server: [sync] in config.toml, the secret, the queue in the cache,
the conflict rule, and the Fever client's one-line errors (against loopback servers).

The whole round trip with a real Fever server is in test_sync_coldsweat.py.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from feedserver import FeedServer
from test_cli import one_line_error, run

from tui_reader.core.config import load_settings
from tui_reader.core.errors import ConfigError
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import ParsedItem
from tui_reader.core.store import open_store
from tui_reader.core.sync.account import PASSWORD_ENV, SyncAccount, resolve_password
from tui_reader.core.sync.fever import FeverClient, api_key
from tui_reader.core.sync.protocol import ServerFeed, ServerItem, SyncError

GOOD = '[sync]\nprotocol = "fever"\nurl = "https://rss.example.org/fever/"\nuser = "me"\n'


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


# -- [sync] in config.toml -------------------------------------------------------------------


def test_the_three_lines_make_an_account(tmp_path: Path) -> None:
    text = GOOD + 'password_command = "pass show rss"\n'
    account = load_settings(config(tmp_path, "theme = \"x\"\n" + text)).sync
    assert account == SyncAccount("fever", "https://rss.example.org/fever/", "me",
                                  "pass show rss")
    assert load_settings(config(tmp_path, "")).sync is None


@pytest.mark.parametrize(("text", "words"), [
    (GOOD + 'passwrd_command = "x"\n', ":5: unknown key passwrd_command in [sync] "
     "(did you mean password_command?)"),
    (GOOD + 'password = "hunter2"\n', ":5: unknown key password in [sync] (the password "
     "is never kept in config.toml"),
    (GOOD.replace("https://rss.example.org", "http://rss.example.org"),
     ":3: sync.url must use https:// (plain http:// would send the password readable"),
    (GOOD.replace('"fever"', '"greader"'), ':2: sync.protocol must be "fever"'),
    (GOOD.replace('user = "me"\n', ""), ":1: [sync] needs user"),
    (GOOD.replace('user = "me"', "user = 3"), ":4: sync.user must be a string, got 3"),
    (GOOD + "password_command = \"pass 'show\"\n", ":5: password_command cannot be split"),
    (GOOD.replace("https://", "https://me:pw@"), ":3: sync.url must not hold a user name"),
    ('sync = "fever"\n', ":1: sync must be a table"),
])
def test_a_bad_sync_table_is_one_line_with_file_and_line(tmp_path: Path, text: str,
                                                         words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(config(tmp_path, text))
    message = str(caught.value)
    assert f"config.toml{words}" in message, message
    assert "hunter2" not in message and "\n" not in message


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.4.5", "[::1]", "localhost"])
def test_plain_http_is_allowed_to_this_machine_only(tmp_path: Path, host: str) -> None:
    text = GOOD.replace("https://rss.example.org", f"http://{host}:8080")
    assert load_settings(config(tmp_path, text)).sync is not None


# -- the secret --------------------------------------------------------------------------------


def test_password_command_runs_without_a_shell_and_gives_its_first_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    marker = tmp_path / "made-by-a-shell"
    account = SyncAccount("fever", "https://x/", "me",
                          f"printf '%s\\nsecond\\n' 'a b$HOME;' ; touch {marker}")
    assert resolve_password(account) == "a b$HOME;"
    assert not marker.exists()


def test_the_secret_comes_from_the_environment_without_a_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_reader.core.sync import account as account_module

    account = SyncAccount("fever", "https://x/", "me")
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr(account_module, "_env_secret", None)
    with pytest.raises(SyncError, match=f"set password_command in .* or \\${PASSWORD_ENV}"):
        resolve_password(account)
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    assert resolve_password(account) == "s3cret"
    assert PASSWORD_ENV not in os.environ  # taken out: no child process inherits it
    assert resolve_password(account) == "s3cret"


@pytest.mark.parametrize(("command", "words"), [
    ("no-such-command-here", "password_command: no-such-command-here not found"),
    ("sh -c 'echo locked >&2; exit 3'", "password_command: sh failed (exit 3): locked"),
    ("true", "password_command: true printed no password"),
    ("sleep 5", "password_command: sleep gave no password in 0.3 s"),
])
def test_a_password_command_that_fails_is_one_line(command: str, words: str) -> None:
    started = time.monotonic()
    with pytest.raises(SyncError) as caught:
        resolve_password(SyncAccount("fever", "https://x/", "me", command), timeout=0.3)
    assert str(caught.value) == words
    assert time.monotonic() - started < 3


# -- the queue, in the cache ------------------------------------------------------------------


def stored(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A cache with one server feed of three stories (server ids 11-13) and a local feed."""
    store = open_store(tmp_path / "cache.sqlite3")
    store.sync_subscriptions([Subscription("https://local.example/feed.xml")])
    store.use_sync_account("fever https://x/ me")
    store.apply_server_feeds([ServerFeed(1, "Server feed", "https://srv.example/f.xml",
                                         groups=("News",))])
    items = [ServerItem(i, 1, f"story {i}", f"https://srv.example/{i}", "<p>x</p>",
                        published=1_700_000_000 + i, read=i == 13)
             for i in (11, 12, 13)]
    pairs = [(i, ParsedItem(guid=f"sync:{i.id}", url=i.url, title=i.title,
                            published=i.published)) for i in items]
    assert store.save_server_items(pairs) == 3
    return store


def ids_of(store, server_ids):  # type: ignore[no-untyped-def]
    marks = ",".join("?" * len(server_ids))
    rows = store._read(f"SELECT id FROM articles WHERE server_id IN ({marks}) "
                       "ORDER BY server_id", list(server_ids))
    return [r[0] for r in rows]


def test_changes_to_server_stories_are_queued_in_order_and_local_ones_are_not(
        tmp_path: Path) -> None:
    store = stored(tmp_path)
    a, b, c = ids_of(store, [11, 12, 13])
    store.set_read([a, b])
    store.set_read([c])  # already read: no change, nothing queued
    store.set_bookmark(b)
    store.set_bookmark(b)  # already: nothing
    store.set_read([a], False)
    assert [(q.server_id, q.action) for q in store.queued_changes()] == [
        (11, "read"), (12, "read"), (12, "saved"), (11, "unread")]
    assert store.since_id() == 13
    assert [f.source for f in store.feeds()] == ["local", "sync"]
    assert store.feeds()[1].tags == ("News",)
    store.close()


def test_a_queued_change_wins_over_the_server_until_it_is_pushed(tmp_path: Path) -> None:
    store = stored(tmp_path)
    a, b, c = ids_of(store, [11, 12, 13])
    store.set_bookmark(a)  # here, since the last sync
    store.set_read([b])
    # The server still says: a not saved; 11, 12 unread; 13 read and saved.
    done = store.reconcile(unread={11, 12}, saved={13})
    assert (done.read, done.unread, done.saved, done.unsaved) == (0, 0, 1, 0)
    flags = {r[0]: (r[1], r[2]) for r in store._read(
        "SELECT server_id, read, bookmarked FROM articles WHERE server_id IS NOT NULL")}
    assert flags == {11: (0, 1), 12: (1, 0), 13: (1, 1)}
    for change in store.queued_changes():
        store.confirm_change(change)
    store.reconcile(unread={11, 12}, saved={13})  # pushed: the server's word stands
    flags = {r[0]: (r[1], r[2]) for r in store._read(
        "SELECT server_id, read, bookmarked FROM articles WHERE server_id IS NOT NULL")}
    assert flags == {11: (0, 0), 12: (0, 0), 13: (1, 1)}
    store.close()


def test_confirming_the_last_change_drops_the_ones_it_overtook(tmp_path: Path) -> None:
    store = stored(tmp_path)
    a, _b, _c = ids_of(store, [11, 12, 13])
    store.set_read([a])
    store.set_bookmark(a)
    store.set_read([a], False)
    last_read = store.queued_changes()[-1]
    assert store.confirm_change(last_read) == 2
    assert [(q.server_id, q.action) for q in store.queued_changes()] == [(11, "saved")]
    store.close()


def test_feeds_toml_never_removes_the_servers_feeds_and_a_refresh_never_fetches_them(
        tmp_path: Path) -> None:
    store = stored(tmp_path)
    store.sync_subscriptions([])
    assert [f.source for f in store.feeds()] == ["sync"]
    assert store.due_feeds(force=True) == []
    # The same URL subscribed in feeds.toml: both are kept, apart.
    store.sync_subscriptions([Subscription("https://srv.example/f.xml")])
    assert sorted((f.url, f.source) for f in store.feeds()) == [
        ("https://srv.example/f.xml", "local"), ("https://srv.example/f.xml#sync-1", "sync")]
    assert store.apply_server_feeds([ServerFeed(1, "S", "https://srv.example/f.xml")]) == (0, 0)
    assert [f.url for f in store.due_feeds(force=True)] == ["https://srv.example/f.xml"]
    store.close()


def test_another_account_starts_over_and_keeps_bookmarks(tmp_path: Path) -> None:
    store = stored(tmp_path)
    a, b, _c = ids_of(store, [11, 12, 13])
    store.set_bookmark(a)
    store.set_read([b])
    assert store.use_sync_account("fever https://y/ me") == 2
    assert store.feeds()[0].source == "local" and len(store.feeds()) == 1
    assert store.queued_changes() == [] and store.since_id() == 0
    assert [x.id for x in store.bookmarks()] == [a]
    store.close()


# -- the Fever client against loopback servers -------------------------------------------------


def test_the_api_key_is_md5_of_user_and_password() -> None:
    assert api_key("me@example.org", "secretsecret12") == "ee8654fdfbfaa417083d3477a3063e66"


@pytest.mark.parametrize(("status", "body", "words"), [
    (200, '{"api_version": 3, "auth": 0}', "refused user me: wrong user or password"),
    (200, "<html>nginx</html>", "does not answer as a Fever API (not JSON: it starts"),
    (200, '{"hello": 1}', "does not answer as a Fever API (no auth field)"),
    (200, '{"auth": 1}', "does not answer as a Fever API (no list of feeds)"),
    (500, "oops", "answered HTTP 500"),
    (302, "", "redirects to"),
])
def test_the_fever_client_says_what_is_wrong_in_one_line(
        feed_server: FeedServer, status: int, body: str, words: str) -> None:
    headers = {"Location": "https://elsewhere.example/"} if status == 302 else None
    feed_server.route("/fever/", body, status=status, headers=headers,
                      content_type="application/json")
    account = SyncAccount("fever", feed_server.url("/fever/"), "me")
    client = FeverClient(account, "hunter2", timeout=5)
    with pytest.raises(SyncError) as caught:
        client.feeds()
    message = str(caught.value)
    assert words in message, message
    assert "hunter2" not in message and api_key("me", "hunter2") not in message
    assert feed_server.requests_for("/fever/")[0].method == "POST"
    client.close()


def test_a_server_that_does_not_answer_in_time_is_one_line(feed_server: FeedServer) -> None:
    feed_server.route("/fever/", '{"auth": 1, "feeds": []}', delay=3)
    client = FeverClient(SyncAccount("fever", feed_server.url("/fever/"), "me"), "pw",
                         timeout=0.5)
    started = time.monotonic()
    with pytest.raises(SyncError, match="did not answer in 0.5 s"):
        client.feeds()
    assert time.monotonic() - started < 2.5
    client.close()


# -- the command ----------------------------------------------------------------------------


def test_sync_without_an_account_says_how_to_add_one(tmp_path: Path) -> None:
    """It named no file, and made the home's folders and a cache on the way to failing."""
    home = tmp_path / "home"
    line = one_line_error(run(home, "sync", ok=False), "no [sync] table", "config.toml")
    assert str(home / "config" / "config.toml") in line
    assert not (home / "data").exists() and not (home / "cache").exists()


def test_the_secret_never_reaches_the_cache_output_or_errors(
        tmp_path: Path, feed_server: FeedServer) -> None:
    secret = "p4ss-w0rd-that-must-not-leak"
    feeds = ('{"auth": 1, "feeds": [{"id": 1, "title": "F", "url": "https://srv.example/f"}],'
             ' "groups": [], "feeds_groups": []}')
    feed_server.route_fn("/fever/", lambda info: (200, {"Content-Type": "application/json"},
                                                   feeds if "feeds" in info.path else
                                                   '{"auth": 1, "items": [], '
                                                   '"unread_item_ids": "", '
                                                   '"saved_item_ids": ""}'))
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[sync]\nprotocol = "fever"\nurl = "{feed_server.url("/fever/")}"\nuser = "me"\n')
    os.environ[PASSWORD_ENV] = secret
    try:
        out = run(home, "sync", "--json").stdout + run(home, "feeds", "--json").stdout
    finally:
        del os.environ[PASSWORD_ENV]
    assert json.loads(run(home, "feeds", "--json").stdout)[0]["source"] == "sync"
    key = api_key("me", secret)
    every_file = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    for leak in (secret, key):
        assert leak not in out
        assert leak.encode() not in every_file


async def test_fetching_one_server_feed_by_id_fetches_nothing(tmp_path: Path) -> None:
    """The feeds screen's r on a server feed: its stories come only through the sync."""
    from tui_reader.core.config import Settings
    from tui_reader.core.refresh import RefreshService

    store = stored(tmp_path)
    server_feed = next(f for f in store.feeds() if f.source == "sync")
    service = RefreshService(store, Settings())
    try:
        report = await service.refresh(feed_ids=[server_feed.id], snapshots=False)
    finally:
        service.close()
    assert report.outcomes == []
    store.close()


def test_items_of_a_feed_added_on_the_server_mid_sync_are_not_passed_over(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """The feeds are read, then a feed is added on the server, then its items come in a
    page: the feeds are read again, not the items skipped (the high-water mark moves on)."""
    from tui_reader.core.sync.engine import run_sync

    calls = {"feeds": 0}

    def fever(info: object) -> tuple[int, dict[str, str], str]:
        path = info.path  # type: ignore[attr-defined]
        answer: dict[str, object] = {"auth": 1}
        if "feeds" in path:
            calls["feeds"] += 1
            known = [1] if calls["feeds"] == 1 else [1, 2]
            answer.update(feeds=[{"id": f, "title": f"F{f}", "url": f"https://s.example/{f}"}
                                 for f in known], groups=[], feeds_groups=[])
        elif "since_id=0" in path:
            answer["items"] = [{"id": 1, "feed_id": 1, "title": "one", "html": "",
                                "url": "https://s.example/1"},
                               {"id": 2, "feed_id": 2, "title": "two", "html": "",
                                "url": "https://s.example/2"}]
        elif "items" in path:
            answer["items"] = []
        answer.update(unread_item_ids="1,2", saved_item_ids="")
        return 200, {"Content-Type": "application/json"}, json.dumps(answer)

    feed_server.route_fn("/fever/", fever)
    account = SyncAccount("fever", feed_server.url("/fever/"), "me")
    store = open_store(tmp_path / "cache.sqlite3")
    client = FeverClient(account, "pw", timeout=5)
    try:
        report = run_sync(store, client, account)
    finally:
        client.close()
    assert report.new_items == 2 and calls["feeds"] == 2
    assert sorted(h.title for h in store.headlines()) == ["one", "two"]
    store.close()


def test_a_server_feed_says_it_comes_from_the_sync_server(tmp_path: Path) -> None:
    """`feeds` and the feeds screen said "never fetched" / "due now" about it."""
    from tui_reader.core.feed_status import due_words, status_words

    store = stored(tmp_path)
    server_feed = next(f for f in store.feeds() if f.source == "sync")
    assert status_words(server_feed, time.time()) == "from the sync server"
    assert due_words(server_feed, time.time()) == "at each sync"
    store.close()

