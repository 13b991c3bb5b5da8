"""The one HTTP client the reader uses: polite, bounded, and honest about failures.

Polite: a User-Agent that names us, conditional requests, a global and a per-host cap on
concurrent requests. Bounded: redirects are followed by hand so each hop's scheme is
checked, and bodies are decompressed with a running cap (``http_decode``), because httpx's
own decoders inflate a whole network chunk at once (a few kilobytes of brotli can expand
to terabytes). Honest: any HTTP status comes back as a :class:`FetchResult` for the caller
to judge; only transport failures raise, as a :class:`FetchError` with a one-line message
(both in ``http_result``). What the headers say about caching is read in ``http_cache``.
Callers import from here only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ssl
import zlib
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from tui_reader import __version__
from tui_reader.core.config import Settings
from tui_reader.core.http_cache import _header_token, fresh_for, parse_retry_after
from tui_reader.core.http_decode import ACCEPT_ENCODING, _brotli_error, _decoded, _decoders
from tui_reader.core.http_result import FetchError, FetchResult, _describe, http_reason
from tui_reader.core.http_url import (
    credentials_of,
    display_url,
    is_http_url,
    same_origin,
    without_credentials,
)
from tui_reader.core.sanitize import URL_UNSAFE, clean_text

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
"""Accept header for feed fetches; HTML stays acceptable so discovery can follow."""
HTML_ACCEPT = "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.5"
"""Accept header for web pages (discovery, full-text snapshots)."""
DEFAULT_USER_AGENT = f"tui-reader/{__version__} (+terminal news reader)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_MB = 1024 * 1024

__all__ = [
    "FEED_ACCEPT",
    "HTML_ACCEPT",
    "FetchError",
    "FetchResult",
    "PoliteClient",
    "http_reason",
    "is_http_url",
    "parse_retry_after",
]


def _size_label(n: int) -> str:
    """A byte count as the 'response larger than' message words it."""
    if n >= _MB and n % _MB == 0:
        return f"{n // _MB} MB"
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


# -- the client --------------------------------------------------------------------------


def host_key(url: str) -> str:
    """What the per-host limit counts by: host and port."""
    parts = urlsplit(url)
    try:
        return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"
    except ValueError:  # a bad port: httpx will refuse the URL in a moment
        return parts.netloc.lower()


@functools.cache
def tls_context(trust_env: bool = True) -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle takes ~40 ms, and the app makes
    a client for every refresh and every full-text fetch. (httpx reads SSL_CERT_FILE and
    SSL_CERT_DIR here when ``trust_env``, as it would for each client.)"""
    return httpx.create_ssl_context(trust_env=trust_env)


@dataclass(frozen=True)
class _Redirect:
    """A hop's answer that says go elsewhere; get() follows it after checking the target."""

    status: int
    location: str


