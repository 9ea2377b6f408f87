"""Server settings, declared once as data: each field's env variable, parser and meaning."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any


def utc_now() -> datetime:
    """The wall clock in UTC; the default clock of the server (tests inject their own)."""
    return datetime.now(UTC)


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot use."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` actions per `per_seconds`, refilled evenly (a token bucket)."""

    count: int
    per_seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Read `COUNT/SECONDS`, e.g. `10/30` for ten per thirty seconds."""
        count_text, _, seconds_text = text.partition("/")
        try:
            limit = cls(int(count_text), float(seconds_text))
        except ValueError:
            raise SettingsError(f"rate limit {text!r} is not COUNT/SECONDS, e.g. 10/30") from None
        if limit.count < 1 or limit.per_seconds <= 0:
            raise SettingsError(f"rate limit {text!r} needs COUNT >= 1 and SECONDS > 0")
        return limit


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR networks (`127.0.0.1,10.0.0.0/8`), normalised;
    empty: trust no proxy."""
    networks = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise SettingsError(
                f"{part.strip()!r} is not an IP address or network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


def _parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    if lowered in {"", "auto"}:
        return None
    raise SettingsError(f"{text!r} is not one of true, false, auto")


def _parse_positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{text!r} is not a number") from None
    if value <= 0:
        raise SettingsError(f"{text!r} must be greater than 0")
    return value


def _parse_pacing_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{text!r} is not a number") from None
    if not 0 <= value <= 10:
        raise SettingsError(f"{text!r} must be between 0 (no pacing) and 10 seconds")
    return value


def _parse_positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise SettingsError(f"{text!r} must be at least 1")
    return value


def _parse_optional_url(text: str) -> str | None:
    return text.strip() or None


_BYTE_UNITS = {
    "": 1,
    "k": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gib": 1024**3,
}


def parse_byte_size(text: str) -> int:
    """A size in bytes: `65536`, `64k` or `64KiB`, `512m` or `512MiB`, `1g` (powers of 1024)."""
    cleaned = text.strip().lower().replace(" ", "")
    number = cleaned.rstrip("kmgib")
    unit = _BYTE_UNITS.get(cleaned[len(number) :])
    if not number.isdigit() or unit is None:
        raise SettingsError(f"{text!r} is not a size such as 65536, 64KiB or 512MiB")
    if int(number) < 1:
        raise SettingsError(f"{text!r} must be at least 1 byte")
    return int(number) * unit


FANOUTS = ("inprocess", "nchan")


def parse_fanout(text: str) -> str:
    """`inprocess` (this process streams events) or `nchan` (nginx + nchan streams them)."""
    value = text.strip().lower().replace("-", "")
    if value not in FANOUTS:
        raise SettingsError(f"fan-out {text!r} is not one of {', '.join(FANOUTS)}")
    return value


DEFAULT_DATABASE_URL = "sqlite:///./hashchat.sqlite3"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
# The request paths that take uploads (archives) and get max_upload_bytes instead of
# max_body_bytes: the app (web.body_limit) and the nginx template (stack.nginx) read these.
UPLOAD_PREFIX = "/api/v1/uploads/"
UPLOAD_ROUTE_PATTERN = r"^/api/v1/series/[^/]+/imports$"  # issue 10: POST an archive


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server can be told; `clock` is injected so tests control time."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # None = automatic: Secure cookies except on plain http to a loopback host (local dev).
    cookie_secure: bool | None = None
    post_rate: RateLimit = RateLimit(10, 30.0)
    login_failure_rate: RateLimit = RateLimit(10, 300.0)
    # Registrations per client address (the CLI's `users add` is not limited).
    register_rate: RateLimit = RateLimit(5, 600.0)
    # Peers (IPs, CIDRs) whose X-Forwarded-For / X-Forwarded-Proto are believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    sse_heartbeat_seconds: float = 15.0
    sse_queue_size: int = 1000
    # A viewer resuming further back than this many events is told to reload (`resync`).
    sse_replay_limit: int = 1000
    # Set: rate limits, login throttling and live wake-ups are shared through this Redis.
    redis_url: str | None = None
    fanout: str = "inprocess"
    # nchan's publisher location; events of chat N are POSTed to `{nchan_publish_url}/N`.
    nchan_publish_url: str | None = None
    # Must equal nchan_message_buffer_length / nchan_message_timeout of the nginx config.
    nchan_buffer_length: int = 1000
    nchan_message_seconds: float = 3600.0
    # At most one nchan message per chat per this many seconds (0 = one per event at once).
    nchan_interval_seconds: float = 0.1
    cadence_tick_seconds: float = 1.0
    # Request bodies over this are refused with 413 before they are read (web.body_limit);
    # routes under web.body_limit.UPLOAD_PREFIX have max_upload_bytes instead.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    session_days: int = 30
    # This server's public address: the `source` of its own posts in exports (issue 10).
    base_url: str = "http://127.0.0.1:8000"
    # Argon2id cost of password hashes (argon2-cffi's defaults); lower only on weak machines.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `HASHCHAT_*` variables (see ENVIRONMENT), then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for variable, (name, parse, _meaning) in ENVIRONMENT.items():
            if variable in env:
                try:
                    values[name] = parse(env[variable])
                except SettingsError as error:
                    raise SettingsError(f"{variable}: {error}") from None
        values.update({key: value for key, value in overrides.items() if value is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        settings = replace(cls(), **values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse combinations that cannot work, naming the missing piece."""
        if self.fanout not in FANOUTS:
            raise SettingsError(f"fan-out {self.fanout!r} is not one of {', '.join(FANOUTS)}")
        if self.fanout == "nchan" and not self.nchan_publish_url:
            raise SettingsError(
                "fan-out nchan needs the publisher URL (--nchan-publish or HASHCHAT_NCHAN_PUBLISH)"
            )


# Environment variable -> (field, parser, meaning). Feeds from_env, docs and the CLI help.
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "HASHCHAT_DATABASE_URL": (
        "database_url",
        str,
        f"SQLAlchemy URL of the database (default {DEFAULT_DATABASE_URL})",
    ),
    "HASHCHAT_COOKIE_SECURE": (
        "cookie_secure",
        _parse_bool,
        "true/false/auto: mark the session cookie Secure (auto: except plain http on loopback)",
    ),
    "HASHCHAT_POST_RATE": (
        "post_rate",
        RateLimit.parse,
        "posts per person per chat, COUNT/SECONDS (default 10/30)",
    ),
    "HASHCHAT_LOGIN_FAILURE_RATE": (
        "login_failure_rate",
        RateLimit.parse,
        "failed logins per name and per IP address, COUNT/SECONDS (default 10/300)",
    ),
    "HASHCHAT_REGISTER_RATE": (
        "register_rate",
        RateLimit.parse,
        "account registrations per client address, COUNT/SECONDS (default 5/600)",
    ),
    "HASHCHAT_TRUSTED_PROXIES": (
        "trusted_proxies",
        parse_trusted_proxies,
        "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (default none: the peer address is the client)",
    ),
    "HASHCHAT_SSE_HEARTBEAT": (
        "sse_heartbeat_seconds",
        _parse_positive_float,
        "seconds between heartbeat comments on event streams (default 15)",
    ),
    "HASHCHAT_SSE_QUEUE_SIZE": (
        "sse_queue_size",
        _parse_positive_int,
        "events buffered per viewer before a slow viewer is disconnected (default 1000)",
    ),
    "HASHCHAT_SSE_REPLAY_LIMIT": (
        "sse_replay_limit",
        _parse_positive_int,
        "most events replayed to a resuming viewer; further back it gets `resync` (default 1000)",
    ),
    "HASHCHAT_REDIS_URL": (
        "redis_url",
        _parse_optional_url,
        "Redis URL (redis://host:port/db): shared rate limits and live wake-ups across processes",
    ),
    "HASHCHAT_FANOUT": (
        "fanout",
        parse_fanout,
        "who streams events to viewers: inprocess (default) or nchan (behind nginx + nchan)",
    ),
    "HASHCHAT_NCHAN_PUBLISH": (
        "nchan_publish_url",
        _parse_optional_url,
        "nchan publisher location, e.g. http://127.0.0.1:8081/pub (events go to .../CHAT_ID)",
    ),
    "HASHCHAT_NCHAN_BUFFER": (
        "nchan_buffer_length",
        _parse_positive_int,
        "messages nchan keeps per chat, as in nginx's nchan_message_buffer_length (default 1000)",
    ),
    "HASHCHAT_NCHAN_MESSAGE_SECONDS": (
        "nchan_message_seconds",
        _parse_positive_float,
        "seconds nchan keeps a message, as in nginx's nchan_message_timeout (default 3600)",
    ),
    "HASHCHAT_NCHAN_INTERVAL": (
        "nchan_interval_seconds",
        _parse_pacing_seconds,
        "at most one nchan message per chat per this many seconds; events committed meanwhile "
        "go out together (default 0.1; 0 = every event at once)",
    ),
    "HASHCHAT_CADENCE_TICK": (
        "cadence_tick_seconds",
        _parse_positive_float,
        "seconds between checks for due cadence items (default 1)",
    ),
    "HASHCHAT_BASE_URL": (
        "base_url",
        lambda text: text.strip().rstrip("/"),
        "this server's public address, e.g. https://chat.example.org: the source of its own "
        "posts in exports, so re-importing an export updates them (default http://127.0.0.1:8000)",
    ),
    "HASHCHAT_MAX_BODY": (
        "max_body_bytes",
        parse_byte_size,
        "largest request body (API and forms), e.g. 64KiB; larger ones get 413 unread "
        "(default 64KiB)",
    ),
    "HASHCHAT_MAX_UPLOAD": (
        "max_upload_bytes",
        parse_byte_size,
        "largest request body of upload routes (/api/v1/uploads/...), e.g. 512MiB (default 512MiB)",
    ),
}
