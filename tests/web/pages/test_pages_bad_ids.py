"""Every page route with a path parameter answers a bad one (too big for the database, negative,
zero, not a number) with an HTML 404 page, never a 500 or the API's JSON 422."""

from __future__ import annotations

import re

from pages_support import World, client_for, csrf_of

from hashchat.actions.chats import do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.web.pages import PAGE_ROUTES

BAD_VALUES = ("18446744073709551616", "9" * 40, "-1", "0", "abc", "1.5")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def _page_routes() -> list[tuple[str, str]]:
    """(method, path) of every page route that has a path parameter."""
    found = []
    for route in PAGE_ROUTES:
        if _PARAM.search(route.path):
            found += [(method, route.path) for method in sorted(route.methods)]
    return found


def test_the_page_routes_with_parameters_are_found() -> None:
    paths = {path for _, path in _page_routes()}
    assert {"/chats/{chat_id}", "/chats/{chat_id}/recap", "/chats/{chat_id}/host"} <= paths
    assert "/chats/{chat_id}/host/posts/{post_id}/hide" in paths


def _bad_addresses(good: dict[str, str]) -> list[tuple[str, str]]:
    """(method, address) of every page route with one parameter made bad, the others good."""
    found = []
    for method, path in _page_routes():
        for name in _PARAM.findall(path):
            for bad in BAD_VALUES:
                values = {**good, name: bad}
                found.append((method, _PARAM.sub(lambda m, v=values: v.get(m.group(1), "1"), path)))
    return found


def test_a_bad_path_parameter_is_an_html_404_on_every_page_route(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    post = do_create_post(world.ctx, world.host, world.chat_id, "A1 hello #KaizenBiz")
    good = {"chat_id": str(world.chat_id), "post_id": str(post.id), "number": "1"}
    good["tag"] = "KaizenBiz"
    client = client_for(world, "kaizencoach")
    token = csrf_of(client.get(f"/chats/{world.chat_id}/host").text)
    for method, address in _bad_addresses(good):
        data = {"csrf_token": token} if method == "POST" else None
        response = client.request(method, address, data=data)
        assert response.status_code == 404, (method, address, response.status_code)
        if method == "GET":
            assert response.headers["content-type"].startswith("text/html"), address
            assert "<h1>" in response.text, address


def test_the_api_keeps_its_422(world: World) -> None:
    for address in ("/api/v1/chats/18446744073709551616", "/api/v1/chats/-1", "/api/v1/chats/x"):
        response = client_for(world).get(address)
        assert response.status_code == 422, address
        assert response.headers["content-type"] == "application/json", address
