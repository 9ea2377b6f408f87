"""The Mastodon bridge's network side, with `Mastodon.py`: verify a login, post (threaded), read
the hashtag's timeline page by page from a stored status id, follow the hashtag's stream, and
turn statuses into `ForeignPost`s. No database here: `actions.bridges` decides and stores.

Catch-up uses `min_id` paging (each page the statuses just above the cursor, oldest first),
so a bridge that was away reads forward from where it stopped without a gap, however many
posts came meanwhile; the stream only makes new posts arrive sooner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
    StreamListener,
)
from mastodon.errors import MastodonMalformedEventError, MastodonReadTimeout
from requests.exceptions import ChunkedEncodingError, ReadTimeout
from requests.exceptions import ConnectionError as RequestsConnectionError

from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError
from hashchat.bridges.text import html_to_text, same_tag
from hashchat.domain.ingest import ForeignPost, Network

PAGE = 40  # the largest page Mastodon serves
TIMEOUT = 15.0
APP_NAME = "hashchat"
SCOPES = ["read", "write"]  # read the hashtag, post our questions


@dataclass(frozen=True, slots=True)
class Posted:
    """One of our statuses: its id and address."""

    external_id: str
    url: str | None


def instance_domain(instance: str) -> str:
    """The instance's host name (the `source` of its statuses): `mastodon.social`."""
    parts = urlsplit(instance if "://" in instance else f"https://{instance}")
    if not parts.netloc:
        raise LoginRefusedError(f"{instance!r} is not an instance address")
    return parts.netloc.lower()


def _base_url(instance: str) -> str:
    parts = urlsplit(instance if "://" in instance else f"https://{instance}")
    return f"{parts.scheme}://{parts.netloc}"


def full_handle(acct: str, domain: str) -> str:
    """`@user@instance` for any account (local accounts' `acct` has no instance)."""
    acct = acct.lstrip("@")
    return f"@{acct}" if "@" in acct else f"@{acct}@{domain}"


class _Translate:
    """Mastodon.py's refusals as ours: a login problem, or the network being busy or down."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: Any, tb: Any) -> None:
        if error is None:
            return
        if isinstance(error, MastodonUnauthorizedError):
            raise LoginRefusedError(
                f"Mastodon refused the access token: {_reason(error)}"
            ) from None
        if isinstance(error, MastodonRatelimitError):
            raise NetworkBusyError("Mastodon rate limit reached (429)", retry_after=None) from None
        if isinstance(error, MastodonNetworkError):
            raise NetworkBusyError(f"Mastodon is unreachable: {_reason(error)}") from None
        if isinstance(error, MastodonAPIError):
            status = error.args[1] if len(error.args) > 1 else None
            if isinstance(status, int) and (status >= 500 or status == 429):
                raise NetworkBusyError(f"Mastodon answered {status}: {_reason(error)}") from None
            if status in (401, 403):
                raise LoginRefusedError(
                    f"Mastodon refused the access token: {_reason(error)}"
                ) from None


def _reason(error: BaseException) -> str:
    args = [a for a in error.args if isinstance(a, str)]
    return args[-1] if args else type(error).__name__


class MastodonAccount:
    """One account on one instance, logged in with its access token."""

    def __init__(self, instance: str, access_token: str) -> None:
        self.domain = instance_domain(instance)
        self.client = Mastodon(
            access_token=access_token,
            api_base_url=_base_url(instance),
            version_check_mode="none",
            ratelimit_method="throw",
            request_timeout=TIMEOUT,
        )

    @property
    def rate_limit_remaining(self) -> int | None:
        """Requests left, as the instance's last `X-RateLimit-Remaining` said (None: never)."""
        if self.client.ratelimit_lastcall is None:
            return None
        return int(self.client.ratelimit_remaining)

    def verify(self) -> str:
        """The account's full handle (`@host@instance`); `LoginRefusedError` with the instance's
        reason when the token does not work."""
        with _Translate():
            account = self.client.account_verify_credentials()
        return full_handle(str(account["acct"]), self.domain)

    def character_limit(self) -> tuple[int, int]:
        """(max characters of a status, characters a URL counts for) from `/api/v2/instance`."""
        with _Translate():
            instance = self.client.instance_v2()
        statuses = instance["configuration"]["statuses"]
        return int(statuses["max_characters"]), int(statuses["characters_reserved_per_url"])

    def post(self, text: str, in_reply_to: str | None = None) -> Posted:
        """Publish a public status (a reply when `in_reply_to` is a status id)."""
        with _Translate():
            status = self.client.status_post(text, in_reply_to_id=in_reply_to, visibility="public")
        return Posted(str(status["id"]), status.get("url"))

    def since(self, tag: str, cursor: str | None) -> Iterator[list[Mapping[str, Any]]]:
        """The hashtag's statuses above status id `cursor`, page by page, oldest first (None:
        the newest page only, where a bridge starts)."""
        with _Translate():
            if cursor is None:
                page = self.client.timeline_hashtag(tag.lstrip("#"), limit=PAGE)
                yield sorted(page, key=lambda s: int(s["id"]))
                return
            while True:
                page = self.client.timeline_hashtag(tag.lstrip("#"), min_id=cursor, limit=PAGE)
                if not page:
                    return
                ordered = sorted(page, key=lambda s: int(s["id"]))
                yield ordered
                cursor = str(ordered[-1]["id"])

    def follow(self, tag: str, on_status: Callable[[str, Any], None]) -> Any:
        """Follow the hashtag's stream on a thread of its own: `on_status(event, payload)` for
        each `update`, `status.update` and `delete`. Returns Mastodon.py's handle: `is_alive()`
        turns false when the stream drops (the caller catches up and follows again);
        `close()` ends it."""

        class Listener(_LineListener):
            def on_update(self, status: Any) -> None:
                on_status("update", status)

            def on_status_update(self, status: Any) -> None:
                on_status("status.update", status)

            def on_delete(self, status_id: Any) -> None:
                on_status("delete", status_id)

        with _Translate():
            return self.client.stream_hashtag(tag.lstrip("#"), Listener(), run_async=True)


