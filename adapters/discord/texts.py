"""The few user-visible sentences the adapter itself says (everything else comes from the core)."""

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
ANSWERED_PRIVATELY = "Answered privately: only you can see it."
NEEDS_MANAGE_SERVER = "/{name} needs the Manage Server permission."
COMMANDS_CHANGED = "Pacer's commands were just updated. Please try again in a minute."
RESTARTING = "Pacer is restarting. Please try again in a minute."
