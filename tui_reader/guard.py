"""A failing cache read or write in a screen becomes one notification, never a traceback.

The cache can go away under a running app (a disk error, a closed or corrupt file). Store
methods raise :class:`~tui_reader.core.store.StoreError` (a ``UserError``) for what they
recognise, and a raw ``sqlite3.Error`` or ``OSError`` may still slip through. Screens and
widgets wrap their store calls in :func:`store_guard`, or catch :data:`CACHE_ERRORS` and
call :func:`report_cache_error` where a method has to carry on after the failure.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from textual.app import App
from textual.widget import Widget

from .core.errors import UserError
from .core.sanitize import clean_text

P = ParamSpec("P")
R = TypeVar("R")

CACHE_ERRORS: tuple[type[Exception], ...] = (UserError, sqlite3.Error, OSError)
"""What a store call may raise when the cache itself is the problem."""

TITLE = "Cache problem"


def cache_error_text(error: BaseException) -> str:
    """The error as one plain line (file paths and database text are not markup)."""
    return clean_text(str(error), 200) or type(error).__name__


def report_cache_error(node: Widget | App[Any], error: BaseException) -> None:
    """Show *error* as one error notification, with markup off."""
    node.notify(cache_error_text(error), title=TITLE, severity="error", markup=False)


def store_guard(method: Callable[P, R]) -> Callable[P, R | None]:
    """Decorate a (synchronous) screen method: a cache error is notified, and None returned."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except CACHE_ERRORS as exc:
            owner = args[0]
            assert isinstance(owner, Widget), "store_guard decorates methods of widgets and screens"
            report_cache_error(owner, exc)
            return None

    return wrapper
