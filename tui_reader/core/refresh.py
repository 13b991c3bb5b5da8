"""The one refresh service: fetch due feeds politely, parse off the event loop, write each
feed in one transaction, and report progress through a callback.

The TUI runs :meth:`RefreshService.refresh` as an async worker (cancelling it on quit
leaves the cache consistent, since every feed is one transaction); the CLI runs it with
``asyncio.run``. Parsing and SQLite writes go to threads so the loop stays responsive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path

from .config import Settings
from .errors import UserError
from .feed_writer import FeedWriter
from .feeds_file import Subscription, feed_credentials, update_subscriptions
from .fetched import fetched_write
from .fulltext import fetch_snapshot
from .http import FetchError, PoliteClient, client_for, host_key, http_reason
from .http_url import is_http_url, normalise_url, same_origin, with_credentials
from .models import FeedInfo, FeedState, FeedStatus, ParsedFeed
from .parse import FeedParseError, parse_feed
from .schedule import PostingPattern, failure_reason, next_poll
from .store import FeedWrite, Store
from .words import plural

MAX_BACKOFF = 24 * 3600
STATUS_OK = FeedStatus.OK.value
STATUS_UNCHANGED = FeedStatus.NOT_MODIFIED.value
STATUS_ERROR = FeedStatus.ERROR.value
STATUS_DEAD = FeedStatus.DEAD.value


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What happened to one feed in a refresh."""

    feed_id: int
    url: str
    title: str
    status: str
    new: int = 0
    updated: int = 0
    error: str | None = None
    network_error: bool = False
    new_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """A snapshot of a running refresh; later ones replace earlier ones."""

    done: int
    total: int
    new_articles: int
    failed: int
    current: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """The summary of a finished refresh."""

    outcomes: list[FeedOutcome] = field(default_factory=list)
    started: int = 0
    finished: int = 0
    purged: int = 0
    snapshots_ok: int = 0
    snapshots_failed: int = 0

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def new_articles(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def new_ids(self) -> tuple[int, ...]:
        return tuple(i for o in self.outcomes for i in o.new_ids)

    @property
    def offline(self) -> bool:
        """Every feed failed to connect: most likely no network at all."""
        return bool(self.outcomes) and all(o.network_error for o in self.outcomes)

    @property
    def nothing_done(self) -> bool:
        """Feeds were due but not one could be fetched."""
        return bool(self.outcomes) and all(o.error for o in self.outcomes)

    def summary(self) -> str:
        """One line for the status bar and the CLI."""
        if not self.outcomes:
            return "no feeds were due"
        parts = [plural(self.total, "feed"), f"{self.new_articles:,} new"]
        if self.failed:
            parts.append(f"{len(self.failed):,} failed")
        if self.offline:  # every server unreachable: likely, but not surely, offline
            parts.append("no server could be reached (offline?)")
        return ", ".join(parts)


ProgressCallback = Callable[[RefreshProgress], None]

IN_FLIGHT_PER_CONNECTION = 1
"""Feeds a refresh works on at once (fetching, parsing or waiting to be written) per
allowed connection. More would keep connections busy while others parse, but a cold
refresh is bound by parsing and writing, not by the network, and every feed in flight
holds its body and its parsed items (a 250-item feed: ~2 MB)."""


@dataclass(frozen=True, slots=True)
class _Run:
    """What one refresh's feeds share."""

    client: PoliteClient
    writer: FeedWriter
    now: int
    slots: asyncio.Semaphore
    credentials: Mapping[str, str] = field(default_factory=dict)
    """``user:password`` by feed URL, from feeds.toml (the cache never holds them)."""


def by_host(feeds: Sequence[FeedInfo]) -> list[FeedInfo]:
    """*feeds* taking turns between hosts, so a run's slots are not all spent waiting on
    one host's two connections while other hosts are idle."""
    queues: dict[str, list[FeedInfo]] = {}
    for feed in feeds:
        queues.setdefault(host_key(feed.url), []).append(feed)
    turns = [iter(queue) for queue in queues.values()]
    return [feed for round_ in zip_longest(*turns) for feed in round_ if feed is not None]


def backoff_seconds(interval: int, failures: int) -> int:
    """Wait longer after each consecutive failure, up to a day."""
    return int(min(interval * (2 ** max(failures - 1, 0)), MAX_BACKOFF))


class RefreshService:
    """Fetches, parses and stores feeds; shared by the TUI and the CLI."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        feeds_file: Path | None = None,
        client_factory: Callable[[], PoliteClient] | None = None,
        parse_executor: Executor | None = None,
        parse_pool_factory: Callable[[], Executor] | None = None,
    ) -> None:
        """``parse_executor``: where parsing runs. The TUI passes its process pool, so
        parsing never steals the event loop's time. ``parse_pool_factory``: start such a
        pool when the first feed has to be parsed (the CLI: a refresh where every feed
        answers 304 never pays for it), and :meth:`close` it. With neither, parsing runs
        in threads."""
        self.parse_executor = parse_executor
        self._pool_factory = parse_pool_factory
        self._pool_start: asyncio.Future[Executor] | None = None
        self._own_pool: Executor | None = None
        self.store = store
        self.settings = settings
        self.feeds_file = feeds_file
        self._client_factory = client_factory or (lambda: client_for(settings))

    async def refresh(
        self,
        *,
        feed_ids: Sequence[int] | None = None,
        force: bool = False,
        progress: ProgressCallback | None = None,
        now: int | None = None,
        snapshots: bool = True,
    ) -> RefreshReport:
        """Refresh the due feeds (or the given ones), then purge and fetch pending snapshots."""
        started = now or int(time.time())
        if feed_ids is not None:
            wanted = set(feed_ids)
            # A sync server's feeds come through the sync, never fetched here.
            feeds = [f for f in await asyncio.to_thread(self.store.feeds)
                     if f.id in wanted and f.source == "local"]
        else:
            feeds = await asyncio.to_thread(self.store.due_feeds, started, force=force)
        outcomes: list[FeedOutcome] = []
        new_total = 0

        def report(current: str | None = None) -> None:
            if progress is not None:
                failed = sum(1 for o in outcomes if o.error)
                progress(RefreshProgress(len(outcomes), len(feeds), new_total, failed, current))

        report()
        credentials: Mapping[str, str] = {}
        if feeds and self.feeds_file is not None:
            credentials = await asyncio.to_thread(feed_credentials, self.feeds_file)
        async with self._client_factory() as client:
            run = _Run(client, FeedWriter(self.store), started,
                       asyncio.Semaphore(IN_FLIGHT_PER_CONNECTION * self.settings.concurrency),
                       credentials)
            tasks = [asyncio.create_task(self._refresh_one(run, f)) for f in by_host(feeds)]
            try:
                for next_done in asyncio.as_completed(tasks):
                    outcome = await next_done
                    outcomes.append(outcome)
                    new_total += outcome.new
                    report(outcome.title)
            finally:
                for task in tasks:
                    task.cancel()
                await run.writer.close()
            purged = 0
            if feed_ids is None:
                cutoff = started - self.settings.retention_days * 86400
                purged = await asyncio.to_thread(self.store.purge, cutoff)
            ok = bad = 0
            if snapshots and self.settings.full_text_per_refresh > 0:
                ok, bad = await self.fetch_snapshots(client, self.settings.full_text_per_refresh)
        return RefreshReport(outcomes, started, int(time.time()), purged, ok, bad)

    async def fetch_snapshots(self, client: PoliteClient, limit: int) -> tuple[int, int]:
        """Fetch full text for pending bookmarks and full-text feeds; returns (ok, failed)."""
        jobs = await asyncio.to_thread(self.store.snapshot_jobs, limit=limit)
        results = await asyncio.gather(
            *(fetch_snapshot(client, self.store, j, executor=self.parse_executor) for j in jobs)
        )
        ok = sum(1 for r in results if r is None)
        return ok, len(results) - ok

    async def _refresh_one(self, run: _Run, feed: FeedInfo) -> FeedOutcome:
        """Fetch, parse and store one feed while holding one of the run's slots, so only a
        bounded number of bodies (fetched, parsing, or waiting to be written) are in memory
        however many feeds are due."""
        async with run.slots:
            return await self._fetch_parse_store(run, feed)

    async def _fetch_parse_store(self, run: _Run, feed: FeedInfo) -> FeedOutcome:
        now = run.now
        interval = self.settings.refresh_minutes * 60
        title = feed.display_title
        credentials = run.credentials.get(feed.url)
        try:
            result = await run.client.get(
                with_credentials(feed.url, credentials),
                etag=feed.etag, last_modified=feed.last_modified,
            )
        except FetchError as exc:
            return await self._failed(run, feed, str(exc), interval, network=exc.network)
        except Exception as exc:  # noqa: BLE001 - one bad feed must not stop the rest
            return await self._failed(run, feed, f"unexpected error: {exc}", interval)
        if result.permanent_url and is_http_url(result.permanent_url):
            # Stored as feeds.toml will read it back, or the next sync would see a
            # different feed and drop this one with its stories.
            moved_to = normalise_url(result.permanent_url)
            # A password is for the host it was given for: a feed that holds one is not
            # moved to another (it is fetched at its old address, through the redirect).
            if moved_to != feed.url and (not credentials or same_origin(feed.url, moved_to)):
                feed = await asyncio.to_thread(self._follow_redirect, feed, moved_to)
        if result.not_modified:
            pattern = PostingPattern(feed.post_gap, feed.newest_post, feed.doc_window)
            poll = next_poll(interval, now=now, server_wait=result.fresh_for,
                             feed_wait=feed.feed_wait, pattern=pattern)
            state = FeedState(
                last_status=STATUS_UNCHANGED, last_error=None, last_fetched=now,
                fail_count=0, next_due=now + poll.seconds, dead=False,
                etag=result.etag or feed.etag,
                last_modified=result.last_modified or feed.last_modified,
                poll_seconds=poll.seconds, poll_reason=poll.reason,
            )
            await run.writer.write(FeedWrite(feed.id, state))
            return FeedOutcome(feed.id, feed.url, title, STATUS_UNCHANGED)
        if result.status == 410:
            gone = "HTTP 410 Gone: the feed was removed"
            state = FeedState(last_status=STATUS_DEAD, last_error=gone, last_fetched=now,
                              dead=True)
            await run.writer.write(FeedWrite(feed.id, state))
            return FeedOutcome(feed.id, feed.url, title, STATUS_DEAD, error=gone)
        if not result.ok:
            wait = backoff_seconds(interval, feed.fail_count + 1)
            asked = None
            if result.status in (429, 503) and result.retry_after:
                asked = min(result.retry_after, MAX_BACKOFF)
                wait = max(wait, asked)
            return await self._failed(run, feed, http_reason(result.status), interval,
                                      wait=wait, asked=asked)
        try:
            parsed = await self._parse(result.content, result.url, result.content_type)
        except FeedParseError as exc:
            return await self._failed(run, feed, str(exc), interval)
        except Exception as exc:  # noqa: BLE001 - a parser bug or a dead worker process
            return await self._failed(run, feed, f"could not parse the feed: {exc}", interval)
        write = fetched_write(feed.id, parsed, self.settings, now=now,
                              fresh_for=result.fresh_for, etag=result.etag,
                              last_modified=result.last_modified)
        del result  # the body is parsed: let it go before waiting for the writer
        saved = await run.writer.write(write)
        title = feed.title or parsed.title or feed.url
        return FeedOutcome(
            feed.id, feed.url, title, STATUS_OK, saved.new, saved.updated, new_ids=saved.new_ids
        )

    async def _parse(self, content: bytes, url: str, content_type: str | None) -> ParsedFeed:
        """Parse in the executor; if its worker process died, carry on in threads rather
        than blaming (and backing off) every feed for it."""
        loop = asyncio.get_running_loop()
        if self.parse_executor is None and self._pool_factory is not None:
            await self._start_pool()
        if self.parse_executor is not None:
            try:
                return await loop.run_in_executor(
                    self.parse_executor, parse_feed, content, url, content_type
                )
            except BrokenExecutor:
                self.parse_executor = None
        return await asyncio.to_thread(parse_feed, content, url, content_type)

    async def _start_pool(self) -> None:
        """Start the pool once (in a thread: spawning takes a few hundred ms); every feed
        that needs parsing meanwhile waits for the same start."""
        if self._pool_start is None:
            assert self._pool_factory is not None
            self._pool_start = asyncio.ensure_future(asyncio.to_thread(self._pool_factory))
        try:
            pool = await asyncio.shield(self._pool_start)
        except Exception:  # noqa: BLE001 - no process: parse in threads
            self._pool_factory = None
            return
        if self.parse_executor is None:
            self.parse_executor = self._own_pool = pool

    def close(self) -> None:
        """Stop a pool this service started."""
        if self._own_pool is not None:
            self._own_pool.shutdown(wait=False, cancel_futures=True)
            if self.parse_executor is self._own_pool:
                self.parse_executor = None
            self._own_pool = None

    async def _failed(
        self,
        run: _Run,
        feed: FeedInfo,
        error: str,
        interval: int,
        *,
        network: bool = False,
        wait: int | None = None,
        asked: int | None = None,
    ) -> FeedOutcome:
        failures = feed.fail_count + 1
        if wait is None:
            wait = backoff_seconds(interval, failures)
        state = FeedState(
            last_status=STATUS_ERROR, last_error=error, last_fetched=run.now,
            fail_count=failures, next_due=run.now + wait, poll_seconds=wait,
            poll_reason=failure_reason(failures, asked),
        )
        await run.writer.write(FeedWrite(feed.id, state))
        return FeedOutcome(
            feed.id, feed.url, feed.display_title, STATUS_ERROR, error=error,
            network_error=network,
        )

    def _follow_redirect(self, feed: FeedInfo, new_url: str) -> FeedInfo:
        """A 301/308 moved the feed: store the new URL in feeds.toml and the cache.

        Both or neither: if feeds.toml (the source of truth) cannot be updated, the cache
        keeps the old URL too, or the next sync would drop the feed and its read state.
        """
        if self.feeds_file is not None:

            def move(subs: list[Subscription]) -> list[Subscription] | None:
                if any(s.url == new_url for s in subs):
                    return None
                return [replace(s, url=new_url) if s.url == feed.url else s for s in subs]

            try:
                subs = update_subscriptions(self.feeds_file, move)
            except (UserError, OSError):
                return feed
            if not any(s.url == new_url for s in subs):
                return feed
        if not self.store.change_feed_url(feed.id, new_url):
            return feed
        return replace(feed, url=new_url)
