"""Club posts as a source of scheduled messages for the sweep.

For every challenge not yet frozen (or frozen in the last two days), the posts
that fell due are found in the club's zone: the start announcement (with a
one-tap Join), the board at the club's post time (daily or weekly), a last-day
reminder, and the final results once the 24 h of late logs are over (the results
are frozen first). Everything due at one post time in one club's channel is one
delivery row, one message with a short section per challenge: a board only when
its challenge has members and its standings moved since it was last posted, and
on the weekly post the week's most-cheered run. A post time with nothing new is
recorded as skipped. Posts use the club's units. A club whose chat refused a
post has its posts paused: nothing more is written for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clubs.texts.boards import board_text
from bot.clubs.texts.challenges import join_button
from bot.clubs.texts.posts import final_text, kudos_text, last_day, starting_today
from bot.messages import Button, Reply
from bot.models import Board, Challenge, Club
from bot.storage.deliveries import Delivery, NewDelivery, chat_target
from bot.storage.uow import UnitOfWork

START, BOARD, LAST_DAY, FINAL = "club_start", "club_board", "club_last_day", "club_final"
POST = "club_post"  # one message per club and post time, a section per challenge
KUDOS = "kudos"  # the week's most-cheered run, a section of the weekly post
CLUB_KINDS = frozenset({START, BOARD, LAST_DAY, FINAL, POST})
MORNING = "09:00"  # start announcements and last-day reminders, club time
WEEK = timedelta(days=7)
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
    """Writes each club's due posts as one delivery row per post time; words it when claimed."""

    kinds = CLUB_KINDS

    def __init__(self, grace_minutes: int = 120) -> None:
        self.grace = timedelta(minutes=grace_minutes)
        # Post times found already stored: not offered to the database again each sweep
        # (the unique key would refuse them anyway; this spares the statements).
        self._recorded: set[str] = set()

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Freeze what is over, then write one post per club, channel and post time (once).

        A board goes in only when its challenge has members and its standings moved since
        the board last posted; a post time with nothing to say is recorded as skipped.
        """
        slots: dict[tuple[int, str, datetime], list[tuple[str, Challenge]]] = {}
        clubs: dict[int, Club] = {}
        for challenge, club in await uow.clubs.open_challenges(now - timedelta(days=2)):
            if challenge.frozen_at is None and now >= challenge.freezes_at(club):
                await uow.clubs.freeze(challenge, now)
            if club.posts_paused_at is not None:
                continue
            channel = club.post_channel or challenge.channel
            for post in posts_due(challenge, club, now):
                key = _slot_key(club, channel, post.due)
                if post.due < now - self.grace or key in self._recorded:
                    continue  # missed while down for too long (not sent late), or done
                slots.setdefault((club.id, channel, post.due), []).append((post.kind, challenge))
                clubs[club.id] = club
        written = 0
        for (club_id, channel, due), posts in slots.items():
            club = clubs[club_id]
            written += await self._write(uow, club, channel, due, posts)
            if len(self._recorded) > MAX_REMEMBERED:
                self._recorded.clear()
            self._recorded.add(_slot_key(club, channel, due))
        return written, False

    async def _write(
        self,
        uow: UnitOfWork,
        club: Club,
        channel: str,
        due: datetime,
        posts: list[tuple[str, Challenge]],
    ) -> int:
        """The post of one club's post time: its sections, or a skipped row (nothing new)."""
        sections: list[tuple[str, int]] = []
        moved: list[tuple[int, str]] = []
        for kind, challenge in posts:
            if kind != START:  # a start invites; the rest are for challenges with members
                board = await uow.clubs.board(challenge, None)
                if board.members == 0:
                    continue
                if kind == BOARD:
                    state = board_state(board)
                    if state == challenge.posted_board:
                        continue
                    moved.append((challenge.id, state))
            sections.append((kind, challenge.id))
        weekly = any(kind == BOARD for kind, _ in posts) and _weekly(club, due)
        if weekly and await uow.club_feed.most_cheered(club.id, due - WEEK) is not None:
            sections.append((KUDOS, 0))
        added = await uow.deliveries.add(
            NewDelivery(
                target=chat_target(club.platform, channel),
                kind=POST,
                occurrence=f"club:{club.id}:{due.isoformat()}",
                due_at=due,
                status="due" if sections else "skipped",
                reason="" if sections else "nothing changed since the last post",
                platform=club.platform,
                chat_id=channel,
                anchor=club.today(due),
                payload=json.dumps({"club": club.id, "sections": sections}),
            )
        )
        if added is None:
            return 0  # written before (and committed)
        for challenge_id, state in moved:
            await uow.clubs.update_challenge(challenge_id, posted_board=state)
        return 1 if sections else 0

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The post of each claimed row, worded now (the boards as they stand)."""
        out: dict[int, Reply | str] = {}
        for item in items:
            payload = json.loads(item.payload or "{}")
            if item.kind == POST:
                club = await uow.clubs.club_by_id(int(payload.get("club", 0)))
                sections = [(str(k), int(i)) for k, i in payload.get("sections", [])]
            else:  # a row written by an earlier release: one challenge's post
                challenge = await uow.clubs.challenge(int(payload.get("challenge", 0)))
                club = await uow.clubs.club_by_id(challenge.club_id) if challenge else None
                sections = [(item.kind, challenge.id)] if challenge else []
            if club is None:
                out[item.id] = "club gone"
                continue
            if club.posts_paused_at is not None:
                out[item.id] = "club posts paused"
                continue
            out[item.id] = await self._compose(uow, club, sections, item.due_at, now)
        return out

    async def _compose(
        self,
        uow: UnitOfWork,
        club: Club,
        sections: list[tuple[str, int]],
        due: datetime,
        now: datetime,
    ) -> Reply | str:
        """One message: a short section per challenge, the Join buttons of those starting."""
        parts: list[str] = []
        buttons: list[tuple[Button, ...]] = []
        for kind, challenge_id in sections:
            if kind == KUDOS:
                cheered = await uow.club_feed.most_cheered(club.id, due - WEEK)
                if cheered is not None:
                    parts.append(kudos_text(cheered, club.units))
                continue
            challenge = await uow.clubs.challenge(challenge_id)
            if challenge is None:
                continue
            worded = await self._word(uow, kind, challenge, club, now)
            if isinstance(worded, Reply):
                parts.append(worded.text)
                buttons.extend(worded.buttons)
        if not parts:
            return "nothing left to post"
        return Reply("\n\n".join(parts), buttons=tuple(buttons))

    async def _word(
        self, uow: UnitOfWork, kind: str, challenge: Challenge, club: Club, now: datetime
    ) -> Reply | str:
        today = club.today(now)
        c = challenge
        units = club.units
        if kind == START:
            return Reply(starting_today(c, units), buttons=join_button(c))
        if kind == FINAL:
            if c.frozen_at is None:
                return "results not frozen yet"
            return Reply(final_text(await uow.clubs.board(c, None), units))
        if c.frozen_at is not None or c.ended_at is not None:
            return "challenge over"
        board = await uow.clubs.board(c, None)
        if kind == LAST_DAY:
            until = c.freezes_at(club).astimezone(club.tz)
            return Reply(last_day(c, until, club.timezone, board, units, today))
        return Reply(board_text(board, None, units, today))


def _slot_key(club: Club, channel: str, due: datetime) -> str:
    return f"{club.platform}:{channel}:{club.id}:{due.isoformat()}"


def _weekly(club: Club, due: datetime) -> bool:
    """Whether a board post time is the club's weekly one (every one when it posts weekly)."""
    return club.post_every == "weekly" or due.astimezone(club.tz).weekday() == club.post_day


def board_state(board: Board) -> str:
    """What a board post shows, compactly: members and the top rows' values."""
    rows = ",".join(f"{r.user_id}:{r.value:g}" for r in board.rows)
    return f"{board.members}|{board.total:g}|{rows}"
