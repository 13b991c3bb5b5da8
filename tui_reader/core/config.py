"""``config.toml``: user settings, read with tomllib.

A missing file means defaults. A broken file or a bad value stops the program with one
line naming the file (and line, where TOML gives one) before the cache is touched.
Only the theme is ever written back, and only its line is changed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .sync.account import SyncAccount, check_sync
from .toml_places import file_line, places
from .toml_text import did_you_mean, toml_key, toml_string, toml_value
from .tomlfile import parse_toml, read_toml, read_toml_text, write_text_atomic

EXAMPLE = """\
# tui-reader settings (all optional)
refresh_minutes = 30      # the shortest interval between fetches of one feed
retention_days = 90       # articles older than this are purged; bookmarks never are
concurrency = 64          # feeds fetched at once (never more than 2 per host)
timeout_seconds = 20
max_feed_mb = 10          # a bigger (or gzip-bombed) response fails cleanly
full_text_per_refresh = 20
theme = "textual-dark"
list_width = 0            # the headline list's share of the width in percent (20-70);
                          # 0 = automatic. < and > change it in the app.
low_bandwidth = false     # a slow link: 256 colours, the article waits for enter
# browser = "w3m %u"      # o runs it in this terminal (no shell; %u is the link)

# [sync]                  # read state and bookmarks shared through a Fever API server
# protocol = "fever"
# url = "https://rss.example.org/fever/"
# user = "me@example.org"
# password_command = "pass show rss"   # or $TUI_READER_SYNC_PASSWORD

[keys]                    # action = "key[,key]", e.g.
# bookmark = "b,ctrl+b"
"""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything config.toml can set, with its default."""

    refresh_minutes: int = 30
    retention_days: int = 90
    concurrency: int = 64
    """Feeds fetched (and held in memory) at once; never more than 2 per host. Measured on
    200 feeds over 50 hosts at 50 ms (bench/README.md): a refresh where every feed answers
    304 takes 2.6 s at 8, 1.1 s at 32, 0.75 s at 64; a cold 50,000-article refresh peaks
    at ~140 MiB at 64."""
    timeout_seconds: float = 20.0
    max_feed_mb: float = 10.0
    full_text_per_refresh: int = 20
    theme: str = "textual-dark"
    list_width: int = 0
    """The headline list's share of the screen's width in percent; 0 leaves it to the
    layout (2:3 beside the article, 2:3:2 with the timeline)."""
    browser: str = ""
    """What ``o`` runs, newsboat's way: an argv template (split like a shell would, run
    without one) with ``%u`` for the link; the app steps aside while it runs."""
    low_bandwidth: bool = False
    """Spare a slow link (SSH over a phone): 256 colours instead of 24-bit ones, and the
    article pane waits for enter instead of following the cursor."""
    keys: dict[str, str] = field(default_factory=dict)
    sync: SyncAccount | None = None
    """A feed server's account ([sync]): see core/sync/account.py."""

    @property
    def max_bytes(self) -> int:
        return int(self.max_feed_mb * 1024 * 1024)


_FRACTIONAL = frozenset({"timeout_seconds", "max_feed_mb"})
_LIMITS: dict[str, tuple[float, float]] = {
    "refresh_minutes": (1, 7 * 24 * 60),
    "retention_days": (1, 36500),
    "concurrency": (1, 128),
    "timeout_seconds": (1, 300),
    "max_feed_mb": (0.1, 500),
    "full_text_per_refresh": (0, 1000),
    "list_width": (0, 70),
}
LIST_WIDTHS = (20, 70)
"""The range of ``list_width`` when it is set (0 means automatic)."""


def load_settings(path: Path) -> Settings:
    """Settings from *path*; ConfigError (file, key, problem) on anything invalid."""
    return _settings(path, read_toml(path))


