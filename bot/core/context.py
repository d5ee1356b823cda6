"""What a command handler gets: who asked, where, and the parsed options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.chart_pool import ChartPainter
from bot.clubs.texts.challenges import runner_in_group
from bot.messages import Incoming, Reply
from bot.models import Identity, User
from bot.ports import ProgressNote
from bot.services.accounts import AccountService
from bot.services.challenges import ChallengeService
from bot.services.club_feed import ClubFeedService
from bot.services.data_rights import DataRightsService
from bot.services.digest import DigestService
from bot.services.habits import HabitService
from bot.services.nudge_answers import NudgeAnswers
from bot.services.nudges import NudgeSettingsService
from bot.services.profile import ProfileService
from bot.services.runfiles import RunFileService
from bot.services.runs import RunService
from bot.services.stats import StatsService


@dataclass(frozen=True, slots=True)
class Services:
    """Every capability the handlers call, wired by :func:`bot.bootstrap.bootstrap`."""

    accounts: AccountService
    runs: RunService
    runfiles: RunFileService
    habits: HabitService
    profile: ProfileService
    stats: StatsService
    nudge_settings: NudgeSettingsService
    nudge_answers: NudgeAnswers
    data: DataRightsService
    digest: DigestService
    challenges: ChallengeService
    charts: ChartPainter
    club_feed: ClubFeedService


@dataclass(frozen=True, slots=True)
class Context:
    """One command being handled."""

    incoming: Incoming
    user: User
    identity: Identity
    now: datetime
    progress: ProgressNote | None = None  # where a long command shows how far it got
    private_reply: bool = False  # the answer goes to the runner alone, even from a group

    @property
    def source_key(self) -> str | None:
        """A key that is the same when the platform delivers the same message twice."""
        key = self.incoming.idempotency_key
        if not key:
            return None
        # Scoped to the sender: platform message ids are not unique forever (Telegram
        # restarts update ids), and one runner's key must never match another's record.
        return f"{self.incoming.platform}:{self.incoming.user_id}:{key}"

    @property
    def shown_in(self) -> str:
        """``platform:chat id`` of the group chat that sees the reply ("" in a private chat)."""
        return (
            "" if self.incoming.is_private else f"{self.incoming.platform}:{self.incoming.chat_id}"
        )

    @property
    def in_group(self) -> bool:
        """True in a server channel or group chat, where others can read the reply."""
        return not self.incoming.is_private

    @property
    def seen_by_group(self) -> bool:
        """True when the whole group reads the reply: in a group, and not a command whose
        answer goes to the runner alone (``private_reply``)."""
        return self.in_group and not self.private_reply

    @property
    def name_in_group(self) -> str:
        """Who the reply is about, as the group reads it ("" in a private chat, and for an
        answer that goes to the runner alone): the display name, or "A runner" for one who
        hides on boards. A button's answer is a new message that shows nobody who pressed
        (no quoted command, no "used /log" line)."""
        if not self.seen_by_group:
            return ""
        return runner_in_group(
            self.incoming.display_name or self.identity.display_name, self.user.boards_hidden
        )


Handler = Callable[[Context, Mapping[str, str]], Awaitable[Reply]]
