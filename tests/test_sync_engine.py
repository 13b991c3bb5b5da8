"""The sync engine and the Fever client against a Fever server in memory on loopback
(tests/fever_loopback.py), for what coldsweat cannot be made to do on cue: an item purged
between two syncs, a feed missing from an answer, garbage, a trickled answer; and what
the cache keeps of a sync (repair, another account, the environment's password).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from feedserver import FeedServer
from test_cli import one_line_error, run
from test_sync import GOOD, ids_of, stored

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import ParsedItem
from tui_reader.core.store import open_store
from tui_reader.core.sync.account import PASSWORD_ENV, SyncAccount
from tui_reader.core.sync.fever import FeverClient
from tui_reader.core.sync.protocol import ServerFeed, ServerItem, SyncError


def synced(store, account, state=None):  # type: ignore[no-untyped-def]
    """One run_sync with the real Fever client."""
    from tui_reader.core.sync.engine import run_sync

    client = FeverClient(account, "pw", timeout=5)
    try:
        return run_sync(store, client, account)
    finally:
        client.close()


def test_a_bookmark_of_an_item_the_server_purged_stays_as_a_local_story(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """The mark answered 404 (coldsweat does for a purged item): the bookmark stayed
    queued as sent, then the server's saved ids turned it off."""
    from fever_loopback import serve_fever

    state, account = serve_fever(feed_server)
    store = open_store(tmp_path / "cache.sqlite3")
    synced(store, account)
    (purged, kept) = ids_of(store, [3, 4])
    store.set_bookmark(purged)
    store.set_bookmark(kept)
    del state.items[3]
    synced(store, account)
    rows = dict(store._read("SELECT id, bookmarked FROM articles WHERE id IN (?, ?)",
                            (purged, kept)))
    assert rows == {purged: 1, kept: 1}
    assert store._read("SELECT server_id FROM articles WHERE id=?", (purged,)) == [(None,)]
    assert store.queued_changes() == [] and state.saved == {4}
    synced(store, account)  # and it stays so
    assert sorted(b.id for b in store.bookmarks()) == sorted([purged, kept])
    store.close()



def test_a_feed_missing_from_one_answer_keeps_its_stories(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """It was removed with its stories at once, and when it came back its items were
    below the high-water mark: never pulled again."""
    from fever_loopback import serve_fever

    state, account = serve_fever(feed_server)
    store = open_store(tmp_path / "cache.sqlite3")
    synced(store, account)
    state.hidden_feeds = {2}
    assert synced(store, account).feeds_removed == 0
    state.hidden_feeds = set()
    synced(store, account)
    assert store._read("SELECT COUNT(*) FROM articles")[0][0] == 10
    store.close()


def test_an_empty_feeds_answer_removes_nothing(tmp_path: Path,
                                               feed_server: FeedServer) -> None:
    from fever_loopback import serve_fever

    state, account = serve_fever(feed_server)
    store = open_store(tmp_path / "cache.sqlite3")
    synced(store, account)
    state.hidden_feeds = {1, 2}
    for _ in range(5):
        synced(store, account)
    assert len(store.feeds()) == 2
    assert store._read("SELECT COUNT(*) FROM articles")[0][0] == 10
    store.close()


def test_a_feed_gone_for_good_goes_and_its_unread_items_come_back_with_it(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """Unsubscribed on the server (gone from several answers), then subscribed again:
    its unread and saved items, below the high-water mark, are fetched by id."""
    from fever_loopback import serve_fever

    state, account = serve_fever(feed_server)
    store = open_store(tmp_path / "cache.sqlite3")
    synced(store, account)
    state.hidden_feeds = {2}
    removed = sum(synced(store, account).feeds_removed for _ in range(4))
    assert removed == 1 and len(store.feeds()) == 1
    assert store._read("SELECT COUNT(*) FROM articles")[0][0] == 5
    state.unread.discard(6)
    state.saved.add(7)
    state.hidden_feeds = set()
    report = synced(store, account)
    assert report.feeds_added == 1 and report.new_items == 4  # 6 was read: not fetched
    rows = store._read("SELECT server_id, read, bookmarked FROM articles "
                       "WHERE server_id > 5 ORDER BY server_id")
    assert rows == [(7, 0, 1), (8, 0, 0), (9, 0, 0), (10, 0, 0)]
    store.close()


DEEP = '{"auth": 1, "feeds": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(("call", "body"), [
    ("feeds", '{"auth": 1, "feeds": [], "groups": 5}'),
    ("feeds", '{"auth": 1, "feeds": [], "feeds_groups": true}'),
    ("feeds", '{"auth": 1, "feeds": [{"id": 1, "title": 5, "url": []}], '
              '"groups": [{"id": [1], "title": {}}], '
              '"feeds_groups": [{"group_id": "x", "feed_ids": {"a": 1}}]}'),
    ("feeds", '{"auth": 1, "feeds": [{"id": 1e400}]}'),
    ("feeds", DEEP),
    ("items", '{"auth": 1, "items": [{"id": "' + "9" * 30 + '", "feed_id": 1}, '
              '{"id": 2, "feed_id": ' + "9" * 30 + '}, {"id": 3, "feed_id": 1, '
              '"created_on_time": ' + "9" * 30 + '}]}'),
    ("unread", '{"auth": 1, "unread_item_ids": "1,' + "9" * 30 + ',-4"}'),
])
def test_garbage_from_the_server_is_refused_or_left_out_never_a_crash(
        feed_server: FeedServer, call: str, body: str) -> None:
    """groups = 5 was a TypeError, deep nesting a RecursionError, a 30-digit id an
    OverflowError in SQLite."""
    feed_server.route("/fever/", body, content_type="application/json")
    client = FeverClient(SyncAccount("fever", feed_server.url("/fever/"), "me"), "pw",
                         timeout=5)
    try:
        answer = {"feeds": client.feeds, "items": lambda: client.items_since(0),
                  "unread": client.unread_ids}[call]()
    except SyncError as exc:
        assert "does not answer as a Fever API" in str(exc) and "\n" not in str(exc)
    else:
        ids = ([getattr(x, "id", x) for x in answer] if not isinstance(answer, set)
               else list(answer))
        assert all(0 <= i < 2**63 for i in ids), ids
        for item in answer if isinstance(answer, list) else []:
            published = getattr(item, "published", None)
            assert published is None or published < 2**63
    finally:
        client.close()


