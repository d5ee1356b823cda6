"""The README's pictures: a demo runner's charts and a demo club's board, drawn by Pacer itself.

Run from the repository root: ``.venv/bin/python -m docs.pictures``. A demo runner logs
twelve weeks of runs and check-ins through the real core (a moved clock, a temporary
SQLite file); ``/chart`` and ``/chart habits`` give the PNGs in ``docs/images/``, and a
club in a group chat prints its ``/challenge board`` reply.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Incoming, Reply
from bot.storage.database import Database

IMAGES = Path(__file__).parent / "images"
# Thursday evening in Berlin: the last of twelve weeks.
END = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
WEEKS = 12
_keys = itertools.count(1)


async def say(core: Core, user: str, line: str, *, group: str = "", admin: bool = False) -> Reply:
    """One typed line from ``user``, privately or in the group chat ``group``."""
    name, _, text = line[1:].partition(" ")
    incoming = Incoming(
        platform="console",
        user_id=user,
        chat_id=group or user,
        is_private=not group,
        is_admin=admin,
        display_name=user.capitalize(),
        chat_title=group,
        command=name,
        text=text,
        idempotency_key=str(next(_keys)),
    )
    return await core.handle(incoming)


async def demo_runner(core: Core, clock: FakeClock) -> tuple[Reply, Reply]:
    """Twelve weeks of a runner building habits; the two charts at the end."""
    clock.set(END - timedelta(weeks=WEEKS))
    await say(core, "ana", "/start timezone:Europe/Berlin")
    await say(core, "ana", "/settings timezone Europe/Berlin")
    await say(core, "ana", "/settings run_days tue,thu,sat")
    await say(core, "ana", "/settings strength_days mon,fri")
    day = 0
    while clock.now() < END:
        week = day // 7
        weekday = clock.now().weekday()
        # Sleep improves as the bedtime plan moves earlier.
        hours = 6.2 + min(week, 10) * 0.12 + (0.5 if weekday in (5, 6) else 0.0)
        await say(core, "ana", f"/slept {hours:.1f}")
        if weekday in (1, 3, 5):
            km = {1: 6 + week * 0.3, 3: 8 + week * 0.2, 5: 12 + week * 0.7}[weekday]
            minutes = km * (5.6 - week * 0.03)
            # The habits come one by one, with the odd miss.
            if week >= 6 or (week >= 4 and weekday == 5):
                await say(core, "ana", "/mobility pre")
            await say(core, "ana", f"/log {km:.1f}km {int(minutes)}:{int(minutes % 1 * 60):02d}")
            if week >= 2 and (week, weekday) not in ((5, 3), (8, 1)):
                await say(core, "ana", "/mobility post")
            if week >= 7 or weekday == 5:
                await say(core, "ana", "/fuel banana")
        if (weekday == 0 and week >= 5) or (weekday == 4 and week >= 8):
            await say(core, "ana", f"/strength plank {30 + week * 3}")
        clock.advance(days=1)
        day += 1
    return await say(core, "ana", "/chart"), await say(core, "ana", "/chart habits")


async def demo_club(core: Core, clock: FakeClock) -> str:
    """A week of a club distance challenge; the board as a member reads it."""
    club = "Run Club"
    start = END - timedelta(days=3)
    clock.set(start)
    await say(
        core,
        "ann",
        "/challenge create November 100 distance today 4w target 100km",
        group=club,
        admin=True,
    )
    members = {"ann": 9.0, "bob": 12.5, "cy": 6.0, "dee": 10.0, "eli": 7.5}
    for member in members:
        await say(core, member, "/challenge join November 100", group=club)
    for day in range(3):
        clock.set(start + timedelta(days=day, hours=1))
        for i, (member, km) in enumerate(members.items()):
            if (day + i) % 3 != 2:
                await say(core, member, f"/log {km + day:.1f}km {int((km + day) * 5.5)}:00")
    return (await say(core, "cy", "/challenge board", group=club)).text


async def main() -> None:
    """Draw the pictures into docs/images/ and print the board."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'demo.db'}")
        clock = FakeClock(END)
        await db.open()
        core = build_core(db, clock)
        try:
            distance, habits = await demo_runner(core, clock)
            board = await demo_club(core, clock)
        finally:
            await db.close()
    IMAGES.mkdir(exist_ok=True)
    for reply, name in ((distance, "chart-distance.png"), (habits, "chart-habits.png")):
        (IMAGES / name).write_bytes(reply.attachments[0].data)
        print(f"{IMAGES / name}: {len(reply.attachments[0].data):,} bytes")
    print(board)


if __name__ == "__main__":
    asyncio.run(main())
