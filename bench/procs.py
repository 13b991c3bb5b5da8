"""Running one child process and measuring it: wall time, CPU time and its own peak RSS.

The wall time is monotonic, from just before the spawn to the reap. CPU time comes from
``os.wait4`` on that one child (not ``RUSAGE_CHILDREN``, which adds up every child the
runner ever had). Peak RSS comes from GNU time (``/usr/bin/time -f %M``) wrapped around
the command: Linux carries a process's peak RSS across ``exec``, so a child forked from
the runner starts with the runner's own ~45 MiB as its floor, and ``wait4`` would report
at least that for a program that never used it. GNU time is ~1 MiB, so its child's floor
is too. Without GNU time, ``wait4``'s figure is used and a warning says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"


def _has_gnu_time() -> bool:
    try:
        out = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return False
    return "GNU" in out.stdout + out.stderr


_HAVE_GNU_TIME = _has_gnu_time()
if not _HAVE_GNU_TIME:
    print("GNU time is missing (apt-get install time): peak RSS includes the runner's own",
          file=sys.stderr)
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy")


def clean_env(home: Path | None = None, pycache: Path | None = None) -> dict[str, str]:
    """The environment for every child: no proxy (loopback only, and httpx and libcurl
    both honour these), NO_PROXY=*, and optionally a throwaway HOME.

    *pycache* keeps Python's bytecode there (PYTHONPYCACHEPREFIX), outside the checkout.
    PYTHONDONTWRITEBYTECODE is dropped: where it is set and the venv came without
    bytecode (``uv sync`` compiles none), every start would compile all of Textual and
    friends again, ~0.7 s that no installed copy pays after its first run.
    """
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)  # the child's interpreter is chosen explicitly
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["NO_PROXY"] = env["no_proxy"] = "*"
    if home is not None:
        env["HOME"] = str(home)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env.pop(name, None)
    return env


@dataclass(frozen=True, slots=True)
class Run:
    """One finished child."""

    seconds: float
    peak_rss_mib: float
    exit_code: int
    stdout: str
    stderr: str
    cpu_seconds: float
    """The child's own user + system time."""
    other_cpu: float
    """Share of the machine's CPU (0..1) busy with anything but the child while it ran: the
    feed server, and any other load on the machine, which would skew the figures."""


class ChildFailed(RuntimeError):
    """A measured command failed: the benchmark stops rather than report a bogus figure."""


def run_timed(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 900.0,
    check: bool = True,
) -> Run:
    """Run *argv* to the end, killing it (and its group) after *timeout* seconds."""
    with (
        open(os.devnull, "rb") as stdin,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        command = list(argv)
        if _HAVE_GNU_TIME:
            command = [GNU_TIME, "-f", "%M", "-o", rss.name, "--", *command]
        busy_before = busy_seconds()
        start = time.monotonic()
        proc = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdin=stdin, stdout=out, stderr=err,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: leave nothing running
            _kill_group(proc.pid)
            os.waitpid(proc.pid, 0)
            raise
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        busy = busy_seconds() - busy_before
        cpu = usage.ru_utime + usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(
            seconds=seconds,
            peak_rss_mib=_peak_kib(rss.read(), usage.ru_maxrss) / 1024,
            exit_code=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            cpu_seconds=cpu,
            other_cpu=max(busy - cpu, 0) / (seconds * (os.cpu_count() or 1)),
        )
    if check and run.exit_code != 0:
        raise ChildFailed(
            f"{' '.join(argv)} exited {run.exit_code} after {seconds:.1f}s:\n"
            f"{run.stderr[-2000:] or run.stdout[-2000:]}"
        )
    return run


def _peak_kib(gnu_time_output: str, wait4_kib: int) -> int:
    """GNU time's %M (its last line; a non-zero exit adds a line before it), else wait4's."""
    lines = gnu_time_output.split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else wait4_kib


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(max_seconds: float, busy_share: float = 0.15) -> float:
    """Wait until the machine is mostly idle (under *busy_share* of all cores over half a
    second), at most *max_seconds*; returns the seconds waited. On a shared 2-core machine
    one other busy process would otherwise take a core from the program being measured."""
    start = time.monotonic()
    cores = os.cpu_count() or 1
    while time.monotonic() - start < max_seconds:
        before = busy_seconds()
        time.sleep(0.5)
        if (busy_seconds() - before) / (0.5 * cores) < busy_share:
            break
    return time.monotonic() - start


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
