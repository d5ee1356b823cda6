"""A Strava bulk export (the ZIP, or its unpacked folder): ``activities.csv`` and its files.

Real exports vary: the header is in the account's language, two columns are
called Distance (the first in km, the second in metres) and two Elapsed Time,
dates come in several formats, and there are 80-100 columns. Columns are found
through :data:`HEADER_ALIASES`; everything else is ignored. Dates in the export
are UTC.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from bot.errors import BadInput
from bot.runfiles.readers import MAX_FILE_BYTES, read_capped, regular_file

# Canonical column -> its header in each language Strava exports (lower case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "aktivitäts-id", "id de l'activité", "id de actividad", "id attività"),
    "date": (
        "activity date",
        "aktivitätsdatum",
        "date de l'activité",
        "fecha de la actividad",
        "data attività",
    ),
    "name": ("activity name", "name der aktivität", "nom de l'activité", "nombre de la actividad"),
    "type": (
        "activity type",
        "aktivitätstyp",
        "type d'activité",
        "tipo de actividad",
        "tipo di attività",
    ),
    "elapsed": ("elapsed time", "verstrichene zeit", "temps écoulé", "tiempo transcurrido"),
    "moving": ("moving time", "bewegungszeit", "temps de déplacement", "tiempo en movimiento"),
    "distance": ("distance", "distanz", "distancia", "distanza"),
    "elevation": ("elevation gain", "höhenzuwachs", "dénivelé positif", "desnivel positivo"),
    "filename": ("filename", "dateiname", "nom du fichier", "nombre de archivo"),
}
REQUIRED = ("id", "date", "type", "distance")
MAX_CSV_BYTES = 50 * 1024 * 1024  # a 10,000-activity export's CSV is under 10 MB

# Activity types that are runs, as Strava names them in each language (lower case).
RUN_TYPES = frozenset(
    {
        "run",
        "trail run",
        "virtual run",
        "lauf",
        "traillauf",
        "virtueller lauf",
        "course à pied",
        "course",
        "trail",
        "course virtuelle",
        "carrera",
        "carrera por montaña",
        "carrera virtual",
        "corsa",
        "trail running",
        "corsa virtuale",
        "hardlopen",
    }
)

# Month abbreviations of other languages, to the English ones strptime knows.
_MONTHS = {
    "jän": "Jan",
    "mär": "Mar",
    "mrz": "Mar",
    "mai": "May",
    "okt": "Oct",
    "dez": "Dec",
    "janv": "Jan",
    "févr": "Feb",
    "mars": "Mar",
    "avr": "Apr",
    "juin": "Jun",
    "juil": "Jul",
    "déc": "Dec",
}
_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # Dec 1, 2026, 7:05:03 AM (English)
    "%d %b %Y, %H:%M:%S",  # 1 Dec 2026, 07:05:03 (English UK, German)
    "%d %b %Y %H:%M:%S",
    "%d.%m.%Y, %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


class ExportError(ValueError):
    """The path is not a Strava export Pacer can read."""


@dataclass(frozen=True, slots=True)
class StravaActivity:
    """One row of ``activities.csv``, read."""

    line: int
    activity_id: str
    started: datetime  # aware UTC
    name: str
    kind: str
    distance_m: float
    elapsed_s: float | None
    moving_s: float | None
    elevation_gain_m: float | None
    filename: str


# The kinds of row the reader skips (a summary counts rows by kind, whatever the particulars).
NOT_A_RUN = "not a run"
UNREADABLE_DATE = "unreadable date"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that was not imported (or not as hoped), and why.

    ``reason`` names the row's particulars (``not a run (Ride)``); ``kind`` is the same
    for every row skipped for that reason (``not a run``), so a summary counts by it.
    """

    line: int
    what: str
    reason: str
    kind: str


@dataclass
class ImportSummary:
    """What an import did."""

    imported: int = 0
    from_files: int = 0
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)  # imported, but not as hoped
    first: date | None = None
    last: date | None = None
    distance_m: float = 0.0


