"""Values and keys written as TOML, for error lines and in-place edits.

A user who wrote ``full_text = "yes"`` should read ``got "yes"``, not Python's ``'yes'``,
``True`` or ``None``. What a file holds is hostile like any text: characters that could
drive the terminal are shown as ``\\u001b`` escapes, never as themselves.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time

from .sanitize import UNSAFE

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}
_UNSAFE_OR_TAB = re.compile(r"[\t\n]|" + UNSAFE.pattern)
_NEEDS_ESCAPE = re.compile(r'[\\"\b\t\n\f\r]|' + UNSAFE.pattern)


def toml_string(text: str) -> str:
    """*text* as a TOML basic string, quotes and all; safe to put on a terminal."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _ESCAPES.get(char) or f"\\u{ord(char):04x}"

    return '"' + _NEEDS_ESCAPE.sub(escape, text) + '"'


def shown(text: str) -> str:
    """*text* as it is, but with anything that could drive the terminal as a ``\\u`` escape."""
    return _UNSAFE_OR_TAB.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def toml_key(key: str | int) -> str:
    """A key as written in TOML: bare when it can be, quoted otherwise."""
    text = str(key)
    return text if _BARE.fullmatch(text) else toml_string(text)


def toml_value(value: object, limit: int = 80) -> str:
    """*value* as TOML writes it (``true``, ``"text"``, ``[1, 2]``), cut near *limit*."""
    text = _value(value, limit)
    return text if len(text) <= limit * 2 else text[: limit * 2] + "…"


def _value(value: object, limit: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value if len(value) <= limit else value[: limit - 1] + "…")
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v, limit) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{toml_key(k)} = {_value(v, limit)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return toml_string(str(value))


def did_you_mean(key: str, allowed: Iterable[str]) -> str:
    """`` (did you mean title?)`` for a key close to an allowed one (a typo), else ``""``."""
    close = difflib.get_close_matches(key.lower().replace(" ", "_"), list(allowed), n=1)
    return f" (did you mean {toml_key(close[0])}?)" if close else ""
