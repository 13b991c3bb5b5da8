"""OPML import/export: round trips, folder tags, and hostile files refused safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.opml import OpmlError, OpmlImport, build_opml, parse_opml


def _as_sets(subs: list[Subscription]) -> dict[str, tuple[str | None, frozenset[str]]]:
    return {s.url: (s.title, frozenset(s.tags)) for s in subs}


def test_round_trip_keeps_urls_titles_and_tags() -> None:
    subs = [
        Subscription("https://example.org/feed.xml", "Plain", ("news",)),
        Subscription(
            "https://example.org/a?x=1&y=2", "Tom & \"Jerry\" <3 'quoted'", ("news", "fun")
        ),
        Subscription("https://zürich.example/föö", "Überschrift — 日本語 ✓", ("Ünïcode", "日本")),
        Subscription("https://example.net/untitled.xml"),
        Subscription("http://example.com/rss", "Greater > less", ("a&b", "<tag>")),
    ]
    text = build_opml(subs, title="My <feeds> & more")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<dateCreated>" in text
    result = parse_opml(text.encode("utf-8"))
    assert isinstance(result, OpmlImport)
    assert result.skipped == []
    assert _as_sets(result.subscriptions) == _as_sets(subs)
    # Order and first-tag folders survive too.
    assert [s.url for s in result.subscriptions][0] == subs[0].url
    assert result.subscriptions[1].tags == ("news", "fun")


def test_build_uses_one_folder_per_first_tag() -> None:
    subs = [
        Subscription("https://a.example/1", "One", ("news", "x")),
        Subscription("https://a.example/2", "Two", ("news",)),
        Subscription("https://a.example/3", "Three", ("tech",)),
    ]
    text = build_opml(subs)
    assert text.count('<outline text="news" title="news">') == 1
    assert text.count('type="rss"') == 3
    assert 'category="news,x"' in text


def test_nested_folders_and_categories_become_tags() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="News">
    <outline title="World" text="ignored">
      <outline text="Desk" xmlUrl="HTTPS://Example.ORG/world.xml"
               category="/Daily/Politics,Europe"/>
    </outline>
    <outline text="Tech" type="rss" xmlUrl="https://example.org/tech"/>
  </outline>
  <outline text="Top level" xmlurl="https://example.org/top"/>
  <outline text="Also in" ><outline xmlUrl="https://example.org/tech" text="Tech"/></outline>
  <outline text="Just a link" type="link" url="https://example.org/page"/>
</body></opml>"""
    result = parse_opml(data)
    by_url = {s.url: s for s in result.subscriptions}
    assert set(by_url) == {
        "https://example.org/world.xml",
        "https://example.org/tech",
        "https://example.org/top",
    }
    assert by_url["https://example.org/world.xml"].title == "Desk"
    assert by_url["https://example.org/world.xml"].tags == (
        "News",
        "World",
        "Daily",
        "Politics",
        "Europe",
    )
    # The same feed in two folders is one subscription with both folders' tags.
    assert by_url["https://example.org/tech"].tags == ("News", "Also in")
    assert by_url["https://example.org/top"].tags == ()


def test_non_http_urls_are_skipped_with_a_reason() -> None:
    data = b"""<opml version="1.0"><body>
  <outline text="Good" xmlUrl="https://ok.example/feed"/>
  <outline text="Local file" xmlUrl="file:///etc/passwd"/>
  <outline text="Script" xmlUrl="javascript:alert(1)"/>
  <outline text="Empty" xmlUrl=""/>
  <outline text="Relative" xmlUrl="/feed.xml"/>
</body></opml>"""
    result = parse_opml(data)
    assert [s.url for s in result.subscriptions] == ["https://ok.example/feed"]
    assert len(result.skipped) == 4
    assert result.skipped[0].startswith("Local file: not an http(s) URL")
    assert "file:///etc/passwd" in result.skipped[0]
    assert result.skipped[1].startswith("Script: not an http(s) URL")
    assert result.skipped[2] == "Empty: empty xmlUrl"
    assert result.skipped[3].startswith("Relative: not an http(s) URL")


def test_billion_laughs_is_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<opml version="2.0"><body><outline text="&f;" xmlUrl="https://x.example/"/></body></opml>"""
    with pytest.raises(OpmlError, match="entity"):
        parse_opml(data, source="laughs.opml")


def test_external_entity_is_refused_and_nothing_is_read() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&x;" xmlUrl="https://x.example/"/></body></opml>"""
    with pytest.raises(OpmlError) as info:
        parse_opml(data, source="xxe.opml")
    message = str(info.value)
    assert message.startswith("xxe.opml: ")
    assert "root:" not in message
    assert "\n" not in message


def test_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "opml.dtd"
    dtd.write_text('<!ENTITY y "SECRET">', encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "{dtd.as_uri()}">
<opml version="2.0"><body><outline text="t&y;" xmlUrl="https://x.example/"/></body></opml>"""
    [sub] = parse_opml(data.encode()).subscriptions
    assert sub.title == "t"


def test_malformed_xml_names_the_line() -> None:
    data = b'<opml version="2.0">\n<body>\n<outline text="a" xmlUrl="https://x.example/">\n</body>'
    with pytest.raises(OpmlError, match=r"^subs\.opml: malformed XML at line 4, column \d+"):
        parse_opml(data, source="subs.opml")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b"", "malformed XML"),
    ],
)
def test_not_opml_is_an_error(data: bytes, needle: str) -> None:
    with pytest.raises(OpmlError, match=needle):
        parse_opml(data)


def test_attributes_are_literal_data() -> None:
    data = b"""<opml version="2.0"><body>
  <outline text="$(whoami) `id` [bold red]x[/]" xmlUrl="https://x.org/$(rm${IFS}-rf${IFS}~)"
           category="a;b|c"/>
</body></opml>"""
    result = parse_opml(data)
    [sub] = result.subscriptions
    assert sub.url == "https://x.org/$(rm${IFS}-rf${IFS}~)"
    assert sub.title == "$(whoami) `id` [bold red]x[/]"
    assert sub.tags == ("a;b|c",)


def test_control_characters_are_cleaned() -> None:
    data = (
        b'<opml version="2.0"><body>'
        b'<outline text="Evil&#x202e;txt.exe &#x85;" category="ta&#x9b;g" '
        b'xmlUrl=" https://x.example/feed "/>'
        b"</body></opml>"
    )
    [sub] = parse_opml(data).subscriptions
    assert sub.title == "Eviltxt.exe"
    assert sub.tags == ("tag",)
    assert sub.url == "https://x.example/feed"


def test_title_equal_to_url_is_no_title() -> None:
    data = (
        b'<opml version="2.0"><body>'
        b'<outline text="https://x.example/f" xmlUrl="https://x.example/f"/>'
        b"</body></opml>"
    )
    [sub] = parse_opml(data).subscriptions
    assert sub.title is None


def test_deep_nesting_does_not_recurse() -> None:
    depth = 5000
    data = (
        '<opml version="2.0"><body>'
        + '<outline text="f">' * depth
        + '<outline text="deep" xmlUrl="https://x.example/deep"/>'
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    [sub] = parse_opml(data).subscriptions
    assert sub.title == "deep"
    assert sub.tags == ("f",)
