"""Make ``tests/data/pacer-0005.db``: a small database written by the released storage layer.

It runs against the release at commit ab3a1a92b4e04386fe083f4156aceb5a9dd9ead5
(schema migrations 0001-0005), NOT against the working tree: it imports that
release's ``bot`` package and drives it only through its public paths
(``bot.core.dispatch.Core.handle`` with adapter-shaped ``Incoming`` messages, a
``FakeClock``, the nudge engine's ``sweep``/``drain``/``reschedule_users`` with a
recording messenger), so every row is exactly what that release writes. The
upgrade tests use the file to check that a database of this release upgrades in
place with every row kept.

How to run it (from the repository root; Python from the project's venv):

    git worktree add /tmp/pacer-0005 ab3a1a92b4e04386fe083f4156aceb5a9dd9ead5
    cd /tmp/pacer-0005
    PYTHONPATH=/tmp/pacer-0005 <repo>/.venv/bin/python \\
        <repo>/tests/data/make_pacer_0005_db.py [--out PATH]
    cd <repo> && git worktree remove --force /tmp/pacer-0005

``--out`` defaults to ``pacer-0005.db`` next to this script; an existing file is
replaced. The script refuses to run when the imported ``bot`` package is not a
clean checkout of that commit (``--any-commit`` skips the commit check; the
migration list must still be exactly 0001-0005).

The story, in UTC, from Mon 23 Nov 2026 07:00 to Thu 26 Nov 2026 12:00 (the
test suite's ``FakeClock()`` default, so a pending fuel nudge and the open
link code are still live at that instant); the nudge sweep runs every 5 minutes
in between, as the app's sweep job would:

* ana (Telegram, Europe/Berlin, km) sets everything up with ``/start`` options,
  strength days, a race, quiet hours; logs runs (one for last Saturday, two in
  one burst whose first fuel nudge is replaced, one with the note
  "Läufchen im Regen ☔"); checks in sleep with a bedtime, mobility pre (nudge
  button) and post (run button), a plank and a deadlift 3x6 60kg, and a snack
  with a note; snoozes and then acknowledges a wind-down nudge, skips a
  pre-run nudge for the day. Her console account (first users.id 4) logs a
  run and is joined to her Telegram runner with ``/link``; its user row goes,
  and as users has no AUTOINCREMENT, id 4 is handed out again (to dev).
* ben (Discord slash commands with typed options, America/New_York, mi)
  onboards by answering the questions one at a time, turns strength nudges
  and post-run fuel nudges off and pauses every nudge until 2026-12-01 (later
  nudges are 'skipped').
* chandra (Telegram, fixed offset +05:30, km, runs daily) sets up with
  ``/settings``, a 20-minute bedtime step and a 30-minute fuel delay; answers
  nudges by button (its wind-downs fall in quiet hours: 'skipped'); logs runs,
  undoes the last one (handled_messages row, deleted run, cancelled fuel nudge)
  and leaves a ``/link`` code unredeemed.
* dev (Discord) sent ``/start`` and never answered (open onboarding step), logs
  a run whose fuel nudge finds the DMs closed ('unreachable'), then is told so
  in a server channel.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bot
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Incoming, Reply
from bot.ports import Unreachable
from bot.storage.database import Database, _migrations

RELEASE_COMMIT = "ab3a1a92b4e04386fe083f4156aceb5a9dd9ead5"
RELEASE_MIGRATIONS = [
    (1, "0001_initial.sql"),
    (2, "0002_nudges.sql"),
    (3, "0003_run_ids_and_handled_messages.sql"),
    (4, "0004_nudge_fixes.sql"),
    (5, "0005_link_codes.sql"),
]
SWEEP_EVERY = timedelta(minutes=5)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # Thursday noon: FakeClock()'s default

# Platform ids as the adapters pass them: Telegram update ids and user ids,
# Discord snowflakes for users, channels and interactions; the console has none.
_telegram_updates = itertools.count(713_402_118)
_discord_snowflakes = itertools.count(1_310_954_866_123_456_001, 4_194_304)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


class StoryError(RuntimeError):
    """The release did not answer as the story expects; the file would be wrong."""


# --- fakes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One direct message the fake platform accepted."""

    platform_user_id: str
    reply: Reply
    at: datetime


