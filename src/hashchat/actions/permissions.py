"""Who may do what in a series: the whole permission matrix, as data, in one place.

Roles are per series. Site admins (`hashchat users add --admin`) act as owners everywhere.
Posting is open to every logged-in person who is not blocked from the series: chats are
public, like a hashtag; membership is not needed to take part.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """A person's role in one series."""

    OWNER = "owner"
    COHOST = "cohost"
    MODERATOR = "moderator"
    PARTICIPANT = "participant"


class Mutation(StrEnum):
    """Every change a person can ask for inside a series."""

    CREATE_CHAT = "create_chat"
    EDIT_QUESTION = "edit_question"
    START_CHAT = "start_chat"
    NEXT_QUESTION = "next_question"
    END_CHAT = "end_chat"
    CLOSE_CHAT = "close_chat"
    HIDE_POST = "hide_post"
    SPOTLIGHT_POST = "spotlight_post"
    BLOCK_USER = "block_user"
    UNBLOCK_USER = "unblock_user"
    # Grant, change or take away a role; which of the two a change needs:
    # mutation_for_role_change.
    ADD_MEMBER = "add_member"  # a change that touches moderator and participant roles only
    ADD_HOST = "add_host"  # a change from or to owner or cohost
    POST = "post"
    # Issue 9, a host runs her series from the browser.
    EDIT_SERIES = "edit_series"  # title, description, zone, character rule, guide, zones
    SCHEDULE_CHATS = "schedule_chats"  # one chat or a recurring schedule; stop a schedule
    RESCHEDULE_CHAT = "reschedule_chat"  # skip or move one chat that has not started
    SEE_PEOPLE = "see_people"  # a read: the series' members with their roles, and its blocks
    # Issue 13: a read, the names behind the insight figures (regulars, cohorts by person).
    SEE_INSIGHT_NAMES = "see_insight_names"
    EDIT_CHAT = "edit_chat"  # a chat's topic, cadence and list of questions, before it starts
    UNHIDE_POST = "unhide_post"  # undo a hide
    # Issue 11: connect, list (with health) and remove a series' network accounts.
    MANAGE_BRIDGES = "manage_bridges"


HOSTS = frozenset({Role.OWNER, Role.COHOST})
MODERATORS = HOSTS | {Role.MODERATOR}
EVERYONE = frozenset(Role)

PERMISSIONS: Mapping[Mutation, frozenset[Role]] = {
    Mutation.CREATE_CHAT: HOSTS,
    Mutation.EDIT_QUESTION: HOSTS,
    Mutation.START_CHAT: HOSTS,
    Mutation.NEXT_QUESTION: HOSTS,
    Mutation.END_CHAT: HOSTS,
    Mutation.CLOSE_CHAT: HOSTS,
    Mutation.HIDE_POST: MODERATORS,
    Mutation.SPOTLIGHT_POST: MODERATORS,
    Mutation.BLOCK_USER: MODERATORS,
    Mutation.UNBLOCK_USER: MODERATORS,
    Mutation.ADD_MEMBER: HOSTS,
    Mutation.ADD_HOST: frozenset({Role.OWNER}),
    Mutation.POST: EVERYONE,
    Mutation.EDIT_SERIES: HOSTS,
    Mutation.SCHEDULE_CHATS: HOSTS,
    Mutation.RESCHEDULE_CHAT: HOSTS,
    Mutation.SEE_PEOPLE: MODERATORS,
    Mutation.SEE_INSIGHT_NAMES: HOSTS,
    Mutation.EDIT_CHAT: HOSTS,
    Mutation.UNHIDE_POST: MODERATORS,
    Mutation.MANAGE_BRIDGES: HOSTS,
}

# Mutations a logged-in person may do without any role in the series.
OPEN_TO_NON_MEMBERS: frozenset[Mutation] = frozenset({Mutation.POST})


def is_allowed(mutation: Mutation, role: Role | None, *, is_admin: bool = False) -> bool:
    """True when someone with `role` in a series (None: no role) may do `mutation` there."""
    if is_admin:
        return True
    if role is None:
        return mutation in OPEN_TO_NON_MEMBERS
    return role in PERMISSIONS[mutation]


def mutation_for_role_change(current: Role | None, wanted: Role | None) -> Mutation:
    """What changing a person's role from `current` to `wanted` needs (None: no role, so
    `wanted=None` is taking her role away). Any change that touches a host role, the one she
    holds or the one she is given, is ADD_HOST: only owners may make, unmake, demote or remove
    an owner or a cohost; hosts manage moderators and participants."""
    return Mutation.ADD_HOST if current in HOSTS or wanted in HOSTS else Mutation.ADD_MEMBER


# A block and a staff role never coexist: blocking someone who holds one of these is refused
# (take the role away first), and so is giving one to a blocked person (unblock her first).
STAFF = MODERATORS
