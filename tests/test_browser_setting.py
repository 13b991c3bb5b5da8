"""``browser = "w3m %u"`` (newsboat's setting): ``o`` steps the app aside, runs the
browser in the same terminal without a shell, and comes back with the screen intact."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_bytes import Terminal  # noqa: E402

from tui_reader.core.config import load_settings  # noqa: E402
from tui_reader.core.demo import build_demo_home  # noqa: E402
from tui_reader.core.errors import ConfigError  # noqa: E402
from tui_reader.links import browser_argv  # noqa: E402

RECORDER = """\
import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def test_the_link_is_one_argument_and_never_reaches_a_shell() -> None:
    url = "https://example.org/a?b=1&c=$(touch${IFS}pwned);x|y`z`"
    assert browser_argv("w3m %u", url) == ["w3m", url]
    assert browser_argv("lynx -accept_all_cookies", url) == ["lynx", "-accept_all_cookies", url]
    assert browser_argv("'my browser' --url=%u", url) == ["my browser", f"--url={url}"]
    assert browser_argv("w3m %u", "javascript:alert(1)") is None
    assert browser_argv("w3m %u", "file:///etc/passwd") is None
    assert browser_argv("", url) is None
    odd = "https://ex.org/q?fmt=%s&x=%u"  # a %s or %u in the link is the link's own
    assert browser_argv("w3m %u", odd) == ["w3m", odd]


def test_the_setting_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('browser = "w3m %u"\n', encoding="utf-8")
    assert load_settings(path).browser == "w3m %u"
    path.write_text('theme = "nord"\nbrowser = "w3m \'%u"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="config.toml:2: browser cannot be split"):
        load_settings(path)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_o_runs_the_browser_in_the_terminal_and_comes_back(tmp_path: Path) -> None:
    paths = build_demo_home(tmp_path / "home")
    script, record = tmp_path / "browser.py", tmp_path / "argv.jsonl"
    script.write_text(RECORDER, encoding="utf-8")
    paths.config_file.write_text(
        f'browser = "{sys.executable} {script} {record} %u"\n', encoding="utf-8")
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("BROWSER", None)
    term = Terminal([sys.executable, "-m", "tui_reader", "--home", str(tmp_path / "home")],
                    120, 40, env)
    try:
        assert b"Headlines" in term.drain(quiet=1.5, limit=60, at_least=3.0)
        term.send("o")
        deadline = time.monotonic() + 20
        after = bytearray()
        while not record.exists() and time.monotonic() < deadline:
            after += term.drain(quiet=0.3, at_least=0.3)
        (argv,) = [json.loads(line) for line in record.read_text().splitlines()]
        assert len(argv) == 1 and argv[0].startswith("https://demo.tui-reader.invalid/")
        after += term.drain(quiet=1.0, at_least=2.0)
        left, back = after.find(b"\x1b[?1049l"), after.rfind(b"\x1b[?1049h")
        assert 0 <= left < back  # it gave the terminal up, then took its screen back
        assert b"Headlines" in after[back:]  # and drew it again
        term.send("j")
        assert term.drain(quiet=1.0, at_least=1.0)  # still answering keys
    finally:
        term.close()


@pytest.mark.parametrize("browser", ["no-such-browser-here %u", "ENV"])
def test_a_browser_that_is_not_there_is_one_line_and_the_reader_stays(
    tmp_path: Path, browser: str
) -> None:
    """browser = "w3m %u" (README's example) on a machine without w3m, or a $BROWSER
    left over on an SSH host: the screen went blank and keys were typed into nothing."""
    paths = build_demo_home(tmp_path / "home")
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("BROWSER", None)
    if browser == "ENV":
        env["BROWSER"] = "no-such-console-browser"
    else:
        paths.config_file.write_text(f'browser = "{browser}"\n', encoding="utf-8")
    term = Terminal([sys.executable, "-m", "tui_reader", "--home", str(tmp_path / "home")],
                    120, 40, env)
    try:
        assert b"Headlines" in term.drain(quiet=1.5, limit=60, at_least=3.0)
        term.send("o")
        after = term.drain(quiet=1.0, at_least=2.0)
        assert b"\x1b[?1049l" not in after  # the terminal was never handed over
        assert b"Could not run no-such" in after or b"No browser here" in after, after[-800:]
        term.send("j")
        assert b"\x1b[" in term.drain(quiet=1.0, at_least=1.0)  # still answering keys
    finally:
        term.close()
