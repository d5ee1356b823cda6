"""What sport a file says it records, in the words a runner uses for it."""

from __future__ import annotations

from bot.errors import BadInput

# Words in a sport's name (FIT enum names, TCX Sport, GPX <type>, any case) that say run.
RUN_WORDS = ("run", "jog", "lauf", "treadmill", "trail", "course", "hardlopen", "corsa")
# Names that say nothing: decided from how the file moved, or asked.
UNKNOWN = frozenset({"", "generic", "other", "unknown", "all", "activity", "sport", "none"})
# Other sports, by a word in their name, as the refusal names them.
OTHER_SPORTS = (
    (("cycl", "bik", "ride", "velo", "rad", "mtb", "gravel"), "a ride"),
    (("swim", "pool", "schwimm", "natation"), "a swim"),
    (("ski", "langlauf"), "skiing"),
    (("snowboard",), "snowboarding"),
    (("paddl", "sup", "kayak", "canoe", "kanu"), "paddling"),
    (("row", "rudern"), "rowing"),
    (("hik", "wander"), "a hike"),
    (("walk", "gehen", "marche"), "a walk"),
    (("skat", "inline"), "skating"),
    (("elliptic", "stair", "climb", "fitness", "strength", "training", "yoga", "cardio"), ""),
)


def sport_name(sport: str) -> str:
    """How a refusal names a sport that is not running ("a ride"), or ``""`` for a run."""
    name = sport.strip().lower().replace("_", " ")
    if name in UNKNOWN or name.isdigit():
        return ""
    if any(word in name for word in RUN_WORDS) and "ski" not in name:
        return ""
    for words, called in OTHER_SPORTS:
        if any(word in name for word in words):
            return called or f"a {name} session"
    return f"{name}"


def is_unknown(sport: str, kind: str = "fit") -> bool:
    """True when the file does not say which sport it records.

    A FIT sport is one of the protocol's names, so any other name is a sport. A GPX
    ``<type>`` is free text (OpenTracks writes the category the runner typed, such as
    "Morning loop"): a name with no word of a run or another sport says nothing.
    """
    name = sport.strip().lower()
    if name in UNKNOWN or name.isdigit():
        return True
    return kind != "fit" and not _names_a_sport(name.replace("_", " "))


def _names_a_sport(name: str) -> bool:
    """True when a lower-case name holds a word of running or of another sport."""
    return any(word in name for word in RUN_WORDS) or any(
        word in name for words, _ in OTHER_SPORTS for word in words
    )


def check_sport(sport: str, kind: str) -> bool:
    """Refuse a file that declares another sport; True when it says run, False when it
    does not say.

    Checked before the file's movement, so an indoor ride of 0 m is named a ride, not
    "no movement".
    """
    unknown = is_unknown(sport, kind)
    called = "" if unknown else sport_name(sport)
    if called:
        raise BadInput(
            f"This {kind.upper()} file is {called} ({sport.strip()}), not a run. "
            "Nothing was saved.",
            hint="Pacer logs runs only.",
        )
    return not unknown


def check_unnamed_speed(kind: str, speed: float) -> None:
    """Refuse a file that names no sport and moves at a bike's speed (``speed``: the
    average moving speed in m/s)."""
    if speed > 1000 / 150:
        raise BadInput(
            f"This {kind.upper()} file doesn't say what sport it is, and it moves at "
            f"{speed * 3.6:.0f} km/h on average: speeds only a bike makes, so it looks like "
            "a ride, not a run. Nothing was saved.",
            hint="Pacer logs runs only.",
        )
