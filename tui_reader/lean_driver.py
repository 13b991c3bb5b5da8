"""The terminal driver, writing fewer bytes for the same screen (see :mod:`.sgr_diet`)."""

from __future__ import annotations

import os

from textual.driver import Driver

from .sgr_diet import SgrDiet

RAW_OUTPUT_ENV = "TUI_READER_RAW_OUTPUT"
"""Set to 1 to write what Textual writes, unchanged (to measure or compare)."""


def lean(driver_class: type[Driver]) -> type[Driver]:
    """*driver_class* with its writes rewritten; the web and test drivers as they are."""
    from textual.drivers.linux_driver import LinuxDriver

    if os.environ.get(RAW_OUTPUT_ENV) == "1" or not issubclass(driver_class, LinuxDriver):
        return driver_class

    class LeanDriver(driver_class):  # type: ignore[misc,valid-type]
        _diet = SgrDiet()

        def write(self, data: str) -> None:
            super().write(self._diet.rewrite(data))

    return LeanDriver