class _LineListener(StreamListener):
    """Mastodon.py's listener reading the event stream a line at a time. Its own
    `handle_stream` takes the response one byte per loop (`iter_content(chunk_size=1)`): 3.6 ms
    of CPU per 2.5 kB status, held in small slices of the GIL the other bridges' threads wait
    for; 1.8 ms this way (the rest is its decoding of the status). Events are parsed and
    dispatched by its own `_parse_line` and `_dispatch`, and a dropped connection is said with
    its own errors, as before."""

    def handle_stream(self, response: Any) -> None:
        me: Any = self  # Mastodon.py's own methods are untyped
        event: dict[str, str] = {}
        pending = b""
        try:
            for chunk in response.iter_content(chunk_size=None):
                *lines, pending = (pending + chunk).split(b"\n")
                for raw in lines:
                    try:
                        line = raw.decode("utf-8")
                    except UnicodeDecodeError as error:
                        malformed = MastodonMalformedEventError("Malformed UTF-8")
                        me.on_abort(malformed)
                        raise malformed from error
                    if line == "":
                        me._dispatch(event)
                        event = {}
                    else:
                        event = me._parse_line(line, event)
        except ChunkedEncodingError as error:
            ended = MastodonNetworkError("Server ceased communication.")
            me.on_abort(ended)
            raise ended from error
        except ReadTimeout as error:
            late = MastodonReadTimeout("Timed out while reading from server.")
            me.on_abort(late)
            raise late from error
        except RequestsConnectionError as error:
            lost = MastodonNetworkError("Requests reports connection error.")
            me.on_abort(lost)
            raise lost from error


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """Our app as an instance registered it (`POST /api/v1/apps`)."""

    instance: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str


def register_app(instance: str, redirect_uri: str) -> OAuthApp:
    """Register hashchat on `instance` (Mastodon.py's `create_app`), to send the host to its
    sign-in page; `LoginRefusedError` with the instance's reason when it refuses."""
    base = _base_url(instance)
    instance_domain(instance)
    try:
        with _Translate():
            client_id, client_secret = Mastodon.create_app(
                APP_NAME,
                scopes=SCOPES,
                redirect_uris=redirect_uri,
                api_base_url=base,
                request_timeout=TIMEOUT,
            )
    except NetworkBusyError as error:
        raise LoginRefusedError(f"could not register on {base}: {error.reason}") from None
    except MastodonAPIError as error:
        raise LoginRefusedError(f"{base} refused to register the app: {_reason(error)}") from None
    return OAuthApp(base, str(client_id), str(client_secret), redirect_uri)


def authorize_url(app: OAuthApp, state: str) -> str:
    """Where the host signs in and approves hashchat; the instance sends her back to the
    app's redirect URI with `code` and `state`."""
    client = Mastodon(
        client_id=app.client_id,
        client_secret=app.client_secret,
        api_base_url=app.instance,
        version_check_mode="none",
        request_timeout=TIMEOUT,
    )
    return str(
        client.auth_request_url(
            redirect_uris=app.redirect_uri, scopes=SCOPES, state=state, skip_server_info=True
        )
    )


def exchange_code(app: OAuthApp, code: str) -> str:
    """The access token the instance gives for the approval's `code` (`POST /oauth/token`);
    `LoginRefusedError` with its reason when the code is refused."""
    client = Mastodon(
        client_id=app.client_id,
        client_secret=app.client_secret,
        api_base_url=app.instance,
        version_check_mode="none",
        request_timeout=TIMEOUT,
    )
    try:
        with _Translate():
            return str(client.log_in(code=code, redirect_uri=app.redirect_uri, scopes=SCOPES))
    except MastodonIllegalArgumentError as error:
        raise LoginRefusedError(f"Mastodon refused the sign-in: {_reason(error)}") from None


def is_tagged(status: Mapping[str, Any], tag: str) -> bool:
    """True when the status (or the status it boosts) carries the hashtag, in any case."""
    carrier = status.get("reblog") or status
    return any(same_tag(str(t["name"]), tag) for t in carrier.get("tags") or ())


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def foreign_post(status: Mapping[str, Any], domain: str) -> ForeignPost:
    """A status as the ingest door takes it: a boost is a repost (never participation), HTML
    content becomes text, an edit carries its time."""
    reblog = status.get("reblog")
    account = status["account"]
    edited = status.get("edited_at")
    return ForeignPost(
        network=Network.MASTODON,
        source=domain,
        external_id=str(status["id"]),
        author_handle=full_handle(str(account["acct"]), domain),
        display_name=str(account.get("display_name") or account["acct"]),
        text=html_to_text(str((reblog or status).get("content") or "")),
        created_at=_aware(status["created_at"]),
        url=status.get("url") or status.get("uri"),
        reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        repost_of=str(reblog["id"]) if reblog else None,
        edited_at=_aware(edited) if edited else None,
    )
