"""The ``[sync]`` table of config.toml, and the account's secret (never stored here).

```toml
[sync]
protocol = "fever"
url = "https://rss.example.org/fever/"
user = "me@example.org"
password_command = "pass show rss"
```

The secret comes from ``password_command`` (split like a shell would, run without one,
its first line of output) or from ``$TUI_READER_SYNC_PASSWORD``, only when a sync runs:
it is never written anywhere, and never part of a message.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..errors import ConfigError
from ..toml_places import file_line
from ..toml_text import did_you_mean, toml_key, toml_value
from .protocol import SyncError

PASSWORD_ENV = "TUI_READER_SYNC_PASSWORD"
PROTOCOLS = ("fever",)
KEYS = ("protocol", "url", "user", "password_command")
PASSWORD_SECONDS = 30.0
"""How long password_command may take (a pinentry dialog waits for the user)."""

_env_secret: str | None = None
"""$TUI_READER_SYNC_PASSWORD once taken out of the environment."""


def take_env_secret() -> str | None:
    """$TUI_READER_SYNC_PASSWORD, taken out of the environment (at start: config.toml's
    reading imports this module) and kept in memory only, so that no child process
    inherits it: password_command, a browser, w3m, serve's sessions."""
    global _env_secret
    value = os.environ.pop(PASSWORD_ENV, None)
    if value is not None:
        _env_secret = value
    return _env_secret


take_env_secret()


@dataclass(frozen=True, slots=True)
class SyncAccount:
    """One account on a feed server, as config.toml names it."""

    protocol: str
    url: str
    user: str
    password_command: str = ""

    @property
    def key(self) -> str:
        """Which account this is: another one means starting over (a trailing / or the
        host's case is not another one)."""
        return f"{self.protocol} {normal_url(self.url)} {self.user}"


DEFAULT_PORTS = {"http": 80, "https": 443}


def normal_url(url: str) -> str:
    """The sync URL as part of the account's identity: scheme and host in lower case, no
    default port, no trailing slashes."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:  # a port that is no number: left as it is
        return url.strip()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def normal_key(key: str) -> str:
    """An account key as stored (earlier versions kept the URL as written) made
    comparable with :attr:`SyncAccount.key`."""
    protocol, _, rest = key.partition(" ")
    url, _, user = rest.partition(" ")
    return f"{protocol} {normal_url(url)} {user}"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: plain http cannot be overheard there."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_sync(path: Path, value: object) -> SyncAccount:
    """The ``[sync]`` table checked key by key: ConfigError naming file:line otherwise."""
    if not isinstance(value, dict):
        raise ConfigError(f"{file_line(path, ('sync',))}: sync must be a table ([sync]), "
                          f"got {toml_value(value)}")
    for key in value:
        if key not in KEYS:
            hint = (" (the password is never kept in config.toml: use password_command, or "
                    f"${PASSWORD_ENV})") if key == "password" else did_you_mean(key, KEYS)
            raise ConfigError(f"{file_line(path, ('sync', key))}: unknown key "
                              f"{toml_key(key)} in [sync]{hint}")
    strings: dict[str, str] = {}
    for key in KEYS:
        item = value.get(key)
        where = file_line(path, ("sync", key) if key in value else ("sync",))
        if item is None:
            if key == "password_command":
                continue
            raise ConfigError(f"{where}: [sync] needs {key} = \"…\"")
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{where}: sync.{key} must be a string, got {toml_value(item)}")
        strings[key] = item.strip()
    where = file_line(path, ("sync", "protocol"))
    if strings["protocol"] not in PROTOCOLS:
        raise ConfigError(f"{where}: sync.protocol must be \"fever\" (the one spoken so far), "
                          f"got {toml_value(strings['protocol'])}")
    strings["url"] = _check_url(file_line(path, ("sync", "url")), strings["url"])
    if "password_command" in strings:
        try:
            if not shlex.split(strings["password_command"]):
                raise ValueError("it is empty")
        except ValueError as exc:
            raise ConfigError(f"{file_line(path, ('sync', 'password_command'))}: "
                              f"password_command cannot be split into words ({exc})") from None
    return SyncAccount(**strings)


def _check_url(where: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: sync.url must be an https:// address, got {toml_value(url)}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{where}: sync.url must not hold a user name or password (use "
                          f"user and password_command)")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(f"{where}: sync.url must use https:// (plain http:// would send the "
                          f"password readable on the way; it is allowed only to this machine, "
                          f"127.0.0.1 or localhost)")
    return url


def resolve_password(account: SyncAccount, *, timeout: float = PASSWORD_SECONDS) -> str:
    """The secret: password_command's first line, else $TUI_READER_SYNC_PASSWORD."""
    if not account.password_command:
        secret = take_env_secret() or ""
        if not secret:
            raise SyncError(f"no password for the sync account: set password_command in "
                            f"[sync] of config.toml, or ${PASSWORD_ENV}")
        return secret
    argv = shlex.split(account.password_command)
    name = argv[0]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, check=False)
    except FileNotFoundError:
        raise SyncError(f"password_command: {name} not found") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"password_command: {name} gave no password in {timeout:g} s") from None
    except OSError as exc:
        raise SyncError(f"password_command: {name}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = f": {said[0][:200]}" if said else ""
        raise SyncError(f"password_command: {name} failed (exit {done.returncode}){why}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    secret = lines[0].strip("\r\n") if lines else ""
    if not secret:
        raise SyncError(f"password_command: {name} printed no password")
    return secret
