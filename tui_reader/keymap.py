"""Every action the reader has, in one table, and the user's keys for them.

The table is the only place an action is written down. The widgets' and screens'
``BINDINGS``, the help screens, the command palette and the clash check for config.toml's
``[keys]`` are all made from it, so a key shown anywhere is the key that works, after the
user's remapping too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import format_key

UNBOUND = ","
"""A keymap value that leaves a binding with no key (it lost its only key to [keys])."""
NO_KEY = "(no key)"
"""How a hint names the key of an action that has none."""

KeyList = list[tuple[str, str]]
"""(keys as shown, what they do): one help row each."""


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


def normalize_keys(keys: str) -> str:
    """"?,x" -> "question_mark,x": key names as Textual matches them.

    Textual normalises a keymap this way inside ``set_keymap`` and has no public function
    for it; the clash check must compare keys in the same form.
    """
    from textual.keys import _normalize_key_list

    return _normalize_key_list(keys)


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _key_bases() -> frozenset[str]:
    """Every key name Textual sends without modifiers: named keys and printable characters
    (in the form ``normalize_keys`` gives them)."""
    from textual.keys import Keys

    named = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    printable = {normalize_keys(chr(c)) for c in range(33, 127)}
    return frozenset(named | printable | {"space", "enter", "tab", "backspace", "escape"})


_BASES: frozenset[str] | None = None


def valid_key(key: str) -> bool:
    """Whether Textual can ever send *key*: "x", "?", "pagedown", "ctrl+b" (not "pgdn",
    "esc" or "foo", which the help would show but no key press would match)."""
    global _BASES
    if _BASES is None:
        _BASES = _key_bases()
    *modifiers, base = key.split("+")
    if not base or not set(modifiers) <= MODIFIERS:
        return False
    base = normalize_keys(base) if len(base) == 1 else base
    return base in _BASES or (len(base) == 1 and base.isprintable())


def split_keys(keys: str) -> list[str]:
    return [] if keys == UNBOUND else [k.strip() for k in keys.split(",") if k.strip()]


class Keymap:
    """The keys in force: the table's defaults, changed by the user's resolved [keys]."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides: dict[str, str] = dict(overrides or {})
        """Action id -> keys (or :data:`UNBOUND`), as given to ``App.set_keymap``."""
        self._hidden: dict[str, frozenset[str]] = {}
        for a in ACTIONS:
            if a.owner is not None and a.show and a.id in self.overrides and not self.keys(a):
                hidden = self._hidden.get(a.owner, frozenset())
                self._hidden[a.owner] = hidden | {a.action.split("(")[0]}

    def hidden(self, owner: str) -> frozenset[str]:
        """Footer actions of *owner* left with no key: its ``check_action`` hides them
        (Textual would show them with a blank key)."""
        return self._hidden.get(owner, frozenset())

    def keys(self, action: Action) -> list[str]:
        """The keys that run *action* now (Textual's own keys never change)."""
        if action.id is None or action.id not in self.overrides:
            return split_keys(action.keys)
        return split_keys(self.overrides[action.id])

    def show_key(self, key: str, action: Action | None = None) -> str:
        if action is not None and action.key_display and action.id not in self.overrides:
            return action.key_display
        return key_name(key)

    def shown(self, action: Action) -> str:
        """"j, ↓", or "—" for an action left with no key."""
        keys = self.keys(action)
        return ", ".join(self.show_key(k, action) for k in keys) if keys else "—"

    def hint(self, action_id: str) -> str:
        """How to type an action, for messages ("press y to copy"); :data:`NO_KEY` when
        [keys] left it none."""
        action = find(action_id)
        keys = self.keys(action)
        return self.show_key(keys[0], action) if keys else NO_KEY

    def help_groups(self, page: str) -> dict[str, KeyList]:
        """One help page's rows by group, with the keys in force."""
        names = [name for column in PAGES[page] for name in column]
        groups: dict[str, KeyList] = {name: [] for name in names}
        for action in ACTIONS:
            if action.group not in groups:
                continue
            groups[action.group] += self._help_rows(action)
        return groups

    def _help_rows(self, action: Action) -> KeyList:
        mine = [self.show_key(k, action) for k in self.keys(action)] or ["—"]
        if action.pair is None:
            return [(" / ".join(mine), action.help_text)]
        partner = _partner(action)
        theirs = [self.show_key(k, partner) for k in self.keys(partner)] or ["—"]
        # "j / k" then "↓ / ↑": the n-th key of each, one row per pair of keys.
        rows = [(f"{a} / {b}", action.help_text) for a, b in zip(mine, theirs, strict=False)]
        rest_a, rest_b = mine[len(rows):], theirs[len(rows):]
        if rest_a or rest_b:
            rows.append((f"{', '.join(rest_a) or '·'} / {', '.join(rest_b) or '·'}",
                         action.help_text))
        return rows

    def palette_entries(self) -> list[tuple[Action, str]]:
        """(action, its key as shown) for every palette command, in table order: the
        palette's own, and any main-screen action [keys] left with no key, which the
        palette is then the only way to run."""
        seen: set[str] = set()
        found: list[tuple[Action, str]] = []
        for a in ACTIONS:
            if a.id is None or a.id in seen or a.owner not in PALETTE_OWNERS:
                continue
            if a.palette or (a.id in self.overrides and not self.keys(a)):
                seen.add(a.id)
                found.append((a, self.shown(a)))
        return found


