"""The article's body: lines drawn in a thread, shown through the line API.

Textual's Markdown widget mounts a widget per block and lays a new story out over several
frames, each repainting the pane: a ``j`` cost about 33 KB at 120x40 over SSH. Here a new
story is drawn to lines off the event loop, then swapped in at once, in one frame with its
header. Links are terminal hyperlinks (OSC 8); a click on one posts :class:`LinkClicked`,
since the screen decides what may be opened.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import Worker

from .markdown_lines import render_lines
from .measured import measured_size


class ArticleBody(Widget):
    """A story's Markdown, as lines of the pane's width (drawn again when it changes)."""

    DEFAULT_CSS = """
    ArticleBody {
        height: auto;
    }
    """

    virtual_size = measured_size()

    class LinkClicked(Message):
        """A link in the body was clicked; the href is untrusted."""

        def __init__(self, href: str) -> None:
            super().__init__()
            self.href = href

    def __init__(self, *, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source = ""
        """The Markdown on show."""
        self.hyperlinks = True
        """Whether links are sent as terminal hyperlinks (off for the Linux console)."""
        self._lines: list[Strip] = []
        self._width = 0

    async def draw(self, source: str, width: int) -> list[Strip]:
        """*source* drawn *width* cells wide, in a thread (a long story takes a while)."""
        if not source:
            return []
        return await asyncio.to_thread(render_lines, source, width, links=self.hyperlinks)

    def show(self, source: str, lines: list[Strip], width: int) -> None:
        """Put lines from :meth:`draw` on screen (synchronous: it joins the caller's frame)."""
        self.source = source
        self._lines = lines
        self._width = width
        self.refresh(layout=True)
        if self.size.width and self.size.width != width:  # resized while it was drawn
            self._redraw_later(self.size.width)

    def clear(self) -> None:
        self.show("", [], self._width)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def text(self) -> str:
        """The body as it reads on screen, line by line (no styles)."""
        return "\n".join(line.text.rstrip() for line in self._lines)

    def links(self) -> list[str]:
        """The link targets in the body, in order (each once per line it is on)."""
        return [segment.style.link for line in self._lines for segment in line
                if segment.style is not None and segment.style.link]

    @property
    def drawn_width(self) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        if y >= len(self._lines):
            return Strip.blank(self.size.width, style)
        return self._lines[y].crop_extend(0, self.size.width, style).apply_style(style)

    def on_resize(self, event: events.Resize) -> None:
        """Draw the story again for a new width (the pane or the terminal changed)."""
        if event.size.width != self._width:
            self._redraw_later(event.size.width)

    def _redraw_later(self, width: int) -> None:
        """A redraw in a worker; a newer one cancels it (made when it starts, so a
        cancelled one leaves no coroutine behind)."""
        async def redraw() -> None:
            await self._redraw(width)

        self.redrawing: Worker[None] = self.run_worker(redraw, group="redraw", exclusive=True)

    async def _redraw(self, width: int) -> None:
        source = self.source
        if not source or width <= 0 or width == self._width:
            return
        lines = await self.draw(source, width)
        if self.source == source and self.size.width == width:
            self.show(source, lines, width)

    def on_click(self, event: events.Click) -> None:
        href = event.style.link
        if href:
            event.stop()
            self.post_message(self.LinkClicked(href))
