"""Through the stack's nginx, the app counts per-address limits by the real peer: a client
that rotates X-Forwarded-For gets no fresh bucket (nginx sets the header, the app believes only
its nginx: HASHCHAT_TRUSTED_PROXIES=127.0.0.1 from `hashchat stack up`)."""

from __future__ import annotations

import secrets

import httpx
import pytest
from stack_support import Stack

from hashchat.settings import Settings

pytestmark = [pytest.mark.pg, pytest.mark.redis]


def test_rotating_forwarded_for_through_nginx_does_not_bypass_the_address_limit(
    stack: Stack,
) -> None:
    limit = Settings().register_rate.count  # the stack runs with the default
    statuses = []
    with httpx.Client(base_url=stack.front, timeout=30) as client:
        for n in range(limit + 2):
            token = secrets.token_urlsafe(16)
            response = client.post(
                "/register",
                data={"name": f"rotator{n}", "password": "rotating password", "csrf_token": token},
                headers={
                    "Cookie": f"hashchat_csrf={token}",
                    "X-Forwarded-For": f"198.51.100.{n}",
                },
                follow_redirects=False,
            )
            client.cookies.clear()
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) >= 1
    assert statuses == [303] * limit + [429] * 2
