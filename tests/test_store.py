"""The SQLite cache against real files: migrations, dedupe, keyset paging, search, state."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.store import (
    MAX_SNAPSHOT_TRIES,
    Store,
    StoreError,
    article_uid,
    open_store,
    schema,
)

pytestmark = pytest.mark.timeout(60)

T0 = 1_700_000_000
DAY = 86400


def item(
    guid: str | None,
    title: str,
    ts: int | None = None,
    *,
    url: str | None = "auto",
    summary: str = "",
    content: str = "",
    categories: tuple[str, ...] = (),
) -> ParsedItem:
    if url == "auto":
        url = f"https://example.org/{guid or title}".replace(" ", "-")
    return ParsedItem(
        guid=guid, url=url, title=title, published=ts, summary=summary, content_text=content,
        categories=categories,
    )


def feed(*items: ParsedItem, title: str = "Feed") -> ParsedFeed:
    return ParsedFeed(title, "https://example.org/", list(items))


def subscribe(store: Store, url: str, *, tags: tuple[str, ...] = (), title: str | None = None,
              full_text: bool = False) -> int:
    return store.add_subscription(Subscription(url, title, tags, full_text))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    s = open_store(db)
    yield s
    s.close()


def raw(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- opening, migrations, hostile files ---------------------------------------------------


def test_schema_version_set_and_reopen_is_a_no_op(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(db) as s:
        fid = subscribe(s, "https://example.org/feed")
        s.save_feed(fid, feed(item("a", "Alpha", T0)), {}, now=T0)
    assert raw(db, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert raw(db, "PRAGMA journal_mode") == [("wal",)]
    master = raw(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name")

    def boom(_conn: sqlite3.Connection) -> None:
        raise AssertionError("a migration ran on an up-to-date cache")

    monkeypatch.setattr("tui_reader.core.store.connection.MIGRATIONS",
                        [boom] * len(schema.MIGRATIONS))
    with open_store(db) as s:
        assert [h.title for h in s.headlines()] == ["Alpha"]
    assert raw(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == master
    assert raw(db, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]


def test_newer_schema_is_refused_in_one_line(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION + 3}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        open_store(db)
    message = str(info.value)
    assert "\n" not in message
    assert str(db) in message
    assert "newer" in message
    # Nothing was migrated or dropped.
    assert raw(db, "PRAGMA user_version") == [(schema.SCHEMA_VERSION + 3,)]
    assert raw(db, "SELECT name FROM sqlite_master") == [("future",)]


@pytest.mark.parametrize(
    "content",
    [
        b"this is a text file, not a database\n" * 200,
        b"SQLite format 3\x00" + b"\xff" * 4000,  # a header, then garbage
    ],
    ids=["text", "bad-header"],
)
def test_non_database_file_is_refused_and_left_intact(db: Path, content: bytes) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    with pytest.raises(StoreError) as info:
        open_store(db)
    message = str(info.value)
    assert str(db) in message
    assert "\n" not in message
    assert db.read_bytes() == content


def test_closed_store_raises_store_error(db: Path) -> None:
    s = open_store(db)
    s.close()
    with pytest.raises(StoreError):
        s.headlines()


def test_disk_full_reports_the_real_error_and_the_store_stays_usable(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    conn = store._conn  # this thread's connection: cap the file to simulate a full disk
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages + 2}")
    big = feed(*[item(f"g{i}", f"T{i}", T0 + i, content="x" * 5000) for i in range(100)])
    with pytest.raises(StoreError, match="cannot write the cache: the disk is full"):
        store.save_feed(fid, big, {}, now=T0)
    assert not conn.in_transaction
    assert store.count() == 0
    conn.execute("PRAGMA max_page_count=1073741823")
    assert store.save_feed(fid, big, {}, now=T0).new == 100


# -- saving feeds -------------------------------------------------------------------------


def test_same_guid_twice_is_one_row_and_changes_update_it(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    first = store.save_feed(fid, feed(item("g1", "Title one", T0)), {}, now=T0)
    assert (first.new, first.updated) == (1, 0)
    assert len(first.new_ids) == 1
    again = store.save_feed(fid, feed(item("g1", "Title one", T0)), {}, now=T0 + 60)
    assert (again.new, again.updated, again.new_ids) == (0, 0, ())
    changed = store.save_feed(fid, feed(item("g1", "Title two", T0)), {}, now=T0 + 120)
    assert (changed.new, changed.updated) == (0, 1)
    heads = store.headlines()
    assert [(h.id, h.title) for h in heads] == [(first.new_ids[0], "Title two")]
    assert store.count() == 1
    # The same guid twice inside one document is one row too.
    dup = store.save_feed(
        fid, feed(item("g2", "Dup A", T0 + 5), item("g2", "Dup B", T0 + 5)), {}, now=T0 + 180
    )
    assert dup.new == 1
    assert store.count() == 2


def test_same_guid_in_two_feeds_is_two_rows(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    store.save_feed(a, feed(item("shared", "From A", T0)), {}, now=T0)
    store.save_feed(b, feed(item("shared", "From B", T0)), {}, now=T0)
    assert sorted(h.title for h in store.headlines()) == ["From A", "From B"]


def test_uid_fallbacks() -> None:
    assert article_uid(item("guid-1", "T", T0, url="https://x/1")) == "guid-1"
    assert article_uid(item(None, "T", T0, url="https://x/1")) == "https://x/1"
    no_link = item(None, "Only a title", T0, url=None)
    expected = "sha1:" + hashlib.sha1(f"Only a title\x00{T0}".encode()).hexdigest()
    assert article_uid(no_link) == expected
    assert article_uid(item(None, "Only a title", T0, url=None)) == expected
    assert article_uid(item(None, "Only a title", T0 + 1, url=None)) != expected
    assert article_uid(item(None, "Other title", T0, url=None)) != expected


def test_uid_fallbacks_dedupe_across_saves(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    by_link = item(None, "Linked", T0, url="https://example.org/linked")
    by_hash = item(None, "Bare", T0 + 1, url=None)
    store.save_feed(fid, feed(by_link, by_hash), {}, now=T0)
    result = store.save_feed(
        fid, feed(item(None, "Linked (edited)", T0, url="https://example.org/linked"), by_hash),
        {}, now=T0 + 60,
    )
    assert (result.new, result.updated) == (0, 1)
    assert sorted(h.title for h in store.headlines()) == ["Bare", "Linked (edited)"]


def test_undated_item_keeps_its_place_on_later_saves(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    undated = item("u1", "No date")
    store.save_feed(fid, feed(undated), {}, now=T0)
    result = store.save_feed(fid, feed(undated), {}, now=T0 + 3600)
    assert (result.new, result.updated) == (0, 0)
    (head,) = store.headlines()
    assert head.timestamp == T0


def test_undated_item_still_listed_is_not_purged_and_never_returns(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    cutoff = T0 - 90 * DAY
    listed, dropped = item("u1", "Still listed"), item("u2", "Dropped")
    (listed_id, dropped_id) = store.save_feed(
        fid, feed(listed, dropped), {}, now=T0 - 200 * DAY
    ).new_ids
    store.set_read([listed_id])
    result = store.save_feed(fid, feed(listed), {}, now=T0, min_ts=cutoff)
    assert (result.new, result.updated) == (0, 0)
    assert store.purge(cutoff) == 1  # only the one the feed no longer lists
    kept = store.article(listed_id)
    assert kept is not None and kept.read and kept.timestamp == T0 - 200 * DAY
    assert store.article(dropped_id) is None
    assert store.save_feed(fid, feed(listed), {}, now=T0 + 60, min_ts=cutoff).new == 0
    assert store.count() == 1


def test_read_and_bookmark_survive_resave(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    saved = store.save_feed(fid, feed(item("g1", "Old", T0), item("g2", "Other", T0 + 1)), {},
                            now=T0)
    a, b = saved.new_ids
    store.set_read([a])
    store.set_bookmark(b, now=T0 + 5)
    result = store.save_feed(
        fid, feed(item("g1", "New title", T0, summary="s"), item("g2", "Other!", T0 + 1)), {},
        now=T0 + 60,
    )
    assert result.updated == 2
    art_a, art_b = store.article(a), store.article(b)
    assert art_a is not None and art_b is not None
    assert art_a.title == "New title" and art_a.read and not art_a.bookmarked
    assert art_b.title == "Other!" and art_b.bookmarked and not art_b.read
    assert art_b.bookmarked_at == T0 + 5


def test_save_feed_records_state_and_title(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, ParsedFeed("Site Title", "https://example.org/home", []),
                    {"etag": '"e1"', "last_status": "ok", "next_due": T0 + 1800}, now=T0)
    info = store.feed(fid)
    assert info is not None
    assert (info.title, info.site_url, info.etag, info.next_due) == (
        "Site Title", "https://example.org/home", '"e1"', T0 + 1800
    )
    with pytest.raises(TypeError):  # not a FeedState field, so never SQL
        store.update_feed_state(fid, bogus=1)
    # A user title wins over the feed's own.
    store.add_subscription(Subscription("https://example.org/feed", "Mine"))
    assert store.feed(fid).title == "Mine"  # type: ignore[union-attr]


def test_save_feed_for_unknown_feed_is_a_no_op(store: Store) -> None:
    assert store.save_feed(999, feed(item("x", "X", T0)), {}, now=T0).new == 0
    assert store.count() == 0


def test_categories_round_trip(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    (aid,) = store.save_feed(fid, feed(item("c", "Cats", T0, categories=("Pets", "Cats"))), {},
                             now=T0).new_ids
    assert store.article(aid).categories == ("Pets", "Cats")  # type: ignore[union-attr]
    store.save_feed(fid, feed(item("c", "Cats", T0, categories=("Dogs",))), {}, now=T0 + 1)
    assert store.headline(aid).categories == ("Dogs",)  # type: ignore[union-attr]
    assert raw(store.path, "SELECT category FROM article_categories WHERE article_id=?",
               (aid,)) == [("Dogs",)]


# -- keyset paging ------------------------------------------------------------------------


@pytest.fixture
def seeded(store: Store) -> dict[str, int]:
    """Three feeds, two tags, 300 stories with many equal timestamps, some read/bookmarked."""
    ids = {
        "a": subscribe(store, "https://a.example/feed", tags=("news", "world")),
        "b": subscribe(store, "https://b.example/feed", tags=("news",)),
        "c": subscribe(store, "https://c.example/feed", tags=("tech",)),
    }
    for n, key in enumerate("abc"):
        items = [
            item(f"{key}{i}", f"{key} story {i}", T0 + (i // 4) * 60 + n)  # ties within a feed
            for i in range(100)
        ]
        store.save_feed(ids[key], feed(*items), {}, now=T0 + 10 * DAY)
    all_ids = [r[0] for r in raw(store.path, "SELECT id FROM articles ORDER BY id")]
    store.set_read(all_ids[::3])
    for article_id in all_ids[::7]:
        store.set_bookmark(article_id, now=T0)
    # Two stories share one timestamp across feeds too.
    store.save_feed(ids["a"], feed(item("tie", "tie a", T0 + 600)), {}, now=T0 + 10 * DAY)
    store.save_feed(ids["b"], feed(item("tie", "tie b", T0 + 600)), {}, now=T0 + 10 * DAY)
    return ids


def _truth(db: Path, where: str = "1", params: tuple[object, ...] = ()) -> list[int]:
    return [
        r[0]  # type: ignore[misc]
        for r in raw(db, f"SELECT id FROM articles WHERE {where} ORDER BY ts DESC, id DESC",
                     params)
    ]


def _filters(ids: dict[str, int]) -> list[tuple[HeadlineFilter, str, tuple[object, ...]]]:
    return [
        (HeadlineFilter(), "1", ()),
        (HeadlineFilter(feed_id=ids["b"]), "feed_id=?", (ids["b"],)),
        (HeadlineFilter(tag="news"), "feed_id IN (?, ?)", (ids["a"], ids["b"])),
        (HeadlineFilter(tag="tech", unread_only=True), "feed_id=? AND read=0", (ids["c"],)),
        (HeadlineFilter(unread_only=True), "read=0", ()),
        (HeadlineFilter(bookmarked=True), "bookmarked=1", ()),
        (HeadlineFilter(tag="nope"), "0", ()),
    ]


def test_keyset_paging_visits_every_row_once_in_order(
    store: Store, seeded: dict[str, int]
) -> None:
    for filt, where, params in _filters(seeded):
        expected = _truth(store.path, where, params)
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            page = store.headlines(filt, limit=7, after=cursor)
            if not page:
                break
            assert len(page) <= 7
            seen.extend(h.id for h in page)
            cursor = page[-1].cursor
            pages += 1
            assert pages < 1000
        assert seen == expected, filt
        assert store.count(filt) == len(expected)
        assert [h.id for h in store.headlines(filt, limit=10_000)] == expected


def test_before_paging_walks_up_to_the_top(store: Store, seeded: dict[str, int]) -> None:
    for filt, where, params in _filters(seeded):
        expected = _truth(store.path, where, params)
        if not expected:
            assert store.headlines(filt, before=(0, 0)) == []
            continue
        bottom = store.headline(expected[-1])
        assert bottom is not None
        cursor = bottom.cursor
        collected: list[int] = []
        while True:
            page = store.headlines(filt, limit=6, before=cursor)
            if not page:
                break
            ids = [h.id for h in page]
            stamps = [h.cursor for h in page]
            assert stamps == sorted(stamps, reverse=True), "a page is newest first"
            collected = ids + collected
            cursor = page[0].cursor
        assert collected == expected[:-1], filt


def test_count_before_cursor(store: Store, seeded: dict[str, int]) -> None:
    for filt, where, params in _filters(seeded):
        expected = _truth(store.path, where, params)
        for index in (0, 1, len(expected) // 2, len(expected) - 1):
            if not 0 <= index < len(expected):
                continue
            head = store.headline(expected[index])
            assert head is not None
            assert store.count(filt, before=head.cursor) == index


def test_before_returns_stories_that_just_arrived(store: Store, seeded: dict[str, int]) -> None:
    top = store.headlines(limit=1)[0]
    fresh = store.save_feed(
        seeded["c"], feed(item("new1", "Brand new 1", T0 + 10 * DAY),
                          item("new2", "Brand new 2", T0 + 10 * DAY + 1)),
        {}, now=T0 + 11 * DAY,
    )
    above = store.headlines(before=top.cursor)
    assert [h.title for h in above] == ["Brand new 2", "Brand new 1"]
    assert {h.id for h in above} == set(fresh.new_ids)
    assert store.count(before=top.cursor) == 2


def test_unread_counts_and_totals(store: Store, seeded: dict[str, int]) -> None:
    counts = store.unread_counts()
    for key, fid in seeded.items():
        (expected,) = raw(store.path, "SELECT COUNT(*) FROM articles WHERE feed_id=? AND read=0",
                          (fid,))
        assert counts[fid] == expected[0], key
        assert store.feed(fid).unread == expected[0]  # type: ignore[union-attr]
    assert store.total_unread() == sum(counts.values())
    assert store.tags() == ["news", "tech", "world"]


# -- search -------------------------------------------------------------------------------


HOSTILE_QUERIES = [
    '"', '""', 'foo"bar', '"unterminated', "*", "**", "a*", "*a", "OR", "foo OR", "OR bar",
    "AND", "NOT", "NOT kangaroo", "NEAR(", "NEAR(a b", "NEAR(a b, 2)", "-", "-kangaroo",
    "kangaroo -", "(", ")", "(()", ":", "title:kangaroo", "^kangaroo", "'", "\\", "%", "_",
    "%%", "a_b", "{", "}", "[", "+", "\x00", "  ", "", "🦘", "ünïcödé", "x" * 2000,
]


@pytest.fixture(params=["fts", "like"])
def search_store(request: pytest.FixtureRequest, store: Store) -> Store:
    if request.param == "fts":
        if not store.has_fts:
            pytest.skip("this SQLite has no FTS5")
    else:
        store.has_fts = False
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(
        item("k", "Kangaroo spotted in town", T0 + 3, summary="a marsupial story"),
        item("w", "Wombat news", T0 + 2, content="the kangaroo was not involved"),
        item("c", "Café culture", T0 + 1, summary="espresso everywhere"),
        item("u", "Snake_case and percent% signs", T0, summary="a_b underscore"),
    ), {}, now=T0)
    return store


def test_search_finds_words_in_title_summary_and_content(search_store: Store) -> None:
    s = search_store
    assert [h.title for h in s.search("kangaroo")] == [
        "Kangaroo spotted in town", "Wombat news"
    ]
    assert [h.title for h in s.search("KANGAROO town")] == ["Kangaroo spotted in town"]
    assert [h.title for h in s.search("marsup")] == ["Kangaroo spotted in town"]  # prefix
    assert [h.title for h in s.search("espresso")] == ["Café culture"]
    assert s.search("platypus") == []
    assert s.count(HeadlineFilter(query="kangaroo")) == 2
    filt = HeadlineFilter(query="kangaroo", unread_only=True)
    assert s.count(filt) == 2
    s.set_read([s.search("wombat")[0].id])
    assert s.count(filt) == 1
    # Paging works for search results too.
    first = s.search("kangaroo", limit=1)
    rest = s.search("kangaroo", limit=10, after=first[0].cursor)
    assert [h.title for h in first + rest] == ["Kangaroo spotted in town", "Wombat news"]


def test_search_fts_folds_diacritics(store: Store) -> None:
    if not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("c", "Café culture", T0)), {}, now=T0)
    assert [h.title for h in store.search("cafe")] == ["Café culture"]
    assert [h.title for h in store.search("café")] == ["Café culture"]


def test_search_like_treats_wildcards_literally(store: Store) -> None:
    store.has_fts = False
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("1", "axb", T0), item("2", "a_b", T0 + 1)), {}, now=T0)
    assert [h.title for h in store.search("a_b")] == ["a_b"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_search_syntax_characters_never_raise(search_store: Store, query: str) -> None:
    found = search_store.search(query)
    assert isinstance(found, list)
    assert search_store.count(HeadlineFilter(query=query)) == len(found)
    search_store.mark_all_read(HeadlineFilter(query=query, feed_id=-1))


def test_search_index_follows_updates_and_deletes(store: Store) -> None:
    if not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("x", "Aardvark", T0)), {}, now=T0)
    store.save_feed(fid, feed(item("x", "Pangolin", T0)), {}, now=T0 + 1)
    assert store.search("aardvark") == []
    assert [h.title for h in store.search("pangolin")] == ["Pangolin"]
    store.remove_feed("https://example.org/feed")
    assert store.search("pangolin") == []


# -- read next ----------------------------------------------------------------------------


def test_read_next_prefers_unread_related_stories_newest_first(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    c = subscribe(store, "https://c.example/feed")
    base = store.save_feed(a, feed(item("base", "Base", T0, categories=("Space",))), {},
                           now=T0).new_ids[0]
    same_feed = store.save_feed(a, feed(*[
        item(f"a{i}", f"A {i}", T0 + i * 10) for i in range(1, 6)
    ]), {}, now=T0).new_ids
    shared = store.save_feed(b, feed(
        item("b1", "B space", T0 + 100, categories=("space",)),  # NOCASE match
        item("b2", "B other", T0 + 200, categories=("Cooking",)),
    ), {}, now=T0).new_ids
    store.save_feed(c, feed(item("c1", "C unrelated", T0 + 300)), {}, now=T0)
    # Make the two newest same-feed stories read: they lose to older unread ones.
    store.set_read([same_feed[4], same_feed[3]])

    picks = [r.headline for r in store.read_next(base, limit=4)]
    titles = [h.title for h in picks]
    assert "Base" not in titles
    assert "C unrelated" not in titles and "B other" not in titles
    assert all(not h.read for h in picks)
    assert set(titles) == {"B space", "A 3", "A 2", "A 1"}
    stamps = [h.cursor for h in picks]
    assert stamps == sorted(stamps, reverse=True)

    everything = [r.headline for r in store.read_next(base, limit=20)]
    assert {h.id for h in everything} == set(same_feed) | {shared[0]}
    # Unread first, each group newest first; read ones are offered last.
    assert [h.read for h in everything] == [False] * 4 + [True] * 2
    assert [h.cursor for h in everything[:4]] == sorted((h.cursor for h in everything[:4]),
                                                        reverse=True)
    assert store.read_next(123456) == []


def test_read_next_for_an_orphaned_bookmark(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    (kept,) = store.save_feed(a, feed(item("k", "Kept", T0, categories=("x",))), {},
                              now=T0).new_ids
    store.save_feed(b, feed(item("b", "Related", T0, categories=("x",)),
                            item("c", "Unrelated", T0)), {}, now=T0)
    store.set_bookmark(kept)
    store.remove_feed("https://a.example/feed")
    assert [r.headline.title for r in store.read_next(kept)] == ["Related"]


def test_read_next_says_why_and_finds_stories_that_share_title_words(store: Store) -> None:
    """Most feeds have no categories: "Read next" then offered only the same feed, and
    labelled each entry with that feed's name. A story on the same subject in another
    feed is found by its title's uncommon words, and each entry says why it is there."""
    if not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    (base,) = store.save_feed(a, feed(
        item("base", "Dockworkers strike closes Halvern harbour", T0, categories=("Ports",)),
    ), {}, now=T0).new_ids
    store.save_feed(a, feed(item("a1", "Weather for the weekend", T0 + 1)), {}, now=T0)
    store.save_feed(b, feed(
        item("b1", "Halvern harbour reopens after the strike", T0 + 2),
        item("b2", "A recipe for soup", T0 + 3),
        item("b3", "Container ships queue at the ports", T0 + 4, categories=("ports",)),
        item("b4", "Strike talks: the harbour's side", T0 + 5),
    ), {}, now=T0)
    read_one = store.search("talks")[0].id
    store.set_read([read_one])
    got = [(r.headline.title, r.why.value, r.topic) for r in store.read_next(base)]
    assert got == [
        ("Container ships queue at the ports", "topic", "Ports"),
        ("Halvern harbour reopens after the strike", "words", "halvern"),
        ("Weather for the weekend", "feed", ""),
        ("Strike talks: the harbour's side", "words", "harbour"),
    ]


