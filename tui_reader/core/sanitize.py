"""Make hostile feed text safe to store and to put on a terminal.

Textual strips only a few control characters; ESC, C1 controls and bidi overrides pass
through and can rewrite the screen or disguise text. Everything a feed gives us goes
through :func:`clean_text` (one line) or :func:`clean_block` (keeps newlines) first.
"""

from __future__ import annotations

import re

# C0 except tab/newline, DEL, C1, bidi embeddings/overrides/isolates, LRM/RLM/ALM,
# zero-width joiners used for spoofing, BOM, interlinear annotations, line/para separators.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
URL_UNSAFE = re.compile(
    "[\x00-\x20\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
"""What may never appear inside a URL we store, show or open (spaces included)."""
UNSAFE = _UNSAFE
"""What may never reach the terminal as it is (tab and newline aside)."""
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: object | None, limit: int | None = None) -> str:
    """One line of text: unsafe characters removed, whitespace collapsed, optionally cut."""
    if value is None:
        return ""
    # split/join collapses whitespace as \s+ does, four times faster on long bodies.
    text = " ".join(_UNSAFE.sub("", str(value)).split())
    if limit is not None and len(text) > limit:
        cut = text[: max(limit - 1, 0)].rsplit(" ", 1)[0] if limit > 20 else text[: limit - 1]
        text = cut.rstrip(" ,;:.-") + "…"
    return text


def clean_block(value: object | None) -> str:
    """Multi-line text (Markdown): unsafe characters gone, newlines kept, blank runs folded."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", text.replace("\t", "    "))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_optional(value: object | None, limit: int | None = None) -> str | None:
    """:func:`clean_text`, but None (not "") when nothing is left."""
    text = clean_text(value, limit)
    return text or None
