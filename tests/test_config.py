"""config.toml and feeds.toml: defaults, one-line errors naming file and line, round trips."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui_reader.core.config import EXAMPLE, Settings, load_settings, save_theme
from tui_reader.core.errors import ConfigError
from tui_reader.core.feeds_file import Subscription, load_subscriptions, save_subscriptions
from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session

pytestmark = pytest.mark.timeout(60)


def test_missing_config_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "nope" / "config.toml")
    assert settings == Settings()
    assert settings.refresh_minutes == 30 and settings.retention_days == 90
    assert settings.max_bytes == 10 * 1024 * 1024
    assert settings.keys == {}


def test_empty_config_means_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    assert load_settings(path) == Settings()


def test_example_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert load_settings(path) == Settings()


def test_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'refresh_minutes = 5\nretention_days = 7\nconcurrency = 2\ntimeout_seconds = 3\n'
        'max_feed_mb = 0.5\nfull_text_per_refresh = 0\ntheme = " nord "\n',
        encoding="utf-8",
    )
    s = load_settings(path)
    assert (s.refresh_minutes, s.retention_days, s.concurrency) == (5, 7, 2)
    assert s.timeout_seconds == 3.0 and isinstance(s.timeout_seconds, float)
    assert s.max_bytes == 512 * 1024
    assert s.full_text_per_refresh == 0
    assert s.theme == "nord"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("refresh_minutes = 30\nretention_days = = 4\n", 2),
        ("theme = \"unterminated\n", 1),
        ("a = 1\nb = 2\n\n[keys\n", 4),
        ("refresh_minutes = 1\nrefresh_minutes = 2\n", 2),
    ],
)
def test_broken_toml_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert "\n" not in message


def test_non_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="UTF-8") as info:
        load_settings(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('refresh_minutes = "often"\n', ["refresh_minutes", "number"]),
        ("refresh_minutes = true\n", ["refresh_minutes", "number", "got true"]),
        ("concurrency = 1.5\n", ["concurrency", "whole number", "1.5"]),
        ("refresh_minutes = 0\n", ["refresh_minutes", "between"]),
        ("retention_days = -1\n", ["retention_days", "between"]),
        ("concurrency = 1000\n", ["concurrency", "between"]),
        ("timeout_seconds = 0.5\n", ["timeout_seconds", "between"]),
        ("max_feed_mb = 0\n", ["max_feed_mb", "between"]),
        ("full_text_per_refresh = -3\n", ["full_text_per_refresh", "between"]),
        ("refresh_minutes = nan\n", ["refresh_minutes"]),
        ("max_feed_mb = inf\n", ["max_feed_mb"]),
        ("theme = 3\n", ["theme"]),
        ('theme = "  "\n', ["theme"]),
        ('keys = "b"\n', ["keys"]),
        ("[keys]\nbookmark = 3\n", ["keys.bookmark"]),
        ('[keys]\nbookmark = ""\n', ["keys.bookmark"]),
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    for word in words:
        assert word in message


def test_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("refresh_minutes = 5\nrefersh_minutes = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="refersh_minutes") as info:
        load_settings(path)
    assert str(path) in str(info.value)


def test_keys_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nbookmark = "b, ctrl+b"\nrefresh = "R"\n', encoding="utf-8")
    assert load_settings(path).keys == {"bookmark": "b,ctrl+b", "refresh": "R"}


def test_save_theme_keeps_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'refresh_minutes = 12\nmax_feed_mb = 2.5\n\n[keys]\nbookmark = "ctrl+b"\n',
        encoding="utf-8",
    )
    save_theme(path, "gruvbox")
    s = load_settings(path)
    assert s.theme == "gruvbox"
    assert s.refresh_minutes == 12 and s.max_feed_mb == 2.5
    assert s.keys == {"bookmark": "ctrl+b"}
    save_theme(path, "nord")
    assert load_settings(path) == Settings(refresh_minutes=12, max_feed_mb=2.5, theme="nord",
                                           keys={"bookmark": "ctrl+b"})
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp files left


def test_save_theme_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_theme(path, "nord")
    assert load_settings(path).theme == "nord"


def test_save_theme_refuses_to_overwrite_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n", encoding="utf-8")
    with pytest.raises(ConfigError):
        save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == "theme = \n"


# -- feeds.toml -----------------------------------------------------------------------------


def test_feeds_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feed]]\nurl = "https://EXAMPLE.org/feed.xml"\ntitle = "Ex"\ntags = ["news", "news", '
        '"  world "]\nfull_text = true\nselector = "article .body"\n\n'
        '[[feed]]\nurl = "http://b.example"\n',
        encoding="utf-8",
    )
    subs = load_subscriptions(path)
    assert subs == [
        Subscription("https://example.org/feed.xml", "Ex", ("news", "world"), True,
                     "article .body"),
        Subscription("http://b.example/"),
    ]
    save_subscriptions(path, subs)
    assert load_subscriptions(path) == subs
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["feed"][0] == {"url": "https://example.org/feed.xml", "title": "Ex",
                               "tags": ["news", "world"], "full_text": True,
                               "selector": "article .body"}
    assert path.read_text(encoding="utf-8").startswith("# tui-reader subscriptions")


def test_feeds_duplicates_are_named_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feed]]\nurl = "https://example.org/f"\n[[feed]]\nurl = "HTTPS://example.org/f"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"feeds.toml:3: https://example.org/f is listed twice"):
        load_subscriptions(path)


def test_missing_feeds_file_is_empty(tmp_path: Path) -> None:
    assert load_subscriptions(tmp_path / "feeds.toml") == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[[feed]]\nurl = "https://a.example/feed\n', ":2:"),
        ('feed = "x"\n', ":1: feed must be [[feed]] tables"),
        ("feed = [1]\n", ":1: each feed must be a table"),
        ("[[feed]]\ntitle = \"no url\"\n", ":1: feed has no url"),
        ('[[feed]]\nurl = "https://ok.example/"\n[[feed]]\nurl = "file:///etc/passwd"\n',
         ':4: url must be an http(s) URL, got "file:///etc/passwd"'),
        ('[[feed]]\nurl = "javascript:alert(1)"\n', "http(s)"),
    ],
)
def test_broken_feeds_file_is_config_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_subscriptions(path)
    message = str(info.value)
    assert str(path) in message and fragment in message and "\n" not in message


def test_broken_config_never_opens_the_cache(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path / "home")
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("refresh_minutes = [\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        open_session(paths)
    assert not paths.database.exists()


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, timeout=60,
    )


def test_cli_with_broken_config_prints_one_line_and_leaves_the_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    paths = Paths.under(home)
    paths.config_dir.mkdir(parents=True)
    paths.feeds_file.write_text('[[feed]]\nurl = "http://127.0.0.1:9/feed"\n', encoding="utf-8")
    first = _run(home, "feeds")
    assert first.returncode == 0, first.stderr
    assert paths.database.exists()
    before = {p.name: p.read_bytes() for p in paths.data_dir.iterdir()}

    for name, text in [
        (paths.config_file, "refresh_minutes = 30\nconcurrency = [oops\n"),
        (paths.config_file, 'refresh_minutes = "soon"\n'),
    ]:
        name.write_text(text, encoding="utf-8")
        result = _run(home, "feeds")
        assert result.returncode != 0
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert str(paths.config_file) in lines[0]
        assert result.stdout == ""
        assert {p.name: p.read_bytes() for p in paths.data_dir.iterdir()} == before

    paths.config_file.unlink()
    paths.feeds_file.write_text('[[feed]]\nurl = "nope"\n', encoding="utf-8")
    result = _run(home, "feeds")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(paths.feeds_file) in result.stderr
    assert {p.name: p.read_bytes() for p in paths.data_dir.iterdir()} == before
