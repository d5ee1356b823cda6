"""How the club posts read (sent by ``bot/clubs/posts.py``): the start post, the last day's
post, the week's most cheered run and the final results.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.challenge_metrics import reached_target
from bot.clubs.texts.amounts import amount
from bot.clubs.texts.boards import board_text, shown_name
from bot.clubs.texts.challenges import announcement
from bot.models import Board, Challenge
from bot.parsing import format_distance
from bot.storage.club_feed import CheeredRun

WINNERS = 3


def starting_today(challenge: Challenge, units: str) -> str:
    """The start post."""
    return "Starting today! " + announcement(challenge, units)


def last_day(
    challenge: Challenge, until: datetime, zone: str, board: Board, units: str, today: date
) -> str:
    """The last day's post: late logs count until the freeze (``until``, the club's time)."""
    return (
        f"⏰ Last day of {challenge.name}! Log today's runs and check-ins; late logs count "
        f"until {until:%a %d %b %H:%M} ({zone}).\n\n" + board_text(board, None, units, today)
    )


def kudos_text(cheered: CheeredRun, units: str) -> str:
    """``👏 Most cheered this week: Ann's 12.0 km on Tue 01 Dec (3 cheers)``."""
    run = cheered.run
    name = "a runner" if cheered.hidden else cheered.runner
    count = f"{cheered.cheers} cheer{'s' if cheered.cheers != 1 else ''}"
    return (
        f"👏 Most cheered this week: {name}'s {format_distance(run.distance_m, units)} on "
        f"{run.local_date:%a %d %b} ({count})"
    )


def final_text(board: Board, units: str = "km") -> str:
    """The final post: the winners, whether the team goal was reached, the full top."""
    c = board.challenge
    lines = [f"🏁 {c.name} is over!"]
    winners = [r for r in board.rows if r.rank <= WINNERS and r.value > 0]
    if winners:
        medals = {1: "🥇", 2: "🥈", 3: "🥉"}
        lines.append(
            "Winners: "
            + ", ".join(
                f"{medals[r.rank]} {shown_name(r)} {amount(c.metric, r.value, units)}"
                for r in winners
            )
        )
    else:
        lines.append("Nobody logged anything this time.")
    if c.team and c.target is not None:
        total = amount(c.metric, board.total, units)
        goal = amount(c.metric, c.target, units)
        verdict = "reached 🎉" if board.total >= c.target else "not reached"
        lines.append(f"Team goal {goal}: {total}, {verdict}.")
    elif c.target is not None:
        done = sum(1 for r in board.rows if reached_target(c, r.value))
        goal = amount(c.metric, c.target, units)
        lines.append(f"{done} of {board.members} reached the target of {goal}.")
    lines.append("")
    lines.append(board_text(board, None, units, c.end))
    return "\n".join(lines)
