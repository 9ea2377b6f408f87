"""/series/{tag}/insights: the series' honest figures, each beside its one-sentence definition,
with charts (SVG drawn server-side, PNG to download, a data table under each) and, for its
hosts, the names behind them and the verdict thresholds."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.errors import ActionError
from hashchat.actions.insights import (
    THRESHOLD_BOUNDS,
    do_set_insight_settings,
    get_series_insights,
)
from hashchat.actions.series import get_series
from hashchat.formats.charts import CHARTS, chart_data, render_png, render_svg
from hashchat.formats.insights_json import insights_document
from hashchat.formats.report_html import render_body, render_report
from hashchat.web.auth import require_csrf
from hashchat.web.downloads import content_disposition
from hashchat.web.pages.common import context_of, page, refusal, see_other, viewer_of

router = APIRouter()
# An SVG shown through <img> runs no script; matplotlib styles its shapes inline.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@router.get("/series/{tag}/insights", response_class=HTMLResponse, name="insights_page")
async def insights_page(request: Request, tag: str) -> HTMLResponse:
    """Verdicts, totals, charts, chats, cadence, networks, cohorts; names for hosts."""
    ctx = context_of(request)
    viewer = viewer_of(request)
    try:
        insights = await run_in_threadpool(get_series_insights, ctx, tag, viewer)
    except ActionError as error:
        return refusal(request, error.status, "No insights", str(error))
    document = insights_document(insights)
    charts = chart_data(insights.figures)
    base = f"/series/{quote(insights.tag)}/insights/charts/"
    body = render_body(
        document, charts, lambda name: f"{base}{name}.svg", lambda name: f"{base}{name}.png"
    )
    return page(
        request,
        "insights.html",
        f"Insights: #{insights.tag}",
        insights=insights,
        body=body,
        series=document["series"],
        chats=document["chats"],
        bounds=THRESHOLD_BOUNDS,
        is_host=insights.names is not None,
    )


@router.get("/series/{tag}/insights/charts/{name}.{ext}", name="insights_chart")
async def insights_chart(request: Request, tag: str, name: str, ext: str) -> Response:
    """One chart as SVG (shown on the page) or PNG (to download)."""
    if name not in CHARTS or ext not in ("svg", "png"):
        return refusal(request, 404, "No such chart", f"There is no chart {name}.{ext}.")
    ctx = context_of(request)
    try:
        insights = await run_in_threadpool(get_series_insights, ctx, tag, None)
    except ActionError as error:
        return refusal(request, error.status, "No insights", str(error))
    data = CHARTS[name](insights.figures)
    if ext == "svg":
        svg = await run_in_threadpool(render_svg, data)
        return Response(
            svg, media_type="image/svg+xml", headers={"Content-Security-Policy": SVG_POLICY}
        )
    png = await run_in_threadpool(render_png, data)
    filename = f"{insights.tag}-{name}.png"
    return Response(
        png, media_type="image/png", headers={"Content-Disposition": content_disposition(filename)}
    )


@router.get("/series/{tag}/insights/report.html", name="insights_report")
async def insights_report(request: Request, tag: str) -> Response:
    """The same figures and charts as one self-contained HTML file (what `hashchat report`
    writes), with names when the reader is a host."""
    ctx = context_of(request)
    try:
        insights = await run_in_threadpool(get_series_insights, ctx, tag, viewer_of(request))
    except ActionError as error:
        return refusal(request, error.status, "No insights", str(error))
    report = await run_in_threadpool(render_report, insights)
    return Response(
        report.html,
        media_type="text/html; charset=utf-8",
        headers={
            # frame-ancestors works in a header only, not in the file's meta policy
            "Content-Security-Policy": f"{report.policy}; frame-ancestors 'none'",
            "Content-Disposition": content_disposition(f"{insights.tag}-report.html"),
        },
    )


@router.post(
    "/series/{tag}/insights/settings",
    name="insights_settings",
    dependencies=[Depends(require_csrf)],
)
async def insights_settings(
    request: Request,
    tag: str,
    return_k: Annotated[str, Form()] = "",
    return_n: Annotated[str, Form()] = "",
    trend_run: Annotated[str, Form()] = "",
    tumbleweed_participants: Annotated[str, Form()] = "",
    tumbleweed_network_people: Annotated[str, Form()] = "",
) -> Response:
    """The hosts' form: thresholds for returning, trends and tumbleweed alerts."""
    viewer = viewer_of(request)
    if viewer is None:
        return refusal(request, 401, "Log in first", "Log in as a host of this series.")
    try:
        get_series(context_of(request), tag)  # an unknown series is a 404 whatever the form says
    except ActionError as error:
        return refusal(request, error.status, "Not saved", str(error))
    raw = {
        "return_k": return_k,
        "return_n": return_n,
        "trend_run": trend_run,
        "tumbleweed_participants": tumbleweed_participants,
        "tumbleweed_network_people": tumbleweed_network_people,
    }
    values: dict[str, int] = {}
    for field, text in raw.items():
        if not text.strip().isdigit():
            return refusal(request, 422, "Not saved", f"{field} must be a whole number.")
        values[field] = int(text.strip())
    try:
        do_set_insight_settings(context_of(request), viewer, tag, values)
    except ActionError as error:
        return refusal(request, error.status, "Not saved", str(error))
    return see_other(f"/series/{quote(tag.strip().lstrip('#'))}/insights#settings")
