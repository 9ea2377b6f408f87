"""The blog's network side (issue 12): WordPress's REST API (`/wp-json/wp/v2/`) with httpx and an
Application Password. Verify a login, publish and update a post, close its comments, read its
approved comments page by page, post a threaded comment, and turn a comment into a
`ForeignPost`. No database here: `actions.blog` decides and stores.

No maintained Python client of the WordPress REST API fits (the PyPI ones are abandoned or
cover XML-RPC), and the few calls needed are plain JSON over HTTP with Basic auth, so httpx
it is. A wrong Application Password is not an error in WordPress 6.1 (the request quietly runs
as anonymous), so a login is checked against `/users/me`, which needs one.

A comment's identity is the WXR importer's (`formats.wxr`): network `wordpress`, source the
site's home URL (what an export's channel `<link>` says), external id `comment-<id>`, the
address `<post link>#comment-<id>`, the text from the comment's raw HTML through the same
sanitiser, the blog user's login as the handle of her own comments; so a later import of the
blog's export finds the comments that came in live and adds nothing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from hashchat.actions.blog import BlogLogin, LoginRejectedError, Published
from hashchat.bridges.errors import BridgeError, LoginRefusedError, NetworkBusyError
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.mastodon_archive import html_text
from hashchat.formats.wxr import comment_external_id, commenter_name

TIMEOUT = 20.0
PAGE = 100  # the largest page WordPress serves (`per_page` over 100 is a 400)
MAX_PAGES = 200


def site_address(url: str) -> str:
    """The blog's address as the host typed it, checked and without a trailing slash."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LoginRefusedError(f"{url!r} is not a blog address (https://blog.example.org)")
    return cleaned.rstrip("/")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, Mapping) and body.get("message"):
        text = html_text(str(body["message"]))
        return f"{text} ({body.get('code', response.status_code)})"
    return f"HTTP {response.status_code}"


