"""Real recordings from other projects' test suites: the watch's numbers, the right verdicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import BadInput
from bot.models import User
from bot.runfiles import read_run_file
from bot.services.runfiles import RunFileService
from bot.storage.database import Database
from bot.storage.tracks import FileQuestion
from tests.fakes import FakeChat, Harness, make_harness
from tests.runfiles.test_log_file import attach, send, stored

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"


def read(name: str) -> bytes:
    """A test file's bytes."""
    return (DATA / name).read_bytes()


def refusal(name: str, data: bytes | None = None) -> str:
    """The refusal a file gets."""
    with pytest.raises(BadInput) as refused:
        read_run_file(name, read(name) if data is None else data)
    return str(refused.value)


def test_the_watchs_summary_wins_over_the_points() -> None:
    run = read_run_file("fenix2-run.fit", read("fenix2-run.fit")).only
    # The Garmin fenix 2's session: 9,008.22 m, timer 2,832 s, total_ascent 64 m.
    assert run.from_summary
    assert run.distance_m == pytest.approx(9008.22, abs=0.01)
    assert run.moving_s == pytest.approx(2832.0, abs=0.01)
    assert run.elevation_gain_m == 64  # the points alone climb 149 m of altitude noise
    assert run.efforts[1000] == pytest.approx(246, abs=3)


def test_repeated_distance_samples_and_split_records_keep_the_watchs_time() -> None:
    # The Strava Android app writes distance and position in two records of one second,
    # repeats its last distance, and its file breaks off after the session message.
    run = read_run_file("strava-app-run.fit", read("strava-app-run.fit")).only
    assert run.from_summary
    assert run.distance_m == pytest.approx(11274.04, abs=0.01)
    assert run.moving_s == pytest.approx(3558.0, abs=0.01)
    assert run.start is not None and run.start.isoformat() == "2021-09-27T14:13:10+00:00"
    assert run.efforts == {}  # its clock can't be trusted: no best effort from it
    assert run.timing_note


def test_a_paused_foot_pod_run_counts_the_timer_not_the_clock() -> None:
    # No GPS (a treadmill's case): distance from the foot pod, a 110 s timer stop.
    run = read_run_file("run-pause-footpod.fit", read("run-pause-footpod.fit")).only
    assert (round(run.moving_s, 2), round(run.elapsed_s, 2)) == (3772.75, 3883.27)
    assert round(run.pause_s) == 111


def test_a_real_paused_polar_run_keeps_the_watchs_lap_totals() -> None:
    # A Polar M400 run exported as TCX by Polar Flow: two laps, 142 + 3,368 s of timer
    # over 3,903.7 s start to finish (the timer stopped for 6:33), 4,508.5 m.
    data = read("polar-m400-run.tcx.gz")
    run = read_run_file("polar-m400-run.tcx.gz", data).only
    assert run.from_summary
    assert run.distance_m == pytest.approx(4508.5, rel=0.01)
    assert run.moving_s == pytest.approx(3510.0, abs=30)
    assert run.elapsed_s == pytest.approx(3903.7, abs=1)
    assert round(run.pause_s) == 394
    assert run.start is not None and run.start.isoformat() == "2019-01-29T10:25:13+00:00"
    assert run.elevation_gain_m == pytest.approx(59, abs=1)  # no climb in TCX laps: points
    # The fastest kilometre never beats what the raw samples allow (7:02 on this run).
    assert run.efforts == {1000: pytest.approx(422.1, abs=0.5)}


async def test_the_paused_polar_run_in_the_chat_says_where_its_figures_come_from(
    harness: Harness,
) -> None:
    text = await send(harness.chat(), "polar-m400-run.tcx.gz")
    assert text.startswith("Logged #1 · Tue 29 Jan 2019 · 4.51 km in 58:30"), text
    assert (
        "Distance and moving time from your watch's summary · climb 59 m · 6:34 with the "
        "timer stopped (1:05:04 start to finish)" in text
    ), text


