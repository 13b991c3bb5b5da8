"""What response headers say about reuse and waiting: Retry-After, freshness, validators.

Pure functions of header text, kept out of the client: each header has two or three legal
forms (and servers send illegal ones), which are easier to check and test on their own.
"""

from __future__ import annotations

import datetime
import math
import time
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: float | None = None) -> int | None:
    """Seconds from a Retry-After value: delta-seconds or an HTTP-date (never negative)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    when = _http_date(value)
    if when is None:
        return None
    delta = when - (time.time() if now is None else now)
    return max(0, math.ceil(delta))


def _http_date(value: str | None) -> float | None:
    """An HTTP-date as epoch seconds, None when it is not one (servers send "0", "-1"...)."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000" and friends: HTTP-dates are GMT anyway
        when = when.replace(tzinfo=datetime.UTC)
    return when.timestamp()


def fresh_for(cache_control: str | None, expires: str | None, date: str | None,
              now: float | None = None) -> int | None:
    """How long a response stays fresh by its headers (RFC 9111: max-age wins over
    Expires, which counts from the server's Date); None when they don't say or forbid
    reuse."""
    directives = [d.strip().lower() for d in (cache_control or "").split(",")]
    if any(d in ("no-store", "no-cache") for d in directives):
        return None
    for directive in directives:
        name, _, value = directive.partition("=")
        if name.strip() == "max-age":
            value = value.strip().strip('"')
            return int(value) if value.isdigit() else None
    until = _http_date(expires)
    if until is None:
        return None
    since = _http_date(date)
    start = since if since is not None else (time.time() if now is None else now)
    return max(0, int(until - start))


def _header_token(value: str | None) -> str | None:
    """A validator header kept only if it can be sent back verbatim."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 1024 or not all(" " <= ch <= "~" for ch in value):
        return None
    return value