class WordPressSite:
    """One blog, logged in as one user with an Application Password."""

    def __init__(
        self,
        url: str,
        user: str,
        app_password: str,
        *,
        transport: httpx.BaseTransport | None = None,
        page_size: int = PAGE,
    ) -> None:
        self.url = site_address(url)
        self.page_size = page_size
        self._client = httpx.Client(
            base_url=f"{self.url}/wp-json",
            auth=(user, app_password),
            timeout=TIMEOUT,
            transport=transport,
            headers={"User-Agent": "hashchat (+https://github.com/hashchat)"},
        )

    def __enter__(self) -> WordPressSite:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise NetworkBusyError(f"the blog is unreachable ({type(error).__name__})") from None
        if response.status_code in (401, 403):
            raise LoginRefusedError(_reason(response))
        if response.status_code == 429 or response.status_code >= 500:
            after = response.headers.get("Retry-After", "")
            wait = float(after) if after.isdigit() else None
            raise NetworkBusyError(_reason(response), retry_after=wait)
        if response.status_code >= 400:
            raise BridgeError(_reason(response))
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise BridgeError(f"{path} did not answer JSON (is it a WordPress site?)") from None

    def verify(self) -> BlogLogin:
        """Who the credentials log in as; `LoginRefusedError` when WordPress refuses them (or
        takes them for anonymous) or the address is no WordPress site."""
        try:
            index = self._json("GET", "/")
            me = self._json("GET", "/wp/v2/users/me", params={"context": "edit"})
        except NetworkBusyError as error:
            raise LoginRefusedError(error.reason) from None
        except BridgeError as error:
            raise LoginRefusedError(error.reason) from None
        if not isinstance(index, Mapping) or not isinstance(me, Mapping) or "id" not in me:
            raise LoginRefusedError("the address does not answer as a WordPress site")
        home = str(index.get("home") or index.get("url") or self.url).rstrip("/")
        login = str(me.get("username") or me.get("slug") or "")
        return BlogLogin(
            login=login, user_id=int(me["id"]), name=str(me.get("name", login)), home=home
        )

    # -- posts ---------------------------------------------------------------------------------

    def find_post(self, slug: str) -> Published | None:
        """Our post with this slug, whatever its status (a publication that died halfway)."""
        found = self._json(
            "GET", "/wp/v2/posts", params={"slug": slug, "status": "any", "context": "edit"}
        )
        for post in found if isinstance(found, list) else []:
            return Published(int(post["id"]), str(post.get("link", "")))
        return None

    def publish(self, slug: str, title: str, content: str, *, comments_open: bool) -> Published:
        """Publish a new post."""
        post = self._json(
            "POST",
            "/wp/v2/posts",
            json={
                "slug": slug,
                "title": title,
                "content": content,
                "status": "publish",
                "comment_status": "open" if comments_open else "closed",
            },
        )
        return Published(int(post["id"]), str(post.get("link", "")))

    def update(self, post_id: int, **fields: Any) -> Published:
        """Change a post (`title`, `content`, `comment_status` …); its id and link are kept."""
        post = self._json("POST", f"/wp/v2/posts/{post_id}", json=fields)
        return Published(int(post["id"]), str(post.get("link", "")))

    def content(self, post_id: int) -> str:
        """A post's raw content."""
        post = self._json("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        raw = post.get("content", {}) if isinstance(post, Mapping) else {}
        return str(raw.get("raw", "")) if isinstance(raw, Mapping) else ""

    def close_comments(self, post_id: int) -> None:
        """No more comments on the post."""
        self.update(post_id, comment_status="closed")

    # -- comments ------------------------------------------------------------------------------

    def comments(self, post_id: int) -> list[dict[str, Any]]:
        """Every approved comment of a post (pingbacks and trackbacks left out), oldest first,
        read page by page until `X-WP-Total` are read."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            response = self._call(
                "GET",
                "/wp/v2/comments",
                params={
                    "post": post_id,
                    "status": "approve",
                    "type": "comment",
                    "context": "edit",
                    "per_page": self.page_size,
                    "page": page,
                    "orderby": "id",
                    "order": "asc",
                },
            )
            batch = response.json()
            found.extend(c for c in batch if isinstance(c, dict))
            total = int(response.headers.get("X-WP-Total") or len(found))
            if not batch or len(found) >= total or page * self.page_size >= total:
                break
        return found

    def approved_comments(self, post_id: int, post_url: str, login: BlogLogin) -> list[ForeignPost]:
        """The post's approved comments as the ingest door takes them."""
        return [
            comment_post(c, source=login.home, post_url=post_url, account=login)
            for c in self.comments(post_id)
        ]

    def still_approved(self, comment_id: int) -> bool:
        """Whether the comment is there and approved (False: deleted, trashed, spam or held)."""
        try:
            response = self._call(
                "GET", f"/wp/v2/comments/{comment_id}", params={"context": "edit"}
            )
        except BridgeError as error:
            if isinstance(error, LoginRefusedError | NetworkBusyError):
                raise
            return False  # 404 rest_comment_invalid_id: deleted for good
        comment = response.json()
        return isinstance(comment, dict) and comment.get("status") == "approved"

    def reply(
        self, post_id: int, post_url: str, parent: int, text: str, at: datetime, login: BlogLogin
    ) -> ForeignPost:
        """A threaded comment under `parent` as the logged-in user, dated `at` (to the second,
        as WordPress keeps it); the comment as the ingest door takes it."""
        body = {
            "post": post_id,
            "parent": parent,
            "content": "\n\n".join(
                html.escape(part, quote=False) for part in text.split("\n\n") if part.strip()
            ),
            "date_gmt": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        try:
            comment = self._json("POST", "/wp/v2/comments", json=body)
        except LoginRefusedError:  # a user who may not date comments: WordPress's time then
            del body["date_gmt"]
            comment = self._json("POST", "/wp/v2/comments", json=body)
        if not isinstance(comment, dict) or "id" not in comment:
            raise BridgeError("the blog did not answer the comment")
        return comment_post(comment, source=login.home, post_url=post_url, account=login)


def comment_time(comment: Mapping[str, Any]) -> datetime:
    """A comment's time (WordPress gives `date_gmt` without a zone)."""
    text = str(comment.get("date_gmt") or comment.get("date") or "")
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def comment_post(
    comment: Mapping[str, Any], *, source: str, post_url: str, account: BlogLogin
) -> ForeignPost:
    """A comment as the ingest door takes it, with the WXR importer's identity and values."""
    comment_id = int(comment["id"])
    parent = int(comment.get("parent") or 0)
    name = commenter_name(str(comment.get("author_name") or ""))
    own = int(comment.get("author") or 0) == account.user_id and account.user_id != 0
    raw = comment.get("content", {})
    text = str(raw.get("raw", "") if isinstance(raw, Mapping) else raw)
    return ForeignPost(
        network=Network.WORDPRESS,
        source=source,
        external_id=comment_external_id(comment_id),
        author_handle=account.login if own else name,
        display_name=name,
        text=html_text(text),
        created_at=comment_time(comment),
        url=f"{post_url}#comment-{comment_id}",
        reply_to=comment_external_id(parent) if parent else None,
    )


def open_site(url: str, user: str, app_password: str) -> WordPressSite:
    """A client of the blog (the actions' `OpenBlog`)."""
    return WordPressSite(url, user, app_password)


def verify_blog(url: str, user: str, app_password: str) -> BlogLogin:
    """Check a login on the blog (the actions' `VerifyBlog`): 422 with WordPress's reason."""
    try:
        with WordPressSite(url, user, app_password) as site:
            return site.verify()
    except LoginRefusedError as error:
        raise LoginRejectedError(error.reason) from None
