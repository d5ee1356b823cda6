"""Kudos (👏 once per member per run) and the opt-in run feed, through the core's fake chat."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.messages import Reply
from bot.storage.database import Database
from tests.clubs.conftest import ClubChat
from tests.fakes import FakeChat
from tests.nudges.conftest import Nudges, make_nudges


@pytest.fixture
def nudges(db: Database, clock: FakeClock) -> Nudges:
    """The wired parts with recording Telegram and Discord messengers (DMs and posts)."""
    return make_nudges(db, clock)


def member(nudges: Nudges, user: str, *, admin: bool = False, group: str = "group-1") -> ClubChat:
    return ClubChat(nudges.core, "telegram", user, private=False, admin=admin, group=group)


async def cheer(chat: FakeChat, shown: Reply) -> Reply:
    """``chat`` taps the 👏 under a reply it sees in the group."""
    chat.replies.append(shown)
    return await chat.press("Cheer")


def posts(nudges: Nudges, chat: str = "group-1") -> list[Reply]:
    return [s.reply for s in nudges.telegram.sent if s.group and s.platform_user_id == chat]


async def test_each_member_cheers_a_run_once_and_never_their_own(nudges: Nudges) -> None:
    ann, bob, cy = member(nudges, "ann"), member(nudges, "bob"), member(nudges, "cy")
    logged = await ann.say("/log 10k 50:00 tempo with a sore calf")
    assert "sore calf" not in logged.text  # a group reply never shows the note
    [button] = [b for b in logged.all_buttons if b.label == "👏 Cheer"]
    assert not button.action.startswith("~")  # for everyone: not stamped with an owner
    own = await cheer(ann, logged)
    assert own.text.startswith("That's your own run") and own.private
    first = await cheer(bob, logged)
    assert first.text == "👏 You cheered Ann's 10.00 km." and first.private
    assert first.meta.get("alert") == "1"  # Telegram shows it on the press, not in the group
    assert (await cheer(bob, logged)).text == "You cheered this run already."
    assert (await cheer(cy, logged)).text == "👏 You cheered Ann's 10.00 km (2 cheers so far)."
    # A typed /kudos for a run of someone who is not in this club finds nothing.
    stranger = await FakeChat(nudges.core, "telegram", "dee").say("/log 5k 25:00")
    assert stranger.text.startswith("Logged #2")
    assert (await bob.say("/kudos 2")).text == "I can't find that run in this club any more."
    assert (await bob.say("/kudos 99")).text == "I can't find that run in this club any more."


async def test_the_digest_names_who_cheered(nudges: Nudges) -> None:
    ann = member(nudges, "ann")
    await FakeChat(nudges.core, "telegram", "ann").say("/settings digest sun 19:00")
    logged = await ann.say("/log 10k 50:00")
    for name in ("bob", "cy"):
        await cheer(member(nudges, name), logged)
    nudges.clock.set(datetime(2026, 11, 29, 19, 0, 30, tzinfo=UTC))
    await nudges.sweep()
    [digest] = [s.reply.text for s in nudges.telegram.sent if "week in review" in s.reply.text]
    assert "👏 Cheered by Bob and Cy in your clubs this week." in digest


async def test_the_feed_posts_only_opted_in_members_and_never_a_note(nudges: Nudges) -> None:
    admin = member(nudges, "ann", admin=True)
    bob, cy = member(nudges, "bob"), member(nudges, "cy")
    assert "Run feed: off" in (await admin.say("/club")).text
    for chat in (bob, cy):
        await chat.say("/challenge list")  # they take part in the club
    bob_dm, cy_dm = (
        FakeChat(nudges.core, "telegram", "bob"),
        FakeChat(nudges.core, "telegram", "cy"),
    )
    # Bob opts in before the club has a feed: nothing is posted yet.
    assert "never a note or sleep" in (await bob_dm.say("/settings feed on")).text
    assert "feed: on" in (await bob_dm.say("/settings")).text
    await bob_dm.say("/log 5k 25:00 felt heavy")
    await nudges.sweep()
    assert posts(nudges) == []
    assert "The run feed is on" in (await admin.say("/club feed on")).text
    assert "Only admins can use /club feed here." in (await bob.say("/club feed off")).text
    await bob_dm.say("/log 8k 40:00 secret note about my knee")
    await bob_dm.say("/slept 8")
    await cy_dm.say("/log 12k 1:00:00")  # not opted in
    await bob_dm.say("/log 3k 15:00 2026-11-01")  # weeks ago: not news
    await nudges.sweep()
    [post] = posts(nudges)
    assert post.text == "🏃 Bob ran 8.00 km in 40:00 (5:00 /km) · today"
    assert "knee" not in post.text and "sleep" not in post.text.lower()
    [button] = post.all_buttons
    assert button.label == "👏 Cheer" and button.action == "/kudos 2"
    # The feed's 👏 works for anyone in the chat.
    assert (await cheer(cy, post)).text == "👏 You cheered Bob's 8.00 km."
    # A run logged in the club's own chat is shown by its reply there, not posted again.
    await bob.say("/log 4k 20:00")
    await nudges.sweep()
    assert len(posts(nudges)) == 1
    # Opted out: nothing more.
    await bob_dm.say("/settings feed off")
    await bob_dm.say("/log 6k 30:00")
    await admin.say("/club feed off")
    await nudges.sweep()
    assert len(posts(nudges)) == 1


async def test_the_weekly_post_names_the_most_cheered_run(nudges: Nudges) -> None:
    admin = member(nudges, "ann", admin=True)
    await admin.say("/club posts weekly sun 18:00")
    await admin.say("/challenge create Winter Week distance today 7d")
    await admin.press("Join")
    ann_run = await admin.say("/log 10k 50:00")
    bob = member(nudges, "bob")
    bob_run = await bob.say("/log 5k 25:00")
    for chat in (member(nudges, "cy"), member(nudges, "dee"), bob):
        await cheer(chat, ann_run)
    await cheer(admin, bob_run)
    nudges.clock.set(datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    await nudges.sweep()
    [post] = posts(nudges)
    assert post.text.startswith("🏆 Winter Week · distance")
    assert post.text.endswith("👏 Most cheered this week: Ann's 10.00 km on Thu 26 Nov (3 cheers)")


async def test_linked_accounts_keep_one_cheer_and_the_club(nudges: Nudges) -> None:
    ann = member(nudges, "ann")
    logged = await ann.say("/log 10k 50:00")
    bob = member(nudges, "bob")
    assert (await cheer(bob, logged)).text.startswith("👏 You cheered")
    code = (await FakeChat(nudges.core, "discord", "bob-d").say("/link")).text.split()[3]
    linked = await FakeChat(nudges.core, "telegram", "bob").say(f"/link {code}")
    assert linked.text.startswith("Linked")
    # The cheer moved with Bob: pressing again from the same group is not a second one.
    assert (await cheer(bob, logged)).text == "You cheered this run already."


async def test_an_export_holds_the_cheers_you_gave_not_those_you_got(nudges: Nudges) -> None:
    """A cheer under your run is the cheerer's data: their export has it, yours does not."""
    ann, bob = member(nudges, "ann"), member(nudges, "bob")
    await bob.say("/log 5k 25:00")  # bob's run #1
    logged = await ann.say("/log 10k 50:00")  # ann's run #2
    await cheer(bob, logged)
    bob_logged = await bob.say("/log 6k 30:00")
    await cheer(ann, bob_logged)

    async with nudges.db.reader() as uow:
        ann_found = await uow.runners.find("telegram", "ann")
        bob_found = await uow.runners.find("telegram", "bob")
        assert ann_found is not None and bob_found is not None
        ann_id, bob_id = ann_found.user.id, bob_found.user.id
        cheerers = {}
        for runner in (ann_id, bob_id):
            tables = await uow.personal.rows([runner])
            [kudos] = [t for t in tables if t.name == "run_kudos"]
            cheerers[runner] = [row[kudos.columns.index("user_id")] for row in kudos.rows]
    assert cheerers == {ann_id: [ann_id], bob_id: [bob_id]}  # only the cheers each gave


async def test_a_cheer_answers_in_the_cheerers_units_the_post_in_the_clubs(
    nudges: Nudges,
) -> None:
    admin = member(nudges, "ann", admin=True)
    await admin.say("/club units mi")
    await admin.say("/club posts weekly sun 18:00")
    await admin.say("/challenge create Winter Week distance today 7d")
    await admin.press("Join")
    logged = await admin.say("/log 10k 50:00")
    bob = member(nudges, "bob")  # km, as every new runner
    assert (await cheer(bob, logged)).text == "👏 You cheered Ann's 10.00 km."
    cy = member(nudges, "cy")
    await FakeChat(nudges.core, "telegram", "cy").say("/settings units mi")
    assert (await cheer(cy, logged)).text == "👏 You cheered Ann's 6.21 mi (2 cheers so far)."
    nudges.clock.set(datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    await nudges.sweep()
    [post] = posts(nudges)
    assert post.text.endswith("👏 Most cheered this week: Ann's 6.21 mi on Thu 26 Nov (2 cheers)")
