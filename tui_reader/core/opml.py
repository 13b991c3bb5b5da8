"""OPML import and export: the format every feed reader uses to move subscriptions.

An OPML file comes from somewhere else and is hostile until proven otherwise. It is parsed
with defusedxml (no entity declarations, no external DTDs, so no billion-laughs or XXE),
its attributes are treated as plain strings, only http(s) feed URLs are accepted, and every
string goes through :mod:`sanitize` before it reaches the config or the screen.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from .errors import UserError
from .feeds_file import Subscription, clean_tags
from .http_url import credentials_of, display_url, is_http_url, normalise_url, without_credentials
from .sanitize import clean_optional, clean_text

# OPML's category attribute: comma-separated list of slash-delimited paths ("/News/World").
_CATEGORY_SPLIT = re.compile(r"[,/]")
# Characters XML 1.0 cannot carry at all, even escaped; dropped before export.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OpmlError(UserError):
    """An OPML file that cannot be imported; the message is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class OpmlImport:
    """What an OPML file yielded: feeds to subscribe to, and entries left out with a reason."""

    subscriptions: list[Subscription] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One line per outline not imported, e.g. ``"Intranet (file:///x): not an http(s) URL"``."""


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute by case-insensitive name: exporters disagree on ``xmlUrl`` vs ``xmlurl``."""
    value = element.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in element.attrib.items():
        if key.lower() == lowered:
            return candidate
    return None


def _label(element: ET.Element) -> str | None:
    """An outline's human name: ``title`` if present, else ``text``."""
    title = clean_optional(_attr(element, "title"), 200)
    return title or clean_optional(_attr(element, "text"), 200)


def _categories(element: ET.Element) -> list[str]:
    raw = _attr(element, "category") or ""
    return [part for part in (clean_text(p) for p in _CATEGORY_SPLIT.split(raw)) if part]


_Found = dict[str, tuple[str | None, list[str], str | None]]
"""Feeds by URL: title, tags, credentials (``user:password`` from the xmlUrl)."""


def _take(
    found: _Found,
    raw_url: str,
    label: str | None,
    tags: tuple[str, ...],
) -> str | None:
    """Add one feed outline to ``found``; return why it was refused, or None."""
    url_text = clean_text(raw_url)
    if not url_text:
        return "empty xmlUrl"
    if len(url_text) > 2048:
        return "xmlUrl is too long"
    if not is_http_url(url_text):
        return f"not an http(s) URL ({display_url(url_text, 200)})"
    url, credentials = normalise_url(url_text), credentials_of(url_text)
    # A title that is only the URL (what exporters write when there is none) is no title.
    title = None if label in (url_text, url) else label
    if url in found:
        old_title, old_tags, old_credentials = found[url]
        found[url] = (old_title or title, old_tags + list(tags), old_credentials or credentials)
    else:
        found[url] = (title, list(tags), credentials)
    return None


def _parse_xml(data: bytes, source: str) -> ET.Element:
    try:
        return defused_fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise OpmlError(
            f"{source}: refused an entity or external reference "
            f"({type(exc).__name__}); OPML files never need one"
        ) from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, 0))
        reason = clean_text(str(exc)).split(":")[0] or "not well-formed"
        # expat counts columns from 0; editors count from 1.
        where = f" at line {line}, column {column + 1}" if line is not None else ""
        raise OpmlError(f"{source}: malformed XML{where} ({reason})") from None


def parse_opml(data: bytes, source: str = "OPML") -> OpmlImport:
    """Every outline with an ``xmlUrl``, at any depth; enclosing folders become its tags.

    A feed listed in several folders becomes one subscription carrying all their tags.
    """
    root = _parse_xml(data, source)
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag.rsplit("}", 1)[-1].lower() != "opml":
        raise OpmlError(f"{source}: not an OPML file (the root element is <{clean_text(tag, 40)}>)")
    body = next((child for child in root if str(child.tag).lower() == "body"), None)
    if body is None:
        raise OpmlError(f"{source}: not an OPML file (no <body> element)")

    found: _Found = {}
    skipped: list[str] = []
    # Depth-first in document order with an explicit stack: a hostile file nested
    # thousands of levels deep must not hit Python's recursion limit.
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))
    ]
    while stack:
        outline, folders = stack.pop()
        if str(outline.tag).lower() != "outline":
            continue
        label = _label(outline)
        raw_url = _attr(outline, "xmlUrl")
        if raw_url is not None:
            problem = _take(found, raw_url, label, folders + tuple(_categories(outline)))
            if problem:
                name = label or "(untitled outline)"
                skipped.append(clean_text(f"{name}: {problem}", 300))
        inner = folders + ((label,) if label else ())
        stack.extend((child, inner) for child in reversed(list(outline)))

    subs = [
        Subscription(url=url, title=title, tags=clean_tags(tags), credentials=credentials)
        for url, (title, tags, credentials) in found.items()
    ]
    return OpmlImport(subscriptions=subs, skipped=skipped)


def _xml_safe(value: str) -> str:
    return _XML_INVALID.sub("", value)


def build_opml(subs: list[Subscription], title: str = "tui-reader subscriptions") -> str:
    """OPML 2.0 text: one folder per first tag, every tag also in ``category``.

    ElementTree does the escaping, so titles and URLs are written as data whatever they hold.
    A tag containing "," or "/" is split by readers (including ours) on import.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_safe(clean_text(title))
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")

    folders: dict[str, ET.Element] = {}
    for sub in subs:
        tags = [_xml_safe(t) for t in clean_tags(list(sub.tags))]
        parent = body
        if tags:
            if tags[0] not in folders:
                folders[tags[0]] = ET.SubElement(body, "outline", text=tags[0], title=tags[0])
            parent = folders[tags[0]]
        url = _xml_safe(without_credentials(sub.url))  # an export never holds a password
        name = _xml_safe(clean_text(sub.title)) if sub.title else ""
        attrs = {"type": "rss", "text": name or url}
        if name:
            attrs["title"] = name
        attrs["xmlUrl"] = url
        if tags:
            attrs["category"] = ",".join(tags)
        ET.SubElement(parent, "outline", attrs)

    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