def test_a_sync_that_fails_before_refresh_is_one_line_and_the_local_feeds_still_come(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """A RecursionError from the server's answer aborted `refresh` before feeds.toml."""
    feed_server.route("/fever/", DEEP, content_type="application/json")
    feed_server.route("/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
                      "<title>Local</title><item><title>Local story</title>"
                      "<guid>l1</guid></item></channel></rss>")
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[sync]\nprotocol = "fever"\nurl = "{feed_server.url("/fever/")}"\nuser = "me"\n'
        'password_command = "echo pw"\n')
    (home / "config" / "feeds.toml").write_text(
        f'[[feed]]\nurl = "{feed_server.url("/feed.xml")}"\n')
    result = run(home, "refresh", ok=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "tui-reader: sync: " in result.stderr
    assert feed_server.hits("/feed.xml") == 1
    assert "Local story" in run(home, "headlines").stdout


def test_a_server_trickling_its_answer_is_cut_off_at_the_request_deadline() -> None:
    """A byte every 0.2 s never trips a 0.5 s read timeout: the answer took 20 s (a byte
    every 19 s against the default 20 s timeout kept a request open for hours)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n")
            for _ in range(100):
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    threading.Thread(target=trickle, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/fever/"
    client = FeverClient(SyncAccount("fever", url, "me"), "pw", timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(SyncError, match="did not finish its answer in 1.5 s"):
            client.feeds()
        assert time.monotonic() - started < 4
    finally:
        stop.set()
        client.close()
        listener.close()


def test_no_request_starts_after_the_sync_deadline(feed_server: FeedServer) -> None:
    feed_server.route("/fever/", '{"auth": 1, "feeds": []}', delay=0.3,
                      content_type="application/json")
    client = FeverClient(SyncAccount("fever", feed_server.url("/fever/"), "me"), "pw",
                         timeout=5, until=time.monotonic() + 0.5)
    try:
        client.feeds()
        with pytest.raises(SyncError, match="took too long; it goes on at the next sync"):
            for _ in range(3):
                client.feeds()
    finally:
        client.close()


def test_pulling_stops_at_its_deadline_and_goes_on_at_the_next_sync(
        tmp_path: Path, feed_server: FeedServer) -> None:
    from fever_loopback import FeverState, serve_fever

    from tui_reader.core.sync.engine import run_sync

    state, account = serve_fever(feed_server, FeverState(
        items={i: 1 for i in range(1, 121)}, unread=set(range(1, 121))))
    store = open_store(tmp_path / "cache.sqlite3")
    client = FeverClient(account, "pw", timeout=5)
    try:
        report = run_sync(store, client, account, pull_until=time.monotonic() - 1)
        assert report.more and report.new_items == 0
        assert run_sync(store, client, account).new_items == 120
    finally:
        client.close()
        store.close()


def test_a_trivial_change_to_the_url_keeps_the_account(tmp_path: Path) -> None:
    """A trailing / or the host's case started over and dropped the queue silently."""
    store = stored(tmp_path)
    a, _b, _c = ids_of(store, [11, 12, 13])
    store.set_bookmark(a)
    for url in ("https://X/", "https://x:443", "HTTPS://x//"):
        key = SyncAccount("fever", url, "me").key
        assert store.use_sync_account(key) is None, url
    assert [(q.server_id, q.action) for q in store.queued_changes()] == [(11, "saved")]
    assert store.since_id() == 13
    store.close()


def test_another_account_says_how_many_queued_changes_it_dropped(
        tmp_path: Path, feed_server: FeedServer) -> None:
    from fever_loopback import serve_fever

    _state, account = serve_fever(feed_server)
    store = stored(tmp_path)
    a, b, _c = ids_of(store, [11, 12, 13])
    store.set_bookmark(a)
    store.set_read([b])
    report = synced(store, account)
    assert "2 changes queued for the previous account were dropped" in report.summary()
    assert "dropped" not in synced(store, account).summary()
    store.close()


def test_server_feeds_can_be_removed_once_sync_is_gone_from_config(tmp_path: Path) -> None:
    """`remove` refused ("remove it there") with no [sync] left to sync them with."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "config").mkdir()
    store = open_store(home / "data" / "cache.sqlite3")
    store.use_sync_account("fever https://x/ me")
    store.apply_server_feeds([ServerFeed(1, "Server feed", "https://srv.example/f.xml"),
                              ServerFeed(2, "Other", "fever:feed:2")])
    items = [ServerItem(i, 1, f"story {i}", f"https://srv.example/{i}", "<p>x</p>")
             for i in (11, 12)]
    store.save_server_items([(i, ParsedItem(guid=f"sync:{i.id}", url=i.url, title=i.title))
                             for i in items])
    (kept,) = ids_of(store, [12])
    store.set_bookmark(kept)
    store.close()
    (home / "config" / "config.toml").write_text(GOOD)  # still synced: refused
    one_line_error(run(home, "remove", "https://srv.example/f.xml", ok=False),
                   "comes from your sync server")
    (home / "config" / "config.toml").write_text("")
    run(home, "remove", "https://srv.example/f.xml")
    run(home, "remove", "fever:feed:2")
    assert json.loads(run(home, "feeds", "--json").stdout) == []
    titles = [b["title"] for b in json.loads(run(home, "bookmarks", "--json").stdout)]
    assert titles == ["story 12"]


def test_repair_keeps_the_server_feeds_their_stories_ids_and_the_queue(
        tmp_path: Path) -> None:
    """The rescue copied neither feeds.source and server_id nor sync_queue and
    sync_state: queued changes were lost and the next sync pulled everything again."""
    old = stored(tmp_path)
    a, b, _c = ids_of(old, [11, 12, 13])
    old.set_bookmark(a)
    old.set_read([b])
    queue = [(q.server_id, q.action) for q in old.queued_changes()]
    old.close()
    fresh = open_store(tmp_path / "fresh.sqlite3")
    fresh.sync_subscriptions([Subscription("https://local.example/feed.xml")])
    fresh.rescue_from(tmp_path / "cache.sqlite3")
    assert [(q.server_id, q.action) for q in fresh.queued_changes()] == queue
    assert fresh.since_id() == 0  # the next sync pulls from the start: what was lost comes
    assert fresh.use_sync_account("fever https://x/ me") is None
    assert sorted((f.url, f.source) for f in fresh.feeds()) == [
        ("https://local.example/feed.xml", "local"), ("https://srv.example/f.xml", "sync")]
    assert ids_of(fresh, [11, 12, 13]) == [a, b, _c]
    assert [x.id for x in fresh.bookmarks()] == [a]
    fresh.close()


def test_the_password_in_the_environment_is_not_passed_on_to_child_processes(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """$TUI_READER_SYNC_PASSWORD reached every child (password_command, the browser, w3m,
    serve's sessions): it is taken out of the environment at start, kept in memory."""
    from fever_loopback import serve_fever

    _state, account = serve_fever(feed_server)
    secret = "env-secret-for-nobody-else"
    seen = tmp_path / "child-env"
    command = tmp_path / "pw.sh"
    command.write_text(f"#!/bin/sh\nenv > {seen}\necho pw\n")
    command.chmod(0o700)
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    config_file = home / "config" / "config.toml"
    config_file.write_text(f'[sync]\nprotocol = "fever"\nurl = "{account.url}"\nuser = "me"\n'
                           f'password_command = "{command}"\n')
    os.environ[PASSWORD_ENV] = secret
    try:
        run(home, "sync")
        assert seen.exists() and secret not in seen.read_text()
        # Without a password_command the secret still comes from it, once taken out.
        config_file.write_text(config_file.read_text().replace(f'password_command = "{command}"',
                                                               ""))
        assert "Synced with" in run(home, "sync").stdout
    finally:
        del os.environ[PASSWORD_ENV]
