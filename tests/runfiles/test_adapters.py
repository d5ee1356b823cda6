"""A run file through the real adapters and the real core: a Telegram document, a Discord
attachment option (real-shaped payloads through the real libraries, no network)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.client import PacerClient
from adapters.telegram import TelegramAdapter
from tests.discord import payloads
from tests.discord.fake_discord import snowflake
from tests.discord.harness import CapturedHTTP, deliver
from tests.fakes import Harness
from tests.runfiles.test_chat_import import NOW, export_zip
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, feed, payload

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"
TCX = (DATA / "run.tcx").read_bytes()


# --- Telegram -------------------------------------------------------------------------


class FileServingRequest(RecordingRequest):
    """The recording Bot API, which also answers ``getFile`` and serves the file's bytes."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files
        self.downloads: list[str] = []

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """``getFile``: where the document can be downloaded."""
        if method == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        return super().result(method, params)

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """File downloads come from ``/file/bot<token>/<path>``."""
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            self.downloads.append(file_id)
            return 200, self.files[file_id]
        return await super().do_request(url, method, *args, **kwargs)


@pytest.fixture
def telegram_request() -> FileServingRequest:
    """The recording Bot API, with files to download."""
    return FileServingRequest({"doc-tcx": TCX, "doc-big": b""})


def document(
    name: str, file_id: str, size: int, *, caption: str | None = None, group: bool = False
) -> dict[str, Any]:
    """A message carrying a document, shaped like the Bot API sends it."""
    update = payload("group_command" if group else "private_command")
    message = update["message"]
    message.pop("text", None)
    message.pop("entities", None)
    message["document"] = {
        "file_name": name,
        "mime_type": "application/octet-stream",
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_size": size,
    }
    if caption is not None:
        message["caption"] = caption
        if caption.startswith("/"):
            length = len(caption.split(None, 1)[0])
            message["caption_entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return update


async def test_telegram_document_logs_the_run(
    telegram_on_core: tuple[TelegramAdapter, FileServingRequest], harness: Harness
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
    telegram_on_core: tuple[TelegramAdapter, FileServingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, document("big.fit", "doc-big", 30 * 1024 * 1024))
    [sent] = request.calls_to("sendMessage")
    assert "big.fit is 30.0 MB, over the 20 MB limit for run files. Nothing was saved." in sent.text
    assert request.downloads == []
    assert request.calls_to("getFile") == []


async def test_telegram_group_files_need_a_log_caption(
    telegram_on_core: tuple[TelegramAdapter, FileServingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, document("minutes.tcx", "doc-tcx", len(TCX), group=True))
    assert request.calls_to("sendMessage") == [] and request.downloads == []
    await feed(tg, document("run.tcx", "doc-tcx", len(TCX), caption="/log", group=True))
    [sent] = request.calls_to("sendMessage")
    assert sent.chat_id == GROUP_ID
    assert "Logged #1" in sent.text


# --- Discord --------------------------------------------------------------------------


@pytest.fixture
def cdn(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Attachment URL -> bytes; a download of anything else fails the test."""
    served: dict[str, bytes] = {}

    async def get_from_cdn(http: discord.http.HTTPClient, url: str) -> bytes:
        return served[url]

    monkeypatch.setattr(discord.http.HTTPClient, "get_from_cdn", get_from_cdn)
    return served


def slash_with_file(
    name: str, size: int, options: dict[str, str] | None = None, command: str = "log"
) -> dict[str, Any]:
    """``/log file:<attachment>`` as Discord sends it: the option names a resolved attachment."""
    event = payloads.slash(command, options)
    data = copy.deepcopy(event["data"])
    attachment_id = snowflake()
    data.setdefault("options", []).append({"name": "file", "type": 11, "value": attachment_id})
    url = f"https://cdn.discordapp.com/attachments/1/{attachment_id}/{name}"
    data["resolved"] = {
        "attachments": {
            attachment_id: {
                "id": attachment_id,
                "filename": name,
                "size": size,
                "url": url,
                "proxy_url": url,
                "content_type": "application/octet-stream",
            }
        }
    }
    event["data"] = data
    return event


async def test_discord_attachment_option_logs_the_run(
    discord_on_core: PacerClient, discord_http: CapturedHTTP, cdn: dict[str, bytes]
) -> None:
    event = slash_with_file("run.tcx", len(TCX), {"note": "track session"})
    attachment_id = event["data"]["options"][-1]["value"]
    cdn[f"https://cdn.discordapp.com/attachments/1/{attachment_id}/run.tcx"] = TCX
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
    telegram_on_core: tuple[TelegramAdapter, FileServingRequest],
    telegram_request: FileServingRequest,
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
    attachment_id = event["data"]["options"][-1]["value"]
    cdn[f"https://cdn.discordapp.com/attachments/1/{attachment_id}/export_123.zip"] = data
    deliver(discord_on_core, event)
    answer = await discord_http.wait_for(lambda c: "Imported 5 runs" in str(c.json))
    assert "(2 from their activity files" in str(answer.json)
    runner = harness.chat(payloads.RUNNER_ID, "discord")
    assert len(await harness.runs(runner)) == 5
