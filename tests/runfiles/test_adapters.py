"""A run file through the real adapters and the real core: a Telegram document, a Discord
attachment option (real-shaped payloads through the real libraries, no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.client import PacerClient
from adapters.telegram import TelegramAdapter
from tests.discord import payloads
from tests.discord.harness import CapturedHTTP, deliver
from tests.discord.payloads import attachment_url, slash_with_file
from tests.fakes import Harness
from tests.runfiles.test_chat_import import NOW, export_zip
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, document, feed

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"
TCX = (DATA / "run.tcx").read_bytes()


# --- Telegram -------------------------------------------------------------------------


@pytest.fixture
def telegram_request() -> RecordingRequest:
    """The recording Bot API, with files to download."""
    request = RecordingRequest()
    request.files.update({"doc-tcx": TCX, "doc-big": b""})
    return request


async def test_telegram_document_logs_the_run(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], harness: Harness
) -> None:
    tg, request = telegram_on_core
    await feed(tg, document("run.tcx", "doc-tcx", len(TCX), caption="hilly one"))
    [sent] = request.calls_to("sendMessage")
    assert sent.chat_id == RUNNER_ID
    assert "Logged #1 · Sat 15 Aug 2015 · 9.01 km in 47:13" in sent.text
    assert "hilly one" in sent.text
    assert "Best efforts in this run: 1 km 4:06 · 5 km 21:44" in sent.text
    assert request.downloads == ["doc-tcx"]
    # The same file again (a new message) is the same run.
    again = document("run.tcx", "doc-tcx", len(TCX))
    again["update_id"] += 1
    await feed(tg, again)
    assert "Already logged #1" in request.calls_to("sendMessage")[-1].text
    assert len(await harness.runs(harness.chat(str(RUNNER_ID), "telegram"))) == 1


async def test_telegram_file_over_20_mb_is_refused_without_downloading(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, document("big.fit", "doc-big", 30 * 1024 * 1024))
    [sent] = request.calls_to("sendMessage")
    assert "big.fit is 30.0 MB, over the 20 MB limit for run files. Nothing was saved." in sent.text
    assert request.downloads == []
    assert request.calls_to("getFile") == []


async def test_telegram_group_files_need_a_log_caption(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, document("minutes.tcx", "doc-tcx", len(TCX), group=True))
    assert request.calls_to("sendMessage") == [] and request.downloads == []
    await feed(tg, document("run.tcx", "doc-tcx", len(TCX), caption="/log", group=True))
    [sent, week] = request.calls_to("sendMessage")
    assert sent.chat_id == GROUP_ID
    assert sent.text.startswith("Ada Runner logged #1 · Sat 15 Aug 2015")
    assert (week.chat_id, week.text) == (RUNNER_ID, "Week of Mon 10 Aug 2015: 9.01 km over 1 run")


# --- Discord --------------------------------------------------------------------------


async def test_discord_attachment_option_logs_the_run(
    discord_on_core: PacerClient, discord_http: CapturedHTTP, cdn: dict[str, bytes]
) -> None:
    event = slash_with_file("run.tcx", len(TCX), {"note": "track session"})
    cdn[attachment_url(event)] = TCX
    deliver(discord_on_core, event)
    answer = await discord_http.wait_for(lambda c: f"/interactions/{event['id']}/" in c.path)
    content = answer.json["data"]["content"]
    assert "Logged #1 · Sat 15 Aug 2015 · 9.01 km in 47:13" in content
    assert "track session" in content
    assert "From the TCX file" in content


async def test_discord_attachment_over_20_mb_is_not_downloaded(
    discord_on_core: PacerClient, discord_http: CapturedHTTP, cdn: dict[str, bytes]
) -> None:
    event = slash_with_file("huge.gpx", 21 * 1024 * 1024)
    deliver(discord_on_core, event)  # cdn serves nothing: a download would fail the answer
    answer = await discord_http.wait_for(lambda c: f"/interactions/{event['id']}/" in c.path)
    assert "huge.gpx is 21.0 MB, over the 20 MB limit" in answer.json["data"]["content"]


# --- /import strava through both adapters -----------------------------------------------


async def test_telegram_import_edits_one_progress_message(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
    telegram_request: RecordingRequest,
    harness: Harness,
) -> None:
    harness.clock.set(NOW)  # after the sample export's last run
    tg, request = telegram_on_core
    data = export_zip()
    request.files["doc-zip"] = data
    await feed(tg, document("export_123.zip", "doc-zip", len(data), caption="/import strava"))
    sent = request.calls_to("sendMessage")
    assert sent[0].text.startswith("Importing your Strava history:")  # the note, first
    edits = request.calls_to("editMessageText")
    assert edits and edits[-1].text == "Importing your Strava history: 9 of 9 …"
    assert all(e.params["message_id"] == edits[0].params["message_id"] for e in edits)
    assert sent[-1].chat_id == RUNNER_ID
    assert sent[-1].text.startswith("Imported 5 runs (2 from their activity files")
    assert len(await harness.runs(harness.chat(str(RUNNER_ID), "telegram"))) == 5


async def test_discord_import_through_the_attachment_option(
    discord_on_core: PacerClient,
    discord_http: CapturedHTTP,
    cdn: dict[str, bytes],
    harness: Harness,
) -> None:
    harness.clock.set(NOW)
    data = export_zip()
    event = slash_with_file("export_123.zip", len(data), {"source": "strava"}, command="import")
    cdn[attachment_url(event)] = data
    deliver(discord_on_core, event)
    answer = await discord_http.wait_for(lambda c: "Imported 5 runs" in str(c.json))
    assert "(2 from their activity files" in str(answer.json)
    runner = harness.chat(payloads.RUNNER_ID, "discord")
    assert len(await harness.runs(runner)) == 5
