"""The insights as one self-contained HTML file (`hashchat report TAG --out report.html`): the
same figures, definitions and charts as the page, charts inlined as SVG data, one `<style>`,
no script and nothing fetched (its Content-Security-Policy meta tag forbids it)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from hashchat.actions.insights import SeriesInsights
from hashchat.formats.charts import ChartData, chart_data, render_svg
from hashchat.formats.insights_json import DEFINITIONS, insights_document

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fff; margin: 0 auto;
  max-width: 60rem; padding: 1rem; }
h1, h2, h3 { line-height: 1.2; }
table.figures { border-collapse: collapse; margin: 0.5rem 0 1rem; }
table.figures th, table.figures td { border: 1px solid #bbb; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
.definition, .interval, .muted { color: #4a4a4a; }
figure.chart { margin: 1rem 0 2rem; }
figure.chart img { max-width: 100%; height: auto; }
.table-scroll { overflow-x: auto; }
"""


@dataclass(frozen=True, slots=True)
class Report:
    """A report document and the policy that keeps it self-contained when served."""

    html: str
    policy: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("hashchat.formats", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_body(
    document: dict[str, Any],
    charts: list[ChartData],
    chart_src: Callable[[str], str],
    png_href: Callable[[str], str] | None = None,
) -> Markup:
    """The figures, definitions, charts and tables: shared by the page and the report."""
    html = (
        _environment()
        .get_template("insights_body.html.j2")
        .render(
            series=document["series"],
            chats=document["chats"],
            charts=charts,
            define=DEFINITIONS,
            chart_src=chart_src,
            png_links=png_href is not None,
            png_href=png_href or (lambda name: ""),
        )
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping environment


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def report_policy() -> str:
    """Nothing loads but the inlined chart images; only the report's own style applies."""
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    return (
        f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; "
        "form-action 'none'"
    )


def render_report(insights: SeriesInsights) -> Report:
    """The whole report document."""
    document = insights_document(insights)
    charts = chart_data(insights.figures)
    sources = {chart.name: _data_uri(render_svg(chart)) for chart in charts}
    body = render_body(document, charts, sources.__getitem__)
    policy = report_policy()
    html = (
        _environment()
        .get_template("insights_report.html.j2")
        .render(series=document["series"], body=body, style=STYLE, policy=policy)
    )
    return Report(html, policy)
