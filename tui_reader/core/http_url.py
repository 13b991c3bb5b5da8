"""URL checks shared by config, fetching and the UI: only http(s) is ever fetched or opened.

A feed URL may carry credentials (``https://user:password@host/feed``, as newsboat
allows). They are not part of the feed's identity (:func:`normalise_url` drops them), they
are used only for fetching from the same origin (:func:`same_origin`), and no URL is ever
shown without going through :func:`display_url`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from .sanitize import URL_UNSAFE, clean_text

_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)@")
"""Scheme, then ``userinfo@``: up to the authority's last ``@``, as urllib reads it."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


def credentials_of(url: str) -> str | None:
    """The ``user:password`` in *url* (percent-encoded, as written), or None."""
    match = _USERINFO.match(url)
    return (match.group(2) or None) if match else None


def without_credentials(url: str) -> str:
    """*url* with any ``user:password@`` taken out; anything else is left as it is."""
    match = _USERINFO.match(url)
    return match.group(1) + url[match.end() :] if match else url


def with_credentials(url: str, credentials: str | None) -> str:
    """*url* with ``credentials@`` in front of its host (replacing any it had)."""
    if not credentials:
        return url
    scheme, sep, rest = without_credentials(url).partition("://")
    return f"{scheme}{sep}{credentials}@{rest}" if sep else url


def display_url(url: object, limit: int | None = None) -> str:
    """A URL as the user may see it: never its credentials, no hidden characters, cut to
    *limit*. Every URL that reaches the screen, a table, JSON, OPML or an error goes here."""
    if url is None:
        return ""
    return clean_text(without_credentials(str(url)), limit)


def normalise_url(url: str) -> str:
    """The feed's identity: trimmed, scheme and host lower-cased, credentials dropped, so
    the same feed is not subscribed twice (with and without a password)."""
    parts = urlsplit(without_credentials(url.strip()))
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, other: str) -> bool:
    """Whether credentials given for *url* may be sent to *other*: the same scheme, host
    and port, or an upgrade from http to https on the same host (what httpx allows)."""
    try:
        mine, theirs = _origin(url), _origin(other)
    except ValueError:
        return False
    if not mine[1] or mine[1] != theirs[1]:
        return False
    return mine == theirs or (mine == ("http", mine[1], 80) and theirs == ("https", mine[1], 443))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
"""A scheme at the start ("javascript:", "file:", "mailto:"), not a host's port ("x:8080")."""


def address_without_scheme(url: str) -> bool:
    """Whether *url* is an address pasted without its scheme ("example.org/feed",
    "127.0.0.1:8080/feed"), which may be tried as https and http; never one with any
    other scheme ("javascript:alert(1)")."""
    url = url.strip()
    return bool(url) and not _SCHEME.match(url) and is_http_url(f"https://{url}")
