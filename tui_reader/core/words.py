"""Counts in words, so every message says "1 feed" and "2 feeds", never "1 feeds".

It lives in the core because core messages (a refresh's summary, a feed's retry reason)
count things too; the UI and the CLI use the same function.
"""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural_of(noun: str) -> str:
    """The regular English plural: story -> stories, match -> matches, feed -> feeds."""
    if noun.endswith("y") and noun[-2:-1] not in ("", "a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    return noun + "s"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """"1 feed", "0 feeds", "1,204 stories": *n* with *noun* agreeing.

    *many* is the plural when it is not the regular one, or when the phrase goes on
    ("bookmarked story is" / "bookmarked stories are").
    """
    word = noun if n == 1 else (many or plural_of(noun))
    return f"{n:,} {word}"
