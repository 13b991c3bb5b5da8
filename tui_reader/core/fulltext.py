"""Fetching an article's web page and keeping its extracted text as an offline snapshot.

Uses the same polite, size-capped, http(s)-only client as feeds. Every failure becomes a
short reason stored on the article ("HTTP 403", "not an HTML page"), never an exception,
so the feed's own content stays readable.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import BrokenExecutor, Executor
from typing import TYPE_CHECKING

from .http import HTML_ACCEPT, FetchError, PoliteClient, http_reason
from .store import SnapshotJob, Store

if TYPE_CHECKING:
    from .extract import ExtractedArticle


class FullTextError(Exception):
    """Why a page's full text could not be had, in a few words.

    ``permanent``: asking again will not help (not HTML, 404, no article on the page), so
    later refreshes stop retrying; network trouble and 5xx stay worth another try.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode(content: bytes, content_type: str | None) -> str:
    """Header charset first, then the page's own <meta charset>, then UTF-8."""
    charset = "utf-8"
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip() or charset
    elif match := _META_CHARSET.search(content[:4096]):
        charset = match.group(1).decode("ascii")
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


async def _extract(
    executor: Executor | None, html: str, url: str, selector: str | None
) -> ExtractedArticle:
    """Run the extractor in *executor* (the TUI's parsing process: extraction holds the GIL
    for a while), else in a thread; a broken executor falls back to a thread too."""
    from .extract import extract_article

    if executor is not None:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, extract_article, html, url, selector)
        except BrokenExecutor:
            pass
    return await asyncio.to_thread(extract_article, html, url, selector)


async def fetch_article(
    client: PoliteClient,
    url: str,
    selector: str | None = None,
    *,
    executor: Executor | None = None,
) -> ExtractedArticle:
    """Fetch one page and extract its article; FullTextError with a short reason otherwise.

    ``executor``: where extraction runs (see :func:`_extract`); None means a thread.
    """
    try:
        result = await client.get(url, accept=HTML_ACCEPT)
    except FetchError as exc:
        raise FullTextError(str(exc)) from None
    if not result.ok:
        retry = result.status >= 500 or result.status in (408, 425, 429)
        raise FullTextError(http_reason(result.status), permanent=not retry)
    # trafilatura takes about a second to import: only pay for it when there is a page.
    from .extract import ExtractionError, is_html_content_type

    if not is_html_content_type(result.content_type):
        raise FullTextError(
            f"not an HTML page ({result.content_type or 'no content type'})", permanent=True
        )
    html = _decode(result.content, result.content_type)
    try:
        return await _extract(executor, html, result.url, selector)
    except ExtractionError as exc:
        raise FullTextError(str(exc), permanent=True) from None


async def fetch_snapshot(
    client: PoliteClient, store: Store, job: SnapshotJob, *, executor: Executor | None = None
) -> str | None:
    """Fetch and store one snapshot; returns None on success, else the reason it failed."""
    try:
        article = await fetch_article(client, job.url, job.selector, executor=executor)
    except FullTextError as exc:
        reason = str(exc)
        await asyncio.to_thread(
            store.snapshot_failed, job.article_id, reason, final=exc.permanent
        )
        return reason
    await asyncio.to_thread(store.save_snapshot, job.article_id, article.markdown)
    return None
