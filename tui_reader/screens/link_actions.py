"""Opening and copying a story's links from a screen: http(s) only, never through a shell.

Opening can take seconds (``webbrowser`` may wait for the browser), so it runs in a
thread worker; copying uses OSC 52, which the terminal may or may not honour.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from ..core.http_url import display_url, is_http_url
from ..core.models import Article
from ..keymap import Keymap

CLIPBOARD_HOW = "OSC 52; in tmux needs set-clipboard on"
"""Said with the first copy of a session: we cannot know whether the terminal took it."""


class LinkActions:
    """A screen's "open in browser" and "copy link", with the hints they need."""

    def __init__(self, screen: Screen[Any], keymap: Keymap, browser: str = "") -> None:
        self.screen = screen
        self.keymap = keymap
        self.browser = browser
        """config.toml's ``browser`` (an argv template), or "" for the usual way."""
        self.clipboard_explained = False
        """Whether this session already said how OSC 52 copying works."""

    def open(self, url: str | None, *, copy_action: str = "copy_link",
             what: str = "the link", copy_without_browser: bool = False) -> None:
        """Open a web link in the browser; anything but http(s) is refused. Without a
        browser, the message names the key that copies the same link."""
        screen = self.screen
        if not url or not is_http_url(url):
            shown = display_url(url, 60) if url else "this link"
            screen.notify(
                f"Not opening {shown}: only web links open.", severity="warning", markup=False
            )
            return
        import shutil

        from .. import links

        hint = links.no_browser(self.keymap.hint(copy_action), what)
        notify = screen.notify
        app = screen.app
        if app.is_web:  # tui-reader serve: the reader's own browser opens it, in a new tab
            app.open_url(url, new_tab=True)
            return

        def run() -> None:
            # In this thread: finding out what $BROWSER is may run xdg-settings.
            template = self.browser or links.console_browser()
            if template:
                argv = links.browser_argv(template, url)
                if argv is None:
                    notify("The browser setting has no command to run.",
                           severity="warning", markup=False)
                elif shutil.which(argv[0]) is None:  # known before the screen is handed over
                    notify(f"Could not run {argv[0]}: no such program (the browser setting "
                           "or $BROWSER names it)", severity="warning", markup=False)
                else:  # the terminal is handed over on the event loop's thread
                    app.call_from_thread(self._run_in_terminal, argv)
                return
            message = links.open_in_browser(url)
            if message == links.NO_BROWSER and copy_without_browser:
                # A link in the text has no key of its own: y would copy the story's.
                app.call_from_thread(self.copy, url, "No browser here (SSH?): the link is")
                return
            if message == links.NO_BROWSER:
                message = hint
            if message:
                notify(message, timeout=6, markup=False)  # thread-safe: it posts a message

        screen.app.run_worker(run, thread=True, group="browser", exit_on_error=False)

    def _run_in_terminal(self, argv: list[str]) -> None:
        """Step aside (Textual's suspend), run the browser in this terminal, come back
        with the screen as it was: newsboat's ``browser "w3m %u"``."""
        import subprocess

        from textual.app import SuspendNotSupported

        screen = self.screen
        failed: OSError | None = None
        try:
            with screen.app.suspend():
                # Nothing may leave this block by an exception: Textual's suspend would
                # not take the terminal back, and the reader stayed blank and deaf.
                try:
                    done = subprocess.run(argv, check=False, stdin=None)  # noqa: S603
                except OSError as exc:
                    failed = exc
        except SuspendNotSupported:
            screen.notify("This terminal cannot hand itself to a browser.",
                          severity="warning", markup=False)
            return
        if failed is not None:
            screen.notify(f"Could not run {argv[0]}: {failed.strerror or failed}",
                          severity="warning", markup=False)
            return
        if done.returncode:
            screen.notify(f"{argv[0]} exited with status {done.returncode}", timeout=4,
                          markup=False)

    def copy(self, url: str, label: str) -> None:
        """Copy with OSC 52. Whether the terminal took it cannot be known, so the first
        copy of a session says what it needs."""
        self.screen.app.copy_to_clipboard(url)
        message = f"{label} sent to the clipboard"
        if not self.clipboard_explained:
            self.clipboard_explained = True
            message += f" ({CLIPBOARD_HOW})"
        self.screen.notify(message, timeout=4, markup=False)

    def open_story(self, article: Article, *, comments: bool = False) -> None:
        """``o`` / ``c``: the story's page or its comments in the browser."""
        url = article.comments_url if comments else article.url
        if not url:
            self._missing("comments link" if comments else "link")
        elif comments:
            self.open(url, copy_action="copy_comments", what="the comments link")
        else:
            self.open(url)

    def copy_story(self, article: Article, *, comments: bool = False) -> None:
        """``y`` / ``C``: the story's link or its comments link to the clipboard."""
        url = article.comments_url if comments else article.url
        if not url:
            self._missing("comments link" if comments else "link to copy")
        else:
            self.copy(url, "Comments link" if comments else "Link")

    def _missing(self, what: str) -> None:
        self.screen.notify(f"This story has no {what}.", timeout=3, markup=False)
