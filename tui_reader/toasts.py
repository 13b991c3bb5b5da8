"""Toasts the reader can take back: "Bookmark removed — z to undo" must go once undone.

Textual can post a notification but has no public way to withdraw one before its
timeout; this module is the one place that reaches into the app for it.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import Notification, Notify, SeverityLevel


def show_toast(
    app: App[Any],
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> Notification:
    """``App.notify`` (never markup) that hands back the toast, for :func:`withdraw_toast`."""
    notification = Notification(
        message, title, severity, app.NOTIFICATION_TIMEOUT if timeout is None else timeout,
        markup=False,
    )
    app.post_message(Notify(notification))
    return notification


def withdraw_toast(app: App[Any], notification: Notification) -> None:
    """Take a toast away early (it said something that is no longer true)."""
    # Private: App._notifications and App._unnotify are what App.notify's own timeout uses.
    if notification in app._notifications:
        app._unnotify(notification)
