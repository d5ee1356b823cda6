"""The docs against the code: every command, option and setting documented, nothing invented.

The one command list (``bot/core/commands.py``), ``.env.example`` and the command line
(``bot/__main__.py``) are the truth; README.md and docs/*.md must name all of it and
nothing else. The README's tour is replayed through the real console chat.
"""

from __future__ import annotations

import asyncio
import io
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleAdapter
from bot.__main__ import build_parser, main
from bot.core.commands import COMMANDS, CommandSpec, OptionType, public_commands
from bot.core.texts import CONSOLE_ENDINGS
from tests.fakes import Harness

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = (
    "runners.md",
    "clubs.md",
    "your-data.md",
    "operating.md",
    "architecture.md",
    "PERFORMANCE.md",
)
DOCS = (README, *(ROOT / "docs" / page for page in PAGES))
# Words after a slash that are not Pacer's commands, and why.
NOT_PACER = {
    "km": "a pace unit (5:00 /km)",
    "mi": "a pace unit (8:00 /mi)",
    "k": "a pace unit after a clock time (08:30 /k is no start)",
    "mile": "a pace unit after a clock time (08:30 /mile is no start)",
    "healthz": "an HTTP path of the health server",
    "readyz": "an HTTP path of the health server",
    "metrics": "an HTTP path of the health server",
    "newbot": "BotFather's",
    "setdescription": "BotFather's",
    "setabouttext": "BotFather's",
    "setuserpic": "BotFather's",
    "setprivacy": "BotFather's",
    "setjoingroups": "BotFather's",
    "setcommands": "BotFather's",
}
# The console chat's own words, read by adapters/console/chat.py before the core sees them.
CONSOLE_ONLY = ("quit", "exit")  # the console chat ends on these (tests/console)
_SLASH_WORD = re.compile(r"(?<![\w/.:<>-])/([a-z][a-z_]*)\b(?![/.\w-])")
_SETTING = re.compile(r"\b(DATABASE_URL|LOG_LEVEL|(?:PACER|TELEGRAM|DISCORD)_[A-Z_]+)\b")
_ROW = re.compile(r"^\| `(/[^`]+)` \|(.*)$", re.MULTILINE)


def text_of(path: Path) -> str:
    """A doc's text."""
    return path.read_text(encoding="utf-8")


def all_docs() -> str:
    """Every doc's text, one after the other."""
    return "\n".join(text_of(path) for path in DOCS)


def command_rows() -> list[tuple[str, str, Path]]:
    """Rows of the command tables (headed ``| command |``): (the usage, the row, the page)."""
    rows = []
    for path in DOCS:
        header = ""
        for line in text_of(path).splitlines():
            if not line.startswith("|"):
                header = ""
            elif not header:
                header = line
            elif header.startswith("| command |") and (match := _ROW.match(line)):
                rows.append((match.group(1).replace("\\|", "|"), line, path))
    return rows


def env_example() -> list[str]:
    """The settings .env.example lists."""
    lines = text_of(ROOT / ".env.example").splitlines()
    return [line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)]


def test_every_page_exists() -> None:
    """The README and one page per reader."""
    assert [path.name for path in DOCS if not path.is_file()] == []


def test_the_readme_is_short() -> None:
    """A newcomer reads it in minutes; everything else lives in docs/."""
    assert len(text_of(README).splitlines()) <= 200


def test_every_command_has_exactly_one_row_with_its_usage() -> None:
    """One row per command, named as /help names it, so the docs cannot drift from the list."""
    usages = [usage for usage, _, _ in command_rows()]
    for spec in public_commands():
        assert usages.count(spec.usage) == 1, f"{spec.usage!r}: {usages.count(spec.usage)} rows"


def test_no_row_names_a_command_that_does_not_exist() -> None:
    """Every command row is the usage of a published command."""
    known = {spec.usage for spec in public_commands()}
    unknown = [(usage, path.name) for usage, _, path in command_rows() if usage not in known]
    assert unknown == []


def spec_row(spec: CommandSpec) -> str:
    """The one table row of a command."""
    return next(row for usage, row, _ in command_rows() if usage == spec.usage)


