"""A loopback HTTP server for tests that need real sockets.

The tests must never reach the network, yet the HTTP client, redirects, compression and
conditional requests are only worth testing against a real server. This one binds
127.0.0.1 on a free port, runs in a daemon thread and serves canned or computed responses.

    with FeedServer() as srv:
        srv.route("/feed.xml", RSS, headers={"ETag": '"v1"'})
        url = srv.url("/feed.xml")
"""

from __future__ import annotations

import gzip as gzip_mod
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Body = bytes | str
Response = tuple[int, dict[str, str] | None, Body]
Handler = Callable[["RequestInfo"], Response]


class Headers(dict[str, str]):
    """A dict of request headers that looks names up case-insensitively, as HTTP does."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        for key, value in dict(items).items():
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class RequestInfo:
    """One request as the server saw it."""

    path: str
    """The request target as sent, query string included."""
    method: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    """A POST's body (a form, as the Fever API's marks are)."""

    @property
    def route_path(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path


@dataclass
class _Route:
    status: int
    headers: dict[str, str]
    body: bytes
    delay: float = 0.0
    stream: bool = False


def _to_bytes(body: Body) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with routes set up by the test."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route | Handler] = {}
        self._lock = threading.Lock()
        self.requests: list[RequestInfo] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FeedServer:
        """Bind a free port and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server._serve(self, send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                server._serve(self, send_body=False)

            def do_POST(self) -> None:  # noqa: N802 - the body is kept in RequestInfo
                length = int(self.headers.get("Content-Length") or 0)
                self.posted = self.rfile.read(length) if length else b""
                server._serve(self, send_body=True)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep test output quiet."""

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- set-up --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FeedServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def route(
        self,
        path: str,
        body: Body = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = "application/rss+xml",
        gzip: bool = False,
        delay: float = 0.0,
        stream: bool = False,
    ) -> None:
        """Serve a fixed response at ``path`` (exact, or without its query string).

        ``gzip`` compresses the body once here and sends ``Content-Encoding: gzip``;
        ``delay`` sleeps before answering (for timeouts and concurrency tests); ``stream``
        sends no Content-Length and ends the body by closing the connection, in pieces.
        """
        data = _to_bytes(body)
        hdrs: dict[str, str] = {}
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if gzip:
            data = gzip_mod.compress(data, compresslevel=6)
            hdrs["Content-Encoding"] = "gzip"
        hdrs.update(headers or {})
        with self._lock:
            self._routes[path] = _Route(status, hdrs, data, delay, stream)

    def route_fn(self, path: str, fn: Handler) -> None:
        """Serve ``fn(request_info) -> (status, headers, body)`` at ``path``.

        ``fn`` runs in the server's request thread, so it may sleep or block.
        """
        with self._lock:
            self._routes[path] = fn

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Shorthand for a redirect route; ``location`` may be relative."""
        self.route(path, b"", status=status, headers={"Location": location}, content_type=None)

    # -- inspection ----------------------------------------------------------------------

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (compared without query strings)."""
        want = urlsplit(path).path
        with self._lock:
            return sum(1 for r in self.requests if r.route_path == want)

    def requests_for(self, path: str) -> list[RequestInfo]:
        """The recorded requests for ``path``, oldest first."""
        want = urlsplit(path).path
        with self._lock:
            return [r for r in self.requests if r.route_path == want]

    # -- serving -------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, *, send_body: bool) -> None:
        info = RequestInfo(handler.path, handler.command, Headers(handler.headers.items()),
                           getattr(handler, "posted", b""))
        with self._lock:
            self.requests.append(info)
            route = self._routes.get(info.path) or self._routes.get(info.route_path)
        stream = False
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif isinstance(route, _Route):
            if route.delay:
                time.sleep(route.delay)
            status, headers, body = route.status, route.headers, route.body
            stream = route.stream
        else:
            try:
                status, fn_headers, raw = route(info)
            except Exception as exc:  # a broken test handler should show, not hang
                status, fn_headers, raw = 500, {"Content-Type": "text/plain"}, repr(exc)
            headers, body = fn_headers or {}, _to_bytes(raw)
        try:
            handler.send_response(status)
            lowered = {k.lower() for k in headers}
            for key, value in headers.items():
                handler.send_header(key, value)
            if stream:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            elif "content-length" not in lowered and status not in (204, 304):
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if send_body and status not in (204, 304):
                for start in range(0, len(body), 65536):
                    handler.wfile.write(body[start : start + 65536])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (e.g. a size cap): fine
