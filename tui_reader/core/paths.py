"""Where tui-reader keeps its files.

The SQLite cache holds read state and bookmarks, so it lives in the *data* dir, not in
the cache dir that users (and tools) wipe. ``--home DIR`` or ``TUI_READER_HOME`` puts all
three under one folder, which is what tests, benchmarks and ``--demo`` use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "tui-reader"
HOME_ENV = "TUI_READER_HOME"


@dataclass(frozen=True, slots=True)
class Paths:
    """The three directories and the files inside them."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def feeds_file(self) -> Path:
        return self.config_dir / "feeds.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "cache.sqlite3"

    def ensure(self) -> Paths:
        """Create the directories (not the files) and return self."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def under(cls, home: Path) -> Paths:
        """All three directories below one folder."""
        home = home.expanduser().resolve()
        return cls(home / "config", home / "data", home / "cache")


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """``--home`` first, then ``$TUI_READER_HOME``, then the platform's usual places."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen:
        return Paths.under(Path(chosen))
    return Paths(
        platformdirs.user_config_path(APP_NAME),
        platformdirs.user_data_path(APP_NAME),
        platformdirs.user_cache_path(APP_NAME),
    )
