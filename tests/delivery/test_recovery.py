"""After a crash: what was claimed but never tried goes back to due; what was on the wire
is resent only where the platform de-duplicates by nonce (Discord), never on Telegram."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.storage.database import Database
from bot.storage.deliveries import NewDelivery, chat_target


async def _row(db: Database, clock: FakeClock, platform: str, chat: str) -> int:
    async with db.uow() as uow:
        new_id = await uow.deliveries.add(
            NewDelivery(
                target=chat_target(platform, chat),
                kind="club_post",
                occurrence="2026-11-26",
                due_at=clock.now(),
                platform=platform,
                chat_id=chat,
                payload="hello",
            )
        )
        await uow.commit()
    assert new_id is not None
    return new_id


async def test_recovery_after_a_crash_by_platform(db: Database, clock: FakeClock) -> None:
    lease = clock.now() + timedelta(minutes=2)
    ids = {
        (p, state): await _row(db, clock, p, f"{p}-{state}")
        for p in ("telegram", "discord")
        for state in ("claimed", "sending")
    }
    async with db.uow() as uow:
        for platform in ("telegram", "discord"):
            claimed = await uow.deliveries.claim(platform, clock.now(), lease, 10, owner="p1")
            assert len(claimed) == 2
            epoch = {d.id: d.epoch for d in claimed}[ids[(platform, "sending")]]
            assert await uow.deliveries.mark_sending(
                ids[(platform, "sending")], clock.now(), owner="p1", epoch=epoch
            )
        await uow.commit()

    async with db.uow() as uow:  # leases still running: another live process's, left alone
        assert await uow.deliveries.recover(clock.now(), {"discord"}) == (0, 0)
        await uow.commit()
    clock.advance(minutes=3)
    async with db.uow() as uow:
        released, in_doubt = await uow.deliveries.recover(clock.now(), {"discord"})
        await uow.commit()
        rows = {d.id: d for d in await uow.deliveries.listing()}
    assert (released, in_doubt) == (3, 1)
    assert rows[ids[("telegram", "claimed")]].status == "due"  # never tried: sent late
    assert rows[ids[("discord", "claimed")]].status == "due"
    assert rows[ids[("discord", "sending")]].status == "due"  # resent with the same nonce
    telegram_doubt = rows[ids[("telegram", "sending")]]
    assert telegram_doubt.status == "failed"  # at most once on Telegram
    assert telegram_doubt.reason == "in doubt after a crash; not resent"


async def test_a_claim_taken_back_and_claimed_again_is_never_sent_by_its_old_owner(
    db: Database, clock: FakeClock
) -> None:
    """The fence: a process paused past its lease can neither send nor settle the row."""
    row = await _row(db, clock, "telegram", "chat-1")
    lease = clock.now() + timedelta(seconds=30)
    async with db.uow() as uow:
        (first,) = await uow.deliveries.claim("telegram", clock.now(), lease, 10, owner="paused")
        await uow.commit()
    clock.advance(seconds=31)  # the owner is paused; its lease lapses
    async with db.uow() as uow:
        assert await uow.deliveries.recover(clock.now(), set()) == (1, 0)
        (second,) = await uow.deliveries.claim(
            "telegram", clock.now(), clock.now() + timedelta(seconds=30), 10, owner="standby"
        )
        await uow.commit()
    assert (first.id, second.id) == (row, row) and second.epoch == first.epoch + 1
    async with db.uow() as uow:  # the paused process wakes up and tries its old claim
        assert not await uow.deliveries.mark_sending(
            row, clock.now(), owner="paused", epoch=first.epoch
        )
        assert not await uow.deliveries.finish(
            row, "sent", "", clock.now(), owner="paused", epoch=first.epoch
        )
        assert await uow.deliveries.mark_sending(
            row, clock.now(), owner="standby", epoch=second.epoch
        )
        assert await uow.deliveries.finish(
            row, "sent", "", clock.now(), owner="standby", epoch=second.epoch
        )
        await uow.commit()
        (record,) = await uow.deliveries.listing()
    assert (record.status, record.owner, record.attempts) == ("sent", "standby", 1)


async def test_a_lapsed_lease_is_not_sent_even_before_anyone_takes_it_back(
    db: Database, clock: FakeClock
) -> None:
    row = await _row(db, clock, "telegram", "chat-2")
    async with db.uow() as uow:
        (claim,) = await uow.deliveries.claim(
            "telegram", clock.now(), clock.now() + timedelta(seconds=30), 10, owner="p1"
        )
        await uow.commit()
    clock.advance(seconds=31)
    async with db.uow() as uow:
        assert not await uow.deliveries.mark_sending(
            row, clock.now(), owner="p1", epoch=claim.epoch
        )
        await uow.commit()
