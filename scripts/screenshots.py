"""Regenerate ``screenshots/`` from the real app on the built-in demo data.

Run by hand after a UI change: ``uv run python scripts/screenshots.py``. SVGs come from
Textual itself; PNGs are made too when ``rsvg-convert`` (Debian: librsvg2-bin) is present.
The clock is fixed at the demo anchor and the time zone at UTC, so the images are stable.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ["TZ"] = "UTC"
time.tzset()

from tui_reader.app import TuiReaderApp  # noqa: E402
from tui_reader.core.demo import DEMO_NOW, build_demo_home  # noqa: E402
from tui_reader.core.session import open_session  # noqa: E402

OUT = ROOT / "screenshots"

# (file name, terminal size, keys to press first)
SHOTS: list[tuple[str, tuple[int, int], list[str]]] = [
    ("main-120x40", (120, 40), []),
    ("main-80x24", (80, 24), []),
    ("timeline-80x24", (80, 24), ["t"]),
    ("reading-120x40", (120, 40), ["j", "j", "enter"]),
    ("feeds-120x40", (120, 40), ["F"]),
    ("help-80x24", (80, 24), ["question_mark"]),
]


async def shoot(name: str, size: tuple[int, int], keys: list[str], home: Path) -> Path:
    paths = build_demo_home(home, now=DEMO_NOW)
    session = open_session(paths)
    try:
        app = TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for _ in range(250):  # the first story loads after the first frame
                if app.main.article is not None and not app.main.article_view.has_class(
                    "-empty"
                ):
                    break
                await pilot.pause(0.02)
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause(0.2)
            svg = OUT / f"{name}.svg"
            svg.write_text(app.export_screenshot(title=f"tui-reader {name}"), encoding="utf-8")
            return svg
    finally:
        session.close()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rsvg = shutil.which("rsvg-convert")
    for name, size, keys in SHOTS:
        with tempfile.TemporaryDirectory() as tmp:
            svg = asyncio.run(shoot(name, size, keys, Path(tmp) / "home"))
        print(f"wrote {svg.relative_to(ROOT)}")
        if rsvg:
            png = svg.with_suffix(".png")
            subprocess.run([rsvg, "-o", str(png), str(svg)], check=True)
            print(f"wrote {png.relative_to(ROOT)}")
    if not rsvg:
        print("rsvg-convert not found: SVG only (apt-get install librsvg2-bin for PNGs)")


if __name__ == "__main__":
    main()
