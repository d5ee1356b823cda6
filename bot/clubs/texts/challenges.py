"""The words of ``/challenge``: a new challenge's announcement and its Join button, the
answers to ``/challenge create``, ``list``, ``join``, ``leave`` and ``end``, how a group
reads a runner, and the refusals (functions that return the error, so the service only says
``raise``). What admins may type is checked by ``bot/clubs/challenge_input.py``.
"""

from __future__ import annotations

from datetime import date

from bot.clubs.texts.amounts import amount, metric_label, target_text, when_text
from bot.clubs.texts.boards import board_text
from bot.errors import BadInput, NotAllowed, NotFound
from bot.messages import Button
from bot.models import Board, Challenge


def announcement(challenge: Challenge, units: str) -> str:
    """What a new challenge looks like, in the reply and in the start post."""
    c = challenge
    goal = target_text(c, units)
    return (
        f"🏁 {c.name}: {metric_label(c, units)}, {c.start:%a %d %b} – {c.end:%a %d %b %Y}"
        + (f", {goal}" if goal else "")
        + f".\nTap Join or type /challenge join {c.name}"
    )


def join_button(challenge: Challenge) -> tuple[tuple[Button, ...], ...]:
    """The one-tap Join (by id: a long name may not fit a button's action)."""
    return ((Button(f"🏃 Join {challenge.name}"[:64], f"/challenge join #{challenge.id}"),),)


# --- answers to /challenge (built by ChallengeService and the handlers) ------------------------


NO_CHALLENGES = "No challenges here yet. An admin starts one with /challenge create."


def listing_text(found: list[Challenge], units: str, today: date) -> str:
    """``/challenge list``: active and recent challenges, with days left."""
    if not found:
        return NO_CHALLENGES
    lines = ["Challenges:"]
    for c in found:
        extra = target_text(c, units)
        lines.append(
            f"• {c.name}: {metric_label(c, units)}, {c.start:%a %d %b} – {c.end:%a %d %b}, "
            f"{when_text(c, today)}" + (f", {extra}" if extra else "")
        )
    if any(c.frozen_at is None and c.ended_at is None and c.end >= today for c in found):
        lines.append("/challenge join <name> to take part · /challenge board <name>")
    else:  # only ended ones: nothing left to join
        lines.append("/challenge board <name> shows the results.")
    return "\n".join(lines)


HIDDEN_RUNNER = "A runner"  # a runner who hides on boards, at the start of a group's answer


def runner_in_group(name: str, hidden: bool) -> str:
    """A runner as a group reads them in a reply: their display name, or "A runner" for one
    who hides on boards (or has no name)."""
    return HIDDEN_RUNNER if hidden or not name else name


def joined_text(
    challenge: Challenge, late: bool, so_far: float, units: str, name: str, hidden: bool
) -> str:
    """The answer to ``/challenge join``, read by the whole group: it says who joined, by
    name, or "A runner" with no amount so far for one who hides on boards (a typed join
    still shows whose it is)."""
    c = challenge
    text = f"{runner_in_group(name, hidden)} is in {c.name}!"
    if late:
        text += f" Joined late: what they logged since {c.start:%a %d %b} counts too"
        text += "." if hidden else f" ({amount(c.metric, so_far, units)} so far)."
    return text


def left_text(challenge: Challenge, who: str) -> str:
    """The answer to ``/challenge leave``: in a group ``who`` says who left (as
    :func:`runner_in_group` reads them), ``You left Winter Miles.`` without one."""
    return f"{who or 'You'} left {challenge.name}."


def created_text(challenge: Challenge, units: str) -> str:
    """The answer to ``/challenge create``: the announcement, and its creator asked to join."""
    # The creator is asked too: a board without its creator on it surprises them.
    return announcement(challenge, units) + "\nYou started it: join too?"


