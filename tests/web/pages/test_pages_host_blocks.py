"""The host console lists the people blocked from the series, each with an Unblock button that
posts a CSRF-protected form; the block is lifted through the same action as the API's."""

from __future__ import annotations

from pages_support import World, client_for, csrf_of

from hashchat.actions.moderation import do_block_user, list_blocked


def test_host_console_unblocks_through_a_form(world: World) -> None:
    do_block_user(world.ctx, world.host, "KaizenBiz", "reader")
    cohost = client_for(world, "leanlaura")
    console = cohost.get(f"/chats/{world.chat_id}/host").text
    path = f"/chats/{world.chat_id}/host/unblock"
    assert f'action="{path}"' in console
    assert "Unblock @reader" in console
    without_token = cohost.post(path, data={"user": "reader"})
    assert without_token.status_code == 403
    assert list_blocked(world.ctx, "KaizenBiz") == ["reader"]
    done = cohost.post(path, data={"user": "reader", "csrf_token": csrf_of(console)})
    assert done.status_code == 303
    after = cohost.get(done.headers["location"]).text
    assert "Block lifted" in after
    assert "Unblock @reader" not in after
    assert list_blocked(world.ctx, "KaizenBiz") == []


def test_a_reader_cannot_unblock_through_the_console_route(world: World) -> None:
    do_block_user(world.ctx, world.host, "KaizenBiz", "reader")
    reader = client_for(world, "reader")
    token = csrf_of(reader.get("/settings").text)
    refused = reader.post(
        f"/chats/{world.chat_id}/host/unblock", data={"user": "reader", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert list_blocked(world.ctx, "KaizenBiz") == ["reader"]
