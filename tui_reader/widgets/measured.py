"""A widget size that is measured by a layout and asks for no second one.

Textual records each widget's measured size in the ``virtual_size`` reactive, which asks
for a layout whenever it changes: so any widget whose height changed (a two-line title
after a one-line one, a longer story) laid the whole screen out a second time and drew
the changed panes twice. For a widget whose size only the layout sets, the layout that
measured it is all there is to do. Over SSH that second drawing was about 15 KB per ``j``
at 120x40.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Static


def measured_size() -> Reactive[Size]:
    """A ``virtual_size`` for a widget that never sets its own."""
    return Reactive(Size(0, 0), layout=False, repaint=False)


class PaneLine(Static):
    """A line of text in a pane whose height can change with its text."""

    virtual_size = measured_size()
