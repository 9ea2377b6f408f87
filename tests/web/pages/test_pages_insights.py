"""/series/{tag}/insights: every figure beside its definition, charts as SVG with a title and a
data table, PNG downloads, the self-contained report, names and the settings form for hosts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from pages_support import PageClient, csrf_of

from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app
from insights_support import hand_made_series

PASSWORD = "correct horse battery"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 1, 9, 17, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    upgrade(url)
    clock = Clock()
    settings = Settings(
        database_url=url,
        cookie_secure=False,
        clock=clock,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    app = create_app(settings)
    hand_made_series(app.state.ctx, clock)
    yield app
    app.state.ctx.store.dispose()


def _logged_in(app: FastAPI, name: str) -> PageClient:
    client = PageClient(app)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    return client


def test_the_page_shows_figures_with_definitions_and_charts(app: FastAPI) -> None:
    page = PageClient(app).get("/series/KaizenBiz/insights")
    assert page.status_code == 200
    html = page.text
    assert "participation held: between 3 and 3 over the last 2 chats" in html
    assert "People who wrote at least one visible post in the chat" in html
    assert "Answer segments: a post answering A1 and A2 counts two" in html
    assert "n is small" in html
    assert "Regulars (shown to hosts only)" not in html
    assert 'name="return_k"' not in html
    charts = re.findall(r'<img src="(/series/KaizenBiz/insights/charts/\w+\.svg)"', html)
    assert len(charts) == 4
    assert html.count("Download PNG") == 4
    assert html.count("<details><summary>") == 4
    svg = PageClient(app).get(charts[2])
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "script-src" not in svg.headers["content-security-policy"]
    assert '<title id="participants-title">Participants per chat: returning and new</title>' in (
        svg.text
    )
    assert "<desc" in svg.text
    png = PageClient(app).get(charts[0].replace(".svg", ".png"))
    assert png.content.startswith(b"\x89PNG")
    assert "KaizenBiz-activity.png" in png.headers["content-disposition"]
    assert PageClient(app).get("/series/KaizenBiz/insights/charts/nope.svg").status_code == 404


def test_hosts_see_names_and_set_thresholds(app: FastAPI) -> None:
    client = _logged_in(app, "coach")
    html = client.get("/series/KaizenBiz/insights").text
    assert "Regulars (shown to hosts only)" in html
    assert "@tradietom on x, Ann (@ann)" in html
    form = {
        "csrf_token": csrf_of(html),
        "return_k": "1",
        "return_n": "4",
        "trend_run": "3",
        "tumbleweed_participants": "4",
        "tumbleweed_network_people": "2",
    }
    saved = client.post("/series/KaizenBiz/insights/settings", data=form)
    assert saved.status_code == 303
    after = client.get("/series/KaizenBiz/insights").text
    assert "3 participants, below 4" in after
    bad = client.post("/series/KaizenBiz/insights/settings", data={**form, "return_k": "x"})
    assert bad.status_code == 422
    reader = _logged_in(app, "ann")
    refused = reader.post(
        "/series/KaizenBiz/insights/settings",
        data={**form, "csrf_token": csrf_of(reader.get("/series/KaizenBiz/insights").text)},
    )
    assert refused.status_code == 403
    no_token = client.post("/series/KaizenBiz/insights/settings", data={**form, "csrf_token": ""})
    assert no_token.status_code == 403


def test_the_report_download_is_self_contained(app: FastAPI) -> None:
    response = PageClient(app).get("/series/KaizenBiz/insights/report.html")
    assert response.status_code == 200
    html = response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "People who wrote at least one visible post" in html
    assert "@tradietom" not in html  # names are for hosts


def test_unknown_series_is_a_404_page(app: FastAPI) -> None:
    response = PageClient(app).get("/series/NoSuch/insights")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
