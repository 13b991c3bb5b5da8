"""Every key on one screen, grouped the way people look for them.

The app passes its effective keymap when the user has remapped keys, so what is shown is
what works. Groups for remapped keys are found by description; anything unknown is
listed under "More". Another screen (Feeds) passes its own ready-made groups and title.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KeyList = list[tuple[str, str]]

DEFAULT_GROUPS: dict[str, KeyList] = {
    "Navigate": [
        ("j / k", "move down / up"),
        ("↓ / ↑", "move down / up"),
        ("enter", "open"),
        ("space", "scroll article; at its end, next unread"),
        ("pgdn / pgup", "page down / up"),
        ("n / N", "next / previous unread"),
        ("tab", "focus next region"),
        ("shift+tab", "focus previous region"),
        ("t", "timeline"),
    ],
    "Read": [
        ("m", "toggle read"),
        ("A", "mark all read"),
        ("e", "fetch full text"),
        ("o", "open in browser"),
        ("y", "copy link"),
        ("c", "comments"),
        ("C", "copy comments link"),
    ],
    "Organise": [
        ("b", "bookmark (saves full text offline)"),
        ("B", "bookmarks"),
        ("z", "undo unbookmark"),
        ("f", "filter by feed / tag"),
        ("u", "unread only"),
        ("/", "search"),
        ("esc", "clear search / filter"),
        ("F", "feeds"),
    ],
    "App": [
        ("r", "refresh"),
        ("ctrl+p", "command palette"),
        ("?", "help"),
        ("q", "back / quit"),
    ],
}
COLUMNS: tuple[tuple[str, ...], tuple[str, ...]] = (("Navigate", "Read"), ("Organise", "App"))
OTHER = "More"


def _norm(description: str) -> str:
    return " ".join(description.lower().replace("/", " ").split())


_GROUP_OF: dict[str, str] = {
    _norm(description): group
    for group, keys in DEFAULT_GROUPS.items()
    for _, description in keys
}
_GROUP_OF.update({"down": "Navigate", "up": "Navigate", "top": "Navigate",
                  "bottom": "Navigate", "undo": "Organise"})
_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    ("move", "Navigate"), ("scroll", "Navigate"), ("open", "Navigate"), ("next", "Navigate"),
    ("previous", "Navigate"), ("focus", "Navigate"), ("timeline", "Navigate"),
    ("page", "Navigate"), ("first", "Navigate"), ("last", "Navigate"),
    ("read", "Read"), ("full text", "Read"), ("browser", "Read"), ("copy", "Read"),
    ("comment", "Read"), ("bookmark", "Organise"), ("filter", "Organise"),
    ("unread", "Organise"), ("search", "Organise"), ("feed", "Organise"),
    ("refresh", "App"), ("palette", "App"), ("help", "App"), ("quit", "App"),
    ("back", "App"), ("theme", "App"),
)


def group_bindings(bindings: Iterable[tuple[str, str]]) -> dict[str, KeyList]:
    """Sort (key, description) pairs into the help groups, keeping their order."""
    groups: dict[str, KeyList] = {name: [] for name in (*DEFAULT_GROUPS, OTHER)}
    for key, description in bindings:
        norm = _norm(description)
        group = _GROUP_OF.get(norm) or next(
            (g for word, g in _GROUP_WORDS if word in norm), OTHER
        )
        groups[group].append((key, description))
    return {name: keys for name, keys in groups.items() if keys}


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
    """The key reference; ?, escape or q closes it.

    With no arguments it shows the main screen's default keys; *bindings* (key,
    description) pairs are sorted into the same groups; *groups* are shown as given.
    """

    CSS_PATH = "../styles/dialogs.tcss"

    BINDINGS: list[BindingType] = [
        Binding("question_mark,escape,q", "close", "Close", show=False),
    ]

    def __init__(
        self,
        bindings: list[tuple[str, str]] | None = None,
        *,
        groups: dict[str, KeyList] | None = None,
        title: str = "Keys",
    ) -> None:
        super().__init__()
        if groups:
            self.groups = {name: keys for name, keys in groups.items() if keys}
        else:
            self.groups = group_bindings(bindings) if bindings else dict(DEFAULT_GROUPS)
        self.help_title = title

    def _columns(self) -> tuple[list[str], list[str]]:
        if set(self.groups) <= {name for column in COLUMNS for name in column}:
            left = [n for n in COLUMNS[0] if n in self.groups]
            right = [n for n in COLUMNS[1] if n in self.groups]
            return left, right
        # Balance arbitrary groups by line count.
        left, right = [], []
        sizes = [0, 0]
        for name, keys in self.groups.items():
            side = 0 if sizes[0] <= sizes[1] else 1
            (left if side == 0 else right).append(name)
            sizes[side] += len(keys) + 2
        return left, right

    def compose(self) -> ComposeResult:
        left, right = self._columns()
        with Vertical(id="dialog", classes="dialog help") as dialog:
            # In the border, so they stay visible when a small terminal scrolls the keys.
            dialog.border_title = Content(self.help_title)
            dialog.border_subtitle = "? · esc · q close"
            with VerticalScroll(id="help-body"):
                with Horizontal(id="help-columns"):
                    for names in (left, right):
                        with Vertical(classes="help-column"):
                            for name in names:
                                yield KeyGroup(name, self.groups[name])

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
