"""Importing a host's archives (`hashchat import …` and the console's upload page).

`do_import` reads an archive (`formats.x_archive`, `tags_csv`, `mastodon_archive`,
`bluesky_car`, `wxr`, or our own `chat_jsonl`) and files its posts through the ingest door
(`actions.ingest`), choosing each post's chat:

- `chat_id` (`--chat ID`): every post goes to that chat;
- by default, the chat of the series whose window holds the post (from its start to its
  comments closing; a chat not ended reaches `starts_at + duration + 24 h`); posts no window
  holds are counted as skipped;
- `split` (`--split`): one chat per host `Q1` post (`domain.split`), made on the first run and
  found again on the next; the host is known through `as_user` (a host of the series) or a
  handle of the archive's network linked to a host, else the import is refused.

It reads the archive once, streaming (`--split` twice: first to find the host's questions,
which also checks every record before anything is written). A chat's posts are handed to the
door in one call (one transaction per chat: all or nothing) as soon as the archive has moved
past the chat's window, so memory holds a chat or two at a time when the archive is in time
order (oldest or newest first), as every platform writes it. A bad record (named by its file
and line or record) stops the import: chats already filed stay, the chat it belongs to and
every later one get nothing; a run on the corrected file adds the rest. In an archive out of
time order a chat whose window was passed can come back: its later posts are then filed by
a second call at the end (no longer one transaction for that chat), and nothing more is
handed on early.

`as_user` links the archive's own handle (its owner) to that local user before filing, so her
posts count as hers (a host's as a host's). Tags sheets and JSON Lines files have no owner and
take none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from hashchat.actions.access import load_chat, load_series, load_user, require
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.ingest import (
    IngestCounts,
    do_import_chat,
    do_ingest_posts,
    handle_key,
    link_handle,
)
from hashchat.actions.permissions import HOSTS, Mutation
from hashchat.actions.views import UserView
from hashchat.domain.chat import ChatState
from hashchat.domain.ingest import ForeignChat, ForeignPost, ForeignQuestion
from hashchat.domain.split import LATE_AFTER_Q1, QuestionPost, SplitChat, Windows, question_post
from hashchat.domain.split import split_chats as find_split_chats
from hashchat.formats.archives import Archive, ArchiveError
from hashchat.formats.bluesky_car import open_bluesky_car
from hashchat.formats.mastodon_archive import open_mastodon_archive
from hashchat.formats.tags_csv import open_tags_csv
from hashchat.formats.wxr import open_wxr
from hashchat.formats.x_archive import open_x_archive
from hashchat.store.models import ChatRow, LinkedHandle, Membership, PostRow

OPENERS: dict[str, Callable[[Path], Archive]] = {
    "x": open_x_archive,
    "tags-csv": open_tags_csv,
    "mastodon": open_mastodon_archive,
    "bluesky": open_bluesky_car,
    "wxr": open_wxr,
}
KINDS = (*OPENERS, "jsonl")
_POSTS: sa.Table = PostRow.__table__  # type: ignore[assignment]
PERSONAL = frozenset({"x", "mastodon", "bluesky", "wxr"})

Progress = Callable[[str, int, int], None]
"""Called with (phase: "checking" | "importing", bytes read, bytes in all)."""


class ImportFileError(InvalidInputError):
    """The archive cannot be read: `FILE:LINE: reason` (nothing of it was written)."""


@dataclass
class ImportSummary:
    """What an import did: the chats it filed posts into, and the door's counts summed (plus
    the posts no chat's window held, in `skipped`)."""

    chats: list[int] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def add(self, chat_id: int, counts: IngestCounts) -> None:
        if chat_id not in self.chats:
            self.chats.append(chat_id)
        self.added += counts.added
        self.updated += counts.updated
        self.unchanged += counts.unchanged
        self.skipped += counts.skipped

    def as_dict(self) -> dict[str, object]:
        """The last line `hashchat import` prints."""
        return {
            "chats": self.chats,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def open_archive(kind: str, path: Path) -> Archive:
    """Open an archive of a known kind; ImportFileError when it cannot be read."""
    opener = OPENERS.get(kind)
    if opener is None:
        raise InvalidInputError(f"unknown archive kind {kind!r}: one of {', '.join(KINDS)}")
    try:
        return opener(path)
    except ArchiveError as error:
        raise ImportFileError(str(error)) from None


def do_import(
    ctx: AppContext,
    kind: str,
    path: Path,
    *,
    series: str,
    chat_id: int | None = None,
    split: bool = False,
    as_user: str | None = None,
    actor: UserView | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the archive at `path` into the series tagged `series` (see the module)."""
    if chat_id is not None and split:
        raise InvalidInputError("choose --chat or --split, not both")
    if kind == "jsonl":
        return _import_jsonl(ctx, path, series, chat_id, split, as_user, actor)
    if as_user is not None and kind not in PERSONAL:
        raise InvalidInputError(f"{kind} files are many people's: they take no --as")
    archive = open_archive(kind, path)
    if as_user is not None and archive.owner is None:
        raise InvalidInputError(f"{path.name} names no owner to link to {as_user}")
    with ctx.store.read() as session:
        series_row = load_series(session, series)
        if actor is not None:
            require(session, series_row.id, actor, Mutation.CREATE_CHAT)
        if chat_id is not None:
            chat = load_chat(session, chat_id)
            if chat.series_id != series_row.id:
                raise InvalidInputError(f"chat {chat_id} is not a chat of #{series_row.tag}")
        hosts = _host_handles(session, series_row.id, archive, as_user)
        series_windows = (
            [] if chat_id is not None or split else _series_windows(session, series_row.id)
        )
        windows = Windows(series_windows)
        tag = series_row.tag
    if split and not hosts:
        raise InvalidInputError(
            "--split needs the host: --as USER (a host of the series) for her own archive, "
            "or a handle linked to a host"
        )
    label = f"{kind} {path.name}"
    if as_user is not None:
        assert archive.owner is not None
        _link(ctx, as_user, archive)

    def read(phase: str) -> Iterator[ForeignPost]:
        def step(done: int) -> None:
            if progress is not None:
                progress(phase, done, archive.size)

        try:
            yield from archive.posts(step)
        except ArchiveError as error:
            raise ImportFileError(str(error)) from None
        if progress is not None:
            progress(phase, archive.size, archive.size)

    summary = ImportSummary()
    if split:
        found = _split(read("checking"), hosts)
        windows = Windows(
            [(c.starts_at, c.comments_close_at, index) for index, c in enumerate(found)]
        )
        bounds = {index: (c.starts_at, c.comments_close_at) for index, c in enumerate(found)}
        filed: set[int] = set()
        for index, posts in _by_chat(read("importing"), windows.chat_at, bounds, summary):
            record = _foreign_chat(ctx, tag, found[index])
            new_id, done = do_import_chat(ctx, label, record, _keep_known(ctx, posts))
            summary.add(new_id, done)
            filed.add(index)
        for index, alone in enumerate(found):  # a chat of questions alone is made too
            if index not in filed:
                new_id, done = do_import_chat(ctx, label, _foreign_chat(ctx, tag, alone), [])
                summary.add(new_id, done)
        return summary
    if chat_id is not None:
        target = chat_id
        chooser: Callable[[datetime], int | None] = lambda _moment: target  # noqa: E731
        bounds = {}
    else:
        chooser = windows.chat_at
        bounds = {chat: (start, end) for start, end, chat in series_windows}
    for chosen, posts in _by_chat(read("importing"), chooser, bounds, summary):
        posts = _keep_known(ctx, posts)
        summary.add(chosen, do_ingest_posts(ctx, label, chosen, posts, actor=actor))
    return summary


_CUT = ("…", "...")


def _keep_known(ctx: AppContext, posts: list[ForeignPost]) -> list[ForeignPost]:
    """What a poorer copy of a post must not take away from the stored one: a text X cut with
    `…` (a retweet in an archive) when the full text is known, and the display name a source
    without names (a tags sheet, empty `display_name`) cannot give."""
    wanted = [p for p in posts if not p.display_name or p.text.endswith(_CUT)]
    if not wanted:
        return posts
    known: dict[tuple[str, str, str], tuple[str, str]] = {}
    by_origin: dict[tuple[str, str], list[str]] = defaultdict(list)
    for post in wanted:
        by_origin[(post.network.value, post.source)].append(post.external_id)
    with ctx.store.read() as session:
        for (network, source), ids in by_origin.items():
            for start in range(0, len(ids), 500):
                # The whole identity, so the look-up uses its unique index.
                rows = session.connection().execute(  # Core: no ORM work per row
                    sa.select(_POSTS.c.external_id, _POSTS.c.text, _POSTS.c.display_name).where(
                        _POSTS.c.network == network,
                        _POSTS.c.source == source,
                        _POSTS.c.external_id.in_(ids[start : start + 500]),
                    )
                )
                for external_id, text, name in rows:
                    known[(network, source, external_id or "")] = (text, name)
    if not known:
        return posts
    merged = []
    for post in posts:
        poorer = not post.display_name or post.text.endswith(_CUT)
        stored = (
            known.get((post.network._value_, post.source, post.external_id)) if poorer else None
        )
        if stored is not None:
            text, name = stored
            changes: dict[str, str] = {}
            cut = post.text.rstrip("….").rstrip()
            if post.text.endswith(_CUT) and len(text) > len(cut) and text.startswith(cut):
                changes["text"] = text
            if not post.display_name:
                changes["display_name"] = name
            if changes:
                post = replace(post, **changes)  # type: ignore[arg-type]
        merged.append(post)
    return merged


def _import_jsonl(
    ctx: AppContext,
    path: Path,
    series: str,
    chat_id: int | None,
    split: bool,
    as_user: str | None,
    actor: UserView | None,
) -> ImportSummary:
    from hashchat.formats.chat_jsonl import ChatFileError, import_chat_jsonl, open_chat_jsonl

    if as_user is not None:
        raise InvalidInputError("jsonl files are many people's: they take no --as")
    if chat_id is not None or split:
        raise InvalidInputError("a jsonl export recreates its own chat: no --chat or --split")
    try:
        header = open_chat_jsonl(path).chat
        if header.series_tag.lstrip("#").casefold() != series.lstrip("#").casefold():
            raise InvalidInputError(
                f"{path.name} is a chat of #{header.series_tag}, not of #{series.lstrip('#')}"
            )
        new_id, counts = import_chat_jsonl(ctx, path, actor=actor)
    except ChatFileError as error:
        raise ImportFileError(f"{path.name}:{error}") from None
    except OSError as error:
        raise ImportFileError(f"{path.name}: {error.strerror or error}") from None
    summary = ImportSummary()
    summary.add(new_id, counts)
    return summary


def _host_handles(
    session: sa.orm.Session, series_id: int, archive: Archive, as_user: str | None
) -> frozenset[str]:
    """The handles (compared by `handle_key`) of the series' hosts on the archive's network."""
    host_ids = set(
        session.scalars(
            sa.select(Membership.user_id).where(
                Membership.series_id == series_id,
                Membership.role.in_([role.value for role in HOSTS]),
            )
        )
    )
    handles = {
        handle
        for handle, user_id in session.execute(
            sa.select(LinkedHandle.handle, LinkedHandle.user_id).where(
                LinkedHandle.network == archive.network.value
            )
        )
        if user_id in host_ids
    }
    owner = archive.owner
    if as_user is not None and owner is not None and load_user(session, as_user).id in host_ids:
        handles.add(handle_key(owner))
    return frozenset(handles)


def _link(ctx: AppContext, as_user: str, archive: Archive) -> None:
    assert archive.owner is not None
    with ctx.store.write() as session:
        link_handle(
            session, load_user(session, as_user), archive.network.value, archive.owner, ctx.now()
        )


def _series_windows(
    session: sa.orm.Session, series_id: int
) -> list[tuple[datetime, datetime, int]]:
    windows = []
    for chat in session.scalars(sa.select(ChatRow).where(ChatRow.series_id == series_id)):
        start = chat.started_at or chat.starts_at
        ended = chat.ended_at or chat.starts_at + timedelta(minutes=chat.duration_minutes)
        end = chat.comments_close_at or ended + LATE_AFTER_Q1
        windows.append((start, max(start, end), chat.id))
    return windows


def _split(posts: Iterator[ForeignPost], hosts: frozenset[str]) -> list[SplitChat]:
    questions: list[QuestionPost] = []
    for post in posts:
        if post.repost_of is None and handle_key(post.author_handle) in hosts:
            found = question_post(post.text, post.created_at)
            if found is not None:
                questions.append(found)
    return find_split_chats(questions)


def _by_chat(
    posts: Iterator[ForeignPost],
    chooser: Callable[[datetime], int | None],
    bounds: dict[int, tuple[datetime, datetime]],
    summary: ImportSummary,
) -> Iterator[tuple[int, list[ForeignPost]]]:
    """Each chat's posts, handed on as soon as the archive has moved past the chat's window
    (`bounds`; a chat without bounds waits for the end); posts no chat takes are counted as
    skipped. Once a chat handed on gets posts again (an archive out of time order), nothing
    more is handed on before the end."""
    buffers: dict[int, list[ForeignPost]] = {}
    handed: set[int] = set()
    in_order = True
    previous: int | None = None
    for post in posts:
        moment = post.created_at
        chosen = chooser(moment)
        if chosen is None:
            summary.skipped += 1
            continue
        if chosen != previous and in_order:
            if chosen in handed:
                in_order = False
            else:
                for done in [
                    chat
                    for chat in buffers
                    if chat in bounds and not bounds[chat][0] <= moment <= bounds[chat][1]
                ]:
                    handed.add(done)
                    yield done, buffers.pop(done)
            previous = chosen
        buffer = buffers.get(chosen)
        if buffer is None:
            buffer = buffers[chosen] = []
        buffer.append(post)
    yield from buffers.items()


def _foreign_chat(ctx: AppContext, tag: str, chat: SplitChat) -> ForeignChat:
    now = ctx.now()
    if chat.comments_close_at <= now:
        state, closed = ChatState.CLOSED, chat.comments_close_at
    elif chat.ends_at <= now:
        state, closed = ChatState.LATE_ANSWERS, None
    else:
        state, closed = ChatState.LIVE, None
    return ForeignChat(
        series_tag=tag,
        title=chat.title(tag),
        starts_at=chat.starts_at,
        duration_minutes=chat.duration_minutes,
        state=state.value,
        questions=tuple(
            ForeignQuestion(number, q.text[:2000], q.created_at)
            for number, q in sorted(chat.questions.items())
        ),
        started_at=chat.starts_at,
        ended_at=chat.ends_at if state is not ChatState.LIVE else None,
        closed_at=closed,
        comments_close_at=chat.comments_close_at,
    )


@dataclass(frozen=True)
class ImportPageView:
    """What the console's import page shows: the series and its chats (newest first)."""

    tag: str
    title: str
    chats: list[tuple[int, str, str]]  # (id, title, starts_at ISO)


def import_page(ctx: AppContext, actor: UserView, series: str) -> ImportPageView:
    """The import page of a series, for its hosts (403 otherwise)."""
    with ctx.store.read() as session:
        row = load_series(session, series)
        require(session, row.id, actor, Mutation.CREATE_CHAT)
        chats = [
            (chat.id, chat.title, chat.starts_at.isoformat())
            for chat in session.scalars(
                sa.select(ChatRow)
                .where(ChatRow.series_id == row.id)
                .order_by(ChatRow.starts_at.desc())
                .limit(200)
            )
        ]
        return ImportPageView(row.tag, row.title, chats)
