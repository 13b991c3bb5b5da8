"""HTML to Markdown and to plain text, on friendly and hostile input."""

from __future__ import annotations

import time

import pytest
from feedserver import FeedServer

from tui_reader.core.article_body import item_markdown
from tui_reader.core.html_to_md import html_to_markdown, html_to_text, search_text
from tui_reader.core.http import PoliteClient
from tui_reader.core.parse import parse_feed

pytestmark = pytest.mark.timeout(10)

BASE = "https://blog.example.test/posts/2024/entry.html"


def test_structure_uses_atx_headings_and_dash_bullets() -> None:
    html = "<h1>Title</h1><h3>Sub</h3><ul><li>one</li><li>two <b>bold</b></li></ul><p>End</p>"
    assert html_to_markdown(html) == "# Title\n\n### Sub\n\n- one\n- two **bold**\n\nEnd"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_dangerous_links_dropped_text_kept(href: str) -> None:
    md = html_to_markdown(f'<p>Click <a href="{href}">here</a> now</p>', BASE)
    assert md == "Click here now"


def test_safe_schemes_kept() -> None:
    html = '<a href="mailto:ed@example.test">mail</a> <a href="HTTPS://x.example.test/">web</a>'
    md = html_to_markdown(html, BASE)
    assert "[mail](mailto:ed@example.test)" in md
    assert "[web](https://x.example.test/)" in md


def test_active_content_removed_with_its_text() -> None:
    html = (
        "<p>before</p><script>alert('x')</script><style>p{color:red}</style>"
        "<iframe src='https://evil.example.test/'>frame text</iframe>"
        "<object data='x.swf'>obj</object><embed src='x.swf'>"
        "<form action='/steal'><input name='pw'><button>Send</button></form>"
        "<p>after</p><!-- a comment -->"
    )
    md = html_to_markdown(html, BASE)
    # A plugin's fallback ("obj") is what a reader without the plugin is meant to see.
    assert md == "before\n\nobj\n\nafter"
    for word in ("alert", "color", "frame text", "x.swf", "Send", "comment"):
        assert word not in md
    assert html_to_text(html) == "before obj after"


def test_tail_text_after_removed_element_survives() -> None:
    assert html_to_markdown("<p>a<script>x()</script>b</p>") == "ab"
    # libxml2 nests what follows an <embed> inside it; that text must not vanish with it
    assert html_to_markdown("<p>a</p><embed src='x.swf'><p>b</p>") == "a\n\nb"


def test_relative_urls_made_absolute() -> None:
    html = (
        '<p><a href="../other.html">sibling</a> <a href="/root">root</a> '
        '<a href="//cdn.example.test/f">cdn</a> <a href="#frag">frag</a> '
        '<a href="?page=2">next</a></p><p><img src="img/pic.png" alt="A pic"></p>'
    )
    md = html_to_markdown(html, BASE)
    assert "[sibling](https://blog.example.test/posts/other.html)" in md
    assert "[root](https://blog.example.test/root)" in md
    assert "[cdn](https://cdn.example.test/f)" in md
    assert "[frag](https://blog.example.test/posts/2024/entry.html#frag)" in md
    assert "[next](https://blog.example.test/posts/2024/entry.html?page=2)" in md
    assert "![A pic](https://blog.example.test/posts/2024/img/pic.png)" in md


def test_relative_links_without_base_lose_the_link_not_the_text() -> None:
    assert html_to_markdown('<a href="/x">text</a>') == "text"


def test_images_with_unsafe_sources_become_their_alt_text() -> None:
    html = '<p>see <img src="data:image/png;base64,AAAA" alt="chart"> here</p>'
    assert html_to_markdown(html, BASE) == "see chart here"


def test_urls_that_would_break_markdown_are_escaped() -> None:
    md = html_to_markdown('<a href="/a b(c)">x</a>', "https://e.example.test/")
    assert md == "[x](https://e.example.test/a%20b%28c%29)"


def test_terminal_escapes_and_bidi_removed() -> None:
    html = "<p>red\x1b[31m text \u202eevil\u202c \x07bell &#x200B;zw</p>"
    assert html_to_markdown(html) == "red[31m text evil bell zw"
    assert html_to_text(html) == "red[31m text evil bell zw"


