"""Bookmarks as files and as JSON: one Markdown file per story, with YAML front matter.

File names come from feed titles, which are hostile, so they are reduced to a safe
ASCII slug (no path separators, no leading dots, bounded length) plus the article id.
A target that cannot take the files (a file, a missing parent, no permission) is refused
in one line before anything is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import UserError
from .models import Article
from .store import SNAPSHOT_OK, SNAPSHOT_PENDING, Store

_SLUG = re.compile(r"[^a-z0-9]+")


def iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z") if ts else None


def slug(text: str, limit: int = 60) -> str:
    """An ASCII file-name-safe version of *text*."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cut = _SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return cut or "article"


def snapshot_status(snapshot: str | None) -> str:
    """Whether a bookmark's offline copy is complete, in words for people.

    "full text saved"; "summary only — will retry" while the page is still to be fetched
    (offline, or not yet tried); else why it could not be had ("unavailable: HTTP 403
    Forbidden"); "summary only" when there is no page to fetch.
    """
    if snapshot == SNAPSHOT_OK:
        return "full text saved"
    if snapshot == SNAPSHOT_PENDING:
        return "summary only — will retry"
    if not snapshot:
        return "summary only"
    return "unavailable: " + snapshot.removeprefix("full text unavailable: ")


def all_bookmarks(store: Store) -> list[Article]:
    """Every bookmark, newest bookmark first, read page by page."""
    out: list[Article] = []
    cursor: tuple[int, int] | None = None
    while True:
        page = store.bookmarks(limit=200, offset_cursor=cursor)
        out.extend(page)
        if len(page) < 200:
            return out
        cursor = (page[-1].bookmarked_at or 0, page[-1].id)


def bookmark_record(article: Article) -> dict[str, Any]:
    """The fields scripts get from ``bookmarks --json``."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "feed": article.feed_title,
        "author": article.author,
        "published": iso(article.published or article.timestamp),
        "bookmarked": iso(article.bookmarked_at),
        "snapshot": article.snapshot or "none",
        "categories": list(article.categories),
    }


def _yaml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(str(v), ensure_ascii=False) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


def to_markdown(article: Article) -> str:
    """Front matter (title, url, feed, published, bookmarked) then the best body we have."""
    record = bookmark_record(article)
    keys = ("title", "url", "feed", "author", "published", "bookmarked", "snapshot", "categories")
    front = "\n".join(f"{key}: {_yaml_value(record[key])}" for key in keys)
    from .article_body import with_markdown  # markdownify loads only when exporting

    body = with_markdown(article).body_md
    return f"---\n{front}\n---\n\n# {article.title}\n\n{body}\n"


class ExportError(UserError):
    """Why the bookmarks cannot be written where asked, in one line naming the place."""


def _ready_folder(folder: Path) -> None:
    """Make *folder* (but not its parents: a typo should not grow a tree of folders), or
    say in words why it cannot be the folder ("File exists" did not say it)."""
    if folder.is_dir():
        return
    if folder.exists() or folder.is_symlink():
        what = "is a file, not a folder" if folder.is_file() else "is not a folder"
        raise ExportError(f"{folder} {what}: give a folder to write the Markdown files into")
    parent, missing = folder.parent, None
    while not parent.exists() and parent != parent.parent:
        parent, missing = parent.parent, parent  # name the first folder that is not there
    if parent.exists() and not parent.is_dir():
        raise ExportError(f"cannot create {folder}: {parent} is a file, not a folder")
    if missing is not None:
        raise ExportError(f"cannot create {folder}: {missing} does not exist "
                          "(make it first, or give a folder that exists)")
    try:
        folder.mkdir()
    except PermissionError:
        raise ExportError(f"cannot create {folder}: no permission to write in {parent}") from None
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from None


def export_bookmarks(store: Store, folder: Path) -> list[Path]:
    """Write one file per bookmark into *folder*; returns the paths written."""
    _ready_folder(folder)
    written: list[Path] = []
    for article in all_bookmarks(store):
        when = datetime.fromtimestamp(article.published or article.timestamp, UTC)
        name = f"{when:%Y-%m-%d}-{slug(article.title)}-{article.id}.md"
        path = folder / name
        try:
            path.write_text(to_markdown(article), encoding="utf-8")
        except PermissionError:
            raise ExportError(f"cannot write into {folder}: permission denied") from None
        written.append(path)
    return written
