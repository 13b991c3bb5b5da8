"""The key bar: Textual's footer with the help key first.

The bar is cut at the right edge of a narrow terminal: at 60 columns the main screen's
read "… q quit r refr" and ``? help`` was gone, the one key that tells all the others.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

HELP_ACTION = "help"
"""The action of the help key, on the main screen (the app's) and the feeds screen."""


def is_help(widget: Widget) -> bool:
    return getattr(widget, "action", None) == HELP_ACTION


class KeyBar(Footer):
    """The footer with ``? help`` before the other keys, so no width cuts it off.

    The keys are put in order after Textual made them: its footer groups keys only for
    bindings with a ``group``, which none of ours has, so every key is a direct child.
    """

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        yield from sorted(keys, key=lambda widget: not is_help(widget))
