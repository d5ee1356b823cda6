"""/log as runners type it: a start date-time, times in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.storage.tables import runs
from tests.fakes import Harness


async def started_at(harness: Harness) -> list[datetime | None]:
    """The stored start instants of every run."""
    async with harness.db.reader() as uow:
        rows = await uow.activity.conn.execute(select(runs.c.started_at).order_by(runs.c.id))
        return [r[0] for r in rows]


async def test_a_date_time_is_the_runs_start_not_its_note(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings timezone Europe/Berlin")
    reply = await chat.say("/log 5k 25:00 2026-11-24T07:00 easy")
    assert reply.text.startswith("Logged #1 · Tue 24 Nov 07:00 · 5.00 km in 25:00")
    [run] = await harness.runs(chat)
    assert (run.local_date, run.note) == (date(2026, 11, 24), "easy")
    assert await started_at(harness) == [datetime(2026, 11, 24, 6, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 5k 25:00 2026-11-26T13:30", "Thu 26 Nov 13:30 is later than now"),
        ("/log 5k 25:00 2026-11-24T25:00", "'2026-11-24T25:00' isn't a time of day"),
        ("/log 5k 25:00 2026-11-27T07:00", "2026-11-27 is in the future"),
    ],
)
async def test_a_start_that_cannot_be_is_refused(harness: Harness, typed: str, says: str) -> None:
    chat = harness.chat()
    assert says in (await chat.say(typed)).text
    assert await harness.runs(chat) == []


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("/log 5 km 25 min", 1500),
        ("/log 5k 25 mins yesterday", 1500),
        ("/log 10k 1 h 5 min hilly", 3900),
        ("/log 10k 1h 5min", 3900),
        ("/log 5k 24 min 30 sec", 1470),
    ],
)
async def test_a_time_in_words(harness: Harness, typed: str, seconds: int) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text.startswith("Logged #1"), reply.text
    [run] = await harness.runs(chat)
    assert run.duration_s == seconds


async def test_a_run_typed_twice_within_minutes_is_asked_about_first(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 tempo")
    harness.clock.advance(seconds=40)
    twice = await chat.say("/log 5k 25:00 tempo")
    assert twice.text.startswith("You logged exactly this run just now (#1). Nothing new")
    assert len(await harness.runs(chat)) == 1
    again = await chat.press("Log it again")
    assert again.text.startswith("Logged #2 · today · 5.00 km in 25:00")
    assert "This week: 10.00 km over 2 runs" in again.text
    assert len(await harness.runs(chat)) == 2
    chat.replies.append(twice)  # the same button tapped once more
    third = await chat.press("Log it again")
    assert "Already logged again: #2 is the second copy of #1." in third.text
    assert len(await harness.runs(chat)) == 2


async def test_the_same_run_later_or_different_is_logged_at_once(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    assert (await chat.say("/log 5k 25:01")).text.startswith("Logged #2")
    harness.clock.advance(minutes=6)
    assert (await chat.say("/log 5k 25:01")).text.startswith("Logged #3")


async def test_a_redelivered_message_is_still_already_logged(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    await chat.say("/log 5k 25:00", idempotency_key="m1")
    again = await chat.say("/log 5k 25:00", idempotency_key="m1")
    assert again.text.startswith("Already logged #1")


async def test_in_a_group_only_the_runner_can_tap_log_it_again(harness: Harness) -> None:
    ana = harness.chat(platform="telegram", private=False)
    await ana.say("/log 5k 25:00")
    await ana.say("/log 5k 25:00")
    ben = harness.chat("ben", platform="telegram", private=False)
    ben.replies.append(ana.replies[-1])
    refused = await ben.press("Log it again")
    assert refused.text.startswith("That button is for Ana: it answers only them")
    assert len(await harness.runs(ana)) == 1


async def climbs(harness: Harness) -> list[float | None]:
    """The stored elevation gain of every run."""
    async with harness.db.reader() as uow:
        rows = await uow.activity.conn.execute(select(runs.c.elevation_gain_m).order_by(runs.c.id))
        return [r[0] for r in rows]


@pytest.mark.parametrize(
    ("typed", "day", "note"),
    [
        ("/log 5k 25:00 climb 100m yesterday", date(2026, 11, 25), ""),
        ("/log 5k 25:00 climb 100m hilly yesterday", date(2026, 11, 25), "hilly"),
        ("/log 5k 25:00 hilly climb 100m mon", date(2026, 11, 23), "hilly"),
        ("/log 5k 25:00 climb 100m last monday", date(2026, 11, 23), ""),
        ("/log 5k 25:00 climb 100m 2026-11-20", date(2026, 11, 20), ""),
        ("/log 5k 25:00 hilly Nov 20", date(2026, 11, 20), "hilly"),
        ("/log 5k 25:00 climb 100m 20 Nov hilly", date(2026, 11, 20), "hilly"),
        ("/log 5k 25:00 Dec 3", date(2025, 12, 3), ""),
        ("/log 5k 25:00 3rd December", date(2025, 12, 3), ""),
        ("/log 5k 25:00 hilly 3 Dec 2025", date(2025, 12, 3), "hilly"),
        ("/log 5k 25:00 last lap fast", date(2026, 11, 26), "last lap fast"),
        ("/log 5k 25:00 2 marathons to go", date(2026, 11, 26), "2 marathons to go"),
    ],
)
async def test_a_day_after_the_climb_or_the_note_is_the_runs_day(
    harness: Harness, typed: str, day: date, note: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text.startswith("Logged #1"), reply.text
    [run] = await harness.runs(chat)
    assert (run.local_date, run.note) == (day, note)
    if "climb" in typed:
        assert await climbs(harness) == [pytest.approx(100.0)]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 5k 25:00 climb 100m last week", "'last week' isn't one day; say which day."),
        ("/log 5k 25:00 easy last week", "'last week' isn't one day; say which day."),
        ("/log 5k 25:00 Feb 30", "'Feb 30' isn't a day of the calendar."),
        ("/log 5k 25:00 yesterday hilly mon", "Two days for one run: 'yesterday' and 'mon'."),
        ("/log 5k 25:00 Dec 3 2024", "2024-12-03 is more than a year ago"),
        ("/log 5k 25:00 Dec 3 2026", "2026-12-03 is in the future"),
    ],
)
async def test_a_day_that_is_no_day_is_refused_not_noted(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    assert says in (await chat.say(typed)).text
    assert await harness.runs(chat) == []


# Every form /help log lists for the day, and the day a run logged with it gets (today is
# Thu 26 Nov 2026 on the harness clock).
LISTED_DAYS = {
    "today": date(2026, 11, 26),
    "yesterday": date(2026, 11, 25),
    "mon": date(2026, 11, 23),
    "last mon": date(2026, 11, 23),
    "Dec 3": date(2025, 12, 3),
    "Fri 20 Nov": date(2026, 11, 20),
    "2026-11-20": date(2026, 11, 20),
    "2026-11-20 07:30": date(2026, 11, 20),
}
# Read as well, though the option's 100 characters leave them out of the list.
ALSO_READ = {
    "3 Dec": date(2025, 12, 3),
    "2026-11-20T07:30": date(2026, 11, 20),
    "7am": date(2026, 11, 26),
}


async def test_every_day_form_the_help_lists_logs_a_run_on_that_day(harness: Harness) -> None:
    chat = harness.chat()
    help_text = (await chat.say("/help log")).text
    [line] = [x for x in help_text.splitlines() if x.strip().startswith("when (optional):")]
    listed = line.split(":", 1)[1].replace("(default)", "").replace("(start)", "")
    forms = [f.strip() for f in listed.replace(" or ", ", ").split(",")]
    assert forms == list(LISTED_DAYS)  # nothing listed that is not tried here
    days = LISTED_DAYS | ALSO_READ
    for seconds, form in enumerate(days, start=1500):
        typed = await chat.say(f"/log 5k {seconds // 60}:{seconds % 60:02d} {form}")
        day = days[form]
        shown = {date(2026, 11, 26): "· today", date(2026, 11, 25): "· yesterday"}.get(
            day, f"· {day:%a %d %b}"
        )
        assert typed.text.startswith("Logged #") and shown in typed.text, (form, typed.text)
        # The same day as a Discord option, where the form arrives as the option's value.
        options = {
            "distance": "6k",
            "duration": f"{seconds // 60}:{seconds % 60:02d}",
            "when": form,
        }
        chosen = await chat.say("/log", options=options)
        assert chosen.text.startswith("Logged #") and shown in chosen.text, (form, chosen.text)
    stored = sorted(run.local_date for run in await harness.runs(chat))
    assert stored == sorted(day for day in days.values() for _ in range(2))


@pytest.mark.parametrize(
    ("shown", "day"), [("Fri 20 Nov", date(2026, 11, 20)), ("Wed 03 Dec 2025", date(2025, 12, 3))]
)
async def test_a_day_written_as_replies_write_it_is_read_back(
    harness: Harness, shown: str, day: date
) -> None:
    chat = harness.chat()
    reply = await chat.say(f"/log 5k 25:00 {shown} hilly")
    assert reply.text.startswith(f"Logged #1 · {shown} · 5.00 km in 25:00"), reply.text
    [run] = await harness.runs(chat)
    assert (run.local_date, run.note) == (day, "hilly")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 5k 25:00 Mon 20 Nov", "20 Nov 2026 is a Friday, not a Monday."),
        ("/log 5k 25:00 sat 2026-11-20 easy", "20 Nov 2026 is a Friday, not a Saturday."),
        ("/log 5k 25:00 Fri 30 Nov", "30 Nov 2025 is a Sunday, not a Friday."),
    ],
)
async def test_a_weekday_that_is_not_the_dates_is_refused(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text.startswith(says), reply.text
    assert await harness.runs(chat) == []


@pytest.mark.parametrize(
    ("typed", "shown", "note", "start"),
    [
        ("/log 5k 25:10 2026-11-24 07:00", "Tue 24 Nov 07:00", "", datetime(2026, 11, 24, 6, 0)),
        ("/log 5k 25:11 7am", "today 07:00", "", datetime(2026, 11, 26, 6, 0)),
        ("/log 5k 25:12 07:30", "today 07:30", "", datetime(2026, 11, 26, 6, 30)),
        (
            "/log 5k 25:13 yesterday 6:30pm easy",
            "yesterday 18:30",
            "easy",
            datetime(2026, 11, 25, 17, 30),
        ),
        (
            "/log 5k 25:14 Dec 3 07:00 cold",
            "Wed 03 Dec 2025 07:00",
            "cold",
            datetime(2025, 12, 3, 6, 0),
        ),
        ("/log 5k 25:15 7am tempo", "today 07:00", "tempo", datetime(2026, 11, 26, 6, 0)),
        # A start after a day at the end of the note: the day is not hidden by it.
        ("/log 5k 25:16 hilly mon 07:00", "Mon 23 Nov 07:00", "hilly", datetime(2026, 11, 23, 6)),
        (
            "/log 5k 25:17 easy last monday 6:30pm",
            "Mon 23 Nov 18:30",
            "easy",
            datetime(2026, 11, 23, 17, 30),
        ),
        (
            "/log 5k 25:18 hilly Dec 3, 07:00",
            "Wed 03 Dec 2025 07:00",
            "hilly",
            datetime(2025, 12, 3, 6),
        ),
    ],
)
async def test_a_clock_time_after_the_day_is_the_start_not_the_note(
    harness: Harness, typed: str, shown: str, note: str, start: datetime
) -> None:
    chat = harness.chat()
    await chat.say("/settings timezone Europe/Berlin")
    reply = await chat.say(typed)
    assert reply.text.startswith(f"Logged #1 · {shown} · 5.00 km"), reply.text
    [run] = await harness.runs(chat)
    assert run.note == note
    assert await started_at(harness) == [start.replace(tzinfo=UTC)]


@pytest.mark.parametrize(
    ("typed", "shown", "note", "start"),
    [
        ("/log 5k 25:00 4:50 pace felt easy", "today", "4:50 pace felt easy", None),
        ("/log 5k 25:00 10 laps of the park", "today", "10 laps of the park", None),
        ("/log 5k 25:00 easy, back by 7:30", "today", "easy, back by 7:30", None),
        ("/log 5k 25:00 easy, back by 07:30", "today", "easy, back by 07:30", None),
        ("/log 5k 25:00 mon hilly 07:00", "Mon 23 Nov", "hilly 07:00", None),
        # A pace is never a start: a bare H:MM, or a time followed by a pace word.
        ("/log 5k 25:00 4:50", "today", "4:50", None),
        ("/log 5k 25:00 yesterday 4:50 pace", "yesterday", "4:50 pace", None),
        ("/log 5k 25:00 yesterday 04:50 pace", "yesterday", "04:50 pace", None),
        ("/log 5k 25:00 mon 05:00 /km felt easy", "Mon 23 Nov", "05:00 /km felt easy", None),
        ("/log 5k 25:00 08:00 /mi", "today", "08:00 /mi", None),
        ("/log 5k 25:00 yesterday 05:00 min/km", "yesterday", "05:00 min/km", None),
        (
            "/log 5k 25:00 hilly 2026-11-24T07:00 08:00",
            "Tue 24 Nov 07:00",
            "hilly 08:00",
            datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        ),
        (
            "/log 5k 25:00 2026-11-24T07:00 08:00 easy",
            "Tue 24 Nov 07:00",
            "08:00 easy",
            datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        ),
    ],
)
async def test_a_note_with_numbers_stays_the_note(
    harness: Harness, typed: str, shown: str, note: str, start: datetime | None
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text.startswith(f"Logged #1 · {shown} · 5.00 km"), reply.text
    [run] = await harness.runs(chat)
    assert run.note == note
    assert await started_at(harness) == [start]


async def test_a_clock_time_that_is_no_time_is_refused(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00 yesterday 25:30")
    assert reply.text.startswith("'25:30' isn't a time of day."), reply.text
    assert await harness.runs(chat) == []


async def test_every_example_help_log_gives_logs_a_run(harness: Harness) -> None:
    chat = harness.chat()
    help_text = (await chat.say("/help log")).text
    [line] = [x for x in help_text.splitlines() if x.startswith("Examples: ")]
    examples = line.removeprefix("Examples: ").split(" · ")
    assert "/log 8k 42:30 yesterday 07:15 easy" in examples
    for n, example in enumerate(examples, start=1):
        assert (await chat.say(example)).text.startswith(f"Logged #{n}"), example
    assert await started_at(harness) == [
        None,
        None,
        None,
        datetime(2026, 11, 25, 7, 15, tzinfo=UTC),
    ]


async def test_help_log_says_which_clock_time_is_a_start(harness: Harness) -> None:
    chat = harness.chat()
    help_text = " ".join((await chat.say("/help log")).text.split())
    assert "written with am/pm or as HH:MM with two-digit hours (07:15, 18:30)" in help_text
    assert (
        "a bare 4:50, or a time followed by a pace word (pace, per, /km, /mi, min/mi), "
        "is never a start" in help_text
    )


@pytest.mark.parametrize("pace", ["min/mi", "min/mile", "/k", "per km", "/km,"])
async def test_a_pace_after_the_day_is_never_the_start(harness: Harness, pace: str) -> None:
    chat = harness.chat()
    reply = await chat.say(f"/log 8k 40:00 yesterday 08:30 {pace} easy")
    assert reply.text.startswith("Logged #1 · yesterday · 8.00 km"), reply.text
    [run] = await harness.runs(chat)
    assert run.note == f"08:30 {pace} easy"
    assert await started_at(harness) == [None]
