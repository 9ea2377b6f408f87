"""`hashchat report TAG --out report.html`: one self-contained file with the figures and charts;
names only with --as a host; bad input exits 2 and writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from typer.testing import CliRunner

from hashchat.assembly import build_context
from hashchat.cli import report
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from insights_support import hand_made_series

runner = CliRunner()
# The report command alone: the test does not depend on the rest of the CLI importing.
app = typer.Typer()
report.register(app)
app.command("unused", hidden=True)(lambda: None)  # two commands keep `report` a subcommand


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 1, 9, 17, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'report.sqlite3'}"
    upgrade(url)
    clock = Clock()
    settings = Settings(database_url=url, clock=clock, argon2_time_cost=1, argon2_memory_kib=1024)
    ctx = build_context(settings)
    hand_made_series(ctx, clock)
    ctx.store.dispose()
    return url


def test_report_writes_one_self_contained_file(tmp_path: Path) -> None:
    url = _database(tmp_path)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "KaizenBiz", "--out", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert "2 chats, 4 people" in result.output
    html = out.read_text()
    assert "<h1>Insights: #KaizenBiz</h1>" in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html
    assert "default-src &#39;none&#39;" in html or "default-src 'none'" in html
    assert "participation held" in html
    assert "Ann (@ann)" not in html


def test_report_names_people_only_for_a_host(tmp_path: Path) -> None:
    url = _database(tmp_path)
    out = tmp_path / "named.html"
    ok = runner.invoke(app, ["report", "kaizenbiz", "-o", str(out), "--as", "coach", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert "Ann (@ann)" in out.read_text()
    refused_out = tmp_path / "refused.html"
    refused = runner.invoke(
        app, ["report", "kaizenbiz", "-o", str(refused_out), "--as", "ann", "--db", url]
    )
    assert refused.exit_code == 2
    assert "not a host" in refused.output
    assert not refused_out.exists()


def test_unknown_series_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    url = _database(tmp_path)
    out = tmp_path / "none.html"
    result = runner.invoke(app, ["report", "NoSuch", "--out", str(out), "--db", url])
    assert result.exit_code == 2
    assert "no series #NoSuch" in result.output
    assert not out.exists()
    directory = runner.invoke(app, ["report", "KaizenBiz", "--out", str(tmp_path), "--db", url])
    assert directory.exit_code == 2
