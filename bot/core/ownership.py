"""Buttons in a group answer only the runner they were made for.

A reply shown in a group (the ``/log`` reply's snack and mobility buttons) is
seen by everyone there, and every platform tells the core who pressed a button
(``Incoming.user_id``). Each such button's action id is stamped with its owner's
platform id, ``~<owner> <action>`` (a Telegram or Discord id adds at most 22
bytes, well within the 64 of callback data); a press by anyone else is answered
"that button is for ..." and does nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from bot.core import texts
from bot.messages import MAX_ACTION_BYTES, Button, Incoming, Reply
from bot.texts.runs import POST_RUN_BUTTONS

log = logging.getLogger(__name__)

OWNER_MARK = "~"
# Platform ids in groups are numbers (Telegram, Discord); anything odd is left unstamped.
_OWNER_ID = re.compile(r"[0-9A-Za-z_-]{1,32}")
# Adapters that can (Telegram) show a reply with this flag as an alert on the press.
ALERT = "alert"
# Buttons meant for everyone in the chat (a 👏 under a run, the Join under a new challenge,
# which joins whoever taps it): never stamped with an owner.
OPEN_ACTIONS = ("/kudos ", "/challenge join ")
# The buttons under a logged run (its check-ins, and "Log it again"): a run of one's own
# brings them, which the answer to another runner's press says.
RUN_REPLY_ACTIONS = (*(b.action for row in POST_RUN_BUTTONS for b in row), "/again ")


def stamp_owner(reply: Reply, owner: str) -> Reply:
    """``reply`` with each button's action carrying ``owner``."""
    if not reply.buttons or not _OWNER_ID.fullmatch(owner):
        return reply
    rows = tuple(tuple(_owned(button, owner) for button in row) for row in reply.buttons)
    return replace(reply, buttons=rows)


def _owned(button: Button, owner: str) -> Button:
    if button.action.startswith(OWNER_MARK) or button.action.startswith(OPEN_ACTIONS):
        return button
    action = f"{OWNER_MARK}{owner} {button.action}"
    if len(action.encode()) > MAX_ACTION_BYTES:
        log.warning("button %r left without its owner: the action id would be too long", action)
        return button
    return Button(button.label, action)


def owner_of(action: str) -> tuple[str | None, str]:
    """A button action's owner (None: anyone's) and the action without the stamp:
    ``~42 /fuel`` -> (``42``, ``/fuel``)."""
    if not action.startswith(OWNER_MARK):
        return None, action
    owner, _, rest = action[len(OWNER_MARK) :].partition(" ")
    return owner, rest


def split_owner(incoming: Incoming) -> tuple[str | None, Incoming]:
    """The owner a pressed button was made for (None: anyone's), and the press without it."""
    if incoming.action is None:
        return None, incoming
    owner, rest = owner_of(incoming.action)
    return (None, incoming) if owner is None else (owner, replace(incoming, action=rest))


def not_yours(owner_name: str, action: str) -> Reply:
    """The answer to a press on someone else's button: private, nothing done."""
    return Reply(
        texts.not_yours(owner_name or "another runner", action.startswith(RUN_REPLY_ACTIONS)),
        private=True,
        meta={ALERT: "1"},
    )
