"""``python -m tui_reader``."""

import sys

from .cli import main

if __name__ == "__main__":  # a spawned parse worker imports this module too
    sys.exit(main())
