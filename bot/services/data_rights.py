"""A runner's data in their hands: /export everything Pacer holds, /forget all of it.

Both are generic over the personal-data markers of the tables
(``bot/storage/personal.py``), so tables added later are included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.models import User
from bot.ports import ForgetsAccounts, Messenger
from bot.services.accounts import LINK_ALPHABET, AccountService
from bot.services.export_archive import build_archive
from bot.storage.database import Database
from bot.storage.personal import Forgotten, Removed
from bot.texts.data_rights import wrong_code
from bot.workers import Workers

# A /forget confirmation (its button, or the code typed) works this long.
CONFIRM_WITHIN = timedelta(minutes=10)
CODE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Export:
    """A finished export: the ZIP and what is in it."""

    filename: str
    data: bytes
    rows: dict[str, int]
    platforms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Holdings:
    """What /forget would remove and keep, by table, and on which platforms."""

    tables: dict[str, Removed]
    platforms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Forget:
    """What /forget did."""

    removed: Forgotten
    platforms: tuple[str, ...]


def _minute(when: datetime) -> int:
    return int(when.timestamp() // 60)


class DataRightsService:
    """Exports and erases everything Pacer holds about a runner, on every linked account."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        accounts: AccountService,
        messengers: Callable[[], Mapping[str, Messenger]] = dict,
        workers: Workers | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.accounts = accounts
        self.messengers = messengers  # the running platforms' senders
        self.workers = workers or Workers(processes=0)  # where the archive is built

    async def export(self, user: User) -> Export:
        """Everything about the runner as a ZIP of CSV and JSON, built off the event loop."""
        await self.accounts.flush()  # last-seen times kept in memory belong in the export
        now = self.clock.now()
        async with self.db.reader() as uow:
            tables = await uow.personal.rows([user.id])
            accounts = (await uow.runners.identities([user.id]))[user.id]
        platforms = tuple(sorted({a.platform for a in accounts}))
        # Writing and compressing a long history holds the interpreter for a while: a
        # worker process keeps the other runners' replies coming (bench/loop_bench.py).
        data = await self.workers.run(build_archive, tables, now, platforms)
        return Export(
            filename=f"pacer-export-{now:%Y%m%d-%H%M}.zip",
            data=data,
            rows={t.name: len(t.rows) for t in tables},
            platforms=platforms,
        )

    async def holdings(self, user: User) -> Holdings:
        """What forgetting this runner would delete and keep."""
        async with self.db.reader() as uow:
            counts = await uow.personal.counts([user.id])
            accounts = (await uow.runners.identities([user.id]))[user.id]
        return Holdings(counts, tuple(sorted({a.platform for a in accounts})))

    def confirmation_code(self, user: User, now: datetime | None = None) -> str:
        """The code that confirms /forget for this runner, valid for ten minutes."""
        return _code(user.id, _minute(now or self.clock.now()))

    def check_code(self, user: User, code: str) -> None:
        """Refuse a wrong or expired confirmation code (nothing is deleted then)."""
        now = _minute(self.clock.now())
        window = int(CONFIRM_WITHIN.total_seconds() // 60)
        typed = code.strip().upper()
        if not any(typed == _code(user.id, m) for m in range(now - window, now + 1)):
            raise wrong_code()

    async def forget(self, user: User, code: str) -> Forget:
        """Delete everything about the runner on every linked account: one transaction."""
        self.check_code(user, code)
        async with self.db.uow() as uow:
            accounts = (await uow.runners.identities([user.id]))[user.id]
            removed = await uow.personal.forget([user.id])
            await uow.commit()
        # Last-seen times and names waiting to be written must not outlive the rows.
        self.accounts.forget_seen([(a.platform, a.platform_user_id) for a in accounts])
        for account in accounts:
            messenger = self.messengers().get(account.platform)
            if isinstance(messenger, ForgetsAccounts):
                messenger.forget_account(account.platform_user_id)
        return Forget(removed, tuple(sorted({a.platform for a in accounts})))


def _code(user_id: int, minute: int) -> str:
    digest = hashlib.sha256(f"pacer-forget:{user_id}:{minute}".encode()).digest()
    return "".join(LINK_ALPHABET[b % len(LINK_ALPHABET)] for b in digest[:CODE_LENGTH])
