"""Handlers of the club commands: ``/club ...`` and ``/challenge ...``. No SQL, no platform code."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.clubs.texts.challenges import (
    created_text,
    end_cancelled,
    end_question,
    join_button,
    left_text,
)
from bot.core.commands import MAX_SUGGESTIONS
from bot.core.context import Context, Handler
from bot.core.ownership import ALERT
from bot.messages import Choice, Incoming, Reply
from bot.models import Club
from bot.services.challenges import ChallengeService, joined_text
from bot.services.club_feed import ClubFeedService


def club_key(incoming: Incoming) -> tuple[str, str, str]:
    """(platform, club id, name): a Discord server, else the group chat itself."""
    return incoming.platform, incoming.club_id or incoming.chat_id, incoming.chat_title


class ClubHandlers:
    """Clubs and their challenges; permissions and places are checked by the dispatcher."""

    def __init__(self, challenges: ChallengeService, club_feed: ClubFeedService) -> None:
        self.challenges = challenges
        self.club_feed = club_feed

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "club show": self.show,
            "club timezone": self.timezone,
            "club posts": self.posts,
            "club channel": self.channel,
            "club units": self.units,
            "club feed": self.feed,
            "kudos": self.kudos,
            "challenge list": self.listing,
            "challenge create": self.create,
            "challenge join": self.join,
            "challenge leave": self.leave,
            "challenge board": self.board,
            "challenge end": self.end,
        }

    async def _club(self, ctx: Context) -> Club:
        club = await self.challenges.club(*club_key(ctx.incoming))
        await self.club_feed.note_member(club, ctx.user)
        return club

    async def show(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The club's settings and challenges."""
        return Reply(await self.challenges.describe(await self._club(ctx)))

    async def timezone(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Set the club's zone."""
        return Reply(await self.challenges.set_timezone(await self._club(ctx), args["zone"]))

    async def posts(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Set when the board is posted."""
        words = [args[k] for k in ("every", "day", "time") if k in args]
        return Reply(await self.challenges.set_posts(await self._club(ctx), " ".join(words)))

    async def units(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Set the units of the club's posts."""
        return Reply(await self.challenges.set_units(await self._club(ctx), args["units"]))

    async def feed(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Turn the club's run feed on or off."""
        club = await self._club(ctx)
        return Reply(await self.club_feed.set_club_feed(club, args["switch"], ctx.incoming.chat_id))

    async def kudos(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A 👏 press: answered to the one who pressed (an alert where the platform has one)."""
        text = await self.club_feed.cheer(await self._club(ctx), ctx.user, int(args["run_id"]))
        return Reply(text, private=True, meta={ALERT: "1"})

    async def channel(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Pick the channel club posts go to (Discord)."""
        return Reply(await self.challenges.set_channel(await self._club(ctx), args["channel"]))

    async def listing(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Active and recent challenges."""
        return Reply(await self.challenges.listing(await self._club(ctx), ctx.user.units))

    async def create(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Start a challenge; the reply carries the one-tap Join."""
        club = await self._club(ctx)
        challenge = await self.challenges.create(club, ctx.incoming.chat_id, ctx.user, args)
        return Reply(created_text(challenge, club.units), buttons=join_button(challenge))

    async def join(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Join by name (or ``#id`` from a button)."""
        joined = await self.challenges.join(await self._club(ctx), ctx.user, args["name"])
        # Seen by the whole group (a button press shows nobody who pressed): name the runner.
        name = ctx.incoming.display_name or ctx.identity.display_name
        return Reply(joined_text(joined, ctx.user, name))

    async def leave(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Leave a challenge."""
        challenge = await self.challenges.leave(await self._club(ctx), ctx.user, args["name"])
        return Reply(left_text(challenge, ctx.name_in_group))

    async def board(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A challenge's board."""
        club = await self._club(ctx)
        return Reply(await self.challenges.board(club, ctx.user, args.get("name", "")))

    async def end(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Ask first (one tap ends it); the buttons carry the challenge id and the answer."""
        club = await self._club(ctx)
        name = args["name"].strip()
        answered = re.fullmatch(r"(#\d+) (confirm|cancel)", name)
        if answered is None:
            challenge = await self.challenges.ending(club, name)
            question, buttons = end_question(challenge)
            return Reply(question, buttons=buttons)
        if answered.group(2) == "cancel":
            challenge = await self.challenges.ending(club, answered.group(1))
            return Reply(end_cancelled(challenge))
        return Reply(
            await self.challenges.end(club, ctx.user, answered.group(1), ctx.name_in_group)
        )

    async def suggest(self, incoming: Incoming, partial: str) -> list[Choice]:
        """Autocomplete: the club's challenge names containing what was typed."""
        platform, key, _ = club_key(incoming)
        names = await self.challenges.names(platform, key)
        typed = partial.strip().lower()
        return [Choice(n, n) for n in names if typed in n.lower()][:MAX_SUGGESTIONS]