@pytest.mark.parametrize("spec", public_commands(), ids=lambda spec: spec.name)
def test_every_option_of_a_command_is_in_its_row(spec: CommandSpec) -> None:
    """Options the usage line leaves out (long choice lists, files) are in the row's words."""
    row = spec_row(spec)
    for option in spec.options:
        if option.type is OptionType.ATTACHMENT:
            assert f"`{option.name}`" in row, f"/{spec.name}: the {option.name} option"
        for choice in option.choices:
            # Typed text takes hyphenated choices with spaces (side plank).
            assert choice in row or choice.replace("-", " ") in row, f"/{spec.name}: {choice}"


def test_hidden_commands_are_documented_with_their_answers() -> None:
    """The buttons' own command (/nudge) is explained where buttons are."""
    docs = all_docs()
    for spec in COMMANDS:
        if spec.hidden:
            assert f"/{spec.name} " in docs
            for option in spec.options:
                for choice in option.choices:
                    assert choice in docs, f"/{spec.name} {choice}"


def test_every_slash_word_in_the_docs_is_a_command() -> None:
    """No doc names a /command Pacer does not have."""
    names = {spec.name.split()[0] for spec in COMMANDS}
    assert set(CONSOLE_ONLY) <= set(CONSOLE_ENDINGS), "the console no longer ends on these"
    unknown = set()
    for path in DOCS:
        for match in _SLASH_WORD.finditer(text_of(path)):
            word = match.group(1)
            if word not in names and word not in NOT_PACER and word not in CONSOLE_ONLY:
                unknown.add((word, path.name))
    assert unknown == set()


def test_every_subcommand_named_in_the_docs_exists() -> None:
    """``/challenge join`` and ``/club posts`` are real; a made-up subcommand is caught."""
    groups = {spec.name.split()[0] for spec in COMMANDS if " " in spec.name}
    names = {spec.name for spec in COMMANDS}
    pattern = re.compile(rf"(?<![\w/])/({'|'.join(groups)}) ([a-z_]+)")
    wrong = set()
    for path in DOCS:
        for match in pattern.finditer(text_of(path)):
            if f"{match.group(1)} {match.group(2)}" not in names:
                wrong.add((match.group(0), path.name))
    assert wrong == set()


def test_every_setting_is_documented_and_no_other() -> None:
    """Each setting of .env.example is in docs/operating.md; no doc names one that is not."""
    settings = set(env_example())
    operating = text_of(ROOT / "docs" / "operating.md")
    assert [name for name in sorted(settings) if f"`{name}`" not in operating] == []
    named = {match.group(1) for match in _SETTING.finditer(all_docs())}
    assert named - settings == set()


def test_env_example_lists_what_pacer_reads() -> None:
    """The settings the code reads are exactly the ones .env.example lists."""
    config = text_of(ROOT / "bot" / "config.py")
    read = set(re.findall(r'g\("([A-Z_]+)"\)', config))
    # The test suite reads its own (tests/databases.py).
    assert "PACER_TEST_DATABASE_URL" in text_of(ROOT / "tests" / "databases.py")
    read.add("PACER_TEST_DATABASE_URL")
    assert read == set(env_example())


def test_the_test_databases_are_named_in_the_docs() -> None:
    """Whoever runs the suite learns which databases it makes on the server, and keeps."""
    for path in (README, ROOT / "docs" / "operating.md"):
        text = " ".join(text_of(path).split())
        assert "PACER_TEST_DATABASE_URL" in text
        assert "`test_gw0`" in text and "stay for the next run" in text, path.name


def make_targets() -> set[str]:
    """The Makefile's targets."""
    makefile = text_of(ROOT / "Makefile")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))


def test_the_readmes_make_commands_exist() -> None:
    """``make run`` and ``make test`` (and any other make line in the docs) are targets."""
    readme = text_of(README)
    assert "make run " in readme and "make test " in readme
    used = {match.group(1) for match in re.finditer(r"\bmake ([a-z][a-z-]*)", all_docs())}
    assert used <= make_targets(), used - make_targets()


def console_arguments() -> list[list[str]]:
    """Every ``make run ARGS=...`` and ``pacer``/``python -m bot`` option list in the docs."""
    found = []
    for match in re.finditer(r"make run ARGS=('[^']*'|\"[^\"]*\")", all_docs()):
        found.append(shlex.split(shlex.split(match.group(1))[0]))
    for match in re.finditer(r"(?:bin/pacer|-m bot|`pacer) (--[^`\n;)]*)", all_docs()):
        found.append(shlex.split(match.group(1).replace("[", "").replace("]", "")))
    return found


