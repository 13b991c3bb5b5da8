"""Score full-text extraction against the gold text of the evaluation pages.

Run by hand after changing the extractor, and move the floors in tests/test_extract_eval.py
if the numbers move for a good reason::

    uv run python bench/extract_f1.py                  # every page under tests/pages
    uv run python bench/extract_f1.py --memory         # also the peak memory per page
    uv run python bench/extract_f1.py --repeat 5       # CPU time: the least of 5 more runs
    uv run python bench/extract_f1.py --heuristic      # the density heuristic alone (new code)
    uv run python bench/extract_f1.py some/other/pages

Every ``<name>.html`` with a sibling ``<name>.expected.txt`` (the article's paragraphs, one
per line) is a page, in any folder below the one given; pages under a ``real/`` folder are
real pages, the others were written for the tests. An empty ``.expected.txt`` marks a page
with no article (a paywall stub, a list page): there the right answer is "no article".

Per page: bag-of-words precision, recall and F1 of the visible Markdown text against the
gold text (:func:`tui_reader.core.extract_score.word_f1`), and F1 on 4-token shingles
(``sF1``, :func:`~tui_reader.core.extract_score.shingle_f1`). Per group: the means over the
pages that have an article, how many of them came out empty, and how many article-less
pages were wrongly given an article.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from tui_reader.core import extract
from tui_reader.core.extract_score import shingle_f1, word_f1

DEFAULT_PAGES = Path(__file__).resolve().parent.parent / "tests" / "pages"


def page_url(name: str) -> str:
    """The URL the tests pretend each page was fetched from (relative links resolve to it)."""
    return f"https://www.example.net/journal/2024/{name}.html"


@dataclass
class Row:
    name: str
    group: str
    has_article: bool
    ok: bool
    """An article page gave text; an article-less page gave "no article"."""
    words: int = 0
    way: str = ""
    ms: float = 0.0
    kib: float = 0.0
    scores: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """precision, recall, F1, shingle F1."""


def _group(path: Path, root: Path) -> str:
    return "real" if "real" in path.relative_to(root).parts[:-1] else "written"


def _fastest(html: str, url: str, repeat: int) -> float:
    """The least CPU time of ``repeat`` more extractions, in ms: other load on the machine
    only adds to it."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        try:
            extract.extract_article(html, url)
        except extract.ExtractionError:
            pass
        best = min(best, (time.process_time() - started) * 1000)
    return best


def _run(html_path: Path, gold: str, group: str, memory: bool, repeat: int = 1) -> Row:
    name = html_path.name.removesuffix(".html")
    html = html_path.read_text(encoding="utf-8")
    has_article = bool(gold.strip())
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        article = extract.extract_article(html, page_url(name))
    except extract.ExtractionError as exc:
        ms = (time.perf_counter() - started) * 1000
        kib = tracemalloc.get_traced_memory()[1] / 1024 if memory else 0.0
        tracemalloc.stop()
        if repeat > 1:
            ms = _fastest(html, page_url(name), repeat)
        return Row(name, group, has_article, not has_article, way=f"({exc})", ms=ms, kib=kib)
    ms = (time.perf_counter() - started) * 1000
    kib = tracemalloc.get_traced_memory()[1] / 1024 if memory else 0.0
    tracemalloc.stop()
    if repeat > 1:
        ms = _fastest(html, page_url(name), repeat)
    row = Row(name, group, has_article, has_article, article.word_count,
              getattr(article, "way", ""), ms, kib)  # fmt: skip
    if has_article:
        row.scores = (*word_f1(article.markdown, gold), shingle_f1(article.markdown, gold)[2])
    return row


def _summary(label: str, rows: list[Row]) -> str:
    scored = [r for r in rows if r.has_article]
    empty = sum(1 for r in scored if not r.ok)
    stubs = [r for r in rows if not r.has_article]
    wrong = sum(1 for r in stubs if not r.ok)
    means = [sum(r.scores[i] for r in scored) / len(scored) if scored else 0.0 for i in range(4)]
    found = [r for r in scored if r.ok]
    kept = sum(r.scores[0] for r in found) / len(found) if found else 0.0
    median = statistics.median(r.ms for r in rows) if rows else 0.0
    return (
        f"{label:<8} {len(scored):>3} article pages: precision {means[0]:.3f} recall "
        f"{means[1]:.3f} F1 {means[2]:.3f} shingle F1 {means[3]:.3f}, {empty} empty "
        f"(precision {kept:.3f} on the others); "
        f"{len(stubs)} without article, {wrong} given one; median {median:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--heuristic", action="store_true",
                        help="skip trafilatura, score the density heuristic alone")  # fmt: skip
    parser.add_argument("--memory", action="store_true",
                        help="trace the peak memory of each extraction (slower)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time each page's CPU N more times, keep the least")  # fmt: skip
    args = parser.parse_args(argv)
    if args.heuristic:
        from tui_reader.core import extract_chain

        extract_chain._trafilatura_html = lambda *a, **k: ""  # type: ignore[assignment]
        extract_chain._readability_html = lambda *a, **k: ""  # type: ignore[assignment]

    golds = sorted(args.pages.rglob("*.expected.txt"))
    if not golds:
        print(f"no *.expected.txt files in {args.pages}", file=sys.stderr)
        return 1
    rows: list[Row] = []
    print(f"{'page':<24} {'group':<7} {'words':>6} {'ms':>5} {'KiB':>6} "
          f"{'prec':>6} {'recall':>6} {'F1':>6} {'sF1':>6}  way")  # fmt: skip
    for gold_path in golds:
        html_path = gold_path.with_name(gold_path.name.removesuffix(".expected.txt") + ".html")
        gold = gold_path.read_text(encoding="utf-8")
        row = _run(html_path, gold, _group(gold_path, args.pages), args.memory, args.repeat)
        rows.append(row)
        if row.has_article:
            figures = " ".join(f"{x:>6.3f}" for x in row.scores)
        else:
            figures = f"{'no article: ' + ('right' if row.ok else 'WRONG'):>27}"
        print(f"{row.name:<24} {row.group:<7} {row.words:>6} {row.ms:>5.0f} {row.kib:>6.0f} "
              f"{figures}  {row.way}")  # fmt: skip
    print()
    for group in ("real", "written"):
        chosen = [r for r in rows if r.group == group]
        if chosen:
            print(_summary(group, chosen))
    print(_summary("all", rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
