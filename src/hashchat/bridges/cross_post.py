"""A participant's answer cross-posted through her own account (issue 11): the outbox consumer
`cross_posts`.

A post written in the room with `cross_post: ["mastodon", …]` has its requests recorded with
it (`actions.person_networks`); its `post` event reaches this consumer, which posts the text
through HER connected account (never a series bridge's), with the series hashtag as a real tag
(a Mastodon tag, a Bluesky facet), threaded under the chat's opening post on that network when
a series bridge posted one, and records the copy's identity. A failure raises, so the outbox
retries the delivery with its back-off; each cross-post is done once (a retried delivery finds
it done). Publishing and recording hold the bridges' `OWN_POSTS` lock, so a series bridge of
this process that reads the copy back from the tag at once already knows it as the room's post.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from hashchat.actions import person_networks as actions
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import OutboxMessage, register_consumer, register_handler
from hashchat.actions.person_networks import CrossPostWork, Opening
from hashchat.bridges import bluesky, mastodon
from hashchat.bridges.errors import BridgeError

logger = logging.getLogger(__name__)

CONSUMER = "cross_posts"


def deliver(ctx: AppContext, message: OutboxMessage) -> None:
    """Do the pending cross-posts of the post a `post` event is about."""
    if message.type != "post" or not isinstance(message.data, Mapping):
        return
    post_id = message.data.get("id")
    if not isinstance(post_id, int):
        return
    from hashchat.bridges.runner import OWN_POSTS

    failures: list[str] = []
    for work in actions.pending_cross_posts(ctx, post_id):
        try:
            with OWN_POSTS:
                source, external_id, url = _post(
                    work, actions.chat_openings(ctx, work.chat_id, work.network)
                )
                actions.record_cross_posted(ctx, work.id, source, external_id, url)
        except BridgeError as error:
            actions.record_cross_post_error(ctx, work.id, error.reason)
            failures.append(f"{work.network}: {error.reason}")
    if failures:  # the outbox retries the delivery; the done ones are not posted again
        raise RuntimeError("; ".join(failures))


def _post(work: CrossPostWork, openings: list[Opening]) -> tuple[str, str, str | None]:
    if work.network == "mastodon":
        return _post_mastodon(work, openings)
    if work.network == "bluesky":
        return _post_bluesky(work, openings)
    raise BridgeError(f"cross-posting to {work.network} is not built")


def _post_mastodon(work: CrossPostWork, openings: list[Opening]) -> tuple[str, str, str | None]:
    account = mastodon.MastodonAccount(work.settings["instance"], work.credentials["access_token"])
    parent = _mastodon_parent(account, openings)
    posted = account.post(actions.with_tag(work.text, work.tag), in_reply_to=parent)
    return account.domain, posted.external_id, posted.url


def _mastodon_parent(account: mastodon.MastodonAccount, openings: list[Opening]) -> str | None:
    """The opening post's id as her instance knows it: the bridge's own id on the same
    instance; elsewhere her instance looks the post up by its address (`resolve`); none
    found, her copy is posted unthreaded rather than not at all."""
    for opening in openings:
        if opening.source == account.domain:
            return opening.external_id
    for opening in openings:
        if not opening.url:
            continue
        try:
            found: Any = account.client.search_v2(opening.url, resolve=True, result_type="statuses")
        except Exception as error:  # any refusal: unthreaded
            logger.info("cross-post: opening not found on %s: %s", account.domain, error)
            continue
        statuses = found.get("statuses") if isinstance(found, Mapping) else None
        if statuses:
            return str(statuses[0]["id"])
    return None


def _post_bluesky(work: CrossPostWork, openings: list[Opening]) -> tuple[str, str, str | None]:
    with bluesky.BlueskyAccount(
        work.settings.get("service", "https://bsky.social"),
        work.settings["handle"],
        work.credentials["app_password"],
    ) as account:
        account.verify()
        parent = _bluesky_parent(account, openings)
        posted = account.post(work.text, work.tag, (parent, parent) if parent else None)
    return bluesky.SOURCE, posted.external_id, posted.url


def _bluesky_parent(
    account: bluesky.BlueskyAccount, openings: list[Opening]
) -> bluesky.Posted | None:
    """The opening post's strong ref (URI and CID; a URI names it on the whole network)."""
    for opening in openings:
        repo, _, rkey = opening.external_id.removeprefix("at://").partition(
            f"/{bluesky.POST_COLLECTION}/"
        )
        try:
            record = account.client.com.atproto.repo.get_record(
                {"repo": repo, "collection": bluesky.POST_COLLECTION, "rkey": rkey}
            )
        except Exception as error:  # not reachable from her PDS: unthreaded
            logger.info("cross-post: opening %s not readable: %s", opening.external_id, error)
            continue
        return bluesky.Posted(opening.external_id, str(record.cid), opening.url)
    return None


def register_cross_posts(ctx: AppContext) -> None:
    """Serve the `cross_posts` outbox consumer in this process's runner."""
    register_consumer(ctx, CONSUMER)
    register_handler(CONSUMER, lambda message: deliver(ctx, message))
