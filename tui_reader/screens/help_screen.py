"""Every key of one screen, grouped the way people look for them.

The rows come from :mod:`tui_reader.keymap` with the keys in force, so what is shown is
what works, after the user's [keys] too.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key, Resize
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keymap import NO_KEY, PAGES, KeyList, Keymap, find

STACK_BELOW = 72
"""Terminal columns below which the two columns of keys go one under the other: side by
side at 60 columns a description had 13 cells, wrapped a word a line and met the
other column's heading."""


def show_help(app: App[Any], keymap: Keymap, *, page: str = "main",
              title: str = "Keys") -> None:
    """Open one help page (or close the one on show: the help key toggles it)."""
    if isinstance(app.screen, HelpScreen):
        app.screen.dismiss(None)
        return
    app.push_screen(HelpScreen(keymap, page=page, title=title))


class KeyGroup(Vertical):
    """A heading and one row per key: the key right-aligned, what it does wrapping beside it."""

    def __init__(self, title: str, keys: KeyList) -> None:
        super().__init__(classes="help-group")
        self.group_title = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        yield Static(Content(self.group_title), classes="help-heading")
        for key, description in self.keys:
            with Horizontal(classes="help-row"):
                yield Static(Content(key), classes="help-key")
                yield Static(Content(description), classes="help-description")

    @property
    def plain(self) -> str:
        """The group as text (tests, screen readers)."""
        rows = [f"{key}  {description}" for key, description in self.keys]
        return "\n".join([self.group_title, *rows])


class HelpScreen(ModalScreen[None]):
    """One page of the key reference (``main`` or ``feeds``); ?, escape or q closes it."""

    CSS_PATH = "../styles/dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,escape,q", "close", "Close", show=False),
    ]

    def __init__(self, keymap: Keymap | None = None, *, page: str = "main",
                 title: str = "Keys") -> None:
        super().__init__()
        keymap = keymap or Keymap()
        groups = keymap.help_groups(page)
        help_action = find("feeds.help" if page == "feeds" else "help")
        self.help_key = keymap.hint(help_action.id or "help")
        self.close_keys = set(keymap.keys(help_action))
        """The help key in force closes the help too (the app's binding cannot reach a
        modal screen)."""
        self.scroll_keys = {
            key: scroll
            for action_id, scroll in (("cursor_down", "scroll_down"), ("cursor_up", "scroll_up"),
                                      ("first", "scroll_home"), ("last", "scroll_end"),
                                      ("scroll", "scroll_page_down"))
            for key in keymap.keys(find(action_id))
        }
        """The list's keys in force (j, k, g, G, space) scroll a help page too long for
        the terminal (80x24), as they move through the headlines."""
        self.groups = {name: keys for name, keys in groups.items() if keys}
        self.columns = [[n for n in column if n in self.groups] for column in PAGES[page]]
        self.help_title = title

    def compose(self) -> ComposeResult:
        left, right = self.columns
        with Vertical(id="dialog", classes="dialog help") as dialog:
            # In the border, so they stay visible when a small terminal scrolls the keys.
            dialog.border_title = Content(self.help_title)
            keys = "esc · q" if self.help_key == NO_KEY else f"{self.help_key} · esc · q"
            dialog.border_subtitle = f"{keys} close"
            with VerticalScroll(id="help-body"):
                with Horizontal(id="help-columns"):
                    for names in (left, right):
                        with Vertical(classes="help-column"):
                            for name in names:
                                yield KeyGroup(name, self.groups[name])

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.query_one("#help-body").focus()

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.query_one("#help-columns").set_class(width < STACK_BELOW, "-stacked")

    def on_key(self, event: Key) -> None:
        if event.key in self.close_keys:
            event.stop()
            self.dismiss(None)
        elif event.key in self.scroll_keys:
            event.stop()
            body = self.query_one("#help-body", VerticalScroll)
            getattr(body, self.scroll_keys[event.key])(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
