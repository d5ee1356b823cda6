"""How boards, standings and club posts read. Pure functions of the models."""

from __future__ import annotations

from datetime import date

from bot.challenge_metrics import CHALLENGE_METRICS, reached_target
from bot.messages import Button
from bot.models import Board, Challenge, Club, Run, Standing
from bot.parsing import FEET_PER_METRE, distance_number, format_distance, format_duration
from bot.runfiles import EFFORT_NAMES

TOP = 10
BAR = 10
NOUNS = {
    "runs": "run",
    "days": "day",
    "sleep": "night",
    "mobility": "session",
    "strength": "session",
    "fuel": "snack",
    "streak": "day",
}
METRIC_LABELS = {
    "distance": "distance",
    "time": "moving time",
    "runs": "runs",
    "days": "days with a run",
    "sleep": "nights of 7 h or more",
    "mobility": "mobility sessions",
    "strength": "strength sessions",
    "fuel": "post-run snacks",
    "climb": "elevation gain",
    "longest": "longest run",
    "fastest": "fastest",
    "streak": "most days in a row with a run",
}


def metric_label(challenge: Challenge, units: str) -> str:
    """``distance``, ``fastest 5 km``, ``most days in a row with a run of 1.6 km or more``."""
    label = METRIC_LABELS[challenge.metric]
    if challenge.metric == "fastest":
        return f"{label} {EFFORT_NAMES.get(challenge.effort_m or 5000, '5 km')}"
    if challenge.metric == "streak" and challenge.day_min_m:
        return f"{label} of {amount('longest', challenge.day_min_m, units)} or more"
    return label


def number(value: float) -> str:
    """``42``, ``42.5``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def amount(metric: str, value: float, units: str, *, bare: bool = False) -> str:
    """A value in the viewer's units: ``42.00 km``, ``12 h 30 min``, ``3 runs``, ``4 nights``.

    Distances follow the one rule of :func:`bot.parsing.distance_number`.
    """
    if metric in ("distance", "longest"):
        return distance_number(value, units) if bare else format_distance(value, units)
    if metric == "climb":
        shown = round(value * FEET_PER_METRE if units == "mi" else value)
        return str(shown) if bare else f"{shown} {unit_of(metric, units)}"
    if metric == "fastest":
        return format_duration(round(value)) if value > 0 else "no time yet"
    if metric == "time":
        hours, minutes = divmod(round(value / 60), 60)
        if bare:
            return number(value / 3600)
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    count = round(value)
    if bare:
        return str(count)
    noun = NOUNS[metric]
    return f"{count} {noun}{'' if count == 1 else 's'}"


def unit_of(metric: str, units: str) -> str:
    """The unit after a bare amount: ``km``, ``h``, ``runs``."""
    if metric in ("distance", "longest"):
        return units
    if metric == "climb":
        return "ft" if units == "mi" else "m"
    if metric == "fastest":
        return ""
    if metric == "time":
        return "h"
    return NOUNS[metric] + "s"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bar(part: float, whole: float) -> str:
    """``▓▓▓▓░░░░░░ 42%``."""
    share = 0.0 if whole <= 0 else min(1.0, part / whole)
    filled = round(share * BAR)
    return f"{'▓' * filled}{'░' * (BAR - filled)} {round(part / whole * 100) if whole else 0}%"


def when_text(challenge: Challenge, today: date) -> str:
    """``12 days left``, ``last day``, ``starts in 3 days``, ``ended``."""
    if challenge.frozen_at is not None or today > challenge.end:
        return "ended"
    if today < challenge.start:
        ahead = (challenge.start - today).days
        return "starts tomorrow" if ahead == 1 else f"starts in {ahead} days"
    left = challenge.days_left(today)
    return "last day" if left == 1 else f"{left} days left"


def shown_name(row: Standing) -> str:
    """The name on a board: a hidden runner is "a runner", a forgotten one "former member"."""
    if row.user_id is None and row.name is None:
        return "former member"
    if row.hidden:
        return "a runner"
    return row.name or "a runner"


def target_text(challenge: Challenge, units: str) -> str:
    """``target 100.0 km each`` or ``team goal 500.0 km``."""
    if challenge.target is None:
        return ""
    goal = amount(challenge.metric, challenge.target, units)
    return f"team goal {goal}" if challenge.team else f"target {goal} each"


def board_text(board: Board, viewer: int | None, units: str, today: date) -> str:
    """The board: a heading, one line per member in rank order, the viewer's own row."""
    c = board.challenge
    head = f"🏆 {c.name} · {metric_label(c, units)} · {when_text(c, today)}"
    if board.frozen:
        head = f"🏁 {c.name} · final results · {metric_label(c, units)}"
    dates = f"{c.start:%a %d %b} – {c.end:%a %d %b %Y}"
    if c.planned_end is not None:
        dates += f" (ended early; planned until {c.planned_end:%a %d %b %Y})"
    lines = [head, dates]
    if c.target is not None and c.team:
        lines.append(
            f"Team: {amount(c.metric, board.total, units, bare=True)}/"
            f"{amount(c.metric, c.target, units, bare=True)} {unit_of(c.metric, units)} "
            f"{bar(board.total, c.target)}"
        )
    if not board.rows:
        over = board.frozen or c.ended_at is not None or today > c.end
        lines.append(
            "Nobody took part." if over else "Nobody has joined yet: /challenge join " + c.name
        )
        return "\n".join(lines)
    shown_top = [r for r in board.rows if r.position <= TOP]
    for row in shown_top:
        lines.append(_row(c, row, viewer, units))
    own = board.row_of(viewer) if viewer is not None else None
    if own is not None and own.position > TOP:
        lines.append("…")
        lines.append(_row(c, own, viewer, units))
    lines.append(f"{board.members} member{'s' if board.members != 1 else ''}")
    return "\n".join(lines)