def test_code_blocks_keep_their_lines() -> None:
    md = html_to_markdown("<pre><code>a = 1\n  b = 2</code></pre>")
    assert md == "```\na = 1\n  b = 2\n```"


def test_html_to_text_spaces_blocks_and_limits() -> None:
    html = "<h2>Head</h2><p>First&nbsp;para.</p><ul><li>one</li><li>two</li></ul>word<b>s</b>"
    assert html_to_text(html) == "Head First para. one two words"
    long = "<p>" + "lorem ipsum " * 100 + "</p>"
    short = html_to_text(long, limit=50)
    assert len(short) <= 50 and short.endswith("…")
    assert html_to_text("Tom &amp; Jerry") == "Tom & Jerry"
    assert html_to_text("plain a < b text") == "plain a < b text"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "<",
        ">>><<<",
        "\x00\x00\x00",
        "<?xml version='1.0' encoding='utf-8'?><p>decl</p>",
        "<p" * 10_000,
        "<" * 200_000,
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<b><i><p>unclosed <a href='",
        "&#xD800; &#99999999; &bogus;",
        "<script>never closed",
        "\udcff lone surrogate",
    ],
)
def test_garbage_never_raises(garbage: str) -> None:
    started = time.monotonic()
    md = html_to_markdown(garbage, BASE)
    text = html_to_text(garbage, 100)
    assert isinstance(md, str) and isinstance(text, str)
    assert "\x00" not in md and "\x00" not in text
    assert time.monotonic() - started < 2


def test_deep_nesting_keeps_its_text() -> None:
    deep = "<div>" * 5000 + "deep" + "</div>" * 5000
    assert html_to_markdown(deep) == "deep"
    assert html_to_text(deep) == "deep"


def test_non_string_input_gives_empty() -> None:
    assert html_to_markdown(None) == ""  # type: ignore[arg-type]
    assert html_to_text(b"<p>x</p>") == ""  # type: ignore[arg-type]


async def test_feed_content_from_loopback_resolves_against_the_item(
    feed_server: FeedServer,
) -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <entry><title>E</title><id>e1</id><link href="/posts/e1/"/>
        <content type="html">&lt;p&gt;&lt;a href="img.png"&gt;pic&lt;/a&gt;
        &lt;a href="javascript:steal()"&gt;js&lt;/a&gt;&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;
        </content></entry></feed>"""
    feed_server.route("/atom.xml", atom, content_type="application/atom+xml")
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/atom.xml"))
    (item,) = parse_feed(result.content, result.url, result.content_type).items
    shown = " ".join(item_markdown(item).split())
    assert shown == f"[pic]({feed_server.url('/posts/e1/img.png')}) js"


def _as_the_pane_shows(markdown: str) -> str:
    """The text Textual's Markdown widget shows: its own parser, whose raw HTML tokens it
    drops and whose entities it decodes."""
    from markdown_it import MarkdownIt

    shown = []
    for token in MarkdownIt("gfm-like").parse(markdown):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                shown.append(child.content)
    return "".join(shown)


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("<p>Use the &lt;video&gt; element</p>", "Use the <video> element"),
        ("<p>Write &amp;lt; for &lt;, &amp;hellip; for …</p>", "Write &lt; for <, &hellip; for …"),
        ("<p>A <a href='/x'>&lt;link&gt;</a> and <code>&lt;b&gt;</code></p>", "A <link> and <b>"),
        ("<p>1 &lt; 2 &amp; 3 &gt; 2</p>", "1 < 2 & 3 > 2"),
    ],
)
def test_text_that_looks_like_markup_shows_as_written(html: str, shown: str) -> None:
    assert _as_the_pane_shows(html_to_markdown(html, BASE)) == shown


@pytest.mark.parametrize("tag", ["object data='movie.swf'", "applet code='A.class'", "embed"])
def test_an_unclosed_plugin_tag_keeps_what_follows(tag: str) -> None:
    """A plugin that is never shown leaves its fallback, and the rest of the story, to
    be read, as a browser without the plugin does."""
    html = f"<p>safe<{tag}><param name='x' value='y'> description</p><p>Next paragraph</p>"
    assert html_to_markdown(html, BASE) == "safe description\n\nNext paragraph"
    assert html_to_text(html) == "safe description Next paragraph"
    assert "description" in search_text(html) and "Next" in search_text(html)
