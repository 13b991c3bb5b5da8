"""tomllib's syntax errors in plain words, at the line the user has to look at.

tomllib says ``Illegal character '\\n' (at line 2, column 13)`` for a string missing its
closing quote; a user needs "the string that starts on line 2 is not closed". Each message
the installed tomllib raises (see ``tomllib/_parser.py``) is matched by its start and
reworded; for an unclosed string, array or table the line is where it was opened, found
by :mod:`toml_places`, not where the parser gave up.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .toml_places import Key, Places, places
from .toml_text import shown as plain
from .toml_text import toml_key, toml_string

_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_HINT_KEYS = "keys are letters, digits, _ and -, or text in quotes"
_BACKSLASH = "write \\\\ for a backslash, or use '…' quotes"


@dataclass
class _Spot:
    """Where the parser stopped, with the text around it."""

    text: str
    pos: int
    line: int

    @cached_property
    def places(self) -> Places:
        return places(self.text)

    def rest(self, stop: str = "\r\n#") -> str:
        """The text from the parser's stop to the end of the line (or *stop*), cut short."""
        end = self.pos
        while end < len(self.text) and self.text[end] not in stop:
            end += 1
        text = self.text[self.pos : end].strip()
        return text if len(text) <= 40 else text[:39] + "…"

    def statement(self) -> tuple[int, Key, bool] | None:
        """The statement (line, key, is header) the parser was in."""
        found = [s for s in self.places.statements if s[0] <= self.line]
        return found[-1] if found else None


def explain(message: str, text: str) -> tuple[int | None, str]:
    """(line, words) for a tomllib error *message* about *text*."""
    match = _AT.search(message)
    problem = message[: match.start()] if match else message
    spot: _Spot | None = None
    if match and match.group(1):
        line, column = int(match.group(1)), int(match.group(2))
        start = 0 if line == 1 else _nth_newline(text, line - 1) + 1
        spot = _Spot(text, start + column - 1, line)
    elif match:  # at the end of the document: the last statement, or the last line
        spot = _Spot(text, len(text), max(1, len(text.rstrip().splitlines())))
        if spot.places.statements:
            spot.line = spot.places.statements[-1][0]
    if spot is None:
        return None, problem
    for known, handler in _HANDLERS:
        if problem.startswith(known):
            return handler(spot, problem[len(known) :].strip())
    return spot.line, problem


def _nth_newline(text: str, n: int) -> int:
    pos = -1
    for _ in range(n):
        pos = text.find("\n", pos + 1)
        if pos < 0:
            return len(text)
    return pos


def _dotted(key: Key) -> str:
    return ".".join(toml_key(part) for part in key if isinstance(part, str))


def _char(spot: _Spot, detail: str) -> str:
    """The character a message quotes (``'\\x01'``), or the one at the stop."""
    try:
        return str(ast.literal_eval(detail))
    except (ValueError, SyntaxError):
        return spot.text[spot.pos : spot.pos + 1]


# -- the handlers: (line, words) ----------------------------------------------------------


