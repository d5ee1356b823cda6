"""Club challenges: clubs and their settings, challenges, members, boards and standings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.challenge_metrics import CHALLENGE_METRICS, METRICS, Logged, counts_toward
from bot.clock import Clock
from bot.clubs import challenge_input
from bot.clubs.texts import boards as board_texts
from bot.clubs.texts import challenges as challenge_texts
from bot.clubs.texts import club as club_texts
from bot.dates import parse_weekday
from bot.daytimes import parse_clock
from bot.models import Board, Challenge, Club, Run, User
from bot.parsing import parse_timezone
from bot.services.profile import RunnerSwitch, set_switch
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork

MAX_STANDINGS = 3
BOARDS = RunnerSwitch(
    board_texts.BOARDS_NAME,
    ("hidden", "shown"),
    "boards_hidden",
    hint=board_texts.BOARDS_HINT,
    answers=(board_texts.BOARDS_HIDDEN, board_texts.BOARDS_SHOWN),
)
RECENT_DAYS = 30  # /challenge list shows challenges that ended this recently


@dataclass(frozen=True, slots=True)
class Joined:
    """A runner joined a challenge."""

    challenge: Challenge
    late: bool
    so_far: float


class ChallengeService:
    """Runs the clubs' challenges; every rule a runner can break is a specific answer."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # --- clubs --------------------------------------------------------------------------

    async def club(self, platform: str, chat_id: str, name: str) -> Club:
        """The club of a server or group, created the first time Pacer is used there."""
        async with self.db.reader() as uow:  # the common case: known, same name
            known = await uow.clubs.club(platform, chat_id)
        if known is not None and (not name or known.name == name):
            return known
        async with self.db.uow() as uow:
            club = await uow.clubs.ensure_club(platform, chat_id, name, self.clock.now())
            await uow.commit()
        return club

    async def describe(self, club: Club) -> str:
        """``/club``: settings and challenges."""
        now = self.clock.now()
        today = club.today(now)
        async with self.db.reader() as uow:
            found = await uow.clubs.club_challenges(club.id, today - timedelta(days=RECENT_DAYS))
        return club_texts.club_text(club, found, today)

    async def set_timezone(self, club: Club, text: str) -> str:
        """``/club timezone Europe/Berlin``."""
        name, warning = parse_timezone(text)
        async with self.db.uow() as uow:
            await uow.clubs.update_club(club.id, timezone=name)
            await uow.commit()
        return club_texts.timezone_set(name, warning)

    async def set_posts(self, club: Club, text: str) -> str:
        """``/club posts daily 18:00``, ``weekly sun 18:00`` or ``off``; resumes paused posts."""
        words = text.lower().split()
        if not words or words[0] not in ("daily", "weekly", "off"):
            raise club_texts.posts_how_often()
        every, rest = words[0], words[1:]
        values: dict[str, object] = {"post_every": every}
        if every == "off":
            if rest:
                raise club_texts.unexpected_after_off(rest)
        elif every == "daily":
            if len(rest) > 1:
                raise club_texts.unexpected_there(rest[1:])
            values["post_time"] = parse_clock(rest[0]) if rest else club.post_time
        else:
            if not rest:
                raise club_texts.posts_which_day()
            values["post_day"] = parse_weekday(rest[0], hint=club_texts.posts_which_day().hint)
            if len(rest) > 2:
                raise club_texts.unexpected_there(rest[2:])
            values["post_time"] = parse_clock(rest[1]) if len(rest) > 1 else club.post_time
        values["posts_paused_at"] = None
        values["paused_reason"] = ""
        async with self.db.uow() as uow:
            await uow.clubs.update_club(club.id, **values)
            await uow.commit()
        if every == "off":
            return club_texts.POSTS_OFF
        post_day = int(str(values.get("post_day", 0)))
        return club_texts.posts_set(club, every, post_day, str(values["post_time"]))

    async def set_units(self, club: Club, units: str) -> str:
        """``/club units mi``: the units of the club's posts and create replies."""
        async with self.db.uow() as uow:
            await uow.clubs.update_club(club.id, units=units)
            await uow.commit()
        return club_texts.units_set(units)

    async def set_channel(self, club: Club, text: str) -> str:
        """``/club channel #runs`` (Discord): where posts go."""
        if club.platform != "discord":
            raise club_texts.channel_not_here()
        match = re.fullmatch(r"<#(\d+)>|(\d{5,25})", text.strip())
        if match is None:
            raise club_texts.channel_unreadable(text)
        channel = match.group(1) or match.group(2)
        async with self.db.uow() as uow:
            await uow.clubs.update_club(
                club.id, post_channel=channel, posts_paused_at=None, paused_reason=""
            )
            await uow.commit()
        return club_texts.channel_set(channel)

    # --- challenges -----------------------------------------------------------------------

    async def create(
        self, club: Club, channel: str, user: User, args: Mapping[str, str]
    ) -> Challenge:
        """Check every part of a new challenge, then store it (or nothing)."""
        now = self.clock.now()
        today = club.today(now)
        name = challenge_input.check_name(args.get("name", ""))
        if "metric" not in args:
            raise challenge_texts.which_metric(METRICS)
        metric = challenge_input.check_metric(args["metric"])
        start = challenge_input.parse_start(args.get("start", "today"), today)
        if "end" not in args:
            raise challenge_texts.when_does_it_end()
        end = challenge_input.parse_end(args["end"], start)
        challenge_input.check_window(start, end, today)
        team = args.get("team", "").lower() in ("yes", "true", "team", "1")
        if team and not CHALLENGE_METRICS[metric].sums:
            raise challenge_texts.team_cannot_add(metric)
        effort_m = None
        if metric == "fastest":
            effort_m = challenge_input.parse_effort(args.get("over", ""))
        day_min_m = None
        if metric == "streak" and "min" in args:
            day_min_m = challenge_input.parse_day_min(args["min"], user.units)
        target = None
        if "target" in args:
            target = challenge_input.parse_target(
                args["target"], metric, club.units, (end - start).days + 1, team
            )
        elif team:
            raise challenge_texts.team_needs_target()
        async with self.db.uow() as uow:
            live = [
                c for c in await uow.clubs.club_challenges(club.id, date.min) if c.frozen_at is None
            ]
            if any(c.name.lower() == name.lower() for c in live):
                raise challenge_texts.name_taken(name)
            if len(live) >= challenge_input.MAX_ACTIVE:
                raise challenge_texts.too_many_active(challenge_input.MAX_ACTIVE)
            challenge = await uow.clubs.add_challenge(
                Challenge(
                    0, club.id, name, metric, start, end, target, team, channel,
                    effort_m=effort_m, day_min_m=day_min_m,
                ),
                now,
            )  # fmt: skip
            await uow.commit()
        return challenge

    async def find(self, club: Club, name: str, *, live_only: bool = True) -> Challenge:
        """A club's challenge by name (any case); the closest is suggested when none matches."""
        today = club.today(self.clock.now())
        async with self.db.reader() as uow:
            found = await uow.clubs.club_challenges(club.id, today - timedelta(days=RECENT_DAYS))
        pool = [c for c in found if c.frozen_at is None] if live_only else found
        by_id = re.fullmatch(r"#(\d+)", name.strip())
        if by_id is not None:  # a Join button
            for challenge in found:
                if challenge.id == int(by_id.group(1)):
                    return challenge
            raise challenge_texts.challenge_gone()
        key = " ".join(name.split()).lower()
        for challenge in sorted(pool, key=lambda c: c.frozen_at is not None):
            if challenge.name.lower() == key:
                return challenge
        names = [c.name for c in pool]
        close = difflib.get_close_matches(key, [n.lower() for n in names], n=1, cutoff=0.5)
        suggestion = next(n for n in names if n.lower() == close[0]) if close else None
        raise challenge_texts.no_such_challenge(name, live_only, suggestion)

    async def names(self, platform: str, chat_id: str) -> list[str]:
        """Names of a club's active challenges (autocomplete); none for an unknown club."""
        async with self.db.reader() as uow:
            club = await uow.clubs.club(platform, chat_id)
            if club is None:
                return []
            found = await uow.clubs.club_challenges(club.id, date.min)
        return [c.name for c in found if c.frozen_at is None]

    async def listing(self, club: Club, units: str) -> str:
        """Active and recent challenges, with days left."""
        today = club.today(self.clock.now())
        async with self.db.reader() as uow:
            found = await uow.clubs.club_challenges(club.id, today - timedelta(days=RECENT_DAYS))
        return challenge_texts.listing_text(found, units, today)

    async def join(self, club: Club, user: User, name: str) -> Joined:
        """Join a challenge (late joiners' runs inside the window count)."""
        challenge = await self.find(club, name)
        now = self.clock.now()
        if club.today(now) > challenge.end:
            raise challenge_texts.join_too_late(challenge)
        async with self.db.uow() as uow:
            # Two days past the end: late logs count for 24 h after it, in any zone.
            until = challenge.end + timedelta(days=2)
            if not await uow.clubs.join(challenge.id, user.id, now, until):
                raise challenge_texts.already_in(challenge)
            board = await uow.clubs.board(challenge, user.id, 0)
            await uow.commit()
        row = board.row_of(user.id)
        late = club.today(now) > challenge.start
        return Joined(challenge, late, row.value if row else 0.0)

    async def leave(self, club: Club, user: User, name: str) -> Challenge:
        """Leave a challenge you're in."""
        challenge = await self.find(club, name)
        async with self.db.uow() as uow:
            if not await uow.clubs.leave(challenge.id, user.id):
                raise challenge_texts.not_in(challenge)
            await uow.commit()
        return challenge

    async def board(self, club: Club, user: User, name: str) -> str:
        """``/challenge board [name]``: the only active one when no name is given."""
        if name:
            challenge = await self.find(club, name, live_only=False)
        else:
            today = club.today(self.clock.now())
            async with self.db.reader() as uow:
                # Yesterday's end too: late logs still count for 24 h after it.
                found = await uow.clubs.club_challenges(club.id, today - timedelta(days=1))
            live = [c for c in found if c.frozen_at is None]
            if not live:
                raise challenge_texts.no_live_challenge()
            if len(live) > 1:
                raise challenge_texts.which_board(live)
            challenge = live[0]
        board = await self.current_board(club, challenge, user.id)
        viewer = shown_viewer(user)
        text = board_texts.board_text(board, viewer, user.units, club.today(self.clock.now()))
        on_board = viewer is not None and board.row_of(viewer) is not None
        if on_board and user.timezone != club.timezone:
            text += board_texts.zones_note(user.timezone, club.timezone)
        return text

    async def current_board(self, club: Club, challenge: Challenge, viewer: int | None) -> Board:
        """The board now: frozen first when its 24 h of late logs are over."""
        now = self.clock.now()
        if challenge.frozen_at is None and now >= challenge.freezes_at(club):
            challenge = await self.freeze(challenge)
        async with self.db.reader() as uow:
            return await uow.clubs.board(challenge, viewer)

    async def freeze(self, challenge: Challenge) -> Challenge:
        """Store the final results (once); later edits leave them as they are."""
        async with self.db.uow() as uow:
            await freeze_in(uow, challenge, self.clock.now())
            await uow.commit()
            frozen = await uow.clubs.challenge(challenge.id)
        assert frozen is not None
        return frozen

    async def ending(self, club: Club, name: str) -> Challenge:
        """The live challenge ``/challenge end <name>`` asks about (not one already over)."""
        challenge = await self.find(club, name)
        if challenge.ended_at is not None or challenge.frozen_at is not None:
            raise challenge_texts.already_over(challenge)
        return challenge

    async def end(self, club: Club, user: User, name: str, who: str) -> str:
        """Ends a challenge now, with results (the planned end date is kept); ``who`` is the
        runner as the group reads them."""
        challenge = await self.ending(club, name)
        now = self.clock.now()
        last = min(challenge.end, club.today(now))
        if last < challenge.start:
            last = challenge.start
        async with self.db.uow() as uow:
            await uow.clubs.end_challenge(challenge.id, last, now)
            if last != challenge.end:
                await uow.clubs.update_challenge(challenge.id, planned_end=challenge.end)
            ended = await uow.clubs.challenge(challenge.id)
            assert ended is not None
            await freeze_in(uow, ended, now)
            await uow.commit()
            final = await uow.clubs.challenge(challenge.id)
            assert final is not None
            board = await uow.clubs.board(final, user.id)
        today = club.today(now)
        return challenge_texts.ended_text(
            challenge, board, shown_viewer(user), user.units, today, who
        )

    # --- the runner's side ------------------------------------------------------------------

    async def standings(
        self,
        user: User,
        run: Run,
        efforts: Mapping[int, float] | None = None,
        group: Club | None = None,
    ) -> list[str]:
        """A short line for each open challenge this run counted toward (at most three):
        in its window and worth something by its metric; the soonest to end first.

        In a club's chat (``group``) the whole group reads them: only that club's
        challenges (another club's are none of its business), and none for a runner
        who hides on boards (the line sits under their own message)."""
        now = self.clock.now()
        if user.challenges_until is None or user.challenges_until < run.local_date:
            return []  # in no challenge that can still count this run: no read at all
        if group is not None and user.boards_hidden:
            return []
        log = Logged(
            run.id, run.local_date, run.distance_m, run.duration_s,
            climb_m=run.climb_m or 0.0, efforts=efforts or {},
        )  # fmt: skip
        async with self.db.reader() as uow:
            counted = [
                challenge
                for challenge, club in await uow.clubs.joined(user.id)
                if now < challenge.freezes_at(club)
                and counts_toward(challenge, log)
                and (group is None or club.id == group.id)
            ]
            lines = []
            for challenge in sorted(counted, key=lambda c: (c.end, -c.start.toordinal(), c.id)):
                board = await uow.clubs.board(challenge, user.id, 0)
                line = board_texts.standing_line(board, user.id, user.units)
                if line:
                    lines.append(line)
                if len(lines) == MAX_STANDINGS:
                    break
        return lines

    async def set_boards(self, user: User, value: str) -> str:
        """``/settings boards hidden|shown``."""
        return await set_switch(self.db, user, BOARDS, value)


def shown_viewer(user: User) -> int | None:
    """Whose row a board in the group marks "(you)": nobody's for a runner hidden on boards,
    or the group would read which "a runner" asked (and their row past the top ten)."""
    return None if user.boards_hidden else user.id


async def freeze_in(uow: UnitOfWork, challenge: Challenge, now: datetime) -> bool:
    """Freeze a challenge's results inside a unit of work; False if they were before."""
    return await uow.clubs.freeze(challenge, now)


def joined_text(joined: Joined, user: User, display_name: str) -> str:
    """The answer to ``/challenge join`` (worded in
    :mod:`bot.clubs.texts.challenges`), naming the runner
    as boards do: by their display name, or "A runner" if they hide on boards."""
    return challenge_texts.joined_text(
        joined.challenge, joined.late, joined.so_far, user.units, display_name, user.boards_hidden
    )
