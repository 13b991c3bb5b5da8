"""Settings written back without losing the user's comments, file mode or data (issue 12)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui_reader.core.config import Settings, load_settings, save_theme
from tui_reader.core.errors import ConfigError
from tui_reader.core.feeds_file import (
    Subscription,
    load_subscriptions,
    save_subscriptions,
)

pytestmark = pytest.mark.timeout(60)


# -- atomic writes --------------------------------------------------------------------------


def test_save_keeps_the_mode_of_feeds_toml(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nurl = "https://a.example/"\n', encoding="utf-8")
    path.chmod(0o640)
    save_subscriptions(path, [Subscription("https://b.example/")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [s.url for s in load_subscriptions(path)] == ["https://b.example/"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".feeds.toml.lock", "feeds.toml"]


def test_write_is_synced_to_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash (power loss) right after the rename must not leave an empty file: the data is
    fsynced first. Spies wrap the real calls and record their order."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save_subscriptions(tmp_path / "feeds.toml", [Subscription("https://a.example/")])
    assert "replace" in events and "fsync" in events[: events.index("replace")]
    events.clear()
    save_theme(tmp_path / "config.toml", "nord")
    assert "replace" in events and "fsync" in events[: events.index("replace")]


# -- save_theme edits one line --------------------------------------------------------------

COMMENTED = """\
# My settings, hand-written.
refresh_minutes = 12      # twelve, not thirty

theme = "textual-dark"    # the dark one
# retention_days = 30

[keys]
# my bookmark key
bookmark = "ctrl+b"
theme = "t"               # an action called theme is not the setting
"""


def test_save_theme_changes_only_the_theme_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    path.chmod(0o600)
    save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == COMMENTED.replace(
        'theme = "textual-dark"    #', 'theme = "nord"    #'
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path).theme == "nord"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # no theme: after the last top-level setting, not between [keys] and its comment
        ('refresh_minutes = 12 # c\n\n# keys\n[keys]\nbookmark = "b"\n',
         'refresh_minutes = 12 # c\ntheme = "nord"\n\n# keys\n[keys]\nbookmark = "b"\n'),
        # only tables: before the first one
        ('# mine\n\n[keys]\ntheme = "t"\n', '# mine\n\ntheme = "nord"\n[keys]\ntheme = "t"\n'),
        # no tables: at the end, even without a final newline
        ("# just a comment", '# just a comment\ntheme = "nord"\n'),
        ("", 'theme = "nord"\n'),
        ("retention_days = 9", 'retention_days = 9\ntheme = "nord"\n'),
        # odd spellings of the key are still found and replaced in place
        ("'theme'='x' # q\n", "'theme'=\"nord\" # q\n"),
        ('theme = """\nx"""\nconcurrency = 2\n', 'theme = "nord"\nconcurrency = 2\n'),
    ],
)
def test_save_theme_adds_or_replaces_one_line(tmp_path: Path, before: str, after: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(before, encoding="utf-8")
    save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == after


@pytest.mark.parametrize(
    "text",
    ["theme = \n", 'theme = "abc\n', "refresh_minutes = 0\n", 'colour = "red"\n'],
)
def test_save_theme_never_writes_a_config_it_cannot_read(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == text


def test_save_theme_writes_through_a_symlink(tmp_path: Path) -> None:
    """Dotfile managers link config.toml into a repository; the link must stay a link."""
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text("# tracked\nconcurrency = 4\n", encoding="utf-8")
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    save_theme(link, "nord")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == '# tracked\nconcurrency = 4\ntheme = "nord"\n'
    assert load_settings(link) == Settings(concurrency=4, theme="nord")


def test_save_theme_quotes_the_name(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_theme(path, 'odd "name" \\ here')
    assert load_settings(path).theme == 'odd "name" \\ here'


async def test_choosing_a_theme_in_the_palette_keeps_comments_and_mode(tmp_path: Path) -> None:
    """The first-hour report: picking a theme rewrote config.toml without its comments."""
    from palette_driver import palette_prompts
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from tui_reader.app import TuiReaderApp
    from tui_reader.core.paths import Paths
    from tui_reader.core.session import open_session

    paths = Paths.under(tmp_path / "home")
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text(COMMENTED, encoding="utf-8")
    paths.config_file.chmod(0o600)
    session = open_session(paths)
    app = TuiReaderApp(session, refresh_on_start=False)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            prompts = await palette_prompts(app, pilot, "theme", "Theme")
            assert any(p.startswith("Theme") for p in prompts), prompts
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"nord")
            options = app.screen.query_one(OptionList)
            for _ in range(60):
                await pilot.pause(0.05)
                shown = [str(options.get_option_at_index(i).prompt)
                         for i in range(options.option_count)]
                if shown and shown[0].startswith("nord"):
                    break
            await pilot.press("enter")
            await pilot.pause()
            assert app.theme == "nord"
            await app.workers.wait_for_complete()
    finally:
        session.close()
    assert paths.config_file.read_text(encoding="utf-8") == COMMENTED.replace(
        'theme = "textual-dark"    #', 'theme = "nord"    #'
    )
    assert stat.S_IMODE(paths.config_file.stat().st_mode) == 0o600
