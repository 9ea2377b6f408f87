"""/series/{tag}/insights and /chats/{id}/insights: honest figures as JSON (issue 13), and the
series' insight settings. Figures are public; names only for the series' hosts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from hashchat.actions.insights import do_set_insight_settings, get_series_insights
from hashchat.actions.insights import get_chat_insights as chat_insights_of
from hashchat.formats.insights_json import chat_document, insights_document
from hashchat.web.api.schemas import CHANGE_REFUSALS, READ_REFUSALS, ChatId
from hashchat.web.auth import Actor, MaybePrincipal
from hashchat.web.deps import Ctx

router = APIRouter(tags=["insights"])


class InsightSettingsIn(BaseModel):
    """A series' thresholds for verdicts; a field left out keeps the default."""

    model_config = ConfigDict(extra="forbid")
    return_k: int | None = Field(None, description="returning: came to k …")
    return_n: int | None = Field(None, description="… of the last n chats")
    trend_run: int | None = Field(None, description="chats in a row that make a trend")
    tumbleweed_participants: int | None = Field(None, description="alert below this many")
    tumbleweed_network_people: int | None = Field(
        None, description="alert when a network has fewer people in a chat"
    )


@router.get("/series/{tag}/insights", responses=READ_REFUSALS)
async def series_insights(tag: str, ctx: Ctx, principal: MaybePrincipal) -> dict[str, Any]:
    """`chats`: one object per started chat in time order (chat_id, starts_at (the actual
    start), participants, newcomers, returning, answers (segments), late (a count), reposts,
    per_network {network: {people, answers, replies, answered_share}}, and more); `series`:
    totals, returning rate, cohorts, verdicts, alerts, cadence, network focus. Names (regulars,
    cohort members) only for the series' hosts."""
    actor = principal.user if principal else None
    insights = await run_in_threadpool(get_series_insights, ctx, tag, actor)
    return insights_document(insights)


@router.get("/chats/{chat_id}/insights", responses=READ_REFUSALS)
async def chat_insights(chat_id: ChatId, ctx: Ctx) -> dict[str, Any]:
    """One started chat's figures, as in the series' `chats` list."""
    figures = await run_in_threadpool(chat_insights_of, ctx, chat_id)
    return chat_document(figures)


@router.put("/series/{tag}/insights/settings", responses=CHANGE_REFUSALS)
def put_insight_settings(
    tag: str, body: InsightSettingsIn, ctx: Ctx, actor: Actor
) -> dict[str, int]:
    """Set the series' thresholds (hosts only); returns them all."""
    values = {k: v for k, v in body.model_dump().items() if v is not None}
    wanted = do_set_insight_settings(ctx, actor, tag, values)
    return {
        "return_k": wanted.return_k,
        "return_n": wanted.return_n,
        "trend_run": wanted.trend_run,
        "tumbleweed_participants": wanted.tumbleweed_participants,
        "tumbleweed_network_people": wanted.tumbleweed_network_people,
    }
