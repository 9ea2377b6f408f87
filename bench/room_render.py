"""The room with 2,000 posts in Chromium: navigation timing of the server-rendered page.

Seeds a chat (20 people, 6 questions, 2,000 posts with some replies) through the actions on a
temporary SQLite file, serves it with uvicorn on 127.0.0.1, opens /chats/{id} five times in
Debian's Chromium and prints domInteractive and domContentLoadedEventEnd (ms): best and median.
Target: interactive in under 1 s.

    .venv/bin/python bench/room_render.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

POSTS = 2000
RUNS = 5
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hashchat-bench-"))
    url = f"sqlite:///{folder / 'room.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, cookie_secure=False, post_rate=RateLimit(10**6, 1)))
    ctx = app.state.ctx
    host = do_register(ctx, "benchhost", "bench password")
    people = [do_register(ctx, f"person{n}", "bench password") for n in range(20)]
    do_create_series(ctx, host, "BenchChat", "Bench", "UTC", "x", 280, "")
    chat = do_create_chat(
        ctx,
        host,
        "BenchChat",
        "2,000 posts",
        ctx.now() + timedelta(minutes=1),
        60,
        [f"Question {n}?" for n in range(1, 7)],
    )
    do_start_chat(ctx, host, chat.id)
    started = time.perf_counter()
    last_ids: list[int] = []
    for n in range(POSTS):
        if n % (POSTS // 6) == 0 and n // (POSTS // 6) < 6:
            do_next_question(ctx, host, chat.id)
        reply_to = last_ids[-3] if n % 7 == 0 and len(last_ids) > 3 else None
        post = do_create_post(
            ctx, people[n % 20], chat.id, f"Answer number {n} about small wins", reply_to, auto=True
        )
        last_ids.append(post.id)
    print(f"seeded {POSTS} posts in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    interactive: list[float] = []
    loaded: list[float] = []
    size = 0
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(RUNS + 1):  # the first run warms caches and is not counted
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/chats/{chat.id}", wait_until="domcontentloaded")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domInteractive, n.domContentLoadedEventEnd, n.transferSize]; }"
            )
            posts_shown = page.locator("li.post").count()
            assert posts_shown >= POSTS, posts_shown  # plus the host's welcome
            interactive.append(timing[0])
            loaded.append(timing[1])
            size = timing[2]
            page.close()
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)
    interactive, loaded = interactive[1:], loaded[1:]
    print(f"room with {POSTS} posts, {size / 1024:.0f} KiB, {RUNS} runs in Chromium:")
    print(
        f"  domInteractive            best {min(interactive):6.0f} ms  median "
        f"{statistics.median(interactive):6.0f} ms"
    )
    print(
        f"  domContentLoadedEventEnd  best {min(loaded):6.0f} ms  median "
        f"{statistics.median(loaded):6.0f} ms"
    )


if __name__ == "__main__":
    main()
