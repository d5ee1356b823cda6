"""The /export archive: a ZIP of one CSV per table, everything again as JSON, and a README.

The README's words, and how each table is named to a runner, are in
:mod:`bot.texts.data_rights`.

Pure and synchronous (the service runs it in a worker thread, off the event loop).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime

from bot.storage.personal import Scalar, TableRows
from bot.texts.data_rights import readme_text

JSON_NAME = "pacer-export.json"
README_NAME = "README.txt"


def _cell(value: Scalar) -> Scalar:
    """A CSV cell: empty for no value, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _csv(table: TableRows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _json(tables: Sequence[TableRows], exported_at: datetime, platforms: Sequence[str]) -> str:
    """``{'exported_at', 'accounts', 'tables': {name: [rows]}}``, one row a line."""
    # Each row goes through json's C encoder on its own (microseconds): quicker than
    # json.dumps(indent=...), and this thread never holds the interpreter for long.
    lines = [
        "{",
        f'  "exported_at": {json.dumps(exported_at.isoformat())},',
        f'  "accounts": {json.dumps(list(platforms))},',
        '  "tables": {',
    ]
    for n, table in enumerate(tables):
        rows = ",\n      ".join(
            json.dumps(dict(zip(table.columns, row, strict=True)), ensure_ascii=False)
            for row in table.rows
        )
        listed = f"[\n      {rows}\n    ]" if rows else "[]"
        lines.append(f"    {json.dumps(table.name)}: {listed}{',' if n < len(tables) - 1 else ''}")
    lines += ["  }", "}"]
    return "\n".join(lines)


def build_archive(
    tables: Sequence[TableRows], exported_at: datetime, platforms: Sequence[str]
) -> bytes:
    """The ZIP: README.txt, pacer-export.json and one CSV per table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README_NAME, readme_text(tables, exported_at, platforms, JSON_NAME))
        archive.writestr(JSON_NAME, _json(tables, exported_at, platforms))
        for table in tables:
            archive.writestr(f"{table.name}.csv", _csv(table))
    return buffer.getvalue()
