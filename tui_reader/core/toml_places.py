"""Where things are in a TOML file: the line of each key, table header and array item.

tomllib gives values without positions, and names a line only for syntax errors; a wrong
value deserves a file:line too, and a theme is changed in place by offset. A small scanner
walks the text as TOML does (strings, comments, inline arrays and tables, quoted and
dotted keys) and records where each path first appears: ``("feed", 102)`` is the 103rd
``[[feed]]`` (its header, or its ``{`` in ``feed = [{…}]``), ``("feed", 102, "url")`` its
url. On a broken file it stops where TOML would and remembers where the innermost open
string, array or inline table began.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?")  # numbers, booleans, dates
_QUOTES = ('"""', "'''", '"', "'")


@dataclass(slots=True)
class Places:
    """What the scanner found; offsets index the scanned text."""

    lines: dict[Key, int] = field(default_factory=dict)
    """First line (1-based) of each path: key, table header or array item."""
    values: dict[Key, tuple[int, int]] = field(default_factory=dict)
    """Start and end offsets of each ``key = value``'s value."""
    top_end: int | None = None
    """Offset just past the line of the last top-level ``key = value``."""
    first_table: int | None = None
    """Offset of the start of the first table header's line."""
    statements: list[tuple[int, Key, bool]] = field(default_factory=list)
    """Each top-level statement in order: its line, full key and whether it is a header."""
    open_line: int | None = None
    """Line where an unclosed string, array or inline table began (broken files)."""
    open_closer: str | None = None
    """What would close it: a quote, ``]`` or ``}``."""

    def line(self, key: Key) -> int | None:
        """The line of *key*; else where its first part is (``("feed",)`` is ``[[feed]]``'s
        first header); else of its nearest recorded parent."""
        if key in self.lines:
            return self.lines[key]
        inside = [line for found, line in self.lines.items() if found[: len(key)] == key]
        if inside:
            return min(inside)
        for end in range(len(key) - 1, 0, -1):
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return None


class _Stop(Exception):
    """The text stops being TOML here; what was found so far stands."""


def places(text: str) -> Places:
    """Scan *text* (need not be valid TOML) and return the places found."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (_Stop, IndexError, RecursionError):
        if scanner.open:
            start, closer = scanner.open[-1]
            scanner.found.open_line = scanner.line(start)
            scanner.found.open_closer = closer
    return scanner.found


def file_line(path: Path, key: Key) -> str:
    """``file:line`` where *key* is set (or its table starts); just ``file`` if not found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return str(path)
    line = places(text).line(key)
    return f"{path}:{line}" if line else str(path)


