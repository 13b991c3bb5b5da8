"""Random access to one filter's headlines, a page at a time, without loading them all.

The pager knows only how many rows the filter matches and keeps a small LRU of 200-row
pages, each fetched by keyset cursor from a neighbouring page (or from either end of the
list), so home, end and scrolling through 50,000 stories cost a handful of indexed
queries. The headline list draws from it (toolong's ``LogLines`` works the same way).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from .models import Headline, HeadlineFilter
from .store import Store

PAGE_SIZE = 200
MAX_PAGES = 40
_FLOOR: tuple[int, int] = (-(2**62), -(2**62))
"""A cursor older than any row: ``before=_FLOOR`` reads the oldest rows (the list's end)."""


class HeadlinePager:
    """Random access to one filter's headlines without loading them all.

    Page ``n`` holds rows ``n*page_size`` to ``(n+1)*page_size - 1`` in newest-first
    order. It is read with ``after`` = the last cursor of page ``n-1`` or ``before`` = the
    first cursor of page ``n+1``; the first and last pages need no neighbour. A jump far
    from any cached page (a scrollbar drag) finds its first row with one OFFSET query.
    """

    def __init__(
        self,
        store: Store,
        filt: HeadlineFilter,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        total: int | None = None,
    ) -> None:
        self.store = store
        self.filter = filt
        self.page_size = page_size
        self.max_pages = max_pages
        self.queries = 0
        """Store queries made so far (tests assert on this, not on timings)."""
        self._pages: OrderedDict[int, list[Headline]] = OrderedDict()
        self.total = self._count() if total is None else total

    def _count(self, before: tuple[int, int] | None = None) -> int:
        self.queries += 1
        return self.store.count(self.filter, before=before)

    def _query(
        self,
        limit: int,
        *,
        after: tuple[int, int] | None = None,
        before: tuple[int, int] | None = None,
    ) -> list[Headline]:
        self.queries += 1
        return self.store.headlines(self.filter, limit=limit, after=after, before=before)

    @property
    def last_page(self) -> int:
        return max(0, (self.total - 1) // self.page_size)

    def get(self, index: int) -> Headline | None:
        """The row at *index*, or None outside the list (or if the data moved under us)."""
        if not 0 <= index < self.total:
            return None
        number, offset = divmod(index, self.page_size)
        page = self._page(number)
        return page[offset] if offset < len(page) else None

    def find_loaded(self, index: int) -> Headline | None:
        """The row at *index* if its page is loaded; never queries."""
        number, offset = divmod(index, self.page_size)
        page = self._pages.get(number)
        return page[offset] if page is not None and offset < len(page) else None

    def find_cached(self, article_id: int) -> Headline | None:
        """A loaded row by its story id; never queries."""
        for page in self._pages.values():
            for row in page:
                if row.id == article_id:
                    return row
        return None

    def mark_cached_read(self) -> None:
        """Every loaded row read (after "mark all read" in this filter); never queries."""
        for number, page in self._pages.items():
            self._pages[number] = [row if row.read else replace(row, read=True) for row in page]

    def replace_row(self, headline: Headline) -> int | None:
        """Swap in a changed copy of a cached row (read or bookmark flag); its index, or
        None if it is not loaded."""
        for number, page in self._pages.items():
            for position, row in enumerate(page):
                if row.id == headline.id:
                    page[position] = headline
                    return number * self.page_size + position
        return None

    def index_of(self, headline: Headline) -> int | None:
        """Where *headline* sits in this filter now, or None if it no longer matches."""
        index = self._count(before=headline.cursor)
        row = self.get(index)
        return index if row is not None and row.id == headline.id else None

    def _page(self, number: int) -> list[Headline]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if number in (0, self.last_page) or self._neighbour(number) is not None:
            return self._store_page(number, self._load(number))
        # Far from anything cached (a scrollbar drag): one indexed jump to where it starts.
        self.queries += 1
        start = self.store.cursor_at(self.filter, number * self.page_size - 1)
        rows = self._query(self.page_size, after=start) if start is not None else []
        return self._store_page(number, rows)

    def _neighbour(self, number: int) -> int | None:
        if number - 1 in self._pages and len(self._pages[number - 1]) == self.page_size:
            return number - 1
        if number + 1 in self._pages and self._pages[number + 1]:
            return number + 1
        return None

    def _load(self, number: int) -> list[Headline]:
        size = self.page_size
        if number == 0:
            return self._query(size)
        if number == self.last_page:
            return self._query(self.total - number * size, before=_FLOOR)
        above = self._pages.get(number - 1)
        if above and len(above) == size:
            return self._query(size, after=above[-1].cursor)
        below = self._pages.get(number + 1)
        if below:
            return self._query(size, before=below[0].cursor)
        if above:  # a short page above means rows vanished; carry on after it
            return self._query(size, after=above[-1].cursor)
        return []

    def _store_page(self, number: int, rows: list[Headline]) -> list[Headline]:
        self._pages[number] = rows
        self._pages.move_to_end(number)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return rows

    def next_unread(self, index: int, forward: bool) -> tuple[int, Headline] | None:
        """The nearest unread row below (or above) *index*, and its index."""
        current = self.get(index)
        unread = replace(self.filter, unread_only=True)
        self.queries += 1
        if current is None:
            rows = self.store.headlines(unread, limit=1) if forward else []
        elif forward:
            rows = self.store.headlines(unread, limit=1, after=current.cursor)
        else:
            rows = self.store.headlines(unread, limit=1, before=current.cursor)
        if not rows:
            return None
        found = rows[0]
        position = self.index_of(found)
        return (position, found) if position is not None else None
