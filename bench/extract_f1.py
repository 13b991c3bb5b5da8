"""Score full-text extraction against the gold text of the test pages.

Run by hand after changing the extractor, and move the floors in tests/test_extract.py if
the numbers move for a good reason::

    uv run python bench/extract_f1.py                  # trafilatura + fallback, as shipped
    uv run python bench/extract_f1.py --heuristic      # the fallback heuristic alone
    uv run python bench/extract_f1.py some/other/pages

Every ``<name>.html`` with a sibling ``<name>.expected.txt`` (the article's paragraphs, one
per line) is a page. Scores are bag-of-words precision, recall and F1 of the visible
Markdown text against the gold text (:func:`tui_reader.core.extract_score.word_f1`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tui_reader.core import extract
from tui_reader.core.extract_score import word_f1

DEFAULT_PAGES = Path(__file__).resolve().parent.parent / "tests" / "pages"


def page_url(name: str) -> str:
    """The URL the tests pretend each page was fetched from (relative links resolve to it)."""
    return f"https://www.example.net/journal/2024/{name}.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument(
        "--heuristic", action="store_true", help="skip trafilatura, score the fallback alone"
    )
    args = parser.parse_args(argv)
    if args.heuristic:
        extract._trafilatura_html = lambda tree, url: ""  # type: ignore[assignment]

    golds = sorted(args.pages.glob("*.expected.txt"))
    if not golds:
        print(f"no *.expected.txt files in {args.pages}", file=sys.stderr)
        return 1
    rows: list[tuple[str, float, float, float]] = []
    print(f"{'page':<20} {'words':>6} {'ms':>6} {'prec':>6} {'recall':>6} {'F1':>6}")
    for gold_path in golds:
        name = gold_path.name.removesuffix(".expected.txt")
        html = (args.pages / f"{name}.html").read_text(encoding="utf-8")
        started = time.perf_counter()
        try:
            article = extract.extract_article(html, page_url(name))
        except extract.ExtractionError as exc:
            print(f"{name:<20} failed: {exc}")
            rows.append((name, 0.0, 0.0, 0.0))
            continue
        elapsed = (time.perf_counter() - started) * 1000
        precision, recall, f1 = word_f1(article.markdown, gold_path.read_text(encoding="utf-8"))
        rows.append((name, precision, recall, f1))
        print(
            f"{name:<20} {article.word_count:>6} {elapsed:>6.0f} "
            f"{precision:>6.3f} {recall:>6.3f} {f1:>6.3f}"
        )
    count = len(rows)
    means = [sum(row[i] for row in rows) / count for i in (1, 2, 3)]
    print(f"{'mean':<20} {'':>6} {'':>6} {means[0]:>6.3f} {means[1]:>6.3f} {means[2]:>6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
