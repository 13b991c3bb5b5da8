"""textual-serve's server, listening on a socket made by :mod:`tui_reader.cli_serve`,
with its own page, its websocket checks and quiet logs.

Apart from ``cli_serve`` so that the command line builds without importing aiohttp.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiohttp import web
from textual_serve.server import Server

from .cli_serve import PAGE_DIR, install_signal_handlers, quiet_logging, refuse, websocket_refusal


class ReaderServer(Server):
    """Serves one command to browsers on an already listening socket."""

    def __init__(self, command: str, sock: socket.socket, *, loopback: bool,
                 title: str) -> None:
        super().__init__(command, title=title, templates_path=PAGE_DIR)
        self.sock = sock
        self.loopback = loopback
        self.announce = ""

    def initialize_logging(self) -> None:
        quiet_logging()

    async def on_startup(self, app: web.Application) -> None:
        """Say where to point the browser (textual-serve prints a banner instead)."""
        print(self.announce, flush=True)

    async def handle_websocket(self, request: web.Request) -> Any:
        """Start a session only for a page this server gave out (see websocket_refusal)."""
        reason = websocket_refusal(request.headers, request.host, self.loopback)
        if reason is not None:
            return refuse(reason)
        return await super().handle_websocket(request)

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT or SIGTERM; sessions still open are ended within seconds."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        install_signal_handlers(loop, self.request_exit)
        try:
            web.run_app(self._make_app(), sock=self.sock, handle_signals=False, loop=loop,
                        print=None, access_log=None, shutdown_timeout=3)
        finally:
            asyncio.set_event_loop(None)
            loop.close()
