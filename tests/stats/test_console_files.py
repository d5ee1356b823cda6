"""The console shows no pictures: it saves charts to files and prints where."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleAdapter
from tests.fakes import Harness
from tests.stats.helpers import png_size


async def test_console_saves_the_stats_chart_and_prints_its_path(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    console = ConsoleAdapter(harness.core, "ana", lambda: None, io.StringIO(), out)
    await harness.core.handle(console.to_incoming("/log 5k 25:00"))

    console.render(await harness.core.handle(console.to_incoming("/stats")))

    [line] = [x for x in out.getvalue().splitlines() if "chart saved" in x]
    path = Path(line.split("chart saved: ", 1)[1].rstrip(")"))
    assert path.parent == tmp_path / "pacer-files"
    assert path.name == "pacer-stats-month-2026-11-26.png"
    assert png_size(path.read_bytes())[0] == 1000  # noqa: ASYNC240 (a test, after the fact)
