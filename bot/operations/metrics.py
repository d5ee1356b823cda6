"""What a process counts for Prometheus: messages, failures, 429s, backlog, lateness, roles.

One registry per process (not prometheus-client's global one), so tests can
run several apps side by side. The sweep and the app report here; the backlog
gauges are read from the database when ``/metrics`` is scraped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.config import ROLES
from bot.messages import Choice, Incoming, Reply
from bot.ports import Inbound, ProgressNote

# Lateness of a scheduled message, due instant to sent: mostly seconds, hours at worst.
LATENESS_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 7200)


class Metrics:
    """This process's counters, gauges and histogram."""

    def __init__(self, process: str) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.sent = Counter(
            "pacer_messages_sent", "Scheduled messages sent", ["platform"], registry=r
        )
        self.failed = Counter(
            "pacer_messages_failed",
            "Scheduled messages not sent, by reason",
            ["platform", "reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "pacer_rate_limited",
            "Requests answered 429 (Too Many Requests)",
            ["platform"],
            registry=r,
        )
        self.lateness = Histogram(
            "pacer_delivery_lateness_seconds",
            "From a scheduled message's due instant to its sending",
            ["platform"],
            buckets=LATENESS_BUCKETS,
            registry=r,
        )
        self.recovered = Counter(
            "pacer_claims_recovered",
            "Claims of a lapsed lease taken back (unsent: due again; on the wire: settled)",
            ["outcome"],
            registry=r,
        )
        self.updates = Counter(
            "pacer_updates_handled",
            "Commands, messages and button presses handled",
            ["platform"],
            registry=r,
        )
        self.backlog = Gauge(
            "pacer_due_backlog",
            "Scheduled messages due now and not yet claimed",
            ["platform"],
            registry=r,
        )
        self.oldest_due = Gauge(
            "pacer_oldest_due_age_seconds",
            "Age of the oldest scheduled message due and not yet claimed",
            ["platform"],
            registry=r,
        )
        self.role = Gauge(
            "pacer_role_active",
            "1 where this process is the active holder of a role, 0 standing by or not its role",
            ["process", "role"],
            registry=r,
        )
        self.over_capacity = Gauge(
            "pacer_planned_over_capacity",
            "Nudges planned today beyond what the platform's budget sends in their grace windows",
            ["platform"],
            registry=r,
        )
        self._process = process
        for role in ROLES:
            self.role.labels(process, role).set(0)

    def roles(self, held: Iterable[str]) -> None:
        """Which roles this process is active for now."""
        held = set(held)
        for role in ROLES:
            self.role.labels(self._process, role).set(1 if role in held else 0)

    def outcome(
        self,
        platform: str,
        status: str,
        rate_limited: int,
        due_at: datetime | None,
        sent_at: datetime | None,
    ) -> None:
        """One scheduled message's outcome (``sent``, ``failed``, ``unreachable``...)."""
        if rate_limited:
            self.rate_limited.labels(platform).inc(rate_limited)
        if status == "sent":
            self.sent.labels(platform).inc()
            if due_at is not None and sent_at is not None:
                lateness = max(0.0, (sent_at - due_at).total_seconds())
                self.lateness.labels(platform).observe(lateness)
        elif status != "dropped":
            self.failed.labels(platform, status).inc()

    def due(self, now: datetime, backlog: Mapping[str, tuple[int, datetime | None]]) -> None:
        """The due backlog per platform: (how many, the oldest due instant)."""
        for platform, (count, oldest) in backlog.items():
            self.backlog.labels(platform).set(count)
            age = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
            self.oldest_due.labels(platform).set(age)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


class CountedInbound:
    """The core as the adapters see it, counting what each platform hands in."""

    def __init__(self, core: Inbound, metrics: Metrics) -> None:
        self._core = core
        self._metrics = metrics

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Answer one command, plain message or button press (counted)."""
        self._metrics.updates.labels(incoming.platform).inc()
        return await self._core.handle(incoming, progress)

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> Sequence[Choice]:
        """Suggestions for a typed option's value."""
        return await self._core.autocomplete(incoming, option, partial)

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """The platform says this account blocked the bot."""
        await self._core.mark_unreachable(platform, platform_user_id, reason)
