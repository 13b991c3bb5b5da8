"""A full or read-only disk during a refresh and during a bookmark, for real (see
small_disk.py): one line on stderr or in the app, a consistent cache, nothing saved lost,
and the next run works once there is room again."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer, RequestInfo
from homes import cli_env, integrity, one_line_error
from small_disk import Disk, make_read_only, mount_tmpfs, unmount

from tui_reader.core.errors import UserError
from tui_reader.core.feeds_file import Subscription, save_subscriptions
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(120)

FEEDS = 12
NOW = int(time.time())


def rfc822(ts: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


@pytest.fixture(params=["tmpfs", "rlimit"])
def disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Disk]:
    root = tmp_path / "disk"
    root.mkdir()
    if request.param == "rlimit":
        yield Disk(root, "rlimit")
        return
    if not mount_tmpfs(root):
        pytest.skip("mounting a tmpfs needs root and a kernel that allows it; "
                    "the rlimit case stands in for it here")
    try:
        yield Disk(root, "tmpfs")
    finally:
        unmount(root)


@pytest.fixture
def server() -> Iterator[tuple[FeedServer, list[int]]]:
    """Feeds that grow: round 0 has a few short stories, later rounds many long ones."""
    round_no = [0]
    with FeedServer() as srv:
        for n in range(FEEDS):
            def serve(_r: RequestInfo, n: int = n) -> tuple[int, dict[str, str], str]:
                count, words = (3, 5) if round_no[0] == 0 else (40, 400)
                items = "".join(
                    f"<item><guid>f{n}-{round_no[0]}-{i}</guid>"
                    f"<title>Feed {n} round {round_no[0]} story {i}</title>"
                    f"<link>{srv.base_url}/page/{n}</link>"
                    f"<description>{'text ' * words}</description>"
                    f"<pubDate>{rfc822(NOW - i * 60)}</pubDate></item>"
                    for i in range(count)
                )
                return 200, {"Content-Type": "application/rss+xml"}, (
                    f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}'
                    f"</title><link>{srv.base_url}/</link>{items}</channel></rss>")
            srv.route_fn(f"/feed/{n}.xml", serve)
            srv.route(f"/page/{n}", "<html><body><article><p>" + "Saved words. " * 80 +
                      "</p></article></body></html>", content_type="text/html")
        yield srv, round_no


def run(home: Path, *args: str, disk: Disk | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, timeout=90, env=cli_env(), stdin=subprocess.DEVNULL,
        preexec_fn=disk.preexec() if disk is not None else None,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def make_home(root: Path, server: FeedServer) -> tuple[Path, set[int], set[int]]:
    """A home with round 0 fetched, two bookmarks and three stories read (not the newest
    story, which the app opens first)."""
    home = root / "home"
    paths = Paths.under(home).ensure()
    save_subscriptions(paths.feeds_file,
                       [Subscription(server.url(f"/feed/{n}.xml")) for n in range(FEEDS)])
    fetched = run(home, "refresh")
    assert fetched.returncode == 0, fetched.stderr
    with open_store(paths.database) as store:
        ids = [h.id for h in store.headlines(HeadlineFilter(), limit=10)]
        for i in ids[5:7]:
            store.set_bookmark(i)
        store.set_read(ids[7:10])
    return home, set(ids[5:7]), set(ids[7:10])


def user_state(home: Path) -> tuple[set[int], set[int], int]:
    with open_store(Paths.under(home).database) as store:
        rows = store.headlines(HeadlineFilter(), limit=100_000)
        return ({h.id for h in rows if h.bookmarked}, {h.id for h in rows if h.read},
                len(rows))


def test_a_refresh_on_a_full_disk_is_one_line_and_the_next_one_works(
    disk: Disk, server: tuple[FeedServer, list[int]]
) -> None:
    srv, round_no = server
    home, marks, read = make_home(disk.root, srv)
    db = Paths.under(home).database
    _, _, stories = user_state(home)
    round_no[0] = 1  # 480 long stories to write: far more than the room left
    disk.fill(leave=192 * 1024)
    failed = run(home, "refresh", "--all", disk=disk)
    one_line_error(failed, "cannot write the cache", "free some space", str(db))
    assert integrity(db) == "ok"
    after = user_state(home)
    assert after[:2] == (marks, read)  # nothing saved is lost
    assert after[2] >= stories  # feeds written before the disk filled stay written
    if disk.kind == "tmpfs":  # feeds.toml on a full disk: one line, the file as it was
        disk.free()
        disk.fill()
        feeds_toml = Paths.under(home).feeds_file
        text = feeds_toml.read_bytes()
        added = run(home, "add", "--no-check", srv.url("/new.xml"))
        one_line_error(added, "free some space")  # the cache could not even be opened
        assert feeds_toml.read_bytes() == text
        with pytest.raises(UserError, match=rf"^{feeds_toml}: cannot write it: No space left"):
            save_subscriptions(feeds_toml, [Subscription(srv.url("/new.xml"))])
        assert feeds_toml.read_bytes() == text
        assert [p.name for p in feeds_toml.parent.iterdir() if p.name.startswith(
            ".feeds.toml.") and not p.name.endswith(".lock")] == []
    disk.free()
    again = run(home, "refresh", "--all")
    assert again.returncode == 0, again.stderr
    assert integrity(db) == "ok"
    assert user_state(home)[:2] == (marks, read)
    assert user_state(home)[2] == stories + FEEDS * 40


APP = r"""
import asyncio, json, resource, signal, sys, time
from pathlib import Path
from tui_reader.app import TuiReaderApp
from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session
from tui_reader.messages import RefreshFailed, RefreshFinished
from tui_reader.widgets import ArticleView, StatusLine

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def limit(size):
    resource.setrlimit(resource.RLIMIT_FSIZE, (size or resource.RLIM_INFINITY,
                                               resource.RLIM_INFINITY))


