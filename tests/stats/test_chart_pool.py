"""Charts are drawn in a worker process (the loop keeps answering), in a thread when none starts."""

from __future__ import annotations

import asyncio
import multiprocessing
import os

import pytest

from bot.chart_pool import ChartPainter
from bot.charts import distance_png
from tests.stats.helpers import PNG_SIGNATURE, png_size
from tests.stats.test_charts import weeks


def drawing_process() -> str:
    """Which process drew: run in the pool, it names the worker."""
    return "worker" if multiprocessing.parent_process() is not None else "main"


def die_in_a_worker() -> str:
    """A worker that dies mid-chart (a crash, an OOM kill); in the main process, an answer."""
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return "drawn in a thread"


@pytest.mark.slow  # wall-clock time: a worker process
def test_charts_are_drawn_in_a_worker_process_started_on_first_use() -> None:
    async def scenario() -> None:
        painter = ChartPainter(processes=1)
        assert painter._pool is None  # nothing started before a chart is asked for
        try:
            data = await painter.distance(weeks(12), "km")
            where = await painter.run(drawing_process)
        finally:
            painter.close()
        assert data == distance_png(weeks(12), "km")  # the same PNG as drawn here
        assert where == "worker"
        assert painter._pool is None

    asyncio.run(scenario())


@pytest.mark.slow  # wall-clock time: a worker process
def test_a_dead_worker_falls_back_to_a_thread_and_charts_keep_coming() -> None:
    async def scenario() -> None:
        painter = ChartPainter(processes=1)
        try:
            assert await painter.run(die_in_a_worker) == "drawn in a thread"
            assert not painter.in_processes
            data = await painter.calendar(weeks(4), 2)
        finally:
            painter.close()
        assert data.startswith(PNG_SIGNATURE) and png_size(data)[0] == 1000

    asyncio.run(scenario())


def test_without_processes_charts_are_drawn_in_a_thread() -> None:
    async def scenario() -> None:
        painter = ChartPainter(processes=0)
        assert await painter.run(drawing_process) == "main"
        assert (await painter.distance(weeks(3), "mi")).startswith(PNG_SIGNATURE)

    asyncio.run(scenario())