def _unclosed_string(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    closer, line = spot.places.open_closer, spot.places.open_line
    if closer and closer[0] in "\"'" and line:
        return line, f"the string that starts on line {line} is not closed (a {closer} is missing)"
    return spot.line, "a string is not closed (a quote is missing)"


def _illegal_in_string(spot: _Spot, detail: str) -> tuple[int | None, str]:
    char = _char(spot, detail)
    if char in "\r\n":
        return _unclosed_string(spot, detail)
    code = ord(char)
    return spot.line, f"control character U+{code:04X} in a string (write it as \\u{code:04x})"


def _invalid_character(spot: _Spot, detail: str) -> tuple[int | None, str]:
    char = _char(spot, detail)
    if char in "\r\n":
        return _unclosed_string(spot, detail)
    return spot.line, f"control character U+{ord(char):04X} is not allowed here"


def _invalid_value(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    written = spot.rest("\r\n#,]}")
    if not written:
        return spot.line, 'a value is missing after "="'
    shown = plain(written)
    if written.lower() in ("true", "false"):
        return spot.line, f"invalid value {shown} (true and false are lower case)"
    if re.fullmatch(r"[^\"'=\[\]{}]+", written):
        return spot.line, f"invalid value {shown} (text goes in quotes: {toml_string(written)})"
    return spot.line, f"invalid value {shown}"


def _overwrite(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    here = spot.statement()
    if here is None:
        return spot.line, "a key is set twice"
    line, key, header = here
    earlier = [s for s in spot.places.statements if s[0] < line and not s[2]]  # values only
    for first, old, _ in earlier:
        if header and key[: len(old)] == old:
            return line, (f"the table [{_dotted(key)}] uses a name that already holds a value "
                          f"(line {first})")
        if old == key:
            return line, f"{_dotted(key)} is set a second time (first on line {first})"
        if key[: len(old)] == old:
            return line, (f"{_dotted(old)} already holds a value (line {first}), "
                          f"so {_dotted(key)} cannot be set")
    return line, f"{_dotted(key)} is set a second time"


def _namespace(words: str) -> Callable[[_Spot, str], tuple[int | None, str]]:
    def handler(spot: _Spot, detail: str) -> tuple[int | None, str]:
        try:
            key: Key = tuple(ast.literal_eval(detail.removesuffix("twice").strip()))
        except (ValueError, SyntaxError, TypeError):
            return spot.line, words.format(name="this table", first="")
        first = spot.places.lines.get(key)
        where = f" (first on line {first})" if first and first != spot.line else ""
        return spot.line, words.format(name=_dotted(key), first=where)

    return handler


def _open_bracket(closer: str, words: str) -> Callable[[_Spot, str], tuple[int | None, str]]:
    def handler(spot: _Spot, _detail: str) -> tuple[int | None, str]:
        line = spot.places.open_line if spot.places.open_closer == closer else None
        line = line or spot.line
        return line, words.format(line=line)

    return handler


def _fixed(words: str) -> Callable[[_Spot, str], tuple[int | None, str]]:
    return lambda spot, _detail: (spot.line, words)


def _key_start(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    char = spot.text[spot.pos : spot.pos + 1]
    if char in ("", "\r", "\n"):
        return spot.line, f"a key is missing ({_HINT_KEYS})"
    return spot.line, f"a key cannot start with {toml_string(char)} ({_HINT_KEYS})"


def _statement(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    char = spot.text[spot.pos : spot.pos + 1]
    if not char.isprintable():
        return _invalid_character(spot, repr(char))
    return spot.line, (f"a line cannot start with {toml_string(char)} "
                       "(write key = value, a [table] header or a # comment)")


def _after_statement(spot: _Spot, _detail: str) -> tuple[int | None, str]:
    line_start = spot.text.rfind("\n", 0, spot.pos) + 1
    header = spot.text[line_start : spot.pos].lstrip().startswith("[")
    extra = plain(spot.rest()) or "text"
    return spot.line, (f"unexpected {extra} after the {'table header' if header else 'value'} "
                       "(one key = value per line; comments start with #)")


_HANDLERS: tuple[tuple[str, Callable[[_Spot, str], tuple[int | None, str]]], ...] = (
    ("Unterminated string", _unclosed_string),
    ("Expected \"'\"", _unclosed_string),
    ("Expected \"'''\"", _unclosed_string),
    ("Illegal character", _illegal_in_string),
    ("Found invalid character", _invalid_character),
    ("Invalid value", _invalid_value),
    ("Cannot overwrite a value", _overwrite),
    ("Cannot declare", _namespace("the table [{name}] is declared twice{first}")),
    ("Cannot redefine namespace",
     _namespace("{name} is already defined above{first} and cannot be extended here")),
    ("Cannot mutate immutable namespace",
     _namespace("{name} is already defined above{first} and cannot be extended here")),
    ("Expected '=' after a key", _fixed('expected "=" after the key (key = value)')),
    ("Expected ']' at the end of a table",
     _fixed("the table header is not closed (a ] is missing)")),
    ("Expected ']]' at the end of an array",
     _fixed("the [[…]] header is not closed (]] is missing)")),
    ("Unclosed array", _open_bracket(
        "]", 'the array that starts on line {line} is not closed (a "]", or a "," between items, '
        "is missing)")),
    ("Unclosed inline table", _open_bracket(
        "}", 'the inline table that starts on line {line} is not closed (a "}}" is missing; '
        "{{ … }} must fit on one line)")),
    ("Duplicate inline table key", lambda spot, detail: (
        spot.line, f"{toml_key(_char(spot, detail))} is set twice in the inline table")),
    ("Invalid date or datetime", _fixed(
        "invalid date or time (write 2024-05-27, 07:32:00 or 2024-05-27T07:32:00Z)")),
    ("Unescaped '\\' in a string", _fixed(
        f'a backslash in a "…" string starts an escape: {_BACKSLASH}')),
    ("Invalid hex value",
     _fixed(f"\\u must be followed by 4 hex digits and \\U by 8: {_BACKSLASH}")),
    ("Escaped character is not a Unicode scalar value",
     _fixed("the \\u escape is not a valid Unicode character")),
    ("Invalid initial character for a key part", _key_start),
    ("Invalid statement", _statement),
    ("Expected newline or end of document after a statement", _after_statement),
)

KNOWN_MESSAGES: tuple[str, ...] = tuple(start for start, _ in _HANDLERS)
"""The tomllib messages given plain words (the tests check none is missing)."""