async def until(pilot, check, seconds=20):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        await pilot.pause(0.05)


async def main():
    session = open_session(Paths.under(Path(sys.argv[1])))
    app = TuiReaderApp(session, refresh_on_start=False)
    ended = []  # refreshes that ended, failed or not

    def hook(message):
        if isinstance(message, (RefreshFailed, RefreshFinished)):
            ended.append(message)

    async with app.run_test(size=(200, 40), message_hook=hook) as pilot:
        view = app.query_one(ArticleView)
        status = app.query_one(StatusLine)
        await until(pilot, lambda: view.article is not None)
        story = view.article.id
        print("ready", flush=True)
        limit(int((await asyncio.to_thread(sys.stdin.readline)).split()[1]))
        await pilot.press("b")
        await until(pilot, lambda: app._notifications)
        await pilot.press("r")
        await until(pilot, lambda: ended)
        await pilot.pause(0.2)
        full = {"notes": [n.message for n in app._notifications],
                "status": status.refresh_text,
                "bookmarked": session.store.article(story).bookmarked,
                "shown": view.article.bookmarked}
        print(json.dumps(full), flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        limit(0)
        await pilot.press("b")
        await until(pilot, lambda: session.store.article(story).bookmarked)
        await pilot.press("r")
        await until(pilot, lambda: len(ended) == 2)
        await pilot.pause(0.2)
        room = {"bookmarked": session.store.article(story).bookmarked,
                "status": status.refresh_text, "ended": type(ended[-1]).__name__}
        print(json.dumps(room), flush=True)
    session.close()


asyncio.run(main())
"""


def test_a_bookmark_and_a_refresh_in_the_app_on_a_full_disk(
    disk: Disk, server: tuple[FeedServer, list[int]], tmp_path: Path
) -> None:
    srv, round_no = server
    home, marks, read = make_home(disk.root, srv)
    db = Paths.under(home).database
    round_no[0] = 1
    app = subprocess.Popen([sys.executable, "-c", APP, str(home)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=cli_env())
    assert app.stdin is not None and app.stdout is not None
    try:
        assert app.stdout.readline().strip() == "ready", app.stderr and app.stderr.read()
        if disk.kind == "tmpfs":
            disk.fill()
        app.stdin.write("full 4096\n" if disk.kind == "rlimit" else "full 0\n")
        app.stdin.flush()
        full = json.loads(app.stdout.readline())
        # The bookmark's write failed (and any other the app had queued, such as keeping
        # a story's converted Markdown): each one notification, one line.
        problems = [n for n in full["notes"] if "cannot write the cache" in n]
        assert problems, full["notes"]
        assert all("\n" not in p and "free some space" in p for p in problems), problems
        assert full["status"].startswith("refresh failed: cannot write the cache"), full
        assert "\n" not in full["status"]
        assert not full["bookmarked"] and not full["shown"], full  # the screen shows the truth
        assert integrity(db) == "ok"
        disk.free()
        app.stdin.write("room\n")
        app.stdin.flush()
        room = json.loads(app.stdout.readline())
        assert room["bookmarked"], room
        assert room["ended"] == "RefreshFinished" and "failed" not in room["status"], room
        _, err = app.communicate(timeout=60)
        assert app.returncode == 0, err
        assert "Traceback" not in err, err
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
    assert integrity(db) == "ok"
    marked, was_read, _ = user_state(home)
    assert marks < marked and read <= was_read


BOOKMARK = r"""
import sys
from tui_reader.core.errors import UserError
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.store import open_store
try:
    store = open_store(sys.argv[1])
    store.set_bookmark(store.headlines(HeadlineFilter(), limit=100)[-1].id)
except UserError as exc:
    sys.exit(f"tui-reader: {exc}")
print("saved")
"""


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """A folder to make read-only: a tmpfs of its own where root may mount one."""
    root = tmp_path / "ro"
    root.mkdir()
    mounted = mount_tmpfs(root)
    try:
        yield root, mounted
    finally:
        if mounted:
            unmount(root)


def test_a_read_only_cache_is_one_line_and_works_again_once_writable(
    folder: tuple[Path, bool], server: tuple[FeedServer, list[int]]
) -> None:
    root, mounted = folder
    srv, round_no = server
    home, marks, read = make_home(root, srv)
    db = Paths.under(home).database
    before = db.read_bytes()
    round_no[0] = 1
    undo = make_read_only(root if mounted else db.parent, mounted)
    try:
        for result in (
            run(home, "refresh", "--all"),
            subprocess.run([sys.executable, "-c", BOOKMARK, str(db)], capture_output=True,
                           text=True, timeout=60, env=cli_env()),
        ):
            line = one_line_error(result, str(db))
            assert "read-only" in line or "cannot open the cache" in line, line
        assert db.read_bytes() == before
    finally:
        undo()
    assert run(home, "refresh", "--all").returncode == 0
    bookmark = subprocess.run([sys.executable, "-c", BOOKMARK, str(db)], capture_output=True,
                              text=True, timeout=60, env=cli_env())
    assert bookmark.stdout.strip() == "saved", bookmark.stderr
    assert integrity(db) == "ok"
    marked, was_read, _ = user_state(home)
    assert marks < marked and read <= was_read
