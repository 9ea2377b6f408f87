"""Login and registration throttling through the real app served by uvicorn as `hashchat serve`
runs it (UVICORN_OPTIONS), hit by many threads at once, with the buckets in this process and in
a real Redis; and X-Forwarded-For believed only from HASHCHAT_TRUSTED_PROXIES."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
import pytest
import uvicorn

from hashchat.actions.accounts import do_register
from hashchat.actions.context import AppContext, RateLimiters
from hashchat.actions.limits import RedisTokenBuckets
from hashchat.assembly import UVICORN_OPTIONS, build_context
from hashchat.live.redis_client import connect
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

PASSWORD = "correct horse battery"
LOGIN_LIMIT = RateLimit(10, 300.0)
REGISTER_LIMIT = RateLimit(5, 600.0)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(ctx: AppContext) -> Iterator[str]:
    """The app on a real socket, run by uvicorn with the options `hashchat serve` uses."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(context=ctx), host="127.0.0.1", port=port, log_level="warning", **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Site:
    url: str
    ctx: AppContext
    clock: Clock
    # Shared by the threads; keeps no cookies, so every request is a fresh anonymous browser.
    http: httpx.Client = field(
        default_factory=lambda: httpx.Client(
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            timeout=60,
            limits=httpx.Limits(max_connections=100),
        )
    )

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def form(
        self, path: str, fields: dict[str, str], forwarded_for: str | None = None
    ) -> httpx.Response:
        """POST a form as a fresh anonymous browser (its own CSRF cookie and field)."""
        token = secrets.token_urlsafe(16)
        headers = {"Cookie": f"hashchat_csrf={token}"}
        if forwarded_for is not None:
            headers["X-Forwarded-For"] = forwarded_for
        return self.http.post(
            self.url + path,
            data={**fields, "csrf_token": token},
            headers=headers,
        )

    def login(self, name: str, password: str, forwarded_for: str | None = None) -> httpx.Response:
        return self.form("/login", {"name": name, "password": password}, forwarded_for)

    def register(self, name: str, forwarded_for: str | None = None) -> httpx.Response:
        return self.form("/register", {"name": name, "password": PASSWORD}, forwarded_for)


SiteFactory = Callable[..., AbstractContextManager[Site]]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> SiteFactory:
    """A factory: `with site(**settings) as s:` serves a fresh app on a fresh SQLite file,
    its buckets in this process or in Redis (under a name of its own)."""

    @contextmanager
    def start(**overrides: object) -> Iterator[Site]:
        url = f"sqlite:///{tmp_path / f'throttle-{uuid.uuid4().hex}.sqlite3'}"
        upgrade(url)
        clock = Clock()
        settings = Settings(
            database_url=url,
            clock=clock,
            cookie_secure=False,
            login_failure_rate=LOGIN_LIMIT,
            register_rate=REGISTER_LIMIT,
            argon2_time_cost=2,
            argon2_memory_kib=8192,
            **overrides,  # type: ignore[arg-type]
        )
        ctx = build_context(settings)
        if request.param == "redis":
            client = connect(request.getfixturevalue("redis_url"))
            name = uuid.uuid4().hex
            limits = RateLimiters(
                posts=RedisTokenBuckets(settings.post_rate, client, f"posts-{name}"),
                login_failures=RedisTokenBuckets(LOGIN_LIMIT, client, f"logins-{name}"),
                registrations=RedisTokenBuckets(REGISTER_LIMIT, client, f"registrations-{name}"),
            )
            ctx = replace(ctx, limits=limits)
        try:
            with serving(ctx) as base, Site(base, ctx, clock) as running:
                yield running
        finally:
            ctx.store.dispose()

    return start


