"""Fewer colour codes in what the app writes to the terminal, for the same screen.

Textual writes every run of text as ``ESC[<whole style>m text ESC[0m``: a 35-byte colour
code and a reset for each word-sized piece, two thirds of the bytes of a keypress at
120x40. Over SSH those bytes are the delay. This rewrites one write at a time so that a
style is sent only when it changes, and then only the parts that change (a new foreground
on the same background is ``ESC[38;2;r;g;bm``). Each write starts with a reset where it
first draws, and ends with one, so whatever comes next starts from the plain state Textual
expects.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"(?P<sgr>\x1b\[[0-9;]*m)"
    r"|(?P<cup>\x1b\[[0-9]*(?:;[0-9]*)?H)"
    r"|(?P<osc>\x1b\][^\x07\x1b]*(?:\x07|\x1b\\))"
    r"|(?P<esc>\x1b(?:\[[0-9;?<>=!]*[ -/]*[@-~]|[^\[\]]))"
    r"|(?P<text>[^\x1b]+|\x1b)"
)
_ATTRIBUTES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53"})
_INKED = frozenset({"4", "7", "9", "21", "53"})
"""Attributes that draw a space in the foreground colour (lines, reverse video)."""
RESET = "\x1b[0m"

Style = tuple[frozenset[str], str | None, str | None]
"""Attributes, foreground, background, as SGR parameters."""
PLAIN: Style = (frozenset(), None, None)


def parse(params: str) -> Style | None:
    """An SGR parameter string as a style, or None when it is not a whole style that this
    module knows (it is then sent as it is)."""
    if params in ("", "0"):
        return PLAIN
    codes = params.split(";")
    attributes: set[str] = set()
    fg: str | None = None
    bg: str | None = None
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("38", "48"):
            size = {"2": 5, "5": 3}.get(codes[i + 1] if i + 1 < len(codes) else "", 0)
            if not size or i + size > len(codes):
                return None
            value = ";".join(codes[i:i + size])
            fg, bg = (value, bg) if code == "38" else (fg, value)
            i += size
            continue
        number = int(code) if code.isdigit() else -1
        if code in _ATTRIBUTES:
            attributes.add(code)
        elif 30 <= number <= 37 or 90 <= number <= 97:
            fg = code
        elif 40 <= number <= 47 or 100 <= number <= 107:
            bg = code
        else:
            return None
        i += 1
    return frozenset(attributes), fg, bg


def change(old: Style | None, new: Style) -> str:
    """The shortest SGR that takes the terminal from *old* (None: unknown) to *new*."""
    if new == PLAIN:
        return RESET
    attributes, fg, bg = new
    if old is None or not old[0] <= attributes:  # an attribute goes: start from plain
        codes = [*sorted(attributes, key=int), *(c for c in (fg, bg) if c)]
        return f"\x1b[0;{';'.join(codes)}m"
    codes = sorted(attributes - old[0], key=int)
    if fg != old[1]:
        codes.append(fg or "39")
    if bg != old[2]:
        codes.append(bg or "49")
    return f"\x1b[{';'.join(codes)}m" if codes else ""


class SgrDiet:
    """Rewrites the app's writes; keeps no state between them (each starts and ends
    plain)."""

    def rewrite(self, data: str) -> str:
        if "\x1b[" not in data:
            return data
        out: list[str] = []
        sent: Style | None = None  # what the terminal has; None: unknown (whatever ran
        # before, a browser killed mid-line say, may have left a style: reset it first)
        wanted: Style | None = PLAIN  # what the text that comes next should have
        for match in _TOKEN.finditer(data):
            kind = match.lastgroup
            token = match.group()
            if kind == "sgr":
                style = parse(token[2:-1])
                if style is None or (style != PLAIN and wanted not in (PLAIN, None)):
                    # Not a whole style on a plain state (Textual does not write these):
                    # bring the terminal up to date and pass it on as it is.
                    if wanted is not None and wanted != sent:
                        out.append(change(sent, wanted))
                    out.append(token)
                    sent = wanted = None
                else:
                    wanted = style
                continue
            if kind == "text" and token.strip("\r\n") == "":
                pass  # a line break between two cursor moves draws nothing
            elif kind in ("text", "esc") and wanted is not None and wanted != sent:
                target, code = wanted, change(sent, wanted)  # erasing uses the style too
                if kind == "text" and sent is not None and token.strip(" ") == "" and not (
                        (wanted[0] | sent[0]) & _INKED):
                    blank = (wanted[0], sent[1], wanted[2])  # a blank shows no foreground
                    blank_code = change(sent, blank) if blank != sent else ""
                    if len(blank_code) < len(code):
                        target, code = blank, blank_code
                out.append(code)
                sent = target
            out.append(token)  # cursor moves and hyperlinks do not depend on the style
        if sent != PLAIN:
            out.append(RESET)
        return "".join(out)
