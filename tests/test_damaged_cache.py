"""A damaged cache, made for real: every command says what is wrong and what to do, and
``tui-reader repair`` sets the file aside (never deleting it) and rescues what SQLite can
still read into a fresh cache, bookmarks and their full text first.

Each case damages a copy of one populated home: the file cut short, random bytes written
over part of it, a file that is not SQLite at all, a WAL that went missing, a stale
``-shm``, and a cache written by a newer tui-reader (refused, and left as it is).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from homes import Population, cli, cli_env, cli_many, integrity, one_line_error, populate

from tui_reader.core.models import HeadlineFilter
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store
from tui_reader.core.store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.timeout(120)

HINT = "run `tui-reader repair`"
CACHE_COMMANDS: list[tuple[str, ...]] = [
    (),  # the reader itself: it must not start on a damaged cache
    ("feeds",), ("headlines",), ("unread",), ("refresh",), ("bookmarks",), ("export",),
    ("add", "--no-check", "http://127.0.0.1:9/new.xml"), ("remove", "http://127.0.0.1:9/feed0.xml"),
]
SOME_COMMANDS: list[tuple[str, ...]] = [(), ("unread",), ("headlines",)]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Population]:
    home = tmp_path_factory.mktemp("pristine") / "home"
    return home, populate(home)


@pytest.fixture
def home(pristine: tuple[Path, Population], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(pristine[0], copy)
    return copy


def database(home: Path) -> Path:
    return Paths.under(home).database


def siblings(db: Path) -> list[Path]:
    """The cache file and whatever SQLite keeps next to it."""
    return sorted(p for p in db.parent.iterdir() if p.name.startswith(db.name))


def truncate(db: Path) -> None:
    with open(db, "r+b") as f:
        f.truncate(int(db.stat().st_size * 0.6))


def scribble_start(db: Path) -> None:
    """Random bytes over the schema: nothing in the file can be found any more."""
    with open(db, "r+b") as f:
        f.seek(100)
        f.write(random.Random(1).randbytes(16 * 4096))


def scribble_middle(db: Path) -> None:
    """Random bytes over a stretch in the middle: some stories are gone."""
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size // 2 // 4096 * 4096)
        f.write(random.Random(2).randbytes(size // 8))


def not_sqlite(db: Path) -> None:
    db.write_text("# my notes\n" * 500, encoding="utf-8")


DAMAGE = {"truncated": truncate, "random bytes over the start": scribble_start,
          "not sqlite": not_sqlite}


# -- every command says what is wrong and what to do ---------------------------------------


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_every_command_says_the_cache_is_damaged_and_how_to_repair_it(
    home: Path, kind: str
) -> None:
    db = database(home)
    DAMAGE[kind](db)
    before = db.read_bytes()
    feeds_toml = Paths.under(home).feeds_file.read_bytes()
    commands = CACHE_COMMANDS if kind == "not sqlite" else SOME_COMMANDS
    for result in cli_many(home, *commands):
        line = one_line_error(result, str(db), HINT)
        assert "damaged" in line, line
    assert db.read_bytes() == before  # no command wrote to it
    assert Paths.under(home).feeds_file.read_bytes() == feeds_toml  # add/remove did not run


def test_damage_found_mid_command_says_the_same(home: Path) -> None:
    """Damage deep in the file is only met when a query reaches it."""
    db = database(home)
    scribble_middle(db)
    one_line_error(cli(home, "headlines", "--limit", "100000"), str(db), HINT, "damaged")


# -- repair --------------------------------------------------------------------------------


def repaired(home: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run `repair`; the damaged files were moved aside, with a timestamp, not deleted."""
    db = database(home)
    before = {p.name[len(db.name):]: p.read_bytes() for p in siblings(db)}
    result = cli(home, "repair")
    assert result.returncode == 0, result.stderr
    aside = [p for p in siblings(db) if ".damaged-" in p.name and not p.name.endswith(
        ("-wal", "-shm", "-journal"))]
    assert len(aside) == 1, siblings(db)
    assert re.search(r"\.damaged-\d{8}-\d{6}", aside[0].name)
    assert str(aside[0]) in result.stdout
    assert aside[0].read_bytes() == before[""]  # moved as it was
    for suffix in ("-wal", "-shm"):
        if suffix in before:
            assert Path(f"{aside[0]}{suffix}").read_bytes() == before[suffix]
    assert integrity(db) == "ok"
    return result, aside[0]


