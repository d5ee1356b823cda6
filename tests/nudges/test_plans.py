"""Bedtime plan and strength progression."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.coaching import StrengthSession, bedtime_plan, strength_session

START = date(2026, 11, 23)  # a Monday


def night(t: time) -> int:
    return (t.hour * 60 + t.minute - 720) % 1440


def test_first_week_moves_thirty_minutes_then_fifteen_a_week() -> None:
    weeks = [
        bedtime_plan(time(23, 45), time(22, 30), start_date=START, today=START + timedelta(weeks=w))
        for w in range(6)
    ]
    assert [p.this_week for p in weeks] == [
        time(23, 15),
        time(23, 0),
        time(22, 45),
        time(22, 30),
        time(22, 30),
        time(22, 30),
    ]
    assert [p.weeks_to_go for p in weeks] == [3, 2, 1, 0, 0, 0]
    assert weeks[0].next_change == START + timedelta(weeks=1)
    assert weeks[3].reached and weeks[3].next_change is None


def test_bedtime_around_midnight_moves_earlier_not_around_the_clock() -> None:
    plan = bedtime_plan(time(0, 30), time(23, 0), start_date=START, today=START)
    assert plan.this_week == time(0, 0)
    assert plan.weeks_to_go == 4  # 60 more minutes at 15 a week
    later = bedtime_plan(
        time(0, 30), time(23, 0), start_date=START, today=START + timedelta(weeks=2)
    )
    assert later.this_week == time(23, 30)


def test_a_small_gap_is_closed_at_once_without_overshooting() -> None:
    plan = bedtime_plan(time(23, 0), time(22, 50), start_date=START, today=START)
    assert plan.this_week == time(22, 50) and plan.reached


def test_step_zero_first_week_keeps_the_current_bedtime() -> None:
    plan = bedtime_plan(
        time(23, 0),
        time(22, 0),
        start_date=START,
        today=START,
        step_minutes=20,
        first_step_minutes=0,
    )
    assert plan.this_week == time(23, 0) and plan.weeks_to_go == 3


def test_invalid_step() -> None:
    with pytest.raises(ValueError):
        bedtime_plan(time(23, 0), time(22, 0), start_date=START, today=START, step_minutes=60)


@given(
    current=st.integers(0, 1439),
    target=st.integers(0, 1439),
    step=st.integers(5, 30),
    first=st.integers(0, 30),
)
def test_never_a_jump_bigger_than_the_step(
    current: int, target: int, step: int, first: int
) -> None:
    c, t = time(current // 60, current % 60), time(target // 60, target % 60)
    prev = c
    for week in range(300):  # 1440 min at 5 a week at most
        plan = bedtime_plan(
            c,
            t,
            start_date=START,
            today=START + timedelta(weeks=week),
            step_minutes=step,
            first_step_minutes=first,
        )
        jump = abs(night(plan.this_week) - night(prev))
        assert jump <= (first if week == 0 else step)
        prev = plan.this_week
        if plan.reached:
            assert plan.this_week == t
            break
    else:
        pytest.fail("plan never reached the target")


def climbed(sessions: int) -> StrengthSession:
    """The session after ``sessions`` holds that each reached their target."""
    holds: list[tuple[str, int]] = []
    for _ in range(sessions):
        due = strength_session(holds)
        holds.append((due.exercise, due.seconds))
    return strength_session(holds)


def test_strength_progression_when_every_target_is_reached() -> None:
    assert [(climbed(n).exercise, climbed(n).seconds) for n in range(7)] == [
        ("plank", 30 + 10 * n) for n in range(7)
    ]
    assert (climbed(7).exercise, climbed(7).seconds) == ("side-plank", 30)
    assert (climbed(13).exercise, climbed(13).seconds) == ("side-plank", 60)
    assert climbed(14).exercise == "reverse-plank"
    assert climbed(21).exercise == "plank-with-movement"
    assert climbed(28).seconds == 60 and strength_session([]).seconds == 30
    assert all(climbed(n).deadlift_sets == 3 and climbed(n).deadlift_reps == 6 for n in range(40))