class _Scanner:
    """A forgiving TOML walker: records places, never builds values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.found = Places()
        self.arrays: dict[Key, int] = {}  # [[array]] path -> tables so far
        self.open: list[tuple[int, str]] = []  # (offset, closer) of what is still open

    def line(self, pos: int) -> int:
        return bisect_left(self.newlines, pos) + 1

    def record(self, key: Key, pos: int) -> None:
        self.found.lines.setdefault(key, self.line(pos))

    def document(self) -> None:
        table: Key = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.text.startswith("[", start):
                table = self.header()
                self.record(table, start)
                self.found.statements.append((self.line(start), table, True))
                if self.found.first_table is None:
                    self.found.first_table = self.text.rfind("\n", 0, start) + 1
            else:
                key = self.key_value(table)
                self.found.statements.append((self.line(start), key, False))
            self.skip_blank(newlines=False)
            if self.pos < len(self.text) and self.text[self.pos] not in "\r\n":
                raise _Stop
            if not table and not self.text.startswith("[", start):
                self.found.top_end = self.text.find("\n", self.pos) + 1 or len(self.text)

    def header(self) -> Key:
        array = self.text.startswith("[[", self.pos)
        self.pos += 2 if array else 1
        key = self.key()
        closer = "]]" if array else "]"
        if not self.text.startswith(closer, self.pos):
            raise _Stop
        self.pos += len(closer)
        parent = self.resolve(key[:-1])
        if not array:
            return self.resolve(key)
        path = (*parent, key[-1])
        index = self.arrays.get(path, 0)
        self.arrays[path] = index + 1
        return (*path, index)

    def resolve(self, key: Key) -> Key:
        """*key* with the last table of every [[array]] on its way, as TOML reads it."""
        out: Key = ()
        for part in key:
            out = (*out, part)
            if out in self.arrays:
                out = (*out, self.arrays[out] - 1)
        return out

    def key_value(self, table: Key) -> Key:
        start = self.pos
        key = self.key()
        for end in range(1, len(key) + 1):
            self.record((*table, *key[:end]), start)
        if not self.text.startswith("=", self.pos):
            raise _Stop
        self.pos += 1
        self.skip_spaces()
        value_start = self.pos
        self.value((*table, *key))
        self.found.values.setdefault((*table, *key), (value_start, self.pos))
        return (*table, *key)

    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self.skip_spaces()
            bare = _BARE.match(self.text, self.pos)
            if bare:
                parts.append(bare.group())
                self.pos = bare.end()
            elif self.text[self.pos] in "\"'":
                start = self.pos
                self.string()
                parts.append(_unquote(self.text[start : self.pos]))
            else:
                raise _Stop
            self.skip_spaces()
            if not self.text.startswith(".", self.pos):
                return tuple(parts)
            self.pos += 1

    def value(self, key: Key) -> None:
        char = self.text[self.pos]
        if char in "\"'":
            self.string()
        elif char == "[":
            self.array(key)
        elif char == "{":
            self.inline_table(key)
        else:
            scalar = _SCALAR.match(self.text, self.pos)
            if not scalar:
                raise _Stop
            self.pos = scalar.end()

    def array(self, key: Key) -> None:
        self.open.append((self.pos, "]"))
        self.pos += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.text[self.pos] == "]":
                break
            self.record((*key, index), self.pos)
            self.value((*key, index))
            index += 1
            self.skip_blank(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1
            elif self.text[self.pos] != "]":
                raise _Stop
        self.pos += 1
        self.open.pop()

    def inline_table(self, key: Key) -> None:
        self.open.append((self.pos, "}"))
        self.pos += 1
        self.skip_spaces()
        while self.text[self.pos] != "}":
            self.key_value(key)
            self.skip_spaces()
            if self.text[self.pos] == ",":
                self.pos += 1
                self.skip_spaces()
            elif self.text[self.pos] != "}":
                raise _Stop
        self.pos += 1
        self.open.pop()

    def string(self) -> None:
        quote = next(q for q in _QUOTES if self.text.startswith(q, self.pos))
        self.open.append((self.pos, quote))
        self.pos += len(quote)
        basic, multiline = quote[0] == '"', len(quote) == 3
        while True:
            char = self.text[self.pos]  # IndexError at the end: unclosed
            if basic and char == "\\":
                self.pos += 2
            elif self.text.startswith(quote, self.pos):
                self.pos += len(quote)
                for _ in range(2 if multiline else 0):  # up to two quotes before the closer
                    if self.text.startswith(quote[0], self.pos):
                        self.pos += 1
                break
            elif char in "\r\n" and not multiline:
                raise _Stop
            else:
                self.pos += 1
        self.open.pop()

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def skip_blank(self, *, newlines: bool) -> None:
        """Spaces and comments (and line ends when *newlines*)."""
        space = " \t\r\n" if newlines else " \t"
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in space:
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else (end + 1 if newlines else end)
            else:
                return


def _unquote(quoted: str) -> str:
    """A quoted key's text, escapes and all, as TOML reads it."""
    try:
        return str(tomllib.loads(f"k = {quoted}")["k"])
    except tomllib.TOMLDecodeError:
        return quoted.strip("\"'")
