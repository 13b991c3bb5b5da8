"""Errors the user sees as one line.

Every failure that reaches the CLI or the status line is a :class:`UserError`: a message
that says what went wrong and where, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or environment, worded for the user."""


class ConfigError(UserError):
    """A config file that cannot be read; the message names the file and line."""
