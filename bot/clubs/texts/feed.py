"""How the run feed and kudos read: a run in a club's feed (sent by ``bot/clubs/feed.py``)
and its 👏 button, ``/settings feed``, ``/club feed`` and the answers to a 👏 press.
"""

from __future__ import annotations

from datetime import date

from bot.messages import Button
from bot.models import Run
from bot.parsing import format_distance, format_duration, format_pace


def feed_post(runner: str, hidden: bool, run: Run, units: str, today: date) -> str:
    """A run in a club's feed (distance, time and pace; never the note)."""
    when = "today" if run.local_date >= today else f"{run.local_date:%a %d %b}"
    return (
        f"🏃 {'A runner' if hidden else runner} ran "
        f"{format_distance(run.distance_m, units)} in {format_duration(run.duration_s)} "
        f"({format_pace(run.distance_m, run.duration_s, units)}) · {when}"
    )


def cheer_button(run: Run) -> tuple[Button, ...]:
    """The 👏 under a run shown in a club: anyone there may press it (not the runner)."""
    return (Button("👏 Cheer", f"/kudos {run.id}"),)


# /settings feed: the runner's switch (set by services.profile) and /club feed (ClubFeedService).
FEED_NAME = "The feed"
FEED_HINT = "/settings feed on posts your runs in your clubs that have a feed."
RUNNER_FEED_OFF = "Your runs stay out of club feeds from now on."
RUNNER_FEED_ON = (
    "Your runs go to the feeds of your clubs that have one (/club feed on), as you "
    "log them: distance, time and pace, never a note or sleep. /settings feed off "
    "stops it."
)
CLUB_FEED_OFF = "The run feed is off: no runs are posted here any more."


def club_feed_on(where: str) -> str:
    """The answer to ``/club feed on`` (``where``: `` in <#channel>`` on Discord)."""
    return (
        f"The run feed is on{where}: runs of members who say /settings feed on are posted "
        "as they are logged (distance, time and pace; never a note or sleep), with a 👏 "
        "button."
    )


KUDOS_RUN_GONE = "I can't find that run in this club any more."
KUDOS_OWN_RUN = "That's your own run: cheers are for club-mates. 🙂"
KUDOS_AGAIN = "You cheered this run already."


def cheered_text(name: str, distance_m: float, units: str, count: int) -> str:
    """The answer to a 👏 press."""
    others = f" ({count} cheers so far)" if count > 1 else ""
    return f"👏 You cheered {name}'s {format_distance(distance_m, units)}{others}."