def test_a_treadmill_run_keeps_the_watchs_distance_and_timer() -> None:
    # A Garmin Forerunner 945 on a treadmill (sub_sport treadmill): no GPS, no altitude,
    # distance from the watch; the timer stopped three times (1:58, 4:28 and 4:40).
    # Its session: 10,630.37 m, timer 3,097.789 s, elapsed 3,763.503 s, no ascent.
    run = read_run_file("treadmill.fit", read("treadmill.fit")).only
    assert run.from_summary and run.sport_known
    assert run.distance_m == pytest.approx(10630.37, rel=0.01)
    assert run.moving_s == pytest.approx(3097.789, abs=30)
    assert run.elapsed_s == pytest.approx(3763.503, abs=1)
    assert round(run.pause_s) == 666
    assert run.start is not None and run.start.isoformat() == "2020-02-02T11:19:33+00:00"
    assert run.elevation_gain_m is None  # no climb made up indoors
    # Its best efforts, on the watch's timer: tests/runfiles/test_clock_verdicts.py.


async def test_the_treadmill_run_in_the_chat(harness: Harness) -> None:
    chat = harness.chat()
    text = await send(chat, "treadmill.fit")
    assert text.startswith("Logged #1 · Sun 02 Feb 2020 · 10.63 km in 51:38 (4:51 /km)"), text
    assert (
        "Distance and moving time from your watch's summary · 11:06 with the timer "
        "stopped (1:02:44 start to finish)" in text
    ), text
    assert "climb" not in text
    [run] = await harness.runs(chat)
    assert (run.distance_m, run.duration_s, run.climb_m) == (10630.37, 3098, None)


def test_a_real_multisport_tcx_logs_its_runs_and_not_its_rides() -> None:
    # A Forerunner 305 export: one MultiSportSession of four activities on four days,
    # two runs (one lap each: 3,601.84 s and 7,651.03 m; 3,623.59 s and 9,405.03 m)
    # and two indoor rides of 0 m.
    found = read_run_file("multisport-run-bike.tcx.gz", read("multisport-run-bike.tcx.gz"))
    first, second = found.runs
    assert first.from_summary and second.from_summary
    assert first.distance_m == pytest.approx(7651.03, rel=0.01)
    assert first.moving_s == pytest.approx(3601.84, abs=30)
    assert first.start is not None and first.start.isoformat() == "2011-11-29T12:12:00+00:00"
    assert second.distance_m == pytest.approx(9405.03, rel=0.01)
    assert second.moving_s == pytest.approx(3623.59, abs=30)
    assert second.start is not None and second.start.isoformat() == "2011-12-04T15:26:28+00:00"
    # The indoor rides (0 m) are named as rides, not "no movement (0 m)".
    assert found.others == ("This TCX file is a ride (Biking), not a run.",) * 2


async def test_the_multisport_tcx_in_the_chat_logs_two_runs(harness: Harness) -> None:
    chat = harness.chat()
    text = await send(chat, "multisport-run-bike.tcx.gz")
    assert text.startswith("This file holds 4 activities."), text
    assert [line for line in text.splitlines() if line.startswith("Logged")] == [
        "Logged #1 · Tue 29 Nov 2011 · 7.65 km in 1:00:02 (7:51 /km)",
        "Logged #2 · Sun 04 Dec 2011 · 9.41 km in 1:00:24 (6:25 /km)",
    ]
    assert (
        "Not logged: This TCX file is a ride (Biking), not a run. · This TCX file is a ride "
        "(Biking), not a run." in text
    ), text
    assert (await stored(harness))[0] == 2