def key_name(key: str) -> str:
    """A key as the help and messages spell it: "?", "pgdn", "enter", "ctrl+b"."""
    if "+" in key:
        *modifiers, last = key.split("+")
        return "+".join([*modifiers, format_key(last)])
    return "enter" if key == "enter" else format_key(key)


def _partner(action: Action) -> Action:
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


def owners_of(action_id: str) -> set[str]:
    return {a.owner for a in ACTIONS if a.id == action_id and a.owner is not None}


def resolve_key_clashes(
    keymap: Mapping[str, str], contexts: Sequence[Iterable[str]] = CONTEXTS
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Give each key in *keymap* to its [keys] action alone, wherever they are active together.

    Returns the keymap to apply (the losers' remaining keys added, or :data:`UNBOUND`) and
    the clashes as (key, winner, loser). Between two [keys] entries, the earlier one wins.
    """
    resolved = dict(keymap)
    order = {action_id: n for n, action_id in enumerate(keymap)}
    clashes: list[tuple[str, str, str]] = []

    def keys_of(action_id: str) -> list[str]:
        """The id's keys: [keys]' own, else every default key any owner gives it."""
        if action_id in resolved:
            return split_keys(resolved[action_id])
        found: list[str] = []
        for a in ACTIONS:
            if a.id == action_id and a.owner is not None:
                found += [k for k in split_keys(a.keys) if k not in found]
        return found

    for mine in keymap:
        for context in contexts:
            owners = list(context)
            bound = [a for owner in owners for a in ACTIONS
                     if a.owner == owner and a.id is not None]
            if not any(a.id == mine for a in bound):
                continue
            for key in split_keys(keymap[mine]):
                for other in bound:
                    assert other.id is not None
                    if other.id == mine or key not in keys_of(other.id):
                        continue
                    if FOLLOWS.get(other.id) == mine or FOLLOWS.get(mine) == other.id:
                        continue  # the same action on another screen
                    if mine not in resolved or key not in split_keys(resolved[mine]):
                        break  # an earlier clash already took this key from us
                    winner, loser = mine, other.id
                    if other.id in keymap and order[other.id] < order[mine]:
                        winner, loser = other.id, mine
                    left = [k for k in keys_of(loser) if k != key]
                    resolved[loser] = ",".join(left) if left else UNBOUND
                    if (key, winner, loser) not in clashes:
                        clashes.append((key, winner, loser))
    return resolved, clashes


@dataclass(frozen=True, slots=True)
class ConfigKeys:
    """config.toml's [keys] made ready for ``App.set_keymap``, and what was wrong with it."""

    resolved: dict[str, str]
    unknown: list[str]
    """Action names [keys] gave that no action has."""
    bad_keys: list[tuple[str, str]]
    """(action, key) for each key name no key press can match; it is left out."""
    clashes: list[tuple[str, str, str]]
    """(key, winner, loser): a key given to two actions active together."""

    @property
    def keymap(self) -> Keymap:
        return Keymap(self.resolved)

    def problems(self) -> list[str]:
        """One line each about what in [keys] was left out or changed, for the user."""
        lines: list[str] = []
        if self.unknown:
            lines.append(f"unknown action(s) {', '.join(self.unknown)} "
                         "(tui-reader keys lists them)")
        for action_id, key in self.bad_keys:
            lines.append(f"{action_id}: {key!r} is not a key name "
                         "(write e.g. x, ctrl+b, pagedown, escape, f5)")
        for key, winner, loser in self.clashes:
            line = f"key {key_name(key)} is bound to both {winner} and {loser}; {winner} wins"
            if self.resolved.get(loser) == UNBOUND:
                line += f" ({loser} has no key now)"
            lines.append(line)
        return lines


def from_config(keys: Mapping[str, str]) -> ConfigKeys:
    """Resolve [keys] ("bookmark" or "bookmark-x" = "key[,key]") against the table."""
    known = remappable()
    keymap = {action.replace("-", "_"): value for action, value in keys.items()}
    wanted: dict[str, str] = {}
    bad: list[tuple[str, str]] = []
    for action_id, value in keymap.items():
        if action_id not in known:
            continue
        good = [k for k in split_keys(normalize_keys(value)) if valid_key(k)]
        bad += [(action_id, k) for k in split_keys(value) if not valid_key(normalize_keys(k))]
        if good:  # with none left, the action keeps its default keys
            wanted[action_id] = ",".join(good)
    for follower, leader in FOLLOWS.items():
        if leader in wanted and follower not in wanted:
            wanted[follower] = wanted[leader]
    resolved, clashes = resolve_key_clashes(wanted)
    return ConfigKeys(resolved, sorted(set(keymap) - known), bad, clashes)


OWNER_NAMES = {
    "app": "everywhere", "main": "main screen", "list": "headlines", "article": "article",
    "timeline": "timeline", "feeds": "feeds screen", "feeds_table": "feeds screen",
}


def action_rows(keymap: Keymap) -> list[tuple[str, str, str, str, str]]:
    """(action id, keys in force as shown, as [keys] writes them, where, what it does)
    for every remappable action."""
    rows: dict[str, tuple[str, str, str, list[str], str]] = {}
    for a in ACTIONS:
        if a.id is None or a.owner is None:
            continue
        where = OWNER_NAMES[a.owner]
        if a.id in rows:
            if where not in rows[a.id][3]:
                rows[a.id][3].append(where)
            continue
        rows[a.id] = (a.id, keymap.shown(a), ",".join(keymap.keys(a)), [where], a.doc_text)
    return [(i, shown, names, ", ".join(where), what)
            for i, shown, names, where, what in rows.values()]
