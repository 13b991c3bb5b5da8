"""``tui-reader serve``: the reader in a web browser, through textual-serve.

Each browser tab that opens the page starts its own ``python -m tui_reader`` (on the
same home, or on its own throwaway demo home) and sees it in xterm.js. What this module
adds to textual-serve's server:

- it listens on one address only, 127.0.0.1 unless asked, and says in one line when
  that address can be reached from other machines (there is no password);
- a port in use or an address that is not this machine's is one line, not a traceback;
- the command it hands textual-serve (which runs it through a shell) is built from
  quoted words only, so a home folder named ``a b; rm -rf ~`` stays one argument;
- the page is its own template: no web fonts or scripts from a public host (it works
  with no internet), and the websocket is found from the page's own address;
- a websocket opened by another site's page (another Origin), or through a host name
  that is not loopback while listening on loopback (DNS rebinding), is refused, so a web
  page visited in the same browser cannot drive the reader.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import logging
import os
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .core.errors import UserError
from .core.paths import HOME_ENV

if TYPE_CHECKING:
    from aiohttp import web

PAGE_DIR = Path(__file__).parent / "serve_page"
"""The page template (textual-serve's, with local fonts and no public host in it)."""


def port_number(text: str) -> int:
    """argparse type for --port: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return port


def served_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session, every word quoted.

    textual-serve runs it with ``create_subprocess_shell``; ``shlex.join`` makes each part
    (the interpreter's path, the home folder) exactly one word whatever it contains.
    """
    words = [sys.executable, "-m", "tui_reader"]
    if args.demo:
        words.append("--demo")
    else:
        home = getattr(args, "home", None)
        home = home if home is not None else os.environ.get(HOME_ENV) or None
        if home:  # absolute, so the session does not depend on where it starts
            words += ["--home", str(Path(home).expanduser().resolve())]
    return shlex.join(words)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on *host*:*port*, or a UserError that says why not in words."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UserError(f"cannot serve on {where}: {host!r} is not a host name or address "
                        f"this machine can resolve ({reason})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        reasons = {
            errno.EADDRINUSE: f"port {port} is already in use there (another program, or "
                              "another tui-reader serve); choose another with --port",
            errno.EADDRNOTAVAIL: f"{host} is not an address of this machine",
            errno.EACCES: f"port {port} needs special rights; choose one above 1023 "
                          "with --port",
        }
        reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
        raise UserError(f"cannot serve on {where}: {reason}") from None
    sock.setblocking(False)
    return sock


def is_loopback(sock: socket.socket) -> bool:
    """Whether only this machine can reach *sock* (127.0.0.0/8, ::1)."""
    address = str(sock.getsockname()[0]).split("%", 1)[0]
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def is_loopback_name(host_header: str) -> bool:
    """Whether a Host header names this machine's loopback (``localhost:8000``, ``[::1]``)."""
    try:
        name = urlsplit("//" + host_header).hostname
    except ValueError:
        return False
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def websocket_refusal(headers: Any, host_header: str, loopback: bool) -> str | None:
    """Why a websocket request must be refused, or None to accept it.

    A page of another site may open a websocket to this port from the user's own browser
    (browsers allow that across origins): its Origin differs from the Host it talks to.
    A page that re-points its own name at 127.0.0.1 (DNS rebinding) has a matching Origin
    but a Host that is not a loopback name.
    """
    if loopback and not is_loopback_name(host_header):
        return f"the Host {host_header!r} is not this machine's loopback"
    origin = headers.get("Origin")
    if origin is None:  # not a browser: it could connect as well without the page
        return None
    try:
        parts = urlsplit(origin)
    except ValueError:
        return f"the Origin {origin!r} is not a URL"
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host_header.lower():
        return f"the page that asked is from {origin!r}, not from this server"
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the reader to web browsers until Ctrl+C."""
    if not args.demo:
        _check_files(args)
    sock = listen(args.host, args.port)
    try:
        loopback = is_loopback(sock)
        port = int(sock.getsockname()[1])
        if not loopback:
            print(f"tui-reader: warning: serving on {args.host} port {port}, which other "
                  "machines can reach: anyone who can reach this port can read and change "
                  "your feeds (the page asks for no password)", file=sys.stderr, flush=True)
        from .serve_server import ReaderServer

        server = ReaderServer(served_command(args), sock, loopback=loopback,
                              title="tui-reader (demo)" if args.demo else "tui-reader")
        server.announce = _announcement(args.host, port, loopback)
        server.serve()
    finally:
        sock.close()
    return 0


def _check_files(args: argparse.Namespace) -> None:
    """A broken config.toml or feeds.toml is one line now, before anyone opens the page."""
    from .core.config import load_settings
    from .core.feeds_file import load_subscriptions
    from .core.paths import resolve_paths

    paths = resolve_paths(getattr(args, "home", None))
    load_settings(paths.config_file)
    load_subscriptions(paths.feeds_file)


def _announcement(host: str, port: int, loopback: bool) -> str:
    """The line that says where to point the browser."""
    if host in ("0.0.0.0", "::", ""):
        return (f"Serving tui-reader on every address of this machine, port {port} "
                f"(http://{socket.gethostname()}:{port}/); Ctrl+C stops it")
    shown = f"[{host}]" if ":" in host else host
    return f"Serving tui-reader at http://{shown}:{port}/ (Ctrl+C stops it)"


def install_signal_handlers(loop: asyncio.AbstractEventLoop, stop: Any) -> None:
    """SIGINT and SIGTERM end the server gracefully (where the loop supports it)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):
            pass


def quiet_logging() -> None:
    """Warnings and errors only, one line each on stderr (textual-serve logs every step)."""
    logging.basicConfig(level=logging.WARNING, format="tui-reader serve: %(message)s",
                        stream=sys.stderr, force=True)


def refuse(reason: str) -> web.Response:
    """The answer to a refused websocket: 403, with the reason in words."""
    from aiohttp import web

    logging.getLogger("tui-reader").warning("refused a session: %s", reason)
    return web.Response(status=403, text=f"Refused: {reason}\n")
