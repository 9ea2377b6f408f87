"""The Bluesky bridge's network side, with the `atproto` SDK: verify a login (handle and app
password on any PDS), post with the hashtag as a real tag facet and reply refs (threads), and
read the firehose (`com.atproto.sync.subscribeRepos`, a relay's or one PDS's) from a stored
cursor, keeping the posts that carry the tag. No database here: `actions.bridges` decides.

Identity: a post's external id is its `at://` URI, unique across the whole network, so every
Bluesky post has the one source `SOURCE` whichever PDS or relay it came through.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from atproto import (
    CAR,
    Client,
    FirehoseSubscribeReposClient,
    client_utils,
    models,
    parse_subscribe_repos_message,
)
from atproto import exceptions as at_errors

from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError
from hashchat.bridges.text import same_tag
from hashchat.domain.ingest import ForeignPost, Network

SOURCE = "atproto"
POST_COLLECTION = "app.bsky.feed.post"
PUBLIC_FIREHOSE = "wss://bsky.network/xrpc"
_TAG_IN_TEXT = re.compile(r"(?<![\w/])#(\w+)")


@dataclass(frozen=True, slots=True)
class Posted:
    """One of our posts: its `at://` URI and CID (what a reply ref names), and its web link."""

    external_id: str
    cid: str
    url: str | None


def _translate(error: Exception) -> Exception:
    if isinstance(error, at_errors.UnauthorizedError | at_errors.BadRequestError):
        detail = getattr(getattr(error, "response", None), "content", None)
        message = getattr(detail, "message", None) or str(error) or "login refused"
        return LoginRefusedError(f"Bluesky refused the login: {message}")
    if isinstance(error, at_errors.NetworkError | at_errors.RequestException):
        return NetworkBusyError(f"Bluesky is busy or unreachable: {error}")
    return error


def web_url(uri: str, handle: str) -> str:
    """The bsky.app link of a post's `at://` URI."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


class _BudgetClient(Client):  # type: ignore[misc]
    """atproto's client noting the `ratelimit-remaining` of every answer (429s included)."""

    rate_limit_remaining: int | None = None

    def _invoke(self, invoke_type: Any, **kwargs: Any) -> Any:
        try:
            response = super()._invoke(invoke_type, **kwargs)
        except at_errors.RequestErrorBase as error:
            self._note(getattr(error, "response", None))
            raise
        self._note(response)
        return response

    def _note(self, response: Any) -> None:
        headers = getattr(response, "headers", None) or {}
        value = next((v for k, v in headers.items() if k.lower() == "ratelimit-remaining"), None)
        if value is not None and str(value).isdigit():
            self.rate_limit_remaining = int(value)


class BlueskyAccount:
    """One account on its PDS (`service`), logged in with an app password."""

    def __init__(self, service: str, handle: str, app_password: str) -> None:
        self.client = _BudgetClient(base_url=service.rstrip("/"))
        self.handle = handle.lstrip("@")
        self._password = app_password
        self.did = ""

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.request.close()

    def __enter__(self) -> BlueskyAccount:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def rate_limit_remaining(self) -> int | None:
        """Requests left, as the PDS's last `ratelimit-remaining` said (None: never)."""
        return self.client.rate_limit_remaining

    def verify(self) -> str:
        """Log in; the account's handle. `LoginRefusedError` with the PDS's reason otherwise."""
        try:
            self.client.login(self.handle, self._password, fetch_bsky_profile=False)
            session = self.client.com.atproto.server.get_session()
        except Exception as error:  # the SDK's errors, translated
            raise _translate(error) from None
        self.did = session.did
        self.handle = session.handle
        return self.handle

    def post(self, text: str, tag: str, reply_to: tuple[Posted, Posted] | None = None) -> Posted:
        """Publish `text` with every `#tag` in it as a tag facet (the chat's tag added at the
        end when absent); `reply_to` is (thread root, parent)."""
        if not self.did:
            self.verify()
        builder = tagged_text(text, tag)
        reply = None
        if reply_to is not None:
            root, parent = reply_to
            reply = models.AppBskyFeedPost.ReplyRef(
                root=models.ComAtprotoRepoStrongRef.Main(uri=root.external_id, cid=root.cid),
                parent=models.ComAtprotoRepoStrongRef.Main(uri=parent.external_id, cid=parent.cid),
            )
        try:
            made = self.client.send_post(builder, profile_identify=self.did, reply_to=reply)
        except Exception as error:
            raise _translate(error) from None
        return Posted(made.uri, made.cid, web_url(made.uri, self.handle))


