"""A worker process for parsing feeds, so a big refresh never makes the UI lag.

HTML-to-Markdown conversion costs about a millisecond per item and holds the GIL; in a
thread it would steal time from key handling. The TUI parses in one spawned process
instead (never forked: the app has threads). The worker's output is sent to /dev/null so
a stray warning cannot scribble over the screen.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def start_parse_pool() -> ProcessPoolExecutor:
    """Start the pool and its worker now, with the real std streams in place.

    Textual replaces sys.stdout/stderr with objects that have no file descriptor, and
    multiprocessing needs one to start a process, so the worker is spawned here, at once.
    """
    saved = sys.stdout, sys.stderr
    if sys.__stdout__ is not None and sys.__stderr__ is not None:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        # Creating the pool starts multiprocessing's resource tracker, which needs them too.
        pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_silence
        )
        try:
            pool.submit(int).result(timeout=60)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    finally:
        sys.stdout, sys.stderr = saved
    return pool


def stop_parse_pool(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down without waiting; a busy worker is terminated, or the interpreter
    would wait for it at exit (a big feed can take seconds to parse)."""
    # Private: the executor has no public way to reach its processes, and shutdown() alone
    # leaves a busy one running until its task ends.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
