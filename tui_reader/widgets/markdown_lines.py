"""A story's Markdown drawn to terminal lines once, off the event loop, by Rich.

Feed text is hostile: Rich's Markdown never reads text as markup, and a link keeps its
target (a terminal hyperlink, OSC 8) only when it is a clean http(s) URL; any other target
is dropped and its words stay as text. Colours are few and named (the terminal's own
palette), so 16-colour terminals and NO_COLOR read the same and a story costs few bytes.
"""

from __future__ import annotations

import io
import re
from typing import ClassVar

from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.markdown import CodeBlock, Heading, Markdown
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme
from textual.strip import Strip

from ..links import safe_link

THEME = Theme(
    {
        "markdown.h1": "bold underline",
        "markdown.h2": "bold underline",
        "markdown.h3": "bold",
        "markdown.h4": "bold italic",
        "markdown.h5": "italic",
        "markdown.h6": "italic",
        "markdown.link": "underline",
        "markdown.link_url": "underline",
        "markdown.code": "bold",
        "markdown.block_quote": "italic",
        "markdown.hr": "dim",
        "markdown.item.bullet": "bold",
        "markdown.item.number": "bold",
        "markdown.table.border": "dim",
        "markdown.table.header": "bold",
    },
    inherit=True,
)
CODE_BACKGROUND = "grey15"
"""Dark grey: black on 16 colours, nothing with NO_COLOR (the indent still sets it off)."""
MAX_LINK = 2000
"""Longer link targets are dropped: no page needs them, and each is sent per line."""
_WORD = re.compile(r"[^\W_]+")
"""Letters and digits: os_path_join is three words written or escaped (os\\_path)."""
_TARGET = re.compile(r"\]\([^)]*\)")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


class _LeftHeading(Heading):
    """Every heading left-aligned, as the rest of the pane is (Rich centres h1)."""

    LEVEL_ALIGN: ClassVar[dict[str, JustifyMethod]] = dict.fromkeys(
        ("h1", "h2", "h3", "h4", "h5", "h6"), "left")


class _CodeBlock(CodeBlock):
    """Code on a shade of its own, so that it reads apart from the text and a wrapped line
    is seen to be one line (Rich's own had the text's background)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme,
                     word_wrap=True, padding=(0, 1), background_color=CODE_BACKGROUND)


class StoryMarkdown(Markdown):
    """Rich's Markdown with left-aligned headings and only clean http(s) links."""

    elements: ClassVar = {**Markdown.elements, "heading_open": _LeftHeading,
                          "fence": _CodeBlock, "code_block": _CodeBlock}

    def __init__(self, source: str, *, links: bool = True, width: int = 80) -> None:
        super().__init__(source, code_theme="ansi_dark", hyperlinks=True)
        _clean_links(self.parsed, links)
        self.parsed = _cap_quotes(self.parsed, max(1, width // 12))



def link_target(href: object) -> str:
    """*href* if a terminal may be handed it as a hyperlink, else "" (no link).

    http(s) only, and no character that could end the escape sequence it travels in
    (controls, spaces, backslash) or pass for another.
    """
    url = safe_link(href if isinstance(href, str) else None)
    if url is None or len(url) > MAX_LINK or _UNSAFE.search(url) or not url.isascii():
        return ""
    return url


def _clean_links(tokens: list[Token], keep: bool) -> None:
    """Targets made safe, or all dropped (*keep* false: a terminal with no hyperlinks);
    a picture becomes a link to it where it stands (Rich moved it to the paragraph's
    start)."""
    for token in tokens:
        if token.type == "link_open":
            token.attrs["href"] = link_target(token.attrs.get("href")) if keep else ""
        if token.children:
            token.children = [part for child in token.children
                              for part in _picture_as_link(child, keep)]
            _clean_links(token.children, keep)


def _picture_as_link(token: Token, keep: bool) -> list[Token]:
    if token.type != "image":
        return [token]
    alt = "".join(child.content for child in token.children or []) or token.content
    words = Token("text", "", 0, content=f"[picture: {alt}]" if alt else "[picture]")
    target = link_target(token.attrs.get("src")) if keep else ""
    if not target:
        return [words]
    return [Token("link_open", "a", 1, attrs={"href": target}), words,
            Token("link_close", "a", -1)]


def _words(source: str) -> int:
    """About how many words a reader should see (link targets are not shown)."""
    return len(_WORD.findall(_TARGET.sub(")", source)))


def _cap_quotes(tokens: list[Token], deepest: int) -> list[Token]:
    """Quotes nested deeper than *deepest* are shown at that depth: each level takes two
    columns, and Rich draws a quote with no room left as nothing at all (a mailing
    list's eighth level vanished in a 60x20 terminal)."""
    kept: list[Token] = []
    depth = 0
    for token in tokens:
        if token.type == "blockquote_open":
            depth += 1
            if depth > deepest:
                continue
        elif token.type == "blockquote_close":
            depth -= 1
            if depth >= deepest:
                continue
        kept.append(token)
    return kept


def render_lines(source: str, width: int, *, links: bool = True) -> list[Strip]:
    """*source* as lines *width* cells wide (safe to call in a thread: its own Console)."""
    width = max(1, width)
    console = Console(
        file=io.StringIO(), width=width, theme=THEME, color_system="truecolor",
        force_terminal=True, legacy_windows=False, emoji=False, markup=False,
        highlight=False,
    )
    options = console.options.update(width=width)
    story = StoryMarkdown(source, links=links, width=width)
    lines = console.render_lines(story, options, pad=False, new_lines=False)
    shown = sum(len(_WORD.findall("".join(s.text for s in line))) for line in lines)
    if shown < _words(source) * 0.8:  # text lost (nested deeper than the width or
        # than the parser goes): the Markdown as it is written, every word there
        lines = console.render_lines(Text(source), options, pad=False, new_lines=False)
    while lines and not any(segment.text.strip() for segment in lines[-1]):
        lines.pop()  # Rich ends with blank lines; the pane has its own spacing
    return [Strip(Segment.simplify(line)) for line in lines]