def saved(result: subprocess.CompletedProcess[str], what: str) -> int:
    """A count from repair's report, e.g. saved(result, "bookmark")."""
    found = re.search(rf"([\d,]+) {what}", result.stdout)
    assert found, (what, result.stdout)
    return int(found.group(1).replace(",", ""))


def still_readable(damaged: Path) -> dict[str, tuple[bool, bool]]:
    """What SQLite itself can still read from the damaged file, story by story (title:
    bookmarked, read): the least a rescue must save. ``writable_schema`` lets it read a
    file shorter than its header says."""
    found: dict[str, tuple[bool, bool]] = {}
    try:
        conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        conn.execute("PRAGMA writable_schema=ON")
    except sqlite3.Error:
        return found
    try:
        for article_id in range(1, 2000):
            try:
                row = conn.execute("SELECT title, bookmarked, read FROM articles WHERE id=?",
                                   (article_id,)).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                found[row[0]] = (bool(row[1]), bool(row[2]))
    finally:
        conn.close()
    return found


def check_rescue(home: Path, population: Population, result: subprocess.CompletedProcess[str],
                 aside: Path) -> set[str]:
    """The fresh cache holds every subscription of feeds.toml and every story SQLite can
    still read from the damaged file, with its flags and a bookmark's full text; nothing
    invented from garbage; and repair's counts are the truth."""
    readable = still_readable(aside)
    with open_store(database(home)) as store:
        assert sorted(f.url for f in store.feeds()) == sorted(population.feeds)
        rows = store.headlines(HeadlineFilter(), limit=100_000)
        titles = {h.title for h in rows}
        assert titles <= population.titles  # nothing invented from garbage
        assert set(readable) <= titles, set(readable) - titles
        marks = {h.title: store.article(h.id) for h in rows if h.bookmarked}
        assert {t for t, (bookmarked, _) in readable.items() if bookmarked} <= set(marks)
        assert set(marks) <= set(population.bookmarks)
        for title, article in marks.items():
            assert article is not None and article.fulltext_md == population.bookmarks[title]
        assert {h.title for h in rows if h.read} == population.read & titles
        assert saved(result, "bookmark") == len(marks)
        assert saved(result, "stor") == len(rows)  # "1 story" / "300 stories"
        if store.has_fts and rows:
            one = sorted(titles)[0]
            assert store.count(HeadlineFilter(query=f'"{one}"')) >= 1  # search index rebuilt
    return titles


def test_repair_of_a_truncated_cache_keeps_bookmarks_and_read_state(
    home: Path, pristine: tuple[Path, Population]
) -> None:
    population = pristine[1]
    truncate(database(home))
    result, aside = repaired(home)
    titles = check_rescue(home, population, result, aside)
    assert saved(result, "bookmark") >= 1
    assert 0 < len(titles) < len(population.titles)
    after = cli(home, "bookmarks", "--json")
    assert after.returncode == 0
    assert {b["title"] for b in json.loads(after.stdout)} <= set(population.bookmarks)


def test_repair_after_random_bytes_in_the_middle(
    home: Path, pristine: tuple[Path, Population]
) -> None:
    population = pristine[1]
    scribble_middle(database(home))
    result, aside = repaired(home)
    titles = check_rescue(home, population, result, aside)
    assert saved(result, "bookmark") >= 1
    assert 0 < len(titles) < len(population.titles)
    assert cli(home, "headlines", "--limit", "100000").returncode == 0


@pytest.mark.parametrize("kind", ["not sqlite", "random bytes over the start"])
def test_repair_of_an_unreadable_file_starts_afresh_from_feeds_toml(
    home: Path, pristine: tuple[Path, Population], kind: str
) -> None:
    DAMAGE[kind](database(home))
    result, aside = repaired(home)
    check_rescue(home, pristine[1], result, aside)
    assert saved(result, "bookmark") == 0
    assert "feeds.toml" in result.stdout
    feeds = cli(home, "feeds", "--json")
    assert feeds.returncode == 0
    assert len(json.loads(feeds.stdout)) == len(pristine[1].feeds)
    assert aside.exists()


