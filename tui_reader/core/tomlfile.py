"""Reading TOML files with errors that name the file and line, and writing them atomically."""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError
from .toml_errors import explain
from .toml_places import places


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; ``{}`` when it does not exist; ConfigError naming file:line otherwise."""
    text = read_toml_text(path)
    return {} if text is None else parse_toml(path, text)


def read_toml_text(path: Path) -> str | None:
    """The file's text; None when it does not exist; ConfigError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def parse_toml(path: Path, text: str) -> dict[str, Any]:
    """*text* (read from *path*) parsed; a syntax error is one line in plain words."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = explain(str(exc), text)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{where}: {problem}") from None
    except RecursionError:  # tomllib recurses once per level of [ and {
        lines = places(text).lines.values()
        where = f"{path}:{max(lines)}" if lines else str(path)
        raise ConfigError(f"{where}: arrays or tables are nested too deeply") from None


def write_toml(path: Path, data: dict[str, Any], header: str = "",
               mode: int | None = None) -> None:
    """Write *data* as TOML, atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, header + tomli_w.dumps(data), mode=mode)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Replace *path* with *text* so that a crash or power loss leaves the old file or the
    new one, never half of one: a temp file in the same folder, synced, then renamed. The
    file keeps its permission bits (a new one is private: 0600) unless *mode* is given
    (0o600 for a file holding passwords), and a symlink (dotfile managers) stays a link:
    its target is written."""
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows a folder to be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
