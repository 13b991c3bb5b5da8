"""Reading TOML files with errors that name the file and line, and writing them atomically."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError, UserError
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


_HEADER_LINE = re.compile(r"(?m)^(\[+)")
"""A table header in tomli-w's output (its values never start a line with "[")."""


_ONE_LINE = 100
"""Longest line an array of plain values is kept on (tomli-w puts each item on a line)."""


def _key_value(key: str, value: Any) -> str:
    """``key = value``, a short array of strings or numbers on one line as people write
    it (``tags = ["news", "europe"]``)."""
    text = tomli_w.dumps({key: value})
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        items = [tomli_w.dumps({"v": v})[len("v = "):-1] for v in value]
        name = tomli_w.dumps({key: 0})[: -len(" = 0\n")]  # quoted when it has to be
        line = f"{name} = [{', '.join(items)}]\n"
        if len(line) <= _ONE_LINE:
            return line
    return text


def _table_block(name: str, table: dict[str, Any]) -> str:
    """One ``[[name]]`` entry: its plain keys, then its sub-tables as ``[name.key]``."""
    values, sections = [], []
    for key, value in table.items():
        text = _key_value(key, value)
        if text.startswith("["):  # a table, or an array of tables too long to inline
            sections.append("\n" + _HEADER_LINE.sub(rf"\1{name}.", text))
        else:
            values.append(text)
    return f"[[{name}]]\n" + "".join(values) + "".join(sections)


def write_toml(path: Path, data: dict[str, Any], header: str = "",
               mode: int | None = None, tables: Sequence[str] = ()) -> None:
    """Write *data* as TOML, atomically (see :func:`write_text_atomic`).

    The keys named in *tables* hold lists of tables, written as ``[[key]]`` blocks: tomli-w
    writes short ones inline (``key = [{ … }]``), which is no file to edit by hand.
    """
    rest = {k: v for k, v in data.items() if k not in tables}
    chunks = [tomli_w.dumps(rest)] if rest else []
    chunks += [_table_block(k, t) for k in tables for t in data.get(k, ())]
    write_text_atomic(path, header + "\n".join(chunks), mode=mode)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Replace *path* with *text* so that a crash or power loss leaves the old file or the
    new one, never half of one: a temp file in the same folder, synced, then renamed. The
    file keeps its permission bits (a new one is private: 0600) unless *mode* is given
    (0o600 for a file holding passwords), and a symlink (dotfile managers) stays a link:
    its target is written. A full or read-only disk is a UserError naming the file, which
    is left as it was."""
    path = path.resolve() if path.is_symlink() else path
    try:
        _replace(path, text, mode)
    except OSError as exc:
        raise UserError(f"{path}: cannot write it: {exc.strerror or exc} "
                        "(it was left as it was)") from None
    sync_folder(path.parent)


def _replace(path: Path, text: str, mode: int | None) -> None:
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


def sync_folder(folder: Path) -> None:
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
