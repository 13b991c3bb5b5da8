"""Refresh, start-up and ``unread`` benchmark of tui-reader, side by side with newsboat.

Run by hand (not part of the tests): ``uv run python bench/bench_refresh.py [options]``;
``--help`` lists them and bench/README.md says what each figure means. Everything is
served from loopback addresses by a child process (feedserve.py); tui-reader runs from
``--repo`` with that checkout's own interpreter, so an old worktree can be measured by
the same runner. A refresh that fetched less than it should fails the run loudly.
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedgen
import newsboat
import procs
from feedserve import ServerProcess
from loadcheck import server_capacity
from tmuxscreen import TmuxScreen
from tuireader import TuiReaderHome

BENCH_DIR = Path(__file__).resolve().parent
PHASES = ("cold", "warm", "changed")
SECTIONS = (*PHASES, "big", "startup", "unread", "server", "tui")
BIG = (200, 250)
"""The 50,000-article cold refresh (peak memory matters most here)."""
STARTUP_CACHES = ((20, 50), (200, 50), (200, 250))
"""1,000, 10,000 and 50,000 articles."""
TUI_CACHES = {True: (200, 50), False: (200, 250)}
"""The home the TUI hook runs on: 10,000 articles with --quick, else 50,000."""
TUI_HOOK = BENCH_DIR / "bench_tui.py"
TUI_DRIVER = (
    "import json, sys, runpy; from pathlib import Path; "
    "run = runpy.run_path(sys.argv[1])['run']; "
    "figures = run(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]); "
    "print('BENCH_TUI_JSON ' + json.dumps({k: float(v) for k, v in figures.items()}))"
)
"""Runs bench_tui.run() under the checkout's own interpreter, so the app it drives in-process
is the one being measured (cwd=REPO puts that tui_reader first on sys.path)."""
TUI = "tui-reader"
NB = "newsboat"


@dataclass(frozen=True, slots=True)
class Case:
    """One refresh scenario: feeds x items at a latency, and the phases to report."""

    feeds: int
    items: int
    latency_ms: int
    phases: tuple[str, ...]


@dataclass
class Figure:
    """Every run of one measurement of one program; the table shows medians."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    """Per run, the program's own user + system time."""
    other_cpu: list[float] = field(default_factory=list)
    """Per run, the share of the machine busy with anything else (see procs.Run)."""
    requests: Counter[str] = field(default_factory=Counter)
    """Server counts (200, 304, ...) of the last run."""
    articles: int | None = None


