"""How fast the loopback server answers, so a slow server cannot pass for a slow reader.

A minimal keep-alive HTTP/1.1 client on raw asyncio streams (far less work per request
than a real client) sends a bounded number of requests with many in flight, first plain
(200, gzipped) and then conditional (304), and reports requests per second for each.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

DEADLINE_SECONDS = 60.0


async def _worker(
    urls: list[str], start: int, count: int, etags: dict[str, str] | None, sink: dict[str, str]
) -> None:
    """*count* requests over the URLs from *start* on, one connection per host, reused."""
    streams: dict[tuple[str, int], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
    try:
        for n in range(count):
            url = urls[(start + n) % len(urls)]
            parts = urlsplit(url)
            key = (parts.hostname or "", parts.port or 80)
            if key not in streams:
                streams[key] = await asyncio.open_connection(*key)
            reader, writer = streams[key]
            conditional = f"If-None-Match: {etags[url]}\r\n" if etags else ""
            writer.write(
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Accept-Encoding: gzip\r\n{conditional}\r\n".encode()
            )
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "etag":
                    sink[url] = value.strip()
            if not head.startswith("HTTP/1.1 304" if etags else "HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer from {url}: {head.splitlines()[0]}")
            await reader.readexactly(length)
    finally:
        for _, writer in streams.values():
            writer.close()


async def _phase(urls: list[str], requests: int, in_flight: int,
                 etags: dict[str, str] | None) -> tuple[float, dict[str, str]]:
    sink: dict[str, str] = {}
    per = max(1, requests // in_flight)
    start = time.monotonic()
    async with asyncio.timeout(DEADLINE_SECONDS):
        await asyncio.gather(
            *(_worker(urls, i * per, per, etags, sink) for i in range(in_flight))
        )
    return per * in_flight / (time.monotonic() - start), sink


def server_capacity(
    urls: list[str], requests: int = 4000, in_flight: int = 200
) -> dict[str, float]:
    """Requests per second the server sustains: ``{"200": r/s, "304": r/s}``."""

    async def both() -> dict[str, float]:
        full, etags = await _phase(urls, requests, in_flight, None)
        missing = [u for u in urls if u not in etags]
        if missing:
            raise RuntimeError(f"no ETag seen for {missing[0]}")
        cached, _ = await _phase(urls, requests, in_flight, etags)
        return {"200": full, "304": cached}

    return asyncio.run(both())