def end_question(challenge: Challenge) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """``/challenge end <name>`` asks first; one tap ends it (the buttons carry the id)."""
    return (
        f"End {challenge.name} now? Its results become final today; the planned end "
        f"({challenge.end:%a %d %b %Y}) stays in them.",
        (
            (
                Button("🏁 End it now", f"/challenge end #{challenge.id} confirm"),
                Button("Keep it going", f"/challenge end #{challenge.id} cancel"),
            ),
        ),
    )


def end_cancelled(challenge: Challenge) -> str:
    """The answer to "Keep it going"."""
    return f"{challenge.name} goes on until {challenge.end:%a %d %b %Y}."


def ended_text(
    challenge: Challenge, board: Board, viewer: int | None, units: str, today: date, who: str
) -> str:
    """The answer to ``/challenge end`` (a tap on "End it now"): who ended it, as the group
    reads them (the tap's answer shows nobody who pressed), and the final board."""
    return f"{who} ended {challenge.name}: it is over.\n" + board_text(board, viewer, units, today)


# --- refusals (raised by ChallengeService) --------------------------------------------------


def which_metric(metrics: tuple[str, ...]) -> BadInput:
    """``/challenge create`` without a metric."""
    return BadInput(
        "Which metric does the challenge count?",
        hint=f"One of {', '.join(metrics)}. "
        "Example: /challenge create Winter Miles distance today 4w target 100km",
    )


def when_does_it_end() -> BadInput:
    """``/challenge create`` without an end."""
    return BadInput("When does it end?", hint="Give a date (2026-12-31) or a length (7d, 4w).")


def team_cannot_add(metric: str) -> BadInput:
    """A team goal over a metric that does not add up."""
    return BadInput(
        f"A team goal adds everyone's numbers up; {metric} doesn't add up.",
        hint="Give each member a target instead (leave out team).",
    )


def team_needs_target() -> BadInput:
    """A team challenge without a target."""
    return BadInput(
        "A team challenge needs a target to reach together.",
        hint="Add one: ... target 500km team",
    )


def name_taken(name: str) -> BadInput:
    """A second active challenge of one name."""
    return BadInput(
        f"This club already has an active challenge called '{name}'.",
        hint="Pick another name.",
    )


def too_many_active(most: int) -> BadInput:
    """More active challenges than a club may run."""
    return BadInput(
        f"A club can run {most} challenges at once; end one first (/challenge end <name>)."
    )


def challenge_gone() -> NotFound:
    """A Join button of a challenge that is gone."""
    return NotFound("That challenge is over or gone.", hint="/challenge list")


def no_such_challenge(name: str, live_only: bool, suggestion: str | None) -> NotFound:
    """No challenge of that name (the closest suggested)."""
    hint = f"Did you mean {suggestion}? " if suggestion else ""
    return NotFound(
        f"No {'active ' if live_only else ''}challenge here is called '{name}'.",
        hint=hint + "/challenge list shows them.",
    )


def join_too_late(challenge: Challenge) -> NotAllowed:
    """Joining a challenge past its end."""
    return NotAllowed(f"{challenge.name} has ended; you can't join it any more.")


def already_in(challenge: Challenge) -> BadInput:
    """Joining twice."""
    return BadInput(f"You're already in {challenge.name}.")


def not_in(challenge: Challenge) -> BadInput:
    """Leaving a challenge one is not in."""
    return BadInput(f"You're not in {challenge.name}.")


def no_live_challenge() -> NotFound:
    """``/challenge board`` where none is running."""
    return NotFound("No challenge is running here.", hint="/challenge list")


def which_board(live: list[Challenge]) -> BadInput:
    """``/challenge board`` without a name where several run."""
    return BadInput(
        "Which one? " + ", ".join(c.name for c in live),
        hint="/challenge board <name>",
    )


def already_over(challenge: Challenge) -> BadInput:
    """``/challenge end`` of one already over."""
    return BadInput(f"{challenge.name} is already over.", hint="/challenge list")
