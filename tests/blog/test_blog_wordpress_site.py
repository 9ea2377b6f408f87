"""The local WordPress behaves as the blog integration expects a real one to (the facts the
integration relies on, checked against the real thing so a package upgrade that changes them
fails here first)."""

from __future__ import annotations

from xml.etree import ElementTree

from wordpress_support import LocalWordPress

WP = "{http://wordpress.org/export/1.2/}"


def test_application_password_works_and_a_wrong_one_is_anonymous(
    wordpress: LocalWordPress,
) -> None:
    with wordpress.api() as client:
        me = client.get("/users/me")
    assert me.status_code == 200
    assert me.json()["slug"] == "admin"
    wrong = LocalWordPress(root=wordpress.root, url=wordpress.url, app_password="nope nope")
    with wrong.api() as client:
        refused = client.get("/users/me")
    assert refused.status_code == 401  # a wrong Application Password acts as anonymous


def test_post_comments_held_approved_closed_and_exported(wordpress: LocalWordPress) -> None:
    with wordpress.api() as client:
        created = client.post(
            "/posts",
            json={"title": "#KaizenBiz: habits", "content": "<p>Q1 …</p>", "status": "publish"},
        )
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
    held = wordpress.comment(post_id, "Jeff", "Q1 What is a habit? A1 A thing I do daily.")
    with wordpress.api(anonymous=True) as client:
        visible = client.get("/comments", params={"post": post_id})
    assert visible.json() == []  # a first-time visitor's comment is held
    assert wordpress.moderate(held, status="approved")["status"] == "approved"
    with wordpress.api() as client:
        reply = client.post(
            "/comments", json={"post": post_id, "parent": held, "content": "Thanks, Jeff!"}
        )
        assert reply.status_code == 201, reply.text
        listed = client.get("/comments", params={"post": post_id, "per_page": 100})
        assert listed.headers["X-WP-Total"] == "2"
        closed = client.post(f"/posts/{post_id}", json={"comment_status": "closed"})
        assert closed.json()["comment_status"] == "closed"
    with wordpress.api(anonymous=True) as client:
        late = client.post(
            "/comments",
            json={"post": post_id, "author_name": "Ana", "author_email": "a@e.org", "content": "x"},
        )
    assert late.status_code == 403
    assert late.json()["code"] == "rest_comment_closed"
    items = ElementTree.fromstring(wordpress.export_wxr()).iter("item")
    exported = next(i for i in items if i.findtext(f"{WP}post_id") == str(post_id))
    comments = exported.findall(f"{WP}comment")
    parents = {c.findtext(f"{WP}comment_id"): c.findtext(f"{WP}comment_parent") for c in comments}
    assert parents[str(reply.json()["id"])] == str(held)
