"""A run's best efforts read the same in its /log reply and in /stats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import gpxpy.gpx

from bot.messages import Attachment
from tests.fakes import Harness

STEP = 0.00009  # about 10 m of latitude


def five_k_with_drift_at_a_light(start: datetime) -> bytes:
    """5 km at 5:00 /km, then a minute at a light where the GPS drifts 1 m every 3 s.

    The drift adds to the track's distance but not to its moving time (it is slower
    than walking), which once made the run's at-pace 5 km beat the track's own.
    """
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    segment = gpxpy.gpx.GPXTrackSegment()
    gpx.tracks.append(track)
    track.segments.append(segment)
    moment = start
    lat = 48.0
    for i in range(502):
        segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, 11.0, time=moment))
        moment += timedelta(seconds=3)
        lat += STEP
        if i == 250:
            for k in range(40):
                drift = STEP / 10 * (1 if k % 2 else -1)
                segment.points.append(gpxpy.gpx.GPXTrackPoint(lat + drift, 11.0, time=moment))
                moment += timedelta(seconds=3)
    # A file that says its sport is logged without a question.
    return gpx.to_xml().replace("<trk>", "<trk><type>running</type>", 1).encode()


async def test_a_gpx_runs_5k_time_is_the_same_in_the_reply_and_in_stats(
    harness: Harness,
) -> None:
    chat = harness.chat()
    data = five_k_with_drift_at_a_light(harness.clock.now() - timedelta(hours=1))
    logged = (await chat.say("/log", attachments=(Attachment("run.gpx", data),))).text
    in_reply = re.search(r"Best efforts in this run: .*5 km (\d+:\d\d)", logged)
    stats = (await chat.say("/stats all")).text
    in_stats = re.search(r"5 km: (\d+:\d\d) .*inside its track", stats)
    assert in_reply is not None and in_stats is not None, (logged, stats)
    assert in_reply.group(1) == in_stats.group(1)


async def test_a_typed_run_near_5k_still_counts_at_its_pace(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5.05k 25:15")
    assert "5 km: 25:00 (5:00 /km) · #1, 26 Nov 2026" in (await chat.say("/stats all")).text
