"""``config.toml``: user settings, read with tomllib.

A missing file means defaults. A broken file or a bad value stops the program with one
line naming the file (and line, where TOML gives one) before the cache is touched.
Only the theme is ever written back, and only that key is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .tomlfile import read_toml, write_toml

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
    keys: dict[str, str] = field(default_factory=dict)

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
    data = read_toml(path)
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings)}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{_at(path, key)}: unknown setting {key!r}")
        if key == "keys":
            values["keys"] = _check_keys(path, value)
        elif key == "theme":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{_at(path, key)}: theme must be a theme name")
            values["theme"] = value.strip()
        else:
            values[key] = _check_number(path, key, value)
    width = values.get("list_width", 0)
    if width and not LIST_WIDTHS[0] <= width <= LIST_WIDTHS[1]:
        raise ConfigError(f"{_at(path, 'list_width')}: list_width must be 0 (automatic) "
                          f"or between {LIST_WIDTHS[0]} and {LIST_WIDTHS[1]}, got {width}")
    return Settings(**values)


def _at(path: Path, key: str) -> str:
    """``file:line`` of the first line that sets *key* (TOML only reports syntax errors with
    a line; a bad value deserves one too)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return str(path)
    pattern = re.compile(rf"""^\s*(\[\s*)?["']?{re.escape(key)}["']?\s*[=\]]""")
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return f"{path}:{number}"
    return str(path)


def _check_number(path: Path, key: str, value: object) -> int | float:
    low, high = _LIMITS[key]
    whole = key not in _FRACTIONAL
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{_at(path, key)}: {key} must be a number, got {_toml(value)}")
    if whole and not float(value).is_integer():
        raise ConfigError(f"{_at(path, key)}: {key} must be a whole number, got {value}")
    if not low <= value <= high:
        raise ConfigError(
            f"{_at(path, key)}: {key} must be between {low:g} and {high:g}, got {value}"
        )
    return int(value) if whole else float(value)


def _toml(value: object) -> str:
    """A value as it is written in TOML (true, "text"), for error lines."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _check_keys(path: Path, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{_at(path, 'keys')}: [keys] must be a table of action = \"key\"")
    keys: dict[str, str] = {}
    for action, binding in value.items():
        if not isinstance(binding, str) or not binding.strip():
            raise ConfigError(
                f"{_at(path, str(action))}: keys.{action} must be a key name like \"ctrl+b\""
            )
        keys[str(action)] = binding.replace(" ", "")
    return keys


def save_setting(path: Path, key: str, value: int | str) -> None:
    """Remember a setting changed in the app (the theme, the list's width), keeping every
    other setting as the user wrote it."""
    data = read_toml(path)
    data[key] = value
    write_toml(path, data)


def save_theme(path: Path, theme: str) -> None:
    save_setting(path, "theme", theme)
