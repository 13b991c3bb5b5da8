"""The keymap table: every place a key is shown is the key that works, after [keys] too.

The remap tests run the real app on the demo home (or a small seeded home) with a
config.toml written under tmp_path; the rest are unit tests of tui_reader.keymap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.widgets import Footer, OptionList, Static
from textual.widgets._footer import FooterKey

from tui_reader.app import TuiReaderApp
from tui_reader.core.demo import DEMO_NOW, build_demo_home
from tui_reader.core.demo_mode import DEMO_NOTHING_TO_FETCH
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import ParsedFeed, ParsedItem
from tui_reader.core.paths import Paths
from tui_reader.core.session import Session, open_session
from tui_reader.keymap import (
    ACTIONS,
    PAGES,
    UNBOUND,
    Action,
    Keymap,
    bindings_for,
    find,
    key_name,
    remappable,
    resolve_key_clashes,
)
from tui_reader.screens.feeds_screen import FeedsScreen, FeedTable
from tui_reader.screens.help_screen import HelpScreen, KeyGroup
from tui_reader.screens.main_screen import MainScreen
from tui_reader.screens.search_dialog import SearchDialog
from tui_reader.widgets import ArticleView, HeadlineList, Timeline

pytestmark = pytest.mark.timeout(60)

REMAP = """\
[keys]
bookmark = "x"
help = "h"
refresh = "ctrl+r"
"feeds.add" = "ctrl+n"
search = "s"
toggle_read = "n"
"""
"""Five plain remappings and one that takes n from next_unread."""

NOW = 1_800_000_000
DEAD = "http://127.0.0.1:9"


# -- helpers -------------------------------------------------------------------------------


def write_config(home: Path, text: str) -> Paths:
    paths = Paths.under(home)
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[Callable[..., Session]]:
    """Opens a home with *config* as its config.toml: the demo home, or an empty one."""
    sessions: list[Session] = []

    def open_home(config: str = REMAP, *, demo: bool = True) -> Session:
        home = tmp_path / f"home{len(sessions)}"
        if demo:
            build_demo_home(home, DEMO_NOW)
        write_config(home, config)
        sessions.append(open_session(Paths.under(home)))
        return sessions[-1]

    yield open_home
    for session in sessions:
        session.close()


def demo_app(session: Session) -> TuiReaderApp:
    return TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)


def seed(session: Session, items: list[ParsedItem]) -> int:
    url = f"{DEAD}/feed.xml"
    session.save_subscriptions([Subscription(url, "World Desk", ("news",))])
    feed = session.store.feed_by_url(url)
    assert feed is not None
    state = {"last_status": "ok", "next_due": NOW * 2}
    session.store.save_feed(feed.id, ParsedFeed("World Desk", None, items), state, now=NOW)
    return feed.id


def home_app(session: Session) -> TuiReaderApp:
    return TuiReaderApp(session, clock=lambda: NOW, refresh_on_start=False)


def footer_keys(app: TuiReaderApp) -> dict[str, str]:
    """The footer of the screen on show: description -> key as displayed."""
    footer = app.screen.query_one(Footer)
    return {key.description: key.key_display for key in footer.query(FooterKey)}


def help_text(app: TuiReaderApp) -> str:
    assert isinstance(app.screen, HelpScreen)
    return "\n".join(group.plain for group in app.screen.query(KeyGroup))


async def palette_entries(app: TuiReaderApp, pilot: Any, query: str,
                          expect: str) -> dict[str, str]:
    """Open the palette, type *query*; its entries as prompt -> help, once *expect* shows."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    options = app.screen.query_one(OptionList)
    entries: dict[str, str] = {}
    for _ in range(60):
        await pilot.pause(0.05)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        entries = {}
        for prompt in prompts:
            text, _, help_line = prompt.partition("\n")
            entries[text] = help_line
        if expect in entries:
            break
    return entries


