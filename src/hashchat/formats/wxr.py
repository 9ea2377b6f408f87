"""WordPress eXtended RSS (WXR), the file Tools → Export writes and Tools → Import reads.

Reading: a blog post's approved comments become posts of a chat (late answers, most often: a
reader who answers A1, A3 and A4 in one comment is split by the same attribution rules as a
typed post), threaded by `wp:comment_parent`; the post's author's own comments are hers (her
login is the archive's owner, which `--as USER` links), so a host's replies stay a host's.
Only `wp:comment_approved` = `1` is read: `0` (held), `spam` and `trash` are left out, and so
are pingbacks and trackbacks. Texts come as CDATA with HTML; they become plain text through
the `nh3` sanitiser. The file is streamed with `lxml.etree.iterparse` (entities not resolved,
no network), one `<item>` at a time. Identity: network `wordpress`, source the blog's URL
(the channel's `<link>`), external id `comment-<wp:comment_id>`.

Writing: `write_wxr` gives a chat's recap as one WordPress post whose answers are threaded
comments (a reply under the post it answers), importable by WordPress's own importer (WXR 1.2,
every comment approved, `comment_parent` threading, a parent's id below its child's, texts
escaped as WordPress stores a visitor's); `export_chat_wxr` writes a stored chat that way (the
host's question posts as the questions, each answer under its question). The importer cannot be
installed offline, so `tests/blog/test_blog_wxr_import.py` replays its steps in a real WordPress.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from lxml import etree  # type: ignore[import-untyped]

from hashchat.actions.context import AppContext
from hashchat.actions.export import chat_header, chat_owner, exported_posts
from hashchat.actions.recap import get_recap
from hashchat.domain.ingest import ForeignChat, ForeignPost, Network
from hashchat.domain.text.answers import first_question_tag
from hashchat.domain.text.controls import xml_text
from hashchat.formats.archives import Archive, ArchiveError, Progress, counting
from hashchat.formats.mastodon_archive import html_text
from hashchat.formats.recap_common import figures_sentence, web_url

WXR_VERSION = "1.2"
NS = {
    "wp": f"http://wordpress.org/export/{WXR_VERSION}/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "excerpt": f"http://wordpress.org/export/{WXR_VERSION}/excerpt/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return str(child.text or "")
    return ""


def _gmt(value: str, fallback: str) -> datetime:
    for text in (value, fallback):
        text = text.strip()
        if text and not text.startswith("0000"):
            return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    raise ValueError("has no comment_date_gmt")


@dataclass
class _Blog:
    link: str = ""
    authors: dict[str, str] | None = None  # wp:author_id → login
    names: dict[str, str] | None = None  # display name → login


def _parser(stream: IO[bytes]) -> Any:
    return etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
    )


def _blog(path: Path, where: str) -> _Blog:
    """The channel's link and authors (they come before the first item)."""
    blog = _Blog(authors={}, names={})
    assert blog.authors is not None
    assert blog.names is not None
    with path.open("rb") as stream:
        try:
            for _, element in _parser(stream):
                name = _local(element.tag)
                if name == "item":
                    break
                if name == "link" and _local(element.getparent().tag) == "channel":
                    blog.link = (element.text or "").strip().rstrip("/")
                elif (
                    name == "author"
                    and element.getparent() is not None
                    and _local(element.getparent().tag) == "channel"
                ):
                    login = _child(element, "author_login")
                    blog.authors[_child(element, "author_id")] = login
                    blog.names[html.unescape(_child(element, "author_display_name"))] = login
                    blog.names[login] = login
        except etree.XMLSyntaxError as error:
            raise ArchiveError(where, error.lineno, f"bad XML ({error.msg})") from None
    if not blog.link:
        raise ArchiveError(where, None, "has no channel <link> (is it a WordPress export?)")
    return blog


