"""The insight charts, drawn server-side with matplotlib: SVG (with `<title>` and `<desc>`) for
the page and the report, PNG for a blog post. Each chart comes with its data as a table, the
fallback for anyone who would rather read than look."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")  # no display: before pyplot is imported

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from hashchat.domain.insights import SeriesFigures

PALETTE = ("#1f5fa8", "#c2571a", "#2e7d32", "#6a1b9a", "#795548", "#00838f")


@dataclass(frozen=True, slots=True)
class ChartData:
    """What a chart shows, as a table: a title, a one-sentence description, rows."""

    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]


def activity_by_minute(figures: SeriesFigures) -> ChartData:
    """Posts per minute from each chat's start, summed over every chat."""
    total: Counter[int] = Counter()
    for chat in figures.chats:
        total.update(chat.posts_by_minute)
    minutes = range(min(120, max([60, *total])) + 1)
    busiest = max(total, key=lambda m: total[m]) if total else 0
    return ChartData(
        "activity",
        "Posts per minute of the chat",
        f"Visible posts (not reposts) by minute since each chat's start, summed over "
        f"{len(figures.chats)} chats; the busiest minute is minute {busiest}.",
        ("minute", "posts"),
        tuple((m, total.get(m, 0)) for m in minutes),
    )


def answers_per_question(figures: SeriesFigures) -> ChartData:
    """Mean answers per question number across the chats that asked it."""
    sums: Counter[int] = Counter()
    counts: Counter[int] = Counter()
    for chat in figures.chats:
        for q in chat.questions:
            sums[q.number] += q.answers
            counts[q.number] += 1
    rows = tuple((f"Q{n}", round(sums[n] / counts[n], 1)) for n in sorted(counts))
    return ChartData(
        "answers",
        "Answers per question",
        "Mean answer segments per question number, over the chats that asked it.",
        ("question", "mean answers"),
        rows,
    )


def participants_per_chat(figures: SeriesFigures) -> ChartData:
    """Participants per chat, returning and new stacked."""
    rows = tuple(
        (chat.starts_at.date().isoformat(), chat.returning, chat.newcomers)
        for chat in figures.chats
    )
    return ChartData(
        "participants",
        "Participants per chat: returning and new",
        "Each chat's participants (hosts apart) split into returning people and newcomers.",
        ("chat", "returning", "new"),
        rows,
    )


def network_share(figures: SeriesFigures) -> ChartData:
    """Each network's share of a chat's participants, chat by chat."""
    networks = sorted({n for chat in figures.chats for n in chat.per_network})
    rows: list[tuple[str | int | float, ...]] = []
    for chat in figures.chats:
        total = sum(n.people for n in chat.per_network.values())
        shares = [
            round(100 * chat.per_network[n].people / total, 1)
            if total and n in chat.per_network
            else 0.0
            for n in networks
        ]
        rows.append((chat.starts_at.date().isoformat(), *shares))
    return ChartData(
        "networks",
        "Network share over time",
        "The percentage of each chat's participants who posted from each network.",
        ("chat", *networks),
        tuple(rows),
    )


CHARTS: dict[str, Callable[[SeriesFigures], ChartData]] = {
    "activity": activity_by_minute,
    "answers": answers_per_question,
    "participants": participants_per_chat,
    "networks": network_share,
}


def _draw(data: ChartData) -> Figure:
    figure = plt.figure(figsize=(7.5, 3.2), dpi=100)
    axes = figure.add_subplot()
    labels = [str(row[0]) for row in data.rows]
    x = list(range(len(labels)))
    if data.name == "activity":
        axes.bar([row[0] for row in data.rows], [row[1] for row in data.rows], color=PALETTE[0])
        axes.set_xlabel("minute since the start")
    elif data.name == "answers":
        axes.bar(labels, [row[1] for row in data.rows], color=PALETTE[0])
    elif data.name == "participants":
        returning = [row[1] for row in data.rows]
        new = [row[2] for row in data.rows]
        axes.bar(x, returning, color=PALETTE[0], label="returning")
        axes.bar(x, new, bottom=returning, color=PALETTE[1], label="new")
        if data.rows:
            axes.legend(frameon=False)
        _thin_ticks(axes, x, labels)
    else:
        bottom = [0.0] * len(data.rows)
        for index, network in enumerate(data.columns[1:], start=1):
            values = [float(row[index]) for row in data.rows]
            axes.bar(x, values, bottom=bottom, label=network, color=PALETTE[index % len(PALETTE)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_ylabel("% of participants")
        if data.rows and len(data.columns) > 1:
            axes.legend(frameon=False, ncol=max(1, len(data.columns) - 1))
        _thin_ticks(axes, x, labels)
    axes.set_title(data.title)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _thin_ticks(axes: Any, x: list[int], labels: list[str]) -> None:
    step = max(1, len(x) // 8)
    axes.set_xticks(x[::step], labels[::step], rotation=0)


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def render_svg(data: ChartData) -> str:
    """The chart as an SVG document with its title and description for screen readers."""
    figure = _draw(data)
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": data.name, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    heading = (
        f'<title id="{data.name}-title">{escape(data.title)}</title>'
        f'<desc id="{data.name}-desc">{escape(data.description)}</desc>'
    )
    return _SVG_OPEN.sub(
        lambda m: (
            f'<svg{m.group(1)} role="img" aria-labelledby="{data.name}-title {data.name}-desc">'
            + heading
        ),
        svg,
        count=1,
    )


def render_png(data: ChartData) -> bytes:
    """The chart as a PNG, for a blog post."""
    figure = _draw(data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def chart_data(figures: SeriesFigures) -> list[ChartData]:
    """Every chart's data, in page order."""
    return [make(figures) for make in CHARTS.values()]
