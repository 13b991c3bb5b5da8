"""A Fever API client (FreshRSS, Miniflux, Tiny Tiny RSS with its plugin, coldsweat).

Every call is one POST of ``api_key`` = md5("user:password") to ``URL?api&<command>``,
answered with JSON that says ``"auth": 1`` when the key was accepted. Requests are
bounded in time (the config's timeout) and size, redirects are not followed (the key
would go wherever they lead), and every failure is one :class:`SyncError` line naming
the server, never the key.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from typing import Any

import httpx

from ..http import DEFAULT_USER_AGENT
from ..http_url import display_url
from ..sanitize import clean_text
from .account import SyncAccount
from .protocol import IDS_PER_CALL, Action, ServerFeed, ServerItem, SyncError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""An answer larger than this is refused (a page of 50 items is rarely 1 MB)."""


def api_key(user: str, password: str) -> str:
    """Fever's key: the MD5 of ``user:password`` in hex."""
    return hashlib.md5(f"{user}:{password}".encode()).hexdigest()


MAX_ID = 2**63 - 1
"""The largest id or time SQLite stores: a larger one from the server is left out."""


def _int(value: object) -> int | None:
    """An id or a time as servers send it: a number or a string of digits, 0 to MAX_ID."""
    if isinstance(value, bool):
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 19:
        value = int(text)  # (a string of 10,000 digits is not worth converting)
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    return None


def _list(value: object) -> list[Any]:
    """A list the server sent, or none (``"groups": 5`` is left out, not a crash)."""
    return value if isinstance(value, list) else []


def _ids(value: object) -> set[int]:
    """Fever's comma-separated id lists ("1,2,3"); some servers send a JSON list."""
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list):
        return set()
    return {i for i in (_int(p) for p in parts) if i is not None}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


