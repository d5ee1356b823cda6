"""The failover drain at full size: run by hand, prints a table (not a test).

    .venv/bin/python -m bench.failover_bench --db postgresql://postgres@127.0.0.1:5432/pacer_bench
        [--nudges 10000] [--spread 60] [--kill-after 0.3] [--limit 780]

Two Telegram processes (one active, one standing by) and two schedulers share the
database (its tables are emptied first) and a fake Bot API on 127.0.0.1 that answers
overlapping polls with 409 like Telegram. ``--nudges`` runners each get one nudge due
within ``--spread`` seconds; runners send ``/log`` every two seconds meanwhile; the
active Telegram process is killed with SIGKILL once ``--kill-after`` of the nudges
arrived. At 30 messages a second 10,000 nudges take about 5.5 minutes; ``--limit``
bounds the drain (it fails with the states of the rows if they are not all settled by then).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.scale_bench import load_average
from tests.databases import empty_postgres
from tests.service.drain import DrainResult, run_drain


def table(result: DrainResult) -> str:
    """The figures, one a row."""
    rows = [
        ("nudges due", f"{result.nudges:,}"),
        ("delivered", f"{result.delivered:,}"),
        ("duplicates", str(result.duplicates)),
        ("in doubt at the kill (failed, not resent)", str(result.in_doubt)),
        ("lost", str(result.lost)),
        ("left due, claimed or sending", str(result.left_open)),
        ("drain rate (msg/s, limit 30)", f"{result.rate:.1f}"),
        ("most in one sliding second", str(result.max_per_second)),
        ("closest two messages to one chat (s)", f"{result.closest_same_chat:.2f}"),
        ("kill to the standby's first send (s)", f"{result.failover_seconds:.2f}"),
        ("lateness p99 (s)", f"{result.lateness_p99:.1f}"),
        ("/log answered / sent", f"{result.log_replies} / {result.log_sent}"),
        (
            "/log unanswered: taken by the killed poller / otherwise / answered twice",
            f"{result.log_lost_at_kill} / {result.log_lost_otherwise} / "
            f"{result.log_answered_twice}",
        ),
        ("409 conflicts", str(result.conflicts)),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


async def main_async(args: argparse.Namespace) -> DrainResult:
    """Empty the database, run the drain."""
    from bot.storage.database import Database

    db = Database(args.db)
    await db.open()  # migrates a new database
    await db.close()
    await (await empty_postgres(args.db)).close()
    with tempfile.TemporaryDirectory() as workdir:
        return await run_drain(
            args.db,
            Path(workdir),
            args.nudges,
            spread=timedelta(seconds=args.spread),
            kill_after=args.kill_after,
            limit_seconds=args.limit,
        )


def main() -> None:
    """Parse the flags, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL this bench may empty")
    parser.add_argument("--nudges", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds the due times span")
    parser.add_argument("--kill-after", type=float, default=0.3)
    parser.add_argument("--limit", type=float, default=780.0, help="seconds the drain may take")
    args = parser.parse_args()
    started = datetime.now(UTC)
    print(f"{started:%Y-%m-%d %H:%M} UTC, load average {load_average()}", flush=True)
    print(f"draining {args.nudges:,} nudges (at most {args.limit:.0f} s) ...", flush=True)
    result = asyncio.run(main_async(args))
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_average()}")
    print(table(result))


if __name__ == "__main__":
    main()
