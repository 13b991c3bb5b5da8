"""Reading TOML files with errors that name the file and line, and writing them atomically."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
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
               tables: Sequence[str] = ()) -> None:
    """Write via a temp file and rename, so a crash never leaves half a file.

    The keys named in *tables* hold lists of tables, written as ``[[key]]`` blocks: tomli-w
    writes short ones inline (``key = [{ … }]``), which is no file to edit by hand.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    rest = {k: v for k, v in data.items() if k not in tables}
    chunks = [tomli_w.dumps(rest)] if rest else []
    chunks += [_table_block(k, t) for k in tables for t in data.get(k, ())]
    text = header + "\n".join(chunks)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
