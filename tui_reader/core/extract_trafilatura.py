"""trafilatura's way to the article, with its TEI-like tree turned back into HTML.

trafilatura's own HTML output pretty-prints into <pre> and turns inline code into blocks,
so its tree is converted here and then goes through the same Markdown conversion as the
other ways.

Its settings were measured on the evaluation set (bench/extract_f1.py): ``favor_precision``
leaves out more page furniture at no loss of article text, and images are left out
because, asked to keep them, trafilatura also keeps teaser cards (a thumbnail and a
headline) and so whole "more stories" lists; the article's own pictures are put back by
``extract_images``. ``recall`` is the chain's second try, for when the first finds little.
"""

from __future__ import annotations

import lxml.html
import trafilatura
from lxml import etree


def _trafilatura_html(tree: lxml.html.HtmlElement, url: str, recall: bool = False) -> str:
    """The main content as HTML, or "" when trafilatura finds nothing.

    ``tree`` is left as it is: trafilatura works on its own copy.
    """
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        favor_precision=not recall,
        favor_recall=recall,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=True,
        include_links=True,
        deduplicate=False,
    )
    body = getattr(document, "body", None)
    if body is None:
        return ""
    return lxml.html.tostring(_tei_to_html(body), encoding="unicode")


_TEI_TAGS = {
    "list": "ul", "item": "li", "quote": "blockquote", "lb": "br", "ref": "a",
    "graphic": "img", "row": "tr", "del": "del", "doc": "div", "main": "div",
}  # fmt: skip
_HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_KEEP_ATTRS = {"a": ("href",), "img": ("src", "alt", "width", "height"), "ol": ("start",)}
# Parents (already converted to HTML) in which a one-line <code> is inline code.
_INLINE_PARENTS = frozenset({
    "p", "li", "a", "em", "strong", "u", "sub", "sup", "del", "span", "td", "th", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6",
})  # fmt: skip


def _tei_to_html(body: etree._Element) -> etree._Element:
    """Turn trafilatura's TEI-like tree (heads, hi, ref, graphic...) back into plain HTML.

    trafilatura's own HTML output pretty-prints into <pre> and turns inline code into
    blocks, so the conversion is done here.
    """
    for el in list(body.iter(etree.Element)):
        if not isinstance(el.tag, str):
            continue
        tag, attrs = el.tag, dict(el.attrib)
        parent = el.getparent()
        if tag == "head":
            level = (attrs.get("rend") or "h3")[1:]
            el.tag = f"h{level}" if level in ("1", "2", "3", "4", "5", "6") else "h3"
        elif tag == "list":
            el.tag = "ol" if attrs.get("rend") == "ol" else "ul"
        elif tag == "hi":
            el.tag = _HI_TAGS.get(attrs.get("rend") or "", "em")
        elif tag == "ref":
            el.tag = "a"
            attrs["href"] = attrs.get("target", "")
        elif tag == "cell":
            el.tag = "th" if attrs.get("role") == "head" else "td"
        elif tag == "code":
            _code_to_html(el, parent)
            continue
        else:
            el.tag = _TEI_TAGS.get(tag, tag)
        keep = _KEEP_ATTRS.get(el.tag, ())
        el.attrib.clear()
        for name in keep:
            if attrs.get(name):
                el.set(name, attrs[name])
    for table in body.iter("table"):
        _lift_caption(table)
    body.tag = "div"
    return body


def _lift_caption(table: etree._Element) -> None:
    """trafilatura pads a table caption into a first row; put it back above the table."""
    rows = [row for row in table if row.tag == "tr"]
    if len(rows) < 2:
        return
    cells = [cell for cell in rows[0] if "".join(cell.itertext()).strip()]
    if len(cells) != 1 or len(rows[0]) < 2:
        return
    caption = etree.Element("p")
    caption.text = " ".join("".join(cells[0].itertext()).split())
    table.addprevious(caption)
    table.remove(rows[0])


def _code_to_html(el: etree._Element, parent: etree._Element | None) -> None:
    """Block code becomes <pre><code>, inline code stays <code>; nested code is flattened."""
    if parent is not None and parent.tag in ("code", "pre"):
        el.tag = "span"
        el.attrib.clear()
        return
    text = "".join(el.itertext())
    if "\n" not in text.strip() and parent is not None and parent.tag in _INLINE_PARENTS:
        el.tag = "code"
        el.attrib.clear()
        return
    language = ""
    for node in el.iter():
        for word in (node.get("class") or "").split():
            if word.startswith(("language-", "lang-")):
                language = word.split("-", 1)[1]
                break
    tail = el.tail
    el.clear()  # also clears the tail, which is text of the parent
    el.tag, el.tail = "pre", tail
    code = etree.SubElement(el, "code")
    code.text = text
    if language:
        code.set("class", f"language-{language}")