class PoliteClient:
    """An async HTTP client for feeds and pages; use as ``async with PoliteClient() as c``."""

    def __init__(
        self,
        *,
        concurrency: int = 8,
        per_host: int = 2,
        timeout: float = 20.0,
        max_bytes: int = 10 * _MB,
        max_redirects: int = 5,
        user_agent: str | None = None,
        trust_env: bool = True,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        # httpx's timeouts are per read; a server dripping one byte a second never
        # trips them, so each hop also gets a wall-clock deadline.
        self.deadline = timeout * 3
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PoliteClient:
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            trust_env=self._trust_env,
            verify=tls_context(self._trust_env),
            # No idle connections kept: a refresh takes hosts in turns, so one was never
            # reused (400 requests, 400 connections in the benchmark), and httpcore checks
            # every idle connection with syscalls whenever a request starts or ends; that
            # cost a quarter of a 200-feed refresh.
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host_semaphore(self, url: str) -> asyncio.Semaphore:
        """The host's semaphore, made on first use: hosts are not known in advance."""
        key = host_key(url)
        sem = self._hosts.get(key)
        if sem is None:
            sem = self._hosts[key] = asyncio.Semaphore(self._per_host)
        return sem

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url``, following redirects by hand.

        Credentials in ``url`` (``user:password@``) are sent as Basic auth to its origin
        only: a redirect elsewhere goes without them (and without any a Location names),
        and the result's URLs never hold them. Raises :class:`FetchError` for transport
        failures only; any HTTP status is returned.
        """
        if self._client is None:
            raise RuntimeError("PoliteClient used outside 'async with'")
        if URL_UNSAFE.search(url.strip()):
            raise FetchError(f"invalid URL (hidden characters): {display_url(url, 80)}")
        if not is_http_url(url):
            raise FetchError(f"not an http(s) URL: {display_url(url, 80)}")
        _check_url(url)
        auth = _basic_auth(credentials_of(url.strip()))
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        current = origin = without_credentials(url.strip())
        all_permanent = True
        hops = 0
        while True:
            if auth is not None and not same_origin(origin, current):
                auth = None  # left the origin: not even a way back gets them again
            answer = await self._hop(current, headers, auth)
            if isinstance(answer, FetchResult):
                if hops and all_permanent:
                    return _with_permanent(answer, current)
                return answer
            hops += 1
            if hops > self.max_redirects:
                raise FetchError("too many redirects")
            all_permanent = all_permanent and answer.status in _PERMANENT
            try:
                target = urljoin(current, answer.location.strip())
            except ValueError:
                raise FetchError("bad redirect: unparsable Location") from None
            if not is_http_url(target):
                raise FetchError(f"redirect to a non-http(s) URL: {display_url(target, 80)}")
            _check_url(target)
            current = without_credentials(target)

    async def _hop(
        self, url: str, headers: dict[str, str], auth: httpx.BasicAuth | None = None
    ) -> FetchResult | _Redirect:
        """One request, holding its host's slot first so a busy host doesn't starve others."""
        assert self._client is not None
        async with self._host_semaphore(url), self._global:
            try:
                async with asyncio.timeout(self.deadline):
                    request = self._client.build_request("GET", url, headers=headers)
                    response = await self._client.send(request, stream=True, auth=auth)
                    try:
                        return await self._finish(url, response)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise FetchError(f"timed out after {self.deadline:g}s", network=True) from None
            except httpx.InvalidURL:
                raise FetchError(f"invalid URL: {display_url(url, 80)}") from None
            except httpx.HTTPError as exc:
                network = isinstance(exc, httpx.TransportError)
                raise FetchError(_describe(exc, self.timeout), network=network) from exc
            except FetchError:
                raise
            except UnicodeError as exc:  # idna refusing the host name at connect time
                raise FetchError(f"invalid host name: {display_url(url, 80)}") from exc
            except Exception as exc:  # the network layers below httpx leak odd types
                raise FetchError(f"network error ({type(exc).__name__})", network=True) from exc

    async def _finish(self, url: str, response: httpx.Response) -> FetchResult | _Redirect:
        """A hop's answer: a redirect to follow, or the result with its body read (capped)."""
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("location")
            if not location or not location.strip():
                raise FetchError(f"bad redirect: HTTP {status} without a Location")
            return _Redirect(status, location)
        content = b""
        if status not in (204, 304):
            content = await self._read_body(response)
        h = response.headers
        return FetchResult(
            url=url,
            status=status,
            content=content,
            content_type=clean_text(h.get("content-type")) or None,
            etag=_header_token(h.get("etag")),
            last_modified=_header_token(h.get("last-modified")),
            retry_after=parse_retry_after(h.get("retry-after")),
            fresh_for=fresh_for(h.get("cache-control"), h.get("expires"), h.get("date")),
        )

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, aborting as soon as it exceeds ``max_bytes``."""
        limit = self.max_bytes
        too_big = FetchError(f"response larger than {_size_label(limit)}")
        encoding = response.headers.get("content-encoding")
        decoders = _decoders(encoding)
        declared = response.headers.get("content-length", "")
        if not decoders and declared.strip().isdigit() and int(declared) > limit:
            raise too_big
        chunks: list[bytes] = []
        total = 0
        try:
            async for data in _decoded(response.aiter_raw(), decoders, limit):
                total += len(data)
                if total > limit:
                    raise too_big
                chunks.append(data)
        except (zlib.error, _brotli_error()) as exc:
            coding = clean_text(encoding, 20) or "compressed"
            raise FetchError(f"could not decode the {coding} response") from exc
        return b"".join(chunks)


def _check_url(url: str) -> None:
    """Refuse, as a FetchError, a URL that httpx or the socket layer would choke on."""
    try:
        port = urlsplit(url).port
        httpx.URL(url.strip())
    except Exception:  # ValueError, httpx.InvalidURL, idna's errors...
        raise FetchError(f"invalid URL: {display_url(url, 80)}") from None
    if port is not None and not 0 < port < 65536:
        raise FetchError(f"invalid URL: {display_url(url, 80)}")


def _basic_auth(credentials: str | None) -> httpx.BasicAuth | None:
    """HTTP Basic auth from a URL's ``user:password`` (percent-encoded there)."""
    if not credentials:
        return None
    user, _, password = credentials.partition(":")
    return httpx.BasicAuth(unquote(user), unquote(password))


def _with_permanent(result: FetchResult, final_url: str) -> FetchResult:
    """The result, noting where the feed now lives so the caller can update its URL."""
    return dataclasses.replace(result, permanent_url=final_url)


def client_for(settings: Settings) -> PoliteClient:
    """A client set up from config.toml: the refresher, the UI and the CLI all use this."""
    return PoliteClient(
        concurrency=settings.concurrency,
        timeout=settings.timeout_seconds,
        max_bytes=settings.max_bytes,
    )
