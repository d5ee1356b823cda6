"""The platform's own ceiling: what one bot token can deliver, against what is planned.

Telegram lets one bot token send about 30 messages a second (about 2.6 million
a day); Discord about 50 requests a second. More processes do not lift that:
the budget is the token's. A nudge may go out late by up to the grace window,
so within each grace window the token can send ``rate x grace`` of them; more
nudges planned into one window than that are certain to expire unsent. The
scheduler checks the next day once a day, logs the shortfall and sets the
``pacer_planned_over_capacity`` gauge.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.budget import limits_for
from bot.storage.database import Database

log = logging.getLogger(__name__)

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """One platform's worst grace window in the day ahead."""

    platform: str
    per_window: int  # what the token can send in one grace window
    busiest: int  # the most nudges planned into one window
    beyond: int  # summed over the day's windows: planned past what can be sent


def per_window(platform: str, grace: timedelta) -> int | None:
    """How many messages one bot token sends in one grace window (None: no limit known)."""
    rate = limits_for(platform).per_second
    return None if rate is None else int(rate * grace.total_seconds())


async def check_ceiling(
    db: Database, now: datetime, platforms: Collection[str], grace: timedelta
) -> list[Shortfall]:
    """Per platform: the day ahead's planned nudges against the token's budget."""
    windows = max(1, int(DAY / grace))
    counts: dict[str, list[int]] = {p: [] for p in platforms}
    async with db.reader() as uow:
        for i in range(windows):
            start = now + grace * i
            planned = await uow.nudges.planned(start, start + grace)
            for platform in platforms:
                counts[platform].append(planned.get(platform, 0))
    shortfalls = []
    for platform, per in counts.items():
        cap = per_window(platform, grace)
        if cap is None:
            continue
        beyond = sum(max(0, n - cap) for n in per)
        shortfalls.append(Shortfall(platform, cap, max(per, default=0), beyond))
        if beyond:
            log.warning(
                "%s: %d nudges planned for the next day cannot be sent within their grace "
                "window (at most %d per %d-minute window per bot token, the busiest has %d); "
                "more processes do not help: the limit is the platform's",
                platform,
                beyond,
                cap,
                int(grace.total_seconds() // 60),
                max(per, default=0),
            )
    return shortfalls
