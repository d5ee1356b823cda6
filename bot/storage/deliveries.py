"""Delivery records: every scheduled message, from due to sent (or why not)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, delete, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert
from bot.storage.tables import deliveries

_D = deliveries.c
FINISHED = ("sent", "skipped", "failed", "unreachable", "expired")
IN_DOUBT = "in doubt after a crash; not resent"  # the reason of a ``failed`` that may have arrived
PRUNE_BATCH = 5000


def _status_is(*states: str) -> ColumnElement[bool]:
    """``status`` in these states, written into the SQL rather than bound.

    The partial indexes (``deliveries_claim``, ``deliveries_due``, ``deliveries_open``)
    cover rows of given states; a plan made for any parameters (a prepared
    statement's generic plan) can use them only if the states are in the text.
    With ``status = $1`` such a plan reads and sorts the whole table.
    """
    if len(states) == 1:
        return _D.status == literal_column(f"'{states[0]}'")
    return _D.status.in_([literal_column(f"'{s}'") for s in states])


def user_target(user_id: int) -> str:
    """The delivery target of a runner's direct messages."""
    return f"user:{user_id}"


def chat_target(platform: str, chat_id: str) -> str:
    """The delivery target of a group chat or channel."""
    return f"chat:{platform}:{chat_id}"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A message to record: ``due`` to send, or already decided (``skipped``...)."""

    target: str
    kind: str
    occurrence: str
    due_at: datetime
    status: str = "due"
    reason: str = ""
    user_id: int | None = None
    anchor: date | None = None
    platform: str | None = None
    chat_id: str | None = None
    payload: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery record."""

    id: int
    target: str
    kind: str
    occurrence: str
    due_at: datetime
    status: str
    reason: str
    user_id: int | None
    anchor: date | None
    platform: str | None
    chat_id: str | None
    payload: str
    claimed_at: datetime | None
    lease_until: datetime | None
    sending_at: datetime | None
    sent_at: datetime | None
    answered_at: datetime | None
    attempts: int
    owner: str | None = None  # the process holding the claim
    epoch: int = 0  # which claim of this row: marking and finishing must name it

    @property
    def is_group_post(self) -> bool:
        """A post to a group chat or channel rather than a runner's DM."""
        return self.target.startswith("chat:")


def _delivery(r: object) -> Delivery:
    m = r._mapping  # type: ignore[attr-defined]
    return Delivery(**{f: m[f] for f in Delivery.__dataclass_fields__})


class DeliveryRepository:
    """Delivery records, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def add(self, item: NewDelivery) -> int | None:
        """Record one occurrence; None when it was recorded before (the unique key)."""
        stmt = (
            insert(self.dialect, deliveries)
            .values(
                target=item.target,
                kind=item.kind,
                occurrence=item.occurrence,
                due_at=item.due_at,
                status=item.status,
                reason=item.reason,
                user_id=item.user_id,
                anchor=item.anchor,
                platform=item.platform,
                chat_id=item.chat_id,
                payload=item.payload,
            )
            .on_conflict_do_nothing(index_elements=[_D.target, _D.kind, _D.occurrence])
            .returning(_D.id)
        )
        new_id: int | None = await self.conn.scalar(stmt)
        return new_id

    async def add_many(self, items: Sequence[NewDelivery]) -> int:
        """Record many occurrences in one statement; how many were new.

        Already-recorded ones (the unique key) are left alone and not counted.
        """
        if not items:
            return 0
        stmt = (
            insert(self.dialect, deliveries)
            .on_conflict_do_nothing(index_elements=[_D.target, _D.kind, _D.occurrence])
            .returning(_D.id)
        )
        result = await self.conn.execute(stmt, [dataclasses.asdict(i) for i in items])
        return len(result.all())

    async def expire_stale(self, older_than: datetime) -> int:
        """Due rows missed by more than the grace window: never sent late any more."""
        result = await self.conn.execute(
            update(deliveries)
            .where(_status_is("due"), _D.due_at < older_than)
            .values(status="expired", reason="missed by more than the grace window")
        )
        return result.rowcount

    async def claim(
        self, platform: str, now: datetime, lease_until: datetime, limit: int, *, owner: str
    ) -> list[Delivery]:
        """Take up to ``limit`` due rows of one platform for ``owner``, oldest first.

        On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so processes
        sharing the database never claim the same row; ``deliveries_claim`` serves
        the first rows in order without sorting the backlog. Each claim bumps the
        row's epoch: the claim's fence.
        """
        if limit <= 0:
            return []
        picked = (
            select(_D.id)
            .where(_status_is("due"), _D.due_at <= now, _D.platform == platform)
            .order_by(_D.due_at, _D.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self.conn.scalars(picked)).all())
        if not ids:
            return []
        stmt = (
            update(deliveries)
            .where(_D.id.in_(ids), _D.status == "due")
            .values(
                status="claimed",
                claimed_at=now,
                lease_until=lease_until,
                owner=owner,
                epoch=_D.epoch + 1,
            )
            .returning(*deliveries.c)
        )
        rows = [_delivery(r) for r in await self.conn.execute(stmt)]
        return sorted(rows, key=lambda d: (d.due_at, d.id))

    async def extend_leases(
        self, ids: Collection[int], lease_until: datetime, *, owner: str
    ) -> None:
        """Keep this process's claims (still queued or on the wire) from being recovered."""
        if ids:
            await self.conn.execute(
                update(deliveries)
                .where(
                    _D.id.in_(list(ids)),
                    _D.status.in_(("claimed", "sending")),
                    _D.owner == owner,
                )
                .values(lease_until=lease_until)
            )

    async def mark_sending(
        self, delivery_id: int, now: datetime, *, owner: str, epoch: int
    ) -> bool:
        """The request is about to go out (after a crash it is in doubt); False if not ours.

        Only this claim of the row (owner and epoch), still claimed or being
        retried, and only while its lease runs: a row settled, taken back or
        claimed again meanwhile, or a lease that lapsed while this process was
        paused, must not be sent.
        """
        result = await self.conn.execute(
            update(deliveries)
            .where(
                _D.id == delivery_id,
                _D.status.in_(("claimed", "sending")),
                _D.owner == owner,
                _D.epoch == epoch,
                _D.lease_until > now,
            )
            .values(status="sending", sending_at=now, attempts=_D.attempts + 1)
        )
        return bool(result.rowcount == 1)

    async def finish(
        self,
        delivery_id: int,
        status: str,
        reason: str,
        sent_at: datetime | None,
        *,
        owner: str,
        epoch: int,
    ) -> bool:
        """How this claim's sending ended (``sent``, ``failed``, ``unreachable``...).

        False when the row is no longer this claim's (taken back meanwhile): the
        outcome is not recorded over someone else's.
        """
        values: dict[str, object] = {"status": status, "reason": reason, "lease_until": None}
        if sent_at is not None:
            values["sent_at"] = sent_at
        result = await self.conn.execute(
            update(deliveries)
            .where(_D.id == delivery_id, _D.owner == owner, _D.epoch == epoch)
            .values(**values)
        )
        return bool(result.rowcount == 1)

    async def release(self, ids: Collection[int], *, owner: str) -> int:
        """Rows this process holds but is not sending go back to due (a clean stop).

        Never tried (claimed), or waiting to retry after a 429 or a network error
        (sending, but certainly not on the wire): the next start sends them.
        """
        if not ids:
            return 0
        result = await self.conn.execute(
            update(deliveries)
            .where(_D.id.in_(list(ids)), _D.status.in_(("claimed", "sending")), _D.owner == owner)
            .values(status="due", claimed_at=None, lease_until=None, owner=None)
        )
        return result.rowcount

    async def recover(self, now: datetime, resend_platforms: Collection[str]) -> tuple[int, int]:
        """After a crash: unexpired claims back to due; requests on the wire resolved.

        A ``sending`` row was perhaps delivered. On platforms that de-duplicate
        by nonce (Discord) it goes back to due and is resent with the same key;
        elsewhere (Telegram) it is marked failed, never resent: at most once.
        Returns (released, in doubt and not resent).
        """
        expired = and_(
            _status_is("claimed", "sending"), _D.lease_until.is_not(None), _D.lease_until <= now
        )
        released = await self.conn.execute(
            update(deliveries)
            .where(
                expired,
                (_D.status == "claimed")
                | ((_D.status == "sending") & _D.platform.in_(list(resend_platforms))),
            )
            .values(status="due", claimed_at=None, lease_until=None, owner=None)
        )
        doubtful = await self.conn.execute(
            update(deliveries)
            .where(expired, _D.status == "sending")
            .values(status="failed", reason=IN_DOUBT, lease_until=None)
        )
        return released.rowcount, doubtful.rowcount

    async def cancel_chat(self, platform: str, chat_id: str, reason: str) -> list[int]:
        """Mark every due or claimed message to one chat unreachable; their ids."""
        stmt = (
            update(deliveries)
            .where(
                _D.platform == platform,
                _D.chat_id == chat_id,
                _D.status.in_(("due", "claimed")),
            )
            .values(status="unreachable", reason=reason, lease_until=None)
            .returning(_D.id)
        )
        return list((await self.conn.scalars(stmt)).all())

    async def get(self, delivery_id: int) -> Delivery | None:
        """One delivery record."""
        row = (await self.conn.execute(select(deliveries).where(_D.id == delivery_id))).first()
        return None if row is None else _delivery(row)

    async def listing(self, user_id: int | None = None) -> list[Delivery]:
        """Delivery records, oldest first (one runner's, or all)."""
        stmt = select(deliveries).order_by(_D.id)
        if user_id is not None:
            stmt = stmt.where(_D.user_id == user_id)
        return [_delivery(r) for r in await self.conn.execute(stmt)]

    async def answer_once(self, delivery_id: int, when: datetime) -> bool:
        """Mark a delivery answered; False when it already was (a second tap)."""
        result = await self.conn.execute(
            update(deliveries)
            .where(_D.id == delivery_id, _D.answered_at.is_(None))
            .values(answered_at=when)
        )
        return result.rowcount == 1

    async def mark_answered(self, delivery_id: int, when: datetime) -> None:
        """Note that the runner tapped an answer (the first tap's time is kept)."""
        await self.conn.execute(
            update(deliveries)
            .where(_D.id == delivery_id)
            .values(answered_at=case((_D.answered_at.is_(None), when), else_=_D.answered_at))
        )

    async def answer_all(
        self,
        user_id: int,
        kind: str,
        when: datetime,
        *,
        on: date | None = None,
        since: date | None = None,
    ) -> int:
        """Mark a runner's unanswered nudges of one kind answered; how many.

        Only the nudges whose buttons were shown (``sent``) or may have been (``sending``,
        or ``failed`` in doubt): a skipped, expired or failed one was never answerable.
        Of one anchor date (``on``), or of the anchors from ``since`` on.
        """
        shown = _D.status.in_(("sent", "sending")) | (
            (_D.status == "failed") & (_D.reason == IN_DOUBT)
        )
        stmt = update(deliveries).where(
            _D.user_id == user_id, _D.kind == kind, _D.answered_at.is_(None), shown
        )
        if on is not None:
            stmt = stmt.where(_D.anchor == on)
        if since is not None:
            stmt = stmt.where(_D.anchor >= since)
        return (await self.conn.execute(stmt.values(answered_at=when))).rowcount

    async def counts(self) -> dict[str, int]:
        """How many records per status (benchmarks, tests)."""
        stmt = select(_D.status, func.count()).group_by(_D.status)
        return {str(r[0]): int(r[1]) for r in await self.conn.execute(stmt)}

    async def next_due(self) -> datetime | None:
        """The earliest due instant of a due row."""
        first: datetime | None = await self.conn.scalar(
            select(func.min(_D.due_at)).where(_status_is("due"))
        )
        return first

    async def prune(self, before: datetime, batch: int = PRUNE_BATCH) -> int:
        """Delete up to ``batch`` finished records due before ``before``, oldest ids first.

        Their key guards nothing any more. In batches, so the clean-up of a large
        history holds no lock for long; the caller repeats while a batch comes back full.
        """
        oldest = (
            select(_D.id)
            .where(_D.status.in_(FINISHED), _D.due_at < before)
            .order_by(_D.id)
            .limit(batch)
        )
        result = await self.conn.execute(delete(deliveries).where(_D.id.in_(oldest)))
        return result.rowcount

    async def backlog(self, now: datetime) -> dict[str, tuple[int, datetime | None]]:
        """Per platform: how many rows are due by ``now`` and unclaimed, and the oldest."""
        stmt = (
            select(_D.platform, func.count(), func.min(_D.due_at))
            .where(_status_is("due"), _D.due_at <= now, _D.platform.is_not(None))
            .group_by(_D.platform)
        )
        return {str(r[0]): (int(r[1]), r[2]) for r in await self.conn.execute(stmt)}
