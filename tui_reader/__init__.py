"""tui-reader: a keyboard-driven terminal news reader."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tui-reader")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
