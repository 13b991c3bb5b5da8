"""Several real processes sharing one cache file: the TUI, cron's refresh, a second TUI.

Each worker is a separate Python process (not a thread), started together through a
file-based barrier, so SQLite's file locking, WAL and busy handling are what is tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_reader.core.models import HeadlineFilter
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(180)

WORKER = r'''
import json, sys, time, traceback
from pathlib import Path

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.store import open_store

db, role, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
rounds = int(sys.argv[4])
(go.parent / f"ready-{role}").touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no start signal")
    time.sleep(0.001)

T0 = 1_700_000_000
out = {"role": role, "errors": []}


def items(prefix, i, n):
    return [
        ParsedItem(guid=f"{prefix}-{i}-{j}", url=f"https://example.org/{prefix}/{i}/{j}",
                   title=f"{prefix} story {i} {j}", published=T0 + i * 10 + j,
                   summary=f"round {i} item {j} from {prefix}", categories=(prefix,))
        for j in range(n)
    ]


try:
    store = open_store(db)
    if role.startswith("writer"):
        own = store.add_subscription(Subscription(f"https://{role}.example/feed", tags=(role,)))
        shared = store.add_subscription(Subscription("https://shared.example/feed", tags=("s",)))
        for i in range(rounds):
            store.save_feed(own, ParsedFeed(role, None, items(role, i, 5)),
                            {"last_status": "ok", "next_due": T0 + i}, now=T0 + i)
            # Both writers save the very same stories of the shared feed.
            store.save_feed(shared, ParsedFeed("Shared", None, items("shared", i, 3)),
                            {"last_status": "ok"}, now=T0 + i)
            heads = store.headlines(HeadlineFilter(feed_id=shared), limit=10)
            store.set_read([h.id for h in heads], i % 2 == 0)
            store.set_bookmark(heads[0].id, i % 3 == 0)
            if i % 25 == 0:
                store.mark_all_read(HeadlineFilter(feed_id=own))
                store.unread_counts()
        out["own_feed"] = own
    else:
        walks = 0
        give_up = time.monotonic() + 120  # never outlive a failed test
        while True:
            finished = (go.parent / "writers-done").exists() or time.monotonic() > give_up
            seen, cursor = [], None
            while True:
                page = store.headlines(limit=50, after=cursor)
                if not page:
                    break
                keys = [h.cursor for h in page]
                if keys != sorted(keys, reverse=True):
                    out["errors"].append("page out of order")
                if cursor is not None and keys[0] >= cursor:
                    out["errors"].append("page overlaps the previous one")
                seen.extend(h.id for h in page)
                cursor = page[-1].cursor
            if len(seen) != len(set(seen)):
                out["errors"].append("a walk saw a row twice")
            store.count(HeadlineFilter(unread_only=True))
            store.search("story")
            store.unread_counts()
            walks += 1
            if finished:
                break
        out["walks"] = walks
        out["final_rows"] = len(seen)
    store.close()
except Exception:
    out["errors"].append(traceback.format_exc())
print(json.dumps(out))
'''


def _start(script: Path, db: Path, role: str, go: Path, rounds: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), str(db), role, str(go), str(rounds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _release(go: Path, roles: list[str]) -> None:
    """Start everyone at once, when every interpreter has imported the code."""
    deadline = time.monotonic() + 60
    while not all((go.parent / f"ready-{r}").exists() for r in roles):
        assert time.monotonic() < deadline, "workers never got ready"
        time.sleep(0.01)
    go.touch()


def _reap(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    """After a failure, stop the workers this test started (and only those)."""
    (tmp_path / "go").touch()
    (tmp_path / "writers-done").touch()
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def _finish(proc: subprocess.Popen[str]) -> dict[str, object]:
    stdout, stderr = proc.communicate(timeout=150)
    assert proc.returncode == 0, stderr
    assert "locked" not in stderr and "Traceback" not in stderr, stderr
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    errors = result["errors"]
    assert isinstance(errors, list)
    assert not errors, "\n".join(errors)
    return result


def test_two_writers_and_a_reader_share_one_fresh_cache(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    db = tmp_path / "data" / "cache.sqlite3"  # nobody has created it yet: they race to
    go = tmp_path / "go"
    rounds = 200
    roles = ["writer-a", "writer-b", "reader"]
    procs = [_start(script, db, role, go, rounds) for role in roles]
    try:
        _release(go, roles)
        writers = [_finish(p) for p in procs[:2]]
        (tmp_path / "writers-done").touch()
        reader = _finish(procs[2])
    finally:
        _reap(tmp_path, procs)
    assert isinstance(reader["walks"], int) and reader["walks"] >= 1

    with open_store(db) as store:
        feeds = {f.url: f for f in store.feeds()}
        assert set(feeds) == {
            "https://writer-a.example/feed", "https://writer-b.example/feed",
            "https://shared.example/feed",
        }
        for w in writers:
            fid = w["own_feed"]
            assert isinstance(fid, int)
            assert store.count(HeadlineFilter(feed_id=fid)) == rounds * 5
        shared = feeds["https://shared.example/feed"]
        assert shared.total == rounds * 3  # the same stories from both: never duplicated
        assert store.count() == rounds * 5 * 2 + rounds * 3
        assert reader["final_rows"] == store.count()
        # Every row reachable by paging, exactly once.
        seen: list[int] = []
        cursor = None
        while page := store.headlines(limit=500, after=cursor):
            seen.extend(h.id for h in page)
            cursor = page[-1].cursor
        assert len(seen) == len(set(seen)) == store.count()
        if store.has_fts:
            assert store.count(HeadlineFilter(query="shared story")) == rounds * 3


def test_many_processes_opening_a_new_cache_at_once(tmp_path: Path) -> None:
    """Creating and migrating the file is itself a race that must be safe."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    db = tmp_path / "cache.sqlite3"
    go = tmp_path / "go"
    roles = [f"writer-{n}" for n in range(6)]
    procs = [_start(script, db, role, go, 3) for role in roles]
    try:
        _release(go, roles)
        for proc in procs:
            _finish(proc)
    finally:
        _reap(tmp_path, procs)
    with open_store(db) as store:
        assert store.count() == 6 * 3 * 5 + 3 * 3
        assert len(store.feeds()) == 7