# -- purge and removal --------------------------------------------------------------------


def test_purge_keeps_bookmarks_and_purged_items_do_not_return(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    old_now = T0 - 200 * DAY
    olds = [item(f"old{i}", f"Old {i}", T0 - 150 * DAY + i) for i in range(5)]
    saved = store.save_feed(fid, feed(*olds), {}, now=old_now)
    store.set_bookmark(saved.new_ids[0], now=old_now)
    store.set_read(saved.new_ids[:1])
    cutoff = T0 - 90 * DAY
    assert store.purge(cutoff) == 4
    assert [h.title for h in store.headlines()] == ["Old 0"]
    # The feed still lists the old items, plus a new one: only the new one comes in.
    fresh = item("new", "New", T0)
    result = store.save_feed(fid, feed(*olds, fresh), {}, now=T0, min_ts=cutoff)
    assert result.new == 1
    assert sorted(h.title for h in store.headlines()) == ["New", "Old 0"]
    kept = store.article(saved.new_ids[0])
    assert kept is not None and kept.bookmarked and kept.read
    assert store.purge(cutoff) == 0


def test_purge_spares_recently_seen_old_stories(store: Store) -> None:
    """A story first seen today but dated long ago is not deleted right away."""
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("x", "Backdated", T0 - 300 * DAY)), {}, now=T0)
    assert store.purge(T0 - 90 * DAY) == 0
    assert store.count() == 1


