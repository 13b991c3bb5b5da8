"""What a person's search words mean, as FTS5 and LIKE conditions.

The index splits text into runs of letters and digits, so ``C++``, ``C#`` and ``AT&T``
reach it as ``c`` and ``at t``: searched that way (with the last word as a prefix, for
search-as-you-type) they matched nearly every story. A word typed with symbols that carry
meaning therefore has to appear as typed, and its letters as a phrase; a word joined only
by ``-``, ``'`` or ``.`` (``e-mail``, ``don't``, ``U.S.``) is the phrase of its parts.
``"two words"`` in quotes is a phrase. A word in a script written without spaces
(Japanese, Chinese, Thai…) is looked for as written anywhere in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rows import WORD

UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]"
)
"""Scripts written without spaces (Chinese, Japanese, Korean Hangul, Thai, Lao, Burmese,
Khmer): the index keeps a whole run of them as one token, so 開館 inside
東京で新しい図書館が開館しました is no token of its own and only a substring search finds it."""
SIGNIFICANT = re.compile(r"[+#&@$%/*]")
"""Symbols that make a word another word: ``C++`` is not ``C``, ``AT&T`` not ``at t``."""
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
_EDGE = "\"'()[]{}<>,;:!?.…“”‘’«»"
"""Punctuation around a typed word that belongs to the sentence, not the word."""


@dataclass(frozen=True, slots=True)
class Term:
    """One thing every result must contain."""

    text: str
    """As typed, without the punctuation around it."""
    literal: bool = False
    """It has significant symbols, so it must appear as typed."""
    prefix: bool = False
    """Still being typed: its last word may be the start of a longer one."""

    @property
    def words(self) -> tuple[str, ...]:
        """Its letters and digits, in order: one FTS5 phrase."""
        return tuple(WORD.findall(self.text))

    @property
    def indexed(self) -> bool:
        """Whether the index can find it: not a word of a script written without spaces
        (those are looked for as written, with LIKE)."""
        return not UNSPACED.search(self.text)

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def like(self) -> str:
        """A LIKE pattern: as typed when literal, else its words with any one character
        between them (``e-mail`` is not ``Email``; ``don't`` is ``don’t``)."""
        if self.literal:
            return like_pattern(self.text)
        parts = re.split(r"(\W+)", self.text)
        return "%" + "".join(
            "_" * len(part) if index % 2 else _escape(part) for index, part in enumerate(parts)
        ) + "%"


def parse_terms(text: str) -> list[Term]:
    """The terms of *text*; empty when there is nothing searchable in it."""
    terms: list[Term] = []
    for match in _CHUNK.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        chunk = (quoted if quoted is not None else bare).strip(_EDGE + " ")
        if WORD.search(chunk):
            literal = bool(SIGNIFICANT.search(chunk) or UNSPACED.search(chunk))
            terms.append(Term(chunk, literal=literal))
    if terms and not terms[-1].literal and not text.endswith((" ", '"')):
        terms[-1] = Term(terms[-1].text, prefix=True)
    return terms


def fts_query(text: str) -> str:
    """*text* as a safe FTS5 query: every term the index can find must match (symbols and
    unspaced scripts are checked apart, with LIKE)."""
    return " ".join(term.fts() for term in parse_terms(text) if term.indexed)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards taken literally (used with ``ESCAPE '\\'``)."""
    return "%" + _escape(text) + "%"
