"""/export: everything about the runner, on every linked account, as a ZIP sent privately."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from adapters.console.chat import ConsoleAdapter
from adapters.discord.client import PacerClient
from adapters.telegram import TelegramAdapter
from bot.chart_pool import ChartPainter
from bot.storage.personal import plan
from tests.data_rights.runners import (
    DISCORD_ID,
    NAME_DC,
    NAME_TG,
    OTHER_ID,
    OTHER_NAME,
    TELEGRAM_ID,
    archive,
    chat,
    link,
)
from tests.discord import payloads
from tests.discord.harness import CapturedHTTP, deliver
from tests.fakes import Harness
from tests.telegram.fakes import BOT_USERNAME, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, callback, feed, payload

EPHEMERAL = 1 << 6


def _csv(zipped: Any, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zipped.read(name).decode("utf-8"))))


async def test_what_was_logged_on_two_linked_platforms_is_in_the_zip(harness: Harness) -> None:
    telegram = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    discord = chat(harness, "discord", DISCORD_ID, NAME_DC)
    other = chat(harness, "telegram", OTHER_ID, OTHER_NAME)
    await telegram.say("/settings timezone Europe/Berlin")
    await telegram.say("/settings run_days mon,wed,sat")
    await telegram.say('/log 5k 25:00 tempo, with "hills"')
    await telegram.say("/slept 7.5 23:10")
    await discord.say("/log 10k 52:30 long & easy")
    await discord.say("/strength deadlift 3x6 60kg")
    await other.say("/log 3k 18:00 someone else's run")
    await link(telegram, discord)
    await discord.say("/fuel banana")

    reply = await discord.say("/export")

    assert reply.private
    assert "2 runs" in reply.text and "3 check-ins" in reply.text
    assert "2 linked accounts" in reply.text and "discord, telegram" in reply.text
    zipped = archive(reply)
    names = set(zipped.namelist())
    assert {"README.txt", "pacer-export.json", "runs.csv", "checkins.csv", "users.csv"} <= names
    assert {"identities.csv", "nudge_schedules.csv", "deliveries.csv"} <= names

    runs = _csv(zipped, "runs.csv")
    assert sorted((float(r["distance_m"]), int(r["duration_s"]), r["note"]) for r in runs) == [
        (5000.0, 1500, 'tempo, with "hills"'),
        (10000.0, 3150, "long & easy"),
    ]
    assert {r["user_id"] for r in runs} == {str((await harness.user(telegram)).id)}
    checkins = {r["habit"]: r for r in _csv(zipped, "checkins.csv")}
    assert checkins["sleep"]["hours"] == "7.5" and checkins["sleep"]["bedtime"] == "23:10"
    assert checkins["strength"]["kind"] == "deadlift" and checkins["strength"]["sets"] == "3"
    assert checkins["fuel"]["note"] == "banana"
    [profile] = _csv(zipped, "users.csv")
    assert profile["timezone"] == "Europe/Berlin" and profile["run_days"] == "mon,wed,sat"
    accounts = {(r["platform"], r["platform_user_id"]) for r in _csv(zipped, "identities.csv")}
    assert accounts == {("telegram", TELEGRAM_ID), ("discord", DISCORD_ID)}
    kinds = {r["kind"] for r in _csv(zipped, "nudge_schedules.csv")}
    assert "pre_run_mobility" in kinds

    document = json.loads(zipped.read("pacer-export.json"))
    assert sorted(document["accounts"]) == ["discord", "telegram"]
    tables = document["tables"]
    assert sorted(r["distance_m"] for r in tables["runs"]) == [5000.0, 10000.0]
    assert {r["habit"] for r in tables["checkins"]} == {"sleep", "strength", "fuel"}
    assert tables["users"][0]["timezone"] == "Europe/Berlin"
    assert set(tables) == {n.removesuffix(".csv") for n in names if n.endswith(".csv")}

    readme = zipped.read("README.txt").decode()
    for name in names - {"README.txt"}:
        assert name in readme
    assert "runs.csv (2 rows)" in readme
    everything = b"".join(zipped.read(n) for n in names).decode()
    assert OTHER_ID not in everything and OTHER_NAME not in everything
    assert "someone else" not in everything


async def test_export_from_either_account_holds_the_same_runs(harness: Harness) -> None:
    telegram = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    discord = chat(harness, "discord", DISCORD_ID, NAME_DC)
    await telegram.say("/log 5k 25:00")
    await link(telegram, discord)

    from_telegram = json.loads(archive(await telegram.say("/export")).read("pacer-export.json"))
    from_discord = json.loads(archive(await discord.say("/export")).read("pacer-export.json"))

    assert from_telegram["tables"]["runs"] == from_discord["tables"]["runs"]
    assert len(from_discord["tables"]["runs"]) == 1


async def test_a_new_runner_gets_an_export_too(harness: Harness) -> None:
    reply = await chat(harness, "console", "newcomer", "Newcomer").say("/export")

    zipped = archive(reply)
    assert _csv(zipped, "runs.csv") == []
    assert zipped.read("runs.csv").decode().startswith("id,user_id,local_date,distance_m")
    assert "1 profile" in reply.text


async def test_export_asked_in_a_group_is_a_private_reply(harness: Harness) -> None:
    group = chat(harness, "telegram", TELEGRAM_ID, NAME_TG, private=False)
    await group.say("/log 5k 25:00")

    reply = await group.say("/export")

    assert reply.private
    assert archive(reply).read("runs.csv")


# --- the platforms send it privately --------------------------------------------------


async def _feed(tg: TelegramAdapter, update: dict[str, Any]) -> None:
    await tg.application.process_update(Update.de_json(update, tg.application.bot))


async def test_telegram_sends_the_export_from_a_group_as_a_document_in_the_dm(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("group_command", update_id=930001, text=f"/log@{BOT_USERNAME} 5k 25:00"))
    await feed(tg, payload("group_command", update_id=930002, text=f"/export@{BOT_USERNAME}"))

    [document] = request.calls_to("sendDocument")
    assert document.chat_id == RUNNER_ID
    [name] = document.files.values()
    assert re.fullmatch(r"pacer-export-\d{8}-\d{4}\.zip", name), name
    in_group = [c for c in request.calls if c.params.get("chat_id") in (GROUP_ID, str(GROUP_ID))]
    assert [c.method for c in in_group][-1] == "sendMessage"
    assert "private message" in in_group[-1].text
    assert all(c.method != "sendDocument" for c in in_group)


async def test_telegram_without_a_dm_says_so_in_the_group_and_sends_no_file(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    request.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    await feed(tg, payload("group_command", update_id=930003, text=f"/export@{BOT_USERNAME}"))

    assert request.calls_to("sendDocument") == []
    notice = request.calls_to("sendMessage")[-1]
    assert notice.chat_id == GROUP_ID
    assert "can't message you yet" in notice.text


async def test_discord_sends_the_export_in_a_server_as_an_ephemeral_attachment(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    client, http = discord_on_core, discord_http
    export = payloads.slash("export", guild=True)
    deliver(client, export)
    answer = await http.wait_for(lambda c: f"/interactions/{export['id']}/" in c.path)

    assert answer.json["data"]["flags"] & EPHEMERAL
    [name] = answer.files
    assert re.fullmatch(r"pacer-export-\d{8}-\d{4}\.zip", name)


async def test_the_console_saves_the_export_and_prints_its_path(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    console = ConsoleAdapter(harness.core, "ana", lambda: None, stdin=io.StringIO(), stdout=out)
    console.render(await harness.core.handle(console.to_incoming("/log 5k 25:00")))

    console.render(await harness.core.handle(console.to_incoming("/export")))

    [saved] = re.findall(r"file saved: (\S+\.zip)", out.getvalue())
    folder, mode, document = _saved(saved)
    assert folder == (tmp_path / "pacer-files").resolve()
    assert mode == 0o600  # personal data: for this OS user only
    assert [r["distance_m"] for r in document["tables"]["runs"]] == [5000.0]


def _saved(name: str) -> tuple[Path, int, Any]:
    """Where a saved export is, its permissions, and its JSON document."""
    path = Path(name)
    document = json.loads(zipfile.ZipFile(path).read("pacer-export.json"))
    return path.parent, path.stat().st_mode & 0o777, document


async def test_telegram_forget_from_a_group_asks_in_the_dm_and_the_button_deletes(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], harness: Harness
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("private_command", update_id=930010, text="/log 5k 25:00"))
    await feed(tg, payload("group_command", update_id=930011, text=f"/forget@{BOT_USERNAME}"))

    ask, notice = request.calls_to("sendMessage")[-2:]
    assert ask.chat_id == RUNNER_ID and notice.chat_id == GROUP_ID
    assert "1 run" in ask.text and "1 run" not in notice.text
    rows = ask.params["reply_markup"]["inline_keyboard"]
    confirm = rows[0][0]["callback_data"]
    assert confirm.startswith("/forget confirm ")
    await feed(tg, callback(confirm, update_id=930012))

    done = request.calls_to("sendMessage")[-1]
    assert done.chat_id == RUNNER_ID and done.text.startswith("Done.")
    async with harness.db.reader() as uow:
        assert await uow.runners.find("telegram", str(RUNNER_ID)) is None


async def test_every_exported_table_is_described_in_the_readme(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/settings digest sun 19:00")

    [archive] = (await chat.say("/export")).attachments
    readme = zipfile.ZipFile(io.BytesIO(archive.data)).read("README.txt").decode()

    assert "your rows of" not in readme
    assert "digests.csv" in readme and "run_efforts.csv" in readme
    assert "elevation_gain_m" in readme  # the columns a run file fills


@pytest.mark.slow  # wall-clock time: a worker process
async def test_the_archive_is_built_in_a_worker_process_and_reads_the_same(
    harness: Harness,
) -> None:
    """The app builds /export's ZIP in a worker process: the same files as in a thread."""
    chat = harness.chat("ana")
    await chat.say("/log 5k 25:00 legs fine")
    await chat.say("/slept 7.5")
    user = await harness.user(chat)
    in_thread = await harness.core.services.data.export(user)
    workers = ChartPainter(processes=1)
    try:
        harness.core.services.data.workers = workers
        in_process = await harness.core.services.data.export(user)
        assert workers.in_processes  # it really went to a worker
    finally:
        workers.close()
    assert in_process.rows == in_thread.rows
    with (
        zipfile.ZipFile(io.BytesIO(in_thread.data)) as one,
        zipfile.ZipFile(io.BytesIO(in_process.data)) as two,
    ):
        assert one.namelist() == two.namelist()
        for name in one.namelist():
            assert one.read(name) == two.read(name), name


def test_your_data_describes_every_file_of_the_export() -> None:
    """docs/your-data.md's table names each CSV in the ZIP: one per table holding a runner's
    rows (``personal.plan``, which /export reads), and nothing else."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "your-data.md").read_text()
    described = set(re.findall(r"`([a-z_]+)\.csv`", page))
    assert described == {p.table.name for p in plan([1])}
