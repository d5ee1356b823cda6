"""``pacer import-strava``: the runs of a Strava bulk export into a runner's log.

Each run comes from its activity file when the export has one (distance,
moving time, climb and best efforts, as a file sent in the chat), else from the
CSV's figures. The Strava activity id is stored on the run, so a second import
of the same export finds every run there already and adds nothing.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock
from bot.errors import BadInput
from bot.input_hygiene import clean_text
from bot.models import MIN_RUN_M, TrackFacts, User
from bot.parsing import FASTEST_PACE_S_PER_KM, SLOWEST_PACE_S_PER_KM
from bot.runfiles.readers import read_run_file
from bot.runfiles.strava import (
    ImportSummary,
    Skipped,
    StravaActivity,
    StravaExport,
    parse_activities,
)
from bot.runfiles.track import EARLIEST
from bot.services.runfiles import SAME_DISTANCE, SAME_START
from bot.storage.database import Database
from bot.storage.tracks import ImportedRun
from bot.texts import runfiles as texts

BATCH = 200  # runs written per transaction
PROGRESS_EVERY = 25  # activities between two progress reports


class _Starts:
    """The runner's runs by start, to find one outing recorded twice (a watch file sent in
    the chat, then the export holding it): starts and distances as :mod:`bot.services.runfiles`
    compares them."""

    def __init__(self, known: list[tuple[datetime, float, int]]) -> None:
        self.starts = [start for start, _, _ in known]
        self.runs = [(meters, f"#{run_id}") for _, meters, run_id in known]

    def near(self, started: datetime, meters: float) -> str | None:
        """The run (``#12``, or an earlier line of this export) this one repeats, if any."""
        first = bisect.bisect_left(self.starts, started - SAME_START)
        last = bisect.bisect_right(self.starts, started + SAME_START)
        for known, label in self.runs[first:last]:
            if abs(known - meters) <= meters * SAME_DISTANCE:
                return label
        return None

    def add(self, started: datetime, meters: float, label: str) -> None:
        """Remember a run about to be stored."""
        at = bisect.bisect_right(self.starts, started)
        self.starts.insert(at, started)
        self.runs.insert(at, (meters, label))


class StravaImporter:
    """Imports a Strava export for one runner."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def run(
        self,
        user: User,
        export: StravaExport,
        progress: Callable[[int, int], Awaitable[None]] | None = None,
    ) -> ImportSummary:
        """Import the export's runs; ``progress`` hears (done, total) as it goes.

        Runs are written in batches, each in one transaction, and a run carries its
        Strava id: a kill between batches leaves whole batches stored, and a second
        import finds them there and brings in the rest.
        """
        activities, skipped = parse_activities(await asyncio.to_thread(export.activities_csv))
        summary = ImportSummary(skipped=list(skipped))
        total = len(activities) + len(skipped)
        async with self.db.reader() as uow:
            known_ids, known_hashes = await uow.tracks.known_sources(user.id)
            starts = _Starts(await uow.tracks.starts(user.id))
        # Each run with its note (imported, but not as hoped): a note is told only when its
        # run is stored, so a row is counted under one heading of the summary.
        batch: list[tuple[ImportedRun, Skipped | None]] = []
        if progress is not None:
            await progress(len(skipped), total)
        for done, activity in enumerate(activities, start=len(skipped) + 1):
            row: ImportedRun | None = None
            note: Skipped | None = None
            if activity.activity_id in known_ids:
                summary.already += 1
            else:
                # Reading a file is CPU work: off the event loop, so chats keep being answered.
                row, note = await asyncio.to_thread(
                    self._row, user, export, activity, known_hashes, summary
                )
            if row is not None and (earlier := starts.near(activity.started, row.distance_m)):
                what = f"{activity.activity_id} {activity.name!r}"
                summary.skipped.append(
                    Skipped(
                        activity.line, what, texts.already_logged(earlier), texts.ALREADY_LOGGED
                    )
                )
            elif row is not None:
                starts.add(activity.started, row.distance_m, f"line {activity.line}")
                batch.append((row, note))
                known_ids.add(activity.activity_id)
                if row.facts.file_sha256:
                    known_hashes.add(row.facts.file_sha256)
            if len(batch) >= BATCH:
                await self._store(user, batch, summary)
                batch = []
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                await progress(done, total)
        await self._store(user, batch, summary)
        return summary

    def _row(
        self,
        user: User,
        export: StravaExport,
        activity: StravaActivity,
        known_hashes: set[str],
        summary: ImportSummary,
    ) -> tuple[ImportedRun | None, Skipped | None]:
        """The run to store from a row and its note (None when skipped: said in ``summary``)."""
        what = f"{activity.activity_id} {activity.name!r}"
        note: Skipped | None = None
        distance = activity.distance_m
        seconds = activity.moving_s or activity.elapsed_s
        facts = TrackFacts(
            source_file="strava",
            started_at=activity.started,
            elapsed_s=round(activity.elapsed_s) if activity.elapsed_s else None,
            elevation_gain_m=activity.elevation_gain_m,
            efforts={},
            strava_id=activity.activity_id,
        )
        if activity.filename:
            try:
                data = export.activity_file(activity.filename)
                if data is None:
                    missing = texts.not_in_export(activity.filename)
                    note = Skipped(
                        activity.line, what, missing, texts.missing_files(export.csv_only)
                    )
                else:
                    run_file = read_run_file(activity.filename, data).only
                    if run_file.sha256 in known_hashes:
                        summary.already += 1
                        return None, None
                    distance, seconds = run_file.distance_m, run_file.moving_s
                    facts = TrackFacts(
                        source_file=run_file.kind,
                        started_at=activity.started,
                        elapsed_s=round(run_file.elapsed_s),
                        elevation_gain_m=run_file.elevation_gain_m,
                        efforts=run_file.efforts,
                        file_sha256=run_file.sha256,
                        strava_id=activity.activity_id,
                    )
            except (BadInput, ValueError) as error:
                reason = error.message if isinstance(error, BadInput) else str(error)
                reason = reason.replace(" Nothing was saved.", "").rstrip(".")
                note = Skipped(
                    activity.line, what, texts.file_not_used(reason), texts.FILE_NOT_USED
                )

        def skip(reason: str, kind: str) -> tuple[None, None]:
            summary.skipped.append(Skipped(activity.line, what, reason, kind))
            return None, None

        if not distance or distance <= 0:
            return skip(texts.NO_DISTANCE, texts.NO_DISTANCE)
        if distance < MIN_RUN_M:  # the file's figure, or the CSV's when the file was refused
            return skip(texts.shorter_than_a_run(distance), texts.SHORTER_THAN_A_RUN)
        if not seconds or seconds <= 0:
            return skip(texts.NO_TIME, texts.NO_TIME)
        pace = seconds / (distance / 1000)
        if not FASTEST_PACE_S_PER_KM <= pace <= SLOWEST_PACE_S_PER_KM:
            return skip(texts.no_running_pace(pace / 60), texts.NO_RUNNING_PACE)
        if activity.started > self.clock.now():
            return skip(texts.IN_THE_FUTURE, texts.IN_THE_FUTURE)
        if activity.started < EARLIEST:
            return skip(texts.BEFORE_2000, texts.BEFORE_2000)
        day = activity.started.astimezone(user.tz).date()
        name = clean_text(activity.name)[:500]
        return ImportedRun(day, distance, round(seconds), name, facts), note

    async def _store(
        self,
        user: User,
        batch: list[tuple[ImportedRun, Skipped | None]],
        summary: ImportSummary,
    ) -> None:
        if not batch:
            return
        now = self.clock.now()
        async with self.db.uow() as uow:
            stored = await uow.tracks.add_imported_runs(user.id, [row for row, _ in batch], now)
            for row, note in batch:
                if row.facts.strava_id not in stored:
                    summary.already += 1
                    continue
                if note is not None:
                    summary.notes.append(note)
                summary.imported += 1
                summary.distance_m += row.distance_m
                summary.from_files += row.facts.source_file != "strava"
                summary.first = min(summary.first or row.local_date, row.local_date)
                summary.last = max(summary.last or row.local_date, row.local_date)
            # The run streak is worked out again from the runs on next use.
            await uow.runners.update(user.id, streak_since=None, streak_last=None)
            await uow.commit()
