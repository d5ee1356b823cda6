"""/forget: asked first, then everything about the runner goes, on every linked account."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.budget import Place
from bot.messages import Reply
from bot.storage.deliveries import NewDelivery, chat_target, user_target
from bot.storage.tables import metadata
from tests.data_rights.runners import (
    DISCORD_ID,
    FIRST_USER_ID,
    NAME_DC,
    NAME_TG,
    OTHER_ID,
    OTHER_NAME,
    TELEGRAM_ID,
    chat,
    link,
    start_ids_high,
)
from tests.fakes import Harness


def _code(text: str) -> str:
    found = re.search(r"/forget confirm ([A-Z0-9]{6})", text)
    assert found, text
    return found.group(1)


async def test_forget_asks_first_and_pressing_nothing_deletes_nothing(harness: Harness) -> None:
    runner = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    await runner.say("/log 5k 25:00")
    await runner.say("/slept 7.5")

    ask = await runner.say("/forget")

    assert ask.private
    assert "1 run" in ask.text and "1 check-in" in ask.text and "cannot be undone" in ask.text
    assert [b.label for b in ask.all_buttons] == ["🗑 Delete everything", "Cancel"]
    harness.clock.advance(minutes=11)
    assert len(await harness.runs(runner)) == 1
    assert len(await harness.checkins(runner)) == 1
    # The confirmation of a forgotten question no longer works.
    late = await runner.press("Delete everything")
    assert "expired" in late.text and "Nothing was deleted" in late.text
    assert len(await harness.runs(runner)) == 1
    assert "5.00 km" in (await runner.say("/runs")).text


async def test_cancel_deletes_nothing(harness: Harness) -> None:
    runner = chat(harness, "discord", DISCORD_ID, NAME_DC)
    await runner.say("/log 5k 25:00")
    await runner.say("/forget")

    cancelled = await runner.press("Cancel")

    assert cancelled.text == "Cancelled. Nothing was deleted."
    assert len(await harness.runs(runner)) == 1


async def test_typed_confirmation_for_text_chats(harness: Harness) -> None:
    runner = chat(harness, "console", "ana", "ana")
    other = chat(harness, "console", "bob", "bob")
    await runner.say("/log 5k 25:00")
    await other.say("/log 3k 18:00")
    code = _code((await runner.say("/forget")).text)

    assert "needs the code" in (await runner.say("/forget confirm")).text
    wrong = await runner.say("/forget confirm ZZZZZZ")
    assert "wrong or has expired" in wrong.text
    assert "/forget knows confirm or cancel there" in (await runner.say(f"/forget {code}")).text
    # Another runner's code is not this runner's.
    assert "wrong" in (await other.say(f"/forget confirm {code}")).text
    assert len(await harness.runs(runner)) == 1 and len(await harness.runs(other)) == 1

    done = await runner.say(f"/forget confirm {code.lower()}")

    assert done.text.startswith("Done. I deleted everything I held about you on console")
    assert "1 run" in done.text and "1 profile" in done.text
    assert await harness.runs(runner) == []
    assert len(await harness.runs(other)) == 1


async def _every_value(harness: Harness) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value in every table."""
    found = []
    async with harness.db.reader() as uow:
        conn = uow.personal.conn
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                for column, value in zip(table.c, row, strict=True):
                    if value is not None:
                        found.append((table.name, column.name, str(value)))
    return found


