"""A feed's bytes as UTF-8, decoded the way browsers decode them.

XML parsers believe the label: libxml2 reads ``encoding="iso-8859-1"`` as Latin-1, so a
feed written in Windows-1252 under that label (most of them) loses its curly quotes and
dashes to C1 control characters. Browsers follow the WHATWG Encoding Standard instead,
where ``iso-8859-1``, ``latin1`` and ``us-ascii`` are all labels of windows-1252, and the
HTTP charset wins over the XML declaration. Both are done here, once, before either
parser sees the document, which then always gets UTF-8 with a declaration that says so.

One deliberate step beyond browsers: a document that is valid UTF-8 is read as UTF-8
whatever its label says. A server that labels UTF-8 as ISO-8859-1 is common, a legacy
text that happens to be valid UTF-8 is all but impossible, and the browser's reading of
such a feed is mojibake ("â€¦" for "…").
"""

from __future__ import annotations

import codecs
import re

_XML_ENCODING = re.compile(rb"""^(<\?xml[^>]{0,200}?encoding\s*=\s*["'])([A-Za-z0-9._:-]{1,40})""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)

_WHATWG = {
    "cp1252": (
        "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
        "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"
    ),
    "cp1254": (
        "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
        "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254"
    ),
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    "cp949": (
        "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
        "ksc5601 ksc_5601 windows-949"
    ),
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
}
"""WHATWG labels whose encoding is a superset of what Python's codec of that name reads."""
_LABELS = {label: codec for codec, labels in _WHATWG.items() for label in labels.split()}
_UTF8 = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"})


C1_AS_CP1252 = {
    byte: char
    for byte in range(0x80, 0xA0)
    if (char := bytes([byte]).decode("cp1252", "ignore"))
}
"""C1 controls as the Windows-1252 characters their authors meant: ``&#146;`` (the HTML
standard maps such references so) or a Windows-1252 byte read as Latin-1 both give
U+0092, which browsers show as "’". The five bytes cp1252 leaves undefined are absent:
they stay controls, and are cleaned away later."""


def _undefined_as_latin1(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Python's cp1252 leaves undefined decode to the same code point, as
    the WHATWG windows-1252 table has it (they are then dropped as control characters)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("tui-reader-windows-1252", _undefined_as_latin1)


def _codec(label: str | None) -> str | None:
    """The Python codec for an encoding label; None for UTF-8 or a name nobody knows."""
    if not label:
        return None
    name = label.strip().lower()
    if name in _UTF8:
        return None
    if name in _LABELS:
        return _LABELS[name]
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    # UTF-16 and UTF-32 without a BOM or a NUL up front are a wrong label, not a fact.
    return None if found == "utf-8" or found.startswith(("utf-16", "utf-32")) else found


def _relabelled(data: bytes) -> bytes:
    """*data* (UTF-8) with its XML declaration, if any, saying so."""
    return _XML_ENCODING.sub(rb"\1utf-8", data, count=1)


def is_wide(data: bytes) -> bool:
    """UTF-16 or UTF-32 (a BOM or a NUL in the first bytes): the parsers' own sniffing
    handles those, and byte-level fixes must not touch them."""
    return data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]


def to_utf8(data: bytes, content_type: str | None) -> bytes:
    """*data* as UTF-8 with a matching declaration (UTF-16 and UTF-32 left as they are)."""
    if is_wide(data):
        return data
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    declared = _XML_ENCODING.match(data)
    declared_label = declared.group(2).decode("ascii") if declared else None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data if declared_label is None or _codec(declared_label) is None else (
            _relabelled(data)
        )
    http = _CHARSET.search(content_type or "")
    # The HTTP charset first, as browsers do; then the declaration; then windows-1252,
    # the browsers' guess for a page with no label. A UTF-8 label is plainly wrong here.
    codec = _codec(http.group(1) if http else None) or _codec(declared_label) or "cp1252"
    errors = "tui-reader-windows-1252" if codec == "cp1252" else "replace"
    try:
        text = data.decode(codec, errors)
    except LookupError:  # pragma: no cover - _codec only names codecs that exist
        text = data.decode("cp1252", "tui-reader-windows-1252")
    return _relabelled(text.encode("utf-8"))
