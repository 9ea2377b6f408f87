"""/series/{tag}/import: the host console's upload page. The archive goes straight from the
browser to POST /api/v1/series/{tag}/imports (static/import.js), which streams its progress;
the page shows the upload's progress, then the checking and importing, then what was done."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from hashchat.actions.errors import ActionError
from hashchat.actions.imports import import_page
from hashchat.web.pages.common import context_of, page, refusal, viewer_of

router = APIRouter(include_in_schema=False)

KIND_LABELS = (
    ("x", "X (Twitter) archive: the .zip from “Download your data”"),
    ("tags-csv", "Tweet-archiver spreadsheet (TAGS), saved as CSV"),
    ("mastodon", "Mastodon export: the .zip or .tar.gz"),
    ("bluesky", "Bluesky repository: the .car file"),
    ("wxr", "WordPress export (WXR): the .xml file"),
    ("jsonl", "hashchat chat export: the .jsonl file"),
)


@router.get("/series/{tag}/import", response_class=HTMLResponse, name="import_page")
async def import_page_view(request: Request, tag: str) -> HTMLResponse:
    """The upload form, for the series' hosts."""
    viewer = viewer_of(request)
    if viewer is None:
        return refusal(request, 401, "Log in first", "Log in as a host of the series to import.")
    try:
        view = await run_in_threadpool(import_page, context_of(request), viewer, tag)
    except ActionError as error:
        return refusal(request, error.status, "Cannot import", str(error))
    return page(request, "import.html", f"Import into #{view.tag}", view=view, kinds=KIND_LABELS)
