"""What fastfeedparser reads wrong or drops, read again from lxml's tree: the one place
its gaps are worked around, in one pass, made only when the document needs it.

fastfeedparser (0.6.5):

- drops slash:comments and thr:total;
- does not say whether an Atom title or summary is text or HTML (RFC 4287 §3.1), so
  "History of the &lt;blink&gt; tag" in a text title cannot be told from a tag;
- reads ``type="xhtml"`` titles and summaries as empty, hands xhtml content over with
  its ``<div>`` wrapper and namespaces, and knows nothing of Atom 0.3's ``mode``;
- ignores ``xml:base``, so relative links resolve against the wrong page;
- takes an item's first ``*:title`` child as its title, so a ``<media:title>`` written
  before the item's own ``<title>`` wins.

Each would be a small fix upstream (keep each text construct's ``type`` and read xhtml
with its tails; resolve ``xml:base``; prefer the unprefixed title). Until then,
:func:`needs_tree` says from cheap checks of the bytes and of fastfeedparser's entries
whether a second parse is worth it, and :func:`read_tree` makes it.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from tui_reader.core.parse_item import _count, _str
from tui_reader.core.parse_sniff import _hardened_parser
from tui_reader.core.parse_text import TextKind

_SLASH_NS = "http://purl.org/rss/1.0/modules/slash/"
_THREAD_NS = "http://purl.org/syndication/thread/1.0"
_ATOM_10 = "http://www.w3.org/2005/Atom"
_ATOM_03 = "http://purl.org/atom/ns#"
_ATOM = frozenset({_ATOM_10, "https://www.w3.org/2005/Atom", _ATOM_03})
_MEDIA_NS = "http://search.yahoo.com/mrss/"
_RSS_TITLE_NS = frozenset({"", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"})
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_HTML_TYPES = frozenset({"html", "text/html"})
_XML_TYPES = frozenset({"xhtml", "application/xhtml+xml"})

_ENTRY_START = re.compile(rb"<(?:[\w.-]{1,30}:)?(?:item|entry)[\s>/]")
_OWN_TITLE = re.compile(rb"<title[\s>/]")
_PREFIXED_TITLE = re.compile(rb"<[A-Za-z_][\w.-]{0,30}:title[\s>/]")
_XHTML_TYPE = re.compile(rb"""type\s*=\s*["'](?:xhtml|application/xhtml\+xml)["']""")
_NOT_HTML = rb"""(?![^<>]*\stype\s*=\s*["'](?:x?html|text/html)["'])[\s>/]"""
_TEXT_SUMMARY = re.compile(rb"<(?:[\w.-]{1,30}:)?summary" + _NOT_HTML)
_TEXT_CONTENT = re.compile(rb"<(?:[\w.-]{1,30}:)?content" + _NOT_HTML)
"""A summary or content start tag that does not say it is HTML: text by default."""


@dataclass(slots=True)
class Construct:
    """A title, summary or content element's text and how it is to be read."""

    value: str
    kind: TextKind

    @property
    def is_html(self) -> bool:
        return self.kind == "html"


@dataclass(slots=True)
class EntryTree:
    """One entry as the tree has it; None means "what fastfeedparser said stands"."""

    keys: set[str] = field(default_factory=set)
    comments: int | None = None
    title: Construct | None = None
    summary: Construct | None = None
    content: Construct | None = None
    base: str | None = None
    """The ``xml:base`` in force for the entry's links, when one is."""
    body_base: str | None = None
    """The ``xml:base`` in force for its body (its content, else its summary)."""


@dataclass(slots=True)
class FeedTree:
    """The feed's own title and base, and its entries in document order."""

    title: Construct | None = None
    base: str | None = None
    entries: list[EntryTree] = field(default_factory=list)
    text_constructs: bool = False
    """Whether the Atom entries' titles, summaries and content were read (all of them)."""


def _reads_differently(values: Sequence[object]) -> bool:
    """Whether any of *values* would read differently as text and as HTML."""
    for value in values:
        if isinstance(value, str) and (
            "<" in value or ("&" in value and html_lib.unescape(value) != value)
        ):
            return True
    return False


def _title_after_another(data: bytes) -> bool:
    """Whether some item has a prefixed title (media:title, dc:title…) before its own."""
    if b":title" not in data or not _PREFIXED_TITLE.search(data):
        return False
    for chunk in _ENTRY_START.split(data)[1:]:
        prefixed = _PREFIXED_TITLE.search(chunk)
        if prefixed:
            own = _OWN_TITLE.search(chunk)
            if own is None or prefixed.start() < own.start():
                return True
    return False


def needs_tree(data: bytes, entries: Sequence[Mapping[str, Any]], *, atom: bool) -> bool:
    """Whether :func:`read_tree` would change anything fastfeedparser read.

    The tree costs about as much as fastfeedparser's whole reading (lxml, 6 ms for a
    450 KB feed), so it is made only for what needs it: comment counts, ``xml:base``,
    a title written after another, and in Atom xhtml, Atom 0.3, and text constructs
    whose type matters (text that would read otherwise as HTML).
    """
    if _SLASH_NS.encode() in data or _THREAD_NS.encode() in data or b"xml:base" in data:
        return True
    if _title_after_another(data):
        return True
    if not atom:
        return False
    # Atom 0.3's namespace is the root's: the head is enough to look in.
    if _ATOM_03.encode() in data[:4096] or (b"xhtml" in data and _XHTML_TYPE.search(data)):
        return True
    titles = [e.get("title") for e in entries]
    if not all(_str(t) for t in titles) or _reads_differently(titles):
        return True
    if _reads_differently([e.get("description") for e in entries]) and _TEXT_SUMMARY.search(
        data
    ):
        return True
    # fastfeedparser calls content with no type "text/html" (it is text); type="html"
    # stays "html".
    untyped = [
        block.get("value")
        for entry in entries
        for block in (entry.get("content") or ())
        if isinstance(block, Mapping) and block.get("type") == "text/html"
    ]
    return _reads_differently(untyped) and bool(_TEXT_CONTENT.search(data))


def _split(tag: object) -> tuple[str, str]:
    """An element's namespace and local name ("" and "" for comments and the like)."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _inner_markup(el: etree._Element, *, unwrap: bool) -> str:
    """What is inside *el* as HTML: its text, children and their tails (xhtml's text
    after a child element is the author's text too), without namespaces, and without
    the ``<div>`` that Atom's xhtml wraps it in."""
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = node.tag.split("}", 1)[1]
    etree.cleanup_namespaces(el)
    box = el
    if unwrap and len(el) == 1 and el[0].tag == "div" and not (el.text or "").strip():
        box = el[0]
    parts = [html_lib.escape(box.text or "", quote=False)]
    parts += [
        etree.tostring(child, method="html", encoding="unicode", with_tail=True)
        for child in box
    ]
    return "".join(parts)


def _base64_text(el: etree._Element) -> str:
    try:
        return base64.b64decode("".join(el.itertext()), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _atom_construct(el: etree._Element, *, atom03: bool) -> Construct:
    """An Atom text construct or content element as RFC 4287 §3.1 and §4.1.3 (and Atom
    0.3's ``mode``) say to read it."""
    kind = (el.get("type") or ("text/plain" if atom03 else "text")).strip().lower()
    mode = (el.get("mode") or "xml").strip().lower() if atom03 else ""
    html = kind in _HTML_TYPES
    if mode == "base64" or (
        not atom03 and "/" in kind and not kind.startswith("text/") and not kind.endswith("xml")
    ):
        return Construct(_base64_text(el), "html" if html else "text")
    if html:
        markup = _inner_markup(el, unwrap=False) if len(el) else (el.text or "")
        return Construct(markup, "html")
    if kind in _XML_TYPES or kind.endswith(("+xml", "/xml")):
        return Construct(_inner_markup(el, unwrap=kind == "xhtml"), "html")
    return Construct("".join(el.itertext()), "text")


_TITLE_RANK = {ns: 0 for ns in _RSS_TITLE_NS} | {_MEDIA_NS: 2}
"""An item's own title first, another module's (dc:title) next, the media's last."""


def _read_entry(el: etree._Element, *, atom: bool, atom03: bool, bases: bool) -> EntryTree:
    """One item or entry. A loop over its children, kept lean: it runs for every item of
    every feed with comment counts."""
    entry = EntryTree()
    about = el.get(_RDF_ABOUT)
    if about:
        entry.keys.add(about.strip())
    body_el = summary_el = title_el = None
    title_rank = 3
    for child in el:
        tag = child.tag
        if type(tag) is not str:
            continue  # a comment or processing instruction
        if tag[0] == "{":
            ns, _, name = tag[1:].partition("}")
        else:
            ns, name = "", tag
        if name in ("guid", "id", "link"):
            text = (child.text or child.get("href") or "").strip()
            if text:
                entry.keys.add(text)
        if name == "title" and not atom:
            rank = _TITLE_RANK.get(ns, 1)
            if rank < title_rank:
                title_el, title_rank = child, rank
        elif name == "comments" and ns == _SLASH_NS and entry.comments is None:
            entry.comments = _count(child.text)
        elif name == "total" and ns == _THREAD_NS:
            entry.comments = _count(child.text)
        elif name == "link" and child.get("rel") == "replies" and entry.comments is None:
            entry.comments = _count(child.get(f"{{{_THREAD_NS}}}count"))
        elif not atom and name in ("encoded", "description") and (
            body_el is None or name == "encoded"
        ):
            body_el = child  # content:encoded, else the description
        elif atom and ns in _ATOM:
            if name == "title" and entry.title is None:
                entry.title = _atom_construct(child, atom03=atom03)
            elif name == "summary" and entry.summary is None:
                summary_el, entry.summary = child, _atom_construct(child, atom03=atom03)
            elif name == "content" and entry.content is None:
                body_el, entry.content = child, _atom_construct(child, atom03=atom03)
    if not atom:
        text = "" if title_el is None else "".join(title_el.itertext())
        entry.title = Construct(text, "guess")
    if bases:
        root_base = el.getroottree().docinfo.URL
        entry.base = el.base if el.base != root_base else None
        body = body_el if body_el is not None else summary_el
        if body is not None and body.base != root_base:
            entry.body_base = body.base
    return entry


def read_tree(data: bytes, url: str, *, atom: bool) -> FeedTree | None:
    """The second reading; None when lxml cannot make a tree of the document."""
    try:
        root = etree.fromstring(data, _hardened_parser(recover=True), base_url=url)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    atom03 = atom and _split(root.tag)[0] == _ATOM_03
    bases = b"xml:base" in data
    tree = FeedTree(text_constructs=atom)
    if bases and root.base != url:
        tree.base = root.base
    if atom:
        for child in root:
            ns, name = _split(child.tag)
            if name == "title" and ns in _ATOM:
                tree.title = _atom_construct(child, atom03=atom03)
                break
    tree.entries = [
        _read_entry(el, atom=atom, atom03=atom03, bases=bases)
        for el in root.iter("{*}item", "{*}entry")
    ]
    return tree


def match_entries(entries: Sequence[Mapping[str, Any]], tree: FeedTree | None) -> list[
    EntryTree | None
]:
    """Each of fastfeedparser's entries with the tree's reading of it: by position when
    both found as many, else by id or link."""
    if tree is None:
        return [None] * len(entries)
    if len(tree.entries) == len(entries):
        return list(tree.entries)
    by_key = {key: found for found in tree.entries for key in found.keys}
    result: list[EntryTree | None] = []
    for entry in entries:
        found = None
        for key in (_str(entry.get("id")), _str(entry.get("link"))):
            if key and key.strip() in by_key:
                found = by_key[key.strip()]
                break
        result.append(found)
    return result
