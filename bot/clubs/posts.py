"""Club posts as a source of scheduled messages for the sweep.

For every challenge not yet frozen (or frozen in the last two days), the posts
that fell due are written as delivery rows to the club's chat, in the club's
zone: the start announcement (with a one-tap Join), the board at the club's
post time (daily or weekly), a last-day reminder, and the final results once
the 24 h of late logs are over (the results are frozen first). A club whose
chat refused a post has its posts paused: nothing more is written for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.challenge_metrics import reached_target
from bot.clubs.texts import amount, announcement, board_text, join_button, shown_name
from bot.messages import Reply
from bot.models import Board, Challenge, Club
from bot.storage.deliveries import Delivery, NewDelivery, chat_target
from bot.storage.uow import UnitOfWork

START, BOARD, LAST_DAY, FINAL = "club_start", "club_board", "club_last_day", "club_final"
CLUB_KINDS = frozenset({START, BOARD, LAST_DAY, FINAL})
MORNING = "09:00"  # start announcements and last-day reminders, club time
POST_UNITS = "km"
WINNERS = 3
MAX_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class Post:
    """One post a challenge has to make."""

    kind: str
    occurrence: str
    due: datetime


def posts_due(challenge: Challenge, club: Club, now: datetime) -> list[Post]:
    """The posts of a challenge that are due by ``now`` (the latest board only)."""
    out: list[Post] = []
    created = challenge.created_at or now
    if club.today(created) < challenge.start:  # created ahead: announce on the day
        due = club.at(challenge.start, MORNING)
        out.append(Post(START, "start", due))
    if challenge.ended_at is None:
        board_day = _latest_board_day(challenge, club, now)
        if board_day is not None:
            out.append(Post(BOARD, f"board:{board_day}", club.at(board_day, club.post_time)))
        if challenge.days > 1:
            out.append(Post(LAST_DAY, "last-day", club.at(challenge.end, MORNING)))
        out.append(Post(FINAL, "final", challenge.freezes_at(club)))
    return [p for p in out if p.due <= now]


def _latest_board_day(challenge: Challenge, club: Club, now: datetime) -> date | None:
    """The latest day in the window whose board post time has passed."""
    if club.post_every == "off":
        return None
    day = min(club.today(now), challenge.end)
    for _ in range(8):
        if day < challenge.start:
            return None
        weekly_ok = club.post_every == "daily" or day.weekday() == club.post_day
        if weekly_ok and club.at(day, club.post_time) <= now:
            return day
        day -= timedelta(days=1)
    return None


class ClubPostSource:
    """Writes clubs' due posts as delivery rows and words them when claimed."""

    kinds = CLUB_KINDS

    def __init__(self, grace_minutes: int = 120) -> None:
        self.grace = timedelta(minutes=grace_minutes)
        # Posts found already stored: not offered to the database again each sweep (the
        # unique key would refuse them anyway; this spares the statement).
        self._recorded: set[str] = set()

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Freeze what is over, then write every post that fell due (once: the unique key)."""
        written = 0
        for challenge, club in await uow.clubs.open_challenges(now - timedelta(days=2)):
            if challenge.frozen_at is None and now >= challenge.freezes_at(club):
                await uow.clubs.freeze(challenge, now)
            if club.posts_paused_at is not None:
                continue
            channel = club.post_channel or challenge.channel
            for post in posts_due(challenge, club, now):
                key = f"{club.platform}:{channel}:{challenge.id}:{post.occurrence}"
                if post.due < now - self.grace or key in self._recorded:
                    continue  # missed while down for too long (not sent late), or done
                added = await uow.deliveries.add(
                    NewDelivery(
                        target=chat_target(club.platform, channel),
                        kind=post.kind,
                        occurrence=f"challenge:{challenge.id}:{post.occurrence}",
                        due_at=post.due,
                        platform=club.platform,
                        chat_id=channel,
                        anchor=challenge.end,
                        payload=json.dumps({"challenge": challenge.id}),
                    )
                )
                written += added is not None
                if added is None:  # stored before (and committed): remember it
                    if len(self._recorded) > MAX_REMEMBERED:
                        self._recorded.clear()
                    self._recorded.add(key)
        return written, False

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The post of each claimed row, worded now (the board as it stands)."""
        out: dict[int, Reply | str] = {}
        for item in items:
            challenge_id = int(json.loads(item.payload or "{}").get("challenge", 0))
            challenge = await uow.clubs.challenge(challenge_id)
            club = await uow.clubs.club_by_id(challenge.club_id) if challenge else None
            if challenge is None or club is None:
                out[item.id] = "challenge gone"
                continue
            if club.posts_paused_at is not None:
                out[item.id] = "club posts paused"
                continue
            out[item.id] = await self._word(uow, item.kind, challenge, club, now)
        return out

    async def _word(
        self, uow: UnitOfWork, kind: str, challenge: Challenge, club: Club, now: datetime
    ) -> Reply | str:
        today = club.today(now)
        c = challenge
        if kind == START:
            return Reply("Starting today! " + announcement(c, POST_UNITS), buttons=join_button(c))
        if kind == FINAL:
            if c.frozen_at is None:
                return "results not frozen yet"
            return Reply(final_text(await uow.clubs.board(c, None)))
        if c.frozen_at is not None or c.ended_at is not None:
            return "challenge over"
        board = await uow.clubs.board(c, None)
        if kind == LAST_DAY:
            until = c.freezes_at(club).astimezone(club.tz)
            return Reply(
                f"⏰ Last day of {c.name}! Log today's runs and check-ins; late logs count "
                f"until {until:%a %d %b %H:%M} ({club.timezone}).\n\n"
                + board_text(board, None, POST_UNITS, today)
            )
        return Reply(board_text(board, None, POST_UNITS, today))


def final_text(board: Board) -> str:
    """The final post: the winners, whether the team goal was reached, the full top."""
    c = board.challenge
    lines = [f"🏁 {c.name} is over!"]
    winners = [r for r in board.rows if r.rank <= WINNERS and r.value > 0]
    if winners:
        medals = {1: "🥇", 2: "🥈", 3: "🥉"}
        lines.append(
            "Winners: "
            + ", ".join(
                f"{medals[r.rank]} {shown_name(r)} {amount(c.metric, r.value, POST_UNITS)}"
                for r in winners
            )
        )
    else:
        lines.append("Nobody logged anything this time.")
    if c.team and c.target is not None:
        total = amount(c.metric, board.total, POST_UNITS)
        goal = amount(c.metric, c.target, POST_UNITS)
        verdict = "reached 🎉" if board.total >= c.target else "not reached"
        lines.append(f"Team goal {goal}: {total}, {verdict}.")
    elif c.target is not None:
        done = sum(1 for r in board.rows if reached_target(c, r.value))
        goal = amount(c.metric, c.target, POST_UNITS)
        lines.append(f"{done} of {board.members} reached the target of {goal}.")
    lines.append("")
    lines.append(board_text(board, None, POST_UNITS, c.end))
    return "\n".join(lines)
