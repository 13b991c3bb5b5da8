"""newsboat's ``urls`` file, read as newsboat reads it, into subscriptions.

One feed a line: its URL, then tags. A word is split at blanks unless it starts with a
double quote, which runs to the next unescaped one (``\\"``, ``\\\\``, ``\\t``, ``\\n``
inside); a quote elsewhere in a word is an ordinary character (so ``~"My title"`` is the
two words ``~"My`` and ``title"``, in newsboat too). A line starting with ``#`` is a
comment, and so is the rest of a line from a word starting with ``#``. The first
``~word`` is the feed's title, a ``!word`` hides the feed (tui-reader has no hidden
feeds: it is imported and said so), other words are tags.

``exec:``, ``filter:`` and ``query:`` lines run a program or a newsboat search: they are
skipped with one line each, and nothing from the file is ever run. The file is hostile
like any import: every string is cleaned, and only http(s) URLs are taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import UserError
from .feeds_file import Subscription, clean_tags
from .http_url import credentials_of, display_url, is_http_url, normalise_url
from .sanitize import clean_text

_BLANKS = " \t\r\n"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "`": "\\`"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_QUOTED_TITLE = re.compile(r'(?<!\S)~"([^"]*)"')
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@\"]*@")
_PROGRAMS = {
    "exec:": "a command's output as a feed; tui-reader never runs commands from a file",
    "filter:": "a feed passed through a script; tui-reader never runs commands from a file",
    "query:": "a newsboat search across feeds; in tui-reader use f (filter by feed or tag), "
              "u (unread only) and / (search)",
}


class NotAUrlsFile(UserError):
    """A file that is neither OPML nor a newsboat urls file; names the file and line."""


@dataclass(frozen=True, slots=True)
class UrlsImport:
    """What a urls file yielded: the feeds, the lines left out and why, and notes."""

    subscriptions: list[Subscription] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One line per line not imported, e.g. ``"urls:7: exec:~/bin/x: a command's …"``."""
    hidden: list[str] = field(default_factory=list)
    """The URLs of feeds hidden in newsboat (a ``!`` word): shown like the others here."""
    notes: list[str] = field(default_factory=list)
    """Lines read as newsboat reads them but perhaps not as meant (a quote inside a word)."""


def tokenize(line: str) -> list[str]:
    """The words of one line, as newsboat's ``tokenize_quoted`` splits them."""
    return [word for word, _quoted in _words(line)]


def _words(line: str) -> list[tuple[str, bool]]:
    """Each word of *line*, and whether it was written in quotes."""
    words: list[tuple[str, bool]] = []
    i, end = 0, len(line)
    while i < end:
        while i < end and line[i] in _BLANKS:
            i += 1
        if i >= end or line[i] == "#":
            break
        if line[i] == '"':
            word: list[str] = []
            i += 1
            while i < end and line[i] != '"':
                if line[i] == "\\":
                    i += 1  # a backslash ending the line escapes nothing and is dropped
                    if i < end:
                        word.append(_ESCAPES.get(line[i], line[i]))
                else:
                    word.append(line[i])
                i += 1
            i += 1  # the closing quote (an unclosed one runs to the end of the line)
            words.append(("".join(word), True))
        else:
            start = i
            while i < end and line[i] not in _BLANKS:
                i += 1
            words.append((line[start:i], False))
    return words


def _program_kind(url: str) -> str | None:
    lowered = url.lower()
    return next((kind for kind in _PROGRAMS if lowered.startswith(kind)), None)


def _skip_program(where: str, line: str, url: str, kind: str) -> str:
    """The line saying why an exec:/filter:/query: line was left out."""
    reason = _PROGRAMS[kind]
    shown = clean_text(_USERINFO.sub(r"\1", line), 80)  # no password of a filtered feed
    if kind == "filter:":
        # filter:SCRIPT:URL; the URL may be worth subscribing to as it is.
        target = url[len(kind):].partition(":")[2]
        if is_http_url(target):
            reason += f" (the feed it filters: {display_url(target, 200)})"
    return f"{where}: {shown}: {reason}"


def parse_newsboat_urls(text: str, source: str = "urls") -> UrlsImport:
    """Every feed line of a urls file; a feed on several lines gets all their tags.

    A line whose first word is not a URL (``scheme:…``) means this is not a urls file:
    that raises :class:`NotAUrlsFile` naming the line, and nothing is imported.
    """
    found: dict[str, tuple[str | None, list[str], str | None]] = {}
    result = UrlsImport()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line[0] == "#":
            continue
        words = _words(line)
        if not words:
            continue
        where = f"{source}:{number}"
        url, tags = words[0][0].strip(), [word for word, _quoted in words[1:]]
        if not _SCHEME.match(url):
            raise NotAUrlsFile(
                f"{where}: not an OPML file or a newsboat urls file (this line, "
                f"\"{clean_text(line, 60)}\", is not a feed URL and its tags)"
            )
        kind = _program_kind(url)
        if kind is not None:
            result.skipped.append(_skip_program(where, line, url, kind))
            continue
        if len(url) > 2048 or not is_http_url(url):
            result.skipped.append(f"{where}: {display_url(url, 100)}: not an http(s) URL")
            continue
        if any('"' in word for word, quoted in words[1:] if not quoted):
            suggest = _QUOTED_TITLE.search(line)
            fix = (f': write "~{clean_text(suggest.group(1), 100)}" for a title with spaces'
                   if suggest else "")
            result.notes.append(f"{where}: a quote inside a word is part of the word, as "
                                f"newsboat reads it{fix}")
        titles = [w[1:] for w in tags if w.startswith("~")]
        if any(w.startswith("!") for w in tags):
            result.hidden.append(display_url(normalise_url(url)))
        plain = [w for w in tags if not w.startswith(("~", "!"))]
        key, credentials = normalise_url(url), credentials_of(url)
        title = clean_text(titles[0], 200) if titles else None
        if key in found:
            old_title, old_tags, old_credentials = found[key]
            found[key] = (old_title or title, old_tags + plain, old_credentials or credentials)
        else:
            found[key] = (title or None, plain, credentials)
    result.subscriptions.extend(
        Subscription(url=url, title=title, tags=clean_tags(tags), credentials=credentials)
        for url, (title, tags, credentials) in found.items()
    )
    return result
