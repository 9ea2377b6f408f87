"""nchan keeping its channels in Redis: a restarted nginx still resumes viewers exactly."""

from __future__ import annotations

import time

import httpx
import pytest
from sse_viewer import Viewer
from stack_support import PUBLISH_SPACING, Stack, new_chat, start_nginx, stop_nginx

pytestmark = [pytest.mark.pg, pytest.mark.redis]


def test_resume_after_an_nginx_restart_comes_from_redis(redis_stored_stack: Stack) -> None:
    stack = redis_stored_stack
    chat_id = new_chat(stack, ["One?"], "RedisStored")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    posts = f"{stack.front}/api/v1/chats/{chat_id}/posts"
    for n in range(4):
        reply = httpx.post(posts, json={"text": f"A1 kept {n}"}, headers=stack.auth, timeout=10)
        assert reply.status_code == 201
        # Wider apart than the publisher's pacing: one nchan message each, so the resume
        # point below usually ends a message (inside one the app answers the rest first).
        time.sleep(PUBLISH_SPACING)
    viewer = Viewer(f"{stream}?after=0")  # from the chat's start (none: from the present)
    try:
        seen = viewer.wait_for(
            lambda ev: sum("kept" in e.data.get("text", "") for e in ev) == 4, 10
        )
    finally:
        viewer.close()
    middle = seen[len(seen) // 2].id
    stop_nginx(stack)
    start_nginx(stack)
    # Inside a message (posts batched on a slow box), the app answers the rest first.
    resumed = Viewer(stream, {"Last-Event-ID": str(middle)}, reconnect=True)
    try:
        got = resumed.wait_for(lambda ev: len(ev) >= len(seen) - len(seen) // 2 - 1, 15)
    finally:
        resumed.close()
    # Memory storage would have lost the buffer (resync); Redis storage still has it.
    assert [e.id for e in got] == [e.id for e in seen if e.id is not None and e.id > middle]