def commenter_name(stored: str) -> str:
    """A commenter's name as WordPress stores it (`&`, `<`, `>` as entities; its REST API and
    its WXR export give it so) turned back into text: the one rule for the live pull and the
    importer, so the same person is the same handle both ways."""
    return html.unescape(stored).strip() or "anonymous"


def comment_external_id(comment_id: int | str) -> str:
    """A WordPress comment's external id, the same whether it came in live (`bridges.wordpress`)
    or from an export: `comment-<wp:comment_id>`."""
    return f"comment-{comment_id}"


def comment_post(comment: Any, blog: _Blog, author: str, where: str) -> ForeignPost | None:
    """One `<wp:comment>` as a ForeignPost, or None when it is not an approved comment."""
    if _child(comment, "comment_approved").strip() != "1":
        return None
    if _child(comment, "comment_type").strip() in {"pingback", "trackback"}:
        return None
    comment_id = _child(comment, "comment_id").strip()
    if not comment_id.isdigit():
        raise ArchiveError(where, comment.sourceline, "comment has no wp:comment_id")
    parent = _child(comment, "comment_parent").strip()
    name = commenter_name(_child(comment, "comment_author"))
    user_id = _child(comment, "comment_user_id").strip()
    assert blog.authors is not None
    assert blog.names is not None
    handle = blog.authors.get(user_id) if user_id not in {"", "0"} else None
    if handle is None and blog.names.get(name) == author:
        handle = author  # the post's author, signed out, by her display name
    try:
        created = _gmt(_child(comment, "comment_date_gmt"), _child(comment, "comment_date"))
    except ValueError as error:
        raise ArchiveError(where, comment.sourceline, f"comment {comment_id} {error}") from None
    text = html_text(_child(comment, "comment_content"))
    return ForeignPost(
        network=Network.WORDPRESS,
        source=blog.link,
        external_id=comment_external_id(comment_id),
        author_handle=handle or name,
        display_name=name,
        text=text,
        created_at=created,
        url=f"{_child(comment.getparent(), 'link').strip() or blog.link}#comment-{comment_id}",
        reply_to=comment_external_id(parent) if parent not in {"", "0"} else None,
    )


def open_wxr(path: Path) -> Archive:
    """Open a WXR file: its blog and first author now, the comments when read."""
    where = path.name
    if not path.is_file():
        raise ArchiveError(where, None, "no such file")
    blog = _blog(path, where)
    assert blog.authors is not None
    owner = next(iter(blog.authors.values()), None)

    def read(progress: Progress | None) -> Iterator[ForeignPost]:
        with path.open("rb") as raw:
            stream = counting(raw, progress)
            try:
                for _, element in _parser(stream):
                    if _local(element.tag) != "item":
                        continue
                    if _child(element, "post_type") in {"attachment", "nav_menu_item"}:
                        element.clear()
                        continue
                    author = _child(element, "creator").strip()
                    for child in element:
                        if _local(child.tag) == "comment":
                            post = comment_post(child, blog, author, where)
                            if post is not None:
                                yield post
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
            except etree.XMLSyntaxError as error:
                raise ArchiveError(where, error.lineno, f"bad XML ({error.msg})") from None

    return Archive(Network.WORDPRESS, blog.link, owner, owner, path.stat().st_size, read)


# Writing -------------------------------------------------------------------------------------

AUTHOR_ID = 1  # the one wp:author of a written file, the blog post's author


@dataclass(frozen=True)
class WxrComment:
    """One answer or reply of the recap as a WordPress comment; `by_author`: written by the
    blog post's author (the importer makes it her comment on her post)."""

    comment_id: int
    author: str
    text: str
    created_at: datetime
    parent_id: int = 0
    url: str = ""
    by_author: bool = False