def parse_date(text: str) -> datetime:
    """A date as Strava writes it (several formats, all UTC)."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        pass
    words = re.sub(
        r"[A-Za-zäöüéû]+\.?",
        lambda m: _MONTHS.get(m.group(0).rstrip(".").lower(), m.group(0).rstrip(".")),
        raw,
    )
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(words, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"{UNREADABLE_DATE} {raw!r}")


def parse_number(text: str) -> float | None:
    """``5.01``, ``5,01``, ``1,234.5`` or ``1.234,5``; None when empty or not a number."""
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    else:
        raw = raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def column_map(header: list[str]) -> dict[str, list[int]]:
    """Canonical column -> the positions of its (possibly repeated) header."""
    found: dict[str, list[int]] = {}
    lookup = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
    for index, title in enumerate(header):
        key = lookup.get(title.strip().lower())
        if key is not None:
            found.setdefault(key, []).append(index)
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        raise ExportError(
            "activities.csv has no column for "
            + ", ".join(HEADER_ALIASES[m][0].title() for m in missing)
            + " (in any language Pacer knows); is it a Strava export?"
        )
    return found


def parse_activities(text: str) -> tuple[list[StravaActivity], list[Skipped]]:
    """The runs in ``activities.csv`` and every other row with the reason it was skipped."""
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
    except StopIteration:
        raise ExportError("activities.csv is empty") from None
    cols = column_map(header)
    runs: list[StravaActivity] = []
    skipped: list[Skipped] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, nth: int = 0, row: list[str] = row) -> str:
            places = cols.get(key, [])
            if nth >= len(places) or places[nth] >= len(row):
                return ""
            return row[places[nth]].strip()

        what = f"{cell('id')} {cell('name')!r}".strip()
        kind = cell("type")
        if kind.lower() not in RUN_TYPES:
            skipped.append(Skipped(line, what, f"{NOT_A_RUN} ({kind or 'no type'})", NOT_A_RUN))
            continue
        try:
            started = parse_date(cell("date"))
        except ValueError as error:
            skipped.append(Skipped(line, what, str(error), UNREADABLE_DATE))
            continue
        # Two Distance columns: the first in km (as shown), the second in metres.
        metres = parse_number(cell("distance", 1))
        km = parse_number(cell("distance", 0))
        distance = metres if metres is not None else (km * 1000 if km is not None else None)
        elapsed = parse_number(cell("elapsed", 0))
        if elapsed is None:
            elapsed = parse_number(cell("elapsed", 1))
        runs.append(
            StravaActivity(
                line=line,
                activity_id=cell("id"),
                started=started,
                name=cell("name"),
                kind=kind,
                distance_m=distance or 0.0,
                elapsed_s=elapsed,
                moving_s=parse_number(cell("moving")),
                elevation_gain_m=parse_number(cell("elevation")),
                filename=cell("filename"),
            )
        )
    return runs, skipped


class StravaExport:
    """The export as Strava sends it (a ZIP) or unpacked (a folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._root = PurePosixPath()
        self._csv: bytes | None = None  # an activities.csv sent alone
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise ExportError(f"{path} does not exist") from None
        except OSError as error:
            raise ExportError(f"{path} can't be read ({error.strerror})") from None
        if stat.S_ISDIR(mode):
            if not (path / "activities.csv").is_file():
                raise ExportError(f"{path} has no activities.csv; is it a Strava export folder?")
        elif not stat.S_ISREG(mode):
            # A device, pipe or socket could be read forever: only files are exports.
            raise ExportError(f"{path} is not a regular file or folder")
        elif zipfile.is_zipfile(path):
            self._open_zip(path)
        else:
            raise ExportError(f"{path} is neither a ZIP file nor a folder")

    @classmethod
    def from_upload(cls, filename: str, data: bytes) -> StravaExport:
        """An export sent in a chat: the ZIP as Strava sends it, or ``activities.csv`` alone."""
        export = cls.__new__(cls)
        export.path = Path(filename)
        export._zip, export._root, export._csv = None, PurePosixPath(), None
        if data[:4] == b"PK\x03\x04":
            export._open_zip(io.BytesIO(data))
        elif filename.lower().endswith(".csv"):
            export._csv = data
        else:
            raise ExportError(
                f"{filename} is neither a ZIP file nor activities.csv; send the export ZIP "
                "Strava emailed you, or the activities.csv inside it"
            )
        return export

    def _open_zip(self, source: Path | IO[bytes]) -> None:
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as error:
            raise ExportError(f"{self.path} is a damaged ZIP file ({error})") from None
        names = [n for n in self._zip.namelist() if n.endswith("activities.csv")]
        if not names:
            raise ExportError(f"{self.path} has no activities.csv; is it a Strava export?")
        self._root = PurePosixPath(min(names, key=len)).parent

    @property
    def csv_only(self) -> bool:
        """``activities.csv`` sent alone: no activity file is in it."""
        return self._csv is not None

    def close(self) -> None:
        """Close the ZIP file, if one is open."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> StravaExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def activities_csv(self) -> str:
        """The text of ``activities.csv``."""
        try:
            data = self._read("activities.csv", MAX_CSV_BYTES)
        except ValueError as error:
            raise ExportError(str(error)) from None
        if data is None:
            raise ExportError(f"{self.path} has no readable activities.csv")
        return data.decode("utf-8-sig", errors="replace")

    def activity_file(self, name: str) -> bytes | None:
        """An activity file named in the CSV; None when the export lacks it.

        Raises ``ValueError`` for one over the size limit (it is never read).
        """
        if not name or ".." in PurePosixPath(name).parts or name.startswith("/"):
            return None
        return self._read(name)

    def _read(self, name: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
        """A file of the export, read with a cap: a member's declared size is never trusted."""
        if self._csv is not None:
            return self._csv if name == "activities.csv" else None
        try:
            if self._zip is not None:
                try:
                    info = self._zip.getinfo(str(self._root / name))
                except KeyError:
                    return None
                with self._zip.open(info) as member:
                    return read_capped(name, member, limit)
            file = self.path / name
            if not file.exists():
                return None
            with regular_file(file) as stream:
                return read_capped(name, stream, limit)
        except BadInput as refusal:
            raise ValueError(refusal.message.removesuffix(" Nothing was saved.")) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise ValueError(f"{name} can't be read from the export ({error})") from None
