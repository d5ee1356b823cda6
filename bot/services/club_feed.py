"""A club's social side: who takes part, the opt-in run feed, and 👏 kudos under runs.

The feed is off twice by default: an admin turns it on for the club (``/club feed
on``) and each runner for themselves (``/settings feed on``). A fed run is posted
to the club's channel through the delivery path (distance, time and pace; never
the note, never sleep), with a 👏 button anyone in the chat may press once.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.clubs.feed import FEED_KIND
from bot.clubs.texts.feed import (
    CLUB_FEED_OFF,
    FEED_HINT,
    FEED_NAME,
    KUDOS_AGAIN,
    KUDOS_OWN_RUN,
    KUDOS_RUN_GONE,
    RUNNER_FEED_OFF,
    RUNNER_FEED_ON,
    cheered_text,
    club_feed_on,
)
from bot.models import CheckIn, Club, Run, User
from bot.services.profile import RunnerSwitch, set_switch
from bot.storage.database import Database
from bot.storage.deliveries import NewDelivery, chat_target
from bot.storage.uow import UnitOfWork

FEED_DAYS = 2  # runs dated today or yesterday are news; an imported history is not
MAX_REMEMBERED = 10_000
FEED = RunnerSwitch(
    FEED_NAME,
    ("on", "off"),
    "feed",
    hint=FEED_HINT,
    answers=(RUNNER_FEED_ON, RUNNER_FEED_OFF),
)


def feed_channel(club: Club) -> str:
    """Where a club's feed goes: its post channel (Discord), else its own chat."""
    return club.post_channel or club.chat_id


class ClubFeedService:
    """Club members, the run feed and kudos; listens for logged runs."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        # Members recorded by this process: not written again on every message.
        self._members: set[tuple[int, int]] = set()

    async def note_member(self, club: Club, user: User) -> None:
        """Record that a runner takes part in a club (once)."""
        key = (club.id, user.id)
        if key in self._members:
            return
        async with self.db.uow() as uow:
            await uow.club_feed.add_member(club.id, user.id, self.clock.now())
            await uow.commit()
        if len(self._members) > MAX_REMEMBERED:
            self._members.clear()
        self._members.add(key)

    async def set_runner_feed(self, user: User, value: str) -> str:
        """``/settings feed on|off``: the runner's own switch."""
        return await set_switch(self.db, user, FEED, value)

    async def set_club_feed(self, club: Club, value: str, channel: str) -> str:
        """``/club feed on|off`` (admins); on Discord it posts where it was turned on."""
        on = value == "on"
        values: dict[str, object] = {"feed": on}
        if on and club.platform == "discord" and club.post_channel is None:
            values["post_channel"] = channel
        async with self.db.uow() as uow:
            await uow.clubs.update_club(club.id, **values)
            await uow.commit()
        if not on:
            return CLUB_FEED_OFF
        where = (
            f" in <#{values.get('post_channel', club.post_channel)}>"
            if club.platform == ("discord")
            else ""
        )
        return club_feed_on(where)

    async def cheer(self, club: Club, user: User, run_id: int) -> str:
        """A 👏 under a club-mate's run: once per member per run, never your own."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            found = await uow.club_feed.run_with_runner(run_id)
            if found is None or not await uow.club_feed.is_member(club.id, found[0].user_id):
                return KUDOS_RUN_GONE
            run, runner, hidden = found
            if run.user_id == user.id:
                return KUDOS_OWN_RUN
            await uow.club_feed.add_member(club.id, user.id, now)
            if not await uow.club_feed.give_kudos(run.id, user.id, club.id, now):
                return KUDOS_AGAIN
            count = await uow.club_feed.kudos_count(run.id)
            await uow.commit()
        name = "a runner" if hidden else runner
        # Answered to the one who pressed: in their units, not the club's (posts keep those).
        return cheered_text(name, run.distance_m, user.units, count)

    # --- listener: a logged run goes to the feeds ------------------------------------------

    async def on_run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """Write a feed post per club of the runner's that has a feed (not where it was shown)."""
        if not user.feed or run.local_date < user.today(now) - timedelta(days=FEED_DAYS - 1):
            return  # no read at all for the many who never opted in
        async with self.db.uow() as uow:
            for club in await uow.club_feed.feed_clubs(user.id):
                channel = feed_channel(club)
                if f"{club.platform}:{channel}" == shown_in:
                    continue  # its /log reply there is the post, with its own 👏
                await uow.deliveries.add(
                    NewDelivery(
                        target=chat_target(club.platform, channel),
                        kind=FEED_KIND,
                        occurrence=f"run:{run.id}",
                        due_at=now,
                        platform=club.platform,
                        chat_id=channel,
                        payload=json.dumps({"run": run.id, "club": club.id}),
                    )
                )
            await uow.commit()

    async def on_run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """Nothing: a feed post not sent yet finds its run gone and is skipped."""

    async def on_checkin(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime
    ) -> None:
        """Nothing: check-ins (sleep above all) never go to a feed."""

    async def on_settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Nothing."""