async def settle(app: TuiReaderApp, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- [keys] in a running app ---------------------------------------------------------------


async def test_remapped_keys_are_shown_everywhere_and_work(homes: Callable[..., Session]) -> None:
    """Footer, both help pages and the palette show the [keys] keys, and those keys work."""
    session = homes()
    app = demo_app(session)
    store = session.store
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        shown = footer_keys(app)
        assert (shown["bookmark"], shown["search"], shown["help"]) == ("x", "s", "h")
        assert shown["refresh"] == "^r"
        assert not {"b", "/", "?", "r"} & set(shown.values())

        await pilot.press("h")  # the main help
        await pilot.pause()
        text = help_text(app)
        for row in ("x  bookmark (saves full text offline)", "— / N  next / previous unread",
                    "n  toggle read", "s  search", "ctrl+r  refresh", "h  help"):
            assert row in text.splitlines()
        assert "\nb  " not in text and "\nm  " not in text and "\n/  " not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

        await pilot.press("F")  # the feeds screen and its help
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        assert footer_keys(app)["Add feed"] == "^n"
        await pilot.press("h")
        await pilot.pause()
        lines = help_text(app).splitlines()
        assert "ctrl+n  add a feed or a web page" in lines and "h  this help" in lines
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

        entries = await palette_entries(app, pilot, "", "Help")
        assert entries["Refresh all feeds"].endswith(" · ctrl+r")
        assert entries["Help"].endswith(" · h")
        assert entries["Search…"].endswith(" · s")
        assert entries["Feeds…"].endswith(" · F")  # not remapped
        await pilot.press("escape")
        await pilot.pause()

        story = app.query_one(HeadlineList).highlighted
        assert story is not None and not story.bookmarked and not story.read
        await pilot.press("b", "m")  # the old keys do nothing now
        await settle(app, pilot)
        before = store.headline(story.id)
        assert before is not None and not before.bookmarked and not before.read
        await pilot.press("x", "n")  # bookmark; n toggles read and does not move on
        await settle(app, pilot)
        after = store.headline(story.id)
        assert after is not None and after.bookmarked and after.read
        assert app.query_one(HeadlineList).highlighted.id == story.id  # type: ignore[union-attr]

        await pilot.press("r")
        await pilot.pause()
        assert DEMO_NOTHING_TO_FETCH not in [n.message for n in app._notifications]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert DEMO_NOTHING_TO_FETCH in [n.message for n in app._notifications]

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)


async def test_the_remapped_help_key_closes_the_help_again(homes: Callable[..., Session]) -> None:
    app = demo_app(homes())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#dialog").border_subtitle.startswith("h ")
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_an_action_that_lost_its_key_leaves_the_footer(homes: Callable[..., Session]) -> None:
    app = demo_app(homes())
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        shown = footer_keys(app)
        assert shown["bookmark"] == "x"  # the footer is there
        assert "" not in shown.values()
        assert "next" not in shown


async def test_a_feeds_screen_key_leaves_the_headline_list_moving(
    homes: Callable[..., Session],
) -> None:
    app = demo_app(homes('[keys]\n"feeds.add" = "j"\n'))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        headlines = app.query_one(HeadlineList)
        assert headlines.has_focus and headlines.cursor == 0
        await pilot.press("down")
        assert headlines.cursor == 1


async def test_the_article_pane_hints_follow_remapped_keys(homes: Callable[..., Session]) -> None:
    keys = 'open_link = "w"\ncopy_link = "Y"\nopen_comments = "v"\ncopy_comments = "V"\n'
    session = homes("[keys]\n" + keys, demo=False)
    story = ParsedItem("s1", f"{DEAD}/story/1", "Story 1", published=NOW - 60,
                       content_text="Body.", comments_url=f"{DEAD}/c/1", comments_count=14)
    seed(session, [story])
    app = home_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.title == "Story 1"
        assert str(view.query_one("#article-comments").render()) == (
            "14 comments · v open · V copy"
        )
        assert view.border_subtitle == "w open · Y copy link"


async def test_the_failing_feeds_hint_follows_the_feeds_key(homes: Callable[..., Session]) -> None:
    session = homes('[keys]\nfeeds = "ctrl+f"\n', demo=False)
    feed_id = seed(session, [ParsedItem("s1", f"{DEAD}/s/1", "Story 1", published=NOW)])
    session.store.update_feed_state(feed_id, last_error="HTTP 500", last_status="error",
                                    last_fetched=NOW - 60)
    app = home_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.main.status.refresh_text
        assert text.startswith("1 feed failing — ")
        assert "ctrl+f for details" in text


