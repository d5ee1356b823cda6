"""Every table, declared once (SQLAlchemy Core), and the column types that convert values.

Instants are aware UTC ``datetime`` above storage. On SQLite they are kept as
the ISO strings earlier releases wrote (``2026-11-26T09:30:00+00:00``), which
sort in time order; on PostgreSQL as ``timestamptz``. Local dates are ``date``;
wall-clock times stay ``"HH:MM"`` strings (a local time has no instant);
weekday sets are tuples of weekday numbers, stored as ``"mon,wed,sat"``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot.models import WEEKDAYS

metadata = MetaData()


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows where ``where`` holds, on SQLite and PostgreSQL alike."""
    return Index(
        name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where)
    )


# Personal data (what /export gathers and /forget removes): every column that holds a
# runner's identity carries one of these. "delete": the row goes when its runner forgets;
# "anonymize": the row stays (frozen challenge results) with these columns set to NULL.
# Integer columns so marked hold an internal user id and say whose row it is; a text
# column says so with "match": "user_target" ("user:12"). Other marked text columns
# (names, platform ids, keys) are data of the row. See bot/storage/personal.py.
PERSONAL_DELETE: dict[str, str] = {"personal": "delete"}
PERSONAL_ANONYMIZE: dict[str, str] = {"personal": "anonymize"}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant: ISO text on SQLite (as earlier releases stored it), timestamptz else."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Text on SQLite, a real timestamp with time zone elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Aware datetimes only; UTC ISO text on SQLite."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached storage")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.isoformat(timespec="seconds")
        return value.replace(microsecond=0)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Back to an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:  # never written so, but old hand-made rows may be
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Weekdays(TypeDecorator[tuple[int, ...]]):
    """A set of weekdays (Monday = 0) as ``"mon,wed,sat"``; empty string for none."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: tuple[int, ...] | None, dialect: Dialect) -> Any:
        """Weekday numbers to their names."""
        return ",".join(WEEKDAYS[d] for d in sorted(set(value or ())))

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[int, ...]:
        """Names back to sorted weekday numbers (unknown names are ignored)."""
        names = str(value or "").split(",")
        return tuple(sorted({WEEKDAYS.index(n) for n in names if n in WEEKDAYS}))


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, info=PERSONAL_DELETE),
    Column("display_name", Text, nullable=False, server_default="", info=PERSONAL_DELETE),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("units", Text, nullable=False, server_default="km"),
    Column("run_days", Weekdays, nullable=False, server_default=""),
    Column("run_time", Text),
    Column("bedtime", Text),
    Column("target_bedtime", Text),
    Column("wake_time", Text),
    Column("quiet_start", Text),
    Column("quiet_end", Text),
    Column("nudge_platform", Text),
    Column("onboarding_step", Text),
    Column("onboarded_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    # The latest unbroken block of weeks with a run (Mondays); NULL: work it out again.
    Column("streak_since", Date),
    Column("streak_last", Date),
    # The open set-up question was already recalled under another command's reply.
    Column("onboarding_reminded", Boolean, nullable=False, server_default=false()),
    # /settings boards hidden: shown as "a runner" on club boards (numbers still count).
    Column("boards_hidden", Boolean, nullable=False, server_default=false()),
    # The last day any challenge they joined can still count a log (NULL: none): /log
    # looks for standings only until then, so a runner in no challenge costs no read.
    Column("challenges_until", Date),
    # /settings feed on: their runs go to the feeds of their clubs that have one.
    Column("feed", Boolean, nullable=False, server_default=false()),
    CheckConstraint("units IN ('km', 'mi')", name="users_units"),
)

identities = Table(
    "identities",
    metadata,
    Column("platform", Text, primary_key=True),
    Column("platform_user_id", Text, primary_key=True, info=PERSONAL_DELETE),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("display_name", Text, nullable=False, server_default="", info=PERSONAL_DELETE),
    Column("unreachable_since", UtcDateTime),
    Column("unreachable_told", Boolean, nullable=False, server_default=false()),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Index("identities_user", "user_id"),
)

runs = Table(
    "runs",
    metadata,
    # AUTOINCREMENT on SQLite: run ids are shown to runners and never handed out twice.
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("local_date", Date, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("source_key", Text, unique=True, info=PERSONAL_DELETE),  # "platform:user:msg"
    Column("created_at", UtcDateTime, nullable=False),
    Column("fuel_due_at", UtcDateTime),  # the snack nudge; NULL once written out, or none
    # A run from a file (migration 0005): its kind, content hash and Strava id (each
    # unique per runner), start, elapsed time (duration_s is the moving time), climb.
    Column("source_file", Text),
    Column("file_sha256", Text, info={"personal": "delete"}),
    Column("strava_id", Text, info={"personal": "delete"}),
    Column("started_at", UtcDateTime),
    Column("elapsed_s", Integer),
    Column("elevation_gain_m", Float),
    CheckConstraint("distance_m > 0", name="runs_distance"),
    CheckConstraint("duration_s > 0", name="runs_duration"),
    # Covering: a member's challenge tally in a window is summed from the index alone.
    Index("runs_user_date", "user_id", "local_date", "distance_m", "duration_s", "id"),
    # Unique per runner among the runs that carry a value (migration 0009): a typed run
    # has neither, and writes no entry into these.
    partial_index(
        "runs_user_file",
        "user_id",
        "file_sha256",
        unique=True,
        where="file_sha256 IS NOT NULL",
    ),
    partial_index(
        "runs_user_strava",
        "user_id",
        "strava_id",
        unique=True,
        where="strava_id IS NOT NULL",
    ),
    partial_index(
        "runs_fuel_due",
        "fuel_due_at",
        where="fuel_due_at IS NOT NULL",
    ),
    sqlite_autoincrement=True,
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("habit", Text, nullable=False),
    Column("local_date", Date, nullable=False),
    Column("kind", Text, nullable=False, server_default=""),
    Column("hours", Float),
    Column("bedtime", Text),
    Column("seconds", Integer),
    Column("sets", Integer),
    Column("reps", Integer),
    Column("load", Float),
    Column("load_unit", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("source_key", Text, unique=True, info=PERSONAL_DELETE),  # "platform:user:msg"
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("habit IN ('sleep', 'mobility', 'strength', 'fuel')", name="checkins_habit"),
    Index("checkins_user_habit_date", "user_id", "habit", "local_date"),
)

handled_messages = Table(
    "handled_messages",
    metadata,
    Column("source_key", Text, primary_key=True, info=PERSONAL_DELETE),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("reply", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

link_codes = Table(
    "link_codes",
    metadata,
    Column("code", Text, primary_key=True, info=PERSONAL_DELETE),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("expires_at", UtcDateTime, nullable=False),
)

nudge_prefs = Table(
    "nudge_prefs",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info=PERSONAL_DELETE,
    ),
    Column("wind_down_lead", Integer, nullable=False, server_default=text("30")),
    Column("pre_run_lead", Integer, nullable=False, server_default=text("10")),
    Column("fuel_delay", Integer, nullable=False, server_default=text("20")),
    Column("bedtime_step", Integer, nullable=False, server_default=text("15")),
    Column("plan_first_step", Integer, nullable=False, server_default=text("30")),
    Column("plan_start", Date),
    Column("plan_from", Text),
    Column("plan_source", Text),
    Column("plan_target", Text),
    Column("strength_days", Weekdays, nullable=False, server_default=""),
    Column("strength_time", Text),
    Column("race_date", Date),
    Column("race_name", Text, nullable=False, server_default=""),
    Column("paused_until", Date),
    # /pause <date> injured|ill|rest: the pause freezes streaks from this day (kept after).
    Column("paused_since", Date),
    Column("pause_reason", Text, nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=False),
)

nudge_schedules = Table(
    "nudge_schedules",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info=PERSONAL_DELETE,
    ),
    Column("kind", Text, primary_key=True),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("local_time", Text),
    Column("days", Weekdays, nullable=False, server_default=""),
    Column("occurrence", Date),  # anchor local date of next_due_utc
    Column("next_due_utc", UtcDateTime),
    Column("skip_date", Date),
    Column("updated_at", UtcDateTime, nullable=False),
    partial_index(
        "nudge_schedules_due",
        "next_due_utc",
        where="next_due_utc IS NOT NULL",
    ),
)

nudge_oneoffs = Table(
    "nudge_oneoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("kind", Text, nullable=False),
    Column("occurrence", Text, nullable=False),  # "run:42", "2026-11-26~z1"
    Column("anchor", Date, nullable=False),
    Column("due_utc", UtcDateTime, nullable=False),
    Column("run_id", Integer),
    Column("since_utc", UtcDateTime),
    Column("state", Text, nullable=False, server_default="pending"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("replaced_by", Integer),
    UniqueConstraint("user_id", "kind", "occurrence"),
    CheckConstraint("state IN ('pending', 'claimed', 'cancelled')", name="oneoffs_state"),
    partial_index(
        "nudge_oneoffs_due",
        "due_utc",
        where="state = 'pending'",
    ),
    partial_index(
        "nudge_oneoffs_run",
        "user_id",
        "run_id",
        where="run_id IS NOT NULL",
    ),
)

# Every scheduled message, DM or group post: one row per (target, kind, occurrence),
# whose unique key means no occurrence is ever sent twice. A row is written `due`
# (ahead of time, or when a schedule fires), `claimed` by one process under a lease,
# `sending` just before the request, then `sent`, `skipped`, `failed`, `unreachable`
# or `expired`. Claimed-but-never-tried rows go back to `due` after a crash or stop.
DELIVERY_STATES = (
    "due",
    "claimed",
    "sending",
    "sent",
    "skipped",
    "failed",
    "unreachable",
    "expired",
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    # "user:12" (a runner's DM) or "chat:telegram:-100"
    Column("target", Text, nullable=False, info=PERSONAL_DELETE | {"match": "user_target"}),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), info=PERSONAL_DELETE),
    Column("kind", Text, nullable=False),
    Column("occurrence", Text, nullable=False),
    Column("anchor", Date),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("platform", Text),
    # platform user id for a DM, chat or channel id for a post
    Column("chat_id", Text, info=PERSONAL_DELETE),
    Column("claimed_at", UtcDateTime),
    Column("lease_until", UtcDateTime),
    Column("sending_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("answered_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("payload", Text, nullable=False, server_default=""),  # JSON for group posts
    # The fence: who holds the claim and which claim it is. Marking sending and recording
    # the outcome require both, so a process whose lease lapsed never sends a row
    # someone else took back (migration 0015).
    Column("owner", Text),
    Column("epoch", Integer, nullable=False, server_default=text("0")),
    UniqueConstraint("target", "kind", "occurrence", name="deliveries_once"),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATES) + ")",
        name="deliveries_status",
    ),
    partial_index(
        "deliveries_due",
        "due_at",
        where="status = 'due'",
    ),
    # The claim reads a platform's first due rows in this order: a top-N index scan.
    partial_index(
        "deliveries_claim",
        "platform",
        "due_at",
        "id",
        where="status = 'due'",
    ),
    partial_index(
        "deliveries_open",
        "lease_until",
        where="status IN ('claimed', 'sending')",
    ),
    Index("deliveries_user", "user_id", "kind", "anchor"),
)

# The weekly digest a runner opted into (no row: off): the local weekday and time, and
# the next due instant (indexed for the sweep) with the local date it belongs to.
digests = Table(
    "digests",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info={"personal": "delete"},
    ),
    Column("weekday", Integer, nullable=False),  # 0 = Monday
    Column("local_time", Text, nullable=False),  # "HH:MM"
    Column("occurrence", Date),
    Column("next_due_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="digests_weekday"),
    partial_index(
        "digests_due",
        "next_due_at",
        where="next_due_at IS NOT NULL",
    ),
)

# The fastest stretch of each standard distance inside a run's track (migration 0005).
run_efforts = Table(
    "run_efforts",
    metadata,
    Column(
        "run_id",
        Integer,
        ForeignKey("runs.id", ondelete="CASCADE"),
        primary_key=True,
        info={"personal": "delete"},
    ),
    Column("distance_m", Integer, primary_key=True),
    Column("seconds", Float, nullable=False),
)

# A club: one Discord server or Telegram group (or a console club), created on first use.
clubs = Table(
    "clubs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", Text, nullable=False),
    Column("chat_id", Text, nullable=False),  # Telegram group id, Discord server id
    Column("name", Text, nullable=False, server_default=""),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("post_every", Text, nullable=False, server_default="weekly"),  # daily|weekly|off
    Column("post_day", Integer, nullable=False, server_default=text("6")),  # weekly: 0 = Monday
    Column("post_time", Text, nullable=False, server_default="18:00"),
    Column("post_channel", Text),  # Discord: where posts go (NULL: where created)
    Column("posts_paused_at", UtcDateTime),  # the group removed the bot / channel gone
    Column("paused_reason", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("units", Text, nullable=False, server_default="km"),  # posts, the create reply
    Column("feed", Boolean, nullable=False, server_default=false()),  # /club feed on
    UniqueConstraint("platform", "chat_id", name="clubs_chat"),
    CheckConstraint("post_every IN ('daily', 'weekly', 'off')", name="clubs_post_every"),
)

challenges = Table(
    "challenges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("metric", Text, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),  # the last day counted (inclusive)
    Column("target", Float),  # metres, seconds or a count; personal unless team
    Column("effort_m", Integer),  # fastest: the standard distance efforts are over
    Column("day_min_m", Float),  # streak: the least that counts as a day with a run
    Column("team", Boolean, nullable=False, server_default=false()),
    Column("channel", Text, nullable=False),  # the chat it was created in (posts go there)
    Column("ended_at", UtcDateTime),  # ended early by /challenge end
    Column("frozen_at", UtcDateTime),  # results stored in challenge_results
    Column("created_at", UtcDateTime, nullable=False),
    Column("planned_end", Date),  # the end it had before /challenge end ended it early
    Column("posted_board", Text, nullable=False, server_default=""),  # the last board posted
    Index("challenges_club", "club_id", "end_date"),
    Index("challenges_open", "frozen_at"),
)

challenge_members = Table(
    "challenge_members",
    metadata,
    Column(
        "challenge_id",
        Integer,
        ForeignKey("challenges.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info={"personal": "delete"},
    ),
    Column("joined_at", UtcDateTime, nullable=False, info={"personal": "delete"}),
    # The member's tally in the challenge's window and the id of the log it was reached by
    # (who got there first), kept by the unit of work (storage/challenge_counts.py).
    Column("value", Float, nullable=False, server_default=text("0")),
    Column("reached", Integer),
    Index("challenge_members_user", "user_id"),
)
# The board's order, so a board reads its members in order from the index alone.
Index(
    "challenge_members_board",
    challenge_members.c.challenge_id,
    challenge_members.c.value.desc(),
    challenge_members.c.reached,
    challenge_members.c.joined_at,
    challenge_members.c.user_id,
)

# Frozen results: kept when a runner leaves; /forget blanks the runner ("former member").
challenge_results = Table(
    "challenge_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "challenge_id", Integer, ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False
    ),
    Column("rank", Integer, nullable=False),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"personal": "anonymize"},
    ),
    Column("display_name", Text, info={"personal": "anonymize"}),  # as shown when frozen
    Column("value", Float, nullable=False),
    Column("position", Integer, nullable=False),  # order on the board (ties: who was first)
    Index("challenge_results_challenge", "challenge_id", "position"),
    Index("challenge_results_user", "user_id"),
)

# The Discord command schema last uploaded, per "<application id>/<scope>": a start
# (in any process, on any machine) uploads again only when the schema changed.
synced_commands = Table(
    "synced_commands",
    metadata,
    Column("scope", Text, primary_key=True),
    Column("digest", Text, nullable=False),
    Column("synced_at", UtcDateTime, nullable=False),
)

# A member's 👏 under a club-mate's run: once per member per run (migration 0013).
run_kudos = Table(
    "run_kudos",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info=PERSONAL_DELETE,
    ),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("run_kudos_club", "club_id", "created_at"),
    Index("run_kudos_user", "user_id"),
)

# Runners who took part in a club: joined a challenge, cheered, or logged in its chat.
club_members = Table(
    "club_members",
    metadata,
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info=PERSONAL_DELETE,
    ),
    Column("joined_at", UtcDateTime, nullable=False),
    Index("club_members_user", "user_id"),
)

# Every window of /pause <date> injured|ill|rest: streaks neither grow nor break in it.
streak_pauses = Table(
    "streak_pauses",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info=PERSONAL_DELETE,
    ),
    Column("since", Date, primary_key=True),
    Column("until", Date, nullable=False),  # the day nudges resume (not frozen itself)
    Column("reason", Text, nullable=False),
)

# A file that did not say its sport, waiting for the runner's one-tap answer (migration
# 0016): the run read from it (JSON, the figures the answer logs; never the file's
# bytes) and the note sent with it. Kept 30 minutes, so a restart or another process
# answers the tap; the daily clean-up removes what nobody answered. Answered (0017), it
# keeps when and the run a "yes" logged (NULL for "no") 30 minutes more, so a second
# tap says what the first did.
file_questions = Table(
    "file_questions",
    metadata,
    Column("token", Text, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        info=PERSONAL_DELETE,
    ),
    Column("run_file", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime),
    Column("run_id", Integer),  # not a foreign key: the answer stays what happened
    Index("file_questions_user", "user_id"),
    Index("file_questions_expires", "expires_at"),
)
