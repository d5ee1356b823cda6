"""Accounts: who is writing (platform account -> runner), linking accounts, reachability."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.input_hygiene import quote
from bot.models import Identity, User
from bot.services.events import Listeners
from bot.storage.database import Database
from bot.storage.runners import Account
from bot.texts import accounts as texts

log = logging.getLogger(__name__)

# last_seen_at is kept to this resolution (it picks where nudges go, not a stopwatch).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# ...and written behind, at most this late (each sweep also writes them first).
SEEN_FLUSH_AFTER = timedelta(seconds=10)
LINK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
LINK_CODE_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Linked:
    """The result of redeeming a link code."""

    user: User
    platforms: tuple[str, ...]
    same_account: bool = False


class AccountService:
    """Maps platform accounts to runners."""

    def __init__(self, db: Database, clock: Clock, listeners: Listeners) -> None:
        self.db = db
        self.clock = clock
        self.listeners = listeners
        self._seen: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._oldest: datetime | None = None

    async def identify(self, platform: str, platform_user_id: str, display_name: str) -> Account:
        """The runner behind a platform account, created on first sight.

        A known account costs one read: when it was last seen (and under which
        name) is written behind, several accounts at once, by :meth:`flush`, which
        each sweep calls first.
        """
        now = self.clock.now()
        async with self.db.reader() as uow:
            found = await uow.runners.find(platform, platform_user_id)
        if found is None:
            async with self.db.uow() as uow:
                await uow.runners.create(platform, platform_user_id, display_name, now)
                fresh = await uow.runners.find(platform, platform_user_id)
                await uow.commit()
            assert fresh is not None
            return fresh
        identity = found.identity
        seen = identity.last_seen_at
        renamed = bool(display_name) and display_name != identity.display_name
        if renamed or seen is None or now - seen >= LAST_SEEN_RESOLUTION:
            # Written behind, several at once: most messages then cost one read only.
            self._seen[(platform, platform_user_id)] = (display_name, now)
            self._oldest = self._oldest or now
            identity = dataclasses.replace(
                identity, last_seen_at=now, display_name=display_name or identity.display_name
            )
            found = Account(found.user, identity, found.any_refused)
        if self._oldest is not None and now - self._oldest >= SEEN_FLUSH_AFTER:
            try:
                await self.flush()
            except Exception:  # not this runner's fault: their command goes on
                log.exception("writing last-seen times failed; kept for the next try")
        return found

    async def flush(self) -> int:
        """Write the last-seen times (and names) kept since the last flush; how many."""
        seen, self._seen, self._oldest = self._seen, {}, None
        if not seen:
            return 0
        try:
            # One statement for the batch, committing by itself: each row stands alone,
            # and writing it twice after a retry is harmless.
            async with self.db.single() as uow:
                await uow.runners.touch_many([(p, pid, n, w) for (p, pid), (n, w) in seen.items()])
        except BaseException:
            # Kept for the next flush (newer sightings win); the caller logs the fault.
            self._seen = seen | self._seen
            self._oldest = min(w for _, w in self._seen.values())
            raise
        return len(seen)

    def forget_seen(self, accounts: Sequence[tuple[str, str]]) -> None:
        """Drop these accounts' last-seen times and names not written yet (/forget)."""
        for key in accounts:
            self._seen.pop(key, None)
        if not self._seen:
            self._oldest = None

    async def identities(self, user_id: int) -> list[Identity]:
        """Every platform account of a runner, most recently seen first."""
        await self.flush()
        async with self.db.reader() as uow:
            return (await uow.runners.identities([user_id]))[user_id]

    async def reachability_notice(
        self, account: Account, in_private_chat: bool, reply_private: bool
    ) -> str:
        """Tell the runner, privately, that DMs to one of their accounts were refused.

        Told on their next message on any platform, never in a public reply: in a
        group only a private reply carries it, and not when that reply would go
        through the very DMs that were refused (then it waits for the next one).
        Writing to the bot in a private chat on that platform shows the DM works
        again: the mark is cleared and the runner told their nudges are back on.
        """
        if not account.any_refused or not (in_private_chat or reply_private):
            return ""  # the common case: known from the identify read, no query
        user, here = account.user, account.identity
        accounts = await self.identities(user.id)
        notices: list[str] = []
        async with self.db.uow() as uow:
            for other in accounts:
                if other.unreachable_since is None:
                    continue
                this_account = (other.platform, other.platform_user_id) == (
                    here.platform,
                    here.platform_user_id,
                )
                if this_account and in_private_chat:
                    await uow.runners.set_unreachable(other.platform, other.platform_user_id, None)
                    notices.append(texts.welcome_back(other.platform, other.unreachable_since))
                    continue
                if other.unreachable_told or this_account:
                    continue
                await uow.runners.mark_unreachable_told(other.platform, other.platform_user_id)
                notices.append(texts.dms_refused(other.platform, other.unreachable_since))
            await uow.commit()
        return "\n".join(notices[:2])

    async def new_link_code(self, user: User) -> str:
        """A one-time code (15 minutes) for joining another account to this runner."""
        code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(6))
        async with self.db.uow() as uow:
            await uow.runners.save_link_code(code, user.id, self.clock.now() + LINK_CODE_LIFETIME)
            await uow.commit()
        return code

    async def redeem(self, user: User, code: str) -> Linked:
        """Join this account (and its runs and check-ins) to the code's runner: one transaction."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            target = await uow.runners.link_code_owner(code, now)
            if target is None:
                raise texts.unknown_code(quote(code))
            if target == user.id:
                # Not used up: the runner can still send it from the other account.
                return Linked(user, (), same_account=True)
            await uow.runners.merge(code, user.id, target)
            merged = await uow.runners.get(target)
            assert merged is not None
            await self.listeners.settings_changed(uow, merged, now)
            platforms = tuple(
                sorted({i.platform for i in (await uow.runners.identities([target]))[target]})
            )
            await uow.commit()
        return Linked(merged, platforms)

    async def mark_unreachable(self, platform: str, platform_user_id: str, when: datetime) -> None:
        """Remember that direct messages to this account are refused."""
        async with self.db.uow() as uow:
            await uow.runners.set_unreachable(platform, platform_user_id, when)
            await uow.commit()
