"""The archive readers on samples built from each platform's documented format: X's
window.YTD wrapper, parts and string numbers, t.co links put back, retweets; TAGS columns;
Mastodon HTML through the sanitiser, boosts, DMs left out; Bluesky CAR blocks, tree keys,
facets and replies; WXR CDATA and comment_approved; broken files named by file and line."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.archives import ArchiveError
from hashchat.formats.bluesky_car import full_text, open_bluesky_car
from hashchat.formats.mastodon_archive import html_text, open_mastodon_archive
from hashchat.formats.tags_csv import open_tags_csv
from hashchat.formats.wxr import WxrComment, open_wxr, write_wxr
from hashchat.formats.x_archive import open_x_archive, parse_x_time, tweet_post

FIXTURES = Path(__file__).parent / "fixtures"


def test_x_archive_parts_wrapper_links_and_retweets() -> None:
    archive = open_x_archive(FIXTURES / "x_host.zip")
    assert (archive.owner, archive.owner_name, archive.source) == (
        "cafehost",
        "Café Host ☕",
        "x.com",
    )
    posts = list(archive.posts())
    assert len(posts) == 9  # tweets.js and tweets-part1.js; like.js is not posts
    assert posts[0].created_at == datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    retweet = next(p for p in posts if p.repost_of)
    assert retweet.text.startswith("RT @kenji: ")
    assert retweet.text.endswith("…")
    reply = next(p for p in posts if p.reply_to)
    assert reply.reply_to == str(1_900_000_000_000_004_000)
    sam = [p for p in open_tags_csv(FIXTURES / "tags.csv").posts() if p.author_handle == "sam"]
    assert "https://example.com/slow-mornings-notes" in sam[-1].text


def test_x_folder_archive_and_time_format() -> None:
    posts = list(open_x_archive(FIXTURES / "x_kenji").posts())
    assert [p.text[:2] for p in posts] == ["こん", "A1", "A3"]
    assert parse_x_time("Wed Oct 10 20:19:24 +0000 2018") == datetime(
        2018, 10, 10, 20, 19, 24, tzinfo=UTC
    )
    assert parse_x_time("Wed Oct 10 20:19:24 +0200 2018").utcoffset() is not None


def test_x_posts_are_the_values_the_constructor_makes() -> None:
    """The reader fills ForeignPost drafts (a speed trick): each post must still be the frozen
    value `ForeignPost(...)` gives, equal and hashed alike, and refuse changes."""
    tweet = {
        "id_str": "17",
        "full_text": "RT @sam: A1 slow mornings https://t.co/x",
        "created_at": "Fri Jan 05 17:00:05 +0000 2024",
        "in_reply_to_status_id_str": "16",
        "entities": {"urls": [{"url": "https://t.co/x", "expanded_url": "https://ex.com/a"}]},
    }
    post = tweet_post(tweet, "kenji", "")
    wanted = ForeignPost(
        network=Network.X,
        source="x.com",
        external_id="17",
        author_handle="kenji",
        display_name="kenji",
        text="RT @sam: A1 slow mornings https://ex.com/a",
        created_at=datetime(2024, 1, 5, 17, 0, 5, tzinfo=UTC),
        url="https://x.com/kenji/status/17",
        reply_to="16",
        repost_of="@sam",
    )
    assert type(post) is ForeignPost
    assert post == wanted
    assert hash(post) == hash(wanted)
    assert repr(post) == repr(wanted)
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.text = "changed"  # type: ignore[misc]
    for moment in ("Mon Feb 29 23:59:59 +0000 2016", "Sun Dec 31 00:00:00 +0000 2023"):
        assert parse_x_time(moment) == datetime.strptime(moment, "%a %b %d %H:%M:%S %z %Y")


@pytest.mark.parametrize(
    ("opener", "name", "where"),
    [
        (open_x_archive, "x_badpart.zip", "x_badpart.zip/data/tweets-part1.js:45: bad JSON"),
        (open_x_archive, "x_truncated.zip", "x_truncated.zip: is a damaged or truncated"),
        (
            open_mastodon_archive,
            "mastodon_badjson.zip",
            "mastodon_badjson.zip/outbox.json:item 5: bad JSON",
        ),
        (open_bluesky_car, "bluesky_truncated.car", "bluesky_truncated.car:block 7: is cut"),
        (open_wxr, "wxr_broken.xml", "wxr_broken.xml:60: bad XML"),
    ],
)
def test_broken_archives_name_file_and_line(opener: object, name: str, where: str) -> None:
    with pytest.raises(ArchiveError) as raised:
        list(opener(FIXTURES / name).posts())  # type: ignore[operator]
    assert str(raised.value).startswith(where)


def test_tags_sheet_rows_and_bad_rows(tmp_path: Path) -> None:
    posts = list(open_tags_csv(FIXTURES / "tags.csv").posts())
    assert len(posts) == 17
    assert {p.network for p in posts} == {Network.X}
    olga = next(p for p in posts if p.author_handle == "olga" and "\n" in p.text)
    assert olga.text.startswith("A3 Моя бабушка")
    bad = tmp_path / "bad.csv"
    bad.write_text("id_str,from_user,text,created_at\n1,ann,hi,Wed Oct 10 20:19:24 +0000 2018\n"
                   "1.9E+18,bob,hello,Wed Oct 10 20:19:25 +0000 2018\n")  # fmt: skip
    with pytest.raises(ArchiveError, match=r"bad\.csv:3: id_str '1\.9E\+18' is not a post id"):
        list(open_tags_csv(bad).posts())
    missing = tmp_path / "missing.csv"
    missing.write_text("id,user,text\n")
    with pytest.raises(ArchiveError, match=r"missing\.csv:1: misses the TAGS column"):
        open_tags_csv(missing)


def test_mastodon_html_boosts_and_dms() -> None:
    assert html_text(
        '<p>A1 tea &amp; <a href="x">#<span>Cafe</span></a></p><p>two<br />three</p>'
    ) == ("A1 tea & #Cafe\n\ntwo\nthree")
    assert html_text("<p><script>alert(1)</script>hi</p>") == "hi"
    archive = open_mastodon_archive(FIXTURES / "mastodon_kenji.tar.gz")
    assert archive.owner == "kenji@fosstodon.org"
    posts = list(archive.posts())
    assert len(posts) == 3  # the Like and the DM are left out
    assert posts[1].reply_to_source == "mastodon.social"
    host = list(open_mastodon_archive(FIXTURES / "mastodon_host.zip").posts())
    boost = next(p for p in host if p.repost_of)
    assert (
        boost.repost_of == f"https://fosstodon.org/users/kenji/statuses/{1_900_000_000_000_005_000}"
    )


def test_bluesky_car_records_facets_and_replies() -> None:
    archive = open_bluesky_car(FIXTURES / "bluesky_host.car")
    assert archive.owner is not None
    assert archive.owner.startswith("did:plc:")
    posts = list(archive.posts())
    assert len(posts) == 9  # posts and the repost; the like and the profile are not posts
    assert all(p.external_id.startswith(f"at://{archive.owner}/app.bsky.feed.") for p in posts)
    kenji = list(open_bluesky_car(FIXTURES / "bluesky_kenji.car").posts())
    assert kenji[1].reply_to in {p.external_id for p in posts}
    record = {
        "text": "Notes: example.com/slow… ok",
        "facets": [{"index": {"byteStart": 7, "byteEnd": 26},
                    "features": [{"$type": "app.bsky.richtext.facet#link",
                                  "uri": "https://example.com/slow-mornings"}]}],
    }  # fmt: skip
    assert full_text(record) == "Notes: https://example.com/slow-mornings ok"


def test_wxr_reads_approved_comments_and_writes_what_it_reads(tmp_path: Path) -> None:
    archive = open_wxr(FIXTURES / "wxr_blog.xml")
    assert (archive.source, archive.owner) == ("https://cafechat.example.org", "cafehost")
    posts = list(archive.posts())
    assert len(posts) == 12
    ids = {p.external_id for p in posts}
    assert not {"comment-901", "comment-902", "comment-903", "comment-904"} & ids
    lea = next(p for p in posts if p.external_id == "comment-905")
    assert "A1 Stretching & a glass of water.\nA3 My yoga teacher." in lea.text
    out = io.StringIO()
    when = datetime(2026, 3, 6, 17, 5, tzinfo=UTC)
    count = write_wxr(
        out,
        site_url="https://hashchat.example",
        title="#CafeChat recap <slow mornings>",
        slug="cafechat-2026-03-06",
        author="cafehost",
        body_html="<p>Q1 What does your first hour look like?</p>",
        published=when,
        comments=[
            WxrComment(1, "Ana", "A1 café ]]> con leche", when),
            WxrComment(2, "cafehost", "Love it", when, parent_id=1),
        ],
    )
    assert count == 2
    written = tmp_path / "recap.xml"
    written.write_text(out.getvalue(), encoding="utf-8")
    back = list(open_wxr(written).posts())
    assert [p.text for p in back] == ["A1 café ]]> con leche", "Love it"]
    assert back[1].reply_to == "comment-1"
    assert back[1].author_handle == "cafehost"
