"""Every action the reader has, in one table, and the user's keys for them.

The table is the only place an action is written down. The widgets' and screens'
``BINDINGS``, the help screens, the command palette and the clash check for config.toml's
``[keys]`` are all made from it, so a key shown anywhere is the key that works, after the
user's remapping too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.keys import format_key

from .actions import (
    ACTIONS,
    CONTEXTS,
    FOLLOWS,
    OWNER_NAMES,
    PAGES,
    PALETTE_OWNERS,
    Action,
    bindings_for,
    find,
    partner,
    remappable,
)

__all__ = ["ACTIONS", "PAGES", "Action", "bindings_for", "find", "remappable"]

UNBOUND = ","
"""A keymap value that leaves a binding with no key (it lost its only key to [keys])."""
NO_KEY = "(no key)"
"""How a hint names the key of an action that has none."""

KeyList = list[tuple[str, str]]
"""(keys as shown, what they do): one help row each."""


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
        other = partner(action)
        theirs = [self.show_key(k, other) for k in self.keys(other)] or ["—"]
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
            every = (a.owner in ("main", "app") and bool(a.group or a.doc)
                     and a.id not in NOT_IN_PALETTE)
            if a.palette or every or (a.id in self.overrides and not self.keys(a)):
                seen.add(a.id)
                found.append((a, self.shown(a)))
        return found


NOT_IN_PALETTE = frozenset({"back", "scroll", "page_down", "page_up"})
"""Keys that only make sense as keys (quitting has Textual's own entry)."""


def key_name(key: str) -> str:
    """A key as the help and messages spell it: "?", "pgdn", "enter", "ctrl+b"."""
    if "+" in key:
        *modifiers, last = key.split("+")
        return "+".join([*modifiers, format_key(last)])
    return "enter" if key == "enter" else format_key(key)


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
