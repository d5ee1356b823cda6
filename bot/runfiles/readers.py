"""A sent file (GPX, FIT or TCX, ``.gz`` too) into the runs in it.

The format readers (:mod:`bot.runfiles.fit`, :mod:`bot.runfiles.xml_tracks`)
find each activity in the file; :func:`bot.runfiles.track.measure` turns each
into a run or a refusal. This module holds the limits and the verdict on the
whole file: every run logged, other sports named.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from bot.errors import BadInput
from bot.runfiles.fit import read_fit
from bot.runfiles.track import RunFile, Track, measure
from bot.runfiles.xml_tracks import read_gpx, read_tcx

MAX_FILE_BYTES = 20 * 1024 * 1024
KINDS = ("gpx", "fit", "tcx")
NOTHING_SAVED = "Nothing was saved."
_MB = 1024 * 1024


def megabytes(size: int) -> str:
    """A size as a runner reads it against the limit: rounded up, so over is never "20.0"."""
    return f"{math.ceil(size / _MB * 10) / 10:.1f} MB"


def too_big(
    filename: str, size: int | None = None, unpacked: bool = False, cap: int = MAX_FILE_BYTES
) -> BadInput:
    """The refusal for a file over the limit (``size`` None: found while reading it)."""
    limit = f"{cap // _MB} MB"
    what = "unpacks to" if unpacked else "is"
    amount = megabytes(size) if size is not None else f"more than {limit}"
    return BadInput(
        f"{filename} {what} {amount}, over the {limit} limit"
        f"{' for run files' if cap == MAX_FILE_BYTES else ''}. {NOTHING_SAVED}",
        hint="Export the run alone (one activity) from your watch app and send that.",
    )


def read_capped(filename: str, stream: IO[bytes], limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a stream, stopping one byte past ``limit`` (a declared size is never trusted)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_big(filename, cap=limit)
    return data


def regular_file(path: Path) -> BinaryIO:
    """Open a path for reading only if it is a regular file (no device, pipe or socket).

    Opened without blocking and checked on the open file, so a pipe never hangs the
    reader and a link swapped after a check is still caught.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        raise BadInput(
            f"{path.name} is not a regular file (a device, pipe or socket). {NOTHING_SAVED}"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


@dataclass(frozen=True, slots=True)
class FileRuns:
    """What one file held: its runs, and the other activities in it by name."""

    runs: tuple[RunFile, ...]
    others: tuple[str, ...] = ()  # why each other activity was not a run

    @property
    def only(self) -> RunFile:
        """The file's one run (the first when it holds several)."""
        return self.runs[0]


def read_run_file(filename: str, data: bytes) -> FileRuns:
    """Read a GPX, FIT or TCX file (``.gz`` too): each run in it, other sports named."""
    if len(data) > MAX_FILE_BYTES:
        raise too_big(filename, len(data))
    if not data:
        raise BadInput(f"{filename} is empty. {NOTHING_SAVED}")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(filename, data)
    kind = sniff(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    tracks: list[Track]
    if kind == "fit":
        tracks = read_fit(data)
    elif kind == "gpx":
        tracks = read_gpx(data)
    else:
        tracks = read_tcx(data)
    if len(tracks) == 1:
        return FileRuns((measure(tracks[0], digest),))
    runs: list[RunFile] = []
    others: list[str] = []
    for index, track in enumerate(tracks):
        # Each activity of a file is its own run: its own fingerprint, so a second
        # send of the file finds each one stored.
        key = digest if index == 0 else hashlib.sha256(f"{digest}#{index}".encode()).hexdigest()
        try:
            runs.append(measure(track, key))
        except BadInput as refusal:
            others.append(refusal.message.replace(f" {NOTHING_SAVED}", ""))
    if not runs:
        listed = " ".join(f"({n}) {why}" for n, why in enumerate(others, start=1))
        raise BadInput(
            f"This file holds {len(tracks)} activities and none is a run I can log: "
            f"{listed} {NOTHING_SAVED}"
        )
    return FileRuns(tuple(runs), tuple(others))


def _gunzip(filename: str, data: bytes) -> bytes:
    """Unpack a ``.gz`` file, refusing one that unpacks past the size limit."""
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error:
        raise BadInput(f"{filename} is a damaged .gz file. {NOTHING_SAVED}") from None
    if len(out) > MAX_FILE_BYTES:
        raise too_big(filename, unpacked=True)
    if not unpacker.eof:
        raise BadInput(f"{filename} is cut short (the .gz file ends early). {NOTHING_SAVED}")
    return out


def sniff(filename: str, data: bytes) -> str:
    """Which format a file is in, by its content first and its name second."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lower()
    if b"<gpx" in head:
        return "gpx"
    if b"<trainingcenterdatabase" in head:
        return "tcx"
    name = filename.lower().removesuffix(".gz")
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in KINDS:
        raise BadInput(
            f"{filename} doesn't look like a {ext.upper()} file inside (it may be damaged). "
            f"{NOTHING_SAVED}"
        )
    raise BadInput(
        f"I can't read {filename}: send a GPX, FIT or TCX file from your watch or app. "
        f"{NOTHING_SAVED}"
    )
