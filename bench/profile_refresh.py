"""Where a cold refresh spends its time: cProfile of ``tui-reader refresh --all``.

Run by hand: ``uv run python bench/profile_refresh.py [--repo PATH] [--feeds 200]
[--items 50] [--top 25] [--out FILE.prof]``. The refresh runs in a child process with the
checkout's own interpreter against the benchmark's loopback server. cProfile sees only
the thread it runs in, and the CLI parses and writes in worker threads
(``asyncio.to_thread``), so the child makes ``to_thread`` run its function inline: the
same work, serialised, and all of it in the profile.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import feedgen
import procs
from feedserve import ServerProcess
from tuireader import TuiReaderHome

DRIVER = """
import asyncio, cProfile, pstats, sys
async def inline(func, /, *args, **kwargs):
    return func(*args, **kwargs)
asyncio.to_thread = inline
from tui_reader.cli import main
profile = cProfile.Profile()
code = profile.runcall(main, ["--home", sys.argv[1], "refresh", "--all"])
profile.dump_stats(sys.argv[2])
stats = pstats.Stats(sys.argv[2])
total = stats.total_tt
print(f"exit code {code}; {total:.1f} s profiled")
for sort in ("cumulative", "tottime"):
    print(f"\\n-- top {sys.argv[3]} by {sort} --")
    stats.sort_stats(sort).print_stats(int(sys.argv[3]))
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--items", type=int, default=50)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--out", type=Path, help="keep the .prof file here (snakeviz, pstats)")
    args = p.parse_args()
    fs = feedgen.FeedSet(args.feeds, args.items, seed=1, anchor=int(time.time()))
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp, ServerProcess() as server:
        home = TuiReaderHome(args.repo.resolve(), Path(tmp) / "home")
        home.write_config(server.load(fs), {})
        out = args.out.resolve() if args.out else Path(tmp) / "refresh.prof"
        run = procs.run_timed(
            [str(home.python), "-c", DRIVER, str(home.home), str(out), str(args.top)],
            cwd=home.repo, env=procs.clean_env(home.home), timeout=3600,
        )
        if home.articles() != fs.articles_after(0):
            raise procs.ChildFailed(f"the profiled refresh stored {home.articles()} articles")
        print(run.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
