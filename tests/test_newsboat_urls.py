"""`tui-reader import ~/.newsboat/urls`: newsboat's feed list read as newsboat reads it.

The file is told from OPML by its content, never its name. Lines that would run a
program in newsboat (``exec:``, ``filter:``) or that are newsboat's own searches
(``query:``) are skipped with one line each, and nothing from the file reaches a shell:
the exec lines here would create files if anything ran them.

When newsboat is installed, its own reading of the same file (``newsboat -e``, which
exports without fetching) is compared with ours for the titles.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import one_line_error

from tui_reader.core.feeds_file import Subscription, load_subscriptions
from tui_reader.core.newsboat_urls import NotAUrlsFile, parse_newsboat_urls, tokenize
from tui_reader.core.paths import Paths

pytestmark = pytest.mark.timeout(120)

NEWSBOAT = shutil.which("newsboat")


def run(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=90, env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result




# -- tokens, as newsboat's tokenize_quoted makes them ------------------------------------------


@pytest.mark.parametrize(("line", "tokens"), [
    ("https://a.example/f tag1 tag2", ["https://a.example/f", "tag1", "tag2"]),
    ('https://a.example/f "tag with spaces"\tx', ["https://a.example/f", "tag with spaces", "x"]),
    ('https://a.example/f "~My title"', ["https://a.example/f", "~My title"]),
    # A quote opens only at the start of a word; inside one it is an ordinary character.
    ('https://a.example/f ~"Custom title"', ["https://a.example/f", '~"Custom', 'title"']),
    (r'u "say \"hi\" \\ \t\n\x"', ["u", 'say "hi" \\ \t\nx']),
    ('u "unterminated tag', ["u", "unterminated tag"]),
    ("u tag # a comment", ["u", "tag"]),
    ("u tag#not-a-comment", ["u", "tag#not-a-comment"]),
    ('"https://a.example/quoted url" t', ["https://a.example/quoted url", "t"]),
    ("   ", []),
])
def test_tokens_are_newsboats(line: str, tokens: list[str]) -> None:
    assert tokenize(line) == tokens


# -- the whole file -------------------------------------------------------------------------


URLS = """\
# my feeds (a comment line)

https://one.example/feed.xml tech "long reads" ~"Custom title"
\thttps://two.example/rss "~Two, my way" news "say \\"hi\\"" # trailing comment
HTTPS://Three.Example/atom "!hidden in newsboat" news
exec:touch {marker}
"exec:sh -c 'touch {marker}2'" tagged
"filter:touch {marker}3:https://me:pw@four.example/feed.xml" news
"query:Unread Articles:unread = \\"yes\\"" queries
file:///etc/passwd local
gopher://old.example/1/feed
https://user:s3cret@private.example/feed news

