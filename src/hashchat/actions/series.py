"""Series: create one (the caller becomes its owner), read it, change and remove members."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import is_blocked, load_series, load_user, require, role_in
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.permissions import (
    STAFF,
    Mutation,
    Role,
    is_allowed,
    mutation_for_role_change,
)
from hashchat.actions.validation import check_text, check_timezone
from hashchat.actions.views import (
    ChatView,
    SeriesView,
    UserView,
    chat_view,
    series_view,
)
from hashchat.domain.text.length import NETWORK_LIMITS
from hashchat.domain.text.tags import normal_tag, tag_key, tag_skeleton
from hashchat.store.models import Block, ChatRow, Membership, QuestionRow, SeriesRow, User

TAG_PATTERN = re.compile(r"[^\W\d_][\w]{0,99}")
CHAR_RULES = tuple(NETWORK_LIMITS)
MAX_CHAR_LIMIT = 10_000
MAX_DESCRIPTION = 10_000
MAX_ANNOUNCEMENT_ZONES = 6


@dataclass(frozen=True, slots=True)
class MemberView:
    """A person's role in a series."""

    name: str
    display_name: str
    role: str


@dataclass(frozen=True, slots=True)
class SeriesDetail:
    """A series with its members and its chats (newest start first)."""

    series: SeriesView
    members: tuple[MemberView, ...]
    chats: tuple[ChatView, ...]


def check_tag(tag: str) -> str:
    """The tag without '#', in NFKC (`normal_tag`): a letter, then letters, digits or _."""
    cleaned = normal_tag(tag)
    if not TAG_PATTERN.fullmatch(cleaned):
        raise InvalidInputError(
            f"{tag!r} is not a hashtag: start with a letter, then letters, digits or _"
        )
    return cleaned


def check_char_rule(rule: str, limit: int) -> tuple[str, int]:
    """A known counting rule and a limit between 1 and MAX_CHAR_LIMIT."""
    if rule not in CHAR_RULES:
        raise InvalidInputError(f"unknown char_rule {rule!r}; use one of {', '.join(CHAR_RULES)}")
    if not 1 <= limit <= MAX_CHAR_LIMIT:
        raise InvalidInputError(f"char_limit must be between 1 and {MAX_CHAR_LIMIT}")
    return rule, limit


def check_optional_text(value: str, what: str, max_length: int) -> str:
    """A multi-line text that may be empty (description, guide): `check_text`'s rules else."""
    if not value.strip():
        return ""
    return check_text(value, what, max_length, multiline=True)


def check_announcement_zones(zones: Sequence[str]) -> tuple[str, ...]:
    """Up to MAX_ANNOUNCEMENT_ZONES IANA zones, canonical, each once, in the order given."""
    cleaned: list[str] = []
    for zone in zones:
        if not zone.strip():
            continue
        canonical = check_timezone(zone.strip())
        if canonical not in cleaned:
            cleaned.append(canonical)
    if len(cleaned) > MAX_ANNOUNCEMENT_ZONES:
        raise InvalidInputError(
            f"announcement_zones: at most {MAX_ANNOUNCEMENT_ZONES} zones, not {len(cleaned)}"
        )
    return tuple(cleaned)


def do_create_series(
    ctx: AppContext,
    actor: UserView,
    tag: str,
    title: str,
    timezone: str,
    char_rule: str = "x",
    char_limit: int = 280,
    description: str = "",
    guide: str = "",
    announcement_zones: Sequence[str] = (),
) -> SeriesView:
    """Create a series owned by `actor`; 409 naming the existing tag when the tag is taken
    case-insensitively or looks like a taken one (same TR39 skeleton: `domain.text.tags`)."""
    cleaned_tag = check_tag(tag)
    rule, limit = check_char_rule(char_rule, char_limit)
    row = SeriesRow(
        tag=cleaned_tag,
        tag_key=tag_key(cleaned_tag),
        tag_skeleton=tag_skeleton(cleaned_tag),
        title=check_text(title, "title", 200),
        timezone=check_timezone(timezone),
        char_rule=rule,
        char_limit=limit,
        description=check_optional_text(description, "description", MAX_DESCRIPTION),
        guide=check_optional_text(guide, "guide", MAX_DESCRIPTION),
        announcement_zones=",".join(check_announcement_zones(announcement_zones)),
        created_at=ctx.now(),
    )
    try:
        with ctx.store.write() as session:
            _refuse_taken_tag(session, row)
            session.add(row)
            session.flush()
            session.add(Membership(series_id=row.id, user_id=actor.id, role=Role.OWNER.value))
            return series_view(row)
    except sa.exc.IntegrityError:
        # Another request created the tag or a look-alike between our check and our insert:
        # the unique keys refused ours; name the winner.
        with ctx.store.read() as session:
            _refuse_taken_tag(session, row)
        raise