def test_remove_feed_keeps_bookmarks_with_the_feed_name(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed", title="My Feed")
    other = subscribe(store, "https://other.example/feed")
    ids = store.save_feed(fid, feed(*[item(f"g{i}", f"S {i}", T0 + i) for i in range(4)]),
                          {"title": "Feed's own title"}, now=T0).new_ids
    store.save_feed(other, feed(item("o", "Other", T0)), {}, now=T0)
    store.set_bookmark(ids[2])
    assert store.remove_feed("https://example.org/feed") is True
    assert store.remove_feed("https://example.org/feed") is False
    assert store.feed_by_url("https://example.org/feed") is None
    assert [f.url for f in store.feeds()] == ["https://other.example/feed"]
    heads = store.headlines()
    assert sorted(h.title for h in heads) == ["Other", "S 2"]
    kept = store.article(ids[2])
    assert kept is not None
    assert kept.feed_id is None and kept.feed_title == "My Feed" and kept.bookmarked
    assert [a.title for a in store.bookmarks()] == ["S 2"]
    assert raw(store.path, "SELECT COUNT(*) FROM article_categories "
                           "WHERE article_id NOT IN (SELECT id FROM articles)") == [(0,)]


def test_sync_subscriptions_adds_updates_and_removes(store: Store) -> None:
    store.sync_subscriptions([
        Subscription("https://a.example/feed", "A", ("news", "world")),
        Subscription("https://b.example/feed", None, ("tech",)),
    ])
    a = store.feed_by_url("https://a.example/feed")
    assert a is not None and a.tags == ("news", "world") and a.title == "A"
    b = store.feed_by_url("https://b.example/feed")
    assert b is not None
    store.save_feed(b.id, feed(item("x", "B story", T0)), {}, now=T0)
    store.sync_subscriptions([
        Subscription("https://a.example/feed", "A renamed", ("world",), full_text=True,
                     selector="article"),
        Subscription("https://c.example/feed", "C", ()),
    ])
    feeds = {f.url: f for f in store.feeds()}
    assert set(feeds) == {"https://a.example/feed", "https://c.example/feed"}
    a2 = feeds["https://a.example/feed"]
    assert a2.id == a.id
    assert (a2.title, a2.tags, a2.full_text, a2.selector) == (
        "A renamed", ("world",), True, "article"
    )
    assert feeds["https://c.example/feed"].tags == ()
    assert store.tags() == ["world"]
    assert store.count() == 0  # b's story went with b
    store.sync_subscriptions([])
    assert store.feeds() == []


def test_change_feed_url(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    subscribe(store, "https://b.example/feed")
    assert store.change_feed_url(a, "https://b.example/feed") is False
    assert store.change_feed_url(a, "https://a.example/new") is True
    assert store.feed(a).url == "https://a.example/new"  # type: ignore[union-attr]


def test_due_feeds(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    c = subscribe(store, "https://c.example/feed")
    store.update_feed_state(a, next_due=T0 - 1)
    store.update_feed_state(b, next_due=T0 + 100)
    store.update_feed_state(c, next_due=0, dead=1)
    assert [f.id for f in store.due_feeds(T0)] == [a]
    assert {f.id for f in store.due_feeds(T0, force=True)} == {a, b}


# -- snapshots and bookmarks --------------------------------------------------------------


def _snapshot(store: Store, article_id: int) -> tuple[object, ...]:
    return raw(store.path, "SELECT snapshot, snapshot_tries, fulltext FROM articles WHERE id=?",
               (article_id,))[0]


def test_full_text_feed_items_are_pending_and_fetched_once(store: Store) -> None:
    fid = subscribe(store, "https://ft.example/feed", full_text=True)
    plain = subscribe(store, "https://plain.example/feed")
    with_url, no_url = store.save_feed(fid, feed(
        item("1", "Has link", T0), item("2", "No link", T0 + 1, url=None)
    ), {}, now=T0).new_ids
    (plain_id,) = store.save_feed(plain, feed(item("3", "Plain", T0)), {}, now=T0).new_ids
    assert _snapshot(store, with_url)[0] == "pending"
    assert _snapshot(store, no_url)[0] is None
    assert _snapshot(store, plain_id)[0] is None
    jobs = store.snapshot_jobs()
    assert [(j.article_id, j.bookmarked) for j in jobs] == [(with_url, False)]
    assert store.headline(with_url).snapshot == "pending"  # type: ignore[union-attr]

    store.save_snapshot(with_url, "# Full text\n\nBody")
    assert store.snapshot_jobs() == []
    art = store.article(with_url)
    assert art is not None and art.snapshot == "ok" and art.body_md == "# Full text\n\nBody"
    # A later failure never overwrites a good snapshot.
    store.snapshot_failed(with_url, "HTTP 500")
    assert _snapshot(store, with_url)[0] == "ok"


def test_failed_snapshot_of_a_plain_pending_story_is_not_retried(store: Store) -> None:
    fid = subscribe(store, "https://ft.example/feed", full_text=True)
    (aid,) = store.save_feed(fid, feed(item("1", "One", T0)), {}, now=T0).new_ids
    store.snapshot_failed(aid, "HTTP 404 Not Found")
    snap, tries, _ = _snapshot(store, aid)
    assert snap == "full text unavailable: HTTP 404 Not Found" and tries == 1
    assert store.snapshot_jobs() == []
    store.request_snapshot(aid)
    assert [j.article_id for j in store.snapshot_jobs()] == [aid]
    assert _snapshot(store, aid)[:2] == ("pending", 0)


def test_bookmark_makes_snapshot_pending_and_retries_until_the_cap(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed", full_text=True)
    plain = subscribe(store, "https://plain.example/feed")
    (ft_id,) = store.save_feed(fid, feed(item("f", "Full-text story", T0 + 50)), {},
                               now=T0).new_ids
    marked, no_url = store.save_feed(plain, feed(
        item("m", "Marked", T0), item("n", "No url", T0 + 1, url=None)
    ), {}, now=T0).new_ids
    store.set_bookmark(marked, now=T0 + 10)
    store.set_bookmark(no_url, now=T0 + 11)
    assert _snapshot(store, marked)[0] == "pending"
    assert _snapshot(store, no_url)[0] is None
    jobs = store.snapshot_jobs()
    # Bookmarks come first, then full-text feed stories.
    assert [(j.article_id, j.bookmarked) for j in jobs] == [(marked, True), (ft_id, False)]
    assert store.snapshot_jobs(limit=1)[0].article_id == marked

    for attempt in range(1, MAX_SNAPSHOT_TRIES + 1):
        assert marked in [j.article_id for j in store.snapshot_jobs()], attempt
        store.snapshot_failed(marked, "timed out")
    assert marked not in [j.article_id for j in store.snapshot_jobs()]
    assert _snapshot(store, marked)[:2] == ("full text unavailable: timed out",
                                           MAX_SNAPSHOT_TRIES)
    # Bookmarking again (after un-bookmarking) starts over.
    store.set_bookmark(marked, False)
    assert store.article(marked).bookmarked_at is None  # type: ignore[union-attr]
    store.set_bookmark(marked, now=T0 + 20)
    assert _snapshot(store, marked)[:2] == ("pending", 0)
    assert store.article(marked).bookmarked_at == T0 + 20  # type: ignore[union-attr]
    # Bookmarking twice keeps the first time.
    store.set_bookmark(marked, now=T0 + 99)
    assert store.article(marked).bookmarked_at == T0 + 20  # type: ignore[union-attr]

    store.save_snapshot(marked, "text")
    store.set_bookmark(marked, False)
    store.set_bookmark(marked, now=T0 + 30)
    assert _snapshot(store, marked)[:2] == ("ok", 1)
    assert marked not in [j.article_id for j in store.snapshot_jobs()]
    job = store.snapshot_job(marked)
    assert job is not None and job.url == "https://example.org/m" and job.bookmarked
    assert store.snapshot_job(no_url) is None


def test_bookmarks_page_by_bookmark_time(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    ids = store.save_feed(fid, feed(*[item(f"g{i}", f"S{i}", T0 + i) for i in range(25)]), {},
                          now=T0).new_ids
    for n, article_id in enumerate(ids):
        store.set_bookmark(article_id, now=T0 + (n // 3))  # ties in bookmark time
    seen: list[int] = []
    cursor = None
    while True:
        page = store.bookmarks(limit=4, offset_cursor=cursor)
        if not page:
            break
        seen.extend(a.id for a in page)
        cursor = (page[-1].bookmarked_at or 0, page[-1].id)
    expected = [r[0] for r in raw(store.path, "SELECT id FROM articles WHERE bookmarked=1 "
                                             "ORDER BY bookmarked_at DESC, id DESC")]
    assert seen == expected and len(seen) == 25


# -- read state ---------------------------------------------------------------------------


def test_set_read_and_mark_all_read_within_a_filter(store: Store, seeded: dict[str, int]) -> None:
    unread_b = store.count(HeadlineFilter(feed_id=seeded["b"], unread_only=True))
    unread_total = store.total_unread()
    assert store.mark_all_read(HeadlineFilter(feed_id=seeded["b"])) == unread_b
    assert store.count(HeadlineFilter(feed_id=seeded["b"], unread_only=True)) == 0
    assert store.total_unread() == unread_total - unread_b
    assert store.mark_all_read(HeadlineFilter(feed_id=seeded["b"])) == 0

    unread_tech = store.count(HeadlineFilter(tag="tech", unread_only=True))
    assert unread_tech > 0
    assert store.mark_all_read(HeadlineFilter(tag="tech")) == unread_tech
    assert store.count(HeadlineFilter(feed_id=seeded["a"], unread_only=True)) > 0

    if store.has_fts:
        target = store.headlines(HeadlineFilter(feed_id=seeded["a"], unread_only=True))[0]
        word = target.title  # "a story N" or "tie a"
        before = store.total_unread()
        assert store.mark_all_read(HeadlineFilter(query=f'"{word}"', feed_id=seeded["a"])) >= 1
        assert store.article(target.id).read  # type: ignore[union-attr]
        assert store.total_unread() < before

    some = [h.id for h in store.headlines(HeadlineFilter(feed_id=seeded["a"]), limit=5)]
    store.set_read(some, False)
    assert all(not store.article(i).read for i in some)  # type: ignore[union-attr]
    assert store.set_read(some, False) == 0
    assert store.set_read(some) == 5
    assert store.set_read(list(range(1, 2000))) >= 0  # big batches are chunked

    remaining = store.total_unread()
    assert store.mark_all_read() == remaining
    assert store.total_unread() == 0


def test_cursor_at_jumps_to_any_row(tmp_path: Path) -> None:
    with Store(tmp_path / "jump.sqlite3") as jump:
        fid = jump.add_subscription(Subscription("https://jump.example/feed.xml"))
        items = [ParsedItem(guid=f"j{i}", url=None, title=f"J{i}", published=1000 + i)
                 for i in range(30)]
        jump.save_feed(fid, ParsedFeed("J", None, items), {})
        walked = jump.headlines(limit=30)
        for index in (0, 7, 29):
            assert jump.cursor_at(None, index) == walked[index].cursor
        assert jump.cursor_at(None, 30) is None
        assert jump.cursor_at(None, -1) is None


def test_adding_a_dead_feed_again_revives_it(tmp_path: Path) -> None:
    with Store(tmp_path / "dead.sqlite3") as dead:
        sub = Subscription("https://gone.example/feed.xml")
        fid = dead.add_subscription(sub)
        dead.update_feed_state(fid, dead=1, last_status="dead", fail_count=3, next_due=10**10)
        assert dead.due_feeds(100) == []
        dead.add_subscription(sub)
        assert [f.id for f in dead.due_feeds(100)] == [fid]


def test_a_query_with_no_words_matches_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "q.sqlite3") as q:
        fid = q.add_subscription(Subscription("https://q.example/feed.xml"))
        q.save_feed(fid, ParsedFeed("Q", None, [ParsedItem("g", None, "Hello")]), {})
        for fts in (True, False):
            q.has_fts = fts and q.has_fts
            assert q.headlines(HeadlineFilter(query="***")) == []
            assert q.count(HeadlineFilter(query="hello")) == 1


def test_a_future_date_does_not_pin_a_story_to_the_top(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("now", "Now", T0), item("future", "Future", T0 + 10 * DAY)),
                    {}, now=T0 + 60)
    again = store.save_feed(
        fid, feed(item("now", "Now", T0), item("future", "Future", T0 + 10 * DAY)), {},
        now=T0 + 120,
    )
    assert (again.new, again.updated) == (0, 0)
    assert [h.timestamp for h in store.headlines()] == [T0 + 60, T0]


def test_a_forced_refresh_still_honours_retry_after(store: Store) -> None:
    a = subscribe(store, "https://a.example/feed")
    b = subscribe(store, "https://b.example/feed")
    store.update_feed_state(a, next_due=T0 + 600, last_error="HTTP 429 Too Many Requests")
    store.update_feed_state(b, next_due=T0 + 600, last_error="connection refused")
    assert {f.id for f in store.due_feeds(T0, force=True)} == {b}
    assert {f.id for f in store.due_feeds(T0 + 601, force=True)} == {a, b}


def test_search_finds_words_only_in_a_saved_full_text(store: Store) -> None:
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(item("g1", "Short", T0, url="https://example.org/a")), {}, now=T0)
    (head,) = store.headlines()
    store.set_bookmark(head.id)
    store.save_snapshot(head.id, "The whole story mentions a zeppelinhangar.")
    for fts in (True, False):
        store.has_fts = fts and store.has_fts
        assert [h.id for h in store.headlines(HeadlineFilter(query="zeppelinhangar"))] == [
            head.id
        ]


def test_a_version_one_cache_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    schema.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO feeds (url) VALUES ('https://old.example/feed')")
    conn.execute(
        "INSERT INTO articles (feed_id, uid, title, first_seen, ts, content, read, bookmarked)"
        " VALUES (1, 'u', 'Kept title', 1, 1, 'quokka body', 1, 1)"
    )
    conn.commit()
    conn.close()
    with Store(path) as migrated:
        (head,) = migrated.headlines()
        assert head.title == "Kept title" and head.read and head.bookmarked
        assert [h.id for h in migrated.headlines(HeadlineFilter(query="quokka"))] == [head.id]
        assert raw(path, "PRAGMA user_version")[0][0] == schema.SCHEMA_VERSION


def test_the_search_index_stays_true_to_the_rows(store: Store, db: Path) -> None:
    """New stories are indexed by the store itself, changes and deletions by triggers:
    after all of them FTS5's own integrity check must pass against the articles."""
    if not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    fid = subscribe(store, "https://example.org/feed")
    other = subscribe(store, "https://example.org/other")
    store.save_feed(fid, feed(item("a", "Alpha", T0, content="quokka words"),
                              item("b", "Beta", T0 - DAY, content="old words")), {}, now=T0)
    store.save_feed(other, feed(item("c", "Gamma", T0, content="gone soon")), {}, now=T0)
    store.save_feed(fid, feed(item("a", "Alpha", T0, content="wombat words")), {}, now=T0)
    (alpha,) = [h for h in store.headlines() if h.title == "Alpha"]
    store.set_bookmark(alpha.id)
    store.save_snapshot(alpha.id, "The full story of a numbat.")
    store.purge(T0 + 1)  # everything but the bookmark
    store.remove_feed("https://example.org/other")
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()

    def found(words: str) -> list[str]:
        return [h.title for h in store.headlines(HeadlineFilter(query=words))]

    assert found("wombat") == ["Alpha"] and found("numbat") == ["Alpha"]
    assert found("quokka") == [] and found("old") == [] and found("gone") == []


def test_closing_while_other_threads_read_waits_for_them(db: Path) -> None:
    """The app closes the cache when it quits, perhaps while a worker thread is reading
    (a story's Markdown, the timeline): that thread must finish or get a clear error,
    never have its connection freed under it (a crash)."""
    import threading

    for _ in range(20):  # bounded
        store = open_store(db)
        fid = subscribe(store, "https://example.org/feed")
        store.save_feed(fid, feed(*[item(f"g{n}", f"T{n}", T0 + n) for n in range(50)]), {})
        outcomes: list[str] = []
        started = threading.Event()

        def reader(store: Store, started: threading.Event, outcomes: list[str]) -> None:
            try:
                while True:
                    store.headlines(limit=50)
                    started.set()
            except StoreError as exc:
                outcomes.append(str(exc))

        thread = threading.Thread(target=reader, args=(store, started, outcomes))
        thread.start()
        assert started.wait(5)
        store.close()
        thread.join(5)
        assert not thread.is_alive()
        assert outcomes and "closed" in outcomes[0]


@pytest.fixture(params=["fts", "like"])
def symbols_store(request: pytest.FixtureRequest, store: Store) -> Store:
    if request.param == "fts" and not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    store.has_fts = store.has_fts and request.param == "fts"
    fid = subscribe(store, "https://example.org/feed")
    store.save_feed(fid, feed(
        item("cpp", "C++26 adds reflection", T0 + 9, summary="the C++ committee met"),
        item("cs", "What is new in C# 13", T0 + 8),
        item("att", "AT&T raises prices", T0 + 7),
        item("vit", "Vitamin C and colds", T0 + 6, summary="a c is for cookie"),
        item("junc", "At the T junction, a crash", T0 + 5),
        item("cat", "Cats at the castle", T0 + 4, summary="a c-section story"),
        item("mail", "Why e-mail still wins", T0 + 3),
        item("plain", "Email is old", T0 + 2),
        item("ja", "東京で新しい図書館が開館しました", T0 + 1,
             summary="日本語の記事です。図書館は午前九時に開館します。"),
    ), {}, now=T0)
    return store


@pytest.mark.parametrize(("query", "titles"), [
    ("C++", ["C++26 adds reflection"]),
    ("c++ reflection", ["C++26 adds reflection"]),
    ("C#", ["What is new in C# 13"]),
    ("AT&T", ["AT&T raises prices"]),
    ("at&t,", ["AT&T raises prices"]),
    ('"e-mail"', ["Why e-mail still wins"]),
    ("e-mail", ["Why e-mail still wins"]),
    ('"the castle"', ["Cats at the castle"]),
    # A run of Japanese is one token to the index: a word inside it was never found.
    ("開館", ["東京で新しい図書館が開館しました"]),
    ("記事", ["東京で新しい図書館が開館しました"]),
    ("九時 図書館", ["東京で新しい図書館が開館しました"]),
    ("開館 reflection", []),
])
def test_search_words_with_symbols_mean_what_a_person_means(
    symbols_store: Store, query: str, titles: list[str]
) -> None:
    """``C++`` once matched every story with a word starting with c (the index drops
    the symbols and the last word was a prefix); 40 of 46 in the demo."""
    assert [h.title for h in symbols_store.search(query)] == titles
    assert symbols_store.count(HeadlineFilter(query=query)) == len(titles)


def test_search_terms_keep_the_symbols_that_carry_meaning() -> None:
    from tui_reader.core.store.search_terms import fts_query, parse_terms

    assert fts_query("C++") == '"C"'
    assert [(t.text, t.literal) for t in parse_terms("C++ and AT&T, e-mail")] == [
        ("C++", True), ("and", False), ("AT&T", True), ("e-mail", False)
    ]
    assert fts_query("kangaroo marsup") == '"kangaroo" "marsup"*'
    assert fts_query("kangaroo marsup ") == '"kangaroo" "marsup"'
    assert fts_query('"climate change"') == '"climate change"'
    assert fts_query("e-mai") == '"e mai"*'
    assert parse_terms("*** --") == []
