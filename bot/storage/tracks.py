"""Runs read from files: stored with their track facts and best efforts, read back as PBs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.challenge_metrics import LOGGED_RUN_TOLERANCE, STANDARD_DISTANCES
from bot.models import BestEffort, Run, TrackFacts
from bot.parsing import HALF_MARATHON_M
from bot.runfiles import RunFile
from bot.storage.activity import run_values, stored_run
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.sql import insert, run_from
from bot.storage.tables import file_questions, run_efforts, runs


@dataclass(frozen=True, slots=True)
class ImportedRun:
    """A run of an import (a Strava export), stored with others in one statement."""

    local_date: date
    distance_m: float
    duration_s: int
    note: str
    facts: TrackFacts


@dataclass(frozen=True, slots=True)
class FileQuestion:
    """A file's sport question as stored: the run it would log, the note, until when, and
    once answered, when and the run the "yes" logged (None for "no")."""

    user_id: int
    run_file: RunFile
    note: str
    expires_at: datetime
    answered_at: datetime | None = None
    run_id: int | None = None


def _file_run_values(
    user_id: int,
    local_date: date,
    distance_m: float,
    duration_s: int,
    note: str,
    facts: TrackFacts,
    source_key: str | None,
    now: datetime,
    fuel_due_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``runs`` row of a run read from a file or an export."""
    return run_values(
        user_id, local_date, distance_m, duration_s, note, source_key, now, fuel_due_at
    ) | {
        "source_file": facts.source_file,
        "file_sha256": facts.file_sha256,
        "strava_id": facts.strava_id,
        "started_at": facts.started_at,
        "elapsed_s": facts.elapsed_s,
        "elevation_gain_m": facts.elevation_gain_m,
    }


def run_file_json(run_file: RunFile) -> str:
    """A run read from a file as JSON text (instants as ISO strings)."""
    return json.dumps(
        {
            "kind": run_file.kind,
            "sha256": run_file.sha256,
            "distance_m": run_file.distance_m,
            "moving_s": run_file.moving_s,
            "elapsed_s": run_file.elapsed_s,
            "elevation_gain_m": run_file.elevation_gain_m,
            "efforts": {str(m): s for m, s in run_file.efforts.items()},
            "start": None if run_file.start is None else run_file.start.isoformat(),
            "start_wall": None if run_file.start_wall is None else run_file.start_wall.isoformat(),
            "from_summary": run_file.from_summary,
            "sport_known": run_file.sport_known,
            "timing_note": run_file.timing_note,
        }
    )


def run_file_from_json(text: str) -> RunFile:
    """The run :func:`run_file_json` wrote."""
    v: dict[str, Any] = json.loads(text)
    return RunFile(
        kind=str(v["kind"]),
        sha256=str(v["sha256"]),
        distance_m=float(v["distance_m"]),
        moving_s=float(v["moving_s"]),
        elapsed_s=float(v["elapsed_s"]),
        elevation_gain_m=None if v["elevation_gain_m"] is None else float(v["elevation_gain_m"]),
        efforts={int(m): float(s) for m, s in v["efforts"].items()},
        start=None if v["start"] is None else datetime.fromisoformat(v["start"]),
        start_wall=None if v["start_wall"] is None else datetime.fromisoformat(v["start_wall"]),
        from_summary=bool(v["from_summary"]),
        sport_known=bool(v["sport_known"]),
        timing_note=str(v["timing_note"]),
    )


