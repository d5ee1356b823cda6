"""A chat in the terminal: lines in, replies out, buttons as numbered choices."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.budget import Place
from bot.core.texts import CONSOLE_ENDINGS
from bot.errors import BadInput
from bot.input_hygiene import clean_text
from bot.messages import Attachment, Button, Incoming, Reply
from bot.ports import AdapterContext, Inbound, Messenger, TransientDeliveryError
from bot.runfiles import MAX_FILE_BYTES
from bot.runfiles.readers import read_capped, regular_file

log = logging.getLogger(__name__)

PLATFORM = "console"
FILES_DIR = Path("pacer-files")
# Buttons keep their numbers for the whole session; the oldest are forgotten past this.
KEPT_BUTTONS = 500
_BUTTON_NUMBER = re.compile(r"\[?([0-9]{1,9})\]?")
JUST_FOR_YOU = "🔒 Just for you: "


class ConsoleAdapter:
    """Reads commands from stdin and prints replies; nudges print as they fire."""

    platform = PLATFORM

    def __init__(
        self,
        core: Inbound,
        user: str,
        request_shutdown: Callable[[], None],
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        *,
        club: str = "",
        member: bool = False,
    ) -> None:
        self.core = core
        self.user = user
        # In a club the terminal is its group chat: posts to it print here. Named as
        # typed; its chat id ignores case and spacing ("run club" is "Run  Club").
        self.club = " ".join(club.split())
        self.club_id = club_key(club)
        self.member = member
        self._request_shutdown = request_shutdown
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        # Every button shown this session, by its number: an earlier reply's buttons
        # stay pressable (numbers are never reused, so "2" always means one button).
        self._buttons: dict[int, Button] = {}
        self._numbers = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._interactive = self.stdin.isatty()
        self._messenger = ConsoleMessenger(self)
        self._closed = False  # the output went away

    @property
    def messenger(self) -> Messenger:
        """Nudges are printed into the same terminal."""
        return self._messenger

    async def start(self) -> None:
        """Start reading input in the background."""
        loop = asyncio.get_running_loop()
        # A daemon thread: a blocked readline() never keeps the process alive on exit.
        thread = threading.Thread(target=self._read_lines, args=(loop,), daemon=True)
        thread.start()
        self._task = asyncio.create_task(self._serve(), name="console-chat")
        where = ""
        if self.club:
            role = "a member" if self.member else "an admin"
            where = f" in the club '{self.club}' (as {role})"
        self.write(
            f"Pacer console chat as '{self.user}'{where}. Type /help for commands, /start to "
            "set up; Ctrl-D quits."
        )
        self._prompt()

    async def stop(self) -> None:
        """Stop serving input."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _read_lines(self, loop: asyncio.AbstractEventLoop) -> None:
        # Bytes that aren't UTF-8 are read as U+FFFD instead of ending the reader.
        reconfigure = getattr(self.stdin, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")
        try:
            for line in self.stdin:
                loop.call_soon_threadsafe(self._lines.put_nowait, line)
        except Exception:  # an unreadable input must still end the chat, never hang it
            log.exception("reading the console input failed")
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                loop.call_soon_threadsafe(self._lines.put_nowait, None)

    async def _serve(self) -> None:
        while True:
            line = await self._lines.get()
            if line is None:
                # After Ctrl-D the cursor still sits behind the prompt.
                self.write(("\n" if self._interactive else "") + "Bye! Keep running.")
                self._request_shutdown()
                return
            text = line.strip()
            if text:
                if text.lower() in {f"/{word}" for word in CONSOLE_ENDINGS}:
                    self.write("Bye! Keep running.")  # at once: lines typed ahead are dropped
                    self._request_shutdown()
                    return
                try:
                    incoming = self.to_incoming(text)
                except ConsoleInputError as error:
                    self.write(str(error))
                else:
                    try:
                        reply = await self.core.handle(incoming, ConsoleNote(self.write))
                    except Exception:  # one bad line never stops the chat
                        log.exception("console line failed")
                        reply = Reply("Sorry, something went wrong on my side. Please try again.")
                    self.render(reply)
            self._prompt()

    def to_incoming(self, text: str) -> Incoming:
        """A typed line as the core sees it: a command, a button number or plain text."""
        base = Incoming(
            platform=PLATFORM,
            user_id=self.user,
            chat_id=self.club_id or PLATFORM,
            is_private=not self.club,
            is_admin=not self.member,
            display_name=self.user,
            chat_title=self.club,
        )
        number = _BUTTON_NUMBER.fullmatch(text)
        if number is not None and int(number.group(1)) in self._buttons:
            return replace(base, action=self._buttons[int(number.group(1))].action)
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            word, _, path = rest.strip().partition(" ")
            if name.lower() == "log" and word.lower() == "file":
                path, note = split_path(path)
                # The words after the path are the run's note, as a file's caption is.
                options = {"note": note} if note else {}
                return replace(
                    base, command="log", options=options, attachments=(read_local_file(path),)
                )
            if name.lower() == "import" and path.strip():
                # /import strava <path>: the export as if sent in a chat.
                path = path.strip().strip("'\"")
                return replace(
                    base, command="import", text=word, attachments=(read_local_file(path),)
                )
            return replace(base, command=name.lower(), text=rest.strip())
        return replace(base, text=text)

    def render(self, reply: Reply, heading: str = "") -> None:
        """Print a reply; its buttons become numbered choices."""
        if heading:
            self.write(heading)
        self.write(reply.text)
        shown = [(next(self._numbers), b) for b in reply.all_buttons]
        if shown:
            self._buttons.update(shown)
            for old in list(self._buttons)[: max(0, len(self._buttons) - KEPT_BUTTONS)]:
                del self._buttons[old]
            choices = "  ".join(f"[{i}] {b.label}" for i, b in shown)
            self.write(f"  {choices}   (type a number)")
        for attachment in reply.attachments:
            # A terminal shows no pictures: charts and exports go to files, named by what
            # they are and when, in ./pacer-files (next to the default pacer.db).
            FILES_DIR.mkdir(exist_ok=True)
            path = (FILES_DIR / Path(attachment.filename).name).resolve()
            # A private reply's file (an /export) is readable by this OS user only.
            mode = 0o600 if reply.private else 0o644
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            with os.fdopen(fd, "wb") as file:
                file.write(attachment.data)
            kind = "chart" if attachment.is_image else "file"
            self.write(f"  ({kind} saved: {path})")
        if reply.private_note:
            # The runner's own lines under a club answer: a chat shows them to the runner
            # alone (ephemeral on Discord, a DM on Telegram); the terminal marks them.
            self.write(f"{JUST_FOR_YOU}{reply.private_note}")

    def write(self, text: str, end: str = "\n") -> None:
        """One block of output; output closed (the pipe's reader gone): Pacer stops."""
        try:
            print(text, end=end, file=self.stdout, flush=True)
        except (BrokenPipeError, ValueError, OSError):  # ValueError: a closed file
            if not self._closed:
                self._closed = True
                log.info("console output closed: shutting down")
                self._request_shutdown()

    def _prompt(self) -> None:
        if self._interactive:
            self.write("> ", end="")


def split_path(rest: str) -> tuple[str, str]:
    """``/log file <path> [note]``: the path and the note.

    A quoted path (as a terminal quotes one dragged in) ends at its closing quote; an
    unquoted one at the first run of words that names an existing file, so a path with
    spaces needs no quotes unless a shorter part of it is a file too. When no words name a
    file, all of them are the path (and the refusal names it).
    """
    rest = rest.strip()
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end > 0:
            return rest[1:end], rest[end + 1 :].strip()
        return rest.strip("'\""), ""
    words = rest.split(" ")
    for count in range(1, len(words)):
        path = " ".join(words[:count])
        if Path(path).expanduser().is_file():
            return path, " ".join(words[count:]).strip()
    return rest, ""


def read_local_file(path: str) -> Attachment:
    """``/log file <path>``: the file as if sent in a chat (only its size when too big)."""
    if not path:
        raise ConsoleInputError("Which file? /log file <path to a GPX, FIT or TCX file>")
    file = Path(path).expanduser()
    try:
        # Only a regular file is read (a device or pipe could be read forever), and never
        # past the limit, whatever its size said a moment before.
        with regular_file(file) as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return Attachment(file.name, b"", size=size)
            return Attachment(file.name, read_capped(file.name, stream), size=size)
    except BadInput as refusal:
        raise ConsoleInputError(str(refusal)) from None
    except IsADirectoryError:
        raise ConsoleInputError(f"{path} is a folder; give the path of one file.") from None
    except OSError as error:
        raise ConsoleInputError(f"Can't open {path}: {error.strerror}.") from None


class ConsoleNote:
    """A long command's progress, one printed line per update (a terminal scrolls)."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    async def show(self, text: str) -> None:
        """Print the update."""
        self.write(text)


def club_key(name: str) -> str:
    """A console club's chat id: its name without case or extra spaces."""
    return " ".join(name.split()).casefold()


class ConsoleInputError(Exception):
    """A typed line the console itself cannot turn into a message (a missing file)."""


class ConsoleMessenger:
    """Direct messages to the console runner, and group posts: printed in the chat."""

    platform = PLATFORM

    def __init__(self, adapter: ConsoleAdapter) -> None:
        self.adapter = adapter

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Print a nudge for the local runner (the console has no send budget)."""
        if platform_user_id != self.adapter.user:
            # Not shown here, so never "sent": it waits for that runner's own session.
            raise TransientDeliveryError(f"{platform_user_id} is not in this console session")
        self.adapter.render(reply, heading="\n🔔 Pacer nudge:")
        self.adapter._prompt()

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Print a post to this terminal's club (the console has one chat: the terminal)."""
        if not self.adapter.club_id or club_key(chat_id) != self.adapter.club_id:
            # Only a session in that club is its group chat; elsewhere it waits.
            raise TransientDeliveryError(f"club {chat_id} is not open in this console session")
        self.adapter.render(reply, heading=f"\n📣 Pacer in {self.adapter.club}:")
        self.adapter._prompt()


def create_adapter(ctx: AdapterContext) -> ConsoleAdapter:
    """The console adapter for the configured local runner."""
    settings = ctx.settings
    # The name is the runner's id: never with bytes that aren't UTF-8 (from argv) or controls.
    user = clean_text(settings.console_user).strip() or "runner"
    return ConsoleAdapter(
        ctx.core,
        user,
        ctx.request_shutdown,
        club=settings.console_club,
        member=settings.console_member,
    )