def test_a_triathlon_logs_its_run_and_names_the_rest() -> None:
    found = read_run_file("triathlon.fit", read("triathlon.fit"))
    [run] = found.runs
    assert run.distance_m == pytest.approx(9805.92, abs=0.01)
    assert run.moving_s == pytest.approx(2850.69, abs=0.01)
    assert found.others == (
        "This FIT file is a swim (swimming), not a run.",
        "This FIT file is a ride (cycling), not a run.",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("coros-ride.fit", "This FIT file is a ride (cycling), not a run."),  # read leniently
        ("pool-swim.fit", "This FIT file is a swim (swimming), not a run."),  # not "487 km/h"
    ],
)
def test_other_sports_are_named(name: str, expected: str) -> None:
    assert refusal(name).startswith(expected)


def test_leading_blanks_and_a_byte_order_mark_before_the_xml() -> None:
    plain = read_run_file("run.tcx", read("run.tcx")).only
    for prefix in (b"\n\n      ", b"\xef\xbb\xbf", b"  \r\n\xef\xbb\xbf"):
        again = read_run_file("strava.tcx", prefix + read("run.tcx")).only
        assert again.distance_m == plain.distance_m


def jitter(gpx: str, back: int) -> str:
    """Every 10th point's time put ``back`` seconds before its predecessor's."""
    times = re.findall(r"<time>([^<]+)</time>", gpx)
    from datetime import datetime, timedelta

    out = gpx
    for index in range(10, len(times), 10):
        earlier = datetime.fromisoformat(times[index - 1]) - timedelta(seconds=back)
        new = earlier.strftime("%Y-%m-%dT%H:%M:%SZ")
        out = out.replace(f"<time>{times[index]}</time>", f"<time>{new}</time>", 1)
    return out


def test_a_jittery_gpx_keeps_its_point_order() -> None:
    plain = read_run_file("run-pause.gpx", read("run-pause.gpx")).only
    shaky = read_run_file("shaky.gpx", jitter(read("run-pause.gpx").decode(), 3).encode()).only
    assert shaky.distance_m == pytest.approx(plain.distance_m, abs=0.01)  # no zigzag
    assert shaky.moving_s == pytest.approx(plain.moving_s, rel=0.02)
    assert shaky.efforts == {} and "steps back" in shaky.timing_note


def test_real_time_travel_is_refused() -> None:
    text = refusal("odd.gpx", jitter(read("run-pause.gpx").decode(), 7200).encode())
    assert "clock goes back 2 h between two points" in text


def test_empty_track_points_are_skipped() -> None:
    gpx = read("run-pause.gpx").decode()
    holed = gpx.replace("<trkseg>", '<trkseg><trkpt/><trkpt lat="57.38" lon="-4.43"></trkpt>', 1)
    run = read_run_file("holes.gpx", holed.encode()).only
    assert run.distance_m == pytest.approx(4783, abs=5)


def test_a_run_dated_1900_is_refused() -> None:
    gpx = read("run-pause.gpx").decode().replace("<time>2013-", "<time>1900-")
    assert "dated 06 Feb 1900, before 2000" in refusal("old.gpx", gpx.encode())


