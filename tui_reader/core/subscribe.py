"""Subscribing and unsubscribing, shared by ``tui-reader add/remove`` and the Feeds screen.

A URL the user pastes is often a site's home page rather than its feed, so
:func:`resolve_feed` fetches it, and when it is HTML follows the page's
``<link rel="alternate">`` candidates until one parses. What it fetched is kept
(:func:`keep_found`): the feed's own title and stories go into the cache as a refresh
would write them. feeds.toml stays the source of truth: every change goes through
:meth:`Session.update_subscriptions`, which rewrites the file under a lock and mirrors it
into the cache (removing a feed keeps its bookmarked stories).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .config import Settings
from .errors import UserError
from .feeds_file import Subscription, clean_tags
from .fetched import fetched_write
from .http import FetchError, FetchResult, PoliteClient, client_for, http_reason
from .http_url import (
    address_without_scheme,
    credentials_of,
    display_url,
    is_http_url,
    normalise_url,
    same_origin,
    with_credentials,
)
from .models import ParsedFeed
from .sanitize import clean_optional, clean_text
from .session import Session
from .store import SaveResult

MAX_CANDIDATES = 5
"""Feed links tried from one page; a page listing dozens is not worth a request each."""


class SubscribeError(UserError):
    """Why a URL could not be subscribed to, in one line naming the URL."""


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """The feed behind a URL, as fetched and parsed to find it: worth keeping."""

    url: str
    """The URL to subscribe to, normalised (a permanent redirect's target), with the
    credentials of the URL asked for when it is on the same origin."""
    parsed: ParsedFeed
    etag: str | None = None
    last_modified: str | None = None
    fresh_for: int | None = None

    @property
    def title(self) -> str | None:
        return self.parsed.title

    @classmethod
    def of(cls, url: str, result: FetchResult, parsed: ParsedFeed, asked: str) -> FoundFeed:
        """Kept without the body: the validators make the next fetch a conditional one."""
        return cls(_subscribable(result.permanent_url or url, asked), parsed, result.etag,
                   result.last_modified, result.fresh_for)


def _shown(url: str) -> str:
    return display_url(url, 120)


def _subscribable(found: str, asked: str) -> str:
    """*found* (where the feed turned out to be) normalised, with the credentials of the
    URL the user gave when it is on the same origin (never handed to another host)."""
    credentials = credentials_of(asked.strip())
    if credentials and same_origin(asked.strip(), found):
        return with_credentials(normalise_url(found), credentials)
    return normalise_url(found)


def _page(result: FetchResult) -> bytes | str:
    """The page as text when HTTP names its charset, else bytes so ``<meta charset>`` counts."""
    content_type = (result.content_type or "").lower()
    if "charset=" not in content_type:
        return result.content
    charset = content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'")
    try:
        return result.content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return result.content


async def _fetch(client: PoliteClient, url: str) -> FetchResult:
    try:
        result = await client.get(url)
    except FetchError as exc:
        raise SubscribeError(f"{exc} at {_shown(url)}") from None
    if not result.ok:
        raise SubscribeError(f"{http_reason(result.status)} at {_shown(url)}")
    return result


async def _parse(result: FetchResult) -> ParsedFeed:
    """The feed if the response is one; FeedParseError otherwise."""
    from .parse import parse_feed

    return await asyncio.to_thread(parse_feed, result.content, result.url, result.content_type)


async def resolve_feed(client: PoliteClient, url: str) -> tuple[str, str | None]:
    """The feed URL to subscribe to for *url*, and the feed's title if it has one."""
    found = await find_feed(client, url)
    return found.url, found.title


async def find_feed(client: PoliteClient, url: str) -> FoundFeed:
    """The feed to subscribe to for *url*, with what was fetched and parsed to find it.

    A feed is returned as is (or at its new home after permanent redirects); an HTML page
    is searched for feed links and the first one that parses wins. Raises
    :class:`SubscribeError` with one line otherwise. Credentials in *url* stay on the
    returned URL when the feed is on the same origin: show it with ``display_url`` only.
    """
    # Parsing and discovery pull in lxml and friends; `tui-reader remove` needs neither.
    from .discover import discover_feed_urls
    from .parse import FeedParseError, looks_like_html

    url = url.strip()
    if address_without_scheme(url):
        # Pasted from a browser's address bar ("example.org/feed"): https first, then
        # http, as a browser does.
        try:
            return await find_feed(client, f"https://{url}")
        except SubscribeError as secure:
            if credentials_of(f"https://{url}"):
                raise  # a password never goes out over plain http unless asked for
            try:
                return await find_feed(client, f"http://{url}")
            except SubscribeError:
                raise secure from None
    if not is_http_url(url):
        raise SubscribeError(f"not an http(s) URL: {_shown(url)}")
    result = await _fetch(client, url)
    try:
        parsed = await _parse(result)
    except FeedParseError as exc:
        if not looks_like_html(result.content, result.content_type):
            reason = clean_text(exc, 120)
            raise SubscribeError(f"no feed found at {_shown(url)} ({reason})") from None
    else:
        return FoundFeed.of(url, result, parsed, url)

    candidates = await asyncio.to_thread(discover_feed_urls, _page(result), result.url)
    problems: list[str] = []
    for candidate in candidates[:MAX_CANDIDATES]:
        if not is_http_url(candidate):
            continue
        try:
            found = await _fetch(client, _subscribable(candidate, url))
            parsed = await _parse(found)
        except (SubscribeError, FeedParseError) as exc:
            problems.append(clean_text(exc, 160))
            continue
        return FoundFeed.of(candidate, found, parsed, url)
    if problems:
        raise SubscribeError(f"no feed found at {_shown(url)} (tried: {problems[0]})")
    raise SubscribeError(f"no feed found at {_shown(url)}")


async def resolve_with_settings(settings: Settings, url: str) -> tuple[str, str | None]:
    """:func:`resolve_feed` with a client of its own (what the UI's worker runs)."""
    async with client_for(settings) as client:
        return await resolve_feed(client, url)


def find_subscription(session: Session, url: str) -> Subscription | None:
    """The subscription for *url* (compared normalised), if the user has one."""
    if not is_http_url(url):
        return None
    wanted = normalise_url(url)
    return next((s for s in session.subscriptions() if s.url == wanted), None)


def already_subscribed(session: Session, url: str) -> str | None:
    """"Already subscribed to …" when *url* is a feed the user has, else None. A password
    in *url* that differs from the stored one replaces it (and the line says so)."""
    known = find_subscription(session, url)
    if known is None:
        return None
    note = ""
    if credentials_of(url.strip()) not in (None, known.credentials):
        known = add_subscription(session, url)
        note = " (password updated)"
    return f"Already subscribed to {known.title or display_url(known.url)}{note}"


def add_subscription(
    session: Session,
    url: str,
    title: str | None = None,
    tags: Iterable[str] = (),
) -> Subscription:
    """Append *url* to feeds.toml (and the cache); returns the saved subscription.

    Subscribing again to a feed already in the file adds no duplicate: the existing entry
    is kept, with any new tags merged in and the title replaced only when one is given.
    The same goes for credentials in *url* (``user:password@``): the feed is the same feed
    with or without them; given ones replace the stored ones, none given keeps them.
    """
    if not is_http_url(url):
        raise SubscribeError(f"not an http(s) URL: {_shown(url)}")
    credentials, url = credentials_of(url.strip()), normalise_url(url)
    title = clean_optional(title, 200)
    new_tags = clean_tags(list(tags))
    result: list[Subscription] = []

    def add(subs: list[Subscription]) -> list[Subscription] | None:
        for index, existing in enumerate(subs):
            if existing.url == url:
                merged = replace(
                    existing,
                    title=title or existing.title,
                    tags=clean_tags([*existing.tags, *new_tags]),
                    credentials=credentials or existing.credentials,
                )
                result.append(merged)
                if merged == existing:
                    return None
                subs[index] = merged
                return subs
        result.append(
            Subscription(url=url, title=title, tags=new_tags, credentials=credentials)
        )
        return [*subs, result[0]]

    session.update_subscriptions(add)
    session.store.add_subscription(result[0])  # asked for again: revive a dead feed
    return result[0]


def keep_found(session: Session, found: FoundFeed, now: int | None = None) -> SaveResult:
    """Store what finding the feed fetched, as a refresh writes a fetched feed: its own
    title, its stories, when to fetch it next and the validators for that fetch. Call it
    after subscribing to ``found.url``."""
    feed = session.store.feed_by_url(normalise_url(found.url))  # the cache's: no password
    if feed is None:  # not subscribed (feeds.toml changed meanwhile): nothing to keep
        return SaveResult(0, 0)
    write = fetched_write(feed.id, found.parsed, session.settings, now=now or int(time.time()),
                          fresh_for=found.fresh_for, etag=found.etag,
                          last_modified=found.last_modified)
    return session.store.write_feeds([write])[0]


def remove_subscription(session: Session, url: str) -> bool:
    """Drop *url* from feeds.toml and the cache; False if it was not subscribed.

    Bookmarked stories of the feed stay in the cache under the feed's old name. A feed
    from the sync server is removed there, unless no ``[sync]`` is left in config.toml.
    """
    for candidate in dict.fromkeys((url.strip(), normalise_url(url))):
        if session.store.sync_feed_url(candidate):
            if session.settings.sync is None:  # nothing syncs it any more: it is ours
                return session.store.remove_feed(candidate)
            raise UserError(f"this feed comes from your sync server "
                            f"({display_url(session.settings.sync.url)}): remove it there")
    if not is_http_url(url):
        return False
    url = normalise_url(url)
    removed: list[bool] = []

    def remove(subs: list[Subscription]) -> list[Subscription] | None:
        kept = [s for s in subs if s.url != url]
        removed.append(len(kept) != len(subs))
        return kept if removed[0] else None

    session.update_subscriptions(remove)
    if removed[0]:
        return True
    # Not in the file but still cached (feeds.toml edited by hand meanwhile).
    return session.store.remove_feed(url)
