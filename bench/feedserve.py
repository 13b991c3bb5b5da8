"""The loopback feed server for the refresh benchmark, run in a child process.

Feeds are spread round-robin over many loopback addresses (127.0.0.2, 127.0.0.3, ...;
Linux routes all of 127/8 to ``lo``) so per-host limits in the readers behave as with real
feeds on many hosts. It is one asyncio loop, so hundreds of requests can wait out the
added latency at once without a thread each, and it runs in its own process so its CPU
time never competes with the runner's. Every document is rendered and gzipped once per
generation, before anything is timed; a request only looks it up. Responses carry ETag and
Last-Modified, and a matching If-None-Match / If-Modified-Since gets a 304.
"""

from __future__ import annotations

import asyncio
import gzip
import multiprocessing
import os
import socket
import time
from collections import Counter
from contextlib import suppress
from dataclasses import asdict, dataclass
from email.utils import formatdate, parsedate_to_datetime
from multiprocessing.connection import Connection
from typing import Any

import feedgen

MAX_REQUESTS_PER_CONNECTION = 10_000
IDLE_SECONDS = 60.0
"""A keep-alive connection with no new request for this long is closed."""
MAX_LIFETIME_SECONDS = 6 * 3600.0
"""The server stops by itself after this, even if the runner never said so."""
REPLY_SECONDS = 600.0
"""How long the runner waits for the server to answer a command (rendering included)."""
GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Doc:
    """One feed in one generation, ready to send."""

    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    last_modified: str
    modified_ts: int


def _accepts_gzip(value: str) -> bool:
    for token in value.lower().split(","):
        name, _, params = token.partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified_since(header: str, modified_ts: int) -> bool:
    try:
        return parsedate_to_datetime(header).timestamp() >= modified_ts
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


