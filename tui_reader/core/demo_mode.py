"""What ``--demo`` says when asked to fetch: its feeds are bundled and never fetched.

Apart from :mod:`tui_reader.core.demo` (which builds the demo home and imports the parser)
so that the UI can say it without loading that.
"""

DEMO_STATUS = "demo mode: bundled feeds, nothing to fetch"
DEMO_NOTHING_TO_FETCH = "Demo mode: the feeds are bundled, nothing to fetch"
DEMO_REFUSAL = "Demo mode: the feeds are bundled, nothing is fetched"
"""What the feeds screen's ``a`` and ``r`` say: the demo feeds live at a host that never
resolves."""
