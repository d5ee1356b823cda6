"""The failover drain, small: the active Telegram process is killed mid-drain.

Two Telegram processes (one active, one standing by) and two schedulers on one
PostgreSQL; nudges fall due over ten seconds while runners send /log. The kill
loses at most the requests on the wire, never doubles one, and never breaks
Telegram's limits at the receiver; the standby sends within 10 s. The full
10,000-nudge run is ``bench/failover_bench.py``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.databases import empty_postgres, postgres_url
from tests.service.drain import run_drain

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1


async def test_killing_the_active_sender_mid_drain_loses_only_what_was_on_the_wire(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    result = await run_drain(
        url, tmp_path, 400, spread=timedelta(seconds=10), lease_seconds=5, limit_seconds=240
    )
    print(result)
    assert result.duplicates == 0
    assert result.left_open == 0
    assert result.lost <= result.in_doubt < 40  # only the requests on the wire at the kill
    assert 0 < result.failover_seconds < 10
    assert result.max_per_second <= 30
    assert result.closest_same_chat >= 1.0
    # Each /log answered once, but for one the killed poller had taken (its reply was on
    # the wire, or the update confirmed to Telegram before the kill): at most a couple.
    assert result.log_sent > 0
    assert result.log_answered_twice == 0
    assert result.log_lost_otherwise == 0
    assert result.log_lost_at_kill <= 2
    assert result.log_replies == result.log_sent - result.log_lost_at_kill
    assert result.conflicts == 0