def _at_once(count: int, attempt: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_100_concurrent_wrong_passwords_reach_at_most_10_password_checks(
    site: SiteFactory,
) -> None:
    with site() as s:
        do_register(s.ctx, "victim", PASSWORD)
        answers = _at_once(100, lambda _: s.login("victim", "wrong password"))
        statuses = [a.status_code for a in answers]
        assert statuses.count(401) <= LOGIN_LIMIT.count, statuses  # 401: a real check failed
        assert statuses.count(401) + statuses.count(429) == 100
        for answer in answers:
            if answer.status_code == 429:
                wait = int(answer.headers["Retry-After"])
                assert 1 <= wait <= LOGIN_LIMIT.per_seconds
                assert "too many failed logins" in answer.text
        # locked now, even with the right password
        locked = s.login("victim", PASSWORD)
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["Retry-After"]) <= LOGIN_LIMIT.per_seconds


def test_a_locked_name_opens_again_within_the_window_however_hard_it_is_hammered(
    site: SiteFactory,
) -> None:
    with site() as s:
        do_register(s.ctx, "victim", PASSWORD)
        for _ in range(LOGIN_LIMIT.count):
            assert s.login("victim", "wrong password").status_code == 401
        start = s.clock.now
        refill = LOGIN_LIMIT.per_seconds / LOGIN_LIMIT.count  # one attempt comes back per 30 s
        for second in range(0, int(refill), 3):  # refused attempts all through the wait
            s.clock.now = start + timedelta(seconds=second)
            answers = _at_once(10, lambda _: s.login("victim", "wrong password"))
            assert {a.status_code for a in answers} == {429}
            assert {int(a.headers["Retry-After"]) for a in answers} == {int(refill) - second}
        s.clock.now = start + timedelta(seconds=refill)
        assert s.login("victim", PASSWORD).status_code == 303  # the owner is let in
        s.clock.now = start + timedelta(seconds=LOGIN_LIMIT.per_seconds)
        assert s.login("victim", PASSWORD).status_code == 303


def test_registration_is_throttled_per_address(site: SiteFactory) -> None:
    with site() as s:
        answers = _at_once(25, lambda n: s.register(f"newcomer{n}"))
        statuses = [a.status_code for a in answers]
        assert statuses.count(303) == REGISTER_LIMIT.count, statuses
        assert statuses.count(429) == 25 - REGISTER_LIMIT.count
        refused = next(a for a in answers if a.status_code == 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= REGISTER_LIMIT.per_seconds
        assert "too many new accounts" in refused.text
        s.clock.now += timedelta(seconds=REGISTER_LIMIT.per_seconds / REGISTER_LIMIT.count)
        assert s.register("latecomer").status_code == 303


def test_rotating_forwarded_for_from_an_untrusted_peer_changes_nothing(
    site: SiteFactory,
) -> None:
    with site() as s:
        # a different name each time, so that only the per-address bucket can stop them
        statuses = [
            s.login(f"guess{n}", "wrong password", forwarded_for=f"198.51.100.{n}").status_code
            for n in range(LOGIN_LIMIT.count + 5)
        ]
        assert statuses == [401] * LOGIN_LIMIT.count + [429] * 5
        registered = [
            s.register(f"bot{n}", forwarded_for=f"203.0.113.{n}").status_code
            for n in range(REGISTER_LIMIT.count + 1)
        ]
        assert registered == [303] * REGISTER_LIMIT.count + [429]


def test_a_trusted_proxys_forwarded_for_names_the_client(site: SiteFactory) -> None:
    with site(trusted_proxies=("127.0.0.0/8",)) as s:
        first = [
            s.register(f"alice{n}", forwarded_for="203.0.113.7").status_code
            for n in range(REGISTER_LIMIT.count + 1)
        ]
        assert first == [303] * REGISTER_LIMIT.count + [429]
        # another client behind the same proxy has her own bucket
        assert s.register("bob", forwarded_for="203.0.113.8").status_code == 303
        # a client cannot prepend an address: the proxy's own entry (rightmost) counts
        spoofed = s.register("carol", forwarded_for="192.0.2.1, 203.0.113.7")
        assert spoofed.status_code == 429
