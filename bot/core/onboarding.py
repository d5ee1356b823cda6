"""The set-up reminder: another command while a /start question is open says, once,
which question the next message answers."""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Incoming, Reply
from bot.services.profile import onboarding_question
from bot.texts.profile import reminder as reminder_text


def wants_reminder(incoming: Incoming, open_step: str | None) -> bool:
    """Another command in a private chat while a set-up question is open."""
    return (
        open_step is not None
        and bool(incoming.command)
        and incoming.command not in ("start", "forget")
        and incoming.is_private
    )


def with_reminder(reply: Reply, open_step: str | None) -> Reply:
    """The reply, with the open question named (above the text when it has buttons)."""
    if open_step is None:
        return reply
    question = onboarding_question(open_step)
    reminder = reminder_text(question)
    if reply.buttons:
        # Above, so the reply's buttons stay right under the text they answer.
        return replace(reply, text=f"{reminder}\n\n{reply.text}")
    return replace(reply, text=f"{reply.text}\n\n{reminder}")
