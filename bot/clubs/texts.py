"""Every word of clubs, challenges, boards, the run feed and kudos, in one place.

How boards, standings, club posts and the run feed read; the answers to ``/club``, ``/challenge``,
``/kudos``, ``/settings boards`` and ``/settings feed``; and the refusals the club
services raise (functions that return the error, so the service only says ``raise``).
Pure functions of the models. What admins may type is checked by ``challenge_input.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.challenge_metrics import CHALLENGE_METRICS, reached_target
from bot.errors import BadInput, NotAllowed, NotFound
from bot.messages import Button
from bot.models import Board, Challenge, Club, Run, Standing
from bot.parsing import (
    FEET_PER_METRE,
    distance_number,
    format_distance,
    format_duration,
    format_pace,
)
from bot.runfiles import EFFORT_NAMES
from bot.storage.club_feed import CheeredRun

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


# --- the club posts (bot/clubs/posts.py) and the run feed (bot/clubs/feed.py) ------------------

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


def feed_post(runner: str, hidden: bool, run: Run, units: str, today: date) -> str:
    """A run in a club's feed (distance, time and pace; never the note)."""
    when = "today" if run.local_date >= today else f"{run.local_date:%a %d %b}"
    return (
        f"🏃 {'A runner' if hidden else runner} ran "
        f"{format_distance(run.distance_m, units)} in {format_duration(run.duration_s)} "
        f"({format_pace(run.distance_m, run.duration_s, units)}) · {when}"
    )


# --- answers to the club commands (built by ChallengeService, ClubFeedService, the handlers)


def timezone_set(name: str, warning: str) -> str:
    """The answer to ``/club timezone``."""
    reply = f"Club time zone set to {name}: posts and the final results follow its days."
    return reply + (f"\n{warning}" if warning else "")


POSTS_OFF = "Board posts are off. Start and final posts still come."


def posts_set(club: Club, every: str, post_day: int, post_time: str) -> str:
    """The answer to ``/club posts daily|weekly ...`` (``club`` as it was before)."""
    when = (
        f"every day at {post_time}"
        if every == "daily"
        else f"every {day_name(post_day)} at {post_time}"
    )
    resumed = " Posts resume." if club.posts_paused_at is not None else ""
    return f"I'll post the board {when} ({club.timezone}).{resumed}"


def units_set(units: str) -> str:
    """The answer to ``/club units``."""
    return (
        f"Club posts use {units} from now on. Boards and standing lines stay in each "
        "reader's own units (/settings units)."
    )


def channel_set(channel: str) -> str:
    """The answer to ``/club channel``."""
    return f"Club posts go to <#{channel}> from now on."


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


def runner_in_group(name: str, hidden: bool) -> str:
    """A runner as a group reads them in a reply: their display name, or "A runner" for one
    who hides on boards (or has no name)."""
    return "A runner" if hidden or not name else name


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


def left_text(challenge: Challenge) -> str:
    """The answer to ``/challenge leave``."""
    return f"You left {challenge.name}."


def created_text(challenge: Challenge, units: str) -> str:
    """The answer to ``/challenge create``: the announcement, and its creator asked to join."""
    # The creator is asked too: a board without its creator on it surprises them.
    return announcement(challenge, units) + "\nYou started it: join too?"


def zones_note(user_zone: str, club_zone: str) -> str:
    """Under a board whose viewer lives in another zone than the club."""
    return (
        f"\nDays: each run counts on its runner's own date (yours: {user_zone}); "
        f"posts and the final freeze follow the club's zone, {club_zone}."
    )


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


# /settings boards and /settings feed: the runner's two switches (set by services.profile).
BOARDS_NAME = "Boards"
BOARDS_HINT = "/settings boards hidden shows you as 'a runner' on club boards."
FEED_NAME = "The feed"
FEED_HINT = "/settings feed on posts your runs in your clubs that have a feed."
BOARDS_HIDDEN = "Club boards show you as 'a runner' from now on; your numbers still count."
BOARDS_SHOWN = "Club boards show your name again."
RUNNER_FEED_OFF = "Your runs stay out of club feeds from now on."
RUNNER_FEED_ON = (
    "Your runs go to the feeds of your clubs that have one (/club feed on), as you "
    "log them: distance, time and pace, never a note or sleep. /settings feed off "
    "stops it."
)
CLUB_FEED_OFF = "The run feed is off: no runs are posted here any more."


def club_feed_on(where: str) -> str:
    """The answer to ``/club feed on`` (``where``: `` in <#channel>`` on Discord)."""
    return (
        f"The run feed is on{where}: runs of members who say /settings feed on are posted "
        "as they are logged (distance, time and pace; never a note or sleep), with a 👏 "
        "button."
    )


KUDOS_RUN_GONE = "I can't find that run in this club any more."
KUDOS_OWN_RUN = "That's your own run: cheers are for club-mates. 🙂"
KUDOS_AGAIN = "You cheered this run already."


def cheered_text(name: str, distance_m: float, units: str, count: int) -> str:
    """The answer to a 👏 press."""
    others = f" ({count} cheers so far)" if count > 1 else ""
    return f"👏 You cheered {name}'s {format_distance(distance_m, units)}{others}."


# --- refusals (raised by ChallengeService and ClubFeedService) --------------------------------


def posts_how_often() -> BadInput:
    """``/club posts`` without daily, weekly or off."""
    return BadInput(
        "How often should I post the board?",
        hint="/club posts daily 18:00, /club posts weekly sun 18:00 or /club posts off",
    )


def unexpected_after_off(rest: list[str]) -> BadInput:
    """``/club posts off`` followed by more words."""
    return BadInput(f"I didn't expect '{' '.join(rest)}' after off.")


def unexpected_there(extra: list[str]) -> BadInput:
    """``/club posts`` with words past the day and time."""
    return BadInput(f"I didn't expect '{' '.join(extra)}' there.")


def posts_which_day() -> BadInput:
    """``/club posts weekly`` without a weekday."""
    return BadInput("Which day of the week?", hint="For example: /club posts weekly sun 18:00")


def channel_not_here() -> BadInput:
    """``/club channel`` outside Discord."""
    return BadInput("Posts go to this group itself; a channel is a Discord setting.")


def channel_unreadable(text: str) -> BadInput:
    """``/club channel`` with something that is not a channel."""
    return BadInput(f"I can't read '{text}' as a channel.", hint="Pick one: /club channel #runs")


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
