"""Opening links from the reader without surprises.

Feed links are hostile input: only absolute http(s) URLs are ever handed on, and never
through a shell. A terminal app is often used over SSH or on a console with no GUI; there
``webbrowser`` would either do nothing or start a text browser on top of our screen, so
we say so instead and point at copying the link.
"""

from __future__ import annotations

import os
import re
import sys
import webbrowser

from .core.http_url import is_http_url

NOT_HTTP = "Only http(s) links can be opened"


def no_browser(copy_key: str = "y", what: str = "the link") -> str:
    """Why nothing opened, and the key that copies the same link instead."""
    return f"No browser here (SSH?) — press {copy_key} to copy {what}"


NO_BROWSER = no_browser()


def safe_link(url: str | None) -> str | None:
    """The URL trimmed, if it is an absolute http(s) URL with no hidden characters."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or not is_http_url(url):
        return None
    return url


def terminal_hyperlinks(low_bandwidth: bool, term: str | None = None) -> bool:
    """Whether links in the article are sent as terminal hyperlinks (OSC 8).

    Terminals without them ignore the sequence, except the Linux console and dumb
    terminals; on a slow link the targets are bytes nobody asked for.
    """
    term = os.environ.get("TERM", "") if term is None else term
    return not low_bandwidth and not term.startswith(("linux", "dumb", "vt"))


def browser_argv(template: str, url: str) -> list[str] | None:
    """The command that opens *url* in a terminal browser, newsboat's way: *template*
    split into words (never run by a shell) with ``%u`` (or ``%s``, as ``$BROWSER``
    writes it) replaced by the link, which is appended when neither is there. None when
    the link is not http(s) or the template is empty."""
    import shlex

    link = safe_link(url)
    if link is None:
        return None
    try:
        words = shlex.split(template)
    except ValueError:
        return None
    if not words:
        return None
    if not any("%u" in w or "%s" in w for w in words):
        return [*words, link]
    return [re.sub(r"%[us]", lambda _m: link, w) for w in words]  # never inside the link


def console_browser() -> str | None:
    """``$BROWSER`` when it names a terminal browser (w3m, lynx): run in our terminal
    with the app stepped aside, as newsboat does. Its first entry, as ``webbrowser``
    reads it."""
    names = [n for n in os.environ.get("BROWSER", "").split(os.pathsep) if n.strip()]
    if not names:
        return None
    try:
        browser = webbrowser.get(names[0])
    except webbrowser.Error:
        return names[0]  # a command webbrowser does not know: run it all the same
    return names[0] if _is_console_browser(browser) else None


def _is_console_browser(browser: webbrowser.BaseBrowser) -> bool:
    """Text browsers (lynx, w3m, $BROWSER=…) run in our terminal and would wreck the screen."""
    return type(browser) is webbrowser.GenericBrowser


def has_local_browser() -> bool:
    """Whether a graphical browser can be started on this machine for this user."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    return not _is_console_browser(browser)


def open_in_browser(url: str) -> str | None:
    """Open *url* in the local browser; returns a one-line reason when it cannot.

    This can take seconds (``webbrowser`` may run ``xdg-settings`` and wait for the
    browser to start): call it from a thread, never on the event loop.
    """
    link = safe_link(url)
    if link is None:
        return NOT_HTTP
    if not has_local_browser():
        return NO_BROWSER
    try:
        opened = webbrowser.get().open(link, new=2)
    except (webbrowser.Error, OSError):
        return NO_BROWSER
    return None if opened else NO_BROWSER