def test_a_clock_jump_is_not_a_long_run() -> None:
    # The watch sets its clock 20 days on, a quarter through the run.
    gpx = read("run-pause.gpx").decode()
    times = re.findall(r"<time>2013-02-06T([^<]+)</time>", gpx)
    cut = times[len(times) // 4]
    head, tail = gpx.split(f"<time>2013-02-06T{cut}</time>", 1)
    jumped = head + f"<time>2013-02-26T{cut}</time>" + tail.replace("2013-02-06T", "2013-02-26T")
    run = read_run_file("jump.gpx", jumped.encode()).only
    plain = read_run_file("run-pause.gpx", read("run-pause.gpx")).only
    assert run.elapsed_s < plain.elapsed_s + 5  # not 480 hours
    # The later clock is the set one (a watch sets it from GPS): the run began 20 days on.
    assert run.start is not None and plain.start is not None
    assert (run.start - plain.start).days == 20 and run.start.time() == plain.start.time()
    assert run.efforts == {} and run.timing_note == "its clock jumped"


def test_declared_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>'
    assert "declares XML entities" in refusal("bomb.gpx", bomb)


def tcx_of_three_days() -> bytes:
    """run.tcx's activity three times, one day apart each."""
    text = read("run.tcx").decode()
    start, end = text.index("<Activity "), text.index("</Activities>")
    activity = text[start:end]
    copies = [activity.replace("2015-08-15T", f"2015-08-{15 + n}T") for n in range(3)]
    return (text[:start] + "".join(copies) + text[end:]).encode()


async def test_a_file_of_three_runs_logs_three(harness: Harness) -> None:
    chat = harness.chat()
    text = await send(chat, "three.tcx", data=tcx_of_three_days())
    assert text.startswith("This file holds 3 activities.")
    assert [line for line in text.splitlines() if line.startswith("Logged")] == [
        "Logged #1 · Sat 15 Aug 2015 · 9.01 km in 47:13 (5:15 /km)",
        "Logged #2 · Sun 16 Aug 2015 · 9.01 km in 47:13 (5:15 /km)",
        "Logged #3 · Mon 17 Aug 2015 · 9.01 km in 47:13 (5:15 /km)",
    ]
    assert (await stored(harness))[0] == 3
    again = await send(chat, "three.tcx", data=tcx_of_three_days())
    assert again.count("Already logged") == 3
    assert (await stored(harness))[0] == 3


async def test_a_file_of_three_runs_logged_in_a_group_tells_the_runner_each_week(
    harness: Harness,
) -> None:
    group = harness.chat(private=False)
    logged = await group.say("/log", attachments=(attach("three.tcx", tcx_of_three_days()),))
    assert logged.text.count("Ana logged #") == 3
    assert "week" not in logged.text.lower()
    assert logged.private_note.splitlines() == [  # as each run's reply says it privately
        "Week of Mon 10 Aug 2015: 9.01 km over 1 run",
        "Week of Mon 10 Aug 2015: 18.01 km over 2 runs",
        "Week of Mon 17 Aug 2015: 9.01 km over 1 run",
    ]


async def test_a_triathlon_in_the_chat_logs_the_run_and_says_what_else(harness: Harness) -> None:
    chat = harness.chat()
    text = await send(chat, "triathlon.fit")
    assert "Logged #1 · Sun 27 May 2018 · 9.81 km in 47:31" in text
    assert "Not logged: This FIT file is a swim (swimming), not a run. · This FIT" in text
    assert (await stored(harness))[0] == 1


async def ask(chat: FakeChat) -> str:
    """Send the stand-up paddle session (TCX ``Sport="Other"``); the question asked."""
    return await send(chat, "other-sup.tcx")


async def test_a_file_without_a_sport_is_asked_about(harness: Harness) -> None:
    chat = harness.chat()
    question = await ask(chat)
    assert question.startswith("This TCX file doesn't say what sport it is (1.16 km in 18:32")
    assert question.endswith("log it as a run?")
    assert (await stored(harness))[0] == 0  # nothing stored before the answer
    yes, no = (b.action for b in chat.replies[-1].all_buttons)
    assert "Pacer logs runs only" in (await chat.press("No")).text
    assert (await stored(harness))[0] == 0
    assert "has expired (or was answered)" in (await chat.say("/log file:00000000 no")).text
    # A second tap, either button, says what the first did.
    for again in (yes, no):
        assert (await chat.say(again)).text.startswith(
            "Already answered: not logged, as it wasn't a run. Nothing was saved."
        )
    assert (await stored(harness))[0] == 0

    await ask(chat)
    yes, no = (b.action for b in chat.replies[-1].all_buttons)
    logged = (await chat.press("Yes")).text
    assert logged.startswith("Logged #1 · Sat 16 Jul 2022 · 1.16 km in 18:32")
    assert "from your watch's summary" in logged
    assert (await stored(harness))[0] == 1
    for again in (yes, no):
        assert (await chat.say(again)).text == (
            "Already answered: logged as #1 · Sat 16 Jul 2022 · 1.16 km in 18:32 (16:01 /km)."
        )
    assert (await stored(harness))[0] == 1


async def test_a_tap_after_the_run_was_deleted_or_the_answer_forgotten(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await ask(chat)
    yes = chat.replies[-1].all_buttons[0].action
    assert (await chat.say(yes)).text.startswith("Logged #1")
    await chat.say("/delete 1")
    assert (await chat.say(yes)).text.startswith("Already answered: logged as #1, deleted since.")
    assert (await stored(harness))[0] == 0
    # The answer is kept 30 minutes, then goes in the daily clean-up.
    harness.clock.advance(minutes=31)
    assert await harness.core.retention.prune() >= 1
    gone = (await chat.say(yes)).text
    assert gone.startswith(
        "That question about a file has expired (or was answered). This tap saved nothing."
    )
    assert "Nothing was saved" not in gone
    assert (await stored(harness))[0] == 0


async def test_another_runner_cannot_answer_my_question(harness: Harness) -> None:
    ana, ben = harness.chat("ana"), harness.chat("ben")
    await ask(ana)
    token = ana.replies[-1].all_buttons[0].action.split(":", 1)[1]
    assert "has expired" in (await ben.say(f"/log file:{token}")).text
    assert (await stored(harness))[0] == 0


def token_of(chat: FakeChat) -> str:
    """The question's token, from its Yes button (``/log file:<token> yes``)."""
    return chat.replies[-1].all_buttons[0].action.split(":", 1)[1].split()[0]


async def test_a_restart_between_question_and_answer_still_logs_the_run(
    harness: Harness,
) -> None:
    """The question waits in the database: a new core on it (a restart, another process)
    answers the tap."""
    chat = harness.chat()
    assert "log it as a run?" in await ask(chat)
    yes = chat.replies[-1].all_buttons[0].action
    other = Database(harness.db.url)
    await other.open(migrate=False)
    try:
        restarted = make_harness(other, harness.clock).chat()
        logged = (await restarted.say(yes)).text
        assert logged.startswith("Logged #1 · Sat 16 Jul 2022 · 1.16 km in 18:32"), logged
        assert "from your watch's summary" in logged
        assert (await restarted.say(yes)).text.startswith("Already answered: logged as #1 · ")
    finally:
        await other.close()
    assert (await stored(harness))[0] == 1
    async with harness.db.reader() as uow:
        answered = await uow.tracks.sport_question(token_of(chat))
    assert answered is not None and answered.run_id == 1  # the answer kept for a second tap


def first_read_sees_it_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next tap reads the question as still open: another tap's answer lands after."""
    read = RunFileService.sport_question
    reads: list[str] = []

    async def read_before_the_other(self: RunFileService, user: User, token: str) -> FileQuestion:
        question = await read(self, user, token)
        reads.append(token)
        if len(reads) > 1:
            return question
        return FileQuestion(question.user_id, question.run_file, question.note,
                            question.expires_at)  # fmt: skip

    monkeypatch.setattr(RunFileService, "sport_question", read_before_the_other)


async def kept_answer(harness: Harness, token: str) -> tuple[bool, int | None]:
    """(answered, the run a "yes" logged) of a stored question."""
    async with harness.db.reader() as uow:
        kept = await uow.tracks.sport_question(token)
    assert kept is not None
    return kept.answered_at is not None, kept.run_id


async def test_a_no_tapped_with_a_yes_does_not_undo_the_logged_run(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Yes and No tapped at once: both read the question open; the "no" writes second."""
    chat = harness.chat()
    await ask(chat)
    token = token_of(chat)
    no = chat.replies[-1].all_buttons[1].action
    assert (await chat.press("Yes")).text.startswith("Logged #1")
    first_read_sees_it_open(monkeypatch)
    reply = (await chat.say(no)).text
    assert reply.startswith("Already answered: logged as #1 · Sat 16 Jul 2022"), reply
    assert await kept_answer(harness, token) == (True, 1)
    assert (await stored(harness))[0] == 1


async def test_a_yes_tapped_with_a_no_keeps_the_run_it_logged(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the question open; the "no" writes first, then the "yes" has logged its run."""
    chat = harness.chat()
    await ask(chat)
    token = token_of(chat)
    yes, no = (b.action for b in chat.replies[-1].all_buttons)
    assert "Pacer logs runs only" in (await chat.say(no)).text
    first_read_sees_it_open(monkeypatch)
    assert (await chat.say(yes)).text.startswith("Logged #1")
    assert await kept_answer(harness, token) == (True, 1)  # the log and the answer agree
    assert (await chat.say(no)).text.startswith("Already answered: logged as #1")
    assert (await stored(harness))[0] == 1


async def test_an_answered_question_expires_30_minutes_after_the_answer(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await ask(chat)
    token = token_of(chat)
    yes = chat.replies[-1].all_buttons[0].action
    assert (await chat.press("Yes")).text.startswith("Logged #1")
    harness.clock.advance(minutes=29)
    assert (await chat.say(yes)).text.startswith("Already answered: logged as #1")
    harness.clock.advance(minutes=2)  # no daily clean-up yet
    gone = (await chat.say(yes)).text
    assert gone.startswith(
        "That question about a file has expired (or was answered). This tap saved nothing."
    )
    assert (await stored(harness))[0] == 1
    async with harness.db.reader() as uow:
        assert await uow.tracks.sport_question(token) is None


async def test_an_expired_question_says_so_and_stores_nothing(harness: Harness) -> None:
    chat = harness.chat()
    await ask(chat)
    token = token_of(chat)
    harness.clock.advance(minutes=31)
    reply = (await chat.press("Yes")).text
    assert reply.startswith("That question about a file has expired: Pacer keeps it 30 minutes")
    assert "Send the file again" in reply
    assert (await stored(harness))[0] == 0
    async with harness.db.reader() as uow:
        assert await uow.tracks.sport_question(token) is None


async def test_forget_leaves_no_question_behind(harness: Harness) -> None:
    chat = harness.chat()
    await ask(chat)
    token = token_of(chat)
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        assert (await uow.personal.counts([user.id]))["file_questions"].deleted == 1
    code = re.search(r"/forget confirm ([A-Z0-9]{6})", (await chat.say("/forget")).text)
    assert code is not None
    await chat.say(f"/forget confirm {code.group(1)}")
    async with harness.db.reader() as uow:
        assert await uow.tracks.sport_question(token) is None


async def test_unanswered_questions_go_in_the_daily_clean_up(harness: Harness) -> None:
    chat = harness.chat()
    await ask(chat)
    harness.clock.advance(minutes=31)
    assert await harness.core.retention.prune() >= 1
    async with harness.db.reader() as uow:
        assert await uow.tracks.sport_question(token_of(chat)) is None


@pytest.mark.parametrize("kind", ["unknown", "", "generic", "Morning loop"])
def test_a_gpx_of_unknown_type_is_asked_about_not_refused(kind: str) -> None:
    # OpenTracks writes <type>unknown</type> when no activity was chosen, and the
    # category the runner typed otherwise (free text: "Morning loop" names no sport).
    gpx = read("run-pause.gpx").decode().replace("<type>running</type>", f"<type>{kind}</type>")
    run = read_run_file("opentracks.gpx", gpx.encode()).only
    assert not run.sport_known
    assert run.distance_m == pytest.approx(4783, abs=5)


def test_a_gpx_type_naming_another_sport_is_still_refused() -> None:
    gpx = read("run-pause.gpx").decode().replace("<type>running</type>", "<type>Radfahren</type>")
    assert "is a ride (Radfahren), not a run" in refusal("ride.gpx", gpx.encode())
