"""URL checks shared by config, fetching and the UI: only http(s) is ever fetched or opened."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .sanitize import URL_UNSAFE


def is_http_url(url: object) -> bool:
    """True for an absolute http:// or https:// URL with a host and no hidden characters
    (control, escape or bidi characters would reach the terminal wherever a URL is shown)."""
    if not isinstance(url, str) or URL_UNSAFE.search(url.strip()):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def normalise_url(url: str) -> str:
    """Trim and lower-case scheme and host so the same feed is not subscribed twice."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if "@" not in netloc:
        netloc = netloc.lower()
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))