@dataclass
class RecordingMessenger:
    """A messenger (``bot.ports.Messenger``) that keeps what it sends; ``refuse`` closed DMs."""

    platform: str
    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def send_direct(
        self, platform_user_id: str, reply: Reply, *, dedupe_key: str | None = None
    ) -> None:
        """Record one message, or refuse it like a platform whose DMs are closed."""
        if platform_user_id in self.refuse:
            raise Unreachable("Cannot send messages to this user")
        self.sent.append(Sent(platform_user_id, reply, self.clock.now()))

    def last(self, platform_user_id: str, kind: str) -> Reply:
        """The latest nudge of ``kind`` sent to a chat."""
        for sent in reversed(self.sent):
            if (
                sent.platform_user_id == platform_user_id
                and sent.reply.meta.get("nudge_kind") == kind
            ):
                return sent.reply
        raise StoryError(f"no {kind} nudge was sent to {self.platform} {platform_user_id}")


@dataclass
class Chat:
    """One runner's account on one platform, building ``Incoming`` as that adapter does."""

    core: Core
    platform: str
    user_id: str
    display_name: str
    dm_channel: str = ""
    verbose: bool = False

    def _key(self) -> str | None:
        if self.platform == "telegram":
            return str(next(_telegram_updates))
        if self.platform == "discord":
            return str(next(_discord_snowflakes))
        return None  # the console adapter has no message ids

    def _base(self, private: bool) -> Incoming:
        if self.platform == "console":
            chat_id = "console"
        elif private:
            chat_id = self.dm_channel or self.user_id
        else:
            chat_id = "-1001987654321" if self.platform == "telegram" else "1187023417223401513"
        return Incoming(
            platform=self.platform,
            user_id=self.user_id,
            chat_id=chat_id,
            is_private=private,
            is_admin=private,
            display_name=self.display_name,
            idempotency_key=self._key(),
        )

    async def _send(self, incoming: Incoming, shown: str, expect: str | None) -> Reply:
        reply = await self.core.handle(incoming)
        if self.verbose:
            first = reply.text.splitlines()[0] if reply.text else ""
            print(f"{self.core.clock.now():%a %H:%M} {self.platform}/{self.user_id}: {shown}")
            print(f"{'':9} -> {first}")
        failed = "something went wrong" in reply.text
        if failed or (expect is not None and expect not in reply.text):
            raise StoryError(f"{shown!r} answered {reply.text!r}; expected {expect!r}")
        return reply

    async def say(self, line: str, expect: str | None = None, *, private: bool = True) -> Reply:
        """A typed message: ``/command args`` or a plain answer."""
        base = self._base(private)
        if line.startswith("/"):
            name, _, text = line[1:].partition(" ")
            incoming = replace(base, command=name.lower(), text=text.strip())
        else:
            incoming = replace(base, text=line)
        return await self._send(incoming, line, expect)

    async def slash(
        self,
        command: str,
        expect: str | None = None,
        *,
        private: bool = True,
        **options: str,
    ) -> Reply:
        """A Discord slash command with typed options."""
        incoming = replace(self._base(private), command=command, options=dict(options))
        shown = f"/{command} " + " ".join(f"{k}:{v}" for k, v in options.items())
        return await self._send(incoming, shown, expect)

    async def press(self, reply: Reply, label: str, expect: str | None = None) -> Reply:
        """Tap a button of ``reply`` by (part of) its label."""
        for button in reply.all_buttons:
            if label.lower() in button.label.lower():
                incoming = replace(self._base(True), action=button.action)
                return await self._send(incoming, f"[{button.label}]", expect)
        raise StoryError(f"no button {label!r} in {[b.label for b in reply.all_buttons]}")


