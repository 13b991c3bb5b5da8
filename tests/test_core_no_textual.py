"""The core layer must stay usable without Textual (cron, scripts, the CLI's fast paths)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import tui_reader.core

pytestmark = pytest.mark.timeout(120)

SCRIPT = """
import importlib, json, pkgutil, sys
import tui_reader.core as core
names = sorted(m.name for m in pkgutil.iter_modules(core.__path__, "tui_reader.core."))
for name in names:
    importlib.import_module(name)
print(json.dumps({
    "modules": names,
    "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")),
}))
"""


def test_core_modules_import_without_textual() -> None:
    expected = sorted(
        m.name for m in pkgutil.iter_modules(tui_reader.core.__path__, "tui_reader.core.")
    )
    assert {"tui_reader.core.store", "tui_reader.core.refresh"} <= set(expected)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=100
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["modules"] == expected
    assert data["textual"] == [], f"core pulled in Textual: {data['textual'][:5]}"


def test_cli_headless_commands_do_not_import_textual() -> None:
    script = (
        "import sys, runpy\n"
        "sys.argv = ['tui-reader', '--version']\n"
        "try:\n"
        "    runpy.run_module('tui_reader', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "import tui_reader.cli\n"
        "tui_reader.cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=100
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
