"""readability-lxml's way to the article: a second, independent extractor for the chain.

Python's port of Arc90's Readability (the algorithm behind Firefox's reader view) scores
containers by the paragraphs in them, so it fails differently from trafilatura, which
reads the page element by element: where one comes back empty or poor, the other often
does not. Imported only when the chain gets this far.
"""

from __future__ import annotations

import logging
from copy import deepcopy

import lxml.html

# readability logs a warning for every page it has to read twice; under the TUI a log line
# on stderr would scribble over the screen.
logging.getLogger("readability").setLevel(logging.ERROR)


def _readability_html(tree: lxml.html.HtmlElement, url: str) -> str:
    """The article as readability finds it, as HTML ("" when it finds none)."""
    from readability import Document
    from readability.readability import Unparseable

    try:
        return str(Document(deepcopy(tree), url=url or None).summary(html_partial=True))
    except Unparseable:
        return ""
