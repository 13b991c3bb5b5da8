"""``tui-reader repair``: what was wrong with the cache, where the damaged file went, and
what was rescued into the fresh one (the work is :mod:`tui_reader.core.repair`'s)."""

from __future__ import annotations

import argparse

from .core.feeds_file import load_subscriptions
from .core.paths import resolve_paths
from .core.repair import repair_cache
from .core.sanitize import clean_text
from .core.words import plural


def cmd_repair(args: argparse.Namespace) -> int:
    """Set a damaged cache aside and rescue what it holds; a sound one is left alone."""
    paths = resolve_paths(getattr(args, "home", None))
    subs = load_subscriptions(paths.feeds_file)  # a broken feeds.toml stops here, first
    db = paths.database
    if not db.exists():
        print(f"There is no cache at {db}: nothing to repair.")
        return 0
    result = repair_cache(db, subs)
    if result.problem is None:
        print(f"The cache {db} is sound (SQLite's integrity check passed): nothing to repair.")
        return 0
    r = result.rescue
    print(f"The cache was damaged: {clean_text(result.problem, 200)}")
    print(f"Moved it aside, as it was, to {result.aside} (delete it once you no longer "
          "need it).")
    if r.stories or r.feed_states:
        print(f"Rescued into a fresh cache: {plural(r.stories, 'story')} with their read "
              f"state ({r.read:,} read), among them {plural(r.bookmarks, 'bookmark')} "
              f"({r.full_texts:,} with their full text), and the fetch state of "
              f"{plural(r.feed_states, 'feed')}.")
    else:
        print("Nothing could be read from it: the fresh cache starts empty "
              "(0 bookmarks, 0 stories).")
    print(f"Subscriptions come from feeds.toml ({plural(len(subs), 'feed')}); "
          "`tui-reader refresh` fetches the stories that could not be rescued.")
    return 0
