"""A bridge's health carries the rate-limit budget the network's last answer left (Mastodon
`X-RateLimit-Remaining`, X `x-rate-limit-remaining`), read by the follower and by our posts."""

from __future__ import annotations

from bridge_support import live_chat, outbound_worker, wait_for
from mastodon_server import RATE_LIMIT, TOKEN, LocalMastodon

from hashchat.actions import bridges
from hashchat.actions.chats import do_next_question
from hashchat.actions.context import AppContext
from hashchat.actions.views import UserView
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner


def _budget(ctx: AppContext, host: UserView) -> int | None:
    return bridges.bridges_of_series(ctx, host, "EduChat")[0].rate_limit_remaining


def test_the_mastodon_budget_left_is_in_the_health(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    assert _budget(ctx, host) is None  # nothing said yet
    outbound = outbound_worker(ctx)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()  # our posts' answers carry the header too
    after_posting = _budget(ctx, host)
    assert after_posting == mastodon.state.remaining
    runner = BridgeRunner(ctx, name="health")
    runner.tick()
    try:
        wait_for(lambda: (_budget(ctx, host) or RATE_LIMIT) < (after_posting or 0))
    finally:
        runner.close()
    left = _budget(ctx, host)
    assert left is not None
    assert mastodon.state.remaining <= left < RATE_LIMIT


def test_the_x_budget_left_is_in_the_health(ctx: AppContext, host: UserView) -> None:
    from x_server import GOOD_KEY, LocalX

    from hashchat.bridges.x import XAccount

    x = LocalX.start()
    try:
        keys = {"api_key": GOOD_KEY, "api_secret": "s", "access_token": "t"}
        keys["access_token_secret"] = "ts"
        bridges.do_connect_bridge(
            ctx,
            host,
            "EduChat",
            "x",
            keys,
            lambda network, values: XAccount(values, x.session()).verify(),
        )
        live_chat(ctx, host)
        runner = BridgeRunner(ctx, name="health")
        runner.x_session = x.session()
        runner.tick()
        try:
            wait_for(lambda: _budget(ctx, host) is not None)
        finally:
            runner.close()
        assert _budget(ctx, host) == x.search_budget < 180
    finally:
        x.stop()
