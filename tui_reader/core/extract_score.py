"""Measure extracted article text: its length for a reader, and its score against gold text.

Shared by the extractor (is this long enough to be an article?), the extraction tests
(which guard a minimum quality) and ``bench/extract_f1.py`` (which prints it per page), so
all measure the same thing. Markdown is reduced to its visible words first, so link
targets and markup neither help nor hurt.

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
Burmese) are measured by the character: there a "word" found by spaces is a whole
sentence or paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_LINE_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[*+-]\s+|\d+[.)]\s+)+")
_SETEXT_RULE = re.compile(r"^\s*(?:=+|-{2,}|\*{3,})\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*{1,3}|~~)|(?<![\\\w])_{1,3}|(?<!\\)_{1,3}(?!\w)")
# Scripts written without spaces between words: every character is a token. Hangul is
# written with spaces and stays a word script.
_HAN_KANA_RANGES = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0002fa1f"
)
_SOUTHEAST_ASIAN_RANGES = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
_NO_SPACE = _HAN_KANA_RANGES + _SOUTHEAST_ASIAN_RANGES
_TOKEN = re.compile(f"[{_NO_SPACE}]|[^\\W{_NO_SPACE}]+")
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE}]")
_HAN_KANA = re.compile(f"[{_HAN_KANA_RANGES}]")
HAN_KANA_CHARS_PER_WORD = 2
"""Chinese averages 1.5-2 characters a word, Japanese a little more: 2 errs on the short side."""
SOUTHEAST_ASIAN_CHARS_PER_WORD = 4
"""Thai, Lao, Khmer and Burmese words run 3-5 characters, counting vowel and tone marks."""


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
    """Lower-cased word tokens, one per character in scripts without spaces; punctuation
    and spacing differences are not errors."""
    return _TOKEN.findall(text.lower())


def reading_words(text: str) -> int:
    """How many words ``text`` (plain, not Markdown) is to a reader, in any script.

    Words are counted by spaces, except in scripts without spaces between words, whose
    characters are counted and turned into words (two Han or kana characters a word,
    four Thai, Lao, Khmer or Burmese ones), so a Japanese paragraph is not "one word".
    """
    han_kana = len(_HAN_KANA.findall(text))
    southeast = len(_NO_SPACE_CHAR.findall(text)) - han_kana
    spaced = sum(1 for word in _NO_SPACE_CHAR.sub(" ", text).split() if _has_word_char(word))
    return (
        spaced
        + -(-han_kana // HAN_KANA_CHARS_PER_WORD)
        + -(-southeast // SOUTHEAST_ASIAN_CHARS_PER_WORD)
    )


def _has_word_char(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def main_scripts_share(text: str, scripts: int = 3, sample: int = 5000) -> float:
    """The share of the letters of ``text`` written in its ``scripts`` most used scripts.

    Text in any language, Japanese with its three scripts included, is nearly all in one to
    three scripts; binary data read as text is letters from dozens. Counting characters
    would take such soup for a long Thai or Chinese article.
    """
    letters = [ch for ch in text[: sample * 4] if ch.isalpha()][:sample]
    if not letters:
        return 1.0
    counts = Counter(unicodedata.name(ch, "?").split(" ", 1)[0] for ch in letters)
    return sum(n for _, n in counts.most_common(scripts)) / len(letters)


def word_f1(extracted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words (precision, recall, F1) of ``extracted`` (may be Markdown) against ``gold``.

    Counts are clipped per word, so repeating a paragraph does not earn recall twice.
    """
    return _scores(Counter(tokens(plain_text(extracted))), Counter(tokens(gold)))


def shingle_f1(extracted: str, gold: str, size: int = 4) -> tuple[float, float, float]:
    """(precision, recall, F1) on runs of ``size`` tokens: like :func:`word_f1`, but a
    paragraph in the wrong place or a word list torn from its sentences costs too."""
    return _scores(_shingles(tokens(plain_text(extracted)), size),
                   _shingles(tokens(gold), size))


def _scores(got: Counter[Any], want: Counter[Any]) -> tuple[float, float, float]:
    """(precision, recall, F1) of two bags, each item counted at most as often as both
    have it."""
    if not got or not want:
        return (0.0, 0.0, 0.0)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    if overlap == 0:
        return (precision, recall, 0.0)
    return (precision, recall, 2 * precision * recall / (precision + recall))


def _shingles(words: list[str], size: int) -> Counter[tuple[str, ...]]:
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
