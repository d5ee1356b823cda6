"""Each challenge member's tally kept by the database; boards read it in order.

``challenge_members`` gets ``value`` (the metric in the challenge's window) and
``reached`` (the latest counted run or check-in id, for ties), kept exact by triggers
on ``runs``, ``checkins``, ``challenge_members`` and ``challenges`` (SQLite triggers;
PostgreSQL plpgsql trigger functions); every existing member is counted here. The index
``challenge_members_board`` holds the board order, so a board reads its members from
it instead of aggregating their runs on every read. ``runs_date`` served only that
aggregate on PostgreSQL: dropped (one index fewer written by every run).

Frozen: the trigger SQL is built below from the tables and metric definitions as they
were at this revision (a copy of that release's ``bot/storage/tallies.py``), so later
changes to the live code never change what this migration does. Migration 0011 drops
the triggers again (the unit of work keeps the tallies since).

SQLite: adding the columns is a plain ``ALTER TABLE ADD COLUMN`` (no table rebuild).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy import ColumnElement, Update, and_, case, distinct, exists, func, or_, select
from sqlalchemy import literal_column as raw
from sqlalchemy.engine import Dialect, make_url

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tally columns, their index and triggers; count every member; drop runs_date."""
    conn = op.get_bind()
    with op.batch_alter_table("challenge_members") as batch:
        batch.add_column(
            sa.Column("value", sa.Float(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("reached", sa.Integer(), nullable=True))
    op.create_index(
        "challenge_members_board",
        "challenge_members",
        ["challenge_id", sa.text("value DESC"), "reached", "joined_at", "user_id"],
    )
    op.drop_index("runs_date", table_name="runs")
    for statement in create_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    conn.execute(recount())


def downgrade() -> None:
    """Back to boards aggregated from the runs on every read."""
    conn = op.get_bind()
    for statement in drop_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    op.create_index(
        "runs_date", "runs", ["local_date", "user_id", "distance_m", "duration_s", "id"]
    )
    op.drop_index("challenge_members_board", table_name="challenge_members")
    with op.batch_alter_table("challenge_members") as batch:
        batch.drop_column("reached")
        batch.drop_column("value")


# --- as of this revision: the tables, metrics and trigger SQL -------------------------------

METRICS = ("distance", "time", "runs", "days", "sleep", "mobility", "strength", "fuel")
RUN_METRICS = frozenset({"distance", "time", "runs", "days"})
GOOD_NIGHT_HOURS = 7.0

users = sa.table("users", sa.column("id"))
runs = sa.table(
    "runs",
    sa.column("id"),
    sa.column("user_id"),
    sa.column("local_date"),
    sa.column("distance_m"),
    sa.column("duration_s"),
)
checkins = sa.table(
    "checkins",
    sa.column("id"),
    sa.column("user_id"),
    sa.column("habit"),
    sa.column("local_date"),
    sa.column("hours"),
)
challenges = sa.table(
    "challenges",
    sa.column("id"),
    sa.column("metric"),
    sa.column("start_date"),
    sa.column("end_date"),
    sa.column("frozen_at"),
)
challenge_members = sa.table(
    "challenge_members",
    sa.column("challenge_id"),
    sa.column("user_id"),
    sa.column("value"),
    sa.column("reached"),
)

_M = challenge_members.c
_C = challenges.c
RUN_ORDER = tuple(m for m in METRICS if m in RUN_METRICS)  # a set's order varies per process
HABIT_METRICS = tuple(m for m in METRICS if m not in RUN_METRICS)


PER_DAY_METRICS = ("days", "sleep", "strength")  # each day (night) counts once


def _counted(metric: str, table: Any) -> list[ColumnElement[bool]]:
    """What a row of ``table`` (runs or check-ins, or an alias) needs to count, besides
    its runner and date."""
    if metric in RUN_METRICS:
        return []
    out: list[ColumnElement[bool]] = [table.c.habit == metric]
    if metric == "sleep":
        out.append(table.c.hours >= GOOD_NIGHT_HOURS)
    return out


def tally(metric: str, user_id: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """A runner's value of ``metric`` from ``start`` to ``end`` and when it was reached.

    Distance and time are summed; runs counted; days are distinct run days; nights
    (sleep) distinct nights of 7 h or more; strength distinct days; mobility and fuel
    each check-in. Reached: the id of the log that brought the value to what it is
    (ids grow in logging order): the latest counted one, or for the once-a-day metrics
    the latest of each day's first counted one (a second log on a day adds nothing).
    Both are scalar subqueries (the value 0 when nothing counts).
    """
    table: Any = runs if metric in RUN_METRICS else checkins
    value: Any = {
        "distance": func.sum(runs.c.distance_m),
        "time": func.sum(runs.c.duration_s),
        "runs": func.count(runs.c.id),
        "days": func.count(distinct(runs.c.local_date)),
    }.get(metric)
    if value is None:
        per_day = metric in PER_DAY_METRICS
        value = (
            func.count(distinct(checkins.c.local_date)) if per_day else func.count(checkins.c.id)
        )
    rows = and_(
        table.c.user_id == user_id,
        table.c.local_date.between(start, end),
        *_counted(metric, table),
    )
    reached = select(func.max(table.c.id)).where(rows)
    if metric in PER_DAY_METRICS:
        earlier = table.alias("earlier")
        reached = reached.where(
            ~exists(
                select(earlier.c.id).where(
                    earlier.c.user_id == table.c.user_id,
                    earlier.c.local_date == table.c.local_date,
                    earlier.c.id < table.c.id,
                    *_counted(metric, earlier),
                )
            )
        )
    return (
        select(func.coalesce(value, 0)).where(rows).scalar_subquery(),
        reached.scalar_subquery(),
    )


def recount(*where: ColumnElement[bool], metrics: tuple[str, ...] = METRICS) -> Update:
    """Work the chosen members' tallies out again from their runs and check-ins.

    ``metrics``: the only ones the chosen rows' challenges can have (a shorter statement).
    """
    window = challenges.alias("span")  # "window" is an SQLite keyword
    of_member = window.c.id == _M.challenge_id
    metric = select(window.c.metric).where(of_member).scalar_subquery()
    values, reached = {}, {}
    for name in metrics:
        value, latest = tally(name, _M.user_id, window.c.start_date, window.c.end_date)
        values[name] = value.where(of_member)
        reached[name] = latest.where(of_member)
    return (
        challenge_members.update()
        .where(*where)
        .values(value=case(values, value=metric, else_=0), reached=case(reached, value=metric))
    )


def _open_window(user_id: Any, day: Any, metric: ColumnElement[bool]) -> ColumnElement[bool]:
    """Members rows of ``user_id`` in open challenges of the metric whose window holds day."""
    holds = (
        select(_C.id)
        .where(
            _C.id == _M.challenge_id,
            _C.frozen_at.is_(None),
            metric,
            _C.start_date <= day,
            _C.end_date >= day,
        )
        .correlate(challenge_members)
    )
    return and_(_M.user_id == user_id, exists(holds))


def _run_rows(row: str) -> ColumnElement[bool]:
    return _open_window(raw(f"{row}.user_id"), raw(f"{row}.local_date"), _C.metric.in_(RUN_ORDER))


def _checkin_rows(row: str) -> ColumnElement[bool]:
    habit = _C.metric == raw(f"{row}.habit")
    return _open_window(raw(f"{row}.user_id"), raw(f"{row}.local_date"), habit)


def _member_row(row: str) -> ColumnElement[bool]:
    return and_(_M.challenge_id == raw(f"{row}.challenge_id"), _M.user_id == raw(f"{row}.user_id"))


def _challenge_rows(row: str) -> ColumnElement[bool]:
    return _M.challenge_id == raw(f"{row}.id")


class _Watch(NamedTuple):
    """A table whose writes change tallies."""

    members: Callable[[str], ColumnElement[bool]]  # the members rows a NEW/OLD row touches
    columns: tuple[str, ...]  # an UPDATE of these recounts
    both_rows: bool  # INSERT and DELETE recount too, and an UPDATE both OLD's and NEW's rows
    metrics: tuple[str, ...] = METRICS


_WATCHED = {
    "runs": _Watch(
        _run_rows, ("user_id", "local_date", "distance_m", "duration_s"), True, RUN_ORDER
    ),
    "checkins": _Watch(
        _checkin_rows, ("user_id", "habit", "local_date", "hours"), True, HABIT_METRICS
    ),
    "challenge_members": _Watch(_member_row, ("challenge_id", "user_id"), False),
    "challenges": _Watch(_challenge_rows, ("start_date", "end_date", "metric"), False),
}


def _events(table: str) -> tuple[str, ...]:
    """INSERT and DELETE for runs and check-ins; INSERT for members; UPDATE (OF columns)."""
    watch = _WATCHED[table]
    if watch.both_rows:
        return ("INSERT", "DELETE", "UPDATE")
    return ("INSERT", "UPDATE") if table == "challenge_members" else ("UPDATE",)


def _sql(stmt: Any, dialect: Dialect) -> str:
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def trigger_names(dialect_name: str) -> list[str]:
    """The names of the tally triggers (to check that they exist)."""
    if dialect_name == "postgresql":
        return [f"{table}_tally" for table in _WATCHED]
    return [f"{table}_tally_{e.lower()}" for table in _WATCHED for e in _events(table)]


def create_statements(dialect_name: str) -> list[str]:
    """The statements that create the tally triggers (and PostgreSQL's functions)."""
    if dialect_name == "postgresql":
        return _postgresql()
    return _sqlite()


def drop_statements(dialect_name: str) -> list[str]:
    """The statements that drop them again."""
    if dialect_name == "postgresql":
        out = [f"DROP TRIGGER IF EXISTS {t}_tally ON {t}" for t in _WATCHED]
        return out + [f"DROP FUNCTION IF EXISTS {t}_tally()" for t in _WATCHED]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names("sqlite")]


def _touched(table: str, event: str) -> ColumnElement[bool]:
    """The members rows one event's changed row touches."""
    watch = _WATCHED[table]
    if event == "DELETE":
        return watch.members("OLD")
    if event == "UPDATE" and watch.both_rows:
        return or_(watch.members("OLD"), watch.members("NEW"))
    return watch.members("NEW")


def _sqlite() -> list[str]:
    dialect = make_url("sqlite+aiosqlite://").get_dialect()()
    out = []
    for table, watch in _WATCHED.items():
        for event in _events(table):
            on = f"UPDATE OF {', '.join(watch.columns)}" if event == "UPDATE" else event
            body = _sql(recount(_touched(table, event), metrics=watch.metrics), dialect)
            out.append(
                f"CREATE TRIGGER {table}_tally_{event.lower()} AFTER {on} ON {table} "
                f"BEGIN {body}; END"
            )
    return out


def _runners(table: str, event: str) -> str | None:
    """The runners (``users`` ids) one event's changed row belongs to (SQL), if any."""
    if table == "challenges":
        return None  # a window changed by an admin: its members, not one runner
    rows = {"DELETE": ("OLD",), "INSERT": ("NEW",)}.get(event, ("OLD", "NEW"))
    return ", ".join(f"{row}.user_id" for row in rows)


def _postgresql() -> list[str]:
    dialect = make_url("postgresql+asyncpg://").get_dialect()()
    out = []
    for table, watch in _WATCHED.items():
        events = _events(table)
        branches = [
            f"IF TG_OP = '{event}' THEN\n"
            + _locked(_touched(table, event), watch.metrics, dialect, _runners(table, event))
            for event in events
        ]
        body = "\nELS".join(branches) + "\nEND IF;"
        out.append(
            f"CREATE OR REPLACE FUNCTION {table}_tally() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$"
        )
        on = " OR ".join(
            f"UPDATE OF {', '.join(watch.columns)}" if event == "UPDATE" else event
            for event in events
        )
        out.append(
            f"CREATE TRIGGER {table}_tally AFTER {on} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_tally()"
        )
    return out


def _locked(
    where: ColumnElement[bool], metrics: tuple[str, ...], dialect: Dialect, runners: str | None
) -> str:
    """Lock the runner, then the members rows, then recount them in a new statement.

    Read committed: an UPDATE that waited for another transaction's lock on a members
    row sees that transaction's new row version but not its runs (its snapshot is from
    before the wait). Locking first, then recounting in the next statement (a fresh
    snapshot), counts what the other transaction committed. The runner's ``users`` row
    is locked before anything else: every write that moves a runner's tallies (a run, a
    check-in, a join) then takes its turn per runner, so a join and a run of the same
    runner in two transactions cannot miss each other (the second waits, and its next
    statement sees the first), and two writers never lock members rows in two orders.
    """
    lock = select(_M.challenge_id).where(where).order_by(_M.challenge_id).with_for_update()
    recounted = _sql(recount(where, metrics=metrics), dialect)
    runner = (
        f"PERFORM 1 FROM users WHERE id IN ({runners}) ORDER BY id FOR NO KEY UPDATE;\n"
        if runners
        else ""
    )
    # Nothing locked (a runner in no open challenge of that day): no recount to plan or run.
    return (
        f"{runner}PERFORM {_sql(lock, dialect)[len('SELECT ') :]};\n"
        f"IF FOUND THEN\n{recounted};\nEND IF;"
    )
