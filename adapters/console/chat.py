"""A chat in the terminal: lines in, replies out, buttons as numbered choices."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.messages import Button, Incoming, Reply
from bot.ports import AdapterContext, Inbound, Messenger

log = logging.getLogger(__name__)

PLATFORM = "console"
FILES_DIR = Path("pacer-files")


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
        # In a club the terminal is its group chat: posts to it print here.
        self.club = club
        self.member = member
        self._request_shutdown = request_shutdown
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._buttons: tuple[Button, ...] = ()
        self._task: asyncio.Task[None] | None = None
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._interactive = self.stdin.isatty()
        self._messenger = ConsoleMessenger(self)

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
        for line in self.stdin:
            loop.call_soon_threadsafe(self._lines.put_nowait, line)
        with contextlib.suppress(RuntimeError):  # the loop may be closed already
            loop.call_soon_threadsafe(self._lines.put_nowait, None)

    async def _serve(self) -> None:
        while True:
            line = await self._lines.get()
            if line is None:
                self.write("Bye! Keep running.")
                self._request_shutdown()
                return
            text = line.strip()
            if text:
                if text.lower() in {"/quit", "/exit"}:
                    self._lines.put_nowait(None)
                    continue
                reply = await self.core.handle(self.to_incoming(text))
                self.render(reply)
            self._prompt()

    def to_incoming(self, text: str) -> Incoming:
        """A typed line as the core sees it: a command, a button number or plain text."""
        base = Incoming(
            platform=PLATFORM,
            user_id=self.user,
            chat_id=self.club or PLATFORM,
            is_private=not self.club,
            is_admin=not self.member,
            display_name=self.user,
            chat_title=self.club,
        )
        if text.isdigit() and 1 <= int(text) <= len(self._buttons):
            return replace(base, action=self._buttons[int(text) - 1].action)
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            return replace(base, command=name.lower(), text=rest.strip())
        return replace(base, text=text)

    def render(self, reply: Reply, heading: str = "") -> None:
        """Print a reply; its buttons become numbered choices."""
        if heading:
            self.write(heading)
        self.write(reply.text)
        self._buttons = reply.all_buttons
        if self._buttons:
            choices = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(self._buttons, 1))
            self.write(f"  {choices}   (type a number)")
        for attachment in reply.attachments:
            FILES_DIR.mkdir(exist_ok=True)
            path = FILES_DIR / attachment.filename
            path.write_bytes(attachment.data)
            self.write(f"  (file saved: {path})")

    def write(self, text: str) -> None:
        """One block of output."""
        print(text, file=self.stdout, flush=True)

    def _prompt(self) -> None:
        if self._interactive:
            print("> ", end="", file=self.stdout, flush=True)


class ConsoleMessenger:
    """Direct messages to the console runner, and group posts: printed in the chat."""

    platform = PLATFORM

    def __init__(self, adapter: ConsoleAdapter) -> None:
        self.adapter = adapter

    async def send_direct(
        self, platform_user_id: str, reply: Reply, *, dedupe_key: str | None = None
    ) -> None:
        """Print a nudge for the local runner."""
        if platform_user_id != self.adapter.user:
            log.info("console nudge for %s (not the console user) dropped", platform_user_id)
            return
        self.adapter.render(reply, heading="\n🔔 Pacer nudge:")
        self.adapter._prompt()

    async def send_group(
        self, chat_id: str, reply: Reply, *, dedupe_key: str | None = None
    ) -> None:
        """Print a post to this terminal's club (the console has one chat: the terminal)."""
        if self.adapter.club and chat_id != self.adapter.club:
            log.info("console post for %s (not this club) dropped", chat_id)
            return
        self.adapter.render(reply, heading=f"\n📣 Pacer in {chat_id}:")
        self.adapter._prompt()


def create_adapter(ctx: AdapterContext) -> ConsoleAdapter:
    """The console adapter for the configured local runner."""
    settings = ctx.settings
    return ConsoleAdapter(
        ctx.core,
        settings.console_user or "runner",
        ctx.request_shutdown,
        club=settings.console_club,
        member=settings.console_member,
    )
