"""Checking a feed's CSS selector when feeds.toml is read, not at the first full-text fetch.

The check compiles it with the library extraction applies it with (soupsieve, through
BeautifulSoup's ``select`` as in ``extract._selected_html``), so what passes here is what
extraction accepts.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from .sanitize import clean_text


@lru_cache(maxsize=256)
def selector_problem(selector: str) -> str | None:
    """Why *selector* is not a usable CSS selector (soupsieve's words), or None."""
    from bs4 import BeautifulSoup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated pseudo-classes still work
        try:
            BeautifulSoup("", "lxml").select(selector)
        except Exception as exc:  # soupsieve's SelectorSyntaxError, unsupported pseudo-classes
            first = clean_text(str(exc).split("\n", 1)[0], 120) or type(exc).__name__
            return first[:1].lower() + first[1:]
    return None