def tagged_text(text: str, tag: str) -> client_utils.TextBuilder:
    """The text with each hashtag as a tag facet, and the chat's tag appended when missing."""
    if not any(same_tag(found, tag) for found in _TAG_IN_TEXT.findall(text)):
        text = f"{text} #{tag.lstrip('#')}"
    builder = client_utils.TextBuilder()
    position = 0
    for match in _TAG_IN_TEXT.finditer(text):
        builder.text(text[position : match.start()])
        builder.tag(match.group(0), match.group(1))
        position = match.end()
    builder.text(text[position:])
    return builder


def record_tags(record: Any) -> list[str]:
    """The tags a post record carries: its tag facets and its `tags` field."""
    found = list(getattr(record, "tags", None) or ())
    for facet in getattr(record, "facets", None) or ():
        for feature in facet.features:
            if isinstance(feature, models.AppBskyRichtextFacet.Tag):
                found.append(feature.tag)
    return found


@dataclass(frozen=True, slots=True)
class FirehoseItem:
    """What one firehose frame meant for a tag: its sequence number (the cursor to store),
    new posts carrying the tag, and URIs of deleted posts (any post: the caller checks)."""

    seq: int | None
    posts: tuple[ForeignPost, ...] = ()
    deleted: tuple[str, ...] = ()


class TagFilter:
    """Keeps a firehose's posts that carry one tag. Cheap first: a commit whose blocks do not
    hold the tag's bytes (ASCII case folded) is passed over without decoding its records."""

    def __init__(self, tag: str, handles: Callable[[str], str] | None = None) -> None:
        self.tag = tag.lstrip("#")
        needle = self.tag.encode()
        self._needle = needle.lower() if self.tag.isascii() else None
        self._handles = handles or (lambda did: did)

    def read(self, frame: Any) -> FirehoseItem:
        """The frame's meaning for the tag."""
        message = parse_subscribe_repos_message(frame)
        if not isinstance(message, models.ComAtprotoSyncSubscribeRepos.Commit):
            return FirehoseItem(getattr(message, "seq", None))
        deleted = tuple(
            f"at://{message.repo}/{op.path}"
            for op in message.ops
            if op.action == "delete" and op.path.startswith(POST_COLLECTION + "/")
        )
        blocks = message.blocks or b""
        if self._needle is not None and self._needle not in blocks.lower():
            return FirehoseItem(message.seq, (), deleted)
        posts: list[ForeignPost] = []
        car = CAR.from_bytes(blocks) if blocks else None
        for op in message.ops:
            if op.action != "create" or not op.path.startswith(POST_COLLECTION + "/"):
                continue
            if car is None or op.cid is None:
                continue
            raw = car.blocks.get(op.cid)
            record = models.get_or_create(raw, strict=False) if raw else None
            if record is None or not any(same_tag(t, self.tag) for t in record_tags(record)):
                continue
            uri = f"at://{message.repo}/{op.path}"
            posts.append(self._post(uri, message.repo, record))
        return FirehoseItem(message.seq, tuple(posts), deleted)

    def _post(self, uri: str, did: str, record: Any) -> ForeignPost:
        handle = self._handles(did)
        parent = getattr(getattr(record, "reply", None), "parent", None)
        created = datetime.fromisoformat(str(record.created_at).replace("Z", "+00:00"))
        return ForeignPost(
            network=Network.BLUESKY,
            source=SOURCE,
            external_id=uri,
            author_handle=handle,
            display_name=handle,
            text=str(record.text),
            created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
            url=web_url(uri, handle),
            reply_to=parent.uri if parent is not None else None,
        )


class Firehose:
    """A `subscribeRepos` stream on a thread of its own, from `cursor` (None: from now)."""

    def __init__(self, base_uri: str, cursor: int | None, on_frame: Callable[[Any], None]) -> None:
        params = models.ComAtprotoSyncSubscribeRepos.Params(cursor=cursor) if cursor else None
        self._client = FirehoseSubscribeReposClient(params, base_uri=base_uri)
        self._on_frame = on_frame
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="firehose")

    def start(self) -> Firehose:
        """Begin reading."""
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._client.start(self._on_frame, self._note_error)
        except BaseException as error:  # the thread must say why it ended, not die silently
            self.error = error

    def _note_error(self, error: BaseException) -> None:
        self.error = error

    def is_alive(self) -> bool:
        """False once the stream has ended."""
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop reading and wait for the thread."""
        self._client.stop()
        self._thread.join(timeout=10)