@dataclass
class World:
    """The release's core on a fresh file, the clock, and the recording platforms."""

    core: Core
    clock: FakeClock
    messengers: Mapping[str, RecordingMessenger]

    async def until(self, when: datetime) -> None:
        """Let time pass to ``when``, sweeping every 5 minutes like the app's sweep job."""
        while True:
            now = self.clock.now()
            tick = START + SWEEP_EVERY * ((now - START) // SWEEP_EVERY + 1)
            if tick > when:
                break
            self.clock.set(tick)
            await self.core.nudges.sweep()
            await self.core.nudges.drain()  # the fake sleep moves the clock while pacing
        if when > self.clock.now():
            self.clock.set(when)


# --- the story ----------------------------------------------------------------------


async def story(world: World, verbose: bool) -> None:
    """Everything that happens between START and END."""
    core, tg, dc = world.core, world.messengers["telegram"], world.messengers["discord"]

    def chat(platform: str, user_id: str, name: str, dm: str = "") -> Chat:
        return Chat(core, platform, user_id, name, dm_channel=dm, verbose=verbose)

    ana = chat("telegram", "48151623", "Ana Schmidt")
    ana_console = chat("console", "ana", "ana")
    ben = chat("discord", "302050872383242240", "benny", dm="1187023417223409000")
    chandra = chat("telegram", "91827364", "Chandra Iyer")
    dev = chat("discord", "412345678901234567", "dev_runs", dm="1187023417223409777")

    # Mon 23 Nov --------------------------------------------------------------------
    await world.until(at(23, 7, 0))
    await ana.say("/start Europe/Berlin km mon,wed,sat 07:00 23:30 22:30 06:30", "All set")
    await ana.say("/settings quiet_hours 23:00-06:00", "set to 23:00-06:00")
    await ana.say("/settings nudges telegram", "go to telegram")
    await ana.say("/settings strength_days tue,fri", "Strength days set")
    await ana.say("/settings strength_time 18:30", "Strength time set to 18:30")
    await ana.say("/race 2027-04-12 Berlin Half", "Berlin Half")
    await world.until(at(23, 7, 10))
    await ana.say("/log 10k 58:30 sat long run, easy", "Logged")
    await world.until(at(23, 7, 12))
    logged = await ana.say("/log 5k 27:10", "Logged")
    await world.until(at(23, 7, 18))
    await ana.press(logged, "Post-run mobility", "post-run hip mobility")
    await world.until(at(23, 7, 20))
    await ana.say("/fuel banana and yoghurt", "post-run snack: banana and yoghurt")

    await world.until(at(23, 12, 0))
    await ben.slash("start", "(1/7)")
    for answer in ("America/New_York", "miles", "tue,thu,sun", "18:00", "00:00", "23:00"):
        await ben.say(answer)
    await ben.say("07:00", "You're set up")
    await ben.slash("settings", "set to 22:00-06:30", item="quiet_hours", value="22:00-06:30")
    await ben.slash("settings", "go to discord", item="nudges", value="discord")
    await ben.slash("log", "Logged", distance="3.1mi", duration="28:00", when="2026-11-22")
    await ben.slash("slept", "Checked in: sleep: 8 h", hours="8", bedtime="00:15")
    await ben.slash("nudges", "Strength nudges off", action="off", kind="strength")

    await world.until(at(23, 14, 0))
    await chandra.say("/settings timezone +05:30", "+05:30")
    await chandra.say("/settings units km", "set to km")
    await chandra.say("/settings run_days daily", "Run days set")
    await chandra.say("/settings run_time 06:00", "set to 06:00")
    await chandra.say("/settings bedtime 22:30", "set to 22:30")
    await chandra.say("/settings target_bedtime 22:00", "set to 22:00")
    await chandra.say("/settings wake_time 05:30", "set to 05:30")
    await chandra.say("/settings quiet_hours 21:30-05:00", "set to 21:30-05:00")
    await chandra.say("/settings nudges telegram", "go to telegram")
    await chandra.say("/settings fuel_delay 30", "Fuel delay set to 30 min")
    await chandra.say("/bedtime 20", "Weekly step set to 20 min")
    await world.until(at(23, 14, 10))
    await chandra.say("/log 7k 40:00", "Logged")

    # Tue 24 Nov --------------------------------------------------------------------
    await world.until(at(24, 0, 10))  # 05:40 in +05:30: the sleep check-in went out
    await chandra.press(tg.last(chandra.user_id, "sleep_checkin"), "6-7", "sleep: 6 h 30 min")
    await world.until(at(24, 0, 25))
    await chandra.press(tg.last(chandra.user_id, "pre_run_mobility"), "Done", "pre-run")
    await world.until(at(24, 5, 20))
    await ana.say("/slept 7h20 23:10", "in bed at 23:10")  # before her 06:30 check-in
    await world.until(at(24, 16, 0))
    await ana_console.say("/log 6k 33:00 lunch loop", "Logged")
    await world.until(at(24, 16, 5))
    code_reply = await ana.say("/link", "Your link code: ")
    code = code_reply.text.split("Your link code: ", 1)[1].split()[0]
    await ana_console.say(f"/link {code}", "Linked: your console and telegram accounts")
    await world.until(at(24, 17, 40))  # strength nudge at 18:30 Berlin
    tg.last(ana.user_id, "strength")
    await ana.say("/strength plank 60", "plank 60 s")
    await ana.say("/strength deadlift 3x6 60kg", "deadlift 3 x 6 at 60 kg")
    await world.until(at(24, 21, 35))  # wind-down at 22:30 Berlin (planned bedtime 23:00)
    await ana.press(tg.last(ana.user_id, "wind_down"), "Snooze 20", "Snoozed")
    await world.until(at(24, 22, 0))  # the snooze came back at 22:55 Berlin
    await ana.press(tg.last(ana.user_id, "wind_down"), "Winding down", "sleep well")
    await world.until(at(24, 23, 40))  # 18:40 in New York, after the pre-run nudge
    await ben.slash("log", "Logged", distance="4", duration="38:30", note="tempo")

    # Wed 25 Nov --------------------------------------------------------------------
    await world.until(at(25, 1, 0))  # 06:30 in +05:30
    await chandra.say("/log 10k 55:00 hilly", "Logged")
    await world.until(at(25, 5, 55))  # pre-run mobility at 06:50 Berlin
    await ana.press(tg.last(ana.user_id, "pre_run_mobility"), "Skip today", "no more")
    await world.until(at(25, 6, 40))
    await ana.say("/log 8k 44:00 strides", "Logged")
    await world.until(at(25, 6, 50))  # a second run of the same burst: one snack nudge
    await ana.say("/log 3k 16:00 Läufchen im Regen ☔", "Läufchen im Regen ☔")
    await world.until(at(25, 10, 0))
    await dev.slash("start", "(1/7)")
    await dev.slash("log", "Logged", distance="2k", duration="14:00")
    await world.until(at(25, 11, 0))  # the fuel nudge found dev's DMs closed
    await dev.slash("week", "Heads-up: I couldn't send you direct messages", private=False)
    await world.until(at(25, 12, 0))
    await ben.slash("pause", "they resume on Tue 01 Dec 2026", until="2026-12-01")
    await ben.slash("nudges", "Post-run fuel nudges off", action="off", kind="fuel")

    # Thu 26 Nov --------------------------------------------------------------------
    await world.until(at(26, 4, 0))
    await chandra.say("/strength side plank 45", "side plank 45 s")
    await world.until(at(26, 11, 45))
    await ana.say("/log 5k 26:00", "Logged")  # its fuel nudge is due at 12:05: still pending
    await world.until(at(26, 11, 50))
    await chandra.say("/log 12k 1:05:00", "Logged")
    await world.until(at(26, 11, 51))
    await chandra.say("/undo", "Removed run")
    await world.until(at(26, 11, 55))
    await chandra.say("/link", "Your link code: ")
    await world.until(END - timedelta(seconds=1))  # the last sweep ran at 11:55
    world.clock.set(END)
    await core.nudges.reschedule_users()  # the engine recomputes every runner's schedules
    if tg.refuse or not tg.sent or not dc.sent:
        raise StoryError("the story expected nudges on both Telegram and Discord")


# --- the file -----------------------------------------------------------------------


def check_release(any_commit: bool) -> None:
    """Refuse to write the fixture with anything but the released ``bot`` package."""
    found = [(version, name) for version, name, _ in _migrations()]
    if found != RELEASE_MIGRATIONS:
        raise SystemExit(f"bot is not the 0005 release (migrations: {found}); see the docstring")
    package = Path(bot.__file__).resolve().parent
    if any_commit:
        return
    try:
        head = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(package), "status", "--porcelain", "--", "."],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit(f"can't check the commit of {package} ({error}); --any-commit") from None
    if head != RELEASE_COMMIT or dirty:
        raise SystemExit(
            f"bot is imported from {package} at {head}{' (modified)' if dirty else ''}, "
            f"not a clean checkout of {RELEASE_COMMIT}; see the docstring"
        )


