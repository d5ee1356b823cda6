"""Challenge members' tallies, kept by the unit of work: what changed is recounted before commit.

Every write that can change what a challenge counts tells this object first: a run
or check-in stored, changed or removed, a join or leave, an account merge, a
runner forgotten (``runner_changed``), or a challenge's window moved by
``/challenge end`` (``challenge_changed``). Before the unit of work commits (and
before it reads a board), :meth:`ChallengeCounts.recount` works those members'
tallies in open challenges out again with the definitions in
``bot/challenge_metrics.py`` and stores the ones that moved in
``challenge_members.value`` and ``reached``, so a board reads its members in order.

One locking rule, the same statements on both backends: a write takes its runner's
``users`` row first (several runners: in id order), and a window change takes the
challenge's row when it recounts, then its members' ``users`` rows in id order. The
recount is a statement after those locks, so on PostgreSQL's read committed it sees
whatever the transactions that held them committed: a join and a run of one runner in
two transactions cannot miss each other. SQLite has one writer at a time (``BEGIN
IMMEDIATE``), where the same locks are already held; its dialect leaves ``FOR UPDATE``
out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.challenge_metrics import CHALLENGE_METRICS, Logged, tally
from bot.models import Challenge
from bot.storage.tables import challenge_members, challenges, checkins, run_efforts, runs, users

_M = challenge_members.c
_C = challenges.c

_STORE = (
    update(challenge_members)
    .where(_M.challenge_id == bindparam("c_id"), _M.user_id == bindparam("u_id"))
    .values(value=bindparam("new_value"), reached=bindparam("new_reached"))
)


class ChallengeCounts:
    """The runners and challenges one unit of work changed, and their recount."""

    def __init__(self, conn: AsyncConnection, *, transaction: bool) -> None:
        self.conn = conn
        self.transaction = transaction
        self._locked: dict[int, date | None] = {}  # runner -> last day a challenge counts
        self._runners: set[int] = set()
        self._challenges: set[int] = set()

    async def runner_changed(
        self, *user_ids: int, day: date | None = None, membership: bool = False
    ) -> None:
        """Before a write of these runners' logs or memberships: take their rows, note them.

        ``day``: the only local date the write touches, when it is known; a runner in
        no challenge that counts that day needs no recount. ``membership``: a join,
        leave or merge, recounted whatever the runner's challenges said before it.
        """
        if not self.transaction:
            raise RuntimeError("a change that challenges count needs a transaction (db.uow())")
        new = sorted(set(user_ids) - self._locked.keys())
        if new:
            taken = await self.conn.execute(
                select(users.c.id, users.c.challenges_until)
                .where(users.c.id.in_(new))
                .order_by(users.c.id)
                .with_for_update(key_share=True)  # FOR NO KEY UPDATE: foreign keys pass
            )
            self._locked.update({u: None for u in new} | {int(u): d for u, d in taken})
        for user_id in user_ids:
            until = self._locked[user_id]
            if membership or (until is not None and (day is None or day <= until)):
                self._runners.add(user_id)

    def challenge_changed(self, challenge_id: int) -> None:
        """A challenge's window moved: every member is recounted."""
        if not self.transaction:
            raise RuntimeError("a change that challenges count needs a transaction (db.uow())")
        self._challenges.add(challenge_id)

    async def recount(self) -> None:
        """Work the noted members' tallies in open challenges out again; store those that moved."""
        if not self._runners and not self._challenges:
            return
        runners, changed = self._runners, self._challenges
        self._runners, self._challenges = set(), set()
        if changed:
            await self._lock_members_of(sorted(changed))
        of_noted = [_M.user_id.in_(sorted(runners)), _M.challenge_id.in_(sorted(changed))]
        members = (
            await self.conn.execute(
                select(_M.challenge_id, _M.user_id, _M.value, _M.reached, _C.metric)
                .add_columns(_C.start_date, _C.end_date, _C.effort_m, _C.day_min_m)
                .join(challenges, _C.id == _M.challenge_id)
                .where(_C.frozen_at.is_(None), or_(*of_noted))
            )
        ).all()
        if not members:
            return
        logs = await self._logs(members)
        moved = []
        for m in members:
            reads = CHALLENGE_METRICS[m.metric].reads
            window = [g for g in logs[reads][m.user_id] if m.start_date <= g.day <= m.end_date]
            challenge = Challenge(
                m.challenge_id, 0, "", m.metric, m.start_date, m.end_date,
                effort_m=m.effort_m, day_min_m=m.day_min_m,
            )  # fmt: skip
            value, reached = tally(challenge, window)
            if (value, reached) != (m.value, m.reached):
                moved.append(
                    {"c_id": m.challenge_id, "u_id": m.user_id, "new_value": value}
                    | {"new_reached": reached}
                )
        if moved:
            await self.conn.execute(_STORE, moved)

    async def _lock_members_of(self, challenge_ids: list[int]) -> None:
        """A window change: the challenges' rows (a join in flight holds one: wait for it),
        then their members' runner rows, in id order."""
        await self.conn.execute(
            select(_C.id).where(_C.id.in_(challenge_ids)).order_by(_C.id).with_for_update()
        )
        members = select(_M.user_id).where(_M.challenge_id.in_(challenge_ids))
        await self.conn.execute(
            select(users.c.id)
            .where(users.c.id.in_(members), users.c.id.not_in(list(self._locked)))
            .order_by(users.c.id)
            .with_for_update(key_share=True)
        )

    async def _logs(self, members: Sequence[Any]) -> dict[str, dict[int, list[Logged]]]:
        """The members' runs and check-ins from their earliest window's start to the latest end."""
        spans: dict[str, dict[int, tuple[date, date]]] = {"runs": {}, "checkins": {}}
        for m in members:
            span = spans[CHALLENGE_METRICS[m.metric].reads]
            first, last = span.get(m.user_id, (m.start_date, m.end_date))
            span[m.user_id] = (min(first, m.start_date), max(last, m.end_date))
        out: dict[str, dict[int, list[Logged]]] = {
            "runs": defaultdict(list),
            "checkins": defaultdict(list),
        }
        if spans["runs"]:
            in_spans = _within(runs, spans["runs"])
            efforts: dict[int, dict[int, float]] = defaultdict(dict)
            if any(m.metric == "fastest" for m in members):
                tracked = (
                    select(run_efforts.c.run_id, run_efforts.c.distance_m, run_efforts.c.seconds)
                    .join(runs, runs.c.id == run_efforts.c.run_id)
                    .where(in_spans)
                )
                for run_id, meters, seconds in await self.conn.execute(tracked):
                    efforts[run_id][meters] = seconds
            found = await self.conn.execute(
                select(runs.c.id, runs.c.user_id, runs.c.local_date)
                .add_columns(runs.c.distance_m, runs.c.duration_s, runs.c.elevation_gain_m)
                .where(in_spans)
            )
            for r in found:
                out["runs"][r.user_id].append(
                    Logged(
                        r.id,
                        r.local_date,
                        distance_m=r.distance_m,
                        duration_s=r.duration_s,
                        climb_m=r.elevation_gain_m or 0.0,
                        efforts=efforts.get(r.id, {}),
                    )
                )
        if spans["checkins"]:
            found = await self.conn.execute(
                select(checkins.c.id, checkins.c.user_id, checkins.c.local_date)
                .add_columns(checkins.c.habit, checkins.c.hours)
                .where(_within(checkins, spans["checkins"]))
            )
            for c in found:
                out["checkins"][c.user_id].append(
                    Logged(c.id, c.local_date, habit=c.habit, hours=c.hours)
                )
        return out


def _within(table: Any, spans: dict[int, tuple[date, date]]) -> Any:
    """Rows of these runners dated inside each one's span (one span for all when they agree)."""
    if len(set(spans.values())) == 1:
        [(first, last)] = set(spans.values())
        return and_(table.c.user_id.in_(sorted(spans)), table.c.local_date.between(first, last))
    return or_(
        *(
            and_(table.c.user_id == user_id, table.c.local_date.between(first, last))
            for user_id, (first, last) in sorted(spans.items())
        )
    )
