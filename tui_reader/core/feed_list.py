"""A file of subscriptions to import, told apart by its content, never its name: OPML
(what every reader exports) or newsboat's ``urls`` file (which newsboat users have).

Something else (a newsboat cache, a binary, a text that is not a list of feeds) is
refused with one line saying what it is, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError
from .feeds_file import Subscription
from .newsboat_urls import parse_newsboat_urls
from .opml import parse_opml

_SQLITE = b"SQLite format 3\x00"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class FeedList:
    """The feeds a file lists, and what was left out or is worth a word."""

    kind: str
    """``"OPML"`` or ``"newsboat urls"``."""
    subscriptions: list[Subscription] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)


def read_feed_list(path: Path) -> FeedList:
    """The feeds in *path*, whichever of the two formats it is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from None
    if data.startswith(_SQLITE):
        raise UserError(f"{path}: an SQLite database, not a list of feeds (for newsboat's "
                        f"cache: tui-reader import --newsboat-cache {path})")
    if b"\x00" in data[:65536]:
        raise UserError(f"{path}: not an OPML file or a newsboat urls file (it is binary)")
    if data.removeprefix(_BOM).lstrip().startswith(b"<"):
        opml = parse_opml(data, str(path))
        return FeedList("OPML", opml.subscriptions, opml.skipped)
    urls = parse_newsboat_urls(data.decode("utf-8-sig", errors="replace"), str(path))
    return FeedList("newsboat urls", urls.subscriptions, urls.skipped, urls.notes, urls.hidden)
