"""Which sample feeds ``--demo`` subscribes to, and the moment their dates were written for.

The files carry fixed dates around :data:`DEMO_ANCHOR`; the demo loader shifts every date
by ``now - DEMO_ANCHOR`` so the newest stories always look minutes old. The pseudo URLs use
the reserved ``.invalid`` TLD, so nothing can ever try to fetch them from the network.
"""

from __future__ import annotations

from importlib.resources import files

DEMO_ANCHOR = "2026-11-27T12:00:00Z"
"""The "now" the sample files were written relative to (every item is at or before it)."""

DEMO_FEEDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("world.xml", "https://demo.tui-reader.invalid/world.xml", ("news",)),
    ("tech.atom", "https://demo.tui-reader.invalid/tech.atom", ("tech",)),
    ("community.xml", "https://demo.tui-reader.invalid/community.xml", ("tech", "community")),
    ("notes.json", "https://demo.tui-reader.invalid/notes.json", ("blogs",)),
]
"""(file name inside this package, pseudo feed URL, tags) for each sample feed."""


def read_demo_file(name: str) -> bytes:
    """The raw bytes of one bundled sample file, exactly as a fetch would return them."""
    if name not in {file_name for file_name, _url, _tags in DEMO_FEEDS}:
        raise KeyError(f"no demo feed file named {name!r}")
    return files("tui_reader.demo").joinpath(name).read_bytes()
