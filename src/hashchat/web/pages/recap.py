"""The recap page: the transcript by question and the figures, readable without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hashchat.actions.errors import NotFoundError
from hashchat.actions.recap import get_recap_page
from hashchat.formats.recap_common import question_heading, summary_rows, web_url
from hashchat.formats.recaps import RECAP_FORMATS
from hashchat.web.api.schemas import ChatId
from hashchat.web.pages.common import context_of, page, refusal

router = APIRouter()
EXPORTS = tuple((name, chosen.label) for name, chosen in RECAP_FORMATS.items())


@router.get("/chats/{chat_id}/recap", response_class=HTMLResponse, name="recap_page")
def recap_page(request: Request, chat_id: ChatId) -> HTMLResponse:
    """Figures, then each question with its answers (late and inferred marked), then the rest."""
    try:
        shown = get_recap_page(context_of(request), chat_id)
    except NotFoundError:
        return refusal(request, 404, "No such chat", f"There is no chat {chat_id}.")
    chat, series, transcript = shown.chat, shown.series, shown.transcript
    if transcript is None:
        # Nothing happened yet: no figures of zero and no download links (the API answers
        # 409). 404, since there is no recap to find, with the way to the room.
        return page(
            request,
            "recap.html",
            f"Recap: {chat.title}",
            status_code=404,
            chat=chat,
            series=series,
            not_started=True,
        )
    return page(
        request,
        "recap.html",
        f"Recap: {chat.title}",
        chat=chat,
        series=series,
        transcript=transcript,
        summary=summary_rows(transcript.figures),
        heading=lambda question: question_heading(question, question.text),
        exports=EXPORTS,
        web_url=web_url,
        not_started=False,
    )
