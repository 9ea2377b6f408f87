"""A whole chat exported and imported back: into a fresh database the recap JSON and the posts
API are the same (not the JSONL text); into the same one nothing is added; any generated chat
round-trips (hypothesis); `hashchat recap` reads the export; a bad line names itself."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashchat.actions.accounts import do_register, get_user
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import NotFoundError
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.moderation import do_hide_post, do_spotlight_post
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.recap import get_recap
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.actions.views import PostView, to_json
from hashchat.assembly import build_context
from hashchat.demo import seed_demo
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.chat_jsonl import (
    ChatFileError,
    export_chat_jsonl,
    import_chat_jsonl,
    open_chat_jsonl,
)
from hashchat.formats.posts_jsonl import parse_posts_jsonl
from hashchat.formats.recap_json import recap_document
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import ChatRow

T0 = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def _database(directory: Path, name: str, clock: _Clock, base_url: str) -> Iterator[AppContext]:
    url = f"sqlite:///{directory / name}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        clock=clock,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        post_rate=RateLimit(10_000, 1.0),
        base_url=base_url,
    )
    ctx = build_context(settings)
    try:
        yield ctx
    finally:
        ctx.store.dispose()


def _series_with_hosts(ctx: AppContext, tag: str) -> None:
    """The series on the importing server, with the same hosts."""
    owner = do_register(ctx, "kaizencoach", "correct horse battery")
    do_create_series(ctx, owner, tag, "Kaizen", "UTC")
    do_register(ctx, "leanlaura", "correct horse battery")
    do_add_member(ctx, owner, tag, "leanlaura", "cohost")


def _export(ctx: AppContext, chat_id: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        export_chat_jsonl(ctx, chat_id, out)


def _id_map(source: AppContext, source_chat: int, target: AppContext, target_chat: int) -> dict:
    def order(ctx: AppContext, chat_id: int) -> list[int]:
        views = list_posts(ctx, chat_id, include_hidden=True)
        return [v.id for v in sorted(views, key=lambda v: (v.created_at, v.id))]

    before, after = order(source, source_chat), order(target, target_chat)
    assert len(before) == len(after)
    return {str(a): str(b) for a, b in zip(before, after, strict=True)}


def _renumbered(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                type(item)(ids.get(str(item), item))
                if key in {"id", "post_id", "reply_to"} and item is not None
                else _renumbered(item, ids)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_renumbered(item, ids) for item in value]
    return value


def _recap(ctx: AppContext, chat_id: int) -> dict[str, Any]:
    data = get_recap(ctx, chat_id)
    return recap_document(data.transcript, tag=data.hashtag)


def _posts_api(ctx: AppContext, chat_id: int, ids: dict[str, str] | None = None) -> list[Any]:
    posts = []
    for view in list_posts(ctx, chat_id, include_hidden=True):
        record = to_json(view)
        del record["chat_id"]
        if ids is not None:
            record = _renumbered(record, ids)
        if record["network"] == "hashchat":
            record["external_id"] = None  # typed there: identified by its id in the file
        if record["hidden"]:
            # The API never shows a hidden post; what it was attributed to before it was
            # hidden is not part of the chat (a post hidden before it arrives has none).
            for field in ("question", "part", "inferred", "late", "segments"):
                del record[field]
        posts.append(record)
    return sorted(posts, key=lambda p: (p["created_at"], int(p["id"])))


def _assert_round_trip(source: AppContext, chat_id: int, target: AppContext, path: Path) -> int:
    new_id, counts = import_chat_jsonl(target, path)
    ids = _id_map(source, chat_id, target, new_id)
    assert _renumbered(_recap(source, chat_id), ids) == _recap(target, new_id)
    assert _posts_api(source, chat_id, ids) == _posts_api(target, new_id)
    again_id, again = import_chat_jsonl(target, path)
    assert again_id == new_id
    assert again.added == 0
    assert again.updated == 0
    assert counts.added == len(ids)
    return new_id


def test_demo_chat_round_trips_into_a_fresh_database(tmp_path: Path) -> None:
    clock = _Clock(datetime(2026, 11, 25, 22, 0, tzinfo=UTC))
    export = tmp_path / "chat.jsonl"
    with _database(tmp_path, "a.sqlite3", clock, "https://a.example") as source:
        community = seed_demo(source, clock.now)
        _export(source, community.past_chat_id, export)
        header = open_chat_jsonl(export).chat
        assert header.series_tag == "KaizenBiz"
        assert header.state == "closed"
        assert len(header.questions) == 6
        assert all(q.asked_at is not None for q in header.questions)
        with _database(tmp_path, "b.sqlite3", clock, "https://b.example") as target:
            _series_with_hosts(target, "KaizenBiz")
            new_id = _assert_round_trip(source, community.past_chat_id, target, export)
            # the copy exports to the same posts again (identity kept across servers)
            second = tmp_path / "second.jsonl"
            _export(target, new_id, second)
            lines = [json.loads(line) for line in export.read_text().splitlines()[1:]]
            again = [json.loads(line) for line in second.read_text().splitlines()[1:]]
            identity = [(p["network"], p["source"], p["external_id"]) for p in lines]
            assert identity == [(p["network"], p["source"], p["external_id"]) for p in again]


def test_export_read_back_on_the_same_server_changes_nothing(tmp_path: Path) -> None:
    clock = _Clock(T0)
    with _database(tmp_path, "a.sqlite3", clock, "https://a.example") as ctx:
        chat_id = _typed_chat(ctx, clock)
        export = tmp_path / "chat.jsonl"
        _export(ctx, chat_id, export)
        before = _posts_api(ctx, chat_id)
        same_id, counts = import_chat_jsonl(ctx, export)
        assert same_id == chat_id
        assert counts.as_dict() == {
            "added": 0,
            "updated": 0,
            "unchanged": len(before),
            "skipped": 0,
        }
        assert _posts_api(ctx, chat_id) == before


def _typed_chat(ctx: AppContext, clock: _Clock) -> int:
    _series_with_hosts(ctx, "KaizenBiz")
    host = do_register(ctx, "tom", "correct horse battery")
    coach = get_user(ctx, "kaizencoach")
    chat = do_create_chat(ctx, coach, "KaizenBiz", "Habits", T0, 60, ["Wins?", "Tools?"])
    do_start_chat(ctx, coach, chat.id)
    clock.now += timedelta(minutes=6)
    do_next_question(ctx, coach, chat.id)
    clock.now += timedelta(minutes=1)
    first = do_create_post(ctx, host, chat.id, "A1 I fixed the shelving 🧰 #KaizenBiz")
    clock.now += timedelta(minutes=1)
    do_create_post(ctx, coach, chat.id, "nice one", reply_to=first.id)
    return chat.id


def test_recap_file_reads_the_export(tmp_path: Path) -> None:
    clock = _Clock(T0)
    with _database(tmp_path, "a.sqlite3", clock, "https://a.example") as ctx:
        chat_id = _typed_chat(ctx, clock)
        out = io.StringIO()
        export_chat_jsonl(ctx, chat_id, out)
    posts_file = parse_posts_jsonl(out.getvalue().encode())
    assert len(posts_file.posts) == len(out.getvalue().splitlines()) - 1
    reply = posts_file.posts[-1]
    assert reply.reply_to == posts_file.posts[-2].id


def test_a_bad_line_is_named_and_nothing_is_stored(tmp_path: Path) -> None:
    clock = _Clock(T0)
    with _database(tmp_path, "a.sqlite3", clock, "https://a.example") as ctx:
        chat_id = _typed_chat(ctx, clock)
        export = tmp_path / "chat.jsonl"
        _export(ctx, chat_id, export)
        lines = export.read_text().splitlines()
        with _database(tmp_path, "b.sqlite3", clock, "https://b.example") as target:
            _series_with_hosts(target, "KaizenBiz")
            broken = tmp_path / "broken.jsonl"
            broken.write_text("\n".join([*lines, lines[-1][:-5]]) + "\n")
            with pytest.raises(ChatFileError, match=f"line {len(lines) + 1}: is not valid JSON"):
                import_chat_jsonl(target, broken)
            unknown = tmp_path / "unknown.jsonl"
            unknown.write_text(lines[1] + "\n")
            with pytest.raises(ChatFileError, match="line 1: the first line must be the chat"):
                import_chat_jsonl(target, unknown)
            no_series = tmp_path / "no_series.jsonl"
            header = json.loads(lines[0]) | {"series": "Missing"}
            no_series.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
            with pytest.raises(NotFoundError):
                import_chat_jsonl(target, no_series)
            with target.store.read() as session:
                assert session.scalar(sa.select(sa.func.count()).select_from(ChatRow)) == 0


# A generated chat: posts typed here and posts from elsewhere, replies, hides, spotlights.

_WORDS = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"),
    ),
    max_size=30,
)
_TAGS = st.sampled_from(["", "A1 ", "A2 ", "a1: ", "Q1 ", "A1 & A2: ", "T1 "])
_POST = st.fixed_dictionaries(
    {
        "author": st.sampled_from(["kaizencoach", "leanlaura", "tom", "rosa@m.social", "kai"]),
        "foreign": st.booleans(),
        "text": st.tuples(_TAGS, _WORDS).map(lambda t: (t[0] + t[1]).strip() or "hello"),
        "gap": st.integers(min_value=0, max_value=400),
        "reply": st.none() | st.integers(min_value=0, max_value=20),
        "hidden": st.booleans(),
        "spotlight": st.booleans(),
        "repost": st.booleans(),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(_POST, min_size=1, max_size=12), st.integers(min_value=1, max_value=3))
def test_any_generated_chat_round_trips(posts: list[dict[str, Any]], questions: int) -> None:
    with tempfile.TemporaryDirectory() as raw:
        directory = Path(raw)
        clock = _Clock(T0)
        with _database(directory, "a.sqlite3", clock, "https://a.example") as source:
            chat_id = _generated_chat(source, clock, posts, questions)
            export = directory / "chat.jsonl"
            _export(source, chat_id, export)
            with _database(directory, "b.sqlite3", clock, "https://b.example") as target:
                _series_with_hosts(target, "KaizenBiz")
                _assert_round_trip(source, chat_id, target, export)


def _view(ctx: AppContext, chat_id: int, **match: object) -> PostView:
    views = list_posts(ctx, chat_id, include_hidden=True)
    return next(v for v in views if all(getattr(v, k) == value for k, value in match.items()))


def _generated_chat(
    ctx: AppContext, clock: _Clock, posts: list[dict[str, Any]], questions: int
) -> int:
    _series_with_hosts(ctx, "KaizenBiz")
    coach = get_user(ctx, "kaizencoach")
    users = {"kaizencoach": coach, "leanlaura": get_user(ctx, "leanlaura")}
    users["tom"] = do_register(ctx, "tom", "correct horse battery")
    chat = do_create_chat(
        ctx, coach, "KaizenBiz", "Gen", T0, 60, [f"Q{n}?" for n in range(1, questions + 1)]
    )
    do_start_chat(ctx, coach, chat.id)
    made: list[int] = []
    asked = 0
    for index, spec in enumerate(posts):
        clock.now += timedelta(seconds=spec["gap"])
        if asked < questions and index % 3 == 0:
            do_next_question(ctx, coach, chat.id)
            asked += 1
        parent = made[spec["reply"] % len(made)] if spec["reply"] is not None and made else None
        if spec["foreign"] or spec["author"] not in users:
            external = f"ext-{index}"
            parent_view = None if parent is None else _view(ctx, chat.id, id=parent)
            do_ingest_posts(
                ctx,
                "gen",
                chat.id,
                [
                    ForeignPost(
                        network=Network.MASTODON,
                        source="m.social",
                        external_id=external,
                        author_handle=spec["author"],
                        display_name=spec["author"].title(),
                        text=spec["text"],
                        created_at=clock.now,
                        reply_to=None
                        if parent_view is None
                        else parent_view.external_id or str(parent_view.id),
                        reply_to_network=None
                        if parent_view is None or parent_view.external_id
                        else Network.HASHCHAT,
                        reply_to_source=None
                        if parent_view is None or parent_view.external_id
                        else ctx.settings.base_url,
                        repost_of="x" if spec["repost"] else None,
                    )
                ],
            )
            post_id = _view(ctx, chat.id, external_id=external).id
        else:
            post_id = do_create_post(ctx, users[spec["author"]], chat.id, spec["text"], parent).id
        made.append(post_id)
        if spec["hidden"]:
            do_hide_post(ctx, coach, post_id)
        elif spec["spotlight"]:
            do_spotlight_post(ctx, coach, post_id)
    clock.now = max(clock.now, T0 + timedelta(minutes=61))
    do_end_chat(ctx, coach, chat.id)
    return chat.id


def test_topic_travels_in_the_header(tmp_path: Path) -> None:
    clock = _Clock(T0)
    with _database(tmp_path, "a.sqlite3", clock, "https://a.example") as ctx:
        chat_id = _typed_chat(ctx, clock)
        with ctx.store.write() as session:
            chat = session.get(ChatRow, chat_id)
            assert chat is not None
            chat.topic = "Small wins:\nthe 1% that adds up 🌱"
        export = tmp_path / "chat.jsonl"
        _export(ctx, chat_id, export)
        with _database(tmp_path, "b.sqlite3", clock, "https://b.example") as target:
            _series_with_hosts(target, "KaizenBiz")
            new_id, _ = import_chat_jsonl(target, export)
            with target.store.read() as session:
                copy = session.get(ChatRow, new_id)
                assert copy is not None
                assert copy.topic == "Small wins:\nthe 1% that adds up 🌱"
