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
    line = one_line_error(run(tmp_path / "home", "sync", ok=False), "no [sync] table",
                          "config.toml")
    assert line


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


# -- the engine against a Fever server in memory (tests/fever_loopback.py) ---------------------


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
