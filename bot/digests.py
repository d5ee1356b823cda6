"""The weekly digest as a source of scheduled messages for the sweep.

``materialize`` writes a delivery row for every digest that fell due (``due`` with
a route, ``skipped`` when older than the grace window, ``unreachable`` without a
chat) and moves it on a week; ``render`` words the claimed ones: the week's runs
and four habits, with the weekly distance chart as a PNG attachment (drawn by the
:class:`~bot.chart_pool.ChartPainter`, off the event loop).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from bot.chart_pool import ChartPainter
from bot.messages import Attachment, Reply
from bot.models import User
from bot.nudges.decisions import runner_delivery
from bot.nudges.source import render_each
from bot.services.digest import DIGEST_KIND, digest_week, next_digest
from bot.services.stats import CHART_WEEKS, weekly_points
from bot.storage.deliveries import Delivery
from bot.storage.uow import UnitOfWork
from bot.texts.progress import cheered_by, digest_text


class DigestSource:
    """Writes due weekly digests as delivery rows and words them, chart attached."""

    kinds = frozenset({DIGEST_KIND})

    def __init__(
        self, running: Callable[[], Collection[str]], charts: ChartPainter, grace_minutes: int = 120
    ) -> None:
        self._running = running
        self.charts = charts
        self.grace = timedelta(minutes=grace_minutes)

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Write the delivery row of every digest due by ``now``; move each on a week."""
        rows = await uow.digests.due(now, limit)
        if not rows:
            return 0, False
        user_ids = sorted({r.user_id for r in rows})
        users = {u.id: u for u in await uow.runners.many(user_ids)}
        accounts = await uow.runners.identities(user_ids)
        running = set(self._running())
        written = 0
        for row in rows:
            user = users.get(row.user_id)
            assert row.next_due is not None
            if user is None:
                continue  # the runner was deleted; the cascade removes the row
            anchor = row.occurrence or row.next_due.astimezone(user.tz).date()
            reason = "stale" if row.next_due < now - self.grace else ""
            added = await uow.deliveries.add(
                runner_delivery(
                    user,
                    DIGEST_KIND,
                    anchor.isoformat(),
                    anchor,
                    row.next_due,
                    reason,
                    accounts.get(user.id, []),
                    running,
                )
            )
            written += added is not None
            occ = next_digest(user, row, now)
            await uow.digests.advance(
                row, occ.anchor if occ else None, occ.due if occ else None, now
            )
        return written, len(rows) >= limit

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The digest of each claimed row: text and the weekly chart."""

        async def word(user: User, item: Delivery) -> Reply:
            assert item.anchor is not None
            start = digest_week(item.anchor)
            # The chart's last week is the digest's week: its totals are the digest's.
            weeks = await weekly_points(uow, user.id, start, CHART_WEEKS)
            png = await self.charts.distance(weeks, user.units)
            week = weeks[-1]
            text = digest_text(start, week.runs, week.habits, user.units)
            cheered = await uow.club_feed.cheered_by(user.id, start, start + timedelta(days=6))
            if cheered:
                text += cheered_by(cheered)
            return Reply(
                text, attachments=(Attachment(f"pacer-week-{start}.png", png, "image/png"),)
            )

        return await render_each(uow, items, word)