class Results:
    """Figures keyed by (section, case, phase) then program, in the order measured."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], dict[str, Figure]] = {}

    def figure(self, section: str, case: str, phase: str, program: str) -> Figure:
        return self.rows.setdefault((section, case, phase), {}).setdefault(program, Figure())

    def to_json(self) -> list[dict[str, Any]]:
        out = []
        for (section, case, phase), programs in self.rows.items():
            for program, fig in programs.items():
                out.append({
                    "section": section, "case": case, "phase": phase, "program": program,
                    "median_s": _median(fig.seconds), "runs_s": fig.seconds,
                    "median_peak_mib": _median(fig.peak_mib), "runs_peak_mib": fig.peak_mib,
                    "runs_cpu_s": [round(x, 3) for x in fig.cpu_seconds],
                    "runs_other_cpu": [round(x, 3) for x in fig.other_cpu],
                    "requests": dict(fig.requests), "articles": fig.articles,
                })
        return out

    def table(self) -> str:
        head = ["section", "case", "phase", "tui-reader", "MiB", "newsboat", "MiB",
                "ratio s", "ratio MiB", "tui req 200/304", "nb req 200/304", "other CPU"]
        lines = [head]
        order = ("refresh", "big", "startup", "unread", "tui")
        rows = sorted(self.rows.items(), key=lambda row: order.index(row[0][0]))
        for (section, case, phase), programs in rows:
            tui, nb = programs.get(TUI), programs.get(NB)
            lines.append([
                section, case, phase,
                _secs(tui), _mib(tui), _secs(nb), _mib(nb),
                _ratio(tui and _median(tui.seconds), nb and _median(nb.seconds)),
                _ratio(tui and _median(tui.peak_mib), nb and _median(nb.peak_mib)),
                _requests(tui), _requests(nb), _other(tui, nb),
            ])
        widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
        text = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
                for row in lines]
        text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(text)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _secs(fig: Figure | None) -> str:
    value = fig and _median(fig.seconds)
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _mib(fig: Figure | None) -> str:
    value = fig and _median(fig.peak_mib)
    return "—" if not value else f"{value:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "—"


def _requests(fig: Figure | None) -> str:
    if fig is None or not fig.requests:
        return "—"
    return f"{fig.requests['200']}/{fig.requests['304']}"


def _other(*figs: Figure | None) -> str:
    """The busiest the rest of the machine was during any run of this row."""
    worst = max((x for f in figs if f for x in f.other_cpu), default=None)
    return "—" if worst is None else f"{worst:.0%}"


def _case_name(feeds: int, items: int, latency_ms: int) -> str:
    return f"{feeds}x{items} @{latency_ms}ms"


def _screen_text(title: str) -> str:
    """The start of a headline up to its first wide character (CJK, emoji), which is
    what capture-pane shows verbatim however the list truncates the rest."""
    out = []
    for ch in title:
        if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) > 0xFFFF:
            break
        out.append(ch)
    return "".join(out)[:16].rstrip()


class Bench:
    """Runs the plan against one feed server and fills :class:`Results`."""

    def __init__(self, args: argparse.Namespace, server: ServerProcess, tmp: Path) -> None:
        self.args = args
        self.server = server
        self.tmp = tmp
        self.results = Results()
        self.anchor = int(time.time())
        self.use_newsboat = newsboat.version() is not None and not args.no_newsboat
        self.caches: dict[tuple[int, int], tuple[TuiReaderHome, newsboat.NewsboatDir | None]] = {}
        self.urls: list[str] = []
        self._serial = 0

    # -- plumbing ---------------------------------------------------------------------

    def _dir(self, label: str) -> Path:
        self._serial += 1
        path = self.tmp / f"{self._serial:03d}-{label}"
        path.mkdir()
        return path

    def _env(self, home: Path) -> dict[str, str]:
        return procs.clean_env(home, pycache=self.tmp / "pycache")

    def _say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def _new_tui(self) -> TuiReaderHome:
        home = TuiReaderHome(self.args.repo, self._dir("tui"))
        home.write_config(self.urls, dict(self.args.config))
        return home

    def _new_nb(self) -> newsboat.NewsboatDir:
        nb = newsboat.NewsboatDir(self._dir("newsboat"))
        nb.write_config(self.urls)
        return nb

    def _quiet(self) -> None:
        waited = procs.wait_for_quiet(self.args.quiet_wait)
        if waited > 1:
            self._say(f"waited {waited:.0f} s for the machine to go quiet")

    def _timed(self, argv: list[str], cwd: Path, home: Path) -> tuple[procs.Run, Counter[str]]:
        self._quiet()
        before = self.server.counts()
        run = procs.run_timed(argv, cwd=cwd, env=self._env(home), timeout=1800)
        return run, self.server.counts() - before

    def _record(self, key: tuple[str, str, str], program: str, run: procs.Run,
                requests: Counter[str], articles: int, expected: int) -> None:
        if articles != expected:
            raise procs.ChildFailed(
                f"{program} {' '.join(key)}: the cache has {articles} articles, expected "
                f"{expected}; server saw {dict(requests)}\nstdout: {run.stdout[-1500:]}\n"
                f"stderr: {run.stderr[-1500:]}"
            )
        fig = self.results.figure(*key, program)
        fig.seconds.append(run.seconds)
        fig.peak_mib.append(run.peak_rss_mib)
        fig.cpu_seconds.append(run.cpu_seconds)
        fig.other_cpu.append(run.other_cpu)
        fig.requests, fig.articles = requests, articles
        self._say(f"{program:10} {' '.join(key):32} {run.seconds:8.2f} s "
                  f"(CPU {run.cpu_seconds:.2f} s) {run.peak_rss_mib:6.0f} MiB  "
                  f"{requests['200']}x200 {requests['304']}x304  other CPU {run.other_cpu:.0%}")

    def warm_up(self) -> None:
        """One untimed pass of every command on a tiny feed set: a fresh ``uv sync`` has
        no bytecode yet, and the first run that compiles it would be seconds slower."""
        fs = self.load(6, 5)
        self.server.set_latency(0)
        home = self._new_tui()
        env = self._env(home.home)
        for args in (("refresh", "--all"), ("unread",)):
            procs.run_timed(home.command(*args), cwd=home.repo, env=env, timeout=600)
        if home.articles() != fs.articles_after(0):
            raise procs.ChildFailed("tui-reader fetched nothing in the warm-up")
        with TmuxScreen(env) as tmux:
            tmux.time_to_text(home.command(), home.repo, _screen_text(home.newest_title()))

    # -- refresh ----------------------------------------------------------------------

    def load(self, feeds: int, items: int) -> feedgen.FeedSet:
        fs = feedgen.FeedSet(feeds, items, self.args.seed, self.anchor, self.args.formats)
        self._say(f"rendering {feeds} feeds x {items} items")
        self.urls = self.server.load(fs)
        return fs

    def refresh_case(self, fs: feedgen.FeedSet, case: Case, keep_cache: bool) -> None:
        """Cold, warm and changed on one home per run and program (the chain stops at the
        last phase asked for; earlier ones still run, as preparation)."""
        self.server.set_latency(case.latency_ms)
        last = max(PHASES.index(p) for p in case.phases)
        name = _case_name(case.feeds, case.items, case.latency_ms)
        section = "big" if (case.feeds, case.items) == BIG else "refresh"
        for run_no in range(self.args.runs):
            keep = keep_cache and run_no == 0
            self._tui_chain(fs, case, section, name, last, keep)
            if self.use_newsboat:
                self._nb_chain(fs, case, section, name, last, keep)

    def _tui_chain(self, fs: feedgen.FeedSet, case: Case, section: str, name: str, last: int,
                   keep: bool) -> None:
        self.server.set_generation(0)
        home = self._new_tui()
        for index, phase in enumerate(PHASES[: last + 1]):
            if phase == "changed":
                self.server.set_generation(1)
            run, requests = self._timed(home.command("refresh", "--all"), home.repo, home.home)
            expected = fs.articles_after(1 if phase == "changed" else 0)
            if phase in case.phases:
                self._record((section, name, phase), TUI, run, requests, home.articles(), expected)
            elif home.articles() != expected:
                raise procs.ChildFailed(f"tui-reader {name} {phase}: wrong article count")
            if index == 0 and keep:
                self.caches[(case.feeds, case.items)] = (home.copy_to(self._dir("tui-cache")), None)

    def _nb_chain(self, fs: feedgen.FeedSet, case: Case, section: str, name: str, last: int,
                  keep: bool) -> None:
        """newsboat: reload 1 is cold, 2 is its first that stores validators, 3 is warm."""
        self.server.set_generation(0)
        nb = self._new_nb()
        steps = [("cold", 0), ("second", 0), ("warm", 0), ("changed", 1)]
        wanted = set(case.phases) | ({"second"} if "warm" in case.phases else set())
        for phase, generation in steps[: {0: 1, 1: 3, 2: 4}[last]]:
            self.server.set_generation(generation)
            run, requests = self._timed(nb.reload(), nb.root, nb.root)
            expected = newsboat.expected_articles(fs, generation)
            if phase in wanted:
                self._record((section, name, phase), NB, run, requests, nb.articles(), expected)
            elif nb.articles() != expected:
                raise procs.ChildFailed(f"newsboat {name} {phase}: wrong article count")
            if phase == "cold" and keep:
                key = (case.feeds, case.items)
                self.caches[key] = (self.caches[key][0], nb.copy_to(self._dir("nb-cache")))

    def prepare_cache(self, fs: feedgen.FeedSet) -> None:
        """A cache that no refresh case left behind: one cold refresh each, not reported."""
        self.server.set_latency(0)
        self.server.set_generation(0)
        home = self._new_tui()
        procs.run_timed(home.command("refresh", "--all"), cwd=home.repo,
                        env=self._env(home.home), timeout=1800)
        if home.articles() != fs.articles_after(0):
            raise procs.ChildFailed(f"tui-reader: preparing {fs.feeds}x{fs.items} failed")
        nb = None
        if self.use_newsboat:
            nb = self._new_nb()
            procs.run_timed(nb.reload(), cwd=nb.root, env=self._env(nb.root), timeout=1800)
            if nb.articles() != newsboat.expected_articles(fs, 0):
                raise procs.ChildFailed(f"newsboat: preparing {fs.feeds}x{fs.items} failed")
        self.caches[(fs.feeds, fs.items)] = (home, nb)

    # -- start-up and unread ------------------------------------------------------------

    def _fresh(self, home: TuiReaderHome, fs: feedgen.FeedSet) -> None:
        """Keep the app's start-up refresh idle: if feeds fall due soon, renew them
        (a plain ``refresh`` at generation 0 only gets 304s)."""
        self.server.set_latency(0)
        self.server.set_generation(0)
        if home.soonest_due() < time.time() + 600:
            procs.run_timed(home.command("refresh"), cwd=home.repo,
                            env=self._env(home.home), timeout=1800)
            if home.articles() != fs.articles_after(0):
                raise procs.ChildFailed("renewing the start-up cache changed it")

    def startup_and_unread(self, fs: feedgen.FeedSet, sections: set[str]) -> None:
        home, nb = self.caches[(fs.feeds, fs.items)]
        self._fresh(home, fs)
        name = f"{fs.articles_after(0):,} articles"
        runs = self.args.startup_runs
        if "startup" in sections:
            text = _screen_text(home.newest_title())
            with TmuxScreen(self._env(home.home)) as tmux:
                for _ in range(runs):
                    self._screen(tmux, ("startup", name, "first screen"), TUI, home.command(),
                                 home.repo, text)
                    if nb is not None:
                        self._screen(tmux, ("startup", name, "first screen"), NB, nb.command(),
                                     nb.root, feedgen.feed_title(0).split(":")[0] + ":")
        if "unread" in sections:
            for _ in range(runs):
                run, _ = self._timed(home.command("unread"), home.repo, home.home)
                self._unread(name, TUI, run)
                if nb is not None:
                    run, _ = self._timed(nb.print_unread(), nb.root, nb.root)
                    self._unread(name, NB, run)

    def _screen(self, tmux: TmuxScreen, key: tuple[str, str, str], program: str,
                argv: list[str], cwd: Path, text: str) -> None:
        self._quiet()
        seconds = tmux.time_to_text(argv, cwd, text)
        self.results.figure(*key, program).seconds.append(seconds)
        self._say(f"{program:10} {' '.join(key):32} {seconds:8.3f} s")

    def _unread(self, name: str, program: str, run: procs.Run) -> None:
        if not run.stdout.strip():
            raise procs.ChildFailed(f"{program} unread printed nothing: {run.stderr[-500:]}")
        fig = self.results.figure("unread", name, "count", program)
        fig.seconds.append(run.seconds)
        fig.peak_mib.append(run.peak_rss_mib)
        fig.cpu_seconds.append(run.cpu_seconds)
        fig.other_cpu.append(run.other_cpu)

    # -- server capacity and the TUI hook -----------------------------------------------

    def server_check(self) -> dict[str, float]:
        """Responses per second at 0 ms with 200 in flight, measured by a lean client."""
        self.load(200, 50)
        self.server.set_latency(0)
        rates = server_capacity(self.urls)
        self._say(f"server: {rates['200']:.0f} responses/s (200, gzip), "
                  f"{rates['304']:.0f}/s (304), 200 in flight")
        return rates

    def tui_hook(self, fs: feedgen.FeedSet) -> dict[str, float]:
        """bench_tui.run(repo, home, feed_urls) on a copy of the plan's TUI home, with
        the server at 50 ms and generation 1 (every feed changed, so a refresh has work)."""
        home = self.caches[(fs.feeds, fs.items)][0].copy_to(self._dir("tui-hook") / "home")
        self.server.set_latency(50)
        self.server.set_generation(1)
        argv = [str(home.python), "-c", TUI_DRIVER, str(TUI_HOOK), str(home.repo),
                str(home.home), *self.urls]
        run = procs.run_timed(argv, cwd=home.repo, env=self._env(home.home), timeout=1800)
        for line in reversed(run.stdout.splitlines()):
            if line.startswith("BENCH_TUI_JSON "):
                figures = json.loads(line.removeprefix("BENCH_TUI_JSON "))
                for key, value in figures.items():
                    if key.endswith("_ms"):  # the rest goes to the JSON only
                        label = f"{fs.feeds * fs.items:,} articles"
                        fig = self.results.figure("tui", label, key, TUI)
                        fig.seconds.append(value / 1000)
                return figures
        raise procs.ChildFailed(f"bench_tui.py printed no figures:\n{run.stderr[-2000:]}")


@dataclass(frozen=True, slots=True)
class Plan:
    cases: list[Case]
    startup: list[tuple[int, int]]
    """Caches (feeds, items) to time start-up and unread on."""
    tui_hook: bool
    tui_cache: tuple[int, int] = TUI_CACHES[True]

    @property
    def caches(self) -> set[tuple[int, int]]:
        return set(self.startup) | ({self.tui_cache} if self.tui_hook else set())

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """Feed sets in the order they are served: smallest first."""
        every = {(c.feeds, c.items) for c in self.cases} | self.caches
        return sorted(every, key=lambda s: s[0] * s[1])


def make_plan(args: argparse.Namespace) -> Plan:
    """The refresh cases, the start-up caches and whether the TUI hook runs."""
    sections = args.only
    latencies = args.latency or ([50] if args.quick else [0, 50])
    sizes = [(50, 50), (200, 50)] if args.quick else [(50, 50), (200, 50), (1000, 50)]
    phases = tuple(p for p in PHASES if p in sections)
    cases = [Case(f, i, ms, phases) for f, i in sizes for ms in latencies if phases]
    if "big" in sections and not args.quick:
        cases.append(Case(*BIG, 50, ("cold",)))
    startup: list[tuple[int, int]] = []
    if sections & {"startup", "unread"}:
        startup = list(STARTUP_CACHES[:2] if args.quick else STARTUP_CACHES)
    if args.feeds:
        cases = [c for c in cases if c.feeds in args.feeds]
        startup = [s for s in startup if s[0] in args.feeds]
    return Plan(cases, startup, "tui" in sections and TUI_HOOK.exists(), TUI_CACHES[args.quick])


def machine(repo: Path) -> dict[str, str]:
    """What the README's figures need next to them."""

    def out(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"

    commit = out("git", "-C", str(repo), "rev-parse", "--short", "HEAD")
    if out("git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no", "--",
           "tui_reader", "pyproject.toml", "uv.lock"):
        commit += " (with uncommitted changes)"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "repo": str(repo),
        "commit": commit,
        "nproc": out("nproc"),
        "arch": platform.machine(),
        "python": out(str(repo / ".venv" / "bin" / "python"), "-c",
                      "import platform; print(platform.python_version())"),
        "newsboat": newsboat.version() or "not installed",
    }