def _settings(path: Path, data: dict[str, Any]) -> Settings:
    """*data* read from *path* checked key by key."""
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings)}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{file_line(path, (key,))}: unknown setting {toml_key(key)}"
                f"{did_you_mean(key, known)}"
            )
        if key == "keys":
            values["keys"] = _check_keys(path, value)
        elif key == "sync":
            values["sync"] = check_sync(path, value)
        elif key == "browser":
            values[key] = _check_browser(path, value)
        elif key == "low_bandwidth":
            if not isinstance(value, bool):
                where = file_line(path, (key,))
                raise ConfigError(f"{where}: low_bandwidth must be true or false, "
                                  f"got {toml_value(value)}")
            values[key] = value
        elif key == "theme":
            if not isinstance(value, str) or not value.strip():
                where = file_line(path, (key,))
                raise ConfigError(f"{where}: theme must be a theme name, got {toml_value(value)}")
            values["theme"] = value.strip()
        else:
            values[key] = _check_number(path, key, value)
    width = values.get("list_width", 0)
    if width and not LIST_WIDTHS[0] <= width <= LIST_WIDTHS[1]:
        raise ConfigError(f"{file_line(path, ('list_width',))}: list_width must be 0 (automatic) "
                          f"or between {LIST_WIDTHS[0]} and {LIST_WIDTHS[1]}, got {width}")
    return Settings(**values)


def _check_browser(path: Path, value: object) -> str:
    """A command line to split (shlex, no shell) with %u for the link."""
    import shlex

    where = file_line(path, ("browser",))
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'{where}: browser must be a command like "w3m %u", '
                          f"got {toml_value(value)}")
    try:
        shlex.split(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: browser cannot be split into words ({exc})") from None
    return value.strip()


def _check_number(path: Path, key: str, value: object) -> int | float:
    low, high = _LIMITS[key]
    whole = key not in _FRACTIONAL
    if isinstance(value, bool) or not isinstance(value, int | float):
        wanted = "a number"
    elif whole and not float(value).is_integer():
        wanted = "a whole number"
    elif not low <= value <= high:  # also nan and inf
        wanted = f"between {low:g} and {high:g}"
    else:
        return int(value) if whole else float(value)
    raise ConfigError(f"{file_line(path, (key,))}: {key} must be {wanted}, got {toml_value(value)}")


def _check_keys(path: Path, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{file_line(path, ('keys',))}: [keys] must be a table of action = \"key\", "
            f"got {toml_value(value)}"
        )
    keys: dict[str, str] = {}
    for action, binding in value.items():
        if not isinstance(binding, str) or not binding.strip():
            raise ConfigError(
                f"{file_line(path, ('keys', action))}: keys.{toml_key(action)} must be a key "
                f"name like \"ctrl+b\", got {toml_value(binding)}"
            )
        keys[str(action)] = binding.replace(" ", "")
    return keys


_SAVING = threading.Lock()
"""One read-change-write of config.toml at a time (> pressed quickly, a theme picked)."""


def save_setting(path: Path, key: str, value: int | str) -> None:
    """Remember a setting changed in the app (the theme, the list's width) by changing only
    its value, or adding one ``key = …`` line after the last top-level setting (before the
    first table, or at the end), so the user's comments, blank lines, key order and file
    mode stay as they were. A config that does not load is never written: its ConfigError
    is raised instead."""
    with _SAVING:
        _save_setting(path, key, value)


def _save_setting(path: Path, key: str, value: int | str) -> None:
    text = read_toml_text(path) or ""
    _settings(path, parse_toml(path, text))
    rendered = toml_string(value) if isinstance(value, str) else str(int(value))
    found = places(text)
    span = found.values.get((key,))
    if span:
        write_text_atomic(path, text[: span[0]] + rendered + text[span[1] :])
        return
    newline = "\r\n" if "\r\n" in text else "\n"
    at = found.top_end if found.top_end is not None else found.first_table
    at = len(text) if at is None else at
    before = text[:at]
    if before and not before.endswith("\n"):
        before += newline
    write_text_atomic(path, f"{before}{key} = {rendered}{newline}{text[at:]}")


def save_theme(path: Path, theme: str) -> None:
    save_setting(path, "theme", theme)
