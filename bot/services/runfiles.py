"""Run files: a run read from a file stored (refused when from the future, at a walking
pace, or the same outing already logged from another source), and the question about a
file that doesn't say its sport, kept in the database until the runner taps an answer.

A stored file's run is told and totalled by :meth:`bot.services.runs.RunService.logged`,
as a typed run is. The outing rule (``SAME_START``, ``SAME_DISTANCE``) is also the Strava
import's (:mod:`bot.services.strava_import`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta

from bot.clock import Clock
from bot.errors import BadInput
from bot.models import Run, TrackFacts, User
from bot.nudges.planner import snack_due
from bot.parsing import SLOWEST_PACE_S_PER_KM
from bot.runfiles import RunFile
from bot.services.runs import LoggedRun, RunService, check_note
from bot.storage.database import Database
from bot.storage.tracks import FileQuestion
from bot.texts import runfiles as texts

# A watch clock a little ahead of ours is not a run from the future.
FILE_CLOCK_SLACK = timedelta(minutes=10)
# A file that doesn't say its sport waits this long (in the database) for the runner's tap.
SPORT_QUESTION_KEPT = timedelta(minutes=30)
# One outing recorded twice (a watch file, then the Strava export that holds it): the
# starts a couple of minutes apart, the distances within 2 % (devices measure a little
# differently). Nobody starts two runs of one length within two minutes.
SAME_START = timedelta(minutes=2)
SAME_DISTANCE = 0.02


class SameRunLogged(BadInput):
    """A file's run that is already in the log from another source (another file, Strava)."""

    def __init__(self, earlier: Run, units: str) -> None:
        text, hint = texts.same_run_logged(earlier, units)
        super().__init__(text, hint=hint)
        self.earlier = earlier


class RunFileService:
    """Stores the runs read from files and keeps the files that name no sport."""

    def __init__(self, db: Database, clock: Clock, runs: RunService) -> None:
        self.db = db
        self.clock = clock
        self.runs = runs

    async def log_file(
        self,
        user: User,
        run_file: RunFile,
        note: str = "",
        source_key: str | None = None,
        shown_in: str = "",
    ) -> LoggedRun:
        """Store a run read from a file (its track facts and best efforts with it).

        The same file again (by content) is the stored run, not a second one; the same
        outing from another source (its start and distance) is refused, naming the run.
        """
        now = self.clock.now()
        started = run_file.local_start(user.tz)
        if started.astimezone(UTC) > now + FILE_CLOCK_SLACK:
            raise texts.starts_in_future(started)
        seconds = round(run_file.moving_s)
        if seconds / (run_file.distance_m / 1000) > SLOWEST_PACE_S_PER_KM:
            raise texts.walking_pace(run_file.distance_m, seconds, user.units)
        facts = TrackFacts(
            source_file=run_file.kind,
            started_at=started.astimezone(UTC),
            elapsed_s=round(run_file.elapsed_s),
            elevation_gain_m=run_file.elevation_gain_m,
            efforts=run_file.efforts,
            file_sha256=run_file.sha256,
        )
        day = started.date()
        async with self.db.uow() as uow:
            if await uow.tracks.find_existing(user.id, facts, source_key) is None:
                near = await uow.tracks.started_near(
                    user.id, started.astimezone(UTC), SAME_START, run_file.distance_m, SAME_DISTANCE
                )
                if near is not None:
                    raise SameRunLogged(near, user.units)
            run, created = await uow.tracks.add_file_run(
                user.id,
                day,
                run_file.distance_m,
                seconds,
                check_note(note),
                facts,
                source_key,
                now,
                snack_due(user, day, now),
            )
            await uow.commit()
        return await self.runs.logged(user, run, created, now, shown_in=shown_in)

    async def ask_sport(self, user: User, run_file: RunFile, note: str = "") -> str:
        """Keep a file that doesn't say its sport until the runner answers; the question's
        token (its buttons carry it)."""
        token = secrets.token_hex(6)
        expires = self.clock.now() + SPORT_QUESTION_KEPT
        async with self.db.uow() as uow:
            await uow.tracks.ask_sport(token, user.id, run_file, check_note(note), expires)
            await uow.commit()
        return token

    async def sport_question(self, user: User, token: str) -> FileQuestion:
        """The runner's question about a file's sport, open or answered (its answer kept for
        a second tap); refused when gone, expired unanswered, or its answer's time is up."""
        async with self.db.reader() as uow:
            question = await uow.tracks.sport_question(token)
        if question is None or question.user_id != user.id:
            raise texts.question_gone()
        if question.expires_at <= self.clock.now():
            await self.drop_sport_question(token)
            if question.answered_at is not None:  # its answer was kept long enough
                raise texts.question_gone()
            minutes = SPORT_QUESTION_KEPT // timedelta(minutes=1)
            raise texts.question_expired(minutes)
        return question

    async def answer_sport_question(self, token: str, run_id: int | None) -> bool:
        """Keep a question's answer (the run a "yes" logged, None for "no") for
        :data:`SPORT_QUESTION_KEPT`, so a second tap on its buttons is told what the first did;
        False when another tap answered first (a "no" never replaces an answer)."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            kept = await uow.tracks.answer_sport_question(
                token, run_id, now, now + SPORT_QUESTION_KEPT
            )
            await uow.commit()
        return kept

    async def answered_run(self, user: User, question: FileQuestion) -> Run | None:
        """The run an answered "yes" logged, if it is still in the runner's log."""
        if question.run_id is None:
            return None
        async with self.db.reader() as uow:
            run = await uow.activity.run(question.run_id)
        return run if run is not None and run.user_id == user.id else None

    async def drop_sport_question(self, token: str) -> None:
        """Forget an expired question about a file's sport."""
        async with self.db.uow() as uow:
            await uow.tracks.drop_sport_question(token)
            await uow.commit()
