"""A small Fever API server in memory, served by a loopback FeedServer.

For the engine's cases that coldsweat cannot be made to show on cue (a feed missing from
one answer, an item purged between two syncs, a slow answer): the real FeverClient talks
HTTP to it, as it does to any server.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from feedserver import FeedServer, RequestInfo, Response

from tui_reader.core.sync.account import SyncAccount


@dataclass
class FeverState:
    """Feeds 1 and 2, items 1-10 (1-5 in feed 1), all unread, none saved."""

    feeds: dict[int, str] = field(default_factory=lambda: {1: "F1", 2: "F2"})
    items: dict[int, int] = field(default_factory=lambda: {
        i: 1 if i <= 5 else 2 for i in range(1, 11)})
    unread: set[int] = field(default_factory=lambda: set(range(1, 11)))
    saved: set[int] = field(default_factory=set)
    hidden_feeds: set[int] = field(default_factory=set)
    """Left out of the next feeds answers (a server's hiccup)."""
    marks: list[tuple[int, str]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds each answer waits (a slow server)."""
    started: threading.Event = field(default_factory=threading.Event)
    """Set when the first request comes in."""
    gate: threading.Event | None = None
    """When set up, every answer waits until it is set (a server stalled on cue)."""

    def item(self, item_id: int) -> dict[str, object]:
        return {"id": item_id, "feed_id": self.items[item_id], "title": f"story {item_id}",
                "url": f"https://s.example/a{item_id}", "html": "<p>x</p>",
                "created_on_time": 1_700_000_000 + item_id,
                "is_read": int(item_id not in self.unread),
                "is_saved": int(item_id in self.saved)}

    def answer(self, info: RequestInfo) -> Response:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        if self.delay:
            time.sleep(self.delay)
        query = parse_qs(urlsplit(info.path).query, keep_blank_values=True)
        form = {k: v[0] for k, v in parse_qs(info.body.decode()).items()}
        out: dict[str, object] = {"api_version": 3, "auth": 1}
        if form.get("mark") == "item":
            item_id, action = int(form["id"]), form["as"]
            if item_id not in self.items:
                return 404, {"Content-Type": "text/plain"}, "no such item"
            self.marks.append((item_id, action))
            {"read": self.unread.discard, "unread": self.unread.add,
             "saved": self.saved.add, "unsaved": self.saved.discard}[action](item_id)
        elif "feeds" in query:
            shown = [f for f in self.feeds if f not in self.hidden_feeds]
            out.update(feeds=[{"id": f, "title": self.feeds[f], "url": f"https://s.example/{f}"}
                              for f in shown], groups=[], feeds_groups=[])
        elif "items" in query and "with_ids" in query:
            wanted = [int(i) for i in query["with_ids"][0].split(",") if i]
            out["items"] = [self.item(i) for i in wanted[:50] if i in self.items]
        elif "items" in query:
            since = int(query.get("since_id", ["0"])[0] or 0)
            out["items"] = [self.item(i) for i in sorted(self.items) if i > since][:50]
        elif "unread_item_ids" in query:
            out["unread_item_ids"] = ",".join(map(str, sorted(self.unread & self.items.keys())))
        elif "saved_item_ids" in query:
            out["saved_item_ids"] = ",".join(map(str, sorted(self.saved & self.items.keys())))
        return 200, {"Content-Type": "application/json"}, json.dumps(out)


def serve_fever(feed_server: FeedServer, state: FeverState | None = None,
                path: str = "/fever/") -> tuple[FeverState, SyncAccount]:
    """Serve *state* at *path*; the account that syncs with it."""
    state = state or FeverState()
    feed_server.route_fn(path, state.answer)
    return state, SyncAccount("fever", feed_server.url(path), "me")