def _csv(kind: type) -> Any:
    return lambda text: [kind(part) for part in text.split(",") if part]


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError("expected KEY=VALUE")
    return key.strip(), value.strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", type=Path, default=BENCH_DIR.parent,
                   help="checkout to measure (uses REPO/.venv/bin/python); default: this one")
    p.add_argument("--runs", type=int, default=3, help="refresh runs per case (median)")
    p.add_argument("--startup-runs", type=int, default=5,
                   help="start-up and unread runs per cache (median)")
    p.add_argument("--quick", action="store_true",
                   help="1 run; 50 and 200 feeds at 50 ms; no 1,000 feeds, no 50,000 articles")
    p.add_argument("--only", type=_csv(str), default=list(SECTIONS),
                   help=f"comma-separated sections, from {','.join(SECTIONS)}")
    p.add_argument("--feeds", type=_csv(int), default=[], help="only these feed counts, e.g. 200")
    p.add_argument("--latency", type=_csv(int), default=[],
                   help="added server latency in ms (default 0,50; 50 with --quick)")
    p.add_argument("--config", type=_setting, action="append", default=[], metavar="KEY=VALUE",
                   help="a tui-reader config.toml entry, e.g. concurrency=32 (repeatable)")
    p.add_argument("--hosts", type=int, default=50, help="loopback addresses to spread feeds over")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--formats", type=_csv(str), default=list(feedgen.FORMATS),
                   help="feed formats, mixed by feed index (default rss,atom,json; newsboat "
                   "2.21 cannot read json, so rss,atom compares like with like)")
    p.add_argument("--quiet-wait", type=float, default=300, metavar="SECONDS",
                   help="before each measurement, wait up to this long for other load to stop")
    p.add_argument("--no-newsboat", action="store_true", help="skip the newsboat column")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = p.parse_args(argv)
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        p.error(f"unknown --only section(s): {', '.join(sorted(unknown))}")
    args.only = set(args.only)
    args.formats = tuple(args.formats)
    if not args.formats or set(args.formats) - set(feedgen.FORMATS):
        p.error(f"--formats takes some of {','.join(feedgen.FORMATS)}")
    args.repo = args.repo.resolve()
    if args.quick:
        args.runs = 1
        args.startup_runs = min(args.startup_runs, 3)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the server, the temp dirs and any child are cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    meta = machine(args.repo)
    plan = make_plan(args)
    print("machine: " + ", ".join(f"{k}={v}" for k, v in meta.items()), file=sys.stderr)
    if newsboat.version() is None:
        print("newsboat is not installed: its column is skipped", file=sys.stderr)
    output: dict[str, Any] = {"machine": meta, "argv": shlex.join(sys.argv)}
    with (
        tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp,
        ServerProcess(hosts=args.hosts) as server,
    ):
        bench = Bench(args, server, Path(tmp))
        bench.warm_up()
        if "server" in args.only:
            output["server_responses_per_s"] = bench.server_check()
        for size in plan.sizes:
            fs = bench.load(*size)
            for case in (c for c in plan.cases if (c.feeds, c.items) == size):
                keep = size in plan.caches and size not in bench.caches
                bench.refresh_case(fs, case, keep_cache=keep)
            if size in plan.caches and size not in bench.caches:
                bench.prepare_cache(fs)
            if size in plan.startup:
                bench.startup_and_unread(fs, args.only)
            if size == plan.tui_cache and plan.tui_hook:
                output["tui"] = bench.tui_hook(fs)
        if "tui" in args.only and not TUI_HOOK.exists():
            print("bench/bench_tui.py does not exist: the tui section is skipped", file=sys.stderr)
        output["server_totals"] = dict(server.counts())
    output["results"] = bench.results.to_json()
    print(bench.results.table())
    if "server_responses_per_s" in output:
        rates = output["server_responses_per_s"]
        print(f"\nserver alone: {rates['200']:.0f} responses/s (200, gzip) and "
              f"{rates['304']:.0f}/s (304) at 0 ms with 200 in flight")
    if args.json:
        args.json.write_text(json.dumps(output, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
