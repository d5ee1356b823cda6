"""How boards and standings read: the board of a challenge, a runner's standing line, the
note on days under a board, the name a board shows, and ``/settings boards``.

Pure functions of the models.
"""

from __future__ import annotations

from datetime import date

from bot.challenge_metrics import CHALLENGE_METRICS, reached_target
from bot.clubs.texts.amounts import NOUNS, amount, bar, metric_label, ordinal, unit_of, when_text
from bot.models import Board, Challenge, Standing

TOP = 10


def shown_name(row: Standing) -> str:
    """The name on a board: a hidden runner is "a runner", a forgotten one "former member"."""
    if row.user_id is None and row.name is None:
        return "former member"
    if row.hidden:
        return "a runner"
    return row.name or "a runner"


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


def zones_note(user_zone: str, club_zone: str) -> str:
    """Under a board whose viewer lives in another zone than the club."""
    return (
        f"\nDays: each run counts on its runner's own date (yours: {user_zone}); "
        f"posts and the final freeze follow the club's zone, {club_zone}."
    )


# /settings boards: the runner's switch to hide on boards (set by services.profile).
BOARDS_NAME = "Boards"
BOARDS_HINT = "/settings boards hidden shows you as 'a runner' on club boards."
BOARDS_HIDDEN = "Club boards show you as 'a runner' from now on; your numbers still count."
BOARDS_SHOWN = "Club boards show your name again."