https://one.example/feed.xml extra
"""


def test_urls_file_to_subscriptions(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = parse_newsboat_urls(URLS.format(marker=marker), "urls")
    subs = {s.url: s for s in result.subscriptions}
    assert list(subs) == [
        "https://one.example/feed.xml", "https://two.example/rss",
        "https://three.example/atom", "https://private.example/feed",
    ]
    # Newsboat takes the first ~word as the title: here `~"Custom` (see the tokens above).
    assert subs["https://one.example/feed.xml"] == Subscription(
        "https://one.example/feed.xml", '"Custom', ("tech", "long reads", 'title"', "extra"))
    assert subs["https://two.example/rss"].title == "Two, my way"
    assert subs["https://two.example/rss"].tags == ("news", 'say "hi"')
    # `!` hides a feed in newsboat; it is neither a tag nor lost here.
    assert subs["https://three.example/atom"].tags == ("news",)
    assert result.hidden == ["https://three.example/atom"]
    assert subs["https://private.example/feed"].credentials == "user:s3cret"
    skipped = "\n".join(result.skipped)
    assert len(result.skipped) == 6, skipped
    for line_no, words in [(6, "exec:"), (7, "exec:"), (8, "filter:"), (9, "query:"),
                           (10, "not an http(s) URL"), (11, "not an http(s) URL")]:
        assert any(s.startswith(f"urls:{line_no}: ") and words in s for s in result.skipped), (
            line_no, skipped)
    assert "never runs" in result.skipped[0]
    assert "https://four.example/feed.xml" in result.skipped[2]  # what the filter read
    assert "me:pw" not in skipped  # a password is never shown
    # The quote inside a word is worth a word to the user: newsboat reads it that way too.
    assert any(n.startswith("urls:3: ") and "~Custom title" in n for n in result.notes)
    assert not marker.exists() and not Path(f"{marker}2").exists()
    assert not Path(f"{marker}3").exists()


def test_what_is_not_a_urls_file_is_refused_with_its_line() -> None:
    with pytest.raises(NotAUrlsFile, match=r"^notes.txt:3: .*Dear diary"):
        parse_newsboat_urls("# fine\nhttps://a.example/f\nDear diary, today\n", "notes.txt")


@pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed: only our reading "
                    "of the file is tested (apt-get install newsboat for the comparison)")
def test_titles_as_newsboat_reads_them(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    # No exec/filter lines here: newsboat itself reads this file.
    urls.write_text(
        'https://one.example/feed.xml tech ~"Custom title"\n'
        'https://two.example/rss "~Two, my way" # comment\n'
        'https://three.example/atom "~First" "~Second"\n', encoding="utf-8")
    exported = subprocess.run(
        [str(NEWSBOAT), "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-C", os.devnull,
         "-e"], capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "HOME": str(tmp_path)},
    ).stdout
    theirs = dict(re.findall(r'xmlUrl="([^"]+)"[^>]*title="([^"]*)"', exported))
    theirs = {url: title.replace("&quot;", '"') for url, title in theirs.items()}
    ours = {s.url: s.title for s in parse_newsboat_urls(urls.read_text(), "urls").subscriptions}
    assert theirs == ours == {
        "https://one.example/feed.xml": '"Custom',
        "https://two.example/rss": "Two, my way",
        "https://three.example/atom": "First",
    }


# -- the command --------------------------------------------------------------------------------


def test_import_command_reads_urls_by_content(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    home = tmp_path / "home"
    run(home, "add", "https://one.example/feed.xml", "--no-check", "--title", "Mine")
    urls = tmp_path / "subscriptions.opml"  # the name says OPML; the content decides
    urls.write_text(URLS.format(marker=marker), encoding="utf-8")
    result = run(home, "import", str(urls))
    out = result.stdout
    assert f"Imported 3 feeds from {urls} (1 already subscribed, 6 lines skipped)" in out, out
    assert out.count("skipped: ") == 6, out
    assert f"skipped: {urls}:6: exec:touch" in out
    assert "s3cret" not in out + result.stderr and "me:pw" not in out
    assert "hidden" in out  # the one hidden feed is said to be shown like the others
    assert not marker.exists() and not Path(f"{marker}2").exists()
    assert not Path(f"{marker}3").exists()
    feeds_file = Paths.under(home).feeds_file
    subs = {s.url: s for s in load_subscriptions(feeds_file)}
    assert subs["https://one.example/feed.xml"].title == "Mine"  # left as it was
    assert subs["https://one.example/feed.xml"].tags == ()
    assert subs["https://two.example/rss"].tags == ("news", 'say "hi"')
    assert subs["https://private.example/feed"].credentials == "user:s3cret"
    assert stat.S_IMODE(feeds_file.stat().st_mode) == 0o600  # it holds a password now

    again = run(home, "import", str(urls)).stdout
    assert "Imported 0 feeds" in again and "4 already subscribed" in again


def test_import_command_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    notes = tmp_path / "urls"
    notes.write_text("https://a.example/feed\nRemember the milk\n", encoding="utf-8")
    one_line_error(run(home, "import", str(notes), ok=False), f"{notes}:2:", "Remember")
    opml_named_urls = tmp_path / "feeds"
    opml_named_urls.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="A" xmlUrl="https://a.example/feed"/></body></opml>', encoding="utf-8")
    assert "Imported 1 feed from" in run(home, "import", str(opml_named_urls)).stdout
    database = tmp_path / "cache.db"
    database.write_bytes(b"SQLite format 3\x00" + bytes(100))
    one_line_error(run(home, "import", str(database), ok=False), "--newsboat-cache")
    one_line_error(run(home, "import", ok=False), "import")
    assert [s.url for s in load_subscriptions(Paths.under(home).feeds_file)] == [
        "https://a.example/feed"]


def test_a_quote_inside_any_word_is_noted() -> None:
    result = parse_newsboat_urls('https://a.example/f it"s\n', "urls")
    assert result.subscriptions[0].tags == ('it"s',)
    assert result.notes == ["urls:1: a quote inside a word is part of the word, as newsboat "
                            "reads it"]
