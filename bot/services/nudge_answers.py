"""Answers to a nudge (done, skip today, snooze, a check-in) and the "send me one of each" test.

:func:`record_answer` is the one place an answer is stored: a tap on a nudge's
own buttons, a check-in of its habit (the check-in buttons are plain commands
such as ``/slept 7.5``, so the check-in answers that day's nudges of its kind) and
turning the kind off all go through it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.models import CheckIn, Run, User
from bot.nudges import texts
from bot.nudges.decisions import route
from bot.nudges.kinds import Kind, answered_kind
from bot.nudges.recurrence import quiet_hours, runner_zone
from bot.nudges.schedule import localize
from bot.nudges.status import SnoozeResult
from bot.nudges.texts import SNOOZE_CHOICES
from bot.storage.database import Database
from bot.storage.deliveries import Delivery, NewDelivery, user_target
from bot.storage.nudges import SNOOZE_MARK
from bot.storage.uow import UnitOfWork

MAX_SNOOZES = 3  # per occurrence
TOMORROW_MERGE = timedelta(hours=3)  # a "tomorrow" snooze folds into a regular nudge this close
# A nudge's buttons never expire (they are resolved by pattern), so no notion says which
# nudges are still "live": turning a kind off answers those of the last 2 days' anchors
# (UTC date; a runner's local date is at most a day off), not months of history.
OFF_ANSWERS_DAYS = 2
_SNOOZE_DELAYS = {"20m": timedelta(minutes=20), "1h": timedelta(hours=1)}


@dataclass(frozen=True, slots=True)
class SampleNudge:
    """One nudge written by /nudges test (``delivery_id`` None when it could not be routed)."""

    kind: Kind
    delivery_id: int | None
    platform: str | None
    reason: str = ""


NUDGE_KINDS = frozenset(k.value for k in Kind)


async def record_answer(
    uow: UnitOfWork,
    user_id: int,
    kind: str,
    anchor: date | None,
    now: datetime,
    delivery_id: int | None = None,
) -> None:
    """Store an answer to a runner's nudge of ``kind`` and drop its pending snoozes.

    With ``delivery_id``: a tap on that nudge; the snoozes of its anchor date go.
    Without: every unanswered nudge of the kind whose buttons were shown, on ``anchor``
    (a check-in of that day), or of the last :data:`OFF_ANSWERS_DAYS` days when ``anchor``
    is None (the kind turned off), is answered, so its Snooze button says so rather than
    queueing a copy that would never come. Skipped or failed nudges stay unanswered.
    The first answer's time is kept.
    """
    await uow.nudges.cancel_oneoffs(user_id, kind, anchor)
    if delivery_id is not None:
        await uow.deliveries.mark_answered(delivery_id, now)
    elif anchor is not None:
        await uow.deliveries.answer_all(user_id, kind, now, on=anchor)
    else:
        since = now.astimezone(UTC).date() - timedelta(days=OFF_ANSWERS_DAYS)
        await uow.deliveries.answer_all(user_id, kind, now, since=since)


class NudgeAnswers:
    """What a tap on a nudge's button does."""

    def __init__(self, db: Database, clock: Clock, running: Callable[[], Collection[str]]) -> None:
        self.db = db
        self.clock = clock
        self._running = running

    async def _delivery(self, uow: UnitOfWork, user_id: int, delivery_id: int) -> Delivery:
        delivery = await uow.deliveries.get(delivery_id)
        if delivery is None or delivery.user_id != user_id or delivery.anchor is None:
            raise texts.not_your_nudge()
        if delivery.kind not in NUDGE_KINDS:  # another scheduled message (a digest): no answers
            raise texts.not_your_nudge()
        return delivery

    async def _answer(self, uow: UnitOfWork, delivery: Delivery) -> None:
        """Record the tap and drop pending snoozes of the same occurrence day."""
        assert delivery.user_id is not None
        await record_answer(
            uow, delivery.user_id, delivery.kind, delivery.anchor, self.clock.now(), delivery.id
        )

    # --- a check-in answers that day's nudges of its habit (a listener of the events) ---

    async def on_checkin(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime
    ) -> None:
        """A check-in (typed, or a nudge's check-in button) answers its kind's nudges that day."""
        kind = answered_kind(checkin.habit, checkin.kind)
        if kind is not None:
            await record_answer(uow, user.id, kind.value, checkin.local_date, now)

    async def on_run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """Nothing to answer."""

    async def on_run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """Nothing to answer."""

    async def on_settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Nothing to answer."""

    async def acknowledge(self, user_id: int, delivery_id: int) -> Kind:
        """ "Done" on a nudge that has no check-in of its own (the wind-down)."""
        async with self.db.uow() as uow:
            delivery = await self._delivery(uow, user_id, delivery_id)
            await self._answer(uow, delivery)
            await uow.commit()
        return Kind(delivery.kind)

    async def skip_today(self, user_id: int, delivery_id: int) -> Kind:
        """No more of this nudge today: drops pending snoozes of that day's occurrence."""
        async with self.db.uow() as uow:
            delivery = await self._delivery(uow, user_id, delivery_id)
            await self._skip(uow, delivery)
            await uow.commit()
        return Kind(delivery.kind)

    async def _skip(self, uow: UnitOfWork, delivery: Delivery) -> None:
        assert delivery.user_id is not None and delivery.anchor is not None
        kind = Kind(delivery.kind)
        if kind.recurring:
            await uow.nudges.set_skip_date(delivery.user_id, kind.value, delivery.anchor)
        await self._answer(uow, delivery)

    async def snooze(self, user_id: int, delivery_id: int, duration: str) -> SnoozeResult:
        """Send this nudge again in 20 min, 1 h or tomorrow at the same local time.

        A delivery can be answered once: a second tap (or a snooze after its
        check-in, Skip, Done or Stop these) is told "You've already answered that
        one." A kind turned off is not snoozed. "Tomorrow" on pre-run mobility means
        the next run day's regular nudge; post-run fuel cannot go to tomorrow: it is skipped.
        """
        if duration not in SNOOZE_CHOICES:
            raise texts.snooze_choices()
        async with self.db.uow() as uow:
            result = await self._snooze(uow, user_id, delivery_id, duration)
            await uow.commit()
        return result

    async def _snooze(
        self, uow: UnitOfWork, user_id: int, delivery_id: int, duration: str
    ) -> SnoozeResult:
        delivery = await self._delivery(uow, user_id, delivery_id)
        kind = Kind(delivery.kind)
        row = next((r for r in await uow.nudges.schedules(user_id) if r.kind == kind.value), None)
        if row is not None and not row.enabled:  # Stop these, or /nudges off, came first
            raise texts.kind_is_off(kind)
        if delivery.answered_at is not None:
            raise texts.already_answered()
        user = await uow.runners.get(user_id)
        assert user is not None and delivery.anchor is not None
        tz = runner_zone(user) or UTC
        now = self.clock.now()
        base = delivery.occurrence.split("~", 1)[0]
        anchor = delivery.anchor
        regular = row.next_due if row is not None else None
        if duration == "tomorrow":
            if kind is Kind.POST_RUN_FUEL:
                await self._skip(uow, delivery)
                return SnoozeResult(kind, None, texts.SNACK_TOO_LATE)
            if kind is Kind.PRE_RUN_MOBILITY:
                await self._answer(uow, delivery)
                if regular is None:
                    return SnoozeResult(kind, None, texts.NO_RUN_DAY)
                return SnoozeResult(kind, regular.astimezone(tz), texts.NEXT_RUN_DAY, True)
            original = delivery.due_at.astimezone(tz).replace(tzinfo=None)
            due = localize(original + timedelta(days=1), tz)
            anchor = anchor + timedelta(days=1)
            if regular is not None and abs(regular - due) <= TOMORROW_MERGE:
                await self._answer(uow, delivery)
                return SnoozeResult(
                    kind, regular.astimezone(tz), texts.TOMORROWS_REGULAR, regular=True
                )
        else:
            due = now + _SNOOZE_DELAYS[duration]
        note = ""
        quiet = quiet_hours(user)
        wall = due.astimezone(tz).replace(tzinfo=None)
        if quiet is not None and quiet.contains(wall.time()):
            if not kind.quiet_move:
                await self._answer(uow, delivery)
                return SnoozeResult(kind, None, texts.INSIDE_QUIET_HOURS)
            due = localize(quiet.end_after(wall), tz)
            note = texts.MOVED_PAST_QUIET_HOURS
        if not await uow.deliveries.answer_once(delivery_id, now):
            raise texts.already_answered()  # a second tap got here first
        count = await uow.nudges.count_snoozes(user_id, kind.value, base)
        if count >= MAX_SNOOZES:
            raise texts.snoozed_enough()
        await uow.nudges.insert_oneoff(
            user_id=user_id,
            kind=kind.value,
            occurrence=f"{base}{SNOOZE_MARK}{count + 1}",
            anchor=anchor,
            due=due,
            now=now,
        )
        return SnoozeResult(kind, due.astimezone(tz), note)

    async def send_test(self, user_id: int) -> list[SampleNudge]:
        """Write one nudge of each kind, due now (ignores pause, quiet hours and check-ins)."""
        now = self.clock.now()
        results: list[SampleNudge] = []
        async with self.db.uow() as uow:
            user = await uow.runners.get(user_id)
            if user is None:
                raise texts.unknown_runner()
            accounts = (await uow.runners.identities([user_id]))[user_id]
            to = route(user, accounts, self._running())
            today = now.astimezone(runner_zone(user) or UTC).date()
            for kind in Kind:
                if to is None:
                    results.append(SampleNudge(kind, None, None, texts.NO_REACHABLE_CHAT))
                    continue
                delivery_id = await uow.deliveries.add(
                    NewDelivery(
                        target=user_target(user_id),
                        kind=kind.value,
                        occurrence=f"test:{now.isoformat(timespec='seconds')}",
                        due_at=now,
                        reason="test",
                        user_id=user_id,
                        anchor=today,
                        platform=to.platform,
                        chat_id=to.platform_user_id,
                    )
                )
                if delivery_id is None:
                    results.append(SampleNudge(kind, None, to.platform, texts.SENT_THIS_SECOND))
                else:
                    results.append(SampleNudge(kind, delivery_id, to.platform))
            await uow.commit()
        return results