def test_repair_of_a_sound_cache_changes_nothing(home: Path) -> None:
    db = database(home)
    before = db.read_bytes()
    result = cli(home, "repair")
    assert result.returncode == 0, result.stderr
    assert "nothing to repair" in result.stdout
    assert [p.name for p in siblings(db)] == [db.name]
    assert db.read_bytes() == before


def test_repair_with_no_cache_says_so(tmp_path: Path) -> None:
    result = cli(tmp_path / "empty-home", "repair")
    assert result.returncode == 0, result.stderr
    assert "no cache" in result.stdout
    assert not database(tmp_path / "empty-home").exists()


HOLDER = r"""
import sys, time
from tui_reader.core.store import open_store
store = open_store(sys.argv[1])
store.total_unread()
print("open", flush=True)
time.sleep(60)
"""


def test_repair_refuses_while_another_process_has_the_cache_open(home: Path) -> None:
    """Moving the file from under a running app would split its writes from the cache."""
    db = database(home)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)],
                              stdout=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        scribble_middle(db)  # damaged while the app had it open
        names = [p.name for p in siblings(db)]
        one_line_error(cli(home, "repair"), "in use", "quit")
        assert [p.name for p in siblings(db)] == names
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert ".damaged-" in cli(home, "repair").stdout  # once it is closed


# -- files SQLite keeps next to the cache ----------------------------------------------------

WRITER = r"""
import os, sys
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.store import open_store
store = open_store(sys.argv[1])
newest = store.headlines(HeadlineFilter(), limit=1)[0]
store.set_bookmark(newest.id)
print(newest.title, flush=True)
os.kill(os.getpid(), 9)  # no clean close: the bookmark is in the WAL only
"""


def crash_after_bookmark(db: Path) -> str:
    result = subprocess.run([sys.executable, "-c", WRITER, str(db)], capture_output=True,
                            text=True, env=cli_env(), timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert Path(f"{db}-wal").exists()
    return result.stdout.strip()


def bookmarked_titles(home: Path) -> set[str]:
    result = cli(home, "bookmarks", "--json")
    assert result.returncode == 0, result.stderr
    return {b["title"] for b in json.loads(result.stdout)}


def test_a_stale_shm_is_rebuilt_and_nothing_is_lost(
    home: Path, pristine: tuple[Path, Population]
) -> None:
    db = database(home)
    title = crash_after_bookmark(db)
    Path(f"{db}-shm").write_bytes(random.Random(3).randbytes(32768))
    assert bookmarked_titles(home) == set(pristine[1].bookmarks) | {title}
    assert integrity(db) == "ok"


def test_a_missing_wal_loses_only_what_it_held(
    home: Path, pristine: tuple[Path, Population]
) -> None:
    """A cleanly closed cache is whole in its one file (copying just it is a backup);
    after a crash, deleting the WAL takes only the writes since the last checkpoint."""
    db = database(home)
    assert [p.name for p in siblings(db)] == [db.name]
    title = crash_after_bookmark(db)
    os.unlink(f"{db}-wal")
    assert bookmarked_titles(home) == set(pristine[1].bookmarks)
    assert title not in pristine[1].bookmarks
    assert integrity(db) == "ok"
    assert cli(home, "repair").stdout.count("nothing to repair") == 1


# -- a newer tui-reader's cache --------------------------------------------------------------


def test_a_newer_cache_is_refused_and_left_untouched(home: Path) -> None:
    db = database(home)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    for result in cli_many(home, ("unread",), ("headlines",), (), ("repair",)):
        line = one_line_error(result, "newer tui-reader", f"schema {SCHEMA_VERSION + 1}")
        assert "upgrade" in line, line
    assert db.read_bytes() == before
    assert [p.name for p in siblings(db)] == [db.name]