class TrackRepository:
    """Runs from files and their efforts, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str, counts: ChallengeCounts) -> None:
        self.conn = conn
        self.dialect = dialect
        self.counts = counts  # every write here tells it first

    async def add_file_run(
        self,
        user_id: int,
        local_date: date,
        distance_m: float,
        duration_s: int,
        note: str,
        facts: TrackFacts,
        source_key: str | None,
        now: datetime,
        fuel_due_at: datetime | None = None,
    ) -> tuple[Run, bool]:
        """Store a run with its track facts; ``False`` and the stored run when seen before.

        Seen before: the same file (content hash), Strava activity or platform message.
        """
        existing = await self.find_existing(user_id, facts, source_key)
        if existing is not None:
            return existing, False
        await self.counts.runner_changed(user_id, day=local_date)
        values = _file_run_values(
            user_id, local_date, distance_m, duration_s, note, facts, source_key, now, fuel_due_at
        )
        # A copy racing this one loses on a unique index and finds the winner's run.
        stmt = insert(self.dialect, runs).values(**values).on_conflict_do_nothing()
        run_id = await self.conn.scalar(stmt.returning(runs.c.id))
        if run_id is None:
            existing = await self.find_existing(user_id, facts, source_key)
            assert existing is not None
            return existing, False
        if facts.efforts:
            await self.conn.execute(
                insert(self.dialect, run_efforts),
                [
                    {"run_id": run_id, "distance_m": meters, "seconds": seconds}
                    for meters, seconds in sorted(facts.efforts.items())
                ],
            )
        return stored_run(run_id, values), True

    async def add_imported_runs(
        self, user_id: int, imported: list[ImportedRun], now: datetime
    ) -> set[str]:
        """Store an import's runs in two statements (the runs, then their efforts); the
        Strava ids of those stored. A run whose Strava id or file is stored already (a
        copy racing this one) is left out by the unique indexes, not stored twice.
        """
        if not imported:
            return set()
        # The earliest day: a runner whose challenges end before it needs no recount.
        await self.counts.runner_changed(user_id, day=min(r.local_date for r in imported))
        rows = [
            _file_run_values(
                user_id, r.local_date, r.distance_m, r.duration_s, r.note, r.facts, None, now
            )
            for r in imported
        ]
        stmt = insert(self.dialect, runs).values(rows).on_conflict_do_nothing()
        stored = {
            strava_id: run_id
            for run_id, strava_id in await self.conn.execute(
                stmt.returning(runs.c.id, runs.c.strava_id)
            )
        }
        efforts = [
            {"run_id": stored[r.facts.strava_id], "distance_m": meters, "seconds": seconds}
            for r in imported
            if r.facts.strava_id in stored
            for meters, seconds in sorted(r.facts.efforts.items())
        ]
        if efforts:
            await self.conn.execute(insert(self.dialect, run_efforts), efforts)
        return set(stored)

    async def ask_sport(
        self, token: str, user_id: int, run_file: RunFile, note: str, expires_at: datetime
    ) -> None:
        """Keep a file's sport question until ``expires_at``."""
        await self.conn.execute(
            file_questions.insert().values(
                token=token,
                user_id=user_id,
                run_file=run_file_json(run_file),
                note=note,
                expires_at=expires_at,
            )
        )

    async def sport_question(self, token: str) -> FileQuestion | None:
        """A kept sport question, expired or not (None: answered, pruned or never asked)."""
        row = (
            await self.conn.execute(select(file_questions).where(file_questions.c.token == token))
        ).first()
        if row is None:
            return None
        return FileQuestion(
            row.user_id,
            run_file_from_json(row.run_file),
            row.note,
            row.expires_at,
            row.answered_at,
            row.run_id,
        )

    async def answer_sport_question(
        self, token: str, run_id: int | None, now: datetime, kept_until: datetime
    ) -> bool:
        """Keep a question's answer (the run a "yes" logged; None for "no") until ``kept_until``;
        False when another tap answered it first.

        A "no" answers only an open question. A "yes" has logged its run already, so it is
        kept over a "no" that got there first (the run is in the log), never over a "yes".
        """
        q = file_questions.c
        first = q.answered_at.is_(None)
        result = await self.conn.execute(
            update(file_questions)
            .where(q.token == token, first if run_id is None else first | q.run_id.is_(None))
            .values(answered_at=now, run_id=run_id, expires_at=kept_until)
        )
        return result.rowcount == 1

    async def drop_sport_question(self, token: str) -> None:
        """Forget an answered (or expired) sport question."""
        await self.conn.execute(delete(file_questions).where(file_questions.c.token == token))

    async def prune_sport_questions(self, now: datetime) -> int:
        """Forget the sport questions nobody answered in time; how many."""
        result = await self.conn.execute(
            delete(file_questions).where(file_questions.c.expires_at <= now)
        )
        return result.rowcount

    async def find_existing(
        self, user_id: int, facts: TrackFacts, source_key: str | None
    ) -> Run | None:
        """The runner's run stored from the same file, Strava activity or message."""
        same = []
        if facts.file_sha256:
            same.append(and_(runs.c.user_id == user_id, runs.c.file_sha256 == facts.file_sha256))
        if facts.strava_id:
            same.append(and_(runs.c.user_id == user_id, runs.c.strava_id == facts.strava_id))
        if source_key:
            same.append(runs.c.source_key == source_key)
        if not same:
            return None
        row = (await self.conn.execute(select(runs).where(or_(*same)).limit(1))).first()
        return None if row is None else run_from(row)

    async def started_near(
        self, user_id: int, started_at: datetime, within: timedelta, meters: float, share: float
    ) -> Run | None:
        """The runner's run that started within ``within`` of ``started_at`` and whose
        distance is within ``share`` of ``meters``: the same outing from another source."""
        stmt = (
            select(runs)
            .where(
                runs.c.user_id == user_id,
                runs.c.started_at.between(started_at - within, started_at + within),
                runs.c.distance_m.between(meters * (1 - share), meters * (1 + share)),
            )
            .order_by(runs.c.id)
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else run_from(row)

    async def starts(self, user_id: int) -> list[tuple[datetime, float, int]]:
        """Every start the runner's runs carry: (start, distance, run id), by start."""
        stmt = (
            select(runs.c.started_at, runs.c.distance_m, runs.c.id)
            .where(runs.c.user_id == user_id, runs.c.started_at.is_not(None))
            .order_by(runs.c.started_at)
        )
        return [(start, meters, run_id) for start, meters, run_id in await self.conn.execute(stmt)]

    async def drop_efforts_over(self, user_id: int, run_id: int, meters: float) -> None:
        """Forget a run's best efforts longer than the run (its distance was corrected)."""
        await self.counts.runner_changed(user_id)
        await self.conn.execute(
            delete(run_efforts).where(
                run_efforts.c.run_id == run_id, run_efforts.c.distance_m > meters
            )
        )

    async def known_sources(self, user_id: int) -> tuple[set[str], set[str]]:
        """The Strava ids and file hashes of the runner's stored runs."""
        stmt = select(runs.c.strava_id, runs.c.file_sha256).where(
            runs.c.user_id == user_id,
            or_(runs.c.strava_id.is_not(None), runs.c.file_sha256.is_not(None)),
        )
        ids: set[str] = set()
        hashes: set[str] = set()
        for strava_id, sha in await self.conn.execute(stmt):
            if strava_id:
                ids.add(strava_id)
            if sha:
                hashes.add(sha)
        return ids, hashes

    async def facts(self, run_id: int) -> TrackFacts | None:
        """What the file added to a run (None for a run typed in by hand)."""
        row = (await self.conn.execute(select(runs).where(runs.c.id == run_id))).first()
        if row is None or row.source_file is None:
            return None
        found = await self.conn.execute(
            select(run_efforts.c.distance_m, run_efforts.c.seconds).where(
                run_efforts.c.run_id == run_id
            )
        )
        return TrackFacts(
            source_file=row.source_file,
            started_at=row.started_at,
            elapsed_s=row.elapsed_s,
            elevation_gain_m=row.elevation_gain_m,
            efforts={int(m): float(s) for m, s in found},
            file_sha256=row.file_sha256,
            strava_id=row.strava_id,
        )

    async def best_efforts(self, user_id: int, start: date, end: date) -> dict[int, BestEffort]:
        """The runner's fastest time per standard distance with start <= local_date <= end.

        From a file's track: the fastest stretch of that length inside it. From any
        run whose distance is within 2% of the standard distance: its time at its pace.
        Ties go to the earlier run.
        """
        best: dict[int, BestEffort] = {}

        def offer(effort: BestEffort) -> None:
            held = best.get(effort.distance_m)
            if held is None or (effort.seconds, effort.local_date, effort.run_id) < (
                held.seconds,
                held.local_date,
                held.run_id,
            ):
                best[effort.distance_m] = effort

        in_range = and_(runs.c.user_id == user_id, runs.c.local_date.between(start, end))
        tracked = (
            select(
                run_efforts.c.distance_m,
                func.min(run_efforts.c.seconds),
            )
            .join(runs, runs.c.id == run_efforts.c.run_id)
            .where(in_range)
            .group_by(run_efforts.c.distance_m)
        )
        fastest = {int(m): float(s) for m, s in await self.conn.execute(tracked)}
        if fastest:
            rows = await self.conn.execute(
                select(
                    run_efforts.c.distance_m,
                    run_efforts.c.seconds,
                    runs.c.id,
                    runs.c.local_date,
                )
                .join(runs, runs.c.id == run_efforts.c.run_id)
                .where(
                    in_range,
                    or_(
                        *(
                            and_(run_efforts.c.distance_m == m, run_efforts.c.seconds == s)
                            for m, s in fastest.items()
                        )
                    ),
                )
            )
            for meters, seconds, run_id, day in rows:
                offer(BestEffort(int(meters), float(seconds), int(run_id), day, True))
        for meters in STANDARD_DISTANCES:
            target = HALF_MARATHON_M if meters == 21097 else float(meters)
            low, high = target * (1 - LOGGED_RUN_TOLERANCE), target * (1 + LOGGED_RUN_TOLERANCE)
            # The fastest pace among them, its time scaled to exactly the distance (a 9.85 km
            # run in 50:00 is a 10 km in 50:46).
            pace = runs.c.duration_s / runs.c.distance_m
            # A run with this effort inside its track has its own time for it: the /log
            # reply shows that one, so /stats must not put an at-pace estimate over it
            # (a track's distance can hold GPS drift that its moving time leaves out).
            own_effort = exists().where(
                run_efforts.c.run_id == runs.c.id, run_efforts.c.distance_m == meters
            )
            row = (
                await self.conn.execute(
                    select(pace, runs.c.id, runs.c.local_date)
                    .where(in_range, runs.c.distance_m.between(low, high), ~own_effort)
                    .order_by(pace, runs.c.local_date, runs.c.id)
                    .limit(1)
                )
            ).first()
            if row is not None:
                offer(BestEffort(meters, float(row[0]) * target, int(row[1]), row[2], False))
        return best
