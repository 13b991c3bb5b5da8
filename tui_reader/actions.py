"""Every action the reader has, in one table.

The table is the only place an action is written down: the widgets' and screens'
``BINDINGS`` are made from it here, and the help pages, the command palette, the
``[keys]`` clash check and ``tui-reader keys`` from it in :mod:`tui_reader.keymap`, so a
key shown anywhere is the key that works, after the user's remapping too.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class Action:
    """One row of the table.

    ``owner`` is the class whose bindings hold it ("app", "main", "list", "article",
    "timeline", "feeds", "feeds_table"); None for a row that only documents a key defined
    elsewhere (Textual's own, or the same id on another owner). ``group`` places it in a
    help page; ``pair`` names the action shown with it on one help row ("j / k").
    """

    id: str | None
    keys: str
    description: str
    owner: str | None
    action: str = ""
    group: str | None = None
    help: str | None = None
    pair: str | None = None
    show: bool = False
    priority: bool = False
    key_display: str | None = None
    palette: str | None = None
    palette_help: str = ""
    doc: str | None = None
    """What it does on its own, for ``tui-reader keys`` (a help row may describe a pair)."""

    @property
    def help_text(self) -> str:
        return self.help or self.description

    @property
    def doc_text(self) -> str:
        return self.doc or (self.help if self.pair is None and self.help else self.description)

    @property
    def palette_title(self) -> str:
        """The palette's title, else what it does ("Next unread story")."""
        text = self.palette or self.doc_text
        return text[:1].upper() + text[1:]


def _a(
    id: str | None,  # noqa: A002 - the binding id
    keys: str,
    description: str,
    owner: str | None,
    action: str | None = None,
    **more: object,
) -> Action:
    """A row, its Textual action defaulting to its id."""
    return Action(id, keys, description, owner, action or id or "", **more)  # type: ignore[arg-type]


ACTIONS: tuple[Action, ...] = (
    # The headline list.
    _a("cursor_down", "j,down", "Down", "list", group="Navigate", help="move down / up",
       pair="cursor_up", doc="move down"),
    _a("cursor_up", "k,up", "Up", "list", doc="move up"),
    _a("list_page_down", "pagedown", "Page down", "list", "page_down",
       doc="page the list down (when no story is open)"),
    _a("list_page_up", "pageup", "Page up", "list", "page_up",
       doc="page the list up (when no story is open)"),
    _a("first", "g,home", "First", "list", group="Navigate", help="first / last story",
       pair="last", doc="first story"),
    _a("last", "G,end", "Last", "list", doc="last story"),
    _a("open", "enter", "open", "list", group="Navigate", doc="open (and mark read)"),
    # The main screen, whatever region has focus.
    _a("next_unread", "n", "next", "main", group="Navigate", help="next / previous unread",
       pair="previous_unread", show=True, doc="next unread story"),
    _a("previous_unread", "N", "previous unread", "main", doc="previous unread story"),
    _a("bookmark", "b", "bookmark", "main", group="Organise",
       help="bookmark (saves full text offline)", show=True),
    _a("search", "slash", "search", "main", group="Organise", show=True, key_display="/",
       palette="Search…", palette_help="Find words in headlines and articles"),
    _a("filter", "f", "filter", "main", group="Organise", help="filter by feed / tag",
       show=True),
    _a("wider_list", "greater_than_sign", "wider list", "main", group="Navigate",
       help="wider / narrower headline list", pair="narrower_list", key_display=">",
       palette="Wider headline list", palette_help="Give the headlines more of the width"),
    _a("narrower_list", "less_than_sign", "narrower list", "main", key_display="<",
       palette="Narrower headline list", palette_help="Give the article more of the width"),
    _a("toggle_timeline", "t", "timeline", "main", group="Navigate", show=True,
       doc="show or hide Read next",
       palette="Toggle timeline", palette_help="Show or hide the Read next column"),
    _a("back", "q", "quit", "main", group="App", help="back / quit", show=True),
    _a("toggle_read", "m", "read/unread", "main", group="Read", help="toggle read"),
    _a("mark_all_read", "A", "mark all read", "main", group="Read"),
    _a("bookmarks", "B", "bookmarks", "main", group="Organise", palette="Show bookmarks",
       palette_help="Saved stories, readable offline"),
    _a("unread_only", "u", "unread only", "main", group="Organise",
       palette="Toggle unread only", palette_help="Show only unread headlines, or all"),
    _a("full_text", "e", "full text", "main", group="Read", help="fetch full text"),
    _a("open_link", "o", "open in browser", "main", group="Read"),
    _a("copy_link", "y", "copy link", "main", group="Read"),
    _a("open_comments", "c", "comments", "main", group="Read"),
    _a("copy_comments", "C", "copy comments link", "main", group="Read"),
    _a("undo", "z", "undo", "main", "undo_bookmark", group="Organise", help="undo unbookmark"),
    _a("clear_filter", "escape", "clear filter", "main", group="Organise",
       help="clear search / filter"),
    # Not a priority binding (no region binds space): it then waits behind keys typed
    # before it, so "j space" in one burst opens the story j moved to.
    _a("scroll", "space", "scroll / next unread", "main", "page_down(True)", group="Navigate",
       help="scroll article; at its end, next unread"),
    _a("page_down", "pagedown", "page down", "main", "page_down(False)", group="Navigate",
       help="page down / up", pair="page_up", priority=True, doc="page the story down"),
    _a("page_up", "pageup", "page up", "main", priority=True, doc="page the story up"),
    # The article pane and the timeline, when focused.
    _a("article_down", "j", "Scroll down", "article", "scroll_down",
       doc="scroll the focused article down"),
    _a("article_up", "k", "Scroll up", "article", "scroll_up",
       doc="scroll the focused article up"),
    _a("article_top", "g", "Top", "article", "scroll_home", doc="top of the focused article"),
    _a("article_bottom", "G", "Bottom", "article", "scroll_end",
       doc="end of the focused article"),
    _a("cursor_down", "j,down", "Down", "timeline"),
    _a("cursor_up", "k,up", "Up", "timeline"),
    _a("open", "enter", "open", "timeline"),
    # Textual's own keys, listed for the help.
    _a(None, "tab", "focus next region", None, group="Navigate"),
    _a(None, "shift+tab", "focus previous region", None, group="Navigate"),
    # The app, on every screen.
    _a("refresh", "r", "refresh", "app", group="App", show=True, palette="Refresh all feeds",
       palette_help="Fetch every feed now", doc="fetch every feed now"),
    _a("feeds", "F", "feeds", "app", group="Organise", palette="Feeds…",
       doc="the feeds screen",
       palette_help="Add, remove and check subscriptions"),
    _a(None, "ctrl+p", "command palette", None, group="App"),
    _a("help", "question_mark", "help", "app", group="App", show=True, key_display="?",
       palette="Help", palette_help="Every key", doc="this screen's keys"),
    # The feeds screen.
    _a("feeds.add", "a", "Add feed", "feeds", "add", group="Feeds",
       help="add a feed or a web page", show=True),
    _a("feeds.remove", "d", "Remove", "feeds", "remove", group="Feeds",
       help="remove; bookmarks stay", show=True),
    _a("feeds.refresh", "r", "Refresh", "feeds", "refresh_feed", group="Feeds",
       help="fetch this feed now", show=True),
    _a("feeds.back", "escape,q", "Back", "feeds", "back", group="Screen",
       help="back to the headlines", show=True),
    _a("feeds.cursor_down", "j", "Down", "feeds_table", "cursor_down", group="Move",
       help="move down / up", pair="feeds.cursor_up", doc="next feed"),
    _a("feeds.cursor_up", "k", "Up", "feeds_table", "cursor_up", doc="previous feed"),
    _a(None, "down", "Down", None, group="Move", help="move down / up", pair="up"),
    _a(None, "up", "Up", None),
    _a("feeds.first", "g,home", "First", "feeds_table", "scroll_top", group="Move",
       help="first / last feed", pair="feeds.last", doc="first feed"),
    _a("feeds.last", "G,end", "Last", "feeds_table", "scroll_bottom", doc="last feed"),
    _a(None, "pagedown", "page down", None, group="Move", help="page down / up", pair="pageup"),
    _a(None, "pageup", "page up", None),
    _a("feeds.help", "question_mark", "help", "feeds", "help", group="Screen",
       help="this help", show=True, key_display="?", doc="the feeds screen's keys"),
)

PAGES: dict[str, tuple[tuple[str, ...], ...]] = {
    "main": (("Navigate", "Read"), ("Organise", "App")),
    "feeds": (("Feeds", "Move"), ("Screen",)),
}
"""Each help page's groups, as its two columns."""

FOLLOWS = {"feeds.help": "help"}
"""An action that takes the keys [keys] gives another, unless [keys] names it too: the
feeds screen's help key is the app's, but a main-screen action taking ? leaves it there."""

PALETTE_OWNERS = ("app", "main", "list", "article", "timeline")
"""Where the palette's actions run (it is opened over the main screen)."""

CONTEXTS: tuple[tuple[str, ...], ...] = (
    ("list", "main", "app"),
    ("article", "main", "app"),
    ("timeline", "main", "app"),
    ("feeds_table", "feeds", "app"),
)
"""Owners whose bindings are active together: a focused region, its screen, the app."""


def bindings_for(owner: str) -> list[BindingType]:
    """The ``BINDINGS`` of one owner, in table order."""
    return [
        Binding(a.keys, a.action, a.description, show=a.show, key_display=a.key_display,
                priority=a.priority, id=a.id)
        for a in ACTIONS
        if a.owner == owner
    ]


def remappable() -> set[str]:
    """Every action name [keys] may give keys to."""
    return {a.id for a in ACTIONS if a.id is not None and a.owner is not None}


def partner(action: Action) -> Action:
    for other in ACTIONS:
        if other.owner == action.owner and (other.id or other.keys) == action.pair:
            return other
    raise KeyError(action.pair)


def find(action_id: str, owner: str | None = None) -> Action:
    """The first row for *action_id* (on *owner*, when given)."""
    for action in ACTIONS:
        if action.id == action_id and (owner is None or action.owner == owner):
            return action
    raise KeyError(action_id)


OWNER_NAMES = {
    "app": "everywhere", "main": "main screen", "list": "headlines", "article": "article",
    "timeline": "timeline", "feeds": "feeds screen", "feeds_table": "feeds screen",
}
