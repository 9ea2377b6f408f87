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
    ADD_MEMBER = "add_member"  # grant moderator or participant
    ADD_HOST = "add_host"  # grant owner or cohost
    POST = "post"


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
    Mutation.ADD_MEMBER: HOSTS,
    Mutation.ADD_HOST: frozenset({Role.OWNER}),
    Mutation.POST: EVERYONE,
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


def mutation_for_granting(role: Role) -> Mutation:
    """Granting a host role needs more than granting a moderator or participant role."""
    return Mutation.ADD_HOST if role in HOSTS else Mutation.ADD_MEMBER