def _cdata(text: str) -> str:
    return "<![CDATA[" + xml_text(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(text: str) -> str:
    return escape(xml_text(text))


def _wp_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def comment_html(text: str) -> str:
    """A post's text as a WordPress comment's content: the text itself, markup escaped (never
    run), line breaks kept for WordPress to turn into paragraphs, as a visitor's comment is."""
    return escape(text)


def write_wxr(
    out: IO[str],
    *,
    site_url: str,
    title: str,
    slug: str,
    author: str,
    body_html: str,
    published: datetime,
    comments: Iterable[WxrComment],
    guid: str = "",
) -> int:
    """Write one post with its comments as a WXR 1.2 file; returns the number of comments.

    The importer inserts a post's comments by ascending `comment_id` and maps a parent only
    once it is in, so every `parent_id` must be a smaller id than its comment's. Dates are
    written in UTC as both the local and the GMT time (the file cannot know the blog's zone).
    Texts lose the characters XML 1.0 cannot carry (U+FFFD). A commenter's name is written as
    WordPress stores one (`&`, `<`, `>` as entities), so that the importer's second run finds
    the comment (`comment_exists` compares the stored name) instead of adding it again."""
    site = _text(site_url.rstrip("/"))
    when = format_datetime(published.astimezone(UTC))
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n')
    out.write(
        '<rss version="2.0" '
        + " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        + ">\n<channel>\n"
    )
    out.write(f"<title>{_text(title)}</title>\n<link>{site}</link>\n")
    out.write(f"<pubDate>{when}</pubDate>\n<language>en</language>\n")
    out.write(f"<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n")
    out.write(
        f"<wp:base_site_url>{site}</wp:base_site_url>\n<wp:base_blog_url>{site}</wp:base_blog_url>\n"
    )
    out.write(
        f"<wp:author><wp:author_id>{AUTHOR_ID}</wp:author_id>"
        f"<wp:author_login>{_cdata(author)}</wp:author_login>"
        "<wp:author_email></wp:author_email>"
        f"<wp:author_display_name>{_cdata(author)}</wp:author_display_name>"
        "<wp:author_first_name></wp:author_first_name><wp:author_last_name></wp:author_last_name>"
        "</wp:author>\n"
    )
    out.write("<item>\n")
    out.write(f"<title>{_text(title)}</title>\n<link>{site}/{_text(slug)}/</link>\n")
    out.write(f"<pubDate>{when}</pubDate>\n")
    out.write(f"<dc:creator>{_cdata(author)}</dc:creator>\n")
    identity = guid or f"{site_url.rstrip('/')}/{slug}"
    out.write(f'<guid isPermaLink="false">{_text(identity)}</guid>\n<description></description>\n')
    out.write(f"<content:encoded>{_cdata(body_html)}</content:encoded>\n")
    out.write("<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n")
    out.write("<wp:post_id>1</wp:post_id>\n")
    out.write(f"<wp:post_date>{_cdata(_wp_time(published))}</wp:post_date>\n")
    out.write(f"<wp:post_date_gmt>{_cdata(_wp_time(published))}</wp:post_date_gmt>\n")
    out.write(
        "<wp:comment_status>open</wp:comment_status><wp:ping_status>closed</wp:ping_status>\n"
    )
    out.write(f"<wp:post_name>{_cdata(slug)}</wp:post_name>\n")
    out.write("<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>\n")
    out.write("<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type>\n")
    out.write("<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>\n")
    count = 0
    for comment in comments:
        count += 1
        moment = _wp_time(comment.created_at)
        out.write(
            "<wp:comment>"
            f"<wp:comment_id>{comment.comment_id}</wp:comment_id>"
            f"<wp:comment_author>{_cdata(escape(comment.author))}</wp:comment_author>"
            "<wp:comment_author_email></wp:comment_author_email>"
            f"<wp:comment_author_url>{_text(comment.url)}</wp:comment_author_url>"
            "<wp:comment_author_IP></wp:comment_author_IP>"
            f"<wp:comment_date>{_cdata(moment)}</wp:comment_date>"
            f"<wp:comment_date_gmt>{_cdata(moment)}</wp:comment_date_gmt>"
            f"<wp:comment_content>{_cdata(comment_html(comment.text))}</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved>"
            "<wp:comment_type>comment</wp:comment_type>"
            f"<wp:comment_parent>{comment.parent_id}</wp:comment_parent>"
            f"<wp:comment_user_id>{AUTHOR_ID if comment.by_author else 0}</wp:comment_user_id>"
            "</wp:comment>\n"
        )
    out.write("</item>\n</channel>\n</rss>\n")
    return count


def _recap_body(ctx: AppContext, chat_id: int, header: ForeignChat, recap_url: str) -> str:
    """The blog post's content: the chat's topic, its figures once it has started, its
    questions, and a link to the full recap here (the answers are the post's comments)."""
    parts = [
        f"<p>{escape(part.strip())}</p>" for part in header.topic.split("\n\n") if part.strip()
    ]
    if header.started_at is not None:
        parts.append(
            f"<p>{escape(figures_sentence(get_recap(ctx, chat_id).transcript.figures))}</p>"
        )
    parts.append(
        "<ol>"
        + "".join(
            f"<li><strong>Q{q.number}</strong> {escape(q.text)}</li>" for q in header.questions
        )
        + "</ol>"
    )
    if web_url(recap_url):
        href = escape(recap_url, {'"': "&quot;"})
        parts.append(f'<p><a href="{href}">The full recap</a></p>')
    return "\n".join(xml_text(part) for part in parts)


def export_chat_wxr(ctx: AppContext, chat_id: int, out: IO[str]) -> int:
    """A chat's recap as one WordPress post by the series' owner (its questions) whose comments
    are the chat's shown posts, threaded: a question is the host's post asking it (or, when
    that post is not shown, the host's comment at the time it was asked), an answer sits under
    its question, a reply under the post it replies to, the rest at the top. Hidden posts and
    reposts are left out. Returns the number of comments written."""
    header = chat_header(ctx, chat_id)
    host = chat_owner(ctx, chat_id) or "host"
    asked = header.started_at or header.starts_at
    base = ctx.settings.base_url.rstrip("/")
    body = _recap_body(ctx, chat_id, header, f"{base}/chats/{chat_id}/recap")
    # Ids the importer can map (a parent before its child): questions first, then posts.
    question_ids = {q.number: index for index, q in enumerate(header.questions, start=1)}
    first_post_id = len(question_ids) + 1
    comment_ids: dict[str, int] = {}
    posted: set[int] = set()

    def comments() -> Iterator[WxrComment]:
        for index, exported in enumerate(exported_posts(ctx, chat_id), start=first_post_id):
            post = exported.post
            if post.hidden or post.repost_of is not None:
                continue
            number = first_question_tag(post.text) if post.by_host else None
            if number in question_ids and number not in posted:
                assert number is not None
                posted.add(number)
                comment_ids[exported.line_id] = question_ids[number]
                parent = 0
            else:
                comment_ids[exported.line_id] = index
                found = comment_ids.get(exported.reply_line_id or "")
                if found is None and exported.question is not None:
                    found = question_ids.get(exported.question)
                parent = found or 0
            yield WxrComment(
                comment_ids[exported.line_id],
                post.display_name or post.author_handle,
                post.text,
                post.created_at,
                parent_id=parent,
                url=post.url or "",
                by_author=bool(post.by_host) and post.author_handle == host,
            )
        for q in header.questions:
            if q.number not in posted:
                text = f"Q{q.number} {q.text}"
                at = q.asked_at or asked
                yield WxrComment(question_ids[q.number], host, text, at, by_author=True)

    return write_wxr(
        out,
        site_url=base,
        title=f"#{header.series_tag}: {header.title}",
        slug=f"{header.series_tag.lower()}-{chat_id}",
        author=host,
        body_html=body,
        published=header.ended_at or asked,
        comments=comments(),
        guid=f"{base}/chats/{chat_id}/recap",
    )
