"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from feedserver import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started loopback :class:`FeedServer`, stopped after the test."""
    with FeedServer() as server:
        yield server
