"""Runs read from watch files (GPX, FIT, TCX) and from a Strava bulk export."""

from bot.runfiles.efforts import EFFORT_DISTANCES, EFFORT_NAMES
from bot.runfiles.readers import MAX_FILE_BYTES, FileRuns, read_run_file, too_big
from bot.runfiles.track import RunFile

__all__ = [
    "EFFORT_DISTANCES",
    "EFFORT_NAMES",
    "MAX_FILE_BYTES",
    "FileRuns",
    "RunFile",
    "read_run_file",
    "too_big",
]
