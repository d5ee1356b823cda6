"""The one command list. Every adapter renders its commands from here.

A command is declared once: name, description, typed options, who may run it
and where. Discord turns it into slash commands, Telegram into
``CommandHandler``s and ``set_my_commands``, the console into its help.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.challenge_metrics import METRICS
from bot.clubs.challenge_input import parse_create_text
from bot.dates import DAY_WORD, RUN_DAY_FORMS
from bot.models import REST_REASONS
from bot.services.runs import EDITABLE
from bot.services.stats import PERIODS


class OptionType(enum.Enum):
    """The value type of an option, as platforms with typed options see it."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    ATTACHMENT = "attachment"  # a file sent with the command (Incoming.attachments)
    CHANNEL = "channel"  # a channel of the server (Discord); typed as <#id> or an id elsewhere


class Scope(enum.Enum):
    """Where a command may be used."""

    ANY = "any"
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One typed option of a command.

    ``pattern`` (a regex) marks an optional positional option that is only
    taken from typed text when the next word matches it, so ``/log 5k 25:00
    great run`` leaves ``when`` empty and puts "great run" in the note.
    ``rest`` options take all remaining text. ``autocomplete`` names a
    suggestion source the core can answer (``timezone``, ``my_runs``).
    """

    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    rest: bool = False
    autocomplete: str | None = None
    # Required unless this other option is given (``/log`` needs a distance, or a file).
    unless: str | None = None
    # Words that are not choices but deserve their own answer (``/edit 12 pace``).
    not_choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""  # what a number counts, said with its bounds: "at most 30 minutes"
    # What the command needs when it is left out, said as a sentence ("/pause needs the day
    # to resume"); by default "a"/"an" and the name: "/log needs a distance".
    needed: str = ""

    def __post_init__(self) -> None:
        if not self.needed:
            name = self.name.replace("_", " ")
            object.__setattr__(self, "needed", f"{'an' if name[0] in 'aeiou' else 'a'} {name}")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command as every platform sees it."""

    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()
    scope: Scope = Scope.ANY
    admin_only: bool = False
    hidden: bool = False
    # The answer carries personal data (sleep, notes, settings): outside a private
    # chat only the runner may see it (ephemeral on Discord, a DM on Telegram).
    private_reply: bool = False
    examples: tuple[str, ...] = ()
    help: str = ""
    # Typed text read by a command's own reader (multi-word names) instead of left to right.
    text_parser: Callable[[str], dict[str, str]] | None = None
    text_usage: str = ""  # the usage line, when the typed form differs from the options

    @property
    def usage(self) -> str:
        """A one-line usage string such as ``/log <distance> <duration> [when] [note]``."""
        if self.text_usage:
            return self.text_usage
        parts = [f"/{self.name}"]
        for opt in self.options:
            if opt.type is OptionType.ATTACHMENT:
                continue  # sent, not typed: the command's help says how
            label = "|".join(opt.choices) if 0 < len(opt.choices) <= 4 else opt.name
            parts.append(f"<{label}>" if opt.required else f"[{label}]")
        return " ".join(parts)

    def option(self, name: str) -> OptionSpec:
        """The option called ``name``."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)


MAX_SUGGESTIONS = 25  # choices offered while an option is typed (Discord shows 25)
_TIME = r"^\d{1,2}([:.h]\d{2})?$|^\d{1,2}(:\d{2})?\s?(am|pm)$|^\d{4}$"
# Anything that looks like a date is the date (refused if unreadable), never the note.
_WHEN = DAY_WORD
_NOT_A_DAY = r"^(?!" + DAY_WORD.removeprefix("^") + ")"  # a word left for the day option
_UNIT_WORDS = ("km", "k", "mi", "mile", "miles", "m", "meters", "metres")

STRENGTH_EXERCISES = (
    "plank",
    "side-plank",
    "reverse-plank",
    "plank-with-movement",
    "deadlift",
)
SETTINGS_ITEMS = (
    "timezone",
    "units",
    "run_days",
    "run_time",
    "bedtime",
    "target_bedtime",
    "wake_time",
    "quiet_hours",
    "nudges",
    "strength_days",
    "strength_time",
    "wind_down_lead",
    "pre_run_lead",
    "fuel_delay",
    "digest",
    "boards",
    "feed",
)
CHARTS = ("distance", "habits")
_CHECKIN_DAY = "today (default), yesterday, a weekday or a date, up to a week back"
_DATE = (
    r"^(\d{4}-\d{2}-\d{2}|off|none|clear|today|tomorrow|mon|tue|wed|thu|fri|sat|sun|monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday)$"
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "start",
        "Set up Pacer: time zone, units, run days, sleep and strength times",
        private_reply=True,
        options=(
            OptionSpec("timezone", "Your time zone, e.g. Europe/Berlin", autocomplete="timezone"),
            OptionSpec("units", "Distance units", choices=("km", "mi")),
            OptionSpec("run_days", "Usual run days, e.g. mon,wed,sat"),
            OptionSpec("run_time", "Usual run time, e.g. 07:00"),
            OptionSpec("bedtime", "Your usual bedtime now, e.g. 23:45"),
            OptionSpec("target_bedtime", "The bedtime you are aiming for, e.g. 22:45"),
            OptionSpec("wake_time", "When you usually wake up, e.g. 06:30"),
            OptionSpec("strength_days", "Days for a short strength session, e.g. tue,fri"),
            OptionSpec("strength_time", "Time of the strength session, e.g. 18:30"),
        ),
        help="With no options it asks one question at a time; every answer can be changed "
        "later with /settings.",
    ),
    CommandSpec(
        "log",
        "Log a run",
        options=(
            OptionSpec(
                "distance",
                "Distance: 5k, 5.2km, 3.1mi, 10000m, half, marathon",
                required=True,
                unless="file",
            ),
            OptionSpec("duration", "Time: 25:00, 1:05:30, 45m, 1h5m", required=True, unless="file"),
            OptionSpec(
                "when",
                RUN_DAY_FORMS,
                pattern=_WHEN,
            ),
            OptionSpec("note", "A note about the run", rest=True, max_length=500),
            OptionSpec(
                "file",
                "A GPX, FIT or TCX file from your watch, instead of distance and time",
                type=OptionType.ATTACHMENT,
            ),
        ),
        examples=(
            "/log 5k 25:00",
            "/log 10.5km 58:10 yesterday hilly",
            "/log half 1:52:00 sat",
            "/log 8k 42:30 yesterday 07:15 easy",
        ),
        help="A start time follows the day (yesterday 07:15, mon 6:30pm; alone: today) and is "
        "written with am/pm or as HH:MM with two-digit hours (07:15, 18:30); a bare 4:50, or a "
        "time followed by a pace word (pace, per, /km, /mi, min/mi), is never a start but the "
        "note. "
        "Or send the run's GPX, FIT or TCX file (up to 20 MB): as a document on Telegram "
        "(its caption is the note), the file option on Discord, /log file <path> [note] in the "
        "console (the path ends at its closing quote, or at the first words that name a file). "
        "Pacer reads distance, moving time, start, climb and best efforts from it.",
    ),
    CommandSpec(
        "again",
        "Log a run once more (the button under a run typed twice)",
        hidden=True,
        options=(
            OptionSpec(
                "run_id",
                "The run to log again",
                type=OptionType.INTEGER,
                required=True,
                min_value=1,
            ),
        ),
    ),
    CommandSpec(
        "runs",
        "List your recent runs",
        private_reply=True,
        options=(
            OptionSpec(
                "count", "How many (default 10)", type=OptionType.INTEGER, min_value=1, max_value=50
            ),
        ),
    ),
    CommandSpec("undo", "Delete the last run you logged", private_reply=True),
    CommandSpec(
        "delete",
        "Delete one of your runs by its id",
        private_reply=True,
        options=(
            OptionSpec(
                "run_id",
                "The run id shown by /runs",
                type=OptionType.INTEGER,
                required=True,
                min_value=1,
                autocomplete="my_runs",
            ),
        ),
        examples=("/delete 12",),
    ),
    CommandSpec(
        "slept",
        "Check in last night's sleep",
        private_reply=True,
        options=(
            OptionSpec("hours", "Hours slept: 7.5, 7h20", required=True, needed="hours"),
            OptionSpec("bedtime", "When you went to bed, e.g. 23:10", pattern=_TIME),
            OptionSpec("day", "The morning you woke up: " + _CHECKIN_DAY, pattern=_WHEN),
        ),
        examples=("/slept 7.5", "/slept 7h20 23:10", "/slept 7.5 yesterday"),
    ),
    CommandSpec(
        "mobility",
        "Check in a hip mobility session",
        options=(
            OptionSpec(
                "when", "Before or after the run", choices=("pre", "post"), pattern=_NOT_A_DAY
            ),
            OptionSpec("day", _CHECKIN_DAY, pattern=_WHEN),
        ),
        examples=("/mobility pre", "/mobility post", "/mobility pre yesterday"),
    ),
    CommandSpec(
        "strength",
        "Check in a strength session",
        options=(
            OptionSpec("exercise", "What you did", required=True, choices=STRENGTH_EXERCISES),
            OptionSpec(
                "detail",
                "Plank: seconds held (60). Deadlift: sets x reps and load (3x6 60kg)",
                rest=True,
            ),
            OptionSpec("day", _CHECKIN_DAY, pattern=_WHEN),
        ),
        examples=(
            "/strength plank 60",
            "/strength side plank 45",
            "/strength deadlift 3x6 60kg",
            "/strength plank 60 yesterday",
        ),
    ),
    CommandSpec(
        "fuel",
        "Check in your post-run snack",
        options=(
            OptionSpec("what", "What you ate (optional)", rest=True, max_length=200),
            OptionSpec("day", _CHECKIN_DAY, pattern=_WHEN),
        ),
        examples=("/fuel", "/fuel banana and yoghurt", "/fuel yesterday banana"),
    ),
    CommandSpec(
        "week",
        "This week (or an earlier one): runs and the four habits, with streaks",
        private_reply=True,
        options=(OptionSpec("when", "last, or a day of the week to show: 2026-11-16, mon"),),
        examples=("/week", "/week last", "/week 2026-11-16"),
    ),
    CommandSpec(
        "settings",
        "Show your settings, or change one",
        private_reply=True,
        options=(
            OptionSpec("item", "What to change", choices=SETTINGS_ITEMS),
            OptionSpec("value", "The new value", rest=True, autocomplete="setting_value"),
        ),
        examples=(
            "/settings",
            "/settings timezone America/New_York",
            "/settings units mi",
            "/settings run_days mon,wed,sat",
        ),
    ),
    CommandSpec(
        "bedtime",
        "Your bedtime plan: this week's bedtime, the target, weeks to go",
        private_reply=True,
        options=(
            OptionSpec(
                "step",
                "Change the weekly step, in minutes (5-30)",
                type=OptionType.INTEGER,
                min_value=5,
                max_value=30,
                unit="minutes",
            ),
        ),
        examples=("/bedtime", "/bedtime 20"),
        help="Set your usual bedtime and the one you aim for with /settings bedtime 23:45 and "
        "/settings target_bedtime 22:45. The first week moves 30 minutes at most.",
    ),
    CommandSpec(
        "race",
        "Set a goal race; sleep nudges step up in its last two weeks",
        private_reply=True,
        options=(
            OptionSpec("date", "Race day, e.g. 2027-04-12, or off", pattern=_DATE),
            OptionSpec("name", "The race's name", rest=True, max_length=60),
        ),
        examples=("/race", "/race 2027-04-12 Berlin Half", "/race off"),
    ),
    CommandSpec(
        "nudges",
        "Your nudges: when the next ones come; turn kinds on or off; send a test",
        private_reply=True,
        options=(
            OptionSpec("action", "on, off or test", choices=("on", "off", "test")),
            OptionSpec(
                "kind",
                "Which nudge: wind_down, sleep_checkin, pre_run_mobility, post_run_fuel, strength",
                autocomplete="nudge_kind",
            ),
        ),
        examples=("/nudges", "/nudges off strength", "/nudges on fuel", "/nudges test"),
    ),
    CommandSpec(
        "pause",
        "Pause every nudge until a date (injury, holiday); injured, ill or rest freezes streaks",
        private_reply=True,
        options=(
            OptionSpec(
                "until",
                "The day nudges resume, e.g. 2026-12-24; off resumes now",
                required=True,
                needed="the day to resume",
            ),
            OptionSpec(
                "reason",
                "injured, ill or rest: your streaks are frozen until then too",
                choices=REST_REASONS,
            ),
        ),
        examples=("/pause 2026-12-24", "/pause 2026-12-24 injured", "/pause off"),
        help="With a reason (injured, ill, rest) every streak (runs, sleep, mobility, fuel, "
        "strength) neither grows nor breaks until that date; /week and /stats say so.",
    ),
    CommandSpec(
        "nudge",
        "Answer a nudge (its buttons use this)",
        private_reply=True,
        options=(
            OptionSpec(
                "answer",
                "What to do",
                required=True,
                choices=("done", "skip", "snooze", "stop", "start"),
            ),
            OptionSpec("target", "The nudge id, or a kind for stop/start", required=True),
            OptionSpec("duration", "Snooze for", choices=("20m", "1h", "tomorrow")),
        ),
        hidden=True,
    ),
    CommandSpec(
        "link",
        "Join this account with your Pacer account on another platform",
        private_reply=True,
        options=(OptionSpec("code", "The code that /link gave you on your other account"),),
        scope=Scope.PRIVATE,
        examples=("/link", "/link K7P2QX"),
        help="Send /link on the account that has your history, then /link <code> from the "
        "other account within 15 minutes. The account that made the code keeps its "
        "settings; the other account's runs and check-ins move over.",
    ),
    CommandSpec(
        "stats",
        "Your progress: totals, averages, longest run, best efforts, habits, with a chart",
        private_reply=True,
        options=(OptionSpec("period", "week, month (default), year or all", choices=PERIODS),),
        examples=("/stats", "/stats year", "/stats all"),
        help="The chart shows your weekly distance over the last 12 weeks beside the nights "
        "of 7 h or more in each week.",
    ),
    CommandSpec(
        "chart",
        "A picture: weekly distance and sleep, or the habit calendar",
        private_reply=True,
        options=(OptionSpec("which", "distance (default) or habits", choices=CHARTS),),
        examples=("/chart", "/chart habits"),
        help="distance: the last 12 weeks' distance beside the good-sleep nights of each "
        "week. habits: the last 8 weeks x sleep, mobility, strength and fuel.",
    ),
    CommandSpec(
        "edit",
        "Correct one of your runs: distance, time, date, note or climb",
        private_reply=True,
        options=(
            OptionSpec(
                "run_id",
                "The run id shown by /runs",
                type=OptionType.INTEGER,
                required=True,
                min_value=1,
                autocomplete="my_runs",
            ),
            OptionSpec(
                "field",
                "What to correct",
                required=True,
                choices=EDITABLE,
                not_choices=(
                    (
                        "pace",
                        "The pace follows from the distance and the time: correct one of "
                        "those (/edit 12 time 52:10).",
                    ),
                ),
            ),
            OptionSpec("value", "The right value (empty note: clears it)", rest=True),
        ),
        examples=(
            "/edit 12 distance 10.2km",
            "/edit 12 time 52:10",
            "/edit 12 date yesterday",
            "/edit 12 climb 120m",
        ),
        # Five fields: named in the usage all the same (they are what can be corrected).
        text_usage="/edit <run_id> <distance|time|date|note|climb> [value]",
    ),
    CommandSpec(
        "help",
        "How to use Pacer",
        options=(OptionSpec("command", "A command to explain", rest=True, autocomplete="command"),),
        examples=("/help log", "/help challenge", "/help challenge create", "/help club"),
    ),
    CommandSpec(
        "import",
        "Bring in your Strava history: attach the export ZIP (or its activities.csv)",
        scope=Scope.PRIVATE,
        private_reply=True,
        options=(
            OptionSpec("source", "Where from", choices=("strava",), required=True),
            OptionSpec(
                "file",
                "Strava's export ZIP, or the activities.csv inside it (up to 20 MB)",
                type=OptionType.ATTACHMENT,
            ),
        ),
        examples=("/import strava",),
        help="In a private chat, send the ZIP Strava emails you (Settings > My Account > "
        "Download or Delete Your Account > Request Your Archive) with /import strava as its "
        "caption on Telegram, in the file option on Discord, /import strava <path> in the "
        "console. Over 20 MB? Send activities.csv from inside it alone. Runs only; running "
        "it again adds nothing twice.",
    ),
    CommandSpec(
        "export",
        "Everything Pacer holds about you, as a ZIP of CSV and JSON (sent privately)",
        private_reply=True,
        help="Runs, check-ins, settings, nudge history and every linked account, one CSV "
        "per table plus one JSON file and a README. In a group it goes to your private chat.",
    ),
    CommandSpec(
        "forget",
        "Delete everything Pacer holds about you, on every linked account",
        private_reply=True,
        options=(
            OptionSpec("answer", "confirm or cancel", choices=("confirm", "cancel")),
            OptionSpec("code", "The confirmation code /forget showed you", max_length=12),
        ),
        examples=("/forget", "/forget confirm K7P2QX"),
        help="Asks first: press the button, or type the code it shows, within 10 minutes. "
        "Frozen challenge results stay as an anonymous 'former member'.",
    ),
)


_CHALLENGE_NAME = "The challenge's name"
_EFFORT_CHOICES = ("1k", "5k", "10k", "half")
_WEEKDAY = r"^[a-z]+$"  # a word, not a time: read (or refused) as a weekday by the service
CLUB_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "club show",
        "This club: time zone, board posts, challenges",
        scope=Scope.GROUP,
        examples=("/club",),
    ),
    CommandSpec(
        "club timezone",
        "Set the club's time zone (days of posts and results)",
        options=(
            OptionSpec(
                "zone", "The time zone, e.g. Europe/Berlin", required=True, autocomplete="timezone"
            ),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/club timezone Europe/Berlin",),
    ),
    CommandSpec(
        "club posts",
        "When the board is posted: daily, weekly or off",
        options=(
            OptionSpec(
                "every",
                "How often",
                required=True,
                choices=("daily", "weekly", "off"),
                needed="how often",
            ),
            OptionSpec("day", "Weekly posts: the day, e.g. sun", pattern=_WEEKDAY),
            OptionSpec("time", "Time of day in the club's zone, e.g. 18:00"),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/club posts daily 18:00", "/club posts weekly sun 18:00", "/club posts off"),
    ),
    CommandSpec(
        "club units",
        "The units of the club's posts and the create reply: km or mi",
        options=(
            OptionSpec("units", "km or mi", required=True, choices=("km", "mi"), needed="units"),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/club units mi",),
        help="Boards and standing lines stay in each reader's own units (/settings units).",
    ),
    CommandSpec(
        "club feed",
        "Post members' runs here as they are logged (members opt in): on or off",
        options=(
            OptionSpec(
                "switch", "on or off", required=True, choices=("on", "off"), needed="on or off"
            ),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/club feed on", "/club feed off"),
        help="Off by default. Only members who also say /settings feed on are posted: "
        "distance, time and pace, never a note or sleep, with a 👏 button.",
    ),
    CommandSpec(
        "club channel",
        "Discord: the channel club posts go to",
        options=(
            OptionSpec(
                "channel", "Where posts go, e.g. #runs", type=OptionType.CHANNEL, required=True
            ),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/club channel #runs",),
    ),
    CommandSpec(
        "challenge list",
        "This club's active and recent challenges",
        scope=Scope.GROUP,
    ),
    CommandSpec(
        "challenge create",
        "Start a club challenge (admins)",
        options=(
            OptionSpec("name", "The challenge's name (up to 40 characters)", required=True),
            OptionSpec("metric", "What counts", required=True, choices=METRICS),
            OptionSpec("start", "today, tomorrow, a weekday or a date", required=True),
            OptionSpec("end", "A date (2026-12-31) or a length (7d, 4w)", required=True),
            OptionSpec("target", "Each member's target (or the team's): 100km, 20h, 1000m, 12"),
            OptionSpec("team", "One goal summed over members", choices=("yes", "no")),
            OptionSpec("over", "fastest: over 1k, 5k, 10k or half", choices=_EFFORT_CHOICES),
            OptionSpec("min", "streak: the least a day's runs must go (1.6km)"),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        text_parser=parse_create_text,
        text_usage="/challenge create <name> <metric> <start> <end> [target <amount>] [team]",
        examples=(
            "/challenge create Winter Miles distance today 4w target 100km",
            "/challenge create Club Marathon distance 2026-12-01 2026-12-31 target 500km team",
            "/challenge create Sleep Week sleep tomorrow 7d",
            "/challenge create Hill Month climb today 4w target 1000m",
            "/challenge create Fast Five fastest 5k today 4w",
            "/challenge create Run Streak streak min 1.6km today 30d",
        ),
        help="Metrics: distance, time (moving time), runs, days (days with a run), sleep "
        "(nights of 7 h or more), mobility, strength (sessions), fuel (post-run snacks), "
        "climb (elevation gain), longest (the longest run), fastest 1k|5k|10k|half (the "
        "fastest effort, lowest first), streak [min <distance>] (most days in a row with a "
        "run).",
    ),
    CommandSpec(
        "challenge join",
        "Join a club challenge",
        options=(
            OptionSpec("name", _CHALLENGE_NAME, required=True, rest=True, autocomplete="challenge"),
        ),
        scope=Scope.GROUP,
        examples=("/challenge join Winter Miles",),
    ),
    CommandSpec(
        "challenge leave",
        "Leave a club challenge",
        options=(
            OptionSpec("name", _CHALLENGE_NAME, required=True, rest=True, autocomplete="challenge"),
        ),
        scope=Scope.GROUP,
    ),
    CommandSpec(
        "challenge board",
        "A challenge's board (the only active one without a name)",
        options=(OptionSpec("name", _CHALLENGE_NAME, rest=True, autocomplete="challenge"),),
        scope=Scope.GROUP,
    ),
    CommandSpec(
        "challenge end",
        "End a challenge now, with results (admins; asks first)",
        options=(
            OptionSpec("name", _CHALLENGE_NAME, required=True, rest=True, autocomplete="challenge"),
        ),
        scope=Scope.GROUP,
        admin_only=True,
        examples=("/challenge end Winter Miles",),
        help="Asks first: tap End it to end now (the results keep the planned end date).",
    ),
    CommandSpec(
        "kudos",
        "Cheer a club-mate's run (the 👏 button uses this)",
        options=(
            OptionSpec(
                "run_id",
                "The run to cheer",
                type=OptionType.INTEGER,
                required=True,
                min_value=1,
            ),
        ),
        scope=Scope.GROUP,
        hidden=True,
    ),
)
COMMANDS = COMMANDS + CLUB_COMMANDS

_BY_NAME = {spec.name: spec for spec in COMMANDS}


def resolve_subcommand(command: str, text: str) -> tuple[str, str]:
    """``/challenge join Winter Miles`` -> (``challenge join``, ``Winter Miles``).

    A group typed alone (``/club``) is its first command; an unknown command is
    left as it is (the caller explains).
    """
    if command in _BY_NAME or not command:
        return command, text
    sub, _, rest = text.strip().partition(" ")
    joined = f"{command} {sub.lower()}"
    if sub and joined in _BY_NAME:
        return joined, rest.strip()
    if not sub:
        first = next((c.name for c in COMMANDS if c.name.startswith(command + " ")), None)
        if first is not None:
            return first, ""
    return command, text


def is_group(command: str) -> bool:
    """Whether ``command`` is the first word of grouped commands (``challenge``)."""
    return any(c.name.startswith(command + " ") for c in COMMANDS)


def find_command(name: str) -> CommandSpec | None:
    """The command called ``name`` (without slash), if any."""
    return _BY_NAME.get(name)


def public_commands() -> tuple[CommandSpec, ...]:
    """Commands that adapters should publish to users."""
    return tuple(c for c in COMMANDS if not c.hidden)


def split_text(spec: CommandSpec, text: str) -> dict[str, str]:
    """Assign typed words to a command's options, left to right.

    Knows two conveniences of typed text: a number and its unit written apart
    (``5 km``) and multi-word choices (``side plank`` for ``side-plank``).
    """
    if spec.text_parser is not None:
        return spec.text_parser(text)
    words = text.split()
    values: dict[str, str] = {}
    i = 0
    for opt in spec.options:
        if i >= len(words):
            break
        if opt.rest:
            values[opt.name] = " ".join(words[i:])
            i = len(words)
            break
        if opt.choices:
            taken = _match_choice(opt.choices, words, i)
            if taken:
                values[opt.name], i = taken
                continue
        word = words[i]
        if opt.pattern is not None and not re.match(opt.pattern, word, re.IGNORECASE):
            if opt.required:
                values[opt.name] = word
                i += 1
            continue
        if (
            opt.name == "distance"
            and i + 1 < len(words)
            and words[i + 1].lower() in _UNIT_WORDS
            and re.fullmatch(r"[-+]?\d+(\.\d+)?", word)
        ):
            word = word + words[i + 1]
            i += 1
        if opt.name == "duration":
            word, i = _duration_words(words, i)
        values[opt.name] = word
        i += 1
    if i < len(words):
        # Extra words with nowhere to go are kept so the handler can refuse them.
        values["_extra"] = " ".join(words[i:])
    return values


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TIME_UNIT = re.compile(
    r"(?:hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec|s)", re.IGNORECASE
)
_NUMBER_UNIT = re.compile(rf"(?:{_NUMBER.pattern}{_TIME_UNIT.pattern})+", re.IGNORECASE)


def _duration_words(words: list[str], i: int) -> tuple[str, int]:
    """A time written in words (``25 min``, ``1 h 5 min``, ``1h 5min``): joined, and where
    it ends. ``25:00`` and anything else stay one word."""
    if not (_NUMBER.fullmatch(words[i]) or _NUMBER_UNIT.fullmatch(words[i])):
        return words[i], i
    j = i
    wants_unit = _NUMBER.fullmatch(words[i]) is not None
    while j + 1 < len(words):
        nxt = words[j + 1]
        if wants_unit and _TIME_UNIT.fullmatch(nxt):
            wants_unit = False
        elif not wants_unit and _NUMBER_UNIT.fullmatch(nxt):
            pass
        elif (
            not wants_unit
            and _NUMBER.fullmatch(nxt)
            and j + 2 < len(words)
            and _TIME_UNIT.fullmatch(words[j + 2])
        ):
            wants_unit = True
        else:
            break
        j += 1
    return "".join(words[i : j + 1]), j


def _match_choice(choices: tuple[str, ...], words: list[str], i: int) -> tuple[str, int] | None:
    """Match the longest choice at ``words[i:]``, accepting spaces for hyphens."""
    best: tuple[str, int] | None = None
    for choice in choices:
        parts = choice.split("-")
        n = len(parts)
        candidate = [w.lower() for w in words[i : i + n]]
        if candidate == parts or (n == 1 and words[i].lower() == choice):
            if best is None or n > best[1] - i:
                best = (choice, i + n)
        elif n > 1 and words[i].lower() == choice:
            best = best or (choice, i + 1)
    return best
