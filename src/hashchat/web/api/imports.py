"""POST /api/v1/series/{tag}/imports: an archive uploaded by a host, imported into her series.

The body is the archive itself (any content type; `X-Filename` may name it, which helps
nobody but the error messages), streamed to a temporary file, never held in memory; the
body-limit middleware gives this route the upload limit (`max_upload_bytes`). Query: `kind`
(x, tags-csv, mastodon, bluesky, wxr, jsonl), and `chat` (every post into that chat) or
`split=true` (one chat per host Q1). The uploader is the `--as` of personal archives (x,
mastodon, bluesky, the blog's author for wxr): her handle there is linked to her.

The answer is the summary `{"chats", "added", "updated", "unchanged", "skipped"}` (422 with
`FILE:LINE: reason` for a bad archive, nothing of its chat written). With `progress=true` it
is streamed as JSON lines instead: `{"phase", "done", "total"}` as the archive is checked and
imported, then one `{"result": summary}` or `{"error": reason, "status": code}` (the page's
progress bar reads them).
"""

from __future__ import annotations

import json
import queue
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError, InvalidInputError
from hashchat.actions.imports import KINDS, PERSONAL, ImportSummary, do_import
from hashchat.actions.views import UserView
from hashchat.web.api.schemas import CHANGE_REFUSALS
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["imports"])
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ImportOut(BaseModel):
    """What the import did."""

    chats: list[int]
    added: int
    updated: int
    unchanged: int
    skipped: int


def _filename(request: Request, kind: str) -> str:
    given = request.headers.get("x-filename", "")
    name = _SAFE_NAME.sub("_", given.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._")[:100]
    default = {"x": "archive.zip", "tags-csv": "sheet.csv", "mastodon": "archive.zip",
               "bluesky": "repo.car", "wxr": "export.xml", "jsonl": "chat.jsonl"}[kind]  # fmt: skip
    return name or default


async def _spool(request: Request, folder: Path, name: str) -> Path:
    path = folder / name
    with path.open("wb") as out:
        async for chunk in request.stream():
            await run_in_threadpool(out.write, chunk)
    return path


def _run(
    ctx: AppContext, actor: UserView, tag: str, kind: str, path: Path, chat: int | None,
    split: bool, progress: object = None,
) -> ImportSummary:  # fmt: skip
    return do_import(
        ctx,
        kind,
        path,
        series=tag,
        chat_id=chat,
        split=split,
        as_user=actor.name if kind in PERSONAL else None,
        actor=actor,
        progress=progress,  # type: ignore[arg-type]
    )


@router.post(
    "/series/{tag}/imports",
    response_model=ImportOut,
    responses=CHANGE_REFUSALS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_archive(
    request: Request,
    tag: str,
    ctx: Ctx,
    actor: Actor,
    kind: Annotated[str, Query(description=f"one of {', '.join(KINDS)}")],
    chat: Annotated[int | None, Query(ge=1, description="put every post in this chat")] = None,
    split: Annotated[bool, Query(description="one chat per host Q1 post")] = False,
    progress: Annotated[bool, Query(description="stream progress as JSON lines")] = False,
) -> object:
    """Import an uploaded archive into the series (its owners and co-hosts)."""
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}")
    folder = Path(tempfile.mkdtemp(prefix="hashchat-import-"))
    try:
        path = await _spool(request, folder, _filename(request, kind))
    except BaseException:
        _remove(folder)
        raise
    if not progress:
        try:
            summary = await run_in_threadpool(_run, ctx, actor, tag, kind, path, chat, split)
        finally:
            _remove(folder)
        return ImportOut(**summary.as_dict())  # type: ignore[arg-type]
    return StreamingResponse(
        _progress_lines(ctx, actor, tag, kind, path, chat, split, folder),
        media_type="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _progress_lines(
    ctx: AppContext, actor: UserView, tag: str, kind: str, path: Path, chat: int | None,
    split: bool, folder: Path,
) -> Iterator[str]:  # fmt: skip
    """Run the import in a thread; yield its progress (at most ~5 lines a second), then its
    result or error. Run by Starlette in a worker thread (a sync iterator)."""
    lines: queue.Queue[dict[str, object] | None] = queue.Queue()
    last = [0.0]

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2 or done >= total:
            last[0] = now
            lines.put({"phase": phase, "done": done, "total": total})

    def work() -> None:
        try:
            summary = _run(ctx, actor, tag, kind, path, chat, split, report)
            lines.put({"result": summary.as_dict()})
        except ActionError as error:
            lines.put({"error": error.reason, "status": error.status})
        except Exception:  # the page must hear of it; the log has the traceback
            import logging

            logging.getLogger(__name__).exception("import failed")
            lines.put({"error": "the import failed on the server", "status": 500})
        finally:
            lines.put(None)

    thread = threading.Thread(target=work, name="hashchat-import", daemon=True)
    thread.start()
    try:
        while (line := lines.get()) is not None:
            yield json.dumps(line) + "\n"
    finally:
        thread.join()
        _remove(folder)


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    folder.rmdir()
