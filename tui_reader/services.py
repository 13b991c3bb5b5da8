"""What the screens may ask of the app, as a Protocol, so no screen imports the app.

The app hands an object with this shape (:class:`tui_reader.background.Background`) to
each screen it makes. Results come back to the screen that listens as messages
(:mod:`tui_reader.messages`), never as calls into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from .core.refresh import RefreshReport
    from .core.session import Session
    from .keymap import Keymap

T = TypeVar("T")
Clock = Callable[[], float]


class ReaderServices(Protocol):
    """The background work and the state the screens share."""

    session: Session
    demo: bool
    clock: Clock
    keymap: Keymap
    """The keys in force, for hints ("press y to copy")."""

    async def write(self, call: Callable[[], T]) -> T:
        """Run a store write after the earlier ones, off the event loop."""
        ...

    def remember_setting(self, key: str, value: int | str) -> None:
        """Write one setting the user changed in the app into config.toml (in a thread);
        a failure is a one-line warning."""
        ...

    def start_refresh(self, force: bool = False) -> None:
        """Refresh due feeds (all with *force*) in the background."""
        ...

    async def refresh_feeds(self, feed_ids: list[int]) -> RefreshReport:
        """Fetch these feeds now, whatever their schedule, and say how it went."""
        ...

    def fetch_full_text(
        self, article_id: int, *, prepare: Callable[[], bool] | None = None
    ) -> None:
        """Fetch one story's web page into the cache; ``prepare`` is the store write that
        asked for it and says whether a fetch is still wanted."""
        ...
