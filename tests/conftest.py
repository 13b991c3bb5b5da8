"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from feedserver import FeedServer

# Loopback tests must never be sent through a proxy from the environment (httpx honours
# them); clearing them here also covers the CLI subprocesses the tests start.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started loopback :class:`FeedServer`, stopped after the test."""
    with FeedServer() as server:
        yield server
