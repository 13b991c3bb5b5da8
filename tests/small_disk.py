"""A folder the tests can fill up or make read-only, for real.

Where the test runs as root and the kernel allows it, the folder is a small tmpfs the test
mounts: filling it makes every write fail with ENOSPC, as a full disk does, and a
remount makes it read-only. Elsewhere a full disk is a file-size limit (RLIMIT_FSIZE,
with SIGXFSZ ignored, so writes fail with EFBIG) on the processes the test starts, and a
read-only folder is its permission bits (or, for root, ``chattr +i``).
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

TMPFS_SIZE = "24m"
RLIMIT_BYTES = 64 * 1024
"""Room for a process to open the cache (its -shm is 32 KiB), not for a refresh's writes."""


def mount_tmpfs(root: Path) -> bool:
    """Mount a small tmpfs on *root*; False where this machine does not allow it."""
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755",
                             "tmpfs", str(root)], capture_output=True, timeout=30)
    return result.returncode == 0


def unmount(root: Path) -> None:
    if subprocess.run(["umount", str(root)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(root)], capture_output=True, timeout=30)


class Disk:
    """A folder whose filesystem fills up (:meth:`fill`) and has room again (:meth:`free`)."""

    def __init__(self, root: Path, kind: str) -> None:
        self.root = root
        self.kind = kind
        """"tmpfs" (a real full filesystem) or "rlimit" (a file-size limit)."""
        self.limit: int | None = None
        self._filler = root / "filler"

    def fill(self, leave: int = 0) -> None:
        """No room left (but *leave* bytes, on a tmpfs)."""
        if self.kind == "rlimit":
            self.limit = RLIMIT_BYTES
            return
        chunk = b"\0" * (1 << 20)
        with open(self._filler, "wb", buffering=0) as handle:
            for size in (1 << 20, 1 << 12, 1):
                try:
                    while True:
                        handle.write(chunk[:size])
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc
            if leave:
                handle.truncate(max(0, handle.tell() - leave))

    def free(self) -> None:
        self.limit = None
        self._filler.unlink(missing_ok=True)

    def preexec(self) -> Callable[[], None] | None:
        """For subprocess.Popen: the file-size limit in the child, while the disk is full."""
        limit = self.limit
        if limit is None:
            return None

        def apply() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        return apply


def make_read_only(folder: Path, mounted: bool) -> Callable[[], None]:
    """Make *folder* (and what is in it) unwritable, for real; returns the undo.

    A mounted tmpfs is remounted read-only; otherwise root gets ``chattr +i`` (permission
    bits do not stop root) and anyone else loses the write bits.
    """
    def run(*command: str) -> Callable[[], None]:
        def go() -> None:
            subprocess.run(command, check=True, capture_output=True, timeout=30)

        return go

    if mounted:
        run("mount", "-o", "remount,ro", str(folder))()
        return run("mount", "-o", "remount,rw", str(folder))
    paths = [str(p) for p in (folder, *folder.iterdir())]
    if os.geteuid() == 0:
        run("chattr", "+i", *paths)()
        return run("chattr", "-i", *paths)
    modes = {p: stat.S_IMODE(os.stat(p).st_mode) for p in paths}
    for p in paths:
        os.chmod(p, modes[p] & ~0o222)

    def undo() -> None:
        for p, mode in modes.items():
            os.chmod(p, mode)

    return undo
