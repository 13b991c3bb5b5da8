"""Just enough of a terminal to read back what the app drew: cursor moves and SGR.

The pty tests count bytes; the small-terminal tests need to know what a cell shows and
in which attributes (is the cursor row in reverse video? which colour codes were sent?).
Textual draws every line after a cursor move (CSI row;col H), so that, SGR and plain text
are all that is modelled; any other escape sequence is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.cells import cell_len

_ESCAPE = re.compile(
    r"\x1b\[(?P<params>[0-9;:?<=>]*)(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[@-Z\\-_()#%*+0-9=>]"  # two-byte (and charset) escapes
)

COLOUR_CODES = frozenset([*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)])
"""SGR parameters that choose a colour (38 and 48 start a 256-colour or RGB one);
39 and 49 (the default colours) are not colours."""


def sgr_codes(params: str) -> list[int]:
    """The SGR parameters of one ``CSI ... m`` as numbers, the sub-parameters of an
    extended colour (38;5;n, 48;2;r;g;b) folded into their 38 or 48."""
    numbers = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", params or "0")]
    codes: list[int] = []
    i = 0
    while i < len(numbers):
        code = numbers[i]
        codes.append(code)
        if code in (38, 48, 58) and i + 1 < len(numbers):
            i += 3 if numbers[i + 1] == 5 else 5 if numbers[i + 1] == 2 else 1
        else:
            i += 1
    return codes


def colour_codes(output: str) -> list[int]:
    """Every colour-choosing SGR parameter in *output*, in order."""
    return [
        code
        for match in _ESCAPE.finditer(output)
        if match["final"] == "m" and not (match["params"] or "").startswith(("<", ">", "?"))
        for code in sgr_codes(match["params"])
        if code in COLOUR_CODES
    ]


@dataclass(frozen=True, slots=True)
class Cell:
    char: str
    codes: tuple[int, ...]
    """The SGR parameters in force when it was drawn (since the last reset)."""

    @property
    def reverse(self) -> bool:
        on = False
        for code in self.codes:
            on = True if code == 7 else False if code in (0, 27) else on
        return on


@dataclass
class Screen:
    """A grid of cells fed with the app's output."""

    width: int
    height: int
    rows: list[list[Cell]] = field(init=False)
    _x: int = 0
    _y: int = 0
    _codes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = [[Cell(" ", ()) for _ in range(self.width)] for _ in range(self.height)]

    def feed(self, output: str) -> None:
        position = 0
        for match in _ESCAPE.finditer(output):
            self._text(output[position:match.start()])
            position = match.end()
            params, final = match["params"], match["final"]
            if final == "H" and params is not None and not params.startswith("?"):
                row, _, col = params.partition(";")
                self._y = int(row or 1) - 1
                self._x = int(col or 1) - 1
            elif final == "m" and params is not None and not params.startswith(("<", ">")):
                codes = sgr_codes(params)
                if codes and codes[0] == 0:
                    self._codes = []
                self._codes += [c for c in codes if c != 0]
        self._text(output[position:])

    def _text(self, text: str) -> None:
        for char in text:
            if char == "\r":
                self._x = 0
            elif char == "\n":
                self._y += 1
            elif char >= " " and 0 <= self._y < self.height and 0 <= self._x < self.width:
                self.rows[self._y][self._x] = Cell(char, tuple(self._codes))
                self._x += 1
                if cell_len(char) == 2 and self._x < self.width:  # a wide character's
                    self.rows[self._y][self._x] = Cell("", tuple(self._codes))  # right half
                    self._x += 1

    def line(self, y: int) -> str:
        return "".join(cell.char for cell in self.rows[y])

    @property
    def text(self) -> str:
        return "\n".join(self.line(y) for y in range(self.height))

    def find(self, text: str) -> tuple[int, int]:
        """Where *text* starts on screen (row, column); ValueError when it is not there."""
        for y in range(self.height):
            x = self.line(y).find(text)
            if x >= 0:
                return y, x
        raise ValueError(f"{text!r} is not on screen:\n{self.text}")
