"""Importing archives through actions.imports: chats chosen by --split, by window and by
--chat; several archives of one chat merged by identity; re-runs add nothing; edits update;
a broken archive writes nothing; the host known through --as or a linked handle."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.imports import ImportFileError, do_import
from hashchat.actions.ingest import do_restore_chat
from hashchat.actions.series import do_create_series
from hashchat.domain.ingest import ForeignChat, ForeignQuestion
from hashchat.store.models import ChatRow, PostRow, QuestionRow, SegmentRow

FIXTURES = Path(__file__).parents[1] / "formats" / "fixtures"


def _series(ctx: AppContext) -> None:
    host = do_register(ctx, "cafehost", "correct horse battery")
    do_register(ctx, "kenji", "correct horse battery")
    do_create_series(ctx, host, "CafeChat", "Café chat", "UTC")


def _posts(ctx: AppContext, chat_id: int) -> dict[str, PostRow]:
    with ctx.store.read() as session:
        rows = session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id)).all()
        session.expunge_all()
    return {row.external_id or str(row.id): row for row in rows}


def _segments(ctx: AppContext, post_id: int) -> list[tuple[str, int | None, bool]]:
    with ctx.store.read() as session:
        return [
            (row.kind, row.question, row.late)
            for row in session.scalars(
                sa.select(SegmentRow)
                .where(SegmentRow.post_id == post_id)
                .order_by(SegmentRow.position)
            )
        ]


X_ID = "19000000000000{:02d}000"  # the fixtures' X ids: line n of the script is 1900…n000


def _x(n: int) -> str:
    return str(1_900_000_000_000_000_000 + n * 1000)


@pytest.fixture
def ctx(new_context: Callable[[], AppContext], clock: Any) -> AppContext:
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    context = new_context()
    _series(context)
    return context


def test_split_makes_the_chat_from_the_hosts_q1_and_finds_it_again(ctx: AppContext) -> None:
    first = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    )
    assert len(first.chats) == 1
    assert (first.added, first.skipped) == (8, 1)  # the reminder two days before is no chat's
    chat_id = first.chats[0]
    with ctx.store.read() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        assert chat.starts_at.replace(tzinfo=UTC) == datetime(2026, 3, 6, 16, 55, tzinfo=UTC)
        assert chat.state == "closed"
        questions = session.execute(
            sa.select(QuestionRow.number, QuestionRow.text)
            .where(QuestionRow.chat_id == chat_id)
            .order_by(QuestionRow.number)
        ).all()
    assert [number for number, _ in questions] == [1, 2, 3, 4]
    assert questions[2][1].startswith("Who taught you to slow down?")
    posts = _posts(ctx, chat_id)
    assert posts[_x(3)].is_host
    assert posts[_x(3)].author_id is not None
    assert posts[_x(7)].is_repost  # the retweet, kept as such
    again = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    )
    assert again.chats == [chat_id]
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8)


def test_archives_merge_by_identity_into_the_chat_whose_window_holds_them(ctx: AppContext) -> None:
    chat_id = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    ).chats[0]
    kenji = do_import(ctx, "x", FIXTURES / "x_kenji", series="CafeChat", as_user="kenji")
    assert kenji.chats == [chat_id]
    assert kenji.added == 3
    posts = _posts(ctx, chat_id)
    assert posts[_x(2)].reply_to_post_id == posts[_x(1)].id  # his hello answers the welcome
    assert posts[_x(6)].reply_to_post_id is None  # the host's reply to Ana: Ana not here yet
    sheet = do_import(ctx, "tags-csv", FIXTURES / "tags.csv", series="CafeChat")
    assert sheet.chats == [chat_id]
    assert sheet.added == 6  # Ana's, Olga's and Sam's posts
    assert sheet.updated == 1  # the retweet, cut with … in the archive, full in the sheet
    posts = _posts(ctx, chat_id)
    assert len(posts) == 17
    assert posts[_x(6)].reply_to_post_id == posts[_x(4)].id  # linked once Ana's post arrived
    assert posts[_x(7)].text.endswith("空を見ます 🚶\u200d♂️ #CafeChat")
    assert _segments(ctx, posts[_x(9)].id)[0][:2] == ("answer", 2)  # Olga, in Russian
    assert [s[1] for s in _segments(ctx, posts[_x(10)].id)] == [1, 2]  # "A1 & A2"
    late = _segments(ctx, posts[_x(17)].id)  # three hours after: late, two answers
    assert [(q, is_late) for _, q, is_late in late] == [(3, True), (4, True)]
    edited = do_import(ctx, "x", FIXTURES / "x_host_edited.zip", series="CafeChat")
    assert (edited.added, edited.updated) == (0, 1)
    posts = _posts(ctx, chat_id)
    assert "(or this weekend)" in posts[_x(14)].text
    assert posts[_x(7)].text.endswith("#CafeChat")  # the cut copy did not cut the full text
    assert posts[_x(3)].display_name == "Café Host ☕"  # the sheet, without names, kept hers


def test_a_broken_archive_names_the_line_and_writes_nothing(ctx: AppContext) -> None:
    with pytest.raises(ImportFileError, match=r"x_badpart.zip/data/tweets-part1.js:45: bad JSON"):
        do_import(
            ctx, "x", FIXTURES / "x_badpart.zip", series="CafeChat", split=True, as_user="cafehost"
        )
    with ctx.store.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ChatRow)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(PostRow)) == 0
    with pytest.raises(ImportFileError, match=r"x_truncated\.zip: is a damaged or truncated"):
        do_import(ctx, "x", FIXTURES / "x_truncated.zip", series="CafeChat")
    with pytest.raises(ImportFileError, match=r"bluesky_truncated.car:block \d+: is cut short"):
        do_import(ctx, "bluesky", FIXTURES / "bluesky_truncated.car", series="CafeChat")


def test_split_needs_the_host_and_sheets_take_no_as(ctx: AppContext) -> None:
    with pytest.raises(InvalidInputError, match="--split needs the host"):
        do_import(ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True)
    with pytest.raises(InvalidInputError, match="take no --as"):
        do_import(ctx, "tags-csv", FIXTURES / "tags.csv", series="CafeChat", as_user="cafehost")
    with pytest.raises(InvalidInputError, match=r"not a host|--split needs the host"):
        do_import(ctx, "x", FIXTURES / "x_kenji", series="CafeChat", split=True, as_user="kenji")


def test_a_linked_handle_is_enough_for_split_on_a_sheet(ctx: AppContext) -> None:
    do_import(ctx, "x", FIXTURES / "x_kenji", series="CafeChat", as_user="kenji")  # no chat yet
    chat_id = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    ).chats[0]
    sheet = do_import(ctx, "tags-csv", FIXTURES / "tags.csv", series="CafeChat", split=True)
    assert sheet.chats == [chat_id]  # cafehost on x is linked to a host: her Q1 found again


def test_mastodon_exports_merge_across_instances(ctx: AppContext) -> None:
    host = do_import(
        ctx,
        "mastodon",
        FIXTURES / "mastodon_host.zip",
        series="CafeChat",
        split=True,
        as_user="cafehost",
    )
    assert len(host.chats) == 1
    assert host.added == 8  # the Like and the DM are left out
    kenji = do_import(ctx, "mastodon", FIXTURES / "mastodon_kenji.tar.gz", series="CafeChat")
    assert kenji.chats == host.chats
    assert kenji.added == 3
    posts = _posts(ctx, host.chats[0])
    q1 = posts["https://mastodon.social/users/cafehost/statuses/" + _x(3)]
    answer = posts["https://fosstodon.org/users/kenji/statuses/" + _x(5)]
    assert answer.reply_to_post_id == q1.id  # a reply across instances
    assert "<" not in answer.text
    assert answer.text.startswith("A1 朝は散歩です")


def test_bluesky_repositories_merge(ctx: AppContext) -> None:
    host = do_import(
        ctx,
        "bluesky",
        FIXTURES / "bluesky_host.car",
        series="CafeChat",
        split=True,
        as_user="cafehost",
    )
    assert len(host.chats) == 1
    assert host.added == 8
    kenji = do_import(ctx, "bluesky", FIXTURES / "bluesky_kenji.car", series="CafeChat")
    assert kenji.added == 3
    posts = list(_posts(ctx, host.chats[0]).values())
    linked = [p for p in posts if p.reply_to_post_id is not None]
    assert len(linked) == 3  # his hello, A1 and A3 reply to the host's posts
    assert sum(p.is_repost for p in posts) == 1


def test_wxr_comments_become_late_answers_and_the_authors_replies_a_hosts(
    ctx: AppContext,
) -> None:
    chat_id = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    ).chats[0]
    blog = do_import(
        ctx,
        "wxr",
        FIXTURES / "wxr_blog.xml",
        series="CafeChat",
        chat_id=chat_id,
        as_user="cafehost",
    )
    assert blog.added == 12  # approved comments only: no held, spam, trash or pingback
    posts = _posts(ctx, chat_id)
    lea = posts["comment-905"]
    assert [(q, is_late) for kind, q, is_late in _segments(ctx, lea.id) if kind == "answer"] == [
        (1, True),
        (3, True),
        (4, True),
    ]
    assert posts["comment-13"].is_host
    assert posts["comment-13"].reply_to_post_id == posts["comment-11"].id
    assert not posts["comment-11"].is_host
    assert "Held for moderation" not in {p.text for p in posts.values()}


def test_a_chat_exported_as_wxr_reads_back_threaded(ctx: AppContext, tmp_path: Path) -> None:
    import io

    from hashchat.formats.wxr import export_chat_wxr, open_wxr

    chat_id = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    ).chats[0]
    do_import(ctx, "tags-csv", FIXTURES / "tags.csv", series="CafeChat")
    out = io.StringIO()
    count = export_chat_wxr(ctx, chat_id, out)
    assert count == 16  # every post but the repost; the host's Q posts are the questions
    path = tmp_path / "recap.xml"
    path.write_text(out.getvalue(), encoding="utf-8")
    comments = {p.text: p for p in open_wxr(path).posts()}
    q2 = comments["Q2 One habit you dropped this year? #CafeChat"]
    olga = comments["A2 Бросила проверять почту до 10 утра 📵 #CafeChat"]
    assert olga.reply_to == q2.external_id  # she replied to the host's Q2 post
    sam = next(p for text, p in comments.items() if text.startswith("A1 & A2"))
    assert sam.reply_to == "comment-1"  # no reply link: under the question it answers
    assert comments["@kenji ¡qué bonito! 🥹"].reply_to not in {None, "comment-3"}  # under Kenji's


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ids(v)
            for k, v in value.items()
            if k not in {"id", "chat_id", "post_id", "reply_to", "url"}
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_every_sample_exported_and_imported_elsewhere_is_unchanged(
    ctx: AppContext, tmp_path: Path, clock: Any
) -> None:
    import json

    from hashchat.actions.posts import list_posts
    from hashchat.actions.recap import render_recap
    from hashchat.assembly import build_context
    from hashchat.formats.chat_jsonl import export_chat_jsonl
    from hashchat.settings import Settings
    from hashchat.store.migrate import upgrade

    chat_id = do_import(
        ctx, "x", FIXTURES / "x_host.zip", series="CafeChat", split=True, as_user="cafehost"
    ).chats[0]
    for kind, name in (
        ("x", "x_kenji"),
        ("tags-csv", "tags.csv"),
        ("mastodon", "mastodon_kenji.tar.gz"),
        ("bluesky", "bluesky_kenji.car"),
    ):
        do_import(ctx, kind, FIXTURES / name, series="CafeChat")
    do_import(ctx, "wxr", FIXTURES / "wxr_blog.xml", series="CafeChat", chat_id=chat_id)
    exported = tmp_path / "chat.jsonl"
    with exported.open("w", encoding="utf-8") as out:
        export_chat_jsonl(ctx, chat_id, out)
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    upgrade(url)
    other = build_context(
        Settings(database_url=url, clock=clock, argon2_time_cost=1, argon2_memory_kib=1024)
    )
    try:
        _series(other)
        back = do_import(other, "jsonl", exported, series="CafeChat")
        assert back.added == len(list_posts(ctx, chat_id, include_hidden=True))
        again = do_import(other, "jsonl", exported, series="CafeChat")
        assert again.added == 0
        new_id = back.chats[0]
        before = json.loads(render_recap(ctx, chat_id, "json").content)
        after = json.loads(render_recap(other, new_id, "json").content)
        assert _without_ids(after) == _without_ids(before)

        def seen(context: AppContext, chat: int) -> list[tuple[str, int | None, bool]]:
            posts = list_posts(context, chat)  # in id order: sort by what the posts say
            return sorted(((p.text, p.question, p.is_host) for p in posts), key=repr)

        assert seen(other, new_id) == seen(ctx, chat_id)
    finally:
        other.store.dispose()


def _x_folder(folder: Path, parts: list[list[tuple[str, datetime, str, str | None]]]) -> Path:
    """A small X archive folder: `parts` of (id, time, text, reply-to id) posts by kenji."""
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"username": "kenji", "accountId": "7"}}]'
    )
    for number, posts in enumerate(parts):
        records = []
        for post_id, moment, text, reply_to in posts:
            tweet = {
                "id_str": post_id,
                "created_at": moment.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "full_text": text,
            }
            if reply_to is not None:
                tweet["in_reply_to_status_id_str"] = reply_to
            records.append(json.dumps({"tweet": tweet}))
        name = "tweets.js" if number == 0 else f"tweets-part{number}.js"
        (data / name).write_text(
            f"window.YTD.tweets.part{number} = [\n" + ",\n".join(records) + "\n]"
        )
    return folder


def _two_chats(ctx: AppContext) -> tuple[int, int, datetime, datetime]:
    first, second = (
        datetime(2026, 2, 3, 18, 0, tzinfo=UTC),
        datetime(2026, 2, 10, 18, 0, tzinfo=UTC),
    )
    ids = []
    for start in (first, second):
        ids.append(
            do_restore_chat(
                ctx,
                ForeignChat(
                    series_tag="CafeChat",
                    title=f"Chat {start:%d}",
                    starts_at=start,
                    duration_minutes=60,
                    state="closed",
                    started_at=start,
                    ended_at=start + timedelta(hours=1),
                    closed_at=start + timedelta(hours=24),
                    comments_close_at=start + timedelta(hours=24),
                    questions=(ForeignQuestion(1, "Your morning?", start),),
                ),
            )[0]
        )
    return ids[0], ids[1], first, second


def test_one_reading_files_an_archive_out_of_time_order(ctx: AppContext, tmp_path: Path) -> None:
    """The archive is read once: a chat is filed once the archive has passed its window; a
    chat whose posts come back later (out of time order) gets them by a second call, its
    replies linked and attributed as if they had come together."""
    chat_a, chat_b, a, b = _two_chats(ctx)
    minute = timedelta(minutes=1)
    folder = _x_folder(
        tmp_path / "x",
        [
            [
                ("101", a + 5 * minute, "A1 a walk before the kettle", None),
                ("102", a + 9 * minute, "and tea #CafeChat", None),
                ("201", b + 5 * minute, "A1 no phone till ten", None),
            ],
            [
                ("103", a + 12 * minute, "me too, the same walk", "101"),  # chat A again
                ("202", b + 7 * minute, "A1 stretching", None),
                ("999", b + 3 * timedelta(days=1), "long after both", None),
            ],
        ],
    )
    summary = do_import(ctx, "x", folder, series="CafeChat", as_user="kenji")
    assert summary.chats == [chat_a, chat_b]
    assert (summary.added, summary.skipped) == (5, 1)
    posts_a, posts_b = _posts(ctx, chat_a), _posts(ctx, chat_b)
    assert sorted(posts_a) == ["101", "102", "103"]
    assert sorted(posts_b) == ["201", "202"]
    assert posts_a["103"].reply_to_post_id == posts_a["101"].id
    assert _segments(ctx, posts_a["103"].id) == [("reply", 1, False)]  # under kenji's answer
    again = do_import(ctx, "x", folder, series="CafeChat", as_user="kenji")
    assert (again.added, again.updated, again.unchanged, again.skipped) == (0, 0, 5, 1)


def test_a_bad_record_late_in_the_archive_leaves_the_chats_filed_before_it(
    ctx: AppContext, tmp_path: Path
) -> None:
    """One reading: a bad record stops the import; chats filed before it stay, the chat it
    belongs to gets nothing; the corrected archive then adds the rest."""
    chat_a, chat_b, a, b = _two_chats(ctx)
    minute = timedelta(minutes=1)
    good = [("101", a + 5 * minute, "A1 a walk", None), ("102", a + 6 * minute, "tea", None)]
    folder = _x_folder(tmp_path / "x", [good, [("201", b + 5 * minute, "A1 no phone", None)]])
    part = folder / "data" / "tweets-part1.js"
    part.write_text(part.read_text().replace("\n]", ',\n{"tweet": {"id_str": "202",\n]'))
    with pytest.raises(ImportFileError, match=r"tweets-part1\.js:\d+: "):
        do_import(ctx, "x", folder, series="CafeChat", as_user="kenji")
    assert sorted(_posts(ctx, chat_a)) == ["101", "102"]
    assert _posts(ctx, chat_b) == {}
    fixed = _x_folder(tmp_path / "fixed", [good, [("201", b + 5 * minute, "A1 no phone", None)]])
    summary = do_import(ctx, "x", fixed, series="CafeChat", as_user="kenji")
    assert (summary.added, summary.unchanged) == (1, 2)
