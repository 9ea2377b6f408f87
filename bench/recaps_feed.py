"""The recaps Atom feed with stored summaries against rebuilding every transcript per request.

`.venv/bin/python bench/recaps_feed.py [--chats 12] [--posts 300] [--requests 10]`: a series
with N closed chats of M posts each, seeded through the actions on a temporary SQLite file;
the feed requested in-process (httpx ASGI transport). Baseline in the same run: the per-request
work the feed did before (`transcript_of` for every past chat). Prints milliseconds per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import (
    do_close_chat,
    do_create_chat,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.posts import do_create_post
from hashchat.actions.recap import transcript_of
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import ChatRow
from hashchat.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=12)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'feed.sqlite3'}"
        upgrade(url)
        clock = [datetime(2026, 11, 1, 16, 0, tzinfo=UTC)]
        app = create_app(
            Settings(
                database_url=url,
                cookie_secure=False,
                clock=lambda: clock[0],
                post_rate=RateLimit(10**9, 1.0),
            )
        )
        ctx = app.state.ctx
        host = do_register(ctx, "benchhost", "correct horse battery")
        people = [do_register(ctx, f"p{n}", "correct horse battery") for n in range(10)]
        do_create_series(ctx, host, "Feed", "Feed bench", "UTC", "plain", 500, "")
        for person in people:
            do_add_member(ctx, host, "Feed", person.name, "participant")
        chat_ids = []
        for number in range(args.chats):
            chat = do_create_chat(
                ctx, host, "Feed", f"Chat {number}", clock[0] + timedelta(hours=1), 60, ["A?", "B?"]
            )
            do_start_chat(ctx, host, chat.id)
            do_next_question(ctx, host, chat.id)
            for post in range(args.posts):
                do_create_post(ctx, people[post % 10], chat.id, f"A1 answer {post} #Feed")
            do_end_chat(ctx, host, chat.id)
            do_close_chat(ctx, host, chat.id)
            chat_ids.append(chat.id)
            clock[0] += timedelta(days=7)

        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")

        def feed_ms() -> float:
            started = time.perf_counter()
            response = asyncio.run(client.get("/series/Feed/recaps.atom"))
            assert response.status_code == 200
            return (time.perf_counter() - started) * 1000

        first = feed_ms()  # fills recap_summaries
        stored = [feed_ms() for _ in range(args.requests)]

        def rebuild_ms() -> float:
            started = time.perf_counter()
            with ctx.store.read() as session:
                for chat_id in chat_ids:
                    row = session.get(ChatRow, chat_id)
                    assert row is not None
                    transcript_of(session, row)
            return (time.perf_counter() - started) * 1000

        rebuilt = [rebuild_ms() for _ in range(args.requests)]
        ctx.store.dispose()
    print(f"{args.chats} closed chats × {args.posts} posts, {args.requests} requests")
    print(f"first request (computes and stores): {first:.1f} ms")
    print(f"feed with stored summaries: median {statistics.median(stored):.1f} ms")
    print(f"baseline, transcripts rebuilt alone: median {statistics.median(rebuilt):.1f} ms")
    print(f"ratio baseline / stored: {statistics.median(rebuilt) / statistics.median(stored):.1f}×")


if __name__ == "__main__":
    main()
