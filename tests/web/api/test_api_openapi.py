"""/openapi.json documents every endpoint of the API contract, with response models."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio

CONTRACT = {
    ("post", "/api/v1/series"),
    ("get", "/api/v1/series/{tag}"),
    ("post", "/api/v1/series/{tag}/members"),
    ("post", "/api/v1/series/{tag}/chats"),
    ("post", "/api/v1/series/{tag}/blocks"),
    ("delete", "/api/v1/series/{tag}/blocks/{user}"),
    ("delete", "/api/v1/series/{tag}/members/{user}"),
    ("get", "/api/v1/chats/{chat_id}"),
    ("post", "/api/v1/chats/{chat_id}/start"),
    ("post", "/api/v1/chats/{chat_id}/next-question"),
    ("post", "/api/v1/chats/{chat_id}/end"),
    ("post", "/api/v1/chats/{chat_id}/close"),
    ("patch", "/api/v1/chats/{chat_id}/questions/{number}"),
    ("post", "/api/v1/chats/{chat_id}/posts"),
    ("get", "/api/v1/chats/{chat_id}/posts"),
    ("post", "/api/v1/posts/{post_id}/hide"),
    ("post", "/api/v1/posts/{post_id}/spotlight"),
    ("get", "/api/v1/chats/{chat_id}/recap"),
    ("get", "/api/v1/chats/{chat_id}/events"),
    # Issue 9: series setup and scheduling.
    ("patch", "/api/v1/series/{tag}"),
    ("get", "/api/v1/series/{tag}/people"),
    ("get", "/api/v1/series/{tag}/schedules"),
    ("post", "/api/v1/series/{tag}/schedules"),
    ("post", "/api/v1/series/{tag}/schedules/{schedule_id}/stop"),
    ("post", "/api/v1/chats/{chat_id}/skip"),
    ("post", "/api/v1/chats/{chat_id}/move"),
    # Issue 9: a chat's framing, questions, plan, closing time; undo a hide.
    ("patch", "/api/v1/chats/{chat_id}"),
    ("get", "/api/v1/chats/{chat_id}/plan"),
    ("post", "/api/v1/chats/{chat_id}/questions"),
    ("delete", "/api/v1/chats/{chat_id}/questions/{number}"),
    ("put", "/api/v1/chats/{chat_id}/question-order"),
    ("put", "/api/v1/chats/{chat_id}/comments-close"),
    ("post", "/api/v1/posts/{post_id}/unhide"),
    # Issue 11: bridges to other networks, and blocking a network handle.
    ("post", "/api/v1/series/{tag}/bridges"),
    ("get", "/api/v1/series/{tag}/bridges"),
    ("delete", "/api/v1/series/{tag}/bridges/{bridge_id}"),
    ("post", "/api/v1/series/{tag}/network-blocks"),
    ("get", "/api/v1/series/{tag}/network-blocks"),
    ("delete", "/api/v1/series/{tag}/network-blocks/{network}/{handle}"),
    # Issue 11: a person's own network accounts, for cross-posting her answers.
    ("post", "/api/v1/me/networks"),
    ("get", "/api/v1/me/networks"),
    ("delete", "/api/v1/me/networks/{network_id}"),
    # Issue 10: an archive uploaded into a series.
    ("post", "/api/v1/series/{tag}/imports"),
    # Issue 13: insights.
    ("get", "/api/v1/series/{tag}/insights"),
    ("get", "/api/v1/chats/{chat_id}/insights"),
    ("put", "/api/v1/series/{tag}/insights/settings"),
    # Issue 12: the host's blog.
    ("post", "/api/v1/series/{tag}/blog"),
    ("get", "/api/v1/series/{tag}/blog"),
    ("delete", "/api/v1/series/{tag}/blog"),
    ("post", "/api/v1/chats/{chat_id}/blog/announce"),
}


async def test_openapi_documents_the_whole_contract(api: Any) -> None:
    schema = (await api.client.get("/openapi.json")).json()
    documented = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith("/api/v1")
    }
    assert documented == CONTRACT
    post = schema["paths"]["/api/v1/chats/{chat_id}/posts"]["post"]["responses"]
    assert {"201", "403", "422", "429"} <= set(post)
    assert "PostOut" in str(post["201"])
    events = schema["paths"]["/api/v1/chats/{chat_id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert "Last-Event-ID" in events["description"]
