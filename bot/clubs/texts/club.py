"""The words of ``/club`` and its settings: the club's summary, the answers to ``/club
timezone``, ``posts``, ``units`` and ``channel``, and their refusals (functions that return
the error, so the service only says ``raise``).

``/club feed`` is worded with the run feed, in :mod:`bot.clubs.texts.feed`.
"""

from __future__ import annotations

from datetime import date

from bot.clubs.texts.amounts import when_text
from bot.errors import BadInput
from bot.models import Challenge, Club


def club_text(club: Club, challenges: list[Challenge], today: date) -> str:
    """``/club``: the club's settings and its challenges."""
    if club.post_every == "off":
        posts = "off"
    elif club.post_every == "daily":
        posts = f"daily at {club.post_time}"
    else:
        posts = f"weekly on {_DAY_NAMES[club.post_day]} at {club.post_time}"
    lines = [
        f"Club: {club.name or 'this chat'}",
        f"Time zone: {club.timezone}",
        f"Board posts: {posts}",
        f"Units of posts: {club.units}",
        f"Run feed: {'on (members who say /settings feed on)' if club.feed else 'off'}",
    ]
    if club.platform == "discord":
        where = f"<#{club.post_channel}>" if club.post_channel else "where each was created"
        lines.append(f"Posts go to: {where}")
    if club.posts_paused_at is not None:
        lines.append(
            f"Posts are paused since {club.posts_paused_at:%d %b %H:%M} UTC "
            f"({club.paused_reason}); /club posts resumes them."
        )
    live = [c for c in challenges if c.frozen_at is None]
    if live:
        lines.append("Challenges: " + ", ".join(f"{c.name} ({when_text(c, today)})" for c in live))
    else:
        lines.append("No challenges yet: an admin starts one with /challenge create.")
    return "\n".join(lines)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_name(day: int) -> str:
    """``Sunday`` for 6."""
    return _DAY_NAMES[day]


# --- answers to /club (built by ChallengeService) ------------------------------------------------


def timezone_set(name: str, warning: str) -> str:
    """The answer to ``/club timezone``."""
    reply = f"Club time zone set to {name}: posts and the final results follow its days."
    return reply + (f"\n{warning}" if warning else "")


POSTS_OFF = "Board posts are off. Start and final posts still come."


def posts_set(club: Club, every: str, post_day: int, post_time: str) -> str:
    """The answer to ``/club posts daily|weekly ...`` (``club`` as it was before)."""
    when = (
        f"every day at {post_time}"
        if every == "daily"
        else f"every {day_name(post_day)} at {post_time}"
    )
    resumed = " Posts resume." if club.posts_paused_at is not None else ""
    return f"I'll post the board {when} ({club.timezone}).{resumed}"


def units_set(units: str) -> str:
    """The answer to ``/club units``."""
    return (
        f"Club posts use {units} from now on. Boards and standing lines stay in each "
        "reader's own units (/settings units)."
    )


def channel_set(channel: str) -> str:
    """The answer to ``/club channel``."""
    return f"Club posts go to <#{channel}> from now on."


# --- refusals (raised by ChallengeService) --------------------------------------------------


def posts_how_often() -> BadInput:
    """``/club posts`` without daily, weekly or off."""
    return BadInput(
        "How often should I post the board?",
        hint="/club posts daily 18:00, /club posts weekly sun 18:00 or /club posts off",
    )


def unexpected_after_off(rest: list[str]) -> BadInput:
    """``/club posts off`` followed by more words."""
    return BadInput(f"I didn't expect '{' '.join(rest)}' after off.")


def unexpected_there(extra: list[str]) -> BadInput:
    """``/club posts`` with words past the day and time."""
    return BadInput(f"I didn't expect '{' '.join(extra)}' there.")


def posts_which_day() -> BadInput:
    """``/club posts weekly`` without a weekday."""
    return BadInput("Which day of the week?", hint="For example: /club posts weekly sun 18:00")


def channel_not_here() -> BadInput:
    """``/club channel`` outside Discord."""
    return BadInput("Posts go to this group itself; a channel is a Discord setting.")


def channel_unreadable(text: str) -> BadInput:
    """``/club channel`` with something that is not a channel."""
    return BadInput(f"I can't read '{text}' as a channel.", hint="Pick one: /club channel #runs")
