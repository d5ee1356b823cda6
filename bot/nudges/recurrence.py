"""From a runner's settings to the recurrence rule of each kind of nudge (pure)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, tzinfo

from bot.coaching import (
    MAX_FIRST_STEP_MINUTES,
    BedtimePlan,
    SleepGoal,
    bedtime_plan,
    sleep_goal,
)
from bot.models import NudgePrefs, UnknownZone, User, zone
from bot.nudges.kinds import Kind
from bot.nudges.schedule import (
    QuietHours,
    Rule,
    ScheduleError,
    format_hhmm,
    occurrence_for,
    parse_hhmm,
    wall_at,
)


def parse_time_or_none(value: str | None) -> time | None:
    """A stored ``HH:MM`` as a time, or None when unset or unreadable."""
    if not value:
        return None
    try:
        return parse_hhmm(value)
    except ScheduleError:
        return None


def runner_zone(settings: User) -> tzinfo | None:
    """The runner's time zone, or None when the stored name is unusable."""
    try:
        return zone(settings.timezone)
    except UnknownZone:
        return None


def quiet_hours(settings: User) -> QuietHours | None:
    """The runner's quiet hours, if both ends are set."""
    start, end = parse_time_or_none(settings.quiet_start), parse_time_or_none(settings.quiet_end)
    if start is None or end is None or start == end:
        return None
    return QuietHours(start, end)


def sleep_goal_of(settings: User, start: time) -> SleepGoal:
    """Where a plan starting at ``start`` heads for this runner (target, wake time, 7-h floor)."""
    return sleep_goal(
        start, parse_time_or_none(settings.target_bedtime), parse_time_or_none(settings.wake_time)
    )


def _goal_text(settings: User, start: time) -> str | None:
    goal = sleep_goal_of(settings, start).goal
    return None if goal is None else format_hhmm(goal)


def refresh_plan(settings: User, today: date) -> NudgePrefs:
    """Prefs with a bedtime plan matching the current bedtime, target and wake time.

    A change of the usual bedtime (re)starts the plan today from it, with the
    first-week step: that is the runner asking for a new starting point, the
    only way the bedtime moves later. A first goal (a target, or the 7-hour
    bedtime once a wake time shows the nights are short) starts the plan today
    from where it stands, with the first-week step. A goal that changes (a new
    target or wake time), or goes away, carries on from this week's planned
    bedtime with no move this week, so weeks of progress are kept and the
    bedtime never jumps back later. Otherwise the stored plan is kept.
    """
    prefs = settings.prefs
    usual = parse_time_or_none(settings.bedtime)
    if settings.bedtime is None or usual is None:
        if prefs.plan_start is None and prefs.plan_source is None:
            return prefs
        return dataclasses.replace(
            prefs, plan_start=None, plan_from=None, plan_source=None, plan_target=None
        )
    start = parse_time_or_none(prefs.plan_from)
    if prefs.plan_start is not None and start is not None and prefs.plan_source == settings.bedtime:
        goal = _goal_text(settings, start)
        if prefs.plan_target == goal:
            return prefs
        if prefs.plan_target is None:
            return dataclasses.replace(
                prefs,
                plan_start=today,
                plan_target=goal,
                plan_first_step=MAX_FIRST_STEP_MINUTES,
            )
        old_goal = parse_time_or_none(prefs.plan_target) or start
        current = bedtime_plan(
            start,
            old_goal,
            start_date=prefs.plan_start,
            today=today,
            step_minutes=prefs.bedtime_step,
            first_step_minutes=prefs.plan_first_step,
        ).this_week
        return dataclasses.replace(
            prefs,
            plan_start=today,
            plan_from=format_hhmm(current),
            plan_target=_goal_text(settings, current),
            plan_first_step=0,
        )
    return dataclasses.replace(
        prefs,
        plan_start=today,
        plan_from=settings.bedtime,
        plan_source=settings.bedtime,
        plan_target=_goal_text(settings, usual),
        plan_first_step=MAX_FIRST_STEP_MINUTES,
    )


def plan_on(settings: User, day: date) -> BedtimePlan | None:
    """The bedtime plan as it stands on a local date (None without a bedtime).

    The plan heads for the goal of :func:`sleep_goal` (never later, at least 7 h
    before the wake time); without one it holds the bedtime it has reached.
    """
    prefs = settings.prefs
    start = parse_time_or_none(prefs.plan_from) or parse_time_or_none(settings.bedtime)
    if start is None:
        return None
    goal = sleep_goal_of(settings, start)
    start_date = prefs.plan_start or day
    plan = bedtime_plan(
        start,
        goal.goal or start,
        start_date=start_date,
        today=day,
        step_minutes=prefs.bedtime_step,
        first_step_minutes=prefs.plan_first_step,
    )
    return dataclasses.replace(
        plan,
        target_set=parse_time_or_none(settings.target_bedtime) is not None,
        wanted=parse_time_or_none(settings.target_bedtime),
        sleep=goal,
    )


def rule_for(settings: User, kind: Kind) -> Rule | None:
    """How ``kind`` recurs for this runner, or None when the needed settings are missing."""
    tz = runner_zone(settings)
    if tz is None or not kind.recurring:
        return None
    quiet = quiet_hours(settings)
    prefs = settings.prefs
    if kind is Kind.WIND_DOWN:
        if parse_time_or_none(settings.bedtime) is None:
            return None
        lead = prefs.wind_down_lead

        def wind_down(anchor: date) -> datetime | None:
            plan = plan_on(settings, anchor)
            return None if plan is None else wall_at(anchor, plan.this_week, -lead, night=True)

        return Rule(tz, wind_down, quiet=quiet, quiet_move=kind.quiet_move)
    if kind is Kind.SLEEP_CHECKIN:
        wake = parse_time_or_none(settings.wake_time)
        if wake is None:
            return None
        return Rule(tz, lambda a: wall_at(a, wake), quiet=quiet, quiet_move=kind.quiet_move)
    if kind is Kind.PRE_RUN_MOBILITY:
        run_time = parse_time_or_none(settings.run_time)
        days = frozenset(settings.run_days)
        if run_time is None or not days:
            return None
        lead = prefs.pre_run_lead
        return Rule(
            tz,
            lambda a: wall_at(a, run_time, -lead),
            days=days,
            quiet=quiet,
            quiet_move=kind.quiet_move,
        )
    strength_time = parse_time_or_none(prefs.strength_time)
    days = frozenset(prefs.strength_days)
    if strength_time is None or not days:
        return None
    return Rule(
        tz, lambda a: wall_at(a, strength_time), days=days, quiet=quiet, quiet_move=kind.quiet_move
    )


def swallowed_by_quiet(settings: User, today: date) -> list[tuple[Kind, time]]:
    """Kinds whose every nudge of the coming week falls in quiet hours, with their local time.

    Only kinds that quiet hours skip rather than move can be swallowed: a
    wind-down after bedtime or a warm-up after the run would be noise later.
    """
    swallowed: list[tuple[Kind, time]] = []
    for kind in Kind:
        if not kind.recurring or kind.quiet_move:
            continue
        rule = rule_for(settings, kind)
        if rule is None or rule.quiet is None:
            continue
        week = [occurrence_for(rule, today + timedelta(days=n)) for n in range(7)]
        due = [o for o in week if o is not None]
        if due and all(o.in_quiet for o in due):
            swallowed.append((kind, due[0].due.astimezone(rule.tz).time()))
    return swallowed
