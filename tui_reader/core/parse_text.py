"""Titles as their authors wrote them: text that is text, HTML that is HTML, and RSS's guess.

Atom says what a title is (RFC 4287 §3.1): ``type="text"`` (the default) is shown as
written, ``<video>`` and ``&amp;`` included; ``html`` and ``xhtml`` are markup, whose
visible text is the title. RSS does not say. The RSS Advisory Board's reading is that a
title is text, like an HTML page's ``<title>``, with character entities allowed; yet many
feeds escape HTML into titles, or escape them twice (``&amp;hellip;``). So an RSS title
is read as HTML only when it plainly is: a closing tag or an entity reference, and no tag
that is not HTML's (feedparser's long-standing rule). "Using the <video> element" stays
as it is; "<em>new</em> library" and "Wait&hellip;" do not.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Literal

from tui_reader.core.sanitize import clean_text

TextKind = Literal["text", "html", "guess"]
"""How a title's text is to be read: as written, as HTML, or RSS's guess between them."""

_HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b bdi bdo big blink blockquote body br
    button canvas caption center cite code col colgroup data datalist dd del details dfn
    dialog dir div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5
    h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map
    mark marquee menu meta meter nav noscript object ol optgroup option output p param
    picture pre progress q rp rt ruby s samp script section select small source span strike
    strong style sub summary sup table tbody td template textarea tfoot th thead time title
    tr track tt u ul var video wbr""".split()
)
_CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]{0,20})\s*>")
_ANY_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]{0,20})(?=[\s/>])")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CODE = re.compile(
    r"<(script|style|template)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<[!?/]?[A-Za-z][^<>]*(?:>|$)", re.DOTALL)
_READ_PER_CHAR = 20
"""How much of a title is read for each character kept: room for its markup."""
_BREAKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)


def title_looks_like_html(text: str) -> bool:
    """Whether an RSS title is plainly HTML (see the module's note); else it is text."""
    if "<" not in text and "&" not in text:
        return False
    if not (_CLOSING_TAG.search(text) or _REFERENCE.search(text)):
        return False
    return all(name.lower() in _HTML_ELEMENTS for name in _ANY_TAG.findall(text))


def _tag_gap(match: re.Match[str]) -> str:
    """A tag's mark in the visible text: a space where the tag breaks the line."""
    name = match.group().lstrip("<!/?").split(None, 1)[0].rstrip("/>").lower()
    return " " if name in _BREAKS else ""


def markup_text(markup: str, limit: int | None = None) -> str:
    """The visible text of a piece of HTML, on one line.

    Not through an HTML parser: one unclosed ``<object>`` there swallows everything after
    it ("safe<object …> description" became "safe"). Tags go and their words stay; only
    script, style and template lose their content; a ``<`` that starts no tag is text.
    """
    if "<" in markup:
        markup = _MARKUP.sub(_tag_gap, _CODE.sub(" ", markup))
    if "&" in markup:
        markup = html_lib.unescape(markup)
    return clean_text(markup, limit)


def title_text(value: str | None, kind: TextKind, limit: int) -> str:
    """A title (or a name) as one clean line, read as *kind* says."""
    if not value:
        return ""
    value = value[: limit * _READ_PER_CHAR]  # a hostile megabyte "title" costs no more
    if kind == "html" or (kind == "guess" and title_looks_like_html(value)):
        return markup_text(value, limit)
    return clean_text(value, limit)
