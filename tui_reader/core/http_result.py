"""What a fetch comes back as: a :class:`FetchResult` for any HTTP status, or a
:class:`FetchError` with a one-line reason when the server could not be talked to.

Callers judge statuses themselves (:func:`http_reason` words them); transport failures
are turned into short phrases here so no traceback or httpx jargon reaches the screen.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

import httpx


class FetchError(Exception):
    """A transport failure, with a short message fit for a status line.

    ``network`` is True when the server could not be reached at all (refused, no DNS,
    timed out): when every feed fails that way the machine is probably offline.
    """

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


@dataclass(frozen=True)
class FetchResult:
    """What the server answered, whatever the status."""

    url: str
    """The final URL, after redirects."""
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    permanent_url: str | None = None
    """Where the feed now lives when every redirect hop was permanent (301/308), else None."""
    retry_after: int | None = None
    """Seconds to wait, from Retry-After in either of its two forms."""
    fresh_for: int | None = None
    """Seconds the answer stays fresh (Cache-Control max-age, else Expires), if it says."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 299


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, a few levels down, without looping."""
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in seen and len(seen) < 8:
        seen.append(node)
        node = node.__cause__ or node.__context__
    return seen


def _describe(exc: httpx.HTTPError, timeout: float) -> str:
    """A short, traceback-free phrase for an httpx failure."""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, httpx.ProxyError):
        return "proxy error"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "not an http(s) URL"
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        s in text
        for s in ("name or service", "name resolution", "nodename", "getaddrinfo", "no address")
    ):
        return "host not found"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return "connection refused"
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "certificate" in text:
        return "TLS certificate not trusted"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "tls" in text:
        return "TLS handshake failed"
    if "unreachable" in text:
        return "network unreachable"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "disconnect" in text or "closed" in text:
            return "server closed the connection"
        return "server sent an invalid HTTP response"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.CloseError):
        return "connection lost"
    if isinstance(exc, httpx.LocalProtocolError):
        return "could not send the request"
    return "network error"


def http_reason(status: int) -> str:
    """"HTTP 403 Forbidden": how a status reads in a status line."""
    from http import HTTPStatus

    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
