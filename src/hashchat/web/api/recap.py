"""/chats/{id}/recap: the transcript and figures in any format of `formats.recaps`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hashchat.actions.recap import render_recap
from hashchat.formats.recaps import RECAP_FORMATS
from hashchat.web.api.schemas import ChatId, refusals
from hashchat.web.deps import Ctx
from hashchat.web.downloads import content_disposition
from hashchat.web.security_headers import document_policy

router = APIRouter(tags=["recaps"])


@router.get(
    "/chats/{chat_id}/recap",
    response_class=Response,
    responses={
        200: {
            "description": "the recap in the asked format",
            "content": {f.media_type.split(";")[0]: {} for f in RECAP_FORMATS.values()},
        },
        **refusals(404, 409),
    },
)
async def chat_recap(
    chat_id: ChatId,
    ctx: Ctx,
    format: Annotated[str, Query(description=", ".join(RECAP_FORMATS))] = "json",
) -> Response:
    """The chat's recap: questions with their answers (late ones marked), and the figures."""
    rendered = await run_in_threadpool(render_recap, ctx, chat_id, format)
    headers = {"Content-Disposition": content_disposition(rendered.filename)}
    if rendered.media_type.startswith("text/html"):  # a whole document with its own <style>
        headers["Content-Security-Policy"] = document_policy(rendered.content)
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)
