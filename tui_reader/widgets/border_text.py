"""Border subtitles set only when they change.

Textual redraws a widget whole whenever its border subtitle is assigned, even the same
text again; for the article pane that was 11 KB down an SSH link for an ``enter`` that
changed nothing on screen.
"""

from __future__ import annotations

from textual.widget import Widget


def set_subtitle(widget: Widget, text: str) -> None:
    """Give *widget* the border subtitle *text* (plain words, no markup) if it differs."""
    if (widget.border_subtitle or "") != text:
        widget.border_subtitle = text
