"""feeds.toml is checked as strictly as config.toml: each mistake is one line with the file
and line, and a file that failed to load is never rewritten (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui_reader.core.errors import ConfigError
from tui_reader.core.feeds_file import (
    Subscription,
    load_subscriptions,
    save_subscriptions,
    update_subscriptions,
)
from tui_reader.core.paths import Paths

pytestmark = pytest.mark.timeout(60)

OK = 'url = "https://ok.example/feed"\n'


def feeds_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_subscriptions(path)
    message = str(info.value)
    assert "\n" not in message, message
    return path, message


# -- feeds.toml: every mistake is one line with the file and the line ----------------------

MANY = "".join(
    f"# feed {n}\n\n[[feed]]\nurl = \"https://f{n}.example/rss\"  # [[feed]] in a comment\n"
    for n in range(102)
)  # 4 lines per feed: the 103rd [[feed]] header is on line 102 * 4 + 3 = 411


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        # unknown keys, with the allowed ones and the close one
        (f'[[feed]]\n{OK}titel = "x"\n', 3,
         "unknown key titel in a [[feed]] (did you mean title?); "
         "a feed has url, title, tags, full_text and selector"),
        (f'[[feed]]\n{OK}colour = "red"\n', 3,
         "unknown key colour in a [[feed]]; a feed has url, title, tags, full_text and selector"),
        (f'[[feed]]\n{OK}"full text" = true\n', 3,
         'unknown key "full text" in a [[feed]] (did you mean full_text?)'),
        # wrong types
        (f'[[feed]]\n{OK}full_text = "yes"\n', 3, 'full_text must be true or false, got "yes"'),
        (f"[[feed]]\n{OK}title = 3\n", 3, "title must be text in quotes, got 3"),
        (f"[[feed]]\n{OK}tags = [1, 2]\n", 3,
         'tags must be a list of text like ["news", "tech"], got [1, 2]'),
        (f"[[feed]]\n{OK}tags = true\n", 3,
         'tags must be a list of text like ["news", "tech"], got true'),
        (f"[[feed]]\n{OK}selector = 5\n", 3, "selector must be text in quotes, got 5"),
        (f'[[feed]]\n{OK}selector = "[[["\n', 3,
         'selector "[[[" is not a valid CSS selector (malformed attribute selector'),
        (f'[[feed]]\n{OK}selector = "div:has("\n', 3,
         'selector "div:has(" is not a valid CSS selector (unclosed pseudo-class'),
        # urls
        ('[[feed]]\ntitle = "no url"\n', 1, "feed has no url"),
        ('[[feed]]\nurl = "ftp://files.example/x"\n', 2,
         'url must be an http(s) URL, got "ftp://files.example/x"'),
        ("[[feed]]\nurl = 3\n", 2, "url must be an http(s) URL, got 3"),
        ('[[feed]]\n"url" = "javascript:alert(1)"\n', 2,
         'url must be an http(s) URL, got "javascript:alert(1)"'),
        (MANY + '# the broken one\n[[ "feed" ]] # spaced and quoted\ntitle = "x"\n', 410,
         "feed has no url"),
        # the top level
        ('# my feeds\n\nversion = 2\n[[feed]]\nurl = "https://a.example/"\n', 3,
         "unknown key version; feeds.toml has only [[feed]] tables"),
        ('[[feed]]\nurl = "https://a.example/"\n\n[groups]\nmain = ["a"]\n', 4,
         "unknown key groups; feeds.toml has only [[feed]] tables"),
        ('# x\nfeed = "x"\n', 2, 'feed must be [[feed]] tables, got "x"'),
        ('[feed]\nurl = "https://a.example/"\n', 1, "feed must be [[feed]] tables (two brackets)"),
        ("feed = [1]\n", 1, "each feed must be a table ([[feed]]), got 1"),
        # inline arrays of tables: the line of the feed's {
        ('feed = [\n  { url = "https://a.example/" },  # first\n\n  { title = "x" },\n]\n', 4,
         "feed has no url"),
        ('feed = [{ url = "https://a.example/" }, {url="https://b.example/", titel="x"}]\n',
         1, "unknown key titel in a [[feed]] (did you mean title?)"),
        # a [[feed]] inside a multi-line string is not a header
        ('[[feed]]\nurl = "https://a.example/"\ntitle = """\n[[feed]]\n"""\n[[feed]]\n'
         'url = "https://b.example/"\nfull_text = 1\n', 8,
         "full_text must be true or false, got 1"),
    ],
)
def test_feeds_mistakes_name_file_line_and_problem(
    tmp_path: Path, text: str, line: int, expected: str
) -> None:
    path, message = feeds_error(tmp_path, text)
    assert message.startswith(f"{path}:{line}: {expected}"), message
    for python in ("None", "'", "#"):
        assert python not in message.replace("[[feed]]", ""), message


def test_feed_text_in_errors_cannot_drive_the_terminal(tmp_path: Path) -> None:
    _, message = feeds_error(tmp_path, '[[feed]]\nurl = "https://a.example/\\u001b[2J"\n'
                                       '"\\u001b]0;owned\\u0007" = 1\n')
    assert "\x1b" not in message and "\x07" not in message
    assert "\\u001b" in message


def test_valid_feeds_still_load(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '# mine\n[[feed]]\n"url" = "https://EXAMPLE.org/feed.xml"\ntitle = "Ex"\n'
        'tags = "news"\nfull_text = false\nselector = "article .body, div#main > p"\n\n'
        '[[feed]]\nurl = "http://b.example"\ntags = ["a", "b"]\nfull_text = true\n',
        encoding="utf-8",
    )
    assert load_subscriptions(path) == [
        Subscription("https://example.org/feed.xml", "Ex", ("news",), False,
                     "article .body, div#main > p"),
        Subscription("http://b.example/", None, ("a", "b"), True),
    ]


# -- nothing is overwritten ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[[feed]]\nurl = "https://a.example/"\ntitel = "x"\n',
        '[[feed]]\nurl = "https://a.example/\n',
        "version = 2\n",
    ],
)
def test_a_feeds_file_that_failed_to_load_is_never_rewritten(tmp_path: Path, text: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        save_subscriptions(path, [Subscription("https://new.example/")])
    with pytest.raises(ConfigError):
        update_subscriptions(path, lambda subs: [*subs, Subscription("https://new.example/")])
    assert path.read_text(encoding="utf-8") == text


def test_cli_add_with_a_broken_feeds_file_says_where_and_keeps_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    paths = Paths.under(home)
    paths.config_dir.mkdir(parents=True)
    text = '[[feed]]\nurl = "https://a.example/"\nfull_text = "yes"\n'
    paths.feeds_file.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), "add", "--no-check",
         "https://new.example/feed"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f'tui-reader: {paths.feeds_file}:3: full_text must be true or false, got "yes"'
    ), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert paths.feeds_file.read_text(encoding="utf-8") == text




def test_a_feed_listed_twice_is_one_line_naming_both_places(tmp_path: Path) -> None:
    """The second entry (and its title) was ignored, then dropped by the next rewrite."""
    path = tmp_path / "feeds.toml"
    text = ('[[feed]]\nurl = "http://127.0.0.1:8765/a.xml"\n\n'
            '[[feed]]\nurl = "http://127.0.0.1:8765/A.xml"\n\n'
            '[[feed]]\nurl = "HTTP://127.0.0.1:8765/a.xml"\ntitle = "again"\n')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_subscriptions(path)
    assert str(caught.value) == (
        f"{path}:7: http://127.0.0.1:8765/a.xml is listed twice (first at line 1); keep one"
    )
    assert path.read_text(encoding="utf-8") == text
