"""An upcoming chat seen from its room: the questions its host chose to show before the start."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, require
from hashchat.actions.chats import check_not_started
from hashchat.actions.context import AppContext
from hashchat.actions.permissions import Mutation
from hashchat.actions.views import UserView
from hashchat.domain.events import ResyncEvent
from hashchat.store.events import add_typed_event
from hashchat.store.models import ChatRow, QuestionRow


def do_set_questions_public(ctx: AppContext, actor: UserView, chat_id: int, public: bool) -> bool:
    """Show a scheduled chat's questions in its room before the start (or stop showing them).

    Whoever may edit the chat (`Mutation.EDIT_CHAT`) decides; 409 once the chat has started
    (then each question shows as it is asked). Open rooms reload to show the change."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.EDIT_CHAT)
        check_not_started(chat)
        chat.questions_public = public
        session.flush()
        add_typed_event(session, chat.id, ResyncEvent(chat.id, "plan"), now)
    ctx.bus.publish(chat_id)
    return public


def questions_shown_early(session: Session, chat: ChatRow) -> list[tuple[int, str]]:
    """The questions (number, text) an upcoming chat's room shows: all of them when the host
    made them public before the start, none otherwise."""
    if not chat.questions_public or chat.state != "scheduled":
        return []
    rows = session.execute(
        sa.select(QuestionRow.number, QuestionRow.text)
        .where(QuestionRow.chat_id == chat.id)
        .order_by(QuestionRow.number)
    ).all()
    return [(number, text) for number, text in rows]