async def test_after_forget_no_table_holds_the_runner(harness: Harness) -> None:
    db, clock = harness.db, harness.clock
    await start_ids_high(db, clock)
    telegram = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    discord = chat(harness, "discord", DISCORD_ID, NAME_DC)
    other = chat(harness, "telegram", OTHER_ID, OTHER_NAME)
    for who in (telegram, other):
        await who.say("/settings run_days mon,wed,sat")
        await who.say("/settings run_time 07:00")
        await who.say("/settings bedtime 23:45")
        await who.say("/settings target_bedtime 22:45")
        await who.say("/log 5k 25:00 easy")
        await who.say("/log 6k 31:00")
        await who.say("/undo")  # a message record (handled once)
        await who.say("/slept 7.5 23:10")
    await discord.say("/log 10k 55:00")
    await discord.say("/strength plank 60")
    runner_id = (await harness.user(telegram)).id
    merged_id = (await harness.user(discord)).id
    other_id = (await harness.user(other)).id
    assert runner_id == FIRST_USER_ID + 1 and merged_id > other_id > runner_id
    await link(telegram, discord)
    await discord.say("/settings nudges discord")
    await telegram.say("/link")  # a pending link code
    soon = clock.now() + timedelta(hours=3)
    async with db.uow() as uow:
        for item in (
            NewDelivery(user_target(runner_id), "wind_down", "2026-11-26", soon, user_id=runner_id,
                        platform="discord", chat_id=DISCORD_ID),
            # Found by its target alone.
            NewDelivery(user_target(runner_id), "strength", "2026-11-27", soon,
                        platform="telegram", chat_id=TELEGRAM_ID),
            NewDelivery(user_target(other_id), "wind_down", "2026-11-26", soon, user_id=other_id,
                        platform="telegram", chat_id=OTHER_ID),
            NewDelivery(chat_target("telegram", "-100777"), "board", "2026-W48", soon,
                        platform="telegram", chat_id="-100777", payload='{"text": "board"}'),
        ):  # fmt: skip
            await uow.deliveries.add(item)
        await uow.commit()
    await harness.core.accounts.flush()
    async with db.reader() as uow:
        others_before = await uow.personal.rows([other_id])
        mine = {t.name: len(t.rows) for t in await uow.personal.rows([runner_id])}
    assert mine["deliveries"] == 2
    clock.advance(minutes=2)  # seen again: a last-seen time waits in memory to be written
    await harness.core.accounts.identify("telegram", TELEGRAM_ID, NAME_TG)
    assert ("telegram", TELEGRAM_ID) in harness.core.accounts._seen

    ask = await discord.say("/forget")
    assert "2 runs" in ask.text and "(discord, telegram)" in ask.text
    done = await discord.press("Delete everything")

    assert "on discord, telegram" in done.text
    assert "2 runs" in done.text and "2 check-ins" in done.text and "2 linked accounts" in done.text
    assert "1 link code" in done.text and "2 nudge records" in done.text
    needles = (str(runner_id), str(merged_id), TELEGRAM_ID, DISCORD_ID, NAME_TG, NAME_DC)
    left = [v for v in await _every_value(harness) if any(n in v[2] for n in needles)]
    assert left == []
    seen = harness.core.accounts._seen
    assert not {("telegram", TELEGRAM_ID), ("discord", DISCORD_ID)} & set(seen)
    async with db.reader() as uow:
        assert await uow.personal.rows([other_id]) == others_before
        board = await uow.deliveries.listing(None)
    assert [d.kind for d in board if d.target.startswith("chat:")] == ["board"]
    # Writing again starts from scratch.
    again = await telegram.say("/runs")
    assert "5.00 km" not in again.text
    assert await harness.runs(telegram) == []


async def test_a_redelivered_or_repeated_confirmation_deletes_nothing_more(
    harness: Harness,
) -> None:
    runner = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    other = chat(harness, "telegram", OTHER_ID, OTHER_NAME)
    await runner.say("/log 5k 25:00")
    await other.say("/log 3k 18:00")
    [confirm, _] = (await runner.say("/forget")).all_buttons
    assert (await runner.say("", action=confirm.action)).text.startswith("Done")

    # The same button again (or the platform delivering the press twice): a fresh runner.
    again = await runner.say("", action=confirm.action)

    assert "Nothing was deleted" in again.text
    assert len(await harness.runs(other)) == 1


class RememberingMessenger:
    """A messenger that keeps DM channels per account, as Discord's does."""

    platform = "discord"

    def __init__(self) -> None:
        self.channels = {DISCORD_ID: "dm-1", OTHER_ID: "dm-2"}

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Not used here."""

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Not used here."""

    def forget_account(self, platform_user_id: str) -> None:
        """Drop the cached DM channel."""
        self.channels.pop(platform_user_id, None)


async def test_forget_clears_what_messengers_keep_about_the_runner(harness: Harness) -> None:
    messenger = RememberingMessenger()
    harness.core.messengers["discord"] = messenger
    runner = chat(harness, "discord", DISCORD_ID, NAME_DC)
    await runner.say("/forget")

    await runner.press("Delete everything")

    assert messenger.channels == {OTHER_ID: "dm-2"}