def _row(c: Challenge, row: Standing, viewer: int | None, units: str) -> str:
    name = shown_name(row)
    if viewer is not None and row.user_id == viewer:
        name = f"{name} (you)"
    text = f"{row.rank}. {name} {amount(c.metric, row.value, units)}"
    if c.target is not None and not c.team:
        if CHALLENGE_METRICS[c.metric].ascending:  # a time to beat: met or not
            text += " ✓" if reached_target(c, row.value) else ""
        else:
            text += f" {bar(row.value, c.target)}"
    return text


def standing_line(board: Board, viewer: int, units: str) -> str | None:
    """``Winter Miles: 42/100 km, 2nd of 9`` (None when the viewer is not on the board)."""
    row = board.row_of(viewer)
    if row is None:
        return None
    c = board.challenge
    mine = amount(c.metric, row.value, units, bare=True)
    unit = unit_of(c.metric, units)
    if CHALLENGE_METRICS[c.metric].ascending:
        value = mine
        if c.target is not None:
            value += f" (target {amount(c.metric, c.target, units)})"
    elif c.target is not None and not c.team:
        value = f"{mine}/{amount(c.metric, c.target, units, bare=True)} {unit}"
    elif c.metric in NOUNS:  # ``1 day``, ``3 runs``: counted as the board counts them
        value = amount(c.metric, row.value, units)
    else:
        value = f"{mine} {unit}"
    if c.target is not None and c.team:
        total = amount(c.metric, board.total, units, bare=True)
        value += f" (team {total}/{amount(c.metric, c.target, units, bare=True)})"
    return f"{c.name}: {value}, {ordinal(row.rank)} of {board.members}"


def club_text(club: Club, challenges: list[Challenge], today: date) -> str:
    """``/club``: the club's settings and its challenges."""
    if club.post_every == "off":
        posts = "off"
    elif club.post_every == "daily":
        posts = f"daily at {club.post_time}"
    else:
        posts = f"weekly on {_DAY_NAMES[club.post_day]} at {club.post_time}"
    lines = [
        f"Club: {club.name or 'this chat'}",
        f"Time zone: {club.timezone}",
        f"Board posts: {posts}",
        f"Units of posts: {club.units}",
        f"Run feed: {'on (members who say /settings feed on)' if club.feed else 'off'}",
    ]
    if club.platform == "discord":
        where = f"<#{club.post_channel}>" if club.post_channel else "where each was created"
        lines.append(f"Posts go to: {where}")
    if club.posts_paused_at is not None:
        lines.append(
            f"Posts are paused since {club.posts_paused_at:%d %b %H:%M} UTC "
            f"({club.paused_reason}); /club posts resumes them."
        )
    live = [c for c in challenges if c.frozen_at is None]
    if live:
        lines.append("Challenges: " + ", ".join(f"{c.name} ({when_text(c, today)})" for c in live))
    else:
        lines.append("No challenges yet: an admin starts one with /challenge create.")
    return "\n".join(lines)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_name(day: int) -> str:
    """``Sunday`` for 6."""
    return _DAY_NAMES[day]


def join_button(challenge: Challenge) -> tuple[tuple[Button, ...], ...]:
    """The one-tap Join (by id: a long name may not fit a button's action)."""
    return ((Button(f"🏃 Join {challenge.name}"[:64], f"/challenge join #{challenge.id}"),),)


def cheer_button(run: Run) -> tuple[Button, ...]:
    """The 👏 under a run shown in a club: anyone there may press it (not the runner)."""
    return (Button("👏 Cheer", f"/kudos {run.id}"),)


def announcement(challenge: Challenge, units: str) -> str:
    """What a new challenge looks like, in the reply and in the start post."""
    c = challenge
    goal = target_text(c, units)
    return (
        f"🏁 {c.name}: {metric_label(c, units)}, {c.start:%a %d %b} – {c.end:%a %d %b %Y}"
        + (f", {goal}" if goal else "")
        + f".\nTap Join or type /challenge join {c.name}"
    )
