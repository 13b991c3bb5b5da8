"""Dates in feeds: the two text formats, feedparser's struct_time, and fastfeedparser's guesses.

Kept apart from the readers because every reader needs dates and each gets them its own way;
the guid check lives here because it is about dates, though only fastfeedparser needs it.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from tui_reader.core.parse_item import _str

try:  # a private helper, used only to spot dates fastfeedparser guessed from a guid
    from fastfeedparser.main import _parse_date as _ffp_parse_date
except ImportError:  # pragma: no cover - a future fastfeedparser may move it
    _ffp_parse_date = None

_STRICT_DATE = re.compile(
    r"\d{4}-\d\d-\d\d|\d{1,2} [A-Za-z]{3} \d{2,4}|[A-Za-z]{3}, \d{1,2} [A-Za-z]{3}"
)
"""A guid shaped like a real date: fastfeedparser's reading of it is kept."""
_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?item[\s>/]")
_DATE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:pubDate|published|issued|date)[\s>]", re.IGNORECASE)


def parse_date(value: object) -> int | None:
    """RFC 822 or ISO 8601 to UTC epoch seconds; naive times count as UTC; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        stamp = int(when.timestamp())
    except (OverflowError, OSError, ValueError):
        return None
    return stamp if stamp >= 0 else None


def _struct_epoch(value: object) -> int | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) to epoch seconds."""
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        stamp = calendar.timegm(tuple(value[:6]) + (0, 0, 0))
    except (TypeError, ValueError, OverflowError):
        return None
    return stamp if stamp >= 0 else None


def _guessed_from_guid(entry: Mapping[str, Any], iso: str) -> bool:
    """fastfeedparser dates an undated item by parsing its guid ("42" → 2042): undo that."""
    guid = _str(entry.get("id"))
    if not guid or _ffp_parse_date is None or _STRICT_DATE.search(guid):
        return False
    if guid.startswith(("http://", "https://")):
        return False  # fastfeedparser never reads a date from those
    try:
        return bool(_ffp_parse_date(guid) == iso)
    except Exception:
        return False


def _undated_items(data: bytes, entries: int) -> list[bool] | None:
    """Per RSS item, in order, whether it has no date element: only those can carry a
    date guessed from the guid. Checking every item instead costs up to a millisecond
    each (the guess fails slowly). None when the items cannot be matched up."""
    chunks = _ITEM_TAG.split(data)[1:]
    if len(chunks) != entries:
        return None
    return [_DATE_TAG.search(chunk) is None for chunk in chunks]


def _ffp_date(entry: Mapping[str, Any], key: str, may_be_guessed: bool) -> int | None:
    """A fastfeedparser date (ISO text), unless it was guessed from the guid."""
    iso = _str(entry.get(key))
    if not iso or (may_be_guessed and _guessed_from_guid(entry, iso)):
        return None
    return parse_date(iso)
