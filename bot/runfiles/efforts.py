"""Best efforts inside a track: the fastest stretch of each standard distance, and its clock.

When the run's moving time is the watch's own timer (a FIT session, TCX laps), the
efforts run on the watch's timer clock: the samples' own times with the timer stops
between segments left out, and standing with the timer running counted, so no effort
is faster than the timer allows (a treadmill's 10 km in 47:21, as on the watch, not
Pacer's 45:41 without its stands). Otherwise they run on Pacer's moving clock
(:func:`bot.runfiles.track.measure` works it out), never faster than the raw samples allow.
"""

from __future__ import annotations

# Standard distances (metres) whose fastest stretch inside a track is kept.
EFFORT_DISTANCES = (1000, 5000, 10000, 21097)
EFFORT_NAMES = {1000: "1 km", 5000: "5 km", 10000: "10 km", 21097: "half"}
HALF_MARATHON_M = 21097.5
TIMER_AGREES_S = 60.0  # s (or 2 %): samples this close to the watch's timer rebuild its clock


def run_efforts(
    dist: list[float],
    segments: list[int],
    times: list[float],
    moving_clock: tuple[list[float], list[float]],
    watch_timer: float | None,
) -> dict[int, float]:
    """A run's best efforts: on the watch's timer clock when the moving time is the
    watch's timer and the samples rebuild it, else on the moving clock.

    ``dist`` and ``segments`` are the samples' own, ``times`` their steadied clock, and
    ``moving_clock`` the distance moved and the moving time at each sample.
    """
    if watch_timer is not None:
        on, timer = timer_clock(dist, segments, times)
        off = abs(timer[-1] - watch_timer)
        if abs(times[-1] - times[0] - watch_timer) < off:
            # The watch's timer ran on between segments (a TCX track broken by a lost
            # fix, not a stop): the gaps count, as on the watch.
            on, timer = timer_clock(dist, segments, times, gaps_count=True)
            off = abs(timer[-1] - watch_timer)
        if off <= max(TIMER_AGREES_S, watch_timer * 0.02):
            return best_efforts(on, timer)
    moved, moving = moving_clock
    efforts = best_efforts(moved, moving)
    if moving[-1] < times[-1] - times[0]:
        # The moving clock leaves pauses out, but a stretch can never beat what the
        # raw samples allow: that would be a dropped second, not a fast runner.
        raw = best_efforts(dist, times, segments)
        efforts = {m: max(s, raw.get(m, s)) for m, s in efforts.items()}
    return efforts


def timer_clock(
    dist: list[float], segments: list[int], times: list[float], gaps_count: bool = False
) -> tuple[list[float], list[float]]:
    """Distance and time on the watch's running clock: the samples' own times with the
    timer stops between segments left out (``gaps_count``: kept), standing with the
    timer running counted. A jump between segments never counts as distance.
    """
    on = [0.0]
    clock = [0.0]
    for i in range(1, len(dist)):
        dd = dt = 0.0
        if segments[i] == segments[i - 1]:
            dd = max(0.0, dist[i] - dist[i - 1])
            dt = times[i] - times[i - 1]
        elif gaps_count:
            dt = times[i] - times[i - 1]
        on.append(on[-1] + dd)
        clock.append(clock[-1] + dt)
    return on, clock


def best_efforts(
    dist: list[float], clock: list[float], segments: list[int] | None = None
) -> dict[int, float]:
    """The fastest stretch of each standard distance: seconds on the given clock.

    For every end sample the start lies exactly the standard distance back,
    interpolated between two samples. With ``segments``, a stretch must lie inside
    one segment (the raw clock of a track with timer stops).
    """
    found: dict[int, float] = {}
    total = dist[-1]
    firsts: list[int] = []
    if segments is not None:
        firsts = [0] * len(dist)
        for k in range(1, len(dist)):
            firsts[k] = firsts[k - 1] if segments[k] == segments[k - 1] else k
    for length in EFFORT_DISTANCES:
        target = HALF_MARATHON_M if length == 21097 else float(length)
        if total < target:
            continue
        best: float | None = None
        i = 0
        for j in range(1, len(dist)):
            begin = dist[j] - target
            if begin < 0:
                continue
            # The start only moves forward as the end does: two pointers, not a search.
            while dist[i + 1] <= begin:
                i += 1
            if firsts and i < firsts[j]:
                continue
            span = dist[i + 1] - dist[i]
            part = (begin - dist[i]) / span if span > 0 else 0.0
            seconds = clock[j] - (clock[i] + (clock[i + 1] - clock[i]) * part)
            if best is None or seconds < best:
                best = seconds
        if best is not None and best > 0:
            found[length] = best
    return found