def _refuse_taken_tag(session: Session, row: SeriesRow) -> None:
    taken = session.scalar(
        sa.select(SeriesRow.tag)
        .where(sa.or_(SeriesRow.tag_key == row.tag_key, SeriesRow.tag_skeleton == row.tag_skeleton))
        .order_by(SeriesRow.id)
        .limit(1)
    )
    if taken is None:
        return
    if tag_key(taken) == row.tag_key:
        raise ConflictError(f"the series #{taken} exists already")
    raise ConflictError(f"#{row.tag} looks like the existing series #{taken}; choose another tag")


@dataclass(frozen=True, slots=True)
class SeriesChanges:
    """What an edit changes; None leaves a field as it is. The tag never changes: links,
    calendars and recaps name it."""

    title: str | None = None
    description: str | None = None
    timezone: str | None = None
    char_rule: str | None = None
    char_limit: int | None = None
    guide: str | None = None
    announcement_zones: Sequence[str] | None = None


def do_edit_series(
    ctx: AppContext, actor: UserView, tag: str, changes: SeriesChanges
) -> SeriesView:
    """Change a series' settings (hosts: the permission matrix's EDIT_SERIES); every field
    is checked as on creation, and nothing is stored unless all of them pass."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.EDIT_SERIES)
        rule, limit = check_char_rule(
            changes.char_rule if changes.char_rule is not None else series.char_rule,
            changes.char_limit if changes.char_limit is not None else series.char_limit,
        )
        if changes.title is not None:
            series.title = check_text(changes.title, "title", 200)
        if changes.description is not None:
            series.description = check_optional_text(
                changes.description, "description", MAX_DESCRIPTION
            )
        if changes.timezone is not None:
            series.timezone = check_timezone(changes.timezone)
        if changes.guide is not None:
            series.guide = check_optional_text(changes.guide, "guide", MAX_DESCRIPTION)
        if changes.announcement_zones is not None:
            series.announcement_zones = ",".join(
                check_announcement_zones(changes.announcement_zones)
            )
        series.char_rule, series.char_limit = rule, limit
        return series_view(series)


@dataclass(frozen=True, slots=True)
class SeriesPeople:
    """Who has a role in a series, who is blocked from it, and what the reader may change."""

    series: SeriesView
    members: tuple[MemberView, ...]
    blocked: tuple[str, ...]
    may: frozenset[Mutation]

    def may_remove(self, member: MemberView) -> bool:
        """The reader may take `member`'s role away (the matrix's `mutation_for_role_change`)."""
        return mutation_for_role_change(Role(member.role), None) in self.may

    def may_give(self, role: str) -> bool:
        """The reader may give someone without a role `role`."""
        return mutation_for_role_change(None, Role(role)) in self.may


def allowed_in_series(session: Session, series_id: int, actor: UserView) -> frozenset[Mutation]:
    """Every mutation the permission matrix lets `actor` do in the series (pages show the
    forms of these only; the actions still check each one)."""
    role = role_in(session, series_id, actor.id)
    return frozenset(m for m in Mutation if is_allowed(m, role, is_admin=actor.is_admin))


def may_in_series(ctx: AppContext, actor: UserView | None, tag: str) -> frozenset[Mutation]:
    """`allowed_in_series` by tag; nothing for an anonymous reader; 404 for an unknown tag."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        return frozenset() if actor is None else allowed_in_series(session, series.id, actor)


def people_of_series(ctx: AppContext, actor: UserView, tag: str) -> SeriesPeople:
    """Members by role and blocked people, for the series' staff (SEE_PEOPLE); 403 else."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.SEE_PEOPLE)
        members = session.execute(
            sa.select(User.name, User.display_name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.series_id == series.id)
            .order_by(Membership.id)
        ).all()
        blocked = session.scalars(
            sa.select(User.name)
            .join(Block, Block.user_id == User.id)
            .where(Block.series_id == series.id)
            .order_by(User.name)
        ).all()
        order = {role.value: index for index, role in enumerate(Role)}
        return SeriesPeople(
            series=series_view(series),
            members=tuple(
                sorted(
                    (MemberView(name, shown, role) for name, shown, role in members),
                    key=lambda member: order.get(member.role, len(order)),
                )
            ),
            blocked=tuple(blocked),
            may=allowed_in_series(session, series.id, actor),
        )


def get_series(ctx: AppContext, tag: str) -> SeriesDetail:
    """A series with members (in the order they joined) and chats (newest first); 404 when
    unknown."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        members = session.execute(
            sa.select(User.name, User.display_name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.series_id == series.id)
            .order_by(Membership.id)
        ).all()
        chats = session.scalars(
            sa.select(ChatRow)
            .where(ChatRow.series_id == series.id)
            .order_by(ChatRow.starts_at, ChatRow.id)
        ).all()
        questions = session.scalars(
            sa.select(QuestionRow).where(QuestionRow.chat_id.in_([c.id for c in chats]))
        ).all()
    by_chat: dict[int, list[QuestionRow]] = {}
    for question in questions:
        by_chat.setdefault(question.chat_id, []).append(question)
    return SeriesDetail(
        series=series_view(series),
        members=tuple(MemberView(name, shown, role) for name, shown, role in members),
        chats=tuple(chat_view(c, series.tag, by_chat.get(c.id, [])) for c in reversed(chats)),
    )


