"""Suggestions while an option is typed (Discord's autocomplete): zones, units, runs..."""

from __future__ import annotations

from bot.core.club_handlers import ClubHandlers
from bot.core.commands import MAX_SUGGESTIONS, find_command, public_commands
from bot.messages import Choice, Incoming
from bot.nudges.kinds import Kind
from bot.parsing import format_distance, format_duration, suggest_zones
from bot.services.accounts import AccountService
from bot.services.profile import NUDGE_PLATFORMS
from bot.services.runs import RunService


class Suggestions:
    """Answers "what could go here?" for the options the command list marks."""

    def __init__(
        self, accounts: AccountService, runs: RunService, challenges: ClubHandlers
    ) -> None:
        self.accounts = accounts
        self.runs = runs
        self.challenges = challenges

    async def suggest(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
        """Suggestions for a typed-option value (at most 25)."""
        spec = find_command(incoming.command)
        source = None
        if spec is not None:
            try:
                source = spec.option(option).autocomplete
            except KeyError:
                source = None
        if source == "setting_value":
            item = (incoming.options or {}).get("item", "")
            source = {"timezone": "timezone", "units": "units", "nudges": "nudges"}.get(item)
        if source == "timezone":
            return [Choice(z, z) for z in suggest_zones(partial, MAX_SUGGESTIONS)]
        if source == "units":
            return [Choice(u, u) for u in ("km", "mi") if u.startswith(partial.lower())]
        if source == "nudges":
            return [Choice(p, p) for p in NUDGE_PLATFORMS if p.startswith(partial.lower())]
        if source == "nudge_kind":
            key = partial.strip().lower()
            return [
                Choice(k.label, k.value) for k in Kind if key in k.value or key in k.label.lower()
            ]
        if source == "challenge":
            return await self.challenges.suggest(incoming, partial)
        if source == "command":
            names = [c.name for c in public_commands() if c.name.startswith(partial.lower())]
            return [Choice(f"/{n}", n) for n in names][:MAX_SUGGESTIONS]
        if source == "my_runs":
            account = await self.accounts.identify(
                incoming.platform, incoming.user_id, incoming.display_name
            )
            runs = await self.runs.recent(account.user, MAX_SUGGESTIONS)
            user = account.user
            choices = [
                Choice(
                    f"#{r.id} · {r.local_date:%a %d %b} · "
                    f"{format_distance(r.distance_m, user.units)} in "
                    f"{format_duration(r.duration_s)}",
                    str(r.id),
                )
                for r in runs
            ]
            return [c for c in choices if partial.strip() in c.label][:MAX_SUGGESTIONS]
        return []
