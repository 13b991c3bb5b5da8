"""Reading TOML files with errors that name the file and line, and writing them atomically."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError

_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; ``{}`` when it does not exist; ConfigError naming file:line otherwise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE.search(message)
        where = f"{path}:{match.group(1)}" if match else str(path)
        problem = _LINE.sub("", message).strip().rstrip(".")
        raise ConfigError(f"{where}: {problem}") from None


def write_toml(path: Path, data: dict[str, Any], header: str = "", mode: int | None = None) -> None:
    """Write via a temp file and rename, so a crash never leaves half a file. ``mode`` is
    set before anything is written (0o600 for a file holding passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = header + tomli_w.dumps(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