class FeedServer:
    """The server itself (lives in the child process)."""

    def __init__(self, hosts: int, latency_ms: float) -> None:
        if not 1 <= hosts <= 250:
            raise ValueError("hosts must be 1..250")
        self.addresses = [f"127.0.0.{2 + i}" for i in range(hosts)]
        self.latency = latency_ms / 1000
        self.port = 0
        self.generation = 0
        self.feedset: feedgen.FeedSet | None = None
        self.docs: dict[int, dict[str, Doc]] = {}
        self.counts: Counter[str] = Counter()
        self._servers: list[asyncio.Server] = []
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen on the same free port on every address (a few tries if one is taken)."""
        for _ in range(10):
            first = await self._listen(self.addresses[0], 0)
            port = first.sockets[0].getsockname()[1]
            servers = [first]
            try:
                for address in self.addresses[1:]:
                    servers.append(await self._listen(address, port))
            except OSError:
                for server in servers:
                    server.close()
                continue
            self._servers, self.port = servers, port
            return
        raise OSError("no port was free on every loopback address")

    async def _listen(self, address: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(
            self._connection, address, port, backlog=1024, reuse_address=True
        )

    async def close(self) -> None:
        """Stop listening and end open connections, letting their handlers finish (a
        cancelled stream handler makes asyncio log a traceback per connection)."""
        for server in self._servers:
            server.close()
        for writer in list(self._open):
            writer.transport.abort()
        for _ in range(500):
            if not self._open:
                break
            await asyncio.sleep(0.01)

    def base(self, feed: int) -> str:
        return f"http://{self.addresses[feed % len(self.addresses)]}:{self.port}"

    def urls(self) -> list[str]:
        fs = self.feedset
        assert fs is not None
        return [self.base(f) + feedgen.feed_path(fs, f) for f in range(fs.feeds)]

    def load(self, feedset: feedgen.FeedSet) -> list[str]:
        """Serve a new feed set from generation 0 (rendered now)."""
        self.feedset, self.docs, self.generation = feedset, {}, 0
        self._render(0)
        return self.urls()

    def set_generation(self, generation: int) -> None:
        """Every feed changes at once; rendered on first use, then kept."""
        if generation not in self.docs:
            self._render(generation)
        self.generation = generation

    def _render(self, generation: int) -> None:
        fs = self.feedset
        assert fs is not None
        docs: dict[str, Doc] = {}
        for feed in range(fs.feeds):
            body = feedgen.render(fs, feed, generation, self.base(feed))
            modified = feedgen.last_modified(fs, feed, generation)
            docs[feedgen.feed_path(fs, feed)] = Doc(
                body=body,
                gzipped=gzip.compress(body, GZIP_LEVEL, mtime=0),
                content_type=feedgen.CONTENT_TYPES[feedgen.feed_format(fs, feed)],
                etag=f'"f{feed}-g{generation}-{fs.seed}-{fs.items}"',
                last_modified=formatdate(modified, usegmt=True),
                modified_ts=modified,
            )
        self.docs[generation] = docs

    def respond(self, method: str, target: str, headers: dict[str, str]) -> bytes:
        """The whole response for one request, and count it."""
        self.counts["requests"] += 1
        doc = self.docs.get(self.generation, {}).get(target.split("?", 1)[0])
        if method != "GET" or doc is None:
            self.counts["404"] += 1
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        validators = f"ETag: {doc.etag}\r\nLast-Modified: {doc.last_modified}\r\n"
        inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
        if (inm is not None and _etag_matches(inm, doc.etag)) or (
            inm is None and ims is not None and _not_modified_since(ims, doc.modified_ts)
        ):
            self.counts["304"] += 1
            return f"HTTP/1.1 304 Not Modified\r\n{validators}\r\n".encode()
        self.counts["200"] += 1
        body, coding = doc.body, ""
        if _accepts_gzip(headers.get("accept-encoding", "")):
            body, coding = doc.gzipped, "Content-Encoding: gzip\r\n"
            self.counts["gzip"] += 1
        self.counts["bytes"] += len(body)
        head = (
            f"HTTP/1.1 200 OK\r\nDate: {formatdate(usegmt=True)}\r\n"
            f"Content-Type: {doc.content_type}\r\nContent-Length: {len(body)}\r\n"
            f"{coding}Vary: Accept-Encoding\r\n{validators}\r\n"
        )
        return head.encode() + body

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.counts["connections"] += 1
        self._open.add(writer)
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                        ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                response = self.respond(method, target, headers)
                if self.latency:
                    await asyncio.sleep(self.latency)
                writer.write(response)
                await writer.drain()
                if version != "HTTP/1.1" or headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            self._open.discard(writer)
            writer.close()


def _child(conn: Connection, hosts: int, latency_ms: float) -> None:
    """The child process: serve until told to stop, the parent dies, or the lifetime ends."""
    asyncio.run(_child_main(conn, hosts, latency_ms))


async def _child_main(conn: Connection, hosts: int, latency_ms: float) -> None:
    loop = asyncio.get_running_loop()
    server = FeedServer(hosts, latency_ms)
    await server.start()
    stop = asyncio.Event()
    parent = os.getppid()

    def command() -> None:
        try:
            name, arg = conn.recv()
        except EOFError:
            stop.set()
            return
        try:
            if name == "load":
                reply: Any = server.load(feedgen.FeedSet(**arg))
            elif name == "generation":
                reply = server.set_generation(arg)
            elif name == "latency":
                server.latency = arg / 1000
                reply = None
            elif name == "counts":
                reply = dict(server.counts)
            elif name == "stop":
                stop.set()
                reply = None
            else:
                raise ValueError(f"unknown command {name!r}")
            conn.send(("ok", reply))
        except Exception as exc:  # noqa: BLE001 - reported to the runner, which raises it
            conn.send(("error", f"{type(exc).__name__}: {exc}"))

    loop.add_reader(conn.fileno(), command)
    conn.send(("ok", server.port))
    deadline = time.monotonic() + MAX_LIFETIME_SECONDS
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    loop.remove_reader(conn.fileno())
    await server.close()


class ServerProcess:
    """The runner's handle: ``with ServerProcess(hosts=50) as server: server.load(fs)``."""

    def __init__(self, hosts: int = 50, latency_ms: float = 0.0) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe()
        self._process = ctx.Process(
            target=_child, args=(child_conn, hosts, latency_ms), daemon=True, name="feedserve"
        )
        self.port = 0

    def __enter__(self) -> ServerProcess:
        self._process.start()
        self.port = self._call(None)
        return self

    def __exit__(self, *_: object) -> None:
        with suppress(Exception):
            self._call(("stop", None))
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def _call(self, message: tuple[str, Any] | None) -> Any:
        if message is not None:
            self._conn.send(message)
        if not self._conn.poll(REPLY_SECONDS):
            raise TimeoutError("the feed server did not answer")
        status, reply = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"feed server: {reply}")
        return reply

    def load(self, feedset: feedgen.FeedSet) -> list[str]:
        """Serve *feedset* at generation 0; returns the feed URLs, feed 0 first."""
        return self._call(("load", asdict(feedset)))

    def set_generation(self, generation: int) -> None:
        self._call(("generation", generation))

    def set_latency(self, latency_ms: float) -> None:
        self._call(("latency", latency_ms))

    def counts(self) -> Counter[str]:
        """Totals since start: requests, 200, 304, 404, gzip, bytes, connections."""
        return Counter(self._call(("counts", None)))