async def build(path: Path, verbose: bool) -> None:
    """Write the story into a new database at ``path`` through the release's core."""
    clock = FakeClock(START)

    async def sleep(seconds: float) -> None:  # outbound pacing moves the fake clock
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    db = Database(str(path))
    core = Core(db, clock, sleep=sleep)
    messengers = {p: RecordingMessenger(p, clock) for p in ("console", "telegram", "discord")}
    messengers["discord"].refuse.add("412345678901234567")  # dev has closed DMs
    core.messengers.update(messengers)
    await db.open()
    try:
        await story(World(core, clock, messengers), verbose)
    finally:
        await core.nudges.stop(drain_timeout=0.1)
        await db.close()


def finish(path: Path) -> dict[str, int]:
    """One self-contained file: WAL folded in, rollback journal mode, VACUUMed; row counts.

    The release keeps its file in WAL mode (``Database.open`` sets it on every
    open). Here the WAL is checkpointed into the file and the header switched
    to the rollback journal, so the fixture is one file that can be read in
    place, even read-only, without -wal/-shm files appearing next to it; the
    release (and an upgrade) switches it back to WAL when it opens it.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for check in ("PRAGMA integrity_check", "PRAGMA foreign_key_check"):
            rows = conn.execute(check).fetchall()
            if rows not in ([("ok",)], []):
                raise StoryError(f"{check}: {rows}")
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoryError("the WAL checkpoint was blocked")
        (mode,) = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        if mode != "delete":
            raise StoryError(f"journal mode is still {mode}")
        conn.execute("VACUUM")
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = path.with_name(path.name + suffix)
        if leftover.exists():
            raise StoryError(f"{leftover} is still there")
    return counts


def main(argv: list[str] | None = None) -> None:
    """Build the fixture and print its row counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("pacer-0005.db"))
    parser.add_argument("--any-commit", action="store_true", help="skip the commit check")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every message")
    args = parser.parse_args(argv)
    check_release(args.any_commit)
    out: Path = args.out.resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        out.with_name(out.name + suffix).unlink(missing_ok=True)
    asyncio.run(build(out, args.verbose))
    counts = finish(out)
    print(f"{out} ({out.stat().st_size:,} bytes), made with bot from {bot.__file__}")
    for table, count in counts.items():
        print(f"  {table:<20} {count:>4}")


if __name__ == "__main__":
    main()
