"""Putting the article's own pictures back into an extractor's text.

trafilatura is asked to leave images out (it finds the article better that way, see
``extract_trafilatura``), so they are put back here from the page: an image goes in right
before the paragraph that follows it on the page, when the article kept that paragraph.
An image inside a link to another page is a teaser card's thumbnail, never put back; an
image followed by a paragraph the article did not keep belongs to something else on the
page; of several images in a row (a gallery) only the one nearest the paragraph goes back.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html
from lxml import etree

_TEXT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "blockquote")
_KEY_CHARS = 160
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def _key(el: etree._Element) -> str:
    """A block's text, squeezed, to find it again in the other tree."""
    return " ".join("".join(el.itertext()).split())[:_KEY_CHARS]


def _restore_images(page: lxml.html.HtmlElement, body_html: str) -> str:
    """``body_html`` with the page's own images put back before the paragraphs they precede."""
    if not body_html.strip() or page.find(".//img") is None:
        return body_html
    body = lxml.html.fragment_fromstring(body_html, create_parent="div")
    kept: dict[str, etree._Element] = {}
    for block in body.iter(*_TEXT_BLOCKS):
        if (key := _key(block)) and key not in kept:
            kept[key] = block
    if any(True for _ in body.iter("img")):
        return body_html  # the extractor kept images itself
    waiting: list[etree._Element] = []
    placed = False
    for el in page.iter("img", *_TEXT_BLOCKS):
        if el.tag == "img":
            src = (el.get("src") or "").strip()
            if src.startswith(("http://", "https://")) and not _in_link(el):
                waiting.append(el)
            continue
        key = _key(el)
        if not key:
            continue
        if waiting and key in kept:
            kept[key].addprevious(_copy_img(waiting[-1]))  # a gallery gives one, the nearest
            placed = True
        waiting = []
    if not placed:
        return body_html
    return lxml.html.tostring(body, encoding="unicode")


def _in_link(el: etree._Element) -> bool:
    """Inside a link to another page: a teaser's thumbnail. A link to the full-size picture
    (``<a href="dial-large.jpg"><img src="dial.jpg">``) is not one."""
    for parent in el.iterancestors("a"):
        path = urlsplit(parent.get("href") or "").path.lower()
        return not path.endswith(_IMAGE_SUFFIXES)
    return False


def _copy_img(img: etree._Element) -> etree._Element:
    """A bare <p><img></p> with the attributes the Markdown keeps."""
    wrapper = etree.Element("p")
    copy = etree.SubElement(wrapper, "img")
    for name in ("src", "alt"):
        if value := img.get(name):
            copy.set(name, value)
    return wrapper