def test_the_console_options_in_the_docs_exist() -> None:
    """``--club "Run Club"``, ``--user bob --member``: parsed by the real command line."""
    arguments = console_arguments()
    assert ["--club", "Run Club"] in arguments
    parser = build_parser()
    for args in arguments:
        if args != ["--help"]:  # --help exits; its own test reads it
            _, unknown = parser.parse_known_args(args)
            assert unknown == [], args


SUBCOMMANDS = ("db upgrade", "import-strava", "discord-sync")


def test_pacer_help_is_plain_text_with_every_subcommand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pacer --help`` lists the bot's options and every subcommand main() dispatches."""
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert "``" not in shown and "python -m bot" not in shown.split("\n")[2]
    for option in ("--user", "--db", "--club", "--member"):
        assert option in shown
    source = text_of(ROOT / "bot" / "__main__.py")
    dispatched = {" ".join(words) for words in _dispatched(source)}
    assert dispatched == set(SUBCOMMANDS)
    for sub in SUBCOMMANDS:
        assert f"pacer {sub}" in shown


def _dispatched(source: str) -> list[list[str]]:
    """The subcommands main() recognises: ``argv[:2] == ["db", "upgrade"]``."""
    return [
        re.findall(r'"([^"]+)"', match.group(1))
        for match in re.finditer(r"argv\[:\d\] == \[([^\]]+)\]", source)
    ]


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_each_subcommand_has_help_and_is_documented(
    sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pacer db upgrade --help`` and the others answer, and docs/operating.md lists them."""
    with pytest.raises(SystemExit) as exit_:
        main([*sub.split(), "--help"])
    assert exit_.value.code == 0
    assert f"usage: pacer {sub}" in capsys.readouterr().out
    assert f"`pacer {sub}" in text_of(ROOT / "docs" / "operating.md")


def tour_blocks() -> list[list[str]]:
    """The README's console transcripts: code blocks that start with ``$ make run``."""
    blocks = re.findall(r"```\n(\$ make run.*?)```", text_of(README), re.DOTALL)
    return [block.rstrip("\n").split("\n") for block in blocks]


def matches(expected: list[str], shown: list[str]) -> bool:
    """Whether ``shown`` is ``expected`` line for line, a ``...`` line standing for any lines."""
    if not expected:
        return True
    if expected[0] == "...":
        return any(matches(expected[1:], shown[i:]) for i in range(len(shown) + 1))
    return bool(shown) and shown[0] == expected[0] and matches(expected[1:], shown[1:])


async def replay(harness: Harness, block: list[str]) -> list[str]:
    """Type a transcript's lines into the real console chat; what it printed."""
    make_line = shlex.split(block[0][2:])
    args = shlex.split(make_line[2].removeprefix("ARGS=")) if len(make_line) > 2 else []
    options = build_parser().parse_args(args)
    typed = "".join(line[2:] + "\n" for line in block if line.startswith("> "))
    out = io.StringIO()
    done = asyncio.Event()
    chat = ConsoleAdapter(
        harness.core,
        options.user or "ana",
        done.set,
        io.StringIO(typed),
        out,
        club=options.club or "",
        member=options.member,
    )
    await chat.start()
    await asyncio.wait_for(done.wait(), 30)
    await chat.stop()
    return out.getvalue().rstrip("\n").split("\n")


async def test_the_readme_tour_runs_as_written(harness: Harness) -> None:
    """Each tour command is real and answers what the README shows (on the tour's day)."""
    harness.clock.set(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    blocks = tour_blocks()
    assert len(blocks) == 2
    for block in blocks:
        for line in block:
            if line.startswith("> /"):
                name, _, rest = line[3:].partition(" ")
                sub = rest.split(" ", 1)[0]
                assert f"{name} {sub}" in {s.name for s in COMMANDS} or any(
                    s.name == name for s in public_commands()
                ), line
        expected = [line for line in block[1:] if not line.startswith("> ")]
        shown = await replay(harness, block)
        assert matches([*expected, "..."], shown), "\n".join(shown)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")


def test_every_link_between_the_docs_lands() -> None:
    """Relative links name a file that exists and, after ``#``, one of its headings."""
    broken = []
    for path in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", text_of(path)):
            if "://" in target:
                continue
            file, _, fragment = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.append((path.name, target))
            elif fragment and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", text_of(linked), re.MULTILINE)
                if fragment not in {anchor(h) for h in headings}:
                    broken.append((path.name, target))
    assert broken == []
