"""A story's Markdown drawn to lines: what becomes a terminal hyperlink, and what reads."""

from __future__ import annotations

import re

import pytest

from tui_reader.links import terminal_hyperlinks
from tui_reader.widgets.markdown_lines import link_target, render_lines


def links(source: str, width: int = 60, *, keep: bool = True) -> list[str]:
    return [segment.style.link for line in render_lines(source, width, links=keep)
            for segment in line if segment.style is not None and segment.style.link]


def text(source: str, width: int = 60) -> str:
    return "\n".join(line.text.rstrip() for line in render_lines(source, width))


@pytest.mark.parametrize("href", [
    "https://example.org/a?b=1&c=2#d",
    "http://127.0.0.1:8080/path;param",
])
def test_web_links_are_terminal_hyperlinks(href: str) -> None:
    assert link_target(href) == href
    assert links(f"see [the page]({href}) now") == [href]


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x", "mailto:a@b.c",
    "/relative/path", "https://example.org/\x1b]8;;https://evil/\x1b\\",
    "https://example.org/" + "a" * 3000,
])
def test_other_targets_are_dropped_and_their_words_stay(href: str) -> None:
    assert link_target(href) == ""
    source = f"see [the page](<{href}>) now"
    assert links(source) == []
    assert "the page" in text(source)


@pytest.mark.parametrize("href", [
    "https://example.org/a\x07b", "https://example.org/a\\b", "https://exa mple.org/",
    "https://example.org/é",
])
def test_a_target_reaches_the_terminal_as_printable_ascii(href: str) -> None:
    """Raw, such a target is refused; the Markdown parser percent-encodes it first, and
    what is sent inside the escape sequence is plain ASCII that cannot end it."""
    assert link_target(href) == ""
    for sent in links(f"see [the page](<{href}>) now"):
        assert re.fullmatch(r"[!-~]+", sent) and "\\" not in sent, sent


def test_an_image_links_only_to_a_web_address() -> None:
    assert links("![a map](https://example.org/map.png)") == ["https://example.org/map.png"]
    assert links("![a map](javascript:alert(1))") == []
    assert links("![a map](file:///etc/passwd)") == []
    assert "a map" in text("![a map](file:///etc/passwd)")  # the parser leaves it as text


def test_a_picture_stays_where_it_is_in_its_paragraph() -> None:
    """Rich moved it to the paragraph's start: "🌆 a cat Image:  and text"."""
    shown = text("Image: ![a cat](https://example.org/cat.png) and text.")
    assert "Image: [picture: a cat] and text." in shown


def test_a_terminal_without_hyperlinks_gets_none() -> None:
    assert links("see [the page](https://example.org/) now", keep=False) == []
    assert "the page" in text("see [the page](https://example.org/) now")
    assert terminal_hyperlinks(False, "xterm-256color")
    assert terminal_hyperlinks(False, "tmux-256color")
    assert not terminal_hyperlinks(False, "linux")
    assert not terminal_hyperlinks(False, "dumb")
    assert not terminal_hyperlinks(True, "xterm-256color")  # low bandwidth: bytes nobody asked


def test_markup_and_escapes_in_the_text_are_words() -> None:
    shown = text("[bold]not bold[/bold] :smile: [link=https://evil]x[/link]")
    assert "[bold]not bold[/bold] :smile:" in shown
    assert links("[link=https://evil]x[/link]") == []


def test_headings_are_left_aligned_and_lines_fit_the_width() -> None:
    lines = render_lines("# A heading\n\n" + "word " * 40, 30)
    assert lines[0].text.startswith("A heading")
    assert all(line.cell_length <= 30 for line in lines)
    assert lines[-1].text.strip()  # no trailing blank lines: the pane has its own spacing


@pytest.mark.parametrize("depth", [8, 15, 30])
@pytest.mark.parametrize("width", [30, 60])
def test_deeply_nested_quotes_and_lists_keep_their_words(depth: int, width: int) -> None:
    """Each level of a quote takes columns; past the width, Rich drew nothing at all."""
    quote = "> " * depth + "the deepest reply"
    items = "\n".join("   " * i + f"- item {i}" for i in range(depth))
    assert "deepest" in text(quote, width)
    assert f"item {depth - 1}" in text(items, width)
    assert all(line.cell_length <= width for line in render_lines(quote, width))


def test_snake_case_and_escapes_are_drawn_as_markdown_not_shown_raw() -> None:
    """The check for lost words counted os\\_path\\_join as three words and its drawing
    as one, and showed short stories as raw Markdown."""
    source = "Use **encoding\\_errors**; see [the docs](http://127.0.0.1:9/d) for os\\_path\\_join."
    shown = text(source)
    assert "encoding_errors" in shown and "os_path_join" in shown
    assert "**" not in shown and "\\_" not in shown and "](" not in shown