async def test_the_empty_feeds_screen_names_the_add_key(homes: Callable[..., Session]) -> None:
    app = home_app(homes('[keys]\n"feeds.add" = "ctrl+n"\n', demo=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        detail = str(app.screen.query_one("#feeds-detail", Static).render())
        assert detail.startswith("No subscriptions yet")
        assert "ctrl+n" in detail


# -- the table and the classes' bindings ---------------------------------------------------

OWNERS: dict[str, type] = {
    "app": TuiReaderApp,
    "main": MainScreen,
    "list": HeadlineList,
    "article": ArticleView,
    "timeline": Timeline,
    "feeds": FeedsScreen,
    "feeds_table": FeedTable,
}


def test_every_owner_in_the_table_is_a_known_class() -> None:
    assert {a.owner for a in ACTIONS if a.owner is not None} == set(OWNERS)


def described(bindings: list[BindingType]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for binding in bindings:
        assert isinstance(binding, Binding)
        rows.append((binding.id, binding.key, binding.action, binding.show, binding.priority,
                     binding.key_display))
    return rows


@pytest.mark.parametrize("owner", sorted(OWNERS))
def test_each_class_binds_exactly_its_table_rows(owner: str) -> None:
    """No hand-written binding bypasses the table, and no table row is left out."""
    rows = [(a.id, a.keys, a.action, a.show, a.priority, a.key_display)
            for a in ACTIONS if a.owner == owner]
    assert described(bindings_for(owner)) == rows
    assert described(OWNERS[owner].BINDINGS) == rows  # type: ignore[attr-defined]


@pytest.mark.parametrize("action", [a for a in ACTIONS if a.owner], ids=lambda a: a.action)
def test_every_bound_action_has_a_method_on_its_owner(action: Action) -> None:
    """A typo in the table would leave a key that silently does nothing."""
    name = action.action.partition("(")[0]
    assert callable(getattr(OWNERS[action.owner], f"action_{name}", None))


def test_every_palette_command_runs_where_its_key_would() -> None:
    """run_command reaches the main screen or the app only. The palette has every action
    of the reader (README says so; "next unread" and "mark all read" were missing), but
    not the keys that only make sense as keys."""
    palette = [a for a, _key in Keymap().palette_entries()]
    assert {a.id for a in palette} >= {
        "search", "toggle_timeline", "bookmarks", "unread_only", "refresh", "feeds", "help",
        "wider_list", "narrower_list", "next_unread", "previous_unread", "mark_all_read",
        "toggle_read", "bookmark", "undo", "open_link", "copy_link", "full_text", "filter",
    }
    assert not {a.id for a in palette} & {"back", "scroll", "page_down", "page_up"}
    for action in palette:
        assert action.owner in ("main", "app") and (action.palette_help or action.doc_text)
        assert callable(getattr(OWNERS[action.owner], f"action_{action.action}", None))
    remapped = {a.id: key for a, key in Keymap({"help": "h"}).palette_entries()}
    assert remapped["help"] == "h" and remapped["search"] == "/"


def test_every_grouped_action_is_on_a_help_page() -> None:
    paged = {name for page in PAGES.values() for column in page for name in column}
    assert {a.group for a in ACTIONS if a.group} == paged
    for page in PAGES:
        groups = Keymap().help_groups(page)
        for action in ACTIONS:
            if action.group in groups:
                assert action.help_text in [text for _, text in groups[action.group]]


def test_the_two_help_pages_keep_their_own_keys_apart() -> None:
    main = " ".join(text for rows in Keymap().help_groups("main").values() for _, text in rows)
    feeds = " ".join(text for rows in Keymap().help_groups("feeds").values() for _, text in rows)
    assert "undo unbookmark" in main and "undo unbookmark" not in feeds
    assert "add a feed or a web page" in feeds and "add a feed" not in main


def test_pairs_show_the_nth_key_of_each_on_one_row() -> None:
    navigate = Keymap().help_groups("main")["Navigate"]
    assert navigate[:2] == [("j / k", "move down / up"), ("↓ / ↑", "move down / up")]
    uneven = Keymap({"cursor_up": "k,up,ctrl+u"}).help_groups("main")["Navigate"]
    assert uneven[:3] == [("j / k", "move down / up"), ("↓ / ↑", "move down / up"),
                          ("· / ctrl+u", "move down / up")]


def test_a_key_lost_to_a_clash_shows_a_dash() -> None:
    resolved, _ = resolve_key_clashes({"toggle_read": "n"})
    keymap = Keymap(resolved)
    assert keymap.shown(find("next_unread")) == "—"
    assert keymap.shown(find("toggle_read")) == "n"
    rows = {text: key for group in keymap.help_groups("main").values()
            for key, text in reversed(group)}
    assert rows["next / previous unread"] == "— / N"
    assert rows["toggle read"] == "n"


def test_shown_keys_use_the_display_form_until_remapped() -> None:
    assert Keymap().shown(find("search")) == "/"
    assert Keymap().shown(find("help")) == "?"
    assert Keymap().shown(find("cursor_down")) == "j, ↓"
    assert Keymap({"search": "s,ctrl+f"}).shown(find("search")) == "s, ctrl+f"
    assert Keymap({"undo": UNBOUND}).shown(find("undo")) == "—"
    assert Keymap({"help": "h"}).hint("help") == "h"


def test_key_names_as_the_help_spells_them() -> None:
    assert [key_name(k) for k in ("question_mark", "enter", "escape", "pagedown", "ctrl+b",
                                  "shift+tab", "j")] == ["?", "enter", "esc", "pgdn",
                                                         "ctrl+b", "shift+tab", "j"]


def test_remappable_is_every_bound_id_and_nothing_else() -> None:
    names = remappable()
    assert {"bookmark", "feeds.add", "cursor_down", "help", "refresh"} <= names
    assert None not in names
    assert all(any(a.id == n and a.owner for a in ACTIONS) for n in names)


def test_keys_on_screens_never_shown_together_do_not_clash() -> None:
    assert resolve_key_clashes({"feeds.add": "m"}) == ({"feeds.add": "m"}, [])
    assert resolve_key_clashes({"toggle_read": "d"}) == ({"toggle_read": "d"}, [])


def test_an_app_key_clashes_on_every_screen() -> None:
    resolved, clashes = resolve_key_clashes({"refresh": "d"})
    assert clashes == [("d", "refresh", "feeds.remove")]
    assert resolved["feeds.remove"] == UNBOUND
    resolved, clashes = resolve_key_clashes({"help": "m"})
    assert clashes == [("m", "help", "toggle_read")]
    assert resolved == {"help": "m", "toggle_read": UNBOUND}


def test_a_loser_keeps_its_other_keys() -> None:
    resolved, clashes = resolve_key_clashes({"bookmark": "k"})
    assert ("k", "bookmark", "cursor_up") in clashes
    assert resolved["cursor_up"] == "up"
    assert resolved["article_up"] == UNBOUND


def test_a_keymap_without_overrides_is_the_table() -> None:
    keymap = Keymap()
    for action in ACTIONS:
        assert keymap.keys(action) == action.keys.split(",")


def test_key_names_no_key_press_can_match_are_left_out_and_named() -> None:
    """"pgdn" and "esc" are how the help shows keys, not what Textual sends: a [keys] entry
    using them would show a key that does nothing."""
    from tui_reader.keymap import from_config, valid_key

    for good in ("x", "?", "J", "ctrl+b", "pagedown", "escape", "f5", "question_mark",
                 "shift+tab", "space", "enter", "é"):
        assert valid_key(good), good
    for bad in ("pgdn", "esc", "foo", "ctrl+", "hyperdrive+x", ""):
        assert not valid_key(bad), bad
    config = from_config({"bookmark": "pgdn", "search": "s,esc", "unread_only": "foo"})
    assert config.bad_keys == [("bookmark", "pgdn"), ("search", "esc"), ("unread_only", "foo")]
    keymap = config.keymap
    assert keymap.shown(find("bookmark")) == "b"  # nothing usable given: the default stays
    assert keymap.shown(find("search")) == "s"
    assert any("'pgdn' is not a key name" in line for line in config.problems())


async def test_an_action_left_with_no_key_is_offered_by_the_palette(
    homes: Callable[..., Session],
) -> None:
    """toggle_read takes n: next unread has no key, so the palette is the way to run it."""
    app = demo_app(homes())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        titles = [a.palette_title for a, _key in app.keymap.palette_entries()]
        assert "Next unread story" in titles
        before = app.query_one(HeadlineList).cursor
        await app.run_command(find("next_unread"))
        await pilot.pause()
        assert app.query_one(HeadlineList).cursor != before


async def test_an_app_key_given_to_a_main_screen_action_keeps_working_on_the_feeds_screen(
    homes: Callable[..., Session],
) -> None:
    """bookmark = "?" takes ? from help on the main screen only: the feeds screen has its
    own help key."""
    app = demo_app(homes('[keys]\nbookmark = "question_mark"\n'))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#dialog").border_subtitle == "? · esc · q close"