class FeverClient:
    """One Fever account; a :class:`~tui_reader.core.sync.protocol.SyncClient`."""

    def __init__(self, account: SyncAccount, password: str, *, timeout: float = 20.0,
                 transport: httpx.BaseTransport | None = None,
                 request_seconds: float | None = None, until: float | None = None) -> None:
        """``timeout`` bounds each wait for a byte, ``request_seconds`` (3 x timeout unless
        given) one whole answer, and ``until`` (a ``time.monotonic()``) the whole sync: a
        server trickling a byte at a time cannot hold a request open for long."""
        self._account = account
        self._key = api_key(account.user, password)
        self._where = display_url(account.url)
        self._base = account.url + ("" if account.url.endswith(("?", "&"))
                                    else "&" if "?" in account.url else "?")
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport,
            headers={"User-Agent": DEFAULT_USER_AGENT, "Accept": "application/json"},
        )
        self._timeout = timeout
        self._request_seconds = request_seconds or 3 * timeout
        self._until = until
        self._requests = 0

    @property
    def requests_made(self) -> int:
        return self._requests

    def close(self) -> None:
        self._client.close()

    # -- the calls -------------------------------------------------------------------------

    def feeds(self) -> list[ServerFeed]:
        answer = self._call("feeds&groups")
        feeds, groups, links = answer.get("feeds"), answer.get("groups"), answer.get(
            "feeds_groups")
        if not isinstance(feeds, list):
            raise self._garbage("no list of feeds")
        names = {_int(g.get("id")): clean_text(_str(g.get("title")), 200)
                 for g in _list(groups) if isinstance(g, dict)}
        member: dict[int, list[str]] = {}
        for link in _list(links):
            if not isinstance(link, dict):
                continue
            name = names.get(_int(link.get("group_id")))
            for member_id in _ids(link.get("feed_ids")):
                if name:
                    member.setdefault(member_id, []).append(name)
        result: list[ServerFeed] = []
        for feed in feeds:
            feed_id = _int(feed.get("id")) if isinstance(feed, dict) else None
            if feed_id is None or not isinstance(feed, dict):
                continue
            url = clean_text(_str(feed.get("url")), 2000) or f"fever:feed:{feed_id}"
            result.append(ServerFeed(
                id=feed_id, title=clean_text(_str(feed.get("title")), 500), url=url,
                site_url=clean_text(_str(feed.get("site_url")), 2000) or None,
                groups=tuple(sorted(set(member.get(feed_id, ())))),
            ))
        return result

    def items_since(self, since_id: int) -> list[ServerItem]:
        return self._items(f"items&since_id={int(since_id)}", since_id)

    def items_with_ids(self, ids: Sequence[int]) -> list[ServerItem]:
        if not ids:
            return []
        wanted = ",".join(str(int(i)) for i in list(ids)[:IDS_PER_CALL])
        return self._items(f"items&with_ids={wanted}", 0)

    def _items(self, command: str, since_id: int) -> list[ServerItem]:
        answer = self._call(command)
        items = answer.get("items")
        if not isinstance(items, list):
            raise self._garbage("no list of items")
        result: list[ServerItem] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            item_id, feed_id = _int(item.get("id")), _int(item.get("feed_id"))
            if item_id is None or feed_id is None or item_id <= since_id:
                continue
            result.append(ServerItem(
                id=item_id, feed_id=feed_id, title=_str(item.get("title")),
                url=_str(item.get("url")).strip() or None, html=_str(item.get("html")),
                author=_str(item.get("author")) or None,
                published=_int(item.get("created_on_time")),
                read=bool(_int(item.get("is_read"))), saved=bool(_int(item.get("is_saved"))),
            ))
        result.sort(key=lambda i: i.id)
        return result

    def unread_ids(self) -> set[int]:
        answer = self._call("unread_item_ids")
        if "unread_item_ids" not in answer:
            raise self._garbage("no unread_item_ids")
        return _ids(answer["unread_item_ids"])

    def saved_ids(self) -> set[int]:
        answer = self._call("saved_item_ids")
        if "saved_item_ids" not in answer:
            raise self._garbage("no saved_item_ids")
        return _ids(answer["saved_item_ids"])

    def mark(self, item_id: int, action: Action) -> bool:
        """Mark one item; False when the server no longer has it (nothing to change)."""
        try:
            self._call("", {"mark": "item", "as": action, "id": str(int(item_id))},
                       gone=True)
        except _Gone:
            return False
        return True

    # -- one request ---------------------------------------------------------------------

    def _call(self, command: str, form: dict[str, str] | None = None, *,
              gone: bool = False) -> dict[str, Any]:
        """POST one command; its JSON answer once the key was accepted. With ``gone``, a
        404 raises _Gone (the item the command is about is no longer there)."""
        url = self._base + "api" + (f"&{command}" if command else "")
        data = {"api_key": self._key, **(form or {})}
        now = time.monotonic()
        if self._until is not None and now >= self._until:
            raise self._too_long()
        deadline = now + self._request_seconds
        if self._until is not None:
            deadline = min(deadline, self._until)
        self._requests += 1
        try:
            with self._client.stream("POST", url, data=data) as response:
                if gone and response.status_code == 404:
                    raise _Gone()
                body = self._read(response, deadline)
        except httpx.TimeoutException:
            raise SyncError(f"the sync server {self._where} did not answer in "
                            f"{self._timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise SyncError(f"cannot reach the sync server {self._where} "
                            f"({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise SyncError(f"the sync server {self._where} failed: "
                            f"{type(exc).__name__} ({_reason(exc)})") from None
        try:
            answer = json.loads(body)
        except RecursionError:
            raise self._garbage("JSON nested too deep") from None
        except ValueError:
            start = clean_text(body[:40].decode("utf-8", "replace"), 40)
            raise self._garbage(f"not JSON: it starts {start!r}") from None
        if not isinstance(answer, dict) or "auth" not in answer:
            raise self._garbage("no auth field")
        if _int(answer.get("auth")) != 1:
            raise SyncError(f"the sync server {self._where} refused user "
                            f"{clean_text(self._account.user, 100)}: wrong user or password "
                            f"(Fever said auth 0)")
        return answer

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        if response.is_redirect:
            target = display_url(response.headers.get("Location", "?"))
            raise SyncError(f"the sync server {self._where} redirects to {target}; put the "
                            f"address it should be in sync.url of config.toml")
        if response.status_code != 200:
            raise SyncError(f"the sync server {self._where} answered HTTP "
                            f"{response.status_code} {clean_text(response.reason_phrase, 60)}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                if deadline == self._until:
                    raise self._too_long()
                raise SyncError(f"the sync server {self._where} did not finish its answer in "
                                f"{self._request_seconds:g} s")
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise self._garbage(f"an answer over {MAX_RESPONSE_BYTES // 2**20} MB")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_long(self) -> SyncError:
        return SyncError(f"the sync with {self._where} took too long; it goes on at the "
                         f"next sync")

    def _garbage(self, why: str) -> SyncError:
        return SyncError(f"the sync server {self._where} does not answer as a Fever API "
                         f"({why}); is sync.url its Fever address (often …/fever/)?")


class _Gone(Exception):
    """The server has no such item (coldsweat answers 404 to a mark of a deleted one)."""


def _reason(exc: BaseException) -> str:
    """The innermost cause of a network error, in a few words."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text:
        return "connection refused"
    return clean_text(text, 120)
