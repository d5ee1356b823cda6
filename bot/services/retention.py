"""How long Pacer keeps its own bookkeeping, and the daily clean-up that enforces it."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from bot.storage.database import Database
from bot.storage.deliveries import PRUNE_BATCH

log = logging.getLogger(__name__)

# Platforms redeliver within minutes; a week covers any retry. Delivery records are
# history for /nudges and debugging, kept for a season.
HANDLED_MESSAGES_KEPT = timedelta(days=7)
DELIVERIES_KEPT = timedelta(days=90)


class Retention:
    """Removes what outlived its use: message keys, link codes, file questions, old deliveries."""

    def __init__(
        self, db: Database, clock: Clock, deliveries_kept: timedelta = DELIVERIES_KEPT
    ) -> None:
        self.db = db
        self.clock = clock
        self.deliveries_kept = deliveries_kept  # PACER_DELIVERY_RETENTION_DAYS

    async def prune(self) -> int:
        """Daily clean-up; returns how many rows went."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            removed = await uow.activity.prune_handled(now - HANDLED_MESSAGES_KEPT)
            removed += await uow.runners.prune_link_codes(now)
            removed += await uow.tracks.prune_sport_questions(now)
            removed += await uow.nudges.prune_oneoffs(now - DELIVERIES_KEPT)
            await uow.commit()
        while True:  # the delivery history in batches: short transactions, however large
            async with self.db.uow() as uow:
                batch = await uow.deliveries.prune(now - self.deliveries_kept)
                await uow.commit()
            removed += batch
            if batch < PRUNE_BATCH:
                break
        log.info("pruned %d old rows", removed)
        return removed
