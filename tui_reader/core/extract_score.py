"""Score extracted article text against hand-written gold text.

Shared by the extraction tests (which guard a minimum quality) and ``bench/extract_f1.py``
(which prints it per page), so both measure the same thing. Markdown is reduced to its
visible words first, so link targets and markup neither help nor hurt the score.
"""

from __future__ import annotations

import re
from collections import Counter

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_LINE_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[*+-]\s+|\d+[.)]\s+)+")
_SETEXT_RULE = re.compile(r"^\s*(?:=+|-{2,}|\*{3,})\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*{1,3}|~~)|(?<![\\\w])_{1,3}|(?<!\\)_{1,3}(?!\w)")
_WORD = re.compile(r"\w+")


def _inline_plain(line: str) -> str:
    line = _LINE_MARKERS.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    parts: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_ESCAPE.sub(r"\1", _EMPHASIS.sub("", line[last : match.start()])))
        parts.append(match.group(2).strip())
        last = match.end()
    parts.append(_ESCAPE.sub(r"\1", _EMPHASIS.sub("", line[last:])))
    return "".join(parts)


def plain_text(markdown: str) -> str:
    """Visible text of Markdown: what a reader would see, without link targets or markup."""
    lines: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and opening and opening.group(1).startswith(fence):
            fence = None
        elif fence is not None:
            lines.append(line)  # code is shown verbatim
        elif not _SETEXT_RULE.match(line):
            lines.append(_inline_plain(line))
    return "\n".join(lines)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation and spacing differences are not errors."""
    return _WORD.findall(text.lower())


def word_f1(extracted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words (precision, recall, F1) of ``extracted`` (may be Markdown) against ``gold``.

    Counts are clipped per word, so repeating a paragraph does not earn recall twice.
    """
    got = Counter(tokens(plain_text(extracted)))
    want = Counter(tokens(gold))
    if not got or not want:
        return (0.0, 0.0, 0.0)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    if overlap == 0:
        return (precision, recall, 0.0)
    return (precision, recall, 2 * precision * recall / (precision + recall))
