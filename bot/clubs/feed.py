"""The club run feed as a source for the sweep: each fed run, worded when it is claimed.

Rows are written by :class:`bot.services.club_feed.ClubFeedService` as runs are
logged; nothing falls due by itself, so ``materialize`` writes nothing. The post
names the runner and gives distance, time and pace in the club's units, never the
note; its 👏 button is open to everyone in the chat.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.clubs.texts.feed import cheer_button, feed_post
from bot.messages import Reply
from bot.storage.deliveries import Delivery
from bot.storage.uow import UnitOfWork

FEED_KIND = "club_feed"


class FeedPostSource:
    """Words the feed posts of runs as they were logged."""

    kinds = frozenset({FEED_KIND})

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Nothing: feed rows are written when a run is logged."""
        return 0, False

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The post of each claimed row, or why not (the run or the club's feed is gone)."""
        out: dict[int, Reply | str] = {}
        for item in items:
            payload = json.loads(item.payload or "{}")
            club = await uow.clubs.club_by_id(int(payload.get("club", 0)))
            found = await uow.club_feed.run_with_runner(int(payload.get("run", 0)))
            if club is None or found is None:
                out[item.id] = "run or club gone"
                continue
            if not club.feed or club.posts_paused_at is not None:
                out[item.id] = "club feed off"
                continue
            run, runner, hidden = found
            units = club.units
            today = club.today(now)
            out[item.id] = Reply(
                feed_post(runner, hidden, run, units, today), buttons=(cheer_button(run),)
            )
        return out
