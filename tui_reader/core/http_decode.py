"""Bounded decompression of response bodies (gzip, deflate, brotli).

httpx's own decoders inflate a whole network chunk at once, and a few kilobytes of
brotli can expand to terabytes; these decoders are asked for at most what is left of the
size limit, so an oversized body shows after one extra byte.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Protocol

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] brings it on CPython
    brotli = None

ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"


class _Decoder(Protocol):
    """One content coding's decoder, asked for at most ``limit + 1`` bytes at a time."""

    def decode(self, data: bytes, limit: int) -> bytes: ...

    def flush(self) -> bytes: ...


class _ZlibDecoder:
    """gzip or deflate; returns at most ``limit + 1`` bytes per call so overflow shows."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._raw_fallback = name == "deflate"
        # 47 = auto-detect zlib or gzip header; deflate is zlib-wrapped unless it isn't.
        self._d = zlib.decompressobj(15 if name == "deflate" else 47)

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._d.decompress(data, limit + 1)
        except zlib.error:
            if not self._raw_fallback:
                raise
            # Some servers send raw deflate without the zlib header.
            self._raw_fallback = False
            self._d = zlib.decompressobj(-15)
            out = self._d.decompress(data, limit + 1)
        self._raw_fallback = False
        return out

    def flush(self) -> bytes:
        return self._d.flush()


class _BrotliDecoder:
    """brotli, with an output limit where the installed brotli has one."""

    name = "br"

    def __init__(self) -> None:
        assert brotli is not None
        self._d = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            return self._d.process(data, output_buffer_limit=limit + 1)
        except TypeError:  # pragma: no cover - brotli < 1.2 has no output limit
            return self._d.process(data)

    def flush(self) -> bytes:
        return b""


def _decoders(content_encoding: str | None) -> list[_Decoder]:
    """Decoders in the order to apply them (the reverse of how they were applied)."""
    result: list[_Decoder] = []
    for token in reversed((content_encoding or "").lower().split(",")):
        token = token.strip()
        if token in ("gzip", "x-gzip", "deflate"):
            result.append(_ZlibDecoder("deflate" if token == "deflate" else "gzip"))
        elif token == "br" and brotli is not None:
            result.append(_BrotliDecoder())
        # identity, empty and unknown codings pass through, as httpx does
    return result


async def _decoded(
    raw: AsyncIterator[bytes], decoders: list[_Decoder], limit: int
) -> AsyncIterator[bytes]:
    """Run raw chunks through the decoders, none allowed to produce more than is left of
    ``limit``, so the caller sees an overflow after at most one extra byte."""
    produced = 0

    def through(data: bytes, stages: list[_Decoder]) -> bytes:
        for dec in stages:
            if not data:
                break
            data = dec.decode(data, max(limit - produced, 0))
        return data

    async for chunk in raw:
        out = through(chunk, decoders)
        if out:
            produced += len(out)
            yield out
    for i, dec in enumerate(decoders):
        out = through(dec.flush(), decoders[i + 1 :])
        if out:
            produced += len(out)
            yield out


def _brotli_error() -> type[BaseException]:
    """The exception a corrupt brotli stream raises (zlib.error stands in without brotli)."""
    return brotli.error if brotli is not None else zlib.error
