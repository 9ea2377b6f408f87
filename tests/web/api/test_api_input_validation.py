"""Input refused at the API door: look-alike tags (409 naming the tag they imitate), dates
outside the window, control characters in one-line fields, and names that are not IANA time
zones; aliases are stored by their canonical name (issue 8, points 11, 13, 14 and 18)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hashchat.actions.accounts import do_register, do_update_profile
from hashchat.actions.errors import ActionError, ConflictError, InvalidInputError
from hashchat.actions.series import do_create_series

pytestmark = pytest.mark.anyio

LOOKALIKES = [
    "KaizenBız",  # dotless i
    "KaizenВiz",  # Cyrillic Ve
    "ＫaizenBiz",  # full-width K
    "Kaizen𝐁iz",  # mathematical bold B
    "KaіzenBiz",  # Cyrillic i
    "KAIZENBIZ",
    "KaizenBlz",  # l for I, as KaizenBIz is the same tag
    "Ｋａｉｚｅｎ\uff22ｉｚ",
]
CONTROLS = ["\n", "\r", "\x0b", "\x0c", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\t"]
EDGE_TIMES = [
    "9999-12-31T22:00:00Z",
    "9999-12-31T23:30:00Z",
    "0001-01-01T00:00:00+14:00",
    "1969-12-31T23:59:00Z",
    "2200-01-01T00:01:00Z",
]
NOT_ZONES = [
    "localtime",
    "Factory",
    "posixrules",
    "../etc",
    "/etc/localtime",
    "right/UTC",
    "posix/UTC",
]


@pytest.mark.parametrize("tag", LOOKALIKES)
async def test_a_look_alike_tag_is_refused_naming_the_original(api: Any, tag: str) -> None:
    host = api.person("host")
    await api.series(host, "KaizenBiz")
    response = await api.call(
        host, "POST", "/series", json={"tag": tag, "title": "t", "timezone": "UTC"}
    )
    assert response.status_code == 409, response.text
    assert "#KaizenBiz" in response.json()["detail"]


async def test_tags_are_kept_in_nfkc_and_found_by_any_case_or_width(api: Any) -> None:
    host = api.person("host")
    created = await api.series(host, "ＫａｉｚｅｎＢｉｚ")
    assert created["tag"] == "KaizenBiz"
    for spelling in ("kaizenbiz", "ＫaizenBiz", "KAIZENBIZ"):
        assert (await api.call(None, "GET", f"/series/{spelling}")).status_code == 200
    other = await api.call(
        host, "POST", "/series", json={"tag": "KaizenBizz", "title": "t", "timezone": "UTC"}
    )
    assert other.status_code == 201


async def test_look_alikes_created_at_once_leave_one_series(api: Any) -> None:
    ctx = api.ctx
    owners = [
        do_register(ctx, f"owner{n}", "correct horse battery") for n in range(len(LOOKALIKES))
    ]

    def create(pair: tuple[Any, str]) -> str:
        try:
            do_create_series(ctx, pair[0], pair[1], "t", "UTC")
        except ConflictError:
            return "conflict"
        return "created"

    with ThreadPoolExecutor(len(LOOKALIKES)) as pool:
        outcomes = list(pool.map(create, zip(owners, LOOKALIKES, strict=True)))
    assert sorted(outcomes) == ["conflict"] * (len(LOOKALIKES) - 1) + ["created"]


@pytest.mark.parametrize("starts_at", EDGE_TIMES)
async def test_chat_dates_outside_the_window_get_422(api: Any, starts_at: str) -> None:
    host = api.person("host")
    await api.series(host)
    body = {"title": "t", "starts_at": starts_at, "duration_minutes": 60, "questions": ["Q?"]}
    response = await api.call(host, "POST", "/series/KaizenBiz/chats", json=body)
    assert response.status_code == 422, response.text
    assert "1970-01-01 and 2200-01-01" in response.json()["detail"]


@pytest.mark.parametrize("closes_at", EDGE_TIMES)
async def test_end_with_a_close_outside_the_window_gets_422(api: Any, closes_at: str) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    response = await api.call(
        host, "POST", f"/chats/{chat['id']}/end", json={"comments_close_at": closes_at}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("field", ["title", "question", "tag", "timezone"])
async def test_one_line_fields_refuse_control_characters(
    api: Any, field: str, control: str
) -> None:
    host = api.person("host")
    await api.series(host)
    text = f"Small{control}wins"
    if field in ("tag", "timezone"):
        body = {"tag": "Other", "title": "t", "timezone": "UTC"}
        body[field] = text if field == "tag" else f"Europe/{control}London"
        response = await api.call(host, "POST", "/series", json=body)
    else:
        body = {
            "title": text if field == "title" else "t",
            "starts_at": "2026-02-01T17:00:00Z",
            "duration_minutes": 60,
            "questions": [text if field == "question" else "Q?"],
        }
        response = await api.call(host, "POST", "/series/KaizenBiz/chats", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert field.replace("tag", "hashtag").replace("timezone", "time zone") in detail or (
        field == "question" and "question 1" in detail
    ), detail


@pytest.mark.parametrize("control", CONTROLS)
async def test_series_title_refuses_and_description_keeps_only_line_breaks(
    api: Any, control: str
) -> None:
    host = api.person("host")
    refused = await api.call(
        host, "POST", "/series", json={"tag": "T1", "title": f"a{control}b", "timezone": "UTC"}
    )
    assert refused.status_code == 422
    assert "title" in refused.json()["detail"]
    described = await api.call(
        host,
        "POST",
        "/series",
        json={"tag": "T2", "title": "t", "timezone": "UTC", "description": f"a{control}b"},
    )
    if control in ("\n", "\r", "\t"):
        assert described.status_code == 201
        assert described.json()["description"] == f"a{control}b".replace("\r", "\n")
    else:
        assert described.status_code == 422
        assert "description" in described.json()["detail"]


@pytest.mark.parametrize("control", CONTROLS)
def test_display_names_refuse_control_characters(ctx: Any, control: str) -> None:
    with pytest.raises(InvalidInputError, match="display name"):
        do_register(ctx, "someone", "correct horse battery", f"Some{control}one")
    user = do_register(ctx, "person", "correct horse battery", "Person")
    with pytest.raises(InvalidInputError, match="display name"):
        do_update_profile(ctx, user.id, display_name=f"Per{control}son")


@pytest.mark.parametrize("zone", NOT_ZONES)
async def test_names_that_are_not_iana_zones_are_refused(api: Any, zone: str) -> None:
    response = await api.call(
        api.person("host"), "POST", "/series", json={"tag": "T", "title": "t", "timezone": zone}
    )
    assert response.status_code == 422
    assert "time zone" in response.json()["detail"]


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Zulu", "UTC"),
        ("US/Eastern", "America/New_York"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Europe/Oslo", "Europe/Oslo"),  # its own country's zone, though tzdata links it
        (" Europe/London ", "Europe/London"),
    ],
)
async def test_zone_aliases_are_stored_by_their_canonical_name(
    api: Any, ctx: Any, alias: str, canonical: str
) -> None:
    created = await api.series(api.person("host"), "T", timezone=alias)
    assert created["timezone"] == canonical
    user = do_register(ctx, "zoned", "correct horse battery", timezone=alias)
    assert user.timezone == canonical
    for zone in NOT_ZONES:
        with pytest.raises(ActionError):
            do_update_profile(ctx, user.id, timezone=zone)


async def test_nul_in_names_looked_up_is_not_found_not_a_server_error(api: Any) -> None:
    """PostgreSQL cannot hold or compare a NUL in text: a name, tag or user in a path or body
    that carries one is simply not there (never a 500), on both backends."""
    host = api.person("host")
    await api.series(host)
    calls = [
        ("GET", "/series/Kaizen%00Biz", {}),
        ("GET", "/series/Kaizen%00Biz/chats", {}),
        ("POST", "/series/KaizenBiz/members", {"json": {"user": "ana\x00", "role": "moderator"}}),
        ("DELETE", "/series/KaizenBiz/members/ana%00", {}),
        ("DELETE", "/series/KaizenBiz/blocks/ana%00", {}),
    ]
    for method, path, kwargs in calls:
        response = await api.call(host, method, path, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, response.text)
    login = await api.client.post(
        "/api/v1/auth/login", json={"name": "host\x00", "password": "correct horse battery"}
    )
    assert login.status_code < 500, login.text
    page = await api.client.get("/series/Kaizen%00Biz")
    assert page.status_code in (404, 422)
    assert page.headers["content-type"].startswith("text/html")