def list_series(ctx: AppContext) -> list[SeriesView]:
    """Every series, by tag."""
    with ctx.store.read() as session:
        rows = session.scalars(sa.select(SeriesRow).order_by(SeriesRow.tag_key)).all()
    return [series_view(row) for row in rows]


@dataclass(frozen=True, slots=True)
class SeriesWithNext:
    """A series in the site's list, with its next chat (None: nothing scheduled ahead)."""

    series: SeriesView
    next_chat: ChatView | None


def list_series_with_next(ctx: AppContext) -> list[SeriesWithNext]:
    """Every series by title, each with the earliest scheduled chat that starts from now on;
    two queries whatever the number of series."""
    now = ctx.now()
    with ctx.store.read() as session:
        rows = session.scalars(sa.select(SeriesRow).order_by(SeriesRow.title, SeriesRow.id)).all()
        upcoming = session.scalars(
            sa.select(ChatRow)
            .where(ChatRow.state == "scheduled", ChatRow.starts_at >= now)
            .order_by(ChatRow.starts_at, ChatRow.id)
        ).all()
        first: dict[int, ChatRow] = {}
        for chat in upcoming:
            first.setdefault(chat.series_id, chat)
        questions = session.scalars(
            sa.select(QuestionRow).where(QuestionRow.chat_id.in_([c.id for c in first.values()]))
        ).all()
    by_chat: dict[int, list[QuestionRow]] = {}
    for question in questions:
        by_chat.setdefault(question.chat_id, []).append(question)
    return [
        SeriesWithNext(
            series_view(row),
            chat_view(first[row.id], row.tag, by_chat.get(first[row.id].id, []))
            if row.id in first
            else None,
        )
        for row in rows
    ]


def check_role(role: str) -> Role:
    """A role name, or InvalidInputError listing the roles."""
    try:
        return Role(role.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidInputError(f"unknown role {role!r}; use one of {names}") from None


def _change_role(
    ctx: AppContext, actor: UserView, tag: str, name: str, wanted: Role | None
) -> MemberView | None:
    """Set a person's role in the series to `wanted` (None: take her role away).

    The permission matrix decides from the role she holds and the one she gets
    (`mutation_for_role_change`); a staff role is refused while she is blocked; the last owner
    cannot be demoted or removed, so a series always has someone who can add hosts (also when
    two requests race).
    """
    with ctx.store.write() as session:
        series = load_series(session, tag)
        # Role changes in one series take turns (PostgreSQL: a row lock; SQLite writes take
        # turns anyway), and every read below sees the changes committed before it: two
        # owners demoting each other at once cannot both pass the last-owner check.
        session.execute(sa.select(SeriesRow.id).where(SeriesRow.id == series.id).with_for_update())
        user = load_user(session, name)
        membership = session.scalar(
            sa.select(Membership).where(
                Membership.series_id == series.id, Membership.user_id == user.id
            )
        )
        current = None if membership is None else Role(membership.role)
        require(session, series.id, actor, mutation_for_role_change(current, wanted))
        if wanted in STAFF and is_blocked(session, series.id, user.id):
            raise ConflictError(
                f"{user.name} is blocked from #{series.tag}; unblock them before making them "
                f"a {wanted}"
            )
        if current is Role.OWNER and wanted is not Role.OWNER:
            owners = session.scalar(
                sa.select(sa.func.count(Membership.id)).where(
                    Membership.series_id == series.id, Membership.role == Role.OWNER.value
                )
            )
            if owners == 1:
                raise ConflictError(f"{user.name} is the only owner of #{series.tag}")
        if wanted is None:
            if membership is None:
                raise NotFoundError(f"{user.name} has no role in #{series.tag}")
            session.delete(membership)
            return None
        if membership is None:
            session.add(Membership(series_id=series.id, user_id=user.id, role=wanted.value))
        else:
            membership.role = wanted.value
        return MemberView(user.name, user.display_name, wanted.value)


def do_add_member(ctx: AppContext, actor: UserView, tag: str, name: str, role: str) -> MemberView:
    """Give a person a role in the series, or change hers. Owners only when she holds or gets
    a host role (owner, cohost); hosts for moderators and participants."""
    member = _change_role(ctx, actor, tag, name, check_role(role))
    assert member is not None
    return member


def do_remove_member(ctx: AppContext, actor: UserView, tag: str, name: str) -> None:
    """Take a person's role in the series away (404 when she has none); same rules as
    do_add_member."""
    _change_role(ctx, actor, tag, name, None)
